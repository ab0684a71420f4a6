//! A second device with the same participant token takes over the call (the first socket is
//! told `replaced` and closed with 4005), and `restart_ice` gets an offer with fresh ICE
//! credentials while media keeps flowing.

mod common;

use common::{loopback_sfu_config, start_server, TestPeer};
use signaling::protocol::{close, ClientMessage, ServerMessage};
use signaling::token::Role;
use signaling::SignalingConfig;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_device_takes_over_and_the_first_is_told() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let server = start_server(loopback_sfu_config(), SignalingConfig::default()).await;
        let token = server.token("room-t", "resident-1", Role::Resident);
        let mut first = server.ws().await;
        first.join("room-t", &token).await;
        assert!(matches!(
            first.recv().await,
            Ok(ServerMessage::Joined { .. })
        ));

        let mut second = server.ws().await;
        second.join("room-t", &token).await;
        assert!(matches!(
            second.recv().await,
            Ok(ServerMessage::Joined { participant_id, .. }) if participant_id == "resident-1"
        ));
        // The first socket: whatever it still had in flight, then `replaced`, then 4005.
        let mut saw_replaced = false;
        let closed = loop {
            match first.recv().await {
                Ok(ServerMessage::Replaced) => saw_replaced = true,
                Ok(_) => {}
                Err(closed) => break closed,
            }
        };
        assert!(
            saw_replaced,
            "the first socket must be told it was replaced"
        );
        assert_eq!(closed.code, close::REPLACED, "{closed:?}");
        // The newcomer is in the room, alone, and keeps working.
        assert_eq!(server.state.sfu().room_participant_count("room-t"), 1);
        second.send(&ClientMessage::Ping).await;
        loop {
            match second.recv().await {
                Ok(ServerMessage::Pong) => break,
                Ok(_) => {}
                Err(closed) => panic!("second socket closed: {closed:?}"),
            }
        }
    })
    .await
    .expect("scenario timed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_ice_gets_an_offer_with_new_credentials_and_media_goes_on() {
    tokio::time::timeout(Duration::from_secs(90), async {
        let server = start_server(loopback_sfu_config(), SignalingConfig::default()).await;
        let clerk_token = server.token("room-i", "clerk-1", Role::Clerk);
        let resident_token = server.token("room-i", "resident-1", Role::Resident);
        let clerk = TestPeer::join(&server, "room-i", "clerk-1", &clerk_token)
            .await
            .expect("clerk joins");
        let resident = TestPeer::join(&server, "room-i", "resident-1", &resident_token)
            .await
            .expect("resident joins");
        resident
            .wait_for("clerk's media", |p| p.from("clerk-1").video_packets >= 25)
            .await;
        resident.restart_ice().await;
        let packets = resident.from("clerk-1").video_packets;
        resident
            .wait_for("media after the restart", |p| {
                p.from("clerk-1").video_packets >= packets + 50
            })
            .await;
        let sent = clerk.from("resident-1").video_packets;
        clerk
            .wait_for("the resident's media after the restart", |p| {
                p.from("resident-1").video_packets >= sent + 50
            })
            .await;
        clerk.close().await;
        resident.close().await;
    })
    .await
    .expect("scenario timed out");
}
