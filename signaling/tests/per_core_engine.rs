//! The per-core media engine (issue 18) in a real call: every peer connection's media uses
//! the cores' few UDP ports, media flows both ways, keyframe requests reach the publisher, a
//! companion sees both and is seen, and leaving frees everything; ICE-TCP on the cores' TCP
//! listeners, also across an ICE restart.

mod common;

use common::{loopback_sfu_config, start_server, Media, TestPeer, TestServer};
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
        let server = start_server_with_ice_tcp().await;
        let sfu = server.state.sfu().clone();
        let (office, home) = office_over_tcp_calls_home(&server, "room-t").await;
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
        // The call ends on the server's side while the client keeps its socket open: the
        // core closes the ICE-TCP connection itself instead of keeping it (and its task).
        assert_eq!(
            tcp_client_ports(&media_ports).len(),
            1,
            "one ICE-TCP connection"
        );
        sfu.close_room("room-t").await;
        let closed = tokio::time::timeout(Duration::from_secs(5), async {
            while !tcp_client_ports(&media_ports).is_empty() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await;
        assert!(closed.is_ok(), "the server closed the ICE-TCP connection");
        office.peer.leave().await;
        home.peer.leave().await;
    })
    .await
    .expect("scenario timed out");
}

async fn start_server_with_ice_tcp() -> TestServer {
    let config = sfu::SfuConfig {
        ice_tcp: true,
        ..loopback_sfu_config()
    };
    start_server(config, SignalingConfig::default()).await
}

/// A TCP-only client ("office") and a UDP client ("home") in `room`, once each receives the
/// other's audio and video.
async fn office_over_tcp_calls_home(server: &TestServer, room: &str) -> (TestPeer, TestPeer) {
    let token = |id| server.token(room, id, Role::Resident);
    let office = TestPeer::join_over(
        server,
        room,
        "office",
        &token("office"),
        Media::Tagged,
        true,
    )
    .await
    .expect("tcp client joins");
    let home = TestPeer::join(server, room, "home", &token("home"))
        .await
        .expect("udp client joins");
    media_flows_between(&office, &home).await;
    (office, home)
}

/// Waits until each of `a` and `b` received 20 audio and 20 video packets of the other.
async fn media_flows_between(a: &TestPeer, b: &TestPeer) {
    for (peer, remote) in [(a, &b.id), (b, &a.id)] {
        peer.wait_for("the other's media", |p| {
            let f = p.from(remote);
            f.audio_packets >= 20 && f.video_packets >= 20
        })
        .await;
    }
}

/// The established TCP connections of this process to one of `server_ports`, as (server
/// port, client port, socket inode) of the client's end, from the kernel's table.
fn tcp_connections(server_ports: &HashSet<u16>) -> Vec<(u16, u16, String)> {
    let table = std::fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp");
    let port = |address: &str| u16::from_str_radix(address.rsplit(':').next()?, 16).ok();
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (local, remote) = (port(fields.get(1)?)?, port(fields.get(2)?)?);
            // State 01 is ESTABLISHED; field 9 the socket's inode.
            let (state, inode) = (*fields.get(3)?, fields.get(9)?.to_string());
            (state == "01" && server_ports.contains(&remote)).then_some((remote, local, inode))
        })
        .collect()
}

/// The client ports of the established TCP connections to `server_ports`.
fn tcp_client_ports(server_ports: &HashSet<u16>) -> HashSet<u16> {
    tcp_connections(server_ports)
        .into_iter()
        .map(|(_, client, _)| client)
        .collect()
}

/// Cuts the client's TCP connection from `client_port` (its network went away): shuts down
/// both directions of its socket, so each side reads the end of the stream.
fn cut_tcp_connection(server_ports: &HashSet<u16>, client_port: u16) {
    let (_, _, inode) = tcp_connections(server_ports)
        .into_iter()
        .find(|(_, client, _)| *client == client_port)
        .expect("the connection");
    let target = format!("socket:[{inode}]");
    let fd: std::os::fd::RawFd = std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .flatten()
        .find(|entry| {
            std::fs::read_link(entry.path()).is_ok_and(|link| link.as_os_str() == target.as_str())
        })
        .and_then(|entry| entry.file_name().to_str()?.parse().ok())
        .expect("the client socket's descriptor");
    // SAFETY: the descriptor is open (just listed) and stays open: shutting a socket down
    // does not close its descriptor, which the test peer still owns.
    let socket = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
    socket2::SockRef::from(&socket)
        .shutdown(std::net::Shutdown::Both)
        .expect("shutdown");
}

