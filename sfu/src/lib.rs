//! Selective forwarding unit for Videoloket's video rooms.
//!
//! One [`Sfu`] per node holds the rooms. Each participant has one WebRTC peer connection
//! on which it publishes its audio (Opus) and video (VP8 or H.264) and receives everybody
//! else's. RTP is forwarded without decoding; keyframe requests from subscribers are
//! relayed to the publisher.
//!
//! Two engines sit behind the same interface, chosen by [`SfuConfig::media_port`]:
//! - **port per peer** (`None`, the default): `peer.rs`, `forwarder.rs`, `room.rs` on the
//!   `webrtc` 0.21 async layer, which binds one UDP port per peer connection (from
//!   [`SfuConfig::port_range`]) and runs tasks per track.
//! - **per core** (`Some(port)`, issue 18): `per_core/`. One thread per core owns one UDP
//!   socket (`port + i`) and the rooms pinned to it, and drives the sans-IO `rtc` core
//!   directly: ICE-lite, datagrams routed to peer connections by ICE ufrag then by source
//!   address (`per_core/demux.rs`), packets forwarded on the thread that read them
//!   (`per_core/core_loop.rs`). With [`SfuConfig::ice_tcp`], one passive ICE-TCP listener
//!   per core on the same port number.
//!
//! Signalling is not done here: the `signaling` crate calls [`Sfu::connect`] when a
//! participant joins, relays [`SfuEvent::Offer`]s to the client and feeds its answer and
//! ICE candidates back through the returned [`PeerHandle`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), sfu::SfuError> {
//! let sfu = sfu::Sfu::new(sfu::SfuConfig::default());
//! let (peer, mut events) = sfu.connect("room-1", "participant-1").await?;
//! while let Some(event) = events.recv().await {
//!     if let sfu::SfuEvent::Offer { sdp } = event {
//!         // send `sdp` to the client, then: peer.apply_answer(answer_sdp).await?
//! #       let _ = sdp;
//!     }
//! }
//! # let _ = peer;
//! # Ok(()) }
//! ```

mod config;
mod engine;
mod error;
mod forwarder;
mod metrics;
mod peer;
mod per_core;
mod ports;
mod room;

pub use config::{IceServer, PortRange, SfuConfig};
pub use error::SfuError;

use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tracing::{info, warn};

use crate::metrics::Metrics;
use crate::peer::PeerSession;
use crate::per_core::{CorePeer, PerCore};
use crate::ports::PortAllocator;
use crate::room::{lock, Room};

/// Audio or video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    /// Opus audio.
    Audio,
    /// VP8 or H.264 video.
    Video,
}

impl MediaKind {
    /// Both kinds, audio first.
    pub const ALL: [MediaKind; 2] = [MediaKind::Audio, MediaKind::Video];

    pub(crate) fn index(self) -> usize {
        match self {
            MediaKind::Audio => 0,
            MediaKind::Video => 1,
        }
    }

    pub(crate) fn clock_rate(self) -> u32 {
        match self {
            MediaKind::Audio => 48_000,
            MediaKind::Video => 90_000,
        }
    }

    /// The codec a downlink of this kind is created with.
    pub(crate) fn default_mime(self) -> &'static str {
        match self {
            MediaKind::Audio => rtc::peer_connection::configuration::media_engine::MIME_TYPE_OPUS,
            MediaKind::Video => rtc::peer_connection::configuration::media_engine::MIME_TYPE_VP8,
        }
    }

    /// RTP timestamp advance of one typical frame (20 ms Opus, 30 fps video), used to
    /// bridge a gap when a stream's source changes.
    pub(crate) fn nominal_timestamp_step(self) -> u32 {
        match self {
            MediaKind::Audio => 960,
            MediaKind::Video => 3000,
        }
    }
}

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
        })
    }
}

impl From<MediaKind> for RtpCodecKind {
    fn from(kind: MediaKind) -> Self {
        match kind {
            MediaKind::Audio => RtpCodecKind::Audio,
            MediaKind::Video => RtpCodecKind::Video,
        }
    }
}

