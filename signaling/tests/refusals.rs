//! Bad tokens are refused with a clear close code; a client sending garbage gets error
//! messages and is then disconnected, while the room carries on.

mod common;

use common::{loopback_sfu_config, start_server, TestPeer};
use signaling::protocol::{close, ErrorCode, ServerMessage};
use signaling::token::{now_unix, Role, RoomClaims};
use signaling::SignalingConfig;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tokens_and_garbage_are_refused_without_harming_the_room() {
    tokio::time::timeout(Duration::from_secs(90), scenario())
        .await
        .expect("scenario timed out");
}

async fn scenario() {
    let server = start_server(loopback_sfu_config(), SignalingConfig::default()).await;
    let now = now_unix();
    let claims = |nbf: i64, exp: i64| RoomClaims {
        room: "room-x".into(),
        sub: "resident-1".into(),
        role: Role::Resident,
        name: "Resident".into(),
        tenant: "t".into(),
        nbf,
        exp,
    };

    // Not a join at all.
    let mut ws = server.ws().await;
    ws.send_raw(Message::Text("hello".into())).await;
    assert!(matches!(
        ws.recv().await,
        Ok(ServerMessage::Error {
            code: ErrorCode::Unauthorized,
            ..
        })
    ));
    assert_eq!(ws.closed().await.code, close::UNAUTHORIZED);

    // Empty, expired, signed with another key, tampered.
    let expired = server.keys.issue(&claims(now - 7200, now - 3600));
    let foreign =
        signaling::token::RoomTokenKeys::from_secret(&[1u8; 32]).issue(&claims(now, now + 600));
    let good = server.keys.issue(&claims(now - 10, now + 600));
    // Same signature, payload changed to claim the clerk role.
    let tampered = {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let parts: Vec<&str> = good.split('.').collect();
        let payload = String::from_utf8(b64.decode(parts[1]).expect("payload")).expect("utf8");
        let forged = b64.encode(payload.replace("\"resident\"", "\"clerk\""));
        assert_ne!(forged, parts[1]);
        format!("{}.{}.{}", parts[0], forged, parts[2])
    };
    for (token, code, reason) in [
        ("", close::UNAUTHORIZED, "room token missing"),
        (expired.as_str(), close::TOKEN_REFUSED, "room token expired"),
        (foreign.as_str(), close::TOKEN_REFUSED, "room token invalid"),
        (
            tampered.as_str(),
            close::TOKEN_REFUSED,
            "room token invalid",
        ),
    ] {
        let mut ws = server.ws().await;
        ws.join("room-x", token).await;
        let closed = ws.closed().await;
        assert_eq!((closed.code, closed.reason.as_str()), (code, reason));
    }
    assert_eq!(
        server.state.sfu().room_count(),
        0,
        "refused joins create no room"
    );

    // A real meeting, and a participant whose client goes haywire.
    let clerk = TestPeer::join(
        &server,
        "room-x",
        "clerk-1",
        &server.token("room-x", "clerk-1", Role::Clerk),
    )
    .await
    .expect("clerk joins");
    let resident = TestPeer::join(&server, "room-x", "resident-1", &good)
        .await
        .expect("resident joins");
    clerk
        .wait_for("resident's media", |p| {
            p.from("resident-1").video_packets >= 10
        })
        .await;

    let mut haywire = server.ws().await;
    haywire
        .join(
            "room-x",
            &server.token("room-x", "companion-1", Role::Companion),
        )
        .await;
    assert!(matches!(
        haywire.recv().await,
        Ok(ServerMessage::Joined { .. })
    ));
    let huge = format!(
        "{{\"type\":\"answer\",\"sdp\":\"{}\"}}",
        "x".repeat(100 * 1024)
    );
    let garbage = [
        Message::Text("{not json".into()),
        Message::Text(r#"{"type":"no_such_thing"}"#.into()),
        Message::Binary(vec![0u8; 16].into()),
        Message::Text(huge.into()),
        Message::Text(r#"{"type":"answer","sdp":"v=0 garbage"}"#.into()),
        Message::Text(r#"{"type":"candidate","candidate":"candidate:nonsense"}"#.into()),
        Message::Text("[1,2,3]".into()),
        Message::Text("null".into()),
    ];
    for message in garbage {
        haywire.send_raw(message).await;
    }
    let mut codes = Vec::new();
    let closed = loop {
        match haywire.recv().await {
            Ok(ServerMessage::Error { code, .. }) => codes.push(code),
            Ok(_) => {}
            Err(closed) => break closed,
        }
    };
    assert_eq!(
        closed.code,
        close::PROTOCOL,
        "errors before close: {codes:?}"
    );
    assert!(codes.contains(&ErrorCode::BadMessage), "{codes:?}");
    assert!(codes.contains(&ErrorCode::TooLarge), "{codes:?}");

    // The meeting is unaffected.
    let before = clerk.from("resident-1").video_packets;
    clerk
        .wait_for("resident's media after the garbage", |p| {
            p.from("resident-1").video_packets >= before + 25
        })
        .await;
    resident
        .wait_for("clerk's media", |p| p.from("clerk-1").video_packets >= 25)
        .await;
    resident.close().await;
    clerk.close().await;
}
