//! Media nodes and room placement (issue 19): what a node does every heartbeat, and where an
//! instance sends a participant. The rules are in `domain::media_nodes`.

use crate::domain::media_nodes::{choose, keeps_room, MediaNode, NodeId, IDLE_PLACEMENT};
use crate::error::Result;
use crate::App;

pub use crate::store::Heartbeat;

/// Renews the node's lease, marks the rooms running on it as seen, drops its placements that
/// have been idle too long and claims rooms running here that lost their placement. Returns
/// the rooms running here that are placed on another node now (it was thought gone): the
/// caller ends them here, so their people join again there.
pub async fn beat(app: &App, beat: &Heartbeat, running: &[String]) -> Result<Vec<String>> {
    let db = &app.db;
    db.beat(beat).await?;
    db.saw_rooms(&beat.id, running, beat.at).await?;
    db.drop_idle_placements(&beat.id, beat.at - IDLE_PLACEMENT)
        .await?;
    let placed = db.rooms_placed_on(&beat.id).await?;
    let mut elsewhere = Vec::new();
    for room in running.iter().filter(|r| !placed.contains(r)) {
        db.place_room(room, beat.at, |_| Some(beat.id.clone()))
            .await?;
        if db
            .placement(room)
            .await?
            .is_some_and(|node| node.id != beat.id)
        {
            elsewhere.push(room.clone());
        }
    }
    Ok(elsewhere)
}

/// The node `room` runs on: where it is placed while that node's lease holds, else the
/// least-loaded node taking new rooms (not `excluded`). Two instances placing the same room at
/// once both read back the one placement that was written. `None`: no node takes it now.
pub async fn place(app: &App, room: &str, excluded: Option<&NodeId>) -> Result<Option<MediaNode>> {
    let db = &app.db;
    let now = app.clock.now();
    // Twice at most: a stale placement is removed, then the room is placed afresh.
    for _ in 0..2 {
        if let Some(node) = db.placement(room).await? {
            if keeps_room(&node, now, excluded) {
                return Ok(Some(node));
            }
            db.unplace_room(room, &node.id).await?;
        }
        db.place_room(room, now, |nodes| {
            choose(room, nodes, now, excluded).map(|node| node.id.clone())
        })
        .await?;
    }
    Ok(db
        .placement(room)
        .await?
        .filter(|node| keeps_room(node, now, excluded)))
}

/// An instance could not reach `node`: its lease ends now, so that no one waits for it to run
/// out before its rooms are placed again. A node that is alive renews it at its next beat.
pub async fn unreachable(app: &App, node: &NodeId) -> Result<()> {
    app.db.end_lease(node).await
}

/// The node stops (drained, or shut down cleanly): out of the registry with its placements.
pub async fn leave(app: &App, node: &NodeId) -> Result<()> {
    app.db.forget_media_node(node).await
}

/// Every registered node, with the rooms placed on each (for the operator and the load test).
pub async fn nodes(app: &App) -> Result<Vec<MediaNode>> {
    app.db.media_nodes().await
}
