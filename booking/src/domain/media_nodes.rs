//! Media nodes and where each video room runs (several instances, issue 19): the rules, without
//! the database. A node holds a lease that it renews by beating its heart in the database; a room
//! is placed on the least-loaded node whose lease holds and that takes new rooms, and stays there
//! while that lease holds. Everyone in a room is sent to the node the placement names, whichever
//! instance their WebSocket reached, so that they meet.

use jiff::{SignedDuration, Timestamp};
use std::fmt;
use std::str::FromStr;

/// How often a node renews its lease.
pub const HEARTBEAT_EVERY: SignedDuration = SignedDuration::from_secs(1);

/// A node whose last heartbeat is older than this has lost its rooms: they are placed again at
/// the next join. Three missed heartbeats and some slack for a slow database.
pub const LEASE: SignedDuration = SignedDuration::from_millis(3_500);

/// A placement whose room has not been seen on its node for this long is dropped (the call
/// ended, or nobody ever arrived), so it stops counting as the node's load.
pub const IDLE_PLACEMENT: SignedDuration = SignedDuration::from_secs(30);

/// A node's name in the registry: 1 to 64 of `a-z 0-9 . _ -`, so it can sit in logs and URLs
/// without escaping.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(String);

impl NodeId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for NodeId {
    type Err = &'static str;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let ok = (1..=64).contains(&raw.len())
            && raw.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
            });
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err("a node id is 1 to 64 of a-z, 0-9, '.', '_' and '-'")
        }
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A node as the registry knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaNode {
    pub id: NodeId,
    /// Where instances reach the node's signalling endpoint (`ws://10.0.0.7:8080/ws`).
    pub signal_url: String,
    /// Rooms it takes at most.
    pub capacity: u32,
    /// Rooms placed on it now.
    pub placed: u32,
    /// Takes no new rooms (rolling upgrade); its rooms stay.
    pub draining: bool,
    pub heartbeat: Timestamp,
}

impl MediaNode {
    /// The node's lease holds: it beat its heart within [`LEASE`].
    pub fn alive(&self, now: Timestamp) -> bool {
        now.duration_since(self.heartbeat) <= LEASE
    }

    fn takes_new_rooms(&self, now: Timestamp) -> bool {
        self.alive(now) && !self.draining && self.placed < self.capacity
    }
}

/// The node a new room goes to: the least-loaded one that takes new rooms, other than
/// `excluded` (a node the caller just failed to reach). Ties are broken by the room's id, so
/// rooms spread over equally loaded nodes and two instances choosing for one room choose alike.
pub fn choose<'a>(
    room: &str,
    nodes: &'a [MediaNode],
    now: Timestamp,
    excluded: Option<&NodeId>,
) -> Option<&'a MediaNode> {
    let open: Vec<&MediaNode> = nodes
        .iter()
        .filter(|n| n.takes_new_rooms(now) && Some(&n.id) != excluded)
        .collect();
    let least = open.iter().map(|n| n.placed).min()?;
    let mut tied: Vec<&MediaNode> = open.into_iter().filter(|n| n.placed == least).collect();
    tied.sort_by(|a, b| a.id.cmp(&b.id));
    let pick = usize::try_from(fnv1a(room.as_bytes()) % tied.len() as u64).unwrap_or(0);
    tied.get(pick).copied()
}

/// Whether a room placed on `node` may stay there: its lease holds and the caller could reach
/// it. A draining node keeps its rooms.
pub fn keeps_room(node: &MediaNode, now: Timestamp, excluded: Option<&NodeId>) -> bool {
    node.alive(now) && Some(&node.id) != excluded
}

/// FNV-1a, 64 bits: stable across processes and versions (the standard library's hasher is not
/// promised to be).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, placed: u32, beat_ms_ago: i64, now: Timestamp) -> MediaNode {
        MediaNode {
            id: id.parse().unwrap(),
            signal_url: format!("ws://{id}/ws"),
            capacity: 10,
            placed,
            draining: false,
            heartbeat: now - SignedDuration::from_millis(beat_ms_ago),
        }
    }

    fn now() -> Timestamp {
        "2026-12-05T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn the_least_loaded_live_node_gets_the_room() {
        let now = now();
        let nodes = [
            node("a", 3, 100, now),
            node("b", 1, 100, now),
            node("c", 0, 9_000, now),
        ];
        assert_eq!(
            choose("room-1", &nodes, now, None).unwrap().id.as_str(),
            "b"
        );
    }

    #[test]
    fn draining_full_and_excluded_nodes_take_no_new_room() {
        let now = now();
        let mut draining = node("a", 0, 0, now);
        draining.draining = true;
        let mut full = node("b", 10, 0, now);
        full.capacity = 10;
        let c = node("c", 5, 0, now);
        let nodes = [draining, full, c.clone()];
        assert_eq!(choose("r", &nodes, now, None), Some(&c));
        assert_eq!(choose("r", &nodes, now, Some(&c.id)), None);
    }

    #[test]
    fn ties_spread_rooms_over_nodes_and_every_instance_picks_alike() {
        let now = now();
        let nodes = [node("a", 2, 0, now), node("b", 2, 0, now)];
        let mut reversed = nodes.clone();
        reversed.reverse();
        let mut on_a = 0;
        for i in 0..200 {
            let room = format!("room-{i}");
            let pick = choose(&room, &nodes, now, None).unwrap();
            assert_eq!(pick, choose(&room, &reversed, now, None).unwrap());
            if pick.id.as_str() == "a" {
                on_a += 1;
            }
        }
        assert!((60..=140).contains(&on_a), "{on_a} of 200 on one node");
    }

    #[test]
    fn a_lease_lapses_after_missed_heartbeats() {
        let now = now();
        assert!(node("a", 0, 3_000, now).alive(now));
        assert!(!node("a", 0, 4_000, now).alive(now));
        let draining = MediaNode {
            draining: true,
            ..node("a", 0, 0, now)
        };
        assert!(keeps_room(&draining, now, None));
        assert!(!keeps_room(&draining, now, Some(&draining.id)));
    }

    #[test]
    fn node_ids_are_plain() {
        assert!("media-1.ams".parse::<NodeId>().is_ok());
        for bad in ["", "Media", "a b", "a/b", &"x".repeat(65)] {
            assert!(bad.parse::<NodeId>().is_err(), "{bad:?}");
        }
    }
}
