//! Property-based fuzzing (issue 13) of what a client can send: arbitrary bytes and arbitrary
//! JSON-ish structures into the message parser, and arbitrary sequences of frames into the
//! conversation's state machine. Nothing panics, every refusal is a typed error code, and a
//! conversation ends at most once and says nothing after it ended.
//!
//! Bounded for CI by proptest's default of 256 cases per property; run longer with
//! `PROPTEST_CASES=100000 cargo test -p signaling --release fuzz` (see docs/security.md).

use crate::conversation::{Action, Conversation, Frame};
use crate::protocol::{ClientMessage, ErrorCode, ServerMessage, MAX_CLIENT_MESSAGE_BYTES};
use crate::token::{now_unix, Role, RoomClaims, RoomTokenKeys};
use crate::SignalingConfig;
use proptest::prelude::*;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ROOM: &str = "room-1";

fn keys() -> RoomTokenKeys {
    RoomTokenKeys::from_secret(&[7u8; 32])
}

fn token() -> String {
    let now = now_unix();
    keys().issue(&RoomClaims {
        room: ROOM.into(),
        sub: "resident-1".into(),
        role: Role::Resident,
        name: "Jan".into(),
        tenant: "voorbeeld".into(),
        nbf: now - 60,
        exp: now + 3600,
    })
}

/// JSON values shaped like the protocol's: objects with the real keys and `type`s among
/// random ones, nested a few levels.
fn json_ish() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        3 => prop::sample::select(vec![
            "type", "room", "token", "sdp", "candidate", "sdpMid", "sdpMLineIndex",
            "usernameFragment", "audio", "video",
        ])
        .prop_map(str::to_string),
        1 => "[a-zA-Z_]{0,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(vec![
            "join",
            "answer",
            "candidate",
            "media_state",
            "renegotiate",
            "restart_ice",
            "ping",
            "leave",
            "offer",
            "pong",
            "",
            ROOM,
        ])
        .prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A frame as a client might send it: valid messages, JSON-ish values, raw text, binary and
/// control frames, now and then one over the size limit.
fn frame() -> impl Strategy<Value = Frame> {
    let valid = prop::sample::select(vec![
        r#"{"type":"ping"}"#,
        r#"{"type":"renegotiate"}"#,
        r#"{"type":"restart_ice"}"#,
        r#"{"type":"media_state","audio":true,"video":false}"#,
        r#"{"type":"answer","sdp":"v=0"}"#,
        r#"{"type":"candidate","candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host"}"#,
        r#"{"type":"join","room":"room-1","token":"x"}"#,
        r#"{"type":"leave"}"#,
    ]);
    prop_oneof![
        4 => valid.prop_map(|t| Frame::Text(t.to_string())),
        4 => json_ish().prop_map(|v| Frame::Text(v.to_string())),
        2 => ".{0,80}".prop_map(Frame::Text),
        1 => Just(Frame::Binary),
        1 => Just(Frame::Control),
        1 => Just(Frame::Text("x".repeat(MAX_CLIENT_MESSAGE_BYTES + 1))),
    ]
}

fn drain(c: &mut Conversation) -> Vec<Action> {
    std::iter::from_fn(|| c.poll_action()).collect()
}

/// The error codes a client's own messages can earn once in the room.
fn refusal_is_typed(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::BadMessage
            | ErrorCode::TooLarge
            | ErrorCode::Unexpected
            | ErrorCode::RateLimited
    )
}

proptest! {
    #[test]
    fn the_parser_takes_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        // Never panics; a refusal is serde's typed error.
        if let Ok(message) = serde_json::from_slice::<ClientMessage>(&bytes) {
            let again = serde_json::to_string(&message).unwrap();
            prop_assert_eq!(serde_json::from_str::<ClientMessage>(&again).ok(), Some(message));
        }
    }

    #[test]
    fn the_parser_takes_any_json(value in json_ish()) {
        let text = value.to_string();
        if let Ok(message) = serde_json::from_str::<ClientMessage>(&text) {
            let again = serde_json::to_string(&message).unwrap();
            prop_assert_eq!(serde_json::from_str::<ClientMessage>(&again).ok(), Some(message));
        }
    }

    #[test]
    fn a_first_frame_that_is_no_good_join_is_refused_and_ends(first in frame()) {
        let t0 = Instant::now();
        let mut c = Conversation::new(Arc::new(SignalingConfig::default()), keys(), "fuzz".into(), t0, now_unix());
        c.frame(first, t0);
        let actions = drain(&mut c);
        // A good join needs a valid token, which no generated frame carries.
        prop_assert!(matches!(
            actions.first(),
            Some(Action::Send(ServerMessage::Error { code: ErrorCode::Unauthorized, .. }))
        ), "{:?}", actions);
        prop_assert!(matches!(actions.last(), Some(Action::End(_))), "{:?}", actions);
        prop_assert_eq!(actions.iter().filter(|a| matches!(a, Action::End(_))).count(), 1);
    }

    #[test]
    fn any_frames_in_the_room_get_typed_answers_and_end_at_most_once(
        frames in prop::collection::vec((frame(), 0u64..400), 1..80),
    ) {
        let t0 = Instant::now();
        let mut c = Conversation::new(Arc::new(SignalingConfig::default()), keys(), "fuzz".into(), t0, now_unix());
        c.frame(Frame::Text(serde_json::to_string(&ClientMessage::Join { room: ROOM.into(), token: token() }).unwrap()), t0);
        prop_assert!(matches!(drain(&mut c)[..], [Action::Join(_)]));
        c.joined(Vec::new(), Vec::new(), t0);
        drain(&mut c);

        let mut now = t0;
        let mut ended = false;
        for (frame, gap_ms) in frames {
            now += Duration::from_millis(gap_ms);
            c.frame(frame, now);
            if let Some(deadline) = c.poll_timeout() {
                if deadline <= now {
                    c.timeout(now);
                }
            }
            for action in drain(&mut c) {
                prop_assert!(!ended, "an action after the end: {:?}", action);
                match action {
                    Action::Send(ServerMessage::Error { code, .. }) => {
                        prop_assert!(refusal_is_typed(code), "{:?}", code)
                    }
                    Action::End(_) => ended = true,
                    _ => {}
                }
            }
        }
    }
}
