//! One WebSocket connection: authenticate with `join`, then relay between the client, the
//! SFU and the room's presence until the client leaves or the socket drops.

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{timeout, Instant};
use tracing::{debug, info, warn};

use crate::error::TokenError;
use crate::presence::Outbound;
use crate::protocol::{
    close, ClientMessage, ErrorCode, LeaveReason, ServerMessage, MAX_CLIENT_MESSAGE_BYTES,
};
use crate::token::{now_unix, RoomClaims};
use crate::SignalingState;
use sfu::{PeerHandle, SfuError, SfuEvent};

static CONNECTION_IDS: AtomicU64 = AtomicU64::new(1);

/// How long a single send to a client may take before the client counts as gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);

/// How long to wait for the client's close frame after ours.
const CLOSE_DRAIN_TIMEOUT: Duration = Duration::from_secs(2);

/// How a session ended, deciding what happens to the participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    /// Client sent `leave`: gone for good.
    Leave,
    /// Socket dropped, heartbeat lost, or garbage: expected back.
    Dropped,
    /// Token ran out: the appointment is over.
    Expired,
    /// Another socket of the same participant took over.
    Replaced,
}

struct Conn {
    tx: SplitSink<WebSocket, Message>,
    rx: SplitStream<WebSocket>,
    remote: String,
}

impl Conn {
    async fn send(&mut self, message: &ServerMessage) -> bool {
        let Ok(text) = serde_json::to_string(message) else {
            return false;
        };
        matches!(
            timeout(SEND_TIMEOUT, self.tx.send(Message::Text(text.into()))).await,
            Ok(Ok(()))
        )
    }

    async fn close(&mut self, code: u16, reason: &'static str) {
        let frame = CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        };
        if !matches!(
            timeout(SEND_TIMEOUT, self.tx.send(Message::Close(Some(frame)))).await,
            Ok(Ok(()))
        ) {
            return;
        }
        // Complete the closing handshake: dropping a socket with unread input makes the
        // kernel reset the connection, and the client would lose our last messages.
        let drain = async {
            while let Some(Ok(message)) = self.rx.next().await {
                if matches!(message, Message::Close(_)) {
                    break;
                }
            }
        };
        let _ = timeout(CLOSE_DRAIN_TIMEOUT, drain).await;
    }

    async fn refuse(&mut self, code: ErrorCode, close_code: u16, reason: &'static str) {
        let _ = self
            .send(&ServerMessage::Error {
                code,
                message: reason.to_owned(),
            })
            .await;
        self.close(close_code, reason).await;
    }
}

pub(crate) async fn run(socket: WebSocket, state: SignalingState, remote: String) {
    let (tx, rx) = socket.split();
    let mut conn = Conn { tx, rx, remote };
    let Some(claims) = authenticate(&mut conn, &state).await else {
        return;
    };
    let conn_id = CONNECTION_IDS.fetch_add(1, Ordering::Relaxed);
    let (out_tx, mut out_rx) = mpsc::unbounded_channel();
    let attached = match state.rooms.join(&claims, conn_id, out_tx).await {
        Ok(joined) => joined,
        Err(err) => {
            warn!(remote = %conn.remote, room = %claims.room, participant = %claims.sub, %err, "join failed");
            match err {
                SfuError::RoomFull { .. } => {
                    conn.refuse(ErrorCode::RoomFull, close::ROOM_FULL, "room is full")
                        .await
                }
                _ => {
                    conn.refuse(ErrorCode::Internal, close::INTERNAL, "media server error")
                        .await
                }
            }
            return;
        }
    };
    let (peer, mut sfu_events) = (attached.peer, attached.sfu_events);
    info!(remote = %conn.remote, room = %claims.room, participant = %claims.sub, role = %claims.role, reconnect = attached.reconnect, "joined");

    let joined = ServerMessage::Joined {
        room: claims.room.clone(),
        participant_id: claims.sub.clone(),
        role: claims.role,
        ice_servers: state.sfu().config().ice_servers.clone(),
        participants: attached.others,
        expires_at: claims.exp,
    };
    let exit = if conn.send(&joined).await {
        session_loop(
            &mut conn,
            &state,
            &claims,
            &peer,
            &mut sfu_events,
            &mut out_rx,
        )
        .await
    } else {
        Exit::Dropped
    };
    finish(&state, &claims, conn_id, exit).await;
    debug!(room = %claims.room, participant = %claims.sub, ?exit, "session ended");
}

