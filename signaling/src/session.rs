//! One WebSocket connection: the IO around a [`Conversation`], which holds the rules. Reads
//! frames, room news and SFU events, feeds them in with the time, and carries out the
//! actions that come back.

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{timeout, Instant};
use tracing::{debug, info, warn};

use crate::admission::PendingSlot;
use crate::conversation::{Action, Conversation, Exit, Frame, SfuRequest};
use crate::placement::Destination;
use crate::presence::{Joined, Outbound};
use crate::protocol::{LeaveReason, ServerMessage};
use crate::relay::{self, ClientSocket, UpstreamSocket};
use crate::token::{now_unix, RoomClaims};
use crate::SignalingState;
use sfu::{PeerHandle, SfuError, SfuEvent};

static CONNECTION_IDS: AtomicU64 = AtomicU64::new(1);

/// How long a single send to a client may take before the client counts as gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);

/// How long to wait for the client's close frame after ours.
const CLOSE_DRAIN_TIMEOUT: Duration = Duration::from_secs(2);

struct Conn {
    tx: SplitSink<WebSocket, Message>,
    rx: SplitStream<WebSocket>,
    /// Reading failed (e.g. on a frame above the limit): nothing more can be read.
    unreadable: bool,
}

impl Conn {
    async fn send(&mut self, message: Message) -> bool {
        matches!(
            timeout(SEND_TIMEOUT, self.tx.send(message)).await,
            Ok(Ok(()))
        )
    }

    async fn send_json(&mut self, message: &ServerMessage) -> bool {
        let Ok(text) = serde_json::to_string(message) else {
            return false;
        };
        self.send(Message::Text(text.into())).await
    }

    async fn close(&mut self, code: u16, reason: &'static str) {
        let frame = CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        };
        if !self.send(Message::Close(Some(frame))).await {
            return;
        }
        // Complete the closing handshake: dropping a socket with unread input makes the
        // kernel reset the connection, and the client would lose our last messages. When
        // the input cannot be read any more, give the client the same time to read ours.
        if self.unreadable {
            tokio::time::sleep(CLOSE_DRAIN_TIMEOUT).await;
            return;
        }
        let drain = async {
            while let Some(Ok(message)) = self.rx.next().await {
                if matches!(message, Message::Close(_)) {
                    break;
                }
            }
        };
        let _ = timeout(CLOSE_DRAIN_TIMEOUT, drain).await;
    }
}

/// The participant once in the room: their socket's id in presence, their peer
/// connection, and where room news and SFU events arrive.
struct Member {
    claims: RoomClaims,
    conn_id: u64,
    peer: PeerHandle,
    sfu_events: mpsc::UnboundedReceiver<SfuEvent>,
    sfu_open: bool,
    outbound: mpsc::UnboundedReceiver<Outbound>,
}

/// What woke the session up.
enum Event {
    Frame(Option<Result<Message, axum::Error>>),
    Sfu(Option<SfuEvent>),
    Room(Option<Outbound>),
    Timeout,
}

/// Where the participant's call runs, decided at `join`.
enum Route {
    Here,
    /// Relayed to another node, over this socket to it.
    Node {
        socket: Box<UpstreamSocket>,
        node: String,
    },
    Nowhere,
}

/// How the session loop ended.
enum Ending {
    Conversation(Exit),
    Relay {
        upstream: Box<UpstreamSocket>,
        node: String,
        room: String,
        join: String,
    },
}

/// Who is on the other end of the socket.
#[derive(Debug, Clone)]
pub(crate) struct Remote {
    /// For logs: the peer address and a proxy's `X-Forwarded-For`.
    pub described: String,
    /// The client's address: the peer's, or the one a relaying instance vouched for.
    pub ip: Option<IpAddr>,
    /// The socket comes from another instance (cluster key): never relayed again.
    pub relayed: bool,
}