impl From<RtpCodecKind> for MediaKind {
    fn from(kind: RtpCodecKind) -> Self {
        match kind {
            RtpCodecKind::Audio => MediaKind::Audio,
            _ => MediaKind::Video,
        }
    }
}

/// A trickled ICE candidate from a client (the fields of `RTCIceCandidateInit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IceCandidate {
    /// The `candidate:...` attribute; empty signals end of candidates.
    pub candidate: String,
    /// Media section id the candidate belongs to.
    #[serde(default)]
    pub sdp_mid: Option<String>,
    /// Media section index the candidate belongs to.
    #[serde(default, rename = "sdpMLineIndex")]
    pub sdp_mline_index: Option<u16>,
    /// ICE username fragment of the generation the candidate belongs to.
    #[serde(default)]
    pub username_fragment: Option<String>,
}

/// Connection state of a participant's peer connection, as the SFU sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeerState {
    /// Media flows.
    Connected,
    /// Consent checks are failing; may recover by itself.
    Disconnected,
    /// ICE failed; the client should ask for an ICE restart or rejoin.
    Failed,
}

/// What the SFU needs the signalling layer to tell a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SfuEvent {
    /// A new SDP offer; the client must answer it via [`PeerHandle::apply_answer`].
    Offer {
        /// The offer, with the server's ICE candidates included.
        sdp: String,
    },
    /// The peer connection changed state.
    ConnectionState(PeerState),
}

/// State shared by every room and peer connection of one SFU.
pub(crate) struct SharedContext {
    pub config: SfuConfig,
    pub metrics: Arc<Metrics>,
    pub ports: PortAllocator,
}

/// The SFU of one node. Cheap to clone.
#[derive(Clone)]
pub struct Sfu {
    ctx: Arc<SharedContext>,
    rooms: Arc<Mutex<HashMap<String, Arc<Room>>>>,
    /// The per-core engine, when [`SfuConfig::media_port`] is set; the fields above then
    /// serve only the configuration and the node-wide counters.
    per_core: Option<Arc<PerCore>>,
    /// Set when the node is shutting down: calls in progress go on, no new call starts here.
    draining: Arc<std::sync::atomic::AtomicBool>,
}

impl fmt::Debug for Sfu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sfu")
            .field("rooms", &self.room_count())
            .field("participants", &self.participant_count())
            .finish()
    }
}

impl Sfu {
    /// Creates an SFU. With the port-per-peer engine nothing is bound until the first
    /// participant connects; the per-core engine binds its sockets and starts its threads
    /// here.
    ///
    /// # Panics
    /// When the per-core engine cannot bind its ports; [`Sfu::try_new`] returns the error.
    pub fn new(config: SfuConfig) -> Self {
        match Self::try_new(config) {
            Ok(sfu) => sfu,
            Err(err) => panic!("cannot start the media engine: {err}"),
        }
    }

    /// As [`Sfu::new`], with the per-core engine's bind errors returned.
    pub fn try_new(config: SfuConfig) -> Result<Self, SfuError> {
        let ports = PortAllocator::new(config.port_range);
        let metrics = Arc::new(Metrics::default());
        let per_core = match config.media_port {
            Some(port) => Some(Arc::new(PerCore::start(
                &config,
                port,
                Arc::clone(&metrics),
            )?)),
            None => None,
        };
        Ok(Self {
            ctx: Arc::new(SharedContext {
                config,
                metrics,
                ports,
            }),
            rooms: Arc::new(Mutex::new(HashMap::new())),
            per_core,
            draining: Arc::default(),
        })
    }

    /// The UDP addresses the per-core engine receives media on, one per core; empty for
    /// the port-per-peer engine.
    pub fn media_addrs(&self) -> Vec<std::net::SocketAddr> {
        self.per_core
            .as_ref()
            .map(|p| p.addrs().to_vec())
            .unwrap_or_default()
    }

