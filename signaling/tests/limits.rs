//! Limits that protect the endpoint: frames over the transport limit, sockets that never
//! join, clients that send too fast, and tokens past their `exp`.

mod common;

use common::{loopback_sfu_config, start_server, TestPeer, TestServer};
use signaling::protocol::{close, ErrorCode, ServerMessage};
use signaling::token::{now_unix, Role, RoomClaims};
use signaling::SignalingConfig;
use std::time::Duration;
use tokio_tungstenite::tungstenite::{self, Message};

async fn joined(server: &TestServer, room: &str, sub: &str) -> common::Ws {
    let mut ws = server.ws().await;
    ws.join(room, &server.token(room, sub, Role::Resident))
        .await;
    assert!(matches!(ws.recv().await, Ok(ServerMessage::Joined { .. })));
    ws
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_over_one_mebibyte_closes_with_message_too_big() {
    let server = start_server(loopback_sfu_config(), SignalingConfig::default()).await;
    let mut ws = joined(&server, "room-big", "resident-1").await;
    let huge = format!(
        "{{\"type\":\"answer\",\"sdp\":\"{}\"}}",
        "x".repeat(1024 * 1024)
    );
    ws.send_raw(Message::Text(huge.into())).await;
    let closed = ws.closed().await;
    assert_eq!(
        (closed.code, closed.reason.as_str()),
        (close::MESSAGE_TOO_BIG, "message too big")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_that_do_not_join_are_bounded_per_address_and_timed_out() {
    let config = SignalingConfig {
        max_pending_per_address: 3,
        join_timeout: Duration::from_secs(2),
        ..Default::default()
    };
    let server = start_server(loopback_sfu_config(), config).await;
    let mut waiting = Vec::new();
    for _ in 0..3 {
        waiting.push(server.ws().await);
    }
    // A fourth from the same address is refused before the upgrade.
    match tokio_tungstenite::connect_async(server.url()).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 429),
        other => panic!("expected 429, got {:?}", other.map(|(_, r)| r.status())),
    }
    // Joining frees the place.
    let mut first = waiting.remove(0);
    first
        .join(
            "room-p",
            &server.token("room-p", "resident-1", Role::Resident),
        )
        .await;
    assert!(matches!(
        first.recv().await,
        Ok(ServerMessage::Joined { .. })
    ));
    let mut fourth = server.ws().await;
    // The join deadline closes the idle ones, and frees their places too.
    for ws in waiting.iter_mut().chain([&mut fourth]) {
        assert!(matches!(
            ws.recv().await,
            Ok(ServerMessage::Error {
                code: ErrorCode::Unauthorized,
                ..
            })
        ));
        assert_eq!(ws.closed().await.code, close::UNAUTHORIZED);
    }
    // Once those sockets are gone, the address has its places back.
    drop(waiting);
    drop(fourth);
    let deadline = tokio::time::Instant::now() + common::STEP;
    let mut again = Vec::new();
    while again.len() < 3 {
        match tokio_tungstenite::connect_async(server.url()).await {
            Ok((stream, _)) => again.push(stream),
            Err(_) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(err) => panic!("no place after the others left: {err}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_sending_too_fast_gets_errors_then_is_closed() {
    let server = start_server(loopback_sfu_config(), SignalingConfig::default()).await;
    let mut ws = joined(&server, "room-fast", "resident-1").await;
    let candidate = r#"{"type":"candidate","candidate":"","sdpMid":"0"}"#;
    for _ in 0..200 {
        ws.send_raw(Message::Text(candidate.into())).await;
    }
    let mut limited = 0;
    let closed = loop {
        match ws.recv().await {
            Ok(ServerMessage::Error {
                code: ErrorCode::RateLimited,
                ..
            }) => limited += 1,
            Ok(_) => {}
            Err(closed) => break closed,
        }
    };
    assert!(limited >= 1, "a rate_limited error before the close");
    assert_eq!(
        (closed.code, closed.reason.as_str()),
        (close::RATE_LIMITED, "too many messages")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_past_its_exp_does_not_admit_a_rejoin() {
    let server = start_server(loopback_sfu_config(), SignalingConfig::default()).await;
    let now = now_unix();
    let token = server.keys.issue(&RoomClaims {
        room: "room-e".into(),
        sub: "resident-1".into(),
        role: Role::Resident,
        name: "Resident".into(),
        tenant: "t".into(),
        nbf: now - 60,
        exp: now + 2,
    });
    let peer = TestPeer::join(&server, "room-e", "resident-1", &token)
        .await
        .expect("joins while the token is valid");
    peer.wait_for_within("the session to end at exp", Duration::from_secs(10), |p| {
        p.messages().iter().any(|m| {
            matches!(
                m,
                ServerMessage::Error {
                    code: ErrorCode::Unauthorized,
                    ..
                }
            )
        })
    })
    .await;
    peer.close().await;

    // Within the 30 s clock-skew leeway, but past `exp`.
    let mut rejoin = server.ws().await;
    rejoin.join("room-e", &token).await;
    let closed = rejoin.closed().await;
    assert_eq!(
        (closed.code, closed.reason.as_str()),
        (close::TOKEN_REFUSED, "room token expired")
    );
    let deadline = tokio::time::Instant::now() + common::STEP;
    while server.state.participant_count() > 0 {
        assert!(tokio::time::Instant::now() < deadline, "still in the room");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
