//! Companions and interpreters (issue 15 item 4): a third participant with role `companion`
//! gets the others' media and they get theirs, without taking anyone's place; the
//! municipality's room size (asked through `RoomAdmission::room_size`) refuses one more; the
//! clerk removes a companion, who is told (`removed`, close 4008) and, once the platform
//! revoked their link, cannot come back; every first join is reported once.

mod common;

use common::{loopback_sfu_config, start_server_with, TestPeer};
use signaling::protocol::{close, ClientMessage, ErrorCode, LeaveReason, ServerMessage};
use signaling::token::{Role, RoomClaims};
use signaling::{RoomAdmission, SignalingConfig};
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The platform's say, as the binary's `BookedRooms` gives it: a room size, revoked links,
/// and a record of joins.
#[derive(Default)]
struct Platform {
    size: usize,
    revoked: Mutex<HashSet<String>>,
    joins: Mutex<Vec<(String, Role)>>,
}

impl RoomAdmission for Platform {
    fn admits<'a>(
        &'a self,
        claims: &'a RoomClaims,
    ) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
        Box::pin(async move { !self.revoked.lock().unwrap().contains(&claims.sub) })
    }

    fn room_size<'a>(
        &'a self,
        _claims: &'a RoomClaims,
    ) -> Pin<Box<dyn Future<Output = Option<usize>> + Send + 'a>> {
        Box::pin(async move { Some(self.size) })
    }

    fn joined<'a>(
        &'a self,
        claims: &'a RoomClaims,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
        Box::pin(async move {
            self.joins
                .lock()
                .unwrap()
                .push((claims.sub.clone(), claims.role));
        })
    }
}

async fn server(size: usize) -> (common::TestServer, Arc<Platform>) {
    let platform = Arc::new(Platform {
        size,
        ..Default::default()
    });
    let admission: Arc<dyn RoomAdmission> = platform.clone();
    // The SFU's own cap is the platform-wide 4; the municipality's size applies below it.
    let sfu = sfu::SfuConfig {
        max_participants: 4,
        ..loopback_sfu_config()
    };
    let server = start_server_with(sfu, SignalingConfig::default(), |s| {
        s.with_admission(admission)
    })
    .await;
    (server, platform)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_companion_sees_and_is_seen_and_a_fourth_is_refused_at_room_size_three() {
    tokio::time::timeout(Duration::from_secs(120), async {
        let (server, platform) = server(3).await;
        let room = "entry-1";
        let mut peers = Vec::new();
        for (id, role) in [
            ("resident-1", Role::Resident),
            ("clerk-1", Role::Clerk),
            ("companion-a", Role::Companion),
        ] {
            let peer = TestPeer::join(&server, room, id, &server.token(room, id, role))
                .await
                .expect("join");
            peers.push(peer);
        }
        for peer in &peers {
            for other in peers.iter().filter(|o| o.id != peer.id) {
                let other_id = other.id.clone();
                peer.wait_for("media from every other participant", move |p| {
                    p.from(&other_id).video_packets >= 5 && p.from(&other_id).audio_packets >= 5
                })
                .await;
            }
        }
        // One more (an interpreter) does not fit in a room of three.
        let mut fourth = server.ws().await;
        fourth
            .join(room, &server.token(room, "companion-b", Role::Interpreter))
            .await;
        assert!(matches!(
            fourth.recv().await,
            Ok(ServerMessage::Error {
                code: ErrorCode::RoomFull,
                ..
            })
        ));
        assert_eq!(fourth.closed().await.code, close::ROOM_FULL);
        // The companion took nobody's place: the resident still gets the clerk's media.
        let before = peers[0].from("clerk-1").video_packets;
        peers[0]
            .wait_for("the resident's media keeps coming", move |p| {
                p.from("clerk-1").video_packets > before + 10
            })
            .await;
        let mut joins = platform.joins.lock().unwrap().clone();
        joins.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            joins,
            [
                ("clerk-1".to_string(), Role::Clerk),
                ("companion-a".to_string(), Role::Companion),
                ("resident-1".to_string(), Role::Resident),
            ]
        );
        for peer in peers {
            peer.close().await;
        }
    })
    .await
    .expect("timed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_of_four_admits_a_companion_and_an_interpreter() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let (server, _) = server(4).await;
        let room = "entry-4";
        let mut sockets = Vec::new();
        for (id, role) in [
            ("resident-1", Role::Resident),
            ("clerk-1", Role::Clerk),
            ("companion-a", Role::Companion),
            ("companion-b", Role::Interpreter),
        ] {
            let mut ws = server.ws().await;
            ws.join(room, &server.token(room, id, role)).await;
            assert!(
                matches!(ws.recv().await, Ok(ServerMessage::Joined { .. })),
                "{id}"
            );
            sockets.push(ws);
        }
        let mut fifth = server.ws().await;
        fifth
            .join(room, &server.token(room, "companion-c", Role::Companion))
            .await;
        assert_eq!(fifth.closed().await.code, close::ROOM_FULL);
    })
    .await
    .expect("timed out");
}