    /// Stops starting new calls on this node (it is shutting down): a join that would open a
    /// new room gets [`SfuError::Draining`], while people joining or rejoining a call already
    /// here are still let in, so running calls can finish.
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Whether [`Sfu::start_draining`] was called.
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// The configuration this SFU runs with.
    pub fn config(&self) -> &SfuConfig {
        &self.ctx.config
    }

    /// Connects `participant_id` to `room_id` with a fresh peer connection and starts the
    /// first negotiation: the first event on the returned channel is an
    /// [`SfuEvent::Offer`].
    ///
    /// A participant that is already in the room (reconnecting, or a second tab) keeps its
    /// place: its previous peer connection is closed and replaced, and the others keep
    /// receiving its media on the same tracks once the new connection is up. A new
    /// participant beyond [`SfuConfig::max_participants`] gets [`SfuError::RoomFull`]; a new
    /// room while draining gets [`SfuError::Draining`].
    ///
    /// The caller owns room membership: calls of `connect`, [`Sfu::remove_participant`] and
    /// [`Sfu::close_room`] for one room must not overlap (the signalling layer makes them
    /// under its room's lock).
    pub async fn connect(
        &self,
        room_id: &str,
        participant_id: &str,
    ) -> Result<(PeerHandle, mpsc::UnboundedReceiver<SfuEvent>), SfuError> {
        if let Some(per_core) = &self.per_core {
            if self.is_draining() && !per_core.has_room(room_id) {
                return Err(SfuError::Draining);
            }
            let (peer, events) = per_core.connect(room_id, participant_id).await?;
            return Ok((
                PeerHandle {
                    session: Session::PerCore(peer),
                },
                events,
            ));
        }
        if self.is_draining() && !lock(&self.rooms).contains_key(room_id) {
            return Err(SfuError::Draining);
        }
        let room = self.room_for(room_id);
        let (participant, is_new) = match room.participant(participant_id) {
            Some(p) => (p, false),
            None => {
                let max = self.ctx.config.max_participants;
                let Some(p) = room.insert(participant_id, max) else {
                    self.remove_room_if_empty(&room);
                    return Err(SfuError::RoomFull { max });
                };
                (p, true)
            }
        };

        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let session = match self.open_session(&room, participant_id, events_tx).await {
            Ok(session) => session,
            Err(err) => {
                if is_new {
                    room.remove(participant_id);
                    self.remove_room_if_empty(&room);
                }
                return Err(err);
            }
        };
        let previous = lock(&participant.session).replace(Arc::clone(&session));
        if let Some(previous) = previous {
            previous.close().await;
        }
        if is_new {
            for other in room.others(participant_id) {
                if let Some(other_session) = other.current_session() {
                    for publication in &participant.publications {
                        if let Err(err) = other_session.add_downlink(publication).await {
                            warn!(%err, "adding downlink for new participant");
                        }
                    }
                    if let Err(err) = other_session.negotiate(false).await {
                        warn!(%err, "renegotiating after join");
                    }
                }
            }
        }
        info!(
            room = room_id,
            participant = participant_id,
            reconnect = !is_new,
            "participant connected"
        );
        session.negotiate(false).await?;
        Ok((
            PeerHandle {
                session: Session::PortPerPeer(session),
            },
            events_rx,
        ))
    }

    async fn open_session(
        &self,
        room: &Arc<Room>,
        participant_id: &str,
        events: mpsc::UnboundedSender<SfuEvent>,
    ) -> Result<Arc<PeerSession>, SfuError> {
        let session =
            PeerSession::open(Arc::clone(&self.ctx), room, participant_id, events).await?;
        for other in room.others(participant_id) {
            for publication in &other.publications {
                if let Err(err) = session.add_downlink(publication).await {
                    session.close().await;
                    return Err(err);
                }
            }
        }
        Ok(session)
    }

