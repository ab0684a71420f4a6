//! The JSON messages on the room WebSocket. Every message is an object with a `type`
//! field; see `docs/signaling.md` for the conversation.

use serde::{Deserialize, Serialize};
use sfu::{IceCandidate, IceServer, PeerState};

use crate::token::Role;

/// Largest text message accepted from a client, in bytes. SDP answers are a few KiB.
pub const MAX_CLIENT_MESSAGE_BYTES: usize = 64 * 1024;

/// Messages a client sends.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// First message on every connection.
    Join {
        /// The room the client wants; must match the token's room.
        room: String,
        /// The room token.
        token: String,
    },
    /// Answer to the server's last `offer`.
    Answer {
        /// SDP.
        sdp: String,
    },
    /// A trickled local ICE candidate.
    Candidate(IceCandidate),
    /// The client's microphone/camera state, relayed to the others.
    MediaState {
        /// Microphone on.
        audio: bool,
        /// Camera on.
        video: bool,
        /// The camera is off because the page judged the network too weak for video
        /// (`web/static/call-quality.js`), so the others can say why.
        #[serde(default)]
        weak_network: bool,
        /// The clerk shows their screen instead of the camera (issue 22 item 3): the video
        /// track carries the screen with the clerk's face small in a corner.
        #[serde(default)]
        screen: bool,
    },
    /// Clerks only: ask the resident to allow one photo of a document (issue 22 item 2; the
    /// others get `photo_requested`). Asking again voids an earlier yes.
    PhotoRequest,
    /// Residents only: the answer to the last `photo_requested` (the others get
    /// `photo_answered`); an answer without a request is refused.
    PhotoAnswer {
        /// Whether the resident allows one photo.
        accepted: bool,
    },
    /// Clerks only: the allowed photo was taken (the others get `photo_taken`); refused
    /// without the resident's yes. The next photo needs a new request and a new yes.
    PhotoTaken,
    /// Ask the server for a fresh offer (e.g. a camera was attached late).
    Renegotiate,
    /// Ask for an offer with ICE restart (the client's network changed).
    RestartIce,
    /// Application-level heartbeat; answered with `pong`.
    Ping,
    /// Leaving for good; the others see `participant_left`.
    Leave,
    /// Clerks only: takes another participant (a companion or interpreter) out of the room.
    /// They get `removed` and close 4008; the others see `participant_left` with `removed`.
    Remove {
        /// Whom.
        participant_id: String,
    },
}

/// Whether a participant is there or expected back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    /// Connected.
    Connected,
    /// Socket dropped; may come back within the grace period.
    Reconnecting,
}

/// A participant as the others see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantInfo {
    /// Participant id; also the `msid` stream id of their tracks.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Presence.
    pub state: Presence,
    /// Microphone on.
    pub audio: bool,
    /// Camera on.
    pub video: bool,
}

/// Why a participant left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveReason {
    /// They left.
    Left,
    /// They did not come back within the grace period.
    Timeout,
    /// Their token ran out (the appointment ended).
    Expired,
    /// The clerk took them out of the room.
    Removed,
}

/// Error codes in `error` messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not JSON, unknown type, missing fields.
    BadMessage,
    /// Message larger than [`MAX_CLIENT_MESSAGE_BYTES`], or binary.
    TooLarge,
    /// The message is valid but not now (e.g. `answer` with no offer outstanding).
    Unexpected,
    /// The SDP or candidate could not be applied.
    BadMedia,
    /// The token was refused; the socket closes next.
    Unauthorized,
    /// The room is full; the socket closes next.
    RoomFull,
    /// Over the connection's message or candidate rate; the message was dropped.
    RateLimited,
    /// This server is shutting down and starts no new call; join again (the socket closes
    /// next with 1012).
    Restarting,
    /// Server-side failure.
    Internal,
}

/// Messages the server sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// Reply to `join`.
    Joined {
        /// The room.
        room: String,
        /// Your participant id.
        participant_id: String,
        /// Your role.
        role: Role,
        /// STUN/TURN servers for your `RTCPeerConnection`.
        ice_servers: Vec<IceServer>,
        /// Everybody else in the room.
        participants: Vec<ParticipantInfo>,
        /// When your token (and so this session) ends, Unix seconds.
        expires_at: i64,
    },
    /// Fresh STUN/TURN servers, sent just before the offer that restarts ICE (after
    /// `restart_ice`), so the restart does not use a TURN credential that is about to expire.
    /// Apply with `RTCPeerConnection.setConfiguration` before answering.
    IceServers {
        /// As in `joined`.
        ice_servers: Vec<IceServer>,
    },
    /// An SDP offer; reply with `answer`.
    Offer {
        /// SDP with the server's candidates.
        sdp: String,
    },
    /// State of your own peer connection with the server.
    ConnectionState {
        /// State.
        state: PeerState,
    },
    /// Someone joined.
    ParticipantJoined {
        /// Who.
        participant: ParticipantInfo,
    },
    /// Someone's presence changed (`reconnecting` after a dropped socket, `connected` when
    /// they are back).
    ParticipantState {
        /// Who.
        participant_id: String,
        /// New presence.
        state: Presence,
    },
    /// Someone left for good.
    ParticipantLeft {
        /// Who.
        participant_id: String,
        /// Why.
        reason: LeaveReason,
    },
    /// Someone's microphone/camera changed.
    MediaState {
        /// Who.
        participant_id: String,
        /// Microphone on.
        audio: bool,
        /// Camera on.
        video: bool,
        /// The camera is off because of a weak network (sent only when true).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        weak_network: bool,
        /// The clerk shows their screen (sent only when true).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        screen: bool,
    },
    /// The clerk asks to take a photo of a document the resident holds to the camera.
    PhotoRequested {
        /// The clerk.
        participant_id: String,
    },
    /// The resident's answer to `photo_request`.
    PhotoAnswered {
        /// The resident.
        participant_id: String,
        /// Whether one photo is allowed.
        accepted: bool,
    },
    /// The clerk took the allowed photo.
    PhotoTaken {
        /// The clerk.
        participant_id: String,
    },
    /// Reply to `ping`.
    Pong,
    /// The same participant joined from another socket (another device or tab), which took
    /// over the call; this socket closes next with 4005 and should not join again by itself.
    Replaced,
    /// The clerk took you out of the room; the socket closes next with 4008. Joining again
    /// is refused once the platform revoked your link.
    Removed,
    /// Something was wrong with the last message (or the connection is about to close).
    Error {
        /// Machine-readable code.
        code: ErrorCode,
        /// Human-readable detail.
        message: String,
    },
}

