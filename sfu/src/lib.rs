//! Selective forwarding unit for Videoloket's video rooms.
//!
//! One [`Sfu`] per node holds the rooms. Each participant has one WebRTC peer connection
//! on which it publishes its audio (Opus) and video (VP8 or H.264) and receives everybody
//! else's. RTP is forwarded without decoding; keyframe requests from subscribers are
//! relayed to the publisher.
//!
//! The media engine (`per_core/`, issue 18) runs one thread per core, each owning one UDP
//! socket ([`SfuConfig::media_port`]` + i`) and the rooms pinned to it, and drives the
//! sans-IO `rtc` core directly: ICE-lite, datagrams routed to peer connections by ICE ufrag
//! then by source address (`per_core/demux.rs`), packets forwarded on the thread that read
//! them (`per_core/core_loop.rs`). With [`SfuConfig::ice_tcp`], one passive ICE-TCP
//! listener per core on the same port number. An instance that hosts no calls (an
//! `--role api` instance) uses [`Sfu::without_media`]: no socket, no thread.
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
mod keyframe_gate;
mod metrics;
mod per_core;
mod rewriter;
mod sdp;

pub use config::{IceServer, SfuConfig};
pub use error::SfuError;

use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

use crate::metrics::Metrics;
use crate::per_core::{CorePeer, PerCore};
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

/// The SFU of one node. Cheap to clone.
#[derive(Clone)]
pub struct Sfu {
    config: Arc<SfuConfig>,
    metrics: Arc<Metrics>,
    /// The media cores; `None` on an instance that hosts no calls.
    cores: Option<Arc<PerCore>>,
    /// Set when the node is shutting down: calls in progress go on, no new call starts here.
    draining: Arc<AtomicBool>,
}

impl fmt::Debug for Sfu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sfu")
            .field("hosts_calls", &self.hosts_calls())
            .field("rooms", &self.room_count())
            .field("participants", &self.participant_count())
            .finish()
    }
}

impl Sfu {
    /// Creates an SFU: binds the media sockets and starts the media threads.
    ///
    /// # Panics
    /// When a media socket cannot be bound; [`Sfu::try_new`] returns the error.
    pub fn new(config: SfuConfig) -> Self {
        match Self::try_new(config) {
            Ok(sfu) => sfu,
            Err(err) => panic!("cannot start the media engine: {err}"),
        }
    }

    /// As [`Sfu::new`], with bind errors returned, so a node that cannot take calls fails
    /// when it starts rather than at its first call.
    pub fn try_new(config: SfuConfig) -> Result<Self, SfuError> {
        let metrics = Arc::new(Metrics::default());
        let cores = PerCore::start(&config, config.media_port, Arc::clone(&metrics))?;
        Ok(Self {
            config: Arc::new(config),
            metrics,
            cores: Some(Arc::new(cores)),
            draining: Arc::default(),
        })
    }

    /// An SFU that hosts no calls (an `--role api` instance, whose calls run on the media
    /// nodes): it binds no socket and starts no thread, and [`Sfu::connect`] fails with
    /// [`SfuError::NoMedia`]. `config` still answers [`Sfu::config`] (ICE servers for
    /// clients).
    pub fn without_media(config: SfuConfig) -> Self {
        Self {
            config: Arc::new(config),
            metrics: Arc::default(),
            cores: None,
            draining: Arc::default(),
        }
    }

    /// Whether this SFU can host calls (it was not made by [`Sfu::without_media`]).
    pub fn hosts_calls(&self) -> bool {
        self.cores.is_some()
    }

    /// The UDP addresses media is received on, one per core; empty when hosting no calls.
    pub fn media_addrs(&self) -> Vec<std::net::SocketAddr> {
        self.cores
            .as_ref()
            .map(|c| c.addrs().to_vec())
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
        &self.config
    }

    /// Connects `participant_id` to `room_id` with a fresh peer connection and starts the
    /// first negotiation: the first event on the returned channel is an
    /// [`SfuEvent::Offer`].
    ///
    /// A participant that is already in the room (reconnecting, or a second tab) keeps its
    /// place: its previous peer connection is closed and replaced, and the others keep
    /// receiving its media on the same tracks once the new connection is up. A new
    /// participant beyond [`SfuConfig::max_participants`] gets [`SfuError::RoomFull`]; a new
    /// room while draining gets [`SfuError::Draining`]; an SFU without media gets
    /// [`SfuError::NoMedia`].
    ///
    /// The caller owns room membership: calls of `connect`, [`Sfu::remove_participant`] and
    /// [`Sfu::close_room`] for one room must not overlap (the signalling layer makes them
    /// under its room's lock).
    pub async fn connect(
        &self,
        room_id: &str,
        participant_id: &str,
    ) -> Result<(PeerHandle, mpsc::UnboundedReceiver<SfuEvent>), SfuError> {
        let cores = self.cores.as_ref().ok_or(SfuError::NoMedia)?;
        if self.is_draining() && !cores.has_room(room_id) {
            return Err(SfuError::Draining);
        }
        let (peer, events) = cores.connect(room_id, participant_id).await?;
        Ok((PeerHandle { peer }, events))
    }

