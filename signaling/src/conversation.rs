//! The rules of one signalling connection, without the socket (sans-IO): the join deadline,
//! the token check, strikes for bad messages, heartbeats, being replaced by another socket
//! of the same participant, the token's expiry, and how long a dropped participant keeps
//! their place.
//!
//! The session task feeds in what happens ([`Conversation::frame`], [`Conversation::joined`],
//! ...) with the current [`Instant`], carries out what [`Conversation::poll_action`] returns,
//! and calls [`Conversation::timeout`] once [`Conversation::poll_timeout`] is reached.

use governor::clock::FakeRelativeClock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::{info, warn};

use crate::error::TokenError;
use crate::protocol::{close, ClientMessage, ErrorCode, ServerMessage, MAX_CLIENT_MESSAGE_BYTES};
use crate::token::{RoomClaims, RoomTokenKeys};
use crate::SignalingConfig;
use sfu::{IceCandidate, IceServer, SfuError};

/// A frame read from the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Frame {
    Text(String),
    Binary,
    /// WebSocket ping or pong: only shows the client is alive.
    Control,
}

/// What the session task must do next.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Action {
    Send(ServerMessage),
    /// Send a WebSocket ping.
    Ping,
    /// Put the participant in the room (presence and SFU), then report with
    /// [`Conversation::joined`] or [`Conversation::join_failed`].
    Join(RoomClaims),
    /// Hand this to the participant's peer connection; report a failure with
    /// [`Conversation::sfu_failed`].
    Sfu(SfuRequest),
    /// Record and relay the participant's microphone/camera state.
    SetMedia {
        audio: bool,
        video: bool,
        weak_network: bool,
        screen: bool,
    },
    /// A step of asking for a photo (the role was checked here; the room's
    /// `photo::PhotoConsent` decides whether it fits now).
    Photo(PhotoStep),
    /// Take this other participant out of the room (asked by the clerk).
    Remove(String),
    /// Send a close frame and wait briefly for the client's.
    Close(u16, &'static str),
    /// The conversation is over; nothing follows.
    End(Exit),
}

/// What a participant did about a photo of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PhotoStep {
    Request,
    Answer { accepted: bool },
    Taken,
}

/// A client request for the SFU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SfuRequest {
    Answer(String),
    Candidate(IceCandidate),
    Renegotiate,
    RestartIce,
}

/// How a conversation ended, deciding what happens to the participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Never got into the room: nothing to undo.
    NotJoined,
    /// Client sent `leave`: gone for good.
    Leave,
    /// Socket dropped, heartbeat lost, or garbage: expected back within `grace` (the grace
    /// period, never beyond the token's expiry).
    Dropped { grace: Duration },
    /// Token ran out: the appointment is over.
    Expired,
    /// Another socket of the same participant took over.
    Replaced,
    /// The clerk took the participant out; presence already removed them.
    Removed,
}

#[derive(Debug)]
enum Phase {
    AwaitingJoin {
        deadline: Instant,
    },
    Joining {
        claims: RoomClaims,
        expires_at: Instant,
    },
    InRoom(InRoom),
    Ended,
}

#[derive(Debug)]
struct InRoom {
    claims: RoomClaims,
    expires_at: Instant,
    last_seen: Instant,
    next_ping: Instant,
    strikes: u32,
    /// Messages refused for going over a rate.
    throttled: u32,
}

type Limiter = RateLimiter<NotKeyed, InMemoryState, FakeRelativeClock, NoOpMiddleware<Nanos>>;

/// The connection's message rates. The limiters run on a clock moved by the `now` of each
/// input, so the rules stay testable without waiting.
struct Rates {
    clock: FakeRelativeClock,
    last: Instant,
    messages: Limiter,
    candidates: Limiter,
}

impl Rates {
    fn new(config: &SignalingConfig, now: Instant) -> Self {
        let clock = FakeRelativeClock::default();
        let limiter = |per_second: u32| {
            let rate = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
            let burst = rate.saturating_mul(NonZeroU32::new(BURST_SECONDS).expect("nonzero"));
            RateLimiter::direct_with_clock(
                Quota::per_second(rate).allow_burst(burst),
                clock.clone(),
            )
        };
        Self {
            messages: limiter(config.messages_per_second),
            candidates: limiter(config.candidates_per_second),
            clock,
            last: now,
        }
    }

    fn at(&mut self, now: Instant) -> &Self {
        self.clock.advance(now.saturating_duration_since(self.last));
        self.last = self.last.max(now);
        self
    }
}

/// A client may send this many seconds' worth of its rate at once.
const BURST_SECONDS: u32 = 5;

pub(crate) struct Conversation {
    config: Arc<SignalingConfig>,
    keys: RoomTokenKeys,
    /// For logs: who is on the other end.
    remote: String,
    /// A moment on both clocks, to turn token times (Unix seconds) into instants.
    origin: Instant,
    origin_unix: i64,
    phase: Phase,
    rates: Rates,
    actions: VecDeque<Action>,
}

impl Conversation {
    /// A conversation on a socket opened at `now`, when the Unix time is `now_unix`.
    pub fn new(
        config: Arc<SignalingConfig>,
        keys: RoomTokenKeys,
        remote: String,
        now: Instant,
        now_unix: i64,
    ) -> Self {
        let deadline = now + config.join_timeout;
        Self {
            rates: Rates::new(&config, now),
            config,
            keys,
            remote,
            origin: now,
            origin_unix: now_unix,
            phase: Phase::AwaitingJoin { deadline },
            actions: VecDeque::new(),
        }
    }