/// WebSocket close codes the server uses (4000-4999 is the application range).
pub mod close {
    /// A frame above the transport limit (1 MiB); the standard "message too big".
    pub const MESSAGE_TOO_BIG: u16 = 1009;
    /// Too many bad messages.
    pub const PROTOCOL: u16 = 4000;
    /// No `join` (with a token) as the first message in time.
    pub const UNAUTHORIZED: u16 = 4001;
    /// Token invalid, tampered or expired.
    pub const TOKEN_REFUSED: u16 = 4002;
    /// Token for another room.
    pub const WRONG_ROOM: u16 = 4003;
    /// Room full.
    pub const ROOM_FULL: u16 = 4004;
    /// The same participant connected again from elsewhere.
    pub const REPLACED: u16 = 4005;
    /// The token ran out: the appointment is over.
    pub const EXPIRED: u16 = 4006;
    /// Kept sending faster than the rate limits.
    pub const RATE_LIMITED: u16 = 4007;
    /// The clerk took this participant out of the room.
    pub const REMOVED: u16 = 4008;
    /// The server is shutting down and takes no new call: join again in a moment (the
    /// standard "service restart", which a load balancer sends to another instance).
    pub const SERVICE_RESTART: u16 = 1012;
    /// Server-side failure.
    pub const INTERNAL: u16 = 4500;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_format() {
        let join: ClientMessage =
            serde_json::from_str(r#"{"type":"join","room":"r","token":"t"}"#).unwrap();
        assert_eq!(
            join,
            ClientMessage::Join {
                room: "r".into(),
                token: "t".into()
            }
        );
        let cand: ClientMessage = serde_json::from_str(
            r#"{"type":"candidate","candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0}"#,
        )
        .unwrap();
        assert!(
            matches!(cand, ClientMessage::Candidate(c) if c.sdp_mid.as_deref() == Some("0") && c.sdp_mline_index == Some(0))
        );
        assert_eq!(
            serde_json::from_str::<ClientMessage>(r#"{"type":"restart_ice"}"#).unwrap(),
            ClientMessage::RestartIce
        );
        for bad in [
            r#"{"type":"nope"}"#,
            r#"{"room":"r"}"#,
            "[]",
            r#"{"type":"answer"}"#,
        ] {
            assert!(serde_json::from_str::<ClientMessage>(bad).is_err(), "{bad}");
        }
        let left = serde_json::to_string(&ServerMessage::ParticipantLeft {
            participant_id: "p".into(),
            reason: LeaveReason::Timeout,
        })
        .unwrap();
        assert_eq!(
            left,
            r#"{"type":"participant_left","participant_id":"p","reason":"timeout"}"#
        );
        assert_eq!(
            serde_json::to_string(&ServerMessage::Replaced).unwrap(),
            r#"{"type":"replaced"}"#
        );
        assert_eq!(
            serde_json::to_string(&ServerMessage::Removed).unwrap(),
            r#"{"type":"removed"}"#
        );
        assert_eq!(
            serde_json::from_str::<ClientMessage>(r#"{"type":"photo_answer","accepted":true}"#)
                .unwrap(),
            ClientMessage::PhotoAnswer { accepted: true }
        );
        assert_eq!(
            serde_json::to_string(&ServerMessage::PhotoRequested {
                participant_id: "clerk-1".into()
            })
            .unwrap(),
            r#"{"type":"photo_requested","participant_id":"clerk-1"}"#
        );
        // Older pages send no `screen`: not sharing.
        assert!(matches!(
            serde_json::from_str::<ClientMessage>(
                r#"{"type":"media_state","audio":true,"video":true}"#
            )
            .unwrap(),
            ClientMessage::MediaState { screen: false, .. }
        ));
        assert_eq!(
            serde_json::from_str::<ClientMessage>(
                r#"{"type":"remove","participant_id":"companion-1"}"#
            )
            .unwrap(),
            ClientMessage::Remove {
                participant_id: "companion-1".into()
            }
        );
    }
}