/// A TCP-only client whose connection was cut (its network changed) asks for an ICE
/// restart, gets new ICE credentials, dials the core's TCP listener again, and media flows
/// both ways over the new connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tcp_only_client_restarts_ice_over_a_new_tcp_connection() {
    tokio::time::timeout(Duration::from_secs(90), async {
        let server = start_server_with_ice_tcp().await;
        let media_ports: HashSet<u16> = server
            .state
            .sfu()
            .media_addrs()
            .iter()
            .map(|a| a.port())
            .collect();
        let (office, home) = office_over_tcp_calls_home(&server, "room-r").await;
        let before = tcp_client_ports(&media_ports);
        assert_eq!(before.len(), 1, "one TCP connection: {before:?}");
        let old = *before.iter().next().expect("the connection");

        // The client's network changes: its connection is gone, both ends see it close.
        cut_tcp_connection(&media_ports, old);
        let deadline = tokio::time::Instant::now() + common::STEP;
        while !tcp_client_ports(&media_ports).is_empty() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the cut connection stays open"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let received = office.from("home").video_packets;
        let sent = home.from("office").video_packets;
        office.restart_ice().await;

        // Media flows both ways again, on a new connection: the only one there is.
        office
            .wait_for("media after the restart", |p| {
                p.from("home").video_packets >= received + 50
            })
            .await;
        home.wait_for("the tcp client's media after the restart", |p| {
            p.from("office").video_packets >= sent + 50
        })
        .await;
        let after = tcp_client_ports(&media_ports);
        assert_eq!(after.len(), 1, "one TCP connection: {after:?}");
        assert!(!after.contains(&old), "a new connection: {after:?}");
        office.peer.leave().await;
        home.peer.leave().await;
    })
    .await
    .expect("scenario timed out");
}

/// Until a participant's connection is secured (ICE and DTLS done: the SRTP keys exist),
/// nothing is written to it and no keyframe is asked for it: the packets could not be sent
/// (the `rtc` core logged a warning for each one) and a keyframe would be lost. Once a
/// participant connects, the publisher is asked for a keyframe and media flows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_goes_to_a_participant_before_its_connection_is_secured() {
    tokio::time::timeout(Duration::from_secs(60), async {
        // No ICE-TCP on this server: a client that can only use TCP answers, and never
        // connects.
        let server = start_server(loopback_sfu_config(), SignalingConfig::default()).await;
        let sfu = server.state.sfu().clone();
        let token = |id| server.token("room-s", id, Role::Resident);
        let home = TestPeer::join(&server, "room-s", "home", &token("home"))
            .await
            .expect("home joins");
        let office = TestPeer::join_over(
            &server,
            "room-s",
            "office",
            &token("office"),
            Media::Tagged,
            true,
        )
        .await
        .expect("office joins");
        office
            .wait_for("an offer", |p| !p.offers().is_empty())
            .await;
        // Home sends 50 packets a second of each kind all this time.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(office.total_received(), 0);
        for kind in [sfu::MediaKind::Audio, sfu::MediaKind::Video] {
            assert_eq!(sfu.forwarded_packets(kind), 0, "{kind} written to office");
        }
        // Nobody could show a keyframe yet: none asked for (a browser publisher would ignore
        // the one that counts if it came within 300 ms of this one).
        assert_eq!(home.keyframe_requests.load(Ordering::Relaxed), 0);

        let clerk = TestPeer::join(&server, "room-s", "clerk", &token("clerk"))
            .await
            .expect("clerk joins");
        media_flows_between(&clerk, &home).await;
        assert!(home.keyframe_requests.load(Ordering::Relaxed) > 0);
        assert_eq!(office.total_received(), 0);
        for peer in [home, office, clerk] {
            peer.peer.leave().await;
        }
    })
    .await
    .expect("scenario timed out");
}