    /// Removes a participant for good (left, or did not come back in time): closes its peer
    /// connection, takes its tracks away from the others (renegotiating them) and drops the
    /// room when it was the last one. Not concurrently with other membership changes of
    /// the room (see [`Sfu::connect`]).
    pub async fn remove_participant(&self, room_id: &str, participant_id: &str) {
        if let Some(cores) = &self.cores {
            cores.remove_participant(room_id, participant_id).await;
        }
    }

    /// Closes a room and everything in it (the appointment is over).
    pub async fn close_room(&self, room_id: &str) {
        if let Some(cores) = &self.cores {
            for id in cores.participant_ids(room_id) {
                cores.remove_participant(room_id, &id).await;
            }
        }
    }

    /// Number of rooms with at least one participant.
    pub fn room_count(&self) -> usize {
        self.cores.as_ref().map_or(0, |c| c.room_count())
    }

    /// Number of participants over all rooms (reconnecting ones included).
    pub fn participant_count(&self) -> usize {
        self.cores.as_ref().map_or(0, |c| c.participant_count())
    }

    /// Number of participants in one room.
    pub fn room_participant_count(&self, room_id: &str) -> usize {
        self.cores
            .as_ref()
            .map_or(0, |c| c.room_participant_count(room_id))
    }

    /// Open peer connections; equals the number of connected participants when idle.
    pub fn peer_connection_count(&self) -> i64 {
        self.metrics.peer_connections.load(Ordering::Relaxed)
    }

    /// Total RTP packets forwarded of one kind since start.
    pub fn forwarded_packets(&self, kind: MediaKind) -> u64 {
        self.metrics.forwarded_packets(kind)
    }

    /// Prometheus text exposition of node and per-room figures, ready to be appended to
    /// `/metrics`. Every metric is prefixed `videoloket_sfu_`.
    pub fn metrics_text(&self) -> String {
        let mut rooms = self
            .cores
            .as_ref()
            .map(|c| c.snapshots())
            .unwrap_or_default();
        rooms.sort_by(|a, b| a.id.cmp(&b.id));
        metrics::render(&self.metrics, &rooms)
    }
}

/// A participant's current peer connection, as handed to the signalling layer. Stale
/// handles (after a reconnect replaced the connection) fail with [`SfuError::Closed`].
#[derive(Clone)]
pub struct PeerHandle {
    peer: CorePeer,
}

impl fmt::Debug for PeerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeerHandle")
            .field("session", &self.session_id())
            .field("participant", &self.peer.participant)
            .finish()
    }
}

impl PeerHandle {
    /// Identifies this peer connection (changes on every reconnect).
    pub fn session_id(&self) -> u64 {
        self.peer.session
    }

    /// Applies the client's SDP answer to the last offer.
    pub async fn apply_answer(&self, sdp: String) -> Result<(), SfuError> {
        self.peer.apply_answer(sdp).await
    }

    /// Adds a trickled ICE candidate from the client.
    pub async fn add_ice_candidate(&self, candidate: IceCandidate) -> Result<(), SfuError> {
        self.peer.add_ice_candidate(candidate).await
    }

    /// Sends a new offer (e.g. the client attached a camera later).
    pub async fn renegotiate(&self) -> Result<(), SfuError> {
        self.peer.negotiate(false).await
    }

    /// Sends an offer with fresh ICE credentials (the client's network changed).
    pub async fn restart_ice(&self) -> Result<(), SfuError> {
        self.peer.negotiate(true).await
    }

    /// Number of other participants' tracks this connection carries to the client.
    pub fn downlink_count(&self) -> usize {
        self.peer.downlink_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    fn loopback() -> SfuConfig {
        SfuConfig {
            bind_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            media_cores: Some(2),
            ..SfuConfig::default()
        }
    }

    #[tokio::test]
    async fn draining_lets_running_calls_go_on_but_starts_no_new_one() {
        let sfu = Sfu::new(loopback());
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

    #[tokio::test]
    async fn an_sfu_without_media_binds_nothing_and_refuses_calls() {
        let sfu = Sfu::without_media(loopback());
        assert!(!sfu.hosts_calls());
        assert!(sfu.media_addrs().is_empty());
        assert!(matches!(
            sfu.connect("call-1", "resident").await,
            Err(SfuError::NoMedia)
        ));
        assert_eq!(sfu.room_count(), 0);
        assert!(sfu.metrics_text().contains("videoloket_sfu_rooms 0\n"));
    }

    #[test]
    fn a_taken_media_port_fails_at_start() {
        let taken = std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = taken.local_addr().unwrap().port();
        let result = Sfu::try_new(SfuConfig {
            media_port: port,
            media_cores: Some(1),
            ..loopback()
        });
        assert!(matches!(result, Err(SfuError::NoPort(_))), "{result:?}");
    }
}
