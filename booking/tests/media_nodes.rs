//! The media-node registry and room placement (issue 19) on both stores: where a room goes,
//! that instances placing at once agree, what a lapsed lease, an unreachable node, draining
//! and a heartbeat do. The processes around it are tested in the binary's `tests/cluster.rs`.

#[macro_use]
mod common;

use booking::domain::media_nodes::{NodeId, IDLE_PLACEMENT, LEASE};
use booking::usecases::media_nodes::{self, Heartbeat};
use booking::App;
use common::{spawn, ts, Store};
use jiff::SignedDuration;

on_both_stores!(
    rooms_go_to_the_least_loaded_node_and_stay,
    instances_placing_at_once_agree,
    a_lapsed_or_unreachable_node_loses_its_rooms,
    a_draining_node_keeps_its_rooms_and_takes_no_new_one,
    heartbeats_report_moved_rooms_and_drop_idle_ones,
);

fn node(id: &str) -> NodeId {
    id.parse().unwrap()
}

async fn beat(app: &App, id: &str, draining: bool, running: &[&str]) -> Vec<String> {
    let running: Vec<String> = running.iter().map(|r| r.to_string()).collect();
    media_nodes::beat(
        app,
        &Heartbeat {
            id: node(id),
            signal_url: format!("ws://{id}.internal:8080/ws"),
            capacity: 3,
            draining,
            at: app.clock.now(),
        },
        &running,
    )
    .await
    .unwrap()
}

async fn placed(app: &App, room: &str) -> Option<String> {
    media_nodes::place(app, room, None)
        .await
        .unwrap()
        .map(|n| n.id.to_string())
}

async fn rooms_go_to_the_least_loaded_node_and_stay(store: Store) {
    let t = spawn(store, ts("2026-12-07T09:00:00Z"), None).await;
    let app = &t.app;
    assert_eq!(placed(app, "r0").await, None, "no node registered: nowhere");
    beat(app, "a", false, &[]).await;
    beat(app, "b", false, &[]).await;
    let mut on = std::collections::BTreeMap::<String, u32>::new();
    for i in 0..6 {
        *on.entry(placed(app, &format!("r{i}")).await.unwrap())
            .or_default() += 1;
    }
    assert_eq!(on.values().copied().collect::<Vec<_>>(), [3, 3], "{on:?}");
    // Capacity 3 each: the seventh room runs nowhere.
    assert_eq!(placed(app, "r6").await, None);
    // A room keeps its node, and the registry says where it is.
    let first = placed(app, "r0").await.unwrap();
    assert_eq!(placed(app, "r0").await.unwrap(), first);
    let nodes = media_nodes::nodes(app).await.unwrap();
    assert_eq!(nodes.iter().map(|n| n.placed).sum::<u32>(), 6);
    assert!(nodes
        .iter()
        .all(|n| n.signal_url == format!("ws://{}.internal:8080/ws", n.id)));
}

async fn instances_placing_at_once_agree(store: Store) {
    let t = spawn(store, ts("2026-12-07T09:00:00Z"), None).await;
    let app = &t.app;
    for id in ["a", "b", "c"] {
        beat(app, id, false, &[]).await;
    }
    for round in 0..5 {
        let room = format!("room-{round}");
        let attempts = (0..8).map(|_| {
            let (app, room) = (app.clone(), room.clone());
            tokio::spawn(async move { placed(&app, &room).await })
        });
        let answers: Vec<Option<String>> = futures::future::join_all(attempts)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert!(answers[0].is_some());
        assert!(
            answers.iter().all(|a| *a == answers[0]),
            "{room}: {answers:?}"
        );
    }
}

async fn a_lapsed_or_unreachable_node_loses_its_rooms(store: Store) {
    let t = spawn(store, ts("2026-12-07T09:00:00Z"), None).await;
    let app = &t.app;
    beat(app, "a", false, &[]).await;
    let first = placed(app, "call").await.unwrap();
    assert_eq!(first, "a");
    beat(app, "b", false, &[]).await;
    // a stops beating; b goes on.
    app.clock.advance(LEASE + SignedDuration::from_millis(500));
    beat(app, "b", false, &[]).await;
    assert_eq!(placed(app, "call").await.as_deref(), Some("b"));

    // b is alive by its lease, but an instance could not reach it: the room moves at once.
    beat(app, "a", false, &[]).await;
    media_nodes::unreachable(app, &node("b")).await.unwrap();
    assert_eq!(placed(app, "call").await.as_deref(), Some("a"));
    // Excluding the only live node leaves nowhere to go.
    let only_a = media_nodes::place(app, "call", Some(&node("a")))
        .await
        .unwrap();
    assert_eq!(only_a, None);
}

async fn a_draining_node_keeps_its_rooms_and_takes_no_new_one(store: Store) {
    let t = spawn(store, ts("2026-12-07T09:00:00Z"), None).await;
    let app = &t.app;
    beat(app, "a", false, &[]).await;
    assert_eq!(placed(app, "running").await.as_deref(), Some("a"));
    beat(app, "b", false, &[]).await;
    beat(app, "a", true, &["running"]).await;
    assert_eq!(placed(app, "running").await.as_deref(), Some("a"));
    for i in 0..3 {
        assert_eq!(placed(app, &format!("new-{i}")).await.as_deref(), Some("b"));
    }
    // Drained and gone: out of the registry with its placements.
    media_nodes::leave(app, &node("a")).await.unwrap();
    let ids: Vec<String> = media_nodes::nodes(app)
        .await
        .unwrap()
        .iter()
        .map(|n| n.id.to_string())
        .collect();
    assert_eq!(ids, ["b"]);
}

async fn heartbeats_report_moved_rooms_and_drop_idle_ones(store: Store) {
    let t = spawn(store, ts("2026-12-07T09:00:00Z"), None).await;
    let app = &t.app;
    beat(app, "a", false, &[]).await;
    beat(app, "b", false, &[]).await;
    let call = "call";
    let host = placed(app, call).await.unwrap();
    let other = if host == "a" { "b" } else { "a" };
    // The host was thought gone and the room placed on the other node; the host still runs
    // it: its heartbeat says so, and its people are to join again there.
    media_nodes::unreachable(app, &node(&host)).await.unwrap();
    assert_eq!(
        media_nodes::place(app, call, Some(&node(&host)))
            .await
            .unwrap()
            .map(|n| n.id.to_string())
            .as_deref(),
        Some(other)
    );
    assert_eq!(beat(app, &host, false, &[call]).await, [call.to_string()]);
    assert!(beat(app, other, false, &[call]).await.is_empty());

    // A room that runs on a node without a placement (placed by nobody) is claimed by it.
    assert!(beat(app, other, false, &[call, "orphan"]).await.is_empty());
    assert_eq!(placed(app, "orphan").await.as_deref(), Some(other));

    // Placements of rooms the node no longer runs are dropped once idle long enough.
    app.clock
        .advance(IDLE_PLACEMENT + SignedDuration::from_secs(1));
    beat(app, other, false, &[call]).await;
    let nodes = media_nodes::nodes(app).await.unwrap();
    let load: u32 = nodes.iter().map(|n| n.placed).sum();
    assert_eq!(load, 1, "only the running call is left: {nodes:?}");
}