pub(crate) async fn run(
    socket: WebSocket,
    state: SignalingState,
    remote: Remote,
    pending: PendingSlot,
) {
    let Remote {
        described: remote,
        ip: client_ip,
        relayed,
    } = remote;
    // Held while the socket has not joined.
    let mut pending = Some(pending);
    let (tx, rx) = socket.split();
    let mut conn = Conn {
        tx,
        rx,
        unreadable: false,
    };
    let mut conversation = Conversation::new(
        state.config.clone(),
        state.keys.clone(),
        remote.clone(),
        Instant::now().into_std(),
        now_unix(),
    );
    let mut member: Option<Member> = None;
    // The last text before `join` was accepted: the join itself, passed on when relaying.
    let mut join_text: Option<String> = None;
    let ending = 'session: loop {
        while let Some(action) = conversation.poll_action() {
            let delivered = match action {
                Action::Send(message) => conn.send_json(&message).await,
                Action::Ping => conn.send(Message::Ping(Default::default())).await,
                Action::Close(code, reason) => {
                    conn.close(code, reason).await;
                    true
                }
                Action::Join(claims) => {
                    pending = None;
                    match route(&state, &claims, client_ip, relayed).await {
                        Route::Here => {
                            member = join(&state, &mut conversation, claims, &remote).await;
                        }
                        Route::Node { socket, node } => {
                            break 'session Ending::Relay {
                                upstream: socket,
                                node,
                                room: claims.room,
                                join: join_text.take().unwrap_or_default(),
                            };
                        }
                        Route::Nowhere => {
                            warn!(%remote, room = %claims.room, "refused: no media node takes the room now");
                            conversation.join_failed(&SfuError::Draining);
                        }
                    }
                    true
                }
                Action::Sfu(request) => {
                    if let Some(member) = &member {
                        let result = match request {
                            SfuRequest::Answer(sdp) => member.peer.apply_answer(sdp).await,
                            SfuRequest::Candidate(c) => member.peer.add_ice_candidate(c).await,
                            SfuRequest::Renegotiate => member.peer.renegotiate().await,
                            SfuRequest::RestartIce => {
                                // A restart can come an hour into a call: mint again, so the
                                // new ICE session does not run on a credential near expiry.
                                if state.mints_credentials() {
                                    let ice_servers =
                                        state.ice_servers_for(&member.claims.sub, now_unix());
                                    conn.send_json(&ServerMessage::IceServers { ice_servers })
                                        .await;
                                }
                                member.peer.restart_ice().await
                            }
                        };
                        if let Err(err) = result {
                            conversation.sfu_failed(&err);
                        }
                    }
                    true
                }
                Action::Remove(participant) => {
                    if let Some(member) = &member {
                        state
                            .rooms
                            .remove_by_clerk(&member.claims.room, &participant)
                            .await;
                    }
                    true
                }
                Action::SetMedia {
                    audio,
                    video,
                    weak_network,
                    screen,
                } => {
                    if let Some(member) = &member {
                        let rooms = &state.rooms;
                        rooms
                            .set_media(&member.claims, audio, video, weak_network, screen)
                            .await;
                    }
                    true
                }
                Action::Photo(step) => {
                    if let Some(member) = &member {
                        state.rooms.photo(&member.claims, step).await;
                    }
                    true
                }
                Action::End(exit) => break 'session Ending::Conversation(exit),
            };
            if !delivered {
                conversation.socket_closed(Instant::now().into_std());
            }
        }

        let wake = conversation.poll_timeout().map(Instant::from_std);
        let event = tokio::select! {
            frame = conn.rx.next() => Event::Frame(frame),
            event = member_news(&mut member) => event,
            () = sleep_until(wake) => Event::Timeout,
        };
        let now = Instant::now().into_std();
        match event {
            Event::Frame(Some(Ok(message))) => {
                let frame = match message {
                    Message::Text(text) => {
                        if member.is_none() {
                            join_text = Some(text.as_str().to_owned());
                        }
                        Frame::Text(text.as_str().to_owned())
                    }
                    Message::Binary(_) => Frame::Binary,
                    Message::Ping(_) | Message::Pong(_) => Frame::Control,
                    Message::Close(_) => {
                        conversation.socket_closed(now);
                        continue;
                    }
                };
                conversation.frame(frame, now);
            }
            Event::Frame(Some(Err(err))) => {
                debug!(%err, "websocket read error");
                conn.unreadable = true;
                if is_too_big(err) {
                    conversation.oversized_frame(now);
                } else {
                    conversation.socket_closed(now);
                }
            }
            Event::Frame(None) => conversation.socket_closed(now),
            Event::Sfu(Some(event)) => {
                let message = match event {
                    SfuEvent::Offer { sdp } => ServerMessage::Offer { sdp },
                    SfuEvent::ConnectionState(state) => ServerMessage::ConnectionState { state },
                };
                if !conn.send_json(&message).await {
                    conversation.socket_closed(now);
                }
            }
            Event::Sfu(None) => {
                if let Some(member) = &mut member {
                    member.sfu_open = false;
                }
            }
            Event::Room(Some(Outbound::Message(message))) => {
                if !conn.send_json(&message).await {
                    conversation.socket_closed(now);
                }
            }
            Event::Room(Some(Outbound::Removed)) => conversation.removed(),
            Event::Room(Some(Outbound::Moved)) => conversation.moved(),
            Event::Room(Some(Outbound::Replaced) | None) => conversation.replaced(),
            Event::Timeout => conversation.timeout(now),
        }
    };
    drop(pending);
    let exit = match ending {
        Ending::Conversation(exit) => exit,
        Ending::Relay {
            upstream,
            node,
            room,
            join,
        } => {
            info!(%remote, %room, %node, "relayed to the room's media node");
            let client = ClientSocket {
                tx: conn.tx,
                rx: conn.rx,
            };
            let ending = relay::pipe(
                client,
                *upstream,
                join,
                state.config.heartbeat_interval,
                state.config.heartbeat_timeout,
            )
            .await;
            info!(%remote, %room, %node, ?ending, "relayed socket ended");
            return;
        }
    };
    if let Some(member) = member {
        finish(&state, &member, exit).await;
        debug!(room = %member.claims.room, participant = %member.claims.sub, ?exit, "session ended");
    }
}