/// The next message of this kind, skipping offers and the like.
async fn next_matching(
    ws: &mut common::Ws,
    wanted: impl Fn(&ServerMessage) -> bool,
) -> ServerMessage {
    loop {
        let message = ws.recv().await.expect("still open");
        if wanted(&message) {
            return message;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clerk_removes_a_companion_who_cannot_come_back() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let (server, platform) = server(3).await;
        let room = "entry-2";
        let mut resident = server.ws().await;
        resident.join(room, &server.token(room, "resident-1", Role::Resident)).await;
        next_matching(&mut resident, |m| matches!(m, ServerMessage::Joined { .. })).await;
        let mut clerk = server.ws().await;
        clerk.join(room, &server.token(room, "clerk-1", Role::Clerk)).await;
        next_matching(&mut clerk, |m| matches!(m, ServerMessage::Joined { .. })).await;
        let companion_token = server.token(room, "companion-a", Role::Companion);
        let mut companion = server.ws().await;
        companion.join(room, &companion_token).await;
        match next_matching(&mut companion, |m| matches!(m, ServerMessage::Joined { .. })).await {
            ServerMessage::Joined { participants, .. } => {
                let mut seen: Vec<(String, Role)> = participants.into_iter().map(|p| (p.name, p.role)).collect();
                seen.sort_by(|a, b| a.0.cmp(&b.0));
                assert_eq!(
                    seen,
                    [
                        ("name of clerk-1".to_string(), Role::Clerk),
                        ("name of resident-1".to_string(), Role::Resident)
                    ]
                );
            }
            _ => unreachable!(),
        }
        // The others see the companion come in, with name and role.
        match next_matching(&mut resident, |m| matches!(m, ServerMessage::ParticipantJoined { participant } if participant.id == "companion-a")).await {
            ServerMessage::ParticipantJoined { participant } => {
                assert_eq!((participant.name.as_str(), participant.role), ("name of companion-a", Role::Companion));
            }
            _ => unreachable!(),
        }

        // Only the clerk removes; the resident's try is refused and changes nothing.
        resident.send(&ClientMessage::Remove { participant_id: "companion-a".into() }).await;
        assert!(matches!(
            next_matching(&mut resident, |m| matches!(m, ServerMessage::Error { .. })).await,
            ServerMessage::Error { code: ErrorCode::Unexpected, .. }
        ));

        // The platform revokes the link, then the clerk's page asks signalling.
        platform.revoked.lock().unwrap().insert("companion-a".into());
        clerk.send(&ClientMessage::Remove { participant_id: "companion-a".into() }).await;
        next_matching(&mut companion, |m| matches!(m, ServerMessage::Removed)).await;
        assert_eq!(companion.closed().await.code, close::REMOVED);
        for ws in [&mut resident, &mut clerk] {
            assert_eq!(
                next_matching(ws, |m| matches!(m, ServerMessage::ParticipantLeft { .. })).await,
                ServerMessage::ParticipantLeft { participant_id: "companion-a".into(), reason: LeaveReason::Removed }
            );
        }
        // The SFU lets go of their media too.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while server.state.participant_count() != 2 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(server.state.participant_count(), 2);

        // Coming back with the same token: the conversation is over for them.
        let mut again = server.ws().await;
        again.join(room, &companion_token).await;
        assert_eq!(again.closed().await.code, close::EXPIRED);
        assert_eq!(server.state.participant_count(), 2);
    })
    .await
    .expect("timed out");
}