    /// Removes a participant for good (left, or did not come back in time): closes its peer
    /// connection, takes its tracks away from the others (renegotiating them) and drops the
    /// room when it was the last one. Not concurrently with other membership changes of
    /// the room (see [`Sfu::connect`]).
    pub async fn remove_participant(&self, room_id: &str, participant_id: &str) {
        if let Some(per_core) = &self.per_core {
            per_core.remove_participant(room_id, participant_id).await;
            return;
        }
        let Some(room) = lock(&self.rooms).get(room_id).cloned() else {
            return;
        };
        let Some(participant) = room.remove(participant_id) else {
            return;
        };
        let session = lock(&participant.session).take();
        if let Some(session) = session {
            session.close().await;
        }
        for other in room.others(participant_id) {
            if let Some(other_session) = other.current_session() {
                for publication in &participant.publications {
                    other_session.remove_downlink(publication).await;
                }
                if let Err(err) = other_session.negotiate(false).await {
                    warn!(%err, "renegotiating after leave");
                }
            }
        }
        info!(
            room = room_id,
            participant = participant_id,
            "participant removed"
        );
        self.remove_room_if_empty(&room);
    }

    /// Closes a room and everything in it (the appointment is over).
    pub async fn close_room(&self, room_id: &str) {
        if let Some(per_core) = &self.per_core {
            for id in per_core.participant_ids(room_id) {
                per_core.remove_participant(room_id, &id).await;
            }
            return;
        }
        let Some(room) = lock(&self.rooms).get(room_id).cloned() else {
            return;
        };
        for id in room.participant_ids() {
            self.remove_participant(room_id, &id).await;
        }
    }

    fn room_for(&self, room_id: &str) -> Arc<Room> {
        let mut rooms = lock(&self.rooms);
        Arc::clone(rooms.entry(room_id.to_owned()).or_insert_with(|| {
            Arc::new(Room::new(room_id.to_owned(), Arc::clone(&self.ctx.metrics)))
        }))
    }

    fn remove_room_if_empty(&self, room: &Arc<Room>) {
        if room.len() > 0 {
            return;
        }
        let mut rooms = lock(&self.rooms);
        if rooms.get(&room.id).is_some_and(|r| Arc::ptr_eq(r, room)) {
            rooms.remove(&room.id);
        }
    }

    /// Number of rooms with at least one participant.
    pub fn room_count(&self) -> usize {
        if let Some(per_core) = &self.per_core {
            return per_core.room_count();
        }
        lock(&self.rooms).len()
    }

    /// Number of participants over all rooms (reconnecting ones included).
    pub fn participant_count(&self) -> usize {
        if let Some(per_core) = &self.per_core {
            return per_core.participant_count();
        }
        self.rooms_snapshot().iter().map(|r| r.len()).sum()
    }

    /// Number of participants in one room.
    pub fn room_participant_count(&self, room_id: &str) -> usize {
        if let Some(per_core) = &self.per_core {
            return per_core.room_participant_count(room_id);
        }
        lock(&self.rooms).get(room_id).map_or(0, |r| r.len())
    }

    /// Open peer connections; equals the number of connected participants when idle.
    pub fn peer_connection_count(&self) -> i64 {
        self.ctx.metrics.peer_connections.load(Ordering::Relaxed)
    }

    /// Background tasks still alive (forwarders, stats and event loops).
    pub fn task_count(&self) -> i64 {
        self.ctx.metrics.tasks.load(Ordering::Relaxed)
    }

    /// Total RTP packets forwarded of one kind since start.
    pub fn forwarded_packets(&self, kind: MediaKind) -> u64 {
        self.ctx.metrics.forwarded_packets(kind)
    }

    fn rooms_snapshot(&self) -> Vec<Arc<Room>> {
        lock(&self.rooms).values().cloned().collect()
    }

    /// Prometheus text exposition of node and per-room figures, ready to be appended to
    /// `/metrics`. Every metric is prefixed `videoloket_sfu_`.
    pub fn metrics_text(&self) -> String {
        let mut rooms: Vec<_> = match &self.per_core {
            Some(per_core) => per_core.snapshots(),
            None => self.rooms_snapshot().iter().map(|r| r.snapshot()).collect(),
        };
        rooms.sort_by(|a, b| a.id.cmp(&b.id));
        metrics::render(&self.ctx.metrics, &rooms)
    }
}

