//! Two webrtc-rs peers meet in a room through the real signalling protocol and receive
//! each other's RTP through the SFU; a peer in another room receives nothing.

mod common;

use common::{loopback_sfu_config, start_server, tag, TestPeer, STEP};
use signaling::protocol::{close, ServerMessage};
use signaling::token::Role;
use signaling::SignalingConfig;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_peers_exchange_audio_and_video_through_the_sfu() {
    tokio::time::timeout(Duration::from_secs(90), scenario())
        .await
        .expect("scenario timed out");
}

async fn scenario() {
    let server = start_server(loopback_sfu_config(), SignalingConfig::default()).await;
    let sfu = server.state.sfu().clone();

    let resident = TestPeer::join(
        &server,
        "room-a",
        "resident-1",
        &server.token("room-a", "resident-1", Role::Resident),
    )
    .await
    .expect("resident joins");
    let clerk = TestPeer::join(
        &server,
        "room-a",
        "clerk-1",
        &server.token("room-a", "clerk-1", Role::Clerk),
    )
    .await
    .expect("clerk joins");
    // Alone in another room.
    let outsider = TestPeer::join(
        &server,
        "room-b",
        "resident-2",
        &server.token("room-b", "resident-2", Role::Resident),
    )
    .await
    .expect("outsider joins room b");

    // A token for room b cannot open room a.
    let mut intruder = server.ws().await;
    intruder
        .join(
            "room-a",
            &server.token("room-b", "resident-2", Role::Resident),
        )
        .await;
    let refused = intruder.closed().await;
    assert_eq!(refused.code, close::WRONG_ROOM, "{refused:?}");

    resident
        .wait_for("clerk's audio and video", |p| {
            let f = p.from("clerk-1");
            f.audio_packets >= 40 && f.video_packets >= 40
        })
        .await;
    clerk
        .wait_for("resident's audio and video", |p| {
            let f = p.from("resident-1");
            f.audio_packets >= 40 && f.video_packets >= 40
        })
        .await;

    // Payloads arrive untouched: every packet carries its publisher's tag.
    for (peer, remote) in [(&resident, "clerk-1"), (&clerk, "resident-1")] {
        let f = peer.from(remote);
        assert_eq!(
            f.tagged,
            f.audio_packets + f.video_packets,
            "{}: {f:?} (tag {:?})",
            peer.id,
            tag(remote)
        );
        assert_eq!(
            f.seq_jumps, 0,
            "{}: sequence numbers must be continuous: {f:?}",
            peer.id
        );
    }
    // Nobody receives their own media.
    assert_eq!(resident.from("resident-1").audio_packets, 0);

    // The subscriber's keyframe request reached the publisher.
    for peer in [&resident, &clerk] {
        peer.wait_for("a keyframe request", |p| {
            p.keyframe_requests
                .load(std::sync::atomic::Ordering::Relaxed)
                > 0
        })
        .await;
    }

    // Every offer, the first included, declares the msid semantic, so strict stacks read
    // the `a=msid` that names each track's participant.
    for peer in [&resident, &clerk] {
        let offers: Vec<String> = peer
            .messages()
            .into_iter()
            .filter_map(|m| match m {
                ServerMessage::Offer { sdp } => Some(sdp),
                _ => None,
            })
            .collect();
        assert!(!offers.is_empty(), "{}: no offers", peer.id);
        for sdp in offers {
            assert!(
                sdp.lines().any(|l| l.starts_with("a=msid-semantic:")),
                "{}: offer without a=msid-semantic:\n{sdp}",
                peer.id
            );
        }
    }

    // The second joiner was announced to the first.
    assert!(
        resident.messages().iter().any(|m| matches!(m,
            ServerMessage::ParticipantJoined { participant } if participant.id == "clerk-1" && participant.role == Role::Clerk)),
        "{:?}",
        resident.messages()
    );

    // The peer in room b got nothing at all.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(outsider.total_received(), 0);
    assert!(!outsider
        .messages()
        .iter()
        .any(|m| matches!(m, ServerMessage::ParticipantJoined { .. })));

    assert_eq!(sfu.room_count(), 2);
    assert_eq!(sfu.participant_count(), 3);
    let metrics = sfu.metrics_text();
    assert!(metrics.contains("videoloket_sfu_rooms 2\n"), "{metrics}");
    assert!(
        metrics.contains("videoloket_sfu_room_participants{room=\"room-a\"} 2\n"),
        "{metrics}"
    );
    assert!(
        sfu.forwarded_packets(sfu::MediaKind::Video) >= 80,
        "{metrics}"
    );
    // RTT is sampled every 500 ms in tests.
    let deadline = tokio::time::Instant::now() + STEP;
    while !sfu
        .metrics_text()
        .contains("videoloket_sfu_room_rtt_seconds{room=\"room-a\"}")
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no RTT in metrics:\n{}",
            sfu.metrics_text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    resident.close().await;
    clerk.close().await;
    outsider.close().await;
}