/// Where the room of `claims` runs: here without a registry or for a socket another instance
/// relayed; else the node the registry names, connected to now. A node that cannot be
/// reached is reported and the room placed again without it.
async fn route(
    state: &SignalingState,
    claims: &RoomClaims,
    client_ip: Option<IpAddr>,
    relayed: bool,
) -> Route {
    let (Some(placement), Some(key)) = (&state.placement, &state.cluster) else {
        return Route::Here;
    };
    if relayed {
        return Route::Here;
    }
    let mut excluded: Option<String> = None;
    for _ in 0..3 {
        match placement.place(&claims.room, excluded.as_deref()).await {
            Destination::Here => return Route::Here,
            Destination::Nowhere => return Route::Nowhere,
            Destination::Node { id, signal_url } => {
                match relay::connect(&signal_url, key, client_ip).await {
                    Ok(socket) => {
                        return Route::Node {
                            socket: Box::new(socket),
                            node: id,
                        }
                    }
                    Err(err) => {
                        warn!(node = %id, %err, room = %claims.room, "media node unreachable; placing the room again");
                        placement.unreachable(&claims.room, &id).await;
                        excluded = Some(id);
                    }
                }
            }
        }
    }
    Route::Nowhere
}

async fn join(
    state: &SignalingState,
    conversation: &mut Conversation,
    claims: RoomClaims,
    remote: &str,
) -> Option<Member> {
    let mut room_size = None;
    if let Some(admission) = &state.admission {
        if !admission.admits(&claims).await {
            warn!(%remote, room = %claims.room, participant = %claims.sub, "refused: the conversation is over");
            conversation.room_closed();
            return None;
        }
        room_size = admission.room_size(&claims).await;
    }
    let conn_id = CONNECTION_IDS.fetch_add(1, Ordering::Relaxed);
    let (out_tx, outbound) = mpsc::unbounded_channel();
    match state.rooms.join(&claims, conn_id, out_tx, room_size).await {
        Ok(Joined {
            reconnect,
            others,
            peer,
            sfu_events,
        }) => {
            info!(%remote, room = %claims.room, participant = %claims.sub, role = %claims.role, reconnect, "joined");
            if !reconnect {
                if let Some(admission) = &state.admission {
                    admission.joined(&claims).await;
                }
            }
            let ice_servers = state.ice_servers_for(&claims.sub, now_unix());
            conversation.joined(others, ice_servers, Instant::now().into_std());
            Some(Member {
                claims,
                conn_id,
                peer,
                sfu_events,
                sfu_open: true,
                outbound,
            })
        }
        Err(err) => {
            warn!(%remote, room = %claims.room, participant = %claims.sub, %err, "join failed");
            conversation.join_failed(&err);
            None
        }
    }
}

/// The next SFU event or room news for the participant; never, before they joined.
async fn member_news(member: &mut Option<Member>) -> Event {
    let Some(member) = member else {
        return std::future::pending().await;
    };
    tokio::select! {
        event = member.sfu_events.recv(), if member.sfu_open => Event::Sfu(event),
        outbound = member.outbound.recv() => Event::Room(outbound),
    }
}

async fn sleep_until(wake: Option<Instant>) {
    match wake {
        Some(wake) => tokio::time::sleep_until(wake).await,
        None => std::future::pending().await,
    }
}

/// Decides the participant's fate after the socket is gone.
async fn finish(state: &SignalingState, member: &Member, exit: Exit) {
    let (claims, conn_id) = (&member.claims, member.conn_id);
    match exit {
        Exit::NotJoined | Exit::Replaced | Exit::Removed => {}
        Exit::Leave => state.rooms.leave(claims, conn_id, LeaveReason::Left).await,
        Exit::Expired => {
            state
                .rooms
                .leave(claims, conn_id, LeaveReason::Expired)
                .await
        }
        Exit::Dropped { grace } => state.rooms.dropped(claims, conn_id, grace).await,
    }
}

/// Whether a read failed on a frame or message above the transport limit.
fn is_too_big(err: axum::Error) -> bool {
    use tokio_tungstenite::tungstenite::Error;
    matches!(
        err.into_inner().downcast_ref::<Error>(),
        Some(Error::Capacity(_))
    )
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
