//! Several instances on one PostgreSQL database (issue 19): the media-node registry from
//! booking's use cases, seen through signalling's [`signaling::Placement`], and the node's
//! heartbeat. Glue only: the rules are in `booking::domain::media_nodes`.

use booking::domain::media_nodes::{NodeId, HEARTBEAT_EVERY};
use booking::usecases::media_nodes::{self, Heartbeat};
use signaling::placement::BoxFuture;
use signaling::{Destination, Placement, SignalingState};
use std::time::Duration;

/// What this process is to the others.
#[derive(Debug, Clone)]
pub struct NodeSettings {
    pub id: NodeId,
    /// Where the instances reach this node's `/ws`.
    pub signal_url: String,
    /// Rooms it takes at most.
    pub capacity: u32,
}

/// Rooms placed through the registry. `here` is this process's own node id when it hosts calls
/// too (`--role all`); a room placed on it is served without a relay.
pub struct PlacedRooms {
    app: booking::App,
    here: Option<NodeId>,
}

impl PlacedRooms {
    pub fn new(app: booking::App, here: Option<NodeId>) -> Self {
        Self { app, here }
    }
}

impl Placement for PlacedRooms {
    fn place<'a>(&'a self, room: &'a str, excluded: Option<&'a str>) -> BoxFuture<'a, Destination> {
        Box::pin(async move {
            let excluded: Option<NodeId> = excluded.and_then(|id| id.parse().ok());
            match media_nodes::place(&self.app, room, excluded.as_ref()).await {
                Ok(Some(node)) if Some(&node.id) == self.here.as_ref() => Destination::Here,
                Ok(Some(node)) => Destination::Node {
                    id: node.id.to_string(),
                    signal_url: node.signal_url,
                },
                Ok(None) => Destination::Nowhere,
                Err(error) => {
                    tracing::warn!(%error, %room, "could not place the room");
                    Destination::Nowhere
                }
            }
        })
    }

    fn unreachable<'a>(&'a self, _room: &'a str, node: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let Ok(node) = node.parse::<NodeId>() else {
                return;
            };
            if let Err(error) = media_nodes::unreachable(&self.app, &node).await {
                tracing::warn!(%error, %node, "could not end the unreachable node's lease");
            }
        })
    }
}

/// Renews the node's lease every [`HEARTBEAT_EVERY`] with the rooms running here, and ends
/// here the rooms that were placed elsewhere meanwhile. Runs until the process stops.
pub fn spawn_heartbeat(
    app: booking::App,
    signaling: SignalingState,
    node: NodeSettings,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every = Duration::try_from(HEARTBEAT_EVERY).unwrap_or(Duration::from_secs(1));
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let beat = Heartbeat {
                id: node.id.clone(),
                signal_url: node.signal_url.clone(),
                capacity: node.capacity,
                draining: signaling.sfu().is_draining(),
                at: app.clock.now(),
            };
            let running = signaling.room_ids();
            match media_nodes::beat(&app, &beat, &running).await {
                Ok(elsewhere) => {
                    for room in elsewhere {
                        let people = signaling.evict_room(&room).await;
                        tracing::warn!(%room, people, "the room runs on another node now; its people join again there");
                    }
                }
                Err(error) => tracing::warn!(%error, "could not renew the media node's lease"),
            }
        }
    })
}

/// Takes the node out of the registry once it has stopped cleanly.
pub async fn leave(app: &booking::App, node: &NodeId) {
    if let Err(error) = media_nodes::leave(app, node).await {
        tracing::warn!(%error, %node, "could not leave the registry; the lease runs out by itself");
    }
}
