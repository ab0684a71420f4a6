//! The per-core media engine (issue 18) in a real call: every peer connection's media uses
//! the cores' few UDP ports, media flows both ways, keyframe requests reach the publisher, a
//! companion sees both and is seen, and leaving frees everything; ICE-TCP on the cores' TCP
//! listeners, also across an ICE restart.

mod common;

use common::{loopback_sfu_config, start_server, Media, TestPeer};
use signaling::protocol::ServerMessage;
use signaling::token::Role;
use signaling::SignalingConfig;
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_party_call_runs_on_the_cores_ports() {
    tokio::time::timeout(Duration::from_secs(90), scenario())
        .await
        .expect("scenario timed out");
}

/// The ports of the `candidate:` lines of an SDP.
fn candidate_ports(sdp: &str) -> HashSet<u16> {
    sdp.lines()
        .filter_map(|l| l.strip_prefix("a=candidate:"))
        .filter_map(|c| c.split_whitespace().nth(5)?.parse().ok())
        .collect()
}

async fn scenario() {
    let server = start_server(loopback_sfu_config(), SignalingConfig::default()).await;
    let sfu = server.state.sfu().clone();
    let media_ports: HashSet<u16> = sfu.media_addrs().iter().map(|a| a.port()).collect();
    assert_eq!(media_ports.len(), 2, "one socket per core");

    let join = |id: &'static str, role| {
        let server = &server;
        async move {
            TestPeer::join(server, "room-a", id, &server.token("room-a", id, role))
                .await
                .unwrap_or_else(|e| panic!("{id} joins: {e:?}"))
        }
    };
    let resident = join("resident-1", Role::Resident).await;
    let clerk = join("clerk-1", Role::Clerk).await;

    for (peer, remote) in [(&resident, "clerk-1"), (&clerk, "resident-1")] {
        peer.wait_for("the other's audio and video", |p| {
            let f = p.from(remote);
            f.audio_packets >= 40 && f.video_packets >= 40
        })
        .await;
        let f = peer.from(remote);
        assert_eq!(f.tagged, f.audio_packets + f.video_packets, "{f:?}");
        assert_eq!(f.seq_jumps, 0, "{f:?}");
    }
    for peer in [&resident, &clerk] {
        peer.wait_for("a keyframe request", |p| {
            p.keyframe_requests.load(Ordering::Relaxed) > 0
        })
        .await;
    }

    let companion = join("companion-1", Role::Companion).await;
    for remote in ["resident-1", "clerk-1"] {
        companion
            .wait_for("both others' media", |p| {
                let f = p.from(remote);
                f.audio_packets >= 20 && f.video_packets >= 20
            })
            .await;
    }
    for peer in [&resident, &clerk] {
        peer.wait_for("the companion's media", |p| {
            let f = p.from("companion-1");
            f.audio_packets >= 20 && f.video_packets >= 20
        })
        .await;
    }
    assert_eq!(resident.from("resident-1").audio_packets, 0);

    // Every offer names only the cores' ports: no port per peer connection.
    for peer in [&resident, &clerk, &companion] {
        for message in peer.messages() {
            if let ServerMessage::Offer { sdp } = message {
                let ports = candidate_ports(&sdp);
                assert!(!ports.is_empty(), "{}: offer without candidates", peer.id);
                assert!(
                    ports.is_subset(&media_ports),
                    "{ports:?} vs {media_ports:?}"
                );
                assert!(sdp.contains("a=ice-lite"), "the server is ICE-lite:\n{sdp}");
            }
        }
    }
    assert_eq!(sfu.room_count(), 1);
    assert_eq!(sfu.participant_count(), 3);
    assert_eq!(sfu.peer_connection_count(), 3);
    assert!(sfu.forwarded_packets(sfu::MediaKind::Video) >= 120);
    let metrics = sfu.metrics_text();
    assert!(
        metrics.contains("videoloket_sfu_room_participants{room=\"room-a\"} 3\n"),
        "{metrics}"
    );

    for peer in [resident, clerk, companion] {
        peer.peer.leave().await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while sfu.room_count() > 0 || sfu.peer_connection_count() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "rooms {} peer connections {}",
            sfu.room_count(),
            sfu.peer_connection_count()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A client whose UDP is blocked reaches the core over ICE-TCP (RFC 6544, the core's one
/// TCP listener on the same port number) and talks to a UDP client in the same room.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tcp_only_client_calls_a_udp_client_through_the_cores_tcp_listener() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let server = start_server(
            sfu::SfuConfig {
                ice_tcp: true,
                ..loopback_sfu_config()
            },
            SignalingConfig::default(),
        )
        .await;
        let sfu = server.state.sfu().clone();
        let token = |id| server.token("room-t", id, Role::Resident);
        let office = TestPeer::join_over(
            &server,
            "room-t",
            "office",
            &token("office"),
            Media::Tagged,
            true,
        )
        .await
        .expect("tcp client joins");
        let home = TestPeer::join(&server, "room-t", "home", &token("home"))
            .await
            .expect("udp client joins");
        for (peer, remote) in [(&office, "home"), (&home, "office")] {
            peer.wait_for("the other's media", |p| {
                let f = p.from(remote);
                f.audio_packets >= 20 && f.video_packets >= 20
            })
            .await;
        }
        // The offer carried a passive TCP candidate on a core's port.
        let media_ports: HashSet<u16> = sfu.media_addrs().iter().map(|a| a.port()).collect();
        let offer = office
            .messages()
            .into_iter()
            .find_map(|m| match m {
                ServerMessage::Offer { sdp } => Some(sdp),
                _ => None,
            })
            .expect("an offer");
        let tcp_port: u16 = offer
            .lines()
            .filter(|l| {
                l.starts_with("a=candidate:")
                    && l.contains(" tcp ")
                    && l.contains("tcptype passive")
            })
            .find_map(|l| l.split_whitespace().nth(5)?.parse().ok())
            .expect("a passive TCP candidate");
        assert!(
            media_ports.contains(&tcp_port),
            "{tcp_port} vs {media_ports:?}"
        );
        office.peer.leave().await;
        home.peer.leave().await;
    })
    .await
    .expect("scenario timed out");
}
