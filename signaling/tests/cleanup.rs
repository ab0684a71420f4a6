//! Rooms are capped, and after many join/leave cycles every room, peer connection and
//! socket the SFU held is gone.

mod common;

use common::{loopback_sfu_config, start_server, TestPeer};
use signaling::protocol::{close, ClientMessage, ServerMessage};
use signaling::token::Role;
use signaling::SignalingConfig;
use std::time::Duration;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_leave_cycles_leave_nothing_behind() {
    tokio::time::timeout(Duration::from_secs(180), scenario())
        .await
        .expect("scenario timed out");
}

async fn scenario() {
    let server = start_server(loopback_sfu_config(), SignalingConfig::default()).await;
    let sfu = server.state.sfu().clone();
    let roles = [Role::Resident, Role::Clerk, Role::Companion];

    // Warm-up cycle, so lazily created runtime resources are in the baseline.
    let mut baseline = None;
    for cycle in 0..6 {
        let room = format!("room-{cycle}");
        let mut peers = Vec::new();
        for (i, role) in roles.iter().enumerate() {
            let id = format!("p{cycle}-{i}");
            let peer = TestPeer::join(&server, &room, &id, &server.token(&room, &id, *role))
                .await
                .expect("join");
            peers.push(peer);
        }
        // Full mesh of media before anyone leaves.
        for peer in &peers {
            for other in peers.iter().filter(|o| o.id != peer.id) {
                let other_id = other.id.clone();
                peer.wait_for("media from every other participant", move |p| {
                    p.from(&other_id).video_packets >= 5
                })
                .await;
            }
        }

        if cycle == 0 {
            // A fourth participant does not fit (default limit 3).
            let mut fourth = server.ws().await;
            fourth
                .join(&room, &server.token(&room, "extra", Role::Companion))
                .await;
            assert!(matches!(
                fourth.recv().await,
                Ok(ServerMessage::Error { .. })
            ));
            assert_eq!(fourth.closed().await.code, close::ROOM_FULL);
        }

        // Leave in a different order each cycle.
        if cycle % 2 == 1 {
            peers.reverse();
        }
        for peer in peers {
            peer.send(ClientMessage::Leave);
            tokio::time::sleep(Duration::from_millis(50)).await;
            peer.close().await;
        }
        wait_until_empty(&server).await;
        if cycle == 0 {
            baseline = Some(open_fds());
        }
    }

    assert_eq!(sfu.room_count(), 0);
    assert_eq!(sfu.participant_count(), 0);
    assert_eq!(sfu.peer_connection_count(), 0);
    assert_eq!(server.state.room_count(), 0);
    let baseline = baseline.expect("baseline");
    let now = open_fds();
    assert!(
        now <= baseline + 2,
        "file descriptors leak: {baseline} after the first cycle, {now} after the last"
    );
}

async fn wait_until_empty(server: &common::TestServer) {
    let sfu = server.state.sfu();
    let deadline = tokio::time::Instant::now() + common::STEP;
    loop {
        if sfu.room_count() == 0
            && sfu.peer_connection_count() == 0
            && server.state.participant_count() == 0
        {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not cleaned up: {sfu:?}, peer connections {}, signalling participants {}",
            sfu.peer_connection_count(),
            server.state.participant_count()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