/// Waits for `join` and checks its token. Refusals are logged and the socket is closed
/// with a specific code.
async fn authenticate(conn: &mut Conn, state: &SignalingState) -> Option<RoomClaims> {
    let first = timeout(state.config.join_timeout, conn.rx.next()).await;
    let text = match first {
        Ok(Some(Ok(Message::Text(text)))) if text.len() <= MAX_CLIENT_MESSAGE_BYTES => text,
        Ok(Some(Ok(_))) => {
            warn!(remote = %conn.remote, "refused: first message was not a join");
            conn.refuse(
                ErrorCode::Unauthorized,
                close::UNAUTHORIZED,
                "join expected",
            )
            .await;
            return None;
        }
        Err(_) => {
            warn!(remote = %conn.remote, "refused: no join in time");
            conn.refuse(
                ErrorCode::Unauthorized,
                close::UNAUTHORIZED,
                "join expected",
            )
            .await;
            return None;
        }
        Ok(None | Some(Err(_))) => return None,
    };
    let (room, token) = match serde_json::from_str::<ClientMessage>(&text) {
        Ok(ClientMessage::Join { room, token }) => (room, token),
        _ => {
            warn!(remote = %conn.remote, "refused: first message was not a join");
            conn.refuse(
                ErrorCode::Unauthorized,
                close::UNAUTHORIZED,
                "join expected",
            )
            .await;
            return None;
        }
    };
    let result = state.keys.verify(&token).and_then(|claims| {
        if claims.room == room {
            Ok(claims)
        } else {
            Err(TokenError::WrongRoom)
        }
    });
    match result {
        Ok(claims) => Some(claims),
        Err(err) => {
            // Never log the token itself.
            warn!(remote = %conn.remote, room = %room, reason = %err, "room token refused");
            let (code, reason) = match err {
                TokenError::Missing => (close::UNAUTHORIZED, "room token missing"),
                TokenError::Expired => (close::TOKEN_REFUSED, "room token expired"),
                TokenError::NotYetValid => (close::TOKEN_REFUSED, "room token not valid yet"),
                TokenError::Invalid(_) => (close::TOKEN_REFUSED, "room token invalid"),
                TokenError::WrongRoom => (close::WRONG_ROOM, "room token is for another room"),
            };
            conn.refuse(ErrorCode::Unauthorized, code, reason).await;
            None
        }
    }
}

async fn session_loop(
    conn: &mut Conn,
    state: &SignalingState,
    claims: &RoomClaims,
    peer: &PeerHandle,
    sfu_events: &mut mpsc::UnboundedReceiver<SfuEvent>,
    out_rx: &mut mpsc::UnboundedReceiver<Outbound>,
) -> Exit {
    let config = &state.config;
    let expires_in = Duration::from_secs(u64::try_from(claims.exp - now_unix()).unwrap_or(0));
    let expiry = tokio::time::sleep(expires_in);
    tokio::pin!(expiry);
    let mut heartbeat = tokio::time::interval(config.heartbeat_interval);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_seen = Instant::now();
    let mut strikes = 0u32;
    let mut sfu_open = true;

    loop {
        tokio::select! {
            incoming = conn.rx.next() => {
                let message = match incoming {
                    Some(Ok(message)) => message,
                    Some(Err(err)) => {
                        // Includes frames above the transport limit.
                        debug!(%err, "websocket read error");
                        return Exit::Dropped;
                    }
                    None => return Exit::Dropped,
                };
                last_seen = Instant::now();
                let text = match message {
                    Message::Text(text) => text,
                    Message::Binary(_) => {
                        strikes += 1;
                        reply_error(conn, ErrorCode::TooLarge, "binary messages are not supported").await;
                        if strikes >= config.max_strikes { return garbage(conn).await; }
                        continue;
                    }
                    Message::Close(_) => return Exit::Dropped,
                    Message::Ping(_) | Message::Pong(_) => continue,
                };
                if text.len() > MAX_CLIENT_MESSAGE_BYTES {
                    strikes += 1;
                    reply_error(conn, ErrorCode::TooLarge, "message too large").await;
                    if strikes >= config.max_strikes { return garbage(conn).await; }
                    continue;
                }
                let message = match serde_json::from_str::<ClientMessage>(&text) {
                    Ok(message) => message,
                    Err(err) => {
                        strikes += 1;
                        reply_error(conn, ErrorCode::BadMessage, &format!("bad message: {err}")).await;
                        if strikes >= config.max_strikes { return garbage(conn).await; }
                        continue;
                    }
                };
                if let Some(exit) = handle(conn, state, claims, peer, message).await {
                    return exit;
                }
            }
            event = sfu_events.recv(), if sfu_open => {
                let message = match event {
                    Some(SfuEvent::Offer { sdp }) => ServerMessage::Offer { sdp },
                    Some(SfuEvent::ConnectionState(state)) => ServerMessage::ConnectionState { state },
                    None => { sfu_open = false; continue; }
                };
                if !conn.send(&message).await {
                    return Exit::Dropped;
                }
            }
            outbound = out_rx.recv() => {
                match outbound {
                    Some(Outbound::Message(message)) => {
                        if !conn.send(&message).await {
                            return Exit::Dropped;
                        }
                    }
                    Some(Outbound::Replaced) => {
                        conn.close(close::REPLACED, "connected from elsewhere").await;
                        return Exit::Replaced;
                    }
                    None => return Exit::Replaced,
                }
            }
            _ = heartbeat.tick() => {
                if last_seen.elapsed() > config.heartbeat_timeout {
                    info!(remote = %conn.remote, participant = %claims.sub, "heartbeat lost");
                    return Exit::Dropped;
                }
                let ping = timeout(SEND_TIMEOUT, conn.tx.send(Message::Ping(Default::default()))).await;
                if !matches!(ping, Ok(Ok(()))) {
                    return Exit::Dropped;
                }
            }
            _ = &mut expiry => {
                conn.refuse(ErrorCode::Unauthorized, close::EXPIRED, "appointment ended").await;
                return Exit::Expired;
            }
        }
    }
}

