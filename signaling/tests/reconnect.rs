//! A participant whose socket drops is shown as reconnecting, can come back with the same
//! token and media resumes; one who does not come back is removed after the grace period.

mod common;

use common::{loopback_sfu_config, start_server, TestPeer};
use signaling::protocol::{LeaveReason, Presence, ServerMessage};
use signaling::token::Role;
use signaling::SignalingConfig;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_participant_reconnects_and_media_resumes() {
    tokio::time::timeout(Duration::from_secs(120), scenario())
        .await
        .expect("scenario timed out");
}

fn saw_state(peer: &TestPeer, who: &str, state: Presence) -> bool {
    peer.messages().iter().any(|m| {
        matches!(m, ServerMessage::ParticipantState { participant_id, state: s }
            if participant_id == who && *s == state)
    })
}

fn saw_left(peer: &TestPeer, who: &str) -> Option<LeaveReason> {
    peer.messages().iter().find_map(|m| match m {
        ServerMessage::ParticipantLeft {
            participant_id,
            reason,
        } if participant_id == who => Some(*reason),
        _ => None,
    })
}

async fn scenario() {
    let config = SignalingConfig {
        reconnect_grace: Duration::from_secs(3),
        ..Default::default()
    };
    let server = start_server(loopback_sfu_config(), config).await;
    let sfu = server.state.sfu().clone();
    let resident_token = server.token("room-r", "resident-1", Role::Resident);

    let clerk = TestPeer::join(
        &server,
        "room-r",
        "clerk-1",
        &server.token("room-r", "clerk-1", Role::Clerk),
    )
    .await
    .expect("clerk joins");
    let resident = TestPeer::join(&server, "room-r", "resident-1", &resident_token)
        .await
        .expect("resident joins");
    clerk
        .wait_for("resident's media", |p| {
            p.from("resident-1").video_packets >= 25
        })
        .await;

    // The resident's browser tab dies: socket and peer connection gone, no `leave`.
    resident.close().await;
    clerk
        .wait_for("resident shown as reconnecting", |p| {
            saw_state(p, "resident-1", Presence::Reconnecting)
        })
        .await;
    assert_eq!(
        saw_left(&clerk, "resident-1"),
        None,
        "must not be shown as left"
    );
    assert_eq!(
        sfu.room_participant_count("room-r"),
        2,
        "place is kept during the grace period"
    );
    let before = clerk.from("resident-1").video_packets;

    // Back with the same token: fresh peer connection, media resumes both ways.
    let resident = TestPeer::join(&server, "room-r", "resident-1", &resident_token)
        .await
        .expect("resident rejoins");
    clerk
        .wait_for("resident back as connected", |p| {
            saw_state(p, "resident-1", Presence::Connected)
        })
        .await;
    clerk
        .wait_for("resident's media after the reconnect", |p| {
            p.from("resident-1").video_packets >= before + 25
        })
        .await;
    resident
        .wait_for("clerk's media after the reconnect", |p| {
            p.from("clerk-1").video_packets >= 25
        })
        .await;
    let from_resident = clerk.from("resident-1");
    assert_eq!(
        from_resident.seq_jumps, 0,
        "the clerk's track continues seamlessly across the resident's new connection: {from_resident:?}"
    );
    assert_eq!(
        from_resident.tagged,
        from_resident.audio_packets + from_resident.video_packets
    );
    assert_eq!(saw_left(&clerk, "resident-1"), None);
    assert_eq!(
        sfu.peer_connection_count(),
        2,
        "the old peer connection was closed"
    );

    // Drops again and stays away: removed once the grace period is over.
    resident.close().await;
    clerk
        .wait_for("resident removed after the grace period", |p| {
            saw_left(p, "resident-1") == Some(LeaveReason::Timeout)
        })
        .await;
    assert_eq!(sfu.room_participant_count("room-r"), 1);
    assert_eq!(server.state.participant_count(), 1);
    clerk.close().await;
}