    /// The next thing to do, in order.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// When [`Conversation::timeout`] must be called next, if at all.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.phase {
            Phase::AwaitingJoin { deadline } => Some(*deadline),
            Phase::InRoom(room) => Some(room.expires_at.min(room.next_ping)),
            Phase::Joining { .. } | Phase::Ended => None,
        }
    }

    /// A frame arrived from the client.
    pub fn frame(&mut self, frame: Frame, now: Instant) {
        match &mut self.phase {
            Phase::AwaitingJoin { .. } => self.first_frame(frame, now),
            Phase::InRoom(room) => {
                room.last_seen = now;
                self.room_frame(frame, now);
            }
            // The session task joins before it reads on.
            Phase::Joining { .. } | Phase::Ended => {}
        }
    }

    fn first_frame(&mut self, frame: Frame, now: Instant) {
        let join = match frame {
            Frame::Text(text) if text.len() <= MAX_CLIENT_MESSAGE_BYTES => {
                serde_json::from_str::<ClientMessage>(&text).ok()
            }
            _ => None,
        };
        let Some(ClientMessage::Join { room, token }) = join else {
            warn!(remote = %self.remote, "refused: first message was not a join");
            return self.refuse(
                ErrorCode::Unauthorized,
                close::UNAUTHORIZED,
                "join expected",
            );
        };
        let now_unix = self.unix_at(now);
        let result = self.keys.verify(&token).and_then(|claims| {
            if claims.room != room {
                Err(TokenError::WrongRoom)
            } else if claims.exp <= now_unix {
                // Within the verifier's clock-skew leeway, but the appointment is over by
                // this node's clock: a token stops admitting at its `exp`, rejoins included.
                Err(TokenError::Expired)
            } else {
                Ok(claims)
            }
        });
        match result {
            Ok(claims) => {
                let expires_at = self.instant_of(claims.exp);
                self.actions.push_back(Action::Join(claims.clone()));
                self.phase = Phase::Joining { claims, expires_at };
            }
            Err(err) => {
                // Never log the token itself.
                warn!(remote = %self.remote, room = %room, reason = %err, "room token refused");
                let (code, reason) = match err {
                    TokenError::Missing => (close::UNAUTHORIZED, "room token missing"),
                    TokenError::Expired => (close::TOKEN_REFUSED, "room token expired"),
                    TokenError::NotYetValid => (close::TOKEN_REFUSED, "room token not valid yet"),
                    TokenError::Invalid(_) => (close::TOKEN_REFUSED, "room token invalid"),
                    TokenError::WrongRoom => (close::WRONG_ROOM, "room token is for another room"),
                };
                self.refuse(ErrorCode::Unauthorized, code, reason);
            }
        }
    }

    fn room_frame(&mut self, frame: Frame, now: Instant) {
        if matches!(frame, Frame::Control) {
            return;
        }
        if self.rates.at(now).messages.check().is_err() {
            return self.throttle("too many messages", now);
        }
        let text = match frame {
            Frame::Control => return,
            Frame::Binary => {
                let message = "binary messages are not supported".into();
                return self.strike(ErrorCode::TooLarge, message, now);
            }
            Frame::Text(text) => text,
        };
        if text.len() > MAX_CLIENT_MESSAGE_BYTES {
            return self.strike(ErrorCode::TooLarge, "message too large".into(), now);
        }
        let message = match serde_json::from_str::<ClientMessage>(&text) {
            Ok(message) => message,
            Err(err) => {
                return self.strike(ErrorCode::BadMessage, format!("bad message: {err}"), now)
            }
        };
        let action = match message {
            ClientMessage::Join { .. } => {
                return self.reply_error(ErrorCode::Unexpected, "already joined".into())
            }
            ClientMessage::Answer { sdp } => Action::Sfu(SfuRequest::Answer(sdp)),
            ClientMessage::Candidate(candidate) => {
                if self.rates.at(now).candidates.check().is_err() {
                    return self.throttle("too many candidates", now);
                }
                Action::Sfu(SfuRequest::Candidate(candidate))
            }
            ClientMessage::Renegotiate => Action::Sfu(SfuRequest::Renegotiate),
            ClientMessage::RestartIce => Action::Sfu(SfuRequest::RestartIce),
            ClientMessage::MediaState {
                audio,
                video,
                weak_network,
                screen,
            } => Action::SetMedia {
                audio,
                video,
                weak_network,
                // Only the clerk shows a screen.
                screen: screen && self.role() == Some(crate::token::Role::Clerk),
            },
            ClientMessage::PhotoRequest | ClientMessage::PhotoTaken
                if self.role() != Some(crate::token::Role::Clerk) =>
            {
                return self
                    .reply_error(ErrorCode::Unexpected, "only the clerk takes a photo".into());
            }
            ClientMessage::PhotoAnswer { .. }
                if self.role() != Some(crate::token::Role::Resident) =>
            {
                return self.reply_error(
                    ErrorCode::Unexpected,
                    "only the resident allows a photo".into(),
                );
            }
            ClientMessage::PhotoRequest => Action::Photo(PhotoStep::Request),
            ClientMessage::PhotoAnswer { accepted } => {
                Action::Photo(PhotoStep::Answer { accepted })
            }
            ClientMessage::PhotoTaken => Action::Photo(PhotoStep::Taken),
            ClientMessage::Ping => Action::Send(ServerMessage::Pong),
            ClientMessage::Leave => {
                self.actions.push_back(Action::Close(1000, "bye"));
                return self.end(Exit::Leave);
            }
            ClientMessage::Remove { participant_id } => {
                // Only the clerk leads the conversation; nobody removes themselves this way.
                let may = matches!(&self.phase, Phase::InRoom(room)
                    if room.claims.role == crate::token::Role::Clerk && room.claims.sub != participant_id);
                if !may {
                    return self.reply_error(
                        ErrorCode::Unexpected,
                        "only the clerk removes another participant".into(),
                    );
                }
                Action::Remove(participant_id)
            }
        };
        self.actions.push_back(action);
    }

    /// A bad message: answered with an error; too many end the conversation.
    fn strike(&mut self, code: ErrorCode, message: String, now: Instant) {
        self.reply_error(code, message);
        let Phase::InRoom(room) = &mut self.phase else {
            return;
        };
        room.strikes += 1;
        if room.strikes >= self.config.max_strikes {
            warn!(remote = %self.remote, "disconnecting client that keeps sending bad messages");
            self.actions
                .push_back(Action::Close(close::PROTOCOL, "too many bad messages"));
            self.drop_out(now);
        }
    }

    /// A message over the connection's rate: refused with an error; a client that keeps
    /// going is disconnected.
    fn throttle(&mut self, message: &str, now: Instant) {
        self.reply_error(ErrorCode::RateLimited, message.to_owned());
        let Phase::InRoom(room) = &mut self.phase else {
            return;
        };
        room.throttled += 1;
        if room.throttled >= self.config.max_strikes {
            warn!(remote = %self.remote, "disconnecting client that keeps sending too fast");
            self.actions
                .push_back(Action::Close(close::RATE_LIMITED, "too many messages"));
            self.drop_out(now);
        }
    }

    /// The participant is in the room: tell them so.
    pub fn joined(
        &mut self,
        others: Vec<crate::protocol::ParticipantInfo>,
        ice_servers: Vec<IceServer>,
        now: Instant,
    ) {
        let Phase::Joining { claims, expires_at } =
            std::mem::replace(&mut self.phase, Phase::Ended)
        else {
            return;
        };
        self.actions.push_back(Action::Send(ServerMessage::Joined {
            room: claims.room.clone(),
            participant_id: claims.sub.clone(),
            role: claims.role,
            ice_servers,
            participants: others,
            expires_at: claims.exp,
        }));
        // Heartbeats start with a ping right away.
        self.actions.push_back(Action::Ping);
        self.phase = Phase::InRoom(InRoom {
            claims,
            expires_at,
            last_seen: now,
            next_ping: now + self.config.heartbeat_interval,
            strikes: 0,
            throttled: 0,
        });
    }

    /// The platform says the room admits nobody any more (the appointment or call is done),
    /// though the token is still valid: closed as an ended call, so the client does not retry.
    pub fn room_closed(&mut self) {
        self.reply_error(
            ErrorCode::Unauthorized,
            "the conversation is over".to_owned(),
        );
        self.actions
            .push_back(Action::Close(close::EXPIRED, "the conversation is over"));
        self.end(Exit::NotJoined);
    }

    /// The SFU would not take the participant.
    pub fn join_failed(&mut self, err: &SfuError) {
        match err {
            SfuError::RoomFull { .. } => {
                self.refuse(ErrorCode::RoomFull, close::ROOM_FULL, "room is full")
            }
            SfuError::Draining => self.refuse(
                ErrorCode::Restarting,
                close::SERVICE_RESTART,
                "server is restarting, join again",
            ),
            SfuError::NoMedia => self.refuse(
                ErrorCode::Internal,
                close::INTERNAL,
                "this server hosts no calls",
            ),
            _ => self.refuse(ErrorCode::Internal, close::INTERNAL, "media server error"),
        }
    }

    /// A [`SfuRequest`] failed: tell the client why.
    pub fn sfu_failed(&mut self, err: &SfuError) {
        let code = match err {
            SfuError::InvalidInput {
                what: "answer",
                reason,
            } if reason.contains("outstanding") => ErrorCode::Unexpected,
            SfuError::InvalidInput { .. } => ErrorCode::BadMedia,
            _ => ErrorCode::Internal,
        };
        self.reply_error(code, err.to_string());
    }

    /// The same participant connected from elsewhere (another device or tab): that socket
    /// takes over the call, this one is told why before it closes, so its page can say the
    /// call moved instead of trying to get back in.
    pub fn replaced(&mut self) {
        if matches!(self.phase, Phase::Ended) {
            return;
        }
        self.actions
            .push_back(Action::Send(ServerMessage::Replaced));
        self.actions
            .push_back(Action::Close(close::REPLACED, "connected from elsewhere"));
        self.end(Exit::Replaced);
    }

    /// The clerk took this participant out of the room: told why, then closed with 4008, so
    /// the page says so instead of trying to get back in.
    pub fn removed(&mut self) {
        if matches!(self.phase, Phase::Ended) {
            return;
        }
        self.actions.push_back(Action::Send(ServerMessage::Removed));
        self.actions
            .push_back(Action::Close(close::REMOVED, "removed by the clerk"));
        self.end(Exit::Removed);
    }

    /// The room moved to another media node: told to join again (1012), as when a server
    /// restarts; the page does so at once and lands on the new node.
    pub fn moved(&mut self) {
        if matches!(self.phase, Phase::Ended) {
            return;
        }
        self.refuse(
            ErrorCode::Restarting,
            close::SERVICE_RESTART,
            "the call moves to another media server, join again",
        );
    }

    /// The socket closed or failed.
    pub fn socket_closed(&mut self, now: Instant) {
        self.drop_out(now);
    }

    /// The client sent a frame above the transport limit, which cannot be read past.
    pub fn oversized_frame(&mut self, now: Instant) {
        warn!(remote = %self.remote, "closing: frame above the transport limit");
        self.actions
            .push_back(Action::Close(close::MESSAGE_TOO_BIG, "message too big"));
        self.drop_out(now);
    }

    /// Time passed: the join deadline, heartbeats, the token's expiry.
    pub fn timeout(&mut self, now: Instant) {
        match &mut self.phase {
            Phase::AwaitingJoin { deadline } if now >= *deadline => {
                warn!(remote = %self.remote, "refused: no join in time");
                self.refuse(
                    ErrorCode::Unauthorized,
                    close::UNAUTHORIZED,
                    "join expected",
                );
            }
            Phase::InRoom(room) if now >= room.expires_at => {
                self.refuse(ErrorCode::Unauthorized, close::EXPIRED, "appointment ended");
            }
            Phase::InRoom(room) if now >= room.next_ping => {
                if now.duration_since(room.last_seen) > self.config.heartbeat_timeout {
                    info!(remote = %self.remote, participant = %room.claims.sub, "heartbeat lost");
                    return self.drop_out(now);
                }
                room.next_ping = now + self.config.heartbeat_interval;
                self.actions.push_back(Action::Ping);
            }
            _ => {}
        }
    }

    /// The connection is lost at `now`: the participant keeps their place for the grace
    /// period, but never beyond their token's expiry.
    fn drop_out(&mut self, now: Instant) {
        let expires_at = match &self.phase {
            Phase::InRoom(room) => room.expires_at,
            Phase::Joining { expires_at, .. } => *expires_at,
            Phase::AwaitingJoin { .. } | Phase::Ended => now,
        };
        let grace = self
            .config
            .reconnect_grace
            .min(expires_at.saturating_duration_since(now));
        self.end(Exit::Dropped { grace });
    }

    /// The participant's role, once in the room.
    fn role(&self) -> Option<crate::token::Role> {
        match &self.phase {
            Phase::InRoom(room) => Some(room.claims.role),
            _ => None,
        }
    }

    fn reply_error(&mut self, code: ErrorCode, message: String) {
        self.actions
            .push_back(Action::Send(ServerMessage::Error { code, message }));
    }

    /// Error message, close frame, end.
    fn refuse(&mut self, code: ErrorCode, close_code: u16, reason: &'static str) {
        self.reply_error(code, reason.to_owned());
        self.actions.push_back(Action::Close(close_code, reason));
        let exit = if close_code == close::EXPIRED {
            Exit::Expired
        } else {
            Exit::NotJoined
        };
        self.end(exit);
    }

    fn end(&mut self, exit: Exit) {
        let exit = match (&self.phase, exit) {
            (Phase::Ended, _) => return,
            (Phase::AwaitingJoin { .. }, _) => Exit::NotJoined,
            (_, exit) => exit,
        };
        self.phase = Phase::Ended;
        self.actions.push_back(Action::End(exit));
    }

    fn unix_at(&self, now: Instant) -> i64 {
        self.origin_unix + now.saturating_duration_since(self.origin).as_secs() as i64
    }

    fn instant_of(&self, unix: i64) -> Instant {
        self.origin + Duration::from_secs(u64::try_from(unix - self.origin_unix).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ParticipantInfo;
    use crate::token::{now_unix, Role};

    const ROOM: &str = "room-1";

    fn keys() -> RoomTokenKeys {
        RoomTokenKeys::from_secret(&[3u8; 32])
    }

    /// The tests' Unix time at their `t0`: whole seconds, so token times convert exactly.
    fn unix0() -> i64 {
        thread_local!(static UNIX0: i64 = now_unix());
        UNIX0.with(|u| *u)
    }

    fn claims(room: &str, exp_in: i64) -> RoomClaims {
        let now = unix0();
        RoomClaims {
            room: room.into(),
            sub: "resident-1".into(),
            role: Role::Resident,
            name: "Jan".into(),
            tenant: "utrecht".into(),
            nbf: now - 60,
            exp: now + exp_in,
        }
    }

    fn join_text(room: &str, token: &str) -> Frame {
        Frame::Text(
            serde_json::to_string(&ClientMessage::Join {
                room: room.into(),
                token: token.into(),
            })
            .unwrap(),
        )
    }

    fn fresh(t0: Instant) -> Conversation {
        Conversation::new(
            Arc::new(SignalingConfig::default()),
            keys(),
            "test".into(),
            t0,
            unix0(),
        )
    }

    fn drain(c: &mut Conversation) -> Vec<Action> {
        std::iter::from_fn(|| c.poll_action()).collect()
    }

    /// A conversation whose participant (token valid for `exp_in` seconds) is in the room
    /// since `t0`.
    fn in_room(t0: Instant, exp_in: i64) -> Conversation {
        let mut c = fresh(t0);
        c.frame(join_text(ROOM, &keys().issue(&claims(ROOM, exp_in))), t0);
        assert!(matches!(drain(&mut c)[..], [Action::Join(_)]));
        c.joined(Vec::new(), Vec::new(), t0);
        drain(&mut c);
        c
    }

    fn refusal(code: ErrorCode, close_code: u16, reason: &'static str, exit: Exit) -> Vec<Action> {
        vec![
            Action::Send(ServerMessage::Error {
                code,
                message: reason.into(),
            }),
            Action::Close(close_code, reason),
            Action::End(exit),
        ]
    }

    fn text(value: &str) -> Frame {
        Frame::Text(value.into())
    }

    #[test]
    fn no_join_before_the_deadline_is_refused() {
        let t0 = Instant::now();
        let mut c = fresh(t0);
        assert_eq!(c.poll_timeout(), Some(t0 + Duration::from_secs(10)));
        c.timeout(t0 + Duration::from_secs(9));
        assert_eq!(drain(&mut c), []);
        c.timeout(t0 + Duration::from_secs(10));
        assert_eq!(
            drain(&mut c),
            refusal(
                ErrorCode::Unauthorized,
                close::UNAUTHORIZED,
                "join expected",
                Exit::NotJoined
            )
        );
        assert_eq!(c.poll_timeout(), None);
    }

    #[test]
    fn first_message_must_be_a_join_with_a_good_token() {
        let t0 = Instant::now();
        for first in [
            text("hello"),
            text(r#"{"type":"ping"}"#),
            Frame::Binary,
            Frame::Control,
        ] {
            let mut c = fresh(t0);
            c.frame(first, t0);
            assert_eq!(
                drain(&mut c),
                refusal(
                    ErrorCode::Unauthorized,
                    close::UNAUTHORIZED,
                    "join expected",
                    Exit::NotJoined
                )
            );
        }
        let expired = keys().issue(&claims(ROOM, -3600));
        let foreign = RoomTokenKeys::from_secret(&[4u8; 32]).issue(&claims(ROOM, 600));
        let other_room = keys().issue(&claims("room-2", 600));
        for (token, close_code, reason) in [
            ("", close::UNAUTHORIZED, "room token missing"),
            (expired.as_str(), close::TOKEN_REFUSED, "room token expired"),
            (foreign.as_str(), close::TOKEN_REFUSED, "room token invalid"),
            (
                other_room.as_str(),
                close::WRONG_ROOM,
                "room token is for another room",
            ),
        ] {
            let mut c = fresh(t0);
            c.frame(join_text(ROOM, token), t0);
            assert_eq!(
                drain(&mut c),
                refusal(ErrorCode::Unauthorized, close_code, reason, Exit::NotJoined)
            );
        }
    }

    #[test]
    fn a_good_join_enters_the_room_and_heartbeats_start() {
        let t0 = Instant::now();
        let mut c = fresh(t0);
        let claims = claims(ROOM, 600);
        c.frame(join_text(ROOM, &keys().issue(&claims)), t0);
        assert_eq!(drain(&mut c), [Action::Join(claims.clone())]);
        assert_eq!(c.poll_timeout(), None, "no timers while joining");
        let other = ParticipantInfo {
            id: "clerk-1".into(),
            name: "Clerk".into(),
            role: Role::Clerk,
            state: crate::protocol::Presence::Connected,
            audio: true,
            video: false,
        };
        c.joined(vec![other.clone()], Vec::new(), t0);
        assert_eq!(
            drain(&mut c),
            [
                Action::Send(ServerMessage::Joined {
                    room: ROOM.into(),
                    participant_id: "resident-1".into(),
                    role: Role::Resident,
                    ice_servers: Vec::new(),
                    participants: vec![other],
                    expires_at: claims.exp,
                }),
                Action::Ping,
            ]
        );
        assert_eq!(c.poll_timeout(), Some(t0 + Duration::from_secs(10)));
    }

    #[test]
    fn a_full_room_refuses_the_join() {
        let t0 = Instant::now();
        let mut c = fresh(t0);
        c.frame(join_text(ROOM, &keys().issue(&claims(ROOM, 600))), t0);
        drain(&mut c);
        c.join_failed(&SfuError::RoomFull { max: 3 });
        assert_eq!(
            drain(&mut c),
            refusal(
                ErrorCode::RoomFull,
                close::ROOM_FULL,
                "room is full",
                Exit::NotJoined
            )
        );
    }

    #[test]
    fn a_draining_server_sends_the_new_call_elsewhere() {
        let t0 = Instant::now();
        let mut c = fresh(t0);
        c.frame(join_text(ROOM, &keys().issue(&claims(ROOM, 600))), t0);
        drain(&mut c);
        c.join_failed(&SfuError::Draining);
        assert_eq!(
            drain(&mut c),
            refusal(
                ErrorCode::Restarting,
                close::SERVICE_RESTART,
                "server is restarting, join again",
                Exit::NotJoined
            )
        );
    }

    #[test]
    fn an_instance_without_media_says_it_hosts_no_calls() {
        let t0 = Instant::now();
        let mut c = fresh(t0);
        c.frame(join_text(ROOM, &keys().issue(&claims(ROOM, 600))), t0);
        drain(&mut c);
        c.join_failed(&SfuError::NoMedia);
        assert_eq!(
            drain(&mut c),
            refusal(
                ErrorCode::Internal,
                close::INTERNAL,
                "this server hosts no calls",
                Exit::NotJoined
            )
        );
    }

    #[test]
    fn photo_steps_by_role() {
        let t0 = Instant::now();
        // The resident (as `in_room` joins) answers; asking, announcing a still or showing a
        // screen is the clerk's.
        let mut c = in_room(t0, 600);
        c.frame(text(r#"{"type":"photo_answer","accepted":true}"#), t0);
        c.frame(text(r#"{"type":"photo_request"}"#), t0);
        c.frame(text(r#"{"type":"photo_taken"}"#), t0);
        c.frame(
            text(r#"{"type":"media_state","audio":true,"video":true,"screen":true}"#),
            t0,
        );
        let refused = |m: &str| {
            Action::Send(ServerMessage::Error {
                code: ErrorCode::Unexpected,
                message: m.into(),
            })
        };
        assert_eq!(
            drain(&mut c),
            [
                Action::Photo(PhotoStep::Answer { accepted: true }),
                refused("only the clerk takes a photo"),
                refused("only the clerk takes a photo"),
                Action::SetMedia {
                    audio: true,
                    video: true,
                    weak_network: false,
                    screen: false
                },
            ]
        );

        let mut clerk = fresh(t0);
        let claims = RoomClaims {
            sub: "clerk-1".into(),
            role: Role::Clerk,
            ..claims(ROOM, 600)
        };
        clerk.frame(join_text(ROOM, &keys().issue(&claims)), t0);
        drain(&mut clerk);
        clerk.joined(Vec::new(), Vec::new(), t0);
        drain(&mut clerk);
        clerk.frame(text(r#"{"type":"photo_request"}"#), t0);
        clerk.frame(text(r#"{"type":"photo_taken"}"#), t0);
        clerk.frame(text(r#"{"type":"photo_answer","accepted":true}"#), t0);
        clerk.frame(
            text(r#"{"type":"media_state","audio":true,"video":true,"screen":true}"#),
            t0,
        );
        assert_eq!(
            drain(&mut clerk),
            [
                Action::Photo(PhotoStep::Request),
                Action::Photo(PhotoStep::Taken),
                refused("only the resident allows a photo"),
                Action::SetMedia {
                    audio: true,
                    video: true,
                    weak_network: false,
                    screen: true
                },
            ]
        );
    }

    #[test]
    fn messages_in_the_room_become_actions() {
        let t0 = Instant::now();
        let mut c = in_room(t0, 600);
        c.frame(text(r#"{"type":"answer","sdp":"v=0"}"#), t0);
        c.frame(text(r#"{"type":"renegotiate"}"#), t0);
        c.frame(text(r#"{"type":"restart_ice"}"#), t0);
        c.frame(
            text(r#"{"type":"media_state","audio":false,"video":true}"#),
            t0,
        );
        c.frame(text(r#"{"type":"ping"}"#), t0);
        c.frame(text(r#"{"type":"join","room":"r","token":"t"}"#), t0);
        assert_eq!(
            drain(&mut c),
            [
                Action::Sfu(SfuRequest::Answer("v=0".into())),
                Action::Sfu(SfuRequest::Renegotiate),
                Action::Sfu(SfuRequest::RestartIce),
                Action::SetMedia {
                    audio: false,
                    video: true,
                    weak_network: false,
                    screen: false
                },
                Action::Send(ServerMessage::Pong),
                Action::Send(ServerMessage::Error {
                    code: ErrorCode::Unexpected,
                    message: "already joined".into()
                }),
            ]
        );
        c.sfu_failed(&SfuError::InvalidInput {
            what: "candidate",
            reason: "nonsense".into(),
        });
        assert!(matches!(
            drain(&mut c)[..],
            [Action::Send(ServerMessage::Error {
                code: ErrorCode::BadMedia,
                ..
            })]
        ));
        c.frame(text(r#"{"type":"leave"}"#), t0);
        assert_eq!(
            drain(&mut c),
            [Action::Close(1000, "bye"), Action::End(Exit::Leave)]
        );
    }

    #[test]
    fn bad_messages_earn_strikes_until_the_socket_is_closed() {
        let t0 = Instant::now();
        let mut c = in_room(t0, 3600);
        let huge = format!(r#"{{"type":"answer","sdp":"{}"}}"#, "x".repeat(70 * 1024));
        let bad = [text("{not json"), Frame::Binary, text(&huge), text("[]")];
        for frame in bad {
            c.frame(frame, t0);
        }
        let codes: Vec<ErrorCode> = drain(&mut c)
            .into_iter()
            .map(|a| match a {
                Action::Send(ServerMessage::Error { code, .. }) => code,
                other => panic!("expected an error message, got {other:?}"),
            })
            .collect();
        assert_eq!(
            codes,
            [
                ErrorCode::BadMessage,
                ErrorCode::TooLarge,
                ErrorCode::TooLarge,
                ErrorCode::BadMessage
            ]
        );
        // Good messages do not wipe the slate.
        c.frame(text(r#"{"type":"ping"}"#), t0);
        drain(&mut c);
        c.frame(text("null"), t0);
        let actions = drain(&mut c);
        assert_eq!(
            actions[1..],
            [
                Action::Close(close::PROTOCOL, "too many bad messages"),
                Action::End(Exit::Dropped {
                    grace: Duration::from_secs(30)
                }),
            ]
        );
    }

    #[test]
    fn heartbeats_ping_and_a_silent_socket_counts_as_dropped() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut c = in_room(t0, 3600);
        c.timeout(t0 + s(5));
        assert_eq!(drain(&mut c), [], "nothing due yet");
        c.timeout(t0 + s(10));
        assert_eq!(drain(&mut c), [Action::Ping]);
        c.frame(Frame::Control, t0 + s(15)); // the pong
        for at in [20, 30, 40] {
            assert_eq!(c.poll_timeout(), Some(t0 + s(at)));
            c.timeout(t0 + s(at));
            assert_eq!(drain(&mut c), [Action::Ping], "at {at} s");
        }
        // Silent since 15 s: more than 30 s at 50 s.
        c.timeout(t0 + s(50));
        assert_eq!(drain(&mut c), [Action::End(Exit::Dropped { grace: s(30) })]);
    }

    #[test]
    fn a_dropped_socket_keeps_the_place_for_the_grace_period_within_the_token() {
        let t0 = Instant::now();
        let mut c = in_room(t0, 3600);
        c.socket_closed(t0 + Duration::from_secs(1));
        assert_eq!(
            drain(&mut c),
            [Action::End(Exit::Dropped {
                grace: Duration::from_secs(30)
            })]
        );

        let mut c = in_room(t0, 20);
        c.socket_closed(t0 + Duration::from_secs(5));
        assert_eq!(
            drain(&mut c),
            [Action::End(Exit::Dropped {
                grace: Duration::from_secs(15)
            })]
        );
    }

    #[test]
    fn a_frame_over_the_transport_limit_closes_with_message_too_big() {
        let t0 = Instant::now();
        let mut c = in_room(t0, 3600);
        c.oversized_frame(t0);
        assert_eq!(
            drain(&mut c),
            [
                Action::Close(close::MESSAGE_TOO_BIG, "message too big"),
                Action::End(Exit::Dropped {
                    grace: Duration::from_secs(30)
                })
            ]
        );
    }

    #[test]
    fn only_the_clerk_removes_someone_and_the_removed_one_is_told_and_closed() {
        let t0 = Instant::now();
        let remove = |who: &str| text(&format!(r#"{{"type":"remove","participant_id":"{who}"}}"#));
        // The resident (the helper's participant) may not.
        let mut resident = in_room(t0, 3600);
        resident.frame(remove("companion-a"), t0);
        assert!(matches!(
            drain(&mut resident)[..],
            [Action::Send(ServerMessage::Error {
                code: ErrorCode::Unexpected,
                ..
            })]
        ));
        // The clerk may, but not themselves.
        let mut clerk = fresh(t0);
        let clerk_claims = RoomClaims {
            sub: "clerk-1".into(),
            role: Role::Clerk,
            ..claims(ROOM, 3600)
        };
        clerk.frame(join_text(ROOM, &keys().issue(&clerk_claims)), t0);
        drain(&mut clerk);
        clerk.joined(Vec::new(), Vec::new(), t0);
        drain(&mut clerk);
        clerk.frame(remove("companion-a"), t0);
        assert_eq!(drain(&mut clerk), [Action::Remove("companion-a".into())]);
        clerk.frame(remove("clerk-1"), t0);
        assert!(matches!(
            drain(&mut clerk)[..],
            [Action::Send(ServerMessage::Error { .. })]
        ));
        // The one taken out: `removed`, close 4008, and nothing to undo in the room.
        resident.removed();
        assert_eq!(
            drain(&mut resident),
            [
                Action::Send(ServerMessage::Removed),
                Action::Close(close::REMOVED, "removed by the clerk"),
                Action::End(Exit::Removed)
            ]
        );
        resident.removed();
        assert!(drain(&mut resident).is_empty());
    }

    #[test]
    fn a_room_moved_to_another_node_asks_to_join_again() {
        let t0 = Instant::now();
        let mut c = in_room(t0, 3600);
        c.moved();
        // 1012 is not final for the page: it joins again and reaches the room's new node. The
        // room was emptied on this node already, so there is nothing to undo (not `Dropped`).
        assert_eq!(
            drain(&mut c),
            refusal(
                ErrorCode::Restarting,
                close::SERVICE_RESTART,
                "the call moves to another media server, join again",
                Exit::NotJoined
            )
        );
        c.moved();
        assert!(drain(&mut c).is_empty());
    }

    #[test]
    fn another_socket_of_the_participant_replaces_this_one() {
        let t0 = Instant::now();
        let mut c = in_room(t0, 3600);
        c.replaced();
        assert_eq!(
            drain(&mut c),
            [
                Action::Send(ServerMessage::Replaced),
                Action::Close(close::REPLACED, "connected from elsewhere"),
                Action::End(Exit::Replaced)
            ]
        );
        c.socket_closed(t0);
        assert_eq!(drain(&mut c), [], "the end is final");
        c.replaced();
        assert_eq!(drain(&mut c), [], "told once");
    }

    #[test]
    fn a_second_device_with_the_same_token_is_admitted_while_the_first_is_in_the_room() {
        // The takeover itself is presence's (the older socket gets `replaced`); the rule here
        // is that the newcomer is not refused for being the same participant.
        let t0 = Instant::now();
        let token = keys().issue(&claims(ROOM, 3600));
        let mut first = fresh(t0);
        first.frame(join_text(ROOM, &token), t0);
        assert!(matches!(drain(&mut first)[..], [Action::Join(_)]));
        first.joined(Vec::new(), Vec::new(), t0);
        drain(&mut first);
        let later = t0 + Duration::from_secs(5);
        let mut second = fresh(t0);
        second.frame(join_text(ROOM, &token), later);
        assert_eq!(drain(&mut second), [Action::Join(claims(ROOM, 3600))]);
        first.replaced();
        assert!(matches!(
            drain(&mut first)[..],
            [
                Action::Send(ServerMessage::Replaced),
                Action::Close(close::REPLACED, _),
                Action::End(Exit::Replaced)
            ]
        ));
    }

    #[test]
    fn leaving_is_not_final_for_the_token_which_admits_a_rejoin() {
        // A resident who hung up may go back in while the appointment lasts: `leave` ends
        // this socket's conversation only, the same token joins again on a new one.
        let t0 = Instant::now();
        let token = keys().issue(&claims(ROOM, 3600));
        let mut c = fresh(t0);
        c.frame(join_text(ROOM, &token), t0);
        drain(&mut c);
        c.joined(Vec::new(), Vec::new(), t0);
        drain(&mut c);
        c.frame(text(r#"{"type":"leave"}"#), t0);
        assert_eq!(
            drain(&mut c),
            [Action::Close(1000, "bye"), Action::End(Exit::Leave)]
        );
        let mut again = fresh(t0);
        again.frame(join_text(ROOM, &token), t0 + Duration::from_secs(60));
        assert!(matches!(drain(&mut again)[..], [Action::Join(_)]));
    }

    #[test]
    fn restart_ice_asks_the_peer_connection_for_an_ice_restart_offer() {
        let t0 = Instant::now();
        let mut c = in_room(t0, 3600);
        c.frame(text(r#"{"type":"restart_ice"}"#), t0);
        assert_eq!(drain(&mut c), [Action::Sfu(SfuRequest::RestartIce)]);
        // The client asks again on every network change; each ask is passed on (the peer
        // connection merges asks while an offer waits for its answer).
        c.frame(text(r#"{"type":"restart_ice"}"#), t0);
        c.frame(text(r#"{"type":"restart_ice"}"#), t0);
        assert_eq!(
            drain(&mut c),
            [
                Action::Sfu(SfuRequest::RestartIce),
                Action::Sfu(SfuRequest::RestartIce)
            ]
        );
    }

    #[test]
    fn a_token_stops_admitting_at_its_exp_despite_the_leeway() {
        let t0 = Instant::now();
        // Expired 5 s ago: inside the verifier's 30 s leeway.
        let mut c = fresh(t0);
        c.frame(join_text(ROOM, &keys().issue(&claims(ROOM, -5))), t0);
        assert_eq!(
            drain(&mut c),
            refusal(
                ErrorCode::Unauthorized,
                close::TOKEN_REFUSED,
                "room token expired",
                Exit::NotJoined
            )
        );
        // The same token that admitted a participant a minute earlier (their rejoin).
        let token = keys().issue(&claims(ROOM, 20));
        let mut c = fresh(t0);
        c.frame(join_text(ROOM, &token), t0);
        assert!(matches!(drain(&mut c)[..], [Action::Join(_)]));
        let later = t0 + Duration::from_secs(60);
        let mut rejoin = fresh(t0);
        rejoin.frame(join_text(ROOM, &token), later);
        assert_eq!(
            drain(&mut rejoin),
            refusal(
                ErrorCode::Unauthorized,
                close::TOKEN_REFUSED,
                "room token expired",
                Exit::NotJoined
            )
        );
    }

    #[test]
    fn messages_over_the_rate_are_refused_then_the_socket_is_closed() {
        let t0 = Instant::now();
        let mut c = in_room(t0, 3600);
        let burst = SignalingConfig::default().messages_per_second * BURST_SECONDS;
        for _ in 0..burst {
            c.frame(text(r#"{"type":"ping"}"#), t0);
        }
        assert!(drain(&mut c)
            .iter()
            .all(|a| *a == Action::Send(ServerMessage::Pong)));
        c.frame(text(r#"{"type":"ping"}"#), t0);
        assert_eq!(
            drain(&mut c),
            [Action::Send(ServerMessage::Error {
                code: ErrorCode::RateLimited,
                message: "too many messages".into()
            })]
        );
        // A second later there is room again.
        c.frame(text(r#"{"type":"ping"}"#), t0 + Duration::from_secs(1));
        assert_eq!(drain(&mut c), [Action::Send(ServerMessage::Pong)]);
        // Keeping on ends it.
        let later = t0 + Duration::from_secs(1);
        for _ in 0..burst {
            c.frame(text(r#"{"type":"ping"}"#), later);
        }
        let actions = drain(&mut c);
        assert_eq!(
            actions[actions.len() - 2..],
            [
                Action::Close(close::RATE_LIMITED, "too many messages"),
                Action::End(Exit::Dropped {
                    grace: Duration::from_secs(30)
                }),
            ]
        );
    }

    #[test]
    fn candidates_have_their_own_lower_rate() {
        let t0 = Instant::now();
        let mut c = in_room(t0, 3600);
        let candidate = text(
            r#"{"type":"candidate","candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0"}"#,
        );
        let burst = SignalingConfig::default().candidates_per_second * BURST_SECONDS;
        for _ in 0..burst {
            c.frame(candidate.clone(), t0);
        }
        assert!(drain(&mut c)
            .iter()
            .all(|a| matches!(a, Action::Sfu(SfuRequest::Candidate(_)))));
        c.frame(candidate, t0);
        assert_eq!(
            drain(&mut c),
            [Action::Send(ServerMessage::Error {
                code: ErrorCode::RateLimited,
                message: "too many candidates".into()
            })]
        );
        // Other messages still pass.
        c.frame(text(r#"{"type":"ping"}"#), t0);
        assert_eq!(drain(&mut c), [Action::Send(ServerMessage::Pong)]);
    }

    #[test]
    fn the_session_ends_when_the_token_expires() {
        let t0 = Instant::now();
        let mut c = in_room(t0, 5);
        let expiry = c.poll_timeout().expect("a timer");
        assert_eq!(
            expiry,
            t0 + Duration::from_secs(5),
            "expiry before the first ping"
        );
        c.timeout(expiry);
        assert_eq!(
            drain(&mut c),
            refusal(
                ErrorCode::Unauthorized,
                close::EXPIRED,
                "appointment ended",
                Exit::Expired
            )
        );
    }
}