/// Handles one well-formed client message. Returns `Some` to end the session.
async fn handle(
    conn: &mut Conn,
    state: &SignalingState,
    claims: &RoomClaims,
    peer: &PeerHandle,
    message: ClientMessage,
) -> Option<Exit> {
    let result = match message {
        ClientMessage::Join { .. } => {
            reply_error(conn, ErrorCode::Unexpected, "already joined").await;
            return None;
        }
        ClientMessage::Answer { sdp } => peer.apply_answer(sdp).await,
        ClientMessage::Candidate(candidate) => peer.add_ice_candidate(candidate).await,
        ClientMessage::Renegotiate => peer.renegotiate().await,
        ClientMessage::RestartIce => peer.restart_ice().await,
        ClientMessage::MediaState { audio, video } => {
            state.rooms.set_media(claims, audio, video).await;
            Ok(())
        }
        ClientMessage::Ping => {
            if !conn.send(&ServerMessage::Pong).await {
                return Some(Exit::Dropped);
            }
            Ok(())
        }
        ClientMessage::Leave => {
            conn.close(1000, "bye").await;
            return Some(Exit::Leave);
        }
    };
    if let Err(err) = result {
        let code = match err {
            SfuError::InvalidInput {
                what: "answer",
                ref reason,
            } if reason.contains("outstanding") => ErrorCode::Unexpected,
            SfuError::InvalidInput { .. } => ErrorCode::BadMedia,
            _ => ErrorCode::Internal,
        };
        reply_error(conn, code, &err.to_string()).await;
    }
    None
}

async fn reply_error(conn: &mut Conn, code: ErrorCode, message: &str) {
    let _ = conn
        .send(&ServerMessage::Error {
            code,
            message: message.to_owned(),
        })
        .await;
}

async fn garbage(conn: &mut Conn) -> Exit {
    warn!(remote = %conn.remote, "disconnecting client that keeps sending bad messages");
    conn.close(close::PROTOCOL, "too many bad messages").await;
    Exit::Dropped
}

/// Decides the participant's fate after the socket is gone.
async fn finish(state: &SignalingState, claims: &RoomClaims, conn_id: u64, exit: Exit) {
    match exit {
        Exit::Replaced => {}
        Exit::Leave => state.rooms.leave(claims, conn_id, LeaveReason::Left).await,
        Exit::Expired => state.rooms.leave(claims, conn_id, LeaveReason::Expired).await,
        Exit::Dropped => {
            // Come back within the grace period (and the token's lifetime), or be removed.
            let left = Duration::from_secs(u64::try_from(claims.exp - now_unix()).unwrap_or(0));
            let grace = state.config.reconnect_grace.min(left);
            state.rooms.dropped(claims, conn_id, grace).await;
        }
    }
}

/// For logs: the peer address, and the client address a reverse proxy reports.
pub(crate) fn describe_remote(addr: Option<SocketAddr>, forwarded_for: Option<&str>) -> String {
    match (addr, forwarded_for) {
        (Some(addr), Some(fwd)) => format!("{addr} (for {fwd})"),
        (Some(addr), None) => addr.to_string(),
        (None, Some(fwd)) => format!("(for {fwd})"),
        (None, None) => "unknown".to_owned(),
    }
}