/// A participant's current peer connection, as handed to the signalling layer. Stale
/// handles (after a reconnect replaced the connection) fail with [`SfuError::Closed`].
#[derive(Clone)]
pub struct PeerHandle {
    session: Session,
}

/// The peer connection behind a handle, in whichever engine runs.
#[derive(Clone)]
enum Session {
    PortPerPeer(Arc<PeerSession>),
    PerCore(CorePeer),
}

impl fmt::Debug for PeerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let participant = match &self.session {
            Session::PortPerPeer(s) => &s.participant_id,
            Session::PerCore(p) => &p.participant,
        };
        f.debug_struct("PeerHandle")
            .field("session", &self.session_id())
            .field("participant", participant)
            .finish()
    }
}

impl PeerHandle {
    /// Identifies this peer connection (changes on every reconnect).
    pub fn session_id(&self) -> u64 {
        match &self.session {
            Session::PortPerPeer(s) => s.id,
            Session::PerCore(p) => p.session,
        }
    }

    /// Applies the client's SDP answer to the last offer.
    pub async fn apply_answer(&self, sdp: String) -> Result<(), SfuError> {
        match &self.session {
            Session::PortPerPeer(s) => s.apply_answer(sdp).await,
            Session::PerCore(p) => p.apply_answer(sdp).await,
        }
    }

    /// Adds a trickled ICE candidate from the client.
    pub async fn add_ice_candidate(&self, candidate: IceCandidate) -> Result<(), SfuError> {
        match &self.session {
            Session::PortPerPeer(s) => s.add_ice_candidate(candidate).await,
            Session::PerCore(p) => p.add_ice_candidate(candidate).await,
        }
    }

    /// Sends a new offer (e.g. the client attached a camera later).
    pub async fn renegotiate(&self) -> Result<(), SfuError> {
        self.negotiate(false).await
    }

    /// Sends an offer with fresh ICE credentials (the client's network changed).
    pub async fn restart_ice(&self) -> Result<(), SfuError> {
        self.negotiate(true).await
    }

    async fn negotiate(&self, restart_ice: bool) -> Result<(), SfuError> {
        match &self.session {
            Session::PortPerPeer(s) => s.negotiate(restart_ice).await,
            Session::PerCore(p) => p.negotiate(restart_ice).await,
        }
    }

    /// Number of other participants' tracks this connection carries to the client.
    pub fn downlink_count(&self) -> usize {
        match &self.session {
            Session::PortPerPeer(s) => s.downlink_count(),
            Session::PerCore(p) => p.downlink_count(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    #[tokio::test]
    async fn draining_lets_running_calls_go_on_but_starts_no_new_one() {
        draining(None).await;
    }

    #[tokio::test]
    async fn draining_on_the_per_core_engine_too() {
        draining(Some(0)).await;
    }

    async fn draining(media_port: Option<u16>) {
        let sfu = Sfu::new(SfuConfig {
            bind_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            media_port,
            media_cores: Some(2),
            ..SfuConfig::default()
        });
        let (_resident, _events) = sfu.connect("call-1", "resident").await.unwrap();
        sfu.start_draining();

        assert!(matches!(
            sfu.connect("call-2", "resident").await,
            Err(SfuError::Draining)
        ));
        let (_clerk, _events) = sfu.connect("call-1", "clerk").await.unwrap();
        let (_again, _events) = sfu.connect("call-1", "resident").await.unwrap();
        assert_eq!(sfu.room_count(), 1);
        assert_eq!(sfu.room_participant_count("call-1"), 2);

        assert_eq!(
            sfu.peer_connection_count(),
            2,
            "the replaced connection is closed"
        );

        sfu.close_room("call-1").await;
        assert_eq!(sfu.room_count(), 0);
        assert_eq!(sfu.peer_connection_count(), 0);
    }
}
