//! The media-node registry and room placements, in SQL (issue 19). Times are Unix
//! milliseconds: the lease is a few seconds long.

use super::{flag, Db};
use crate::domain::media_nodes::{MediaNode, NodeId};
use crate::error::{Error, Result};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

/// What a node says of itself at every heartbeat.
#[derive(Clone, Debug)]
pub struct Heartbeat {
    pub id: NodeId,
    pub signal_url: String,
    pub capacity: u32,
    pub draining: bool,
    pub at: Timestamp,
}

fn millis(at: Timestamp) -> i64 {
    at.as_millisecond()
}

fn node_from_row(row: &AnyRow) -> Result<MediaNode> {
    let corrupt =
        |column: &str| Error::Internal(format!("stored media node has an invalid {column}"));
    Ok(MediaNode {
        id: super::columns::parsed(row, "id")?,
        signal_url: row.try_get("signal_url")?,
        capacity: u32::try_from(row.try_get::<i64, _>("capacity")?)
            .map_err(|_| corrupt("capacity"))?,
        placed: u32::try_from(row.try_get::<i64, _>("placed")?).map_err(|_| corrupt("placed"))?,
        draining: row.try_get::<i64, _>("draining")? != 0,
        heartbeat: Timestamp::from_millisecond(row.try_get("heartbeat_ms")?)
            .map_err(|_| corrupt("heartbeat_ms"))?,
    })
}

const NODE_COLUMNS: &str = "n.id, n.signal_url, CAST(n.capacity AS BIGINT) AS capacity, \
     CAST(n.draining AS BIGINT) AS draining, n.heartbeat_ms, \
     (SELECT COUNT(*) FROM room_placements p WHERE p.node_id = n.id) AS placed";

impl Db {
    /// Registers the node or renews its lease.
    pub async fn beat(&self, beat: &Heartbeat) -> Result<()> {
        sqlx::query(
            "INSERT INTO media_nodes (id, signal_url, capacity, draining, heartbeat_ms) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO UPDATE SET signal_url = excluded.signal_url, \
             capacity = excluded.capacity, draining = excluded.draining, \
             heartbeat_ms = excluded.heartbeat_ms",
        )
        .bind(beat.id.as_str())
        .bind(&beat.signal_url)
        .bind(i64::from(beat.capacity))
        .bind(flag(beat.draining))
        .bind(millis(beat.at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every registered node with the number of rooms placed on it.
    pub async fn media_nodes(&self) -> Result<Vec<MediaNode>> {
        let rows = sqlx::query(&format!("SELECT {NODE_COLUMNS} FROM media_nodes n"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(node_from_row).collect()
    }

    /// The node a room is placed on, if any.
    pub async fn placement(&self, room: &str) -> Result<Option<MediaNode>> {
        let row = sqlx::query(&format!(
            "SELECT {NODE_COLUMNS} FROM room_placements r JOIN media_nodes n ON n.id = r.node_id \
             WHERE r.room_id = $1"
        ))
        .bind(room)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(node_from_row).transpose()
    }

    /// Places the room on the node `pick` chooses from the registry as it is now, unless the
    /// room is placed already (then nothing changes). One placement at a time (an advisory
    /// lock on PostgreSQL; SQLite writes one at a time anyway): calls starting together would
    /// otherwise all see the same loads and crowd onto the same node.
    pub async fn place_room(
        &self,
        room: &str,
        at: Timestamp,
        pick: impl FnOnce(&[MediaNode]) -> Option<NodeId>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if self.dialect == super::Dialect::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(1917190419)")
                .execute(&mut *tx)
                .await?;
        }
        let placed: Option<String> =
            sqlx::query_scalar("SELECT node_id FROM room_placements WHERE room_id = $1")
                .bind(room)
                .fetch_optional(&mut *tx)
                .await?;
        if placed.is_none() {
            let rows = sqlx::query(&format!("SELECT {NODE_COLUMNS} FROM media_nodes n"))
                .fetch_all(&mut *tx)
                .await?;
            let nodes = rows.iter().map(node_from_row).collect::<Result<Vec<_>>>()?;
            if let Some(node) = pick(&nodes) {
                sqlx::query(
                    "INSERT INTO room_placements (room_id, node_id, placed_ms, seen_ms) \
                     VALUES ($1, $2, $3, $3) ON CONFLICT (room_id) DO NOTHING",
                )
                .bind(room)
                .bind(node.as_str())
                .bind(millis(at))
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Takes the room off `node`, only if it is still placed there: of two instances that found
    /// the node gone, the second removes nothing that the first placed anew.
    pub async fn unplace_room(&self, room: &str, node: &NodeId) -> Result<()> {
        sqlx::query("DELETE FROM room_placements WHERE room_id = $1 AND node_id = $2")
            .bind(room)
            .bind(node.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends a node's lease now (it refused a connection): its rooms are placed again at the
    /// next join. A node that is in fact alive renews it at its next heartbeat.
    pub async fn end_lease(&self, node: &NodeId) -> Result<()> {
        sqlx::query("UPDATE media_nodes SET heartbeat_ms = 0 WHERE id = $1")
            .bind(node.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The rooms placed on `node`.
    pub async fn rooms_placed_on(&self, node: &NodeId) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT room_id FROM room_placements WHERE node_id = $1")
                .bind(node.as_str())
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Marks the rooms running on `node` as seen at `at`.
    pub async fn saw_rooms(&self, node: &NodeId, rooms: &[String], at: Timestamp) -> Result<()> {
        // Every second for every room of the node: one statement per few hundred rooms, not
        // one per room (SQLite takes at most 32,766 parameters, PostgreSQL 65,535).
        for chunk in rooms.chunks(500) {
            let list = (0..chunk.len())
                .map(|i| format!("${}", i + 3))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "UPDATE room_placements SET seen_ms = $1 WHERE node_id = $2 AND room_id IN ({list})"
            );
            let mut query = sqlx::query(&sql).bind(millis(at)).bind(node.as_str());
            for room in chunk {
                query = query.bind(room);
            }
            query.execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Drops `node`'s placements not seen since `before`.
    pub async fn drop_idle_placements(&self, node: &NodeId, before: Timestamp) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM room_placements WHERE node_id = $1 AND seen_ms < $2")
                .bind(node.as_str())
                .bind(millis(before))
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }

    /// Takes a node out of the registry, with its placements (it stopped cleanly).
    pub async fn forget_media_node(&self, node: &NodeId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM room_placements WHERE node_id = $1")
            .bind(node.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM media_nodes WHERE id = $1")
            .bind(node.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
