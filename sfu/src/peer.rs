//! One participant's peer connection with the SFU, and the offer/answer cycle on it.
//!
//! The SFU is always the offerer: it knows when tracks come and go, and a single offerer
//! means no glare. A client that needs a new negotiation (camera added late, network
//! change) asks for one and receives an offer.

use rtc::ice::mdns::MulticastDnsMode;
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::transport::RTCIceCandidateType;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodingParameters, RTCRtpEncodingParameters,
};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tracing::{debug, info, warn};
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_remote::TrackRemote;
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCConfigurationBuilder,
    RTCIceCandidateInit, RTCIceGatheringState, RTCPeerConnectionState, RTCSessionDescription,
    SettingEngineBuilder, StatsSelector,
};
use webrtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};

use crate::engine::media_setup;
use crate::forwarder::{Downlink, KeyframeNeed, Publication};
use crate::metrics::{spawn_tracked, TransportStats};
use crate::room::Room;
use crate::{IceCandidate, MediaKind, PeerState, SfuError, SfuEvent, SharedContext};

static SESSION_IDS: AtomicU64 = AtomicU64::new(1);

/// Key of a publication: (publisher id, kind).
pub(crate) type PublicationKey = (String, MediaKind);

/// What the PC's event handler reports; handled in order by the session's event task,
/// because callbacks run on the connection's driver and must not block it.
enum PcEvent {
    Track(Arc<dyn TrackRemote>),
    Gathering(RTCIceGatheringState),
    State(RTCPeerConnectionState),
}

struct Handler {
    tx: mpsc::UnboundedSender<PcEvent>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let _ = self.tx.send(PcEvent::Track(track));
    }
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        let _ = self.tx.send(PcEvent::Gathering(state));
    }
    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        let _ = self.tx.send(PcEvent::State(state));
    }
}

#[derive(Debug, Default)]
struct Negotiation {
    /// An offer is out and its answer has not been applied yet.
    awaiting_answer: bool,
    /// Something changed while an offer was out: offer again after the answer.
    pending: bool,
    /// The next offer restarts ICE.
    restart_ice: bool,
    /// Whether an offer was ever sent (the first one waits for ICE gathering).
    offered: bool,
}

/// One peer connection of one participant. Replaced wholesale when the participant
/// reconnects.
pub(crate) struct PeerSession {
    pub id: u64,
    pub participant_id: String,
    room: Weak<Room>,
    pc: Arc<dyn PeerConnection>,
    ctx: Arc<SharedContext>,
    events: mpsc::UnboundedSender<SfuEvent>,
    negotiation: tokio::sync::Mutex<Negotiation>,
    downlinks: Mutex<HashMap<PublicationKey, Arc<Downlink>>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// Number of times ICE gathering reached `complete`.
    gathered: watch::Receiver<u64>,
    pub stats: Mutex<TransportStats>,
    closed: AtomicBool,
}

impl PeerSession {
    /// Builds the peer connection with its two uplink transceivers (recvonly from the
    /// SFU's side: the client publishes on them) and starts its background tasks.
    pub async fn open(
        ctx: Arc<SharedContext>,
        room: &Arc<Room>,
        participant_id: &str,
        events: mpsc::UnboundedSender<SfuEvent>,
    ) -> Result<Arc<Self>, SfuError> {
        let (pc_tx, pc_rx) = mpsc::unbounded_channel();
        let pc = build_peer_connection(&ctx, pc_tx).await?;
        ctx.metrics.peer_connections.fetch_add(1, Ordering::Relaxed);
        let (gathered_tx, gathered_rx) = watch::channel(0u64);
        let session = Arc::new(Self {
            id: SESSION_IDS.fetch_add(1, Ordering::Relaxed),
            participant_id: participant_id.to_owned(),
            room: Arc::downgrade(room),
            pc,
            ctx: Arc::clone(&ctx),
            events,
            negotiation: tokio::sync::Mutex::new(Negotiation::default()),
            downlinks: Mutex::new(HashMap::new()),
            tasks: Mutex::new(Vec::new()),
            gathered: gathered_rx,
            stats: Mutex::new(TransportStats::default()),
            closed: AtomicBool::new(false),
        });

        // Uplink transceivers first, so they are the first audio and video m-sections: a
        // client's addTrack() picks the first transceiver of the matching kind.
        for kind in MediaKind::ALL {
            let init = RTCRtpTransceiverInit {
                direction: RTCRtpTransceiverDirection::Recvonly,
                streams: vec![],
                send_encodings: vec![],
            };
            if let Err(err) = session
                .pc
                .add_transceiver_from_kind(kind.into(), Some(init))
                .await
            {
                session.close().await;
                return Err(err.into());
            }
        }

        let event_task = spawn_tracked(
            &ctx.metrics,
            Self::run_events(Arc::downgrade(&session), pc_rx, gathered_tx),
        );
        let stats_task = spawn_tracked(&ctx.metrics, Self::run_stats(Arc::downgrade(&session)));
        session.track_task(event_task);
        session.track_task(stats_task);
        Ok(session)
    }

    fn track_task(&self, handle: JoinHandle<()>) {
        let mut tasks = lock(&self.tasks);
        tasks.retain(|t| !t.is_finished());
        tasks.push(handle);
    }

    /// Processes the PC's events until it closes.
    async fn run_events(
        session: Weak<Self>,
        mut rx: mpsc::UnboundedReceiver<PcEvent>,
        gathered: watch::Sender<u64>,
    ) {
        while let Some(event) = rx.recv().await {
            let Some(this) = session.upgrade() else { break };
            match event {
                PcEvent::Track(track) => this.on_track(track).await,
                PcEvent::Gathering(RTCIceGatheringState::Complete) => {
                    gathered.send_modify(|n| *n += 1);
                }
                PcEvent::Gathering(_) => {}
                PcEvent::State(state) => {
                    debug!(participant = %this.participant_id, %state, "peer connection state");
                    let state = match state {
                        RTCPeerConnectionState::Connected => Some(PeerState::Connected),
                        RTCPeerConnectionState::Disconnected => Some(PeerState::Disconnected),
                        RTCPeerConnectionState::Failed => Some(PeerState::Failed),
                        _ => None,
                    };
                    if let Some(state) = state {
                        let _ = this.events.send(SfuEvent::ConnectionState(state));
                    }
                }
            }
        }
    }

    /// Samples loss and RTT for `/metrics`.
    async fn run_stats(session: Weak<Self>) {
        let Some(interval) = session.upgrade().map(|s| s.ctx.config.stats_interval) else {
            return;
        };
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let Some(this) = session.upgrade() else {
                return;
            };
            if this.closed.load(Ordering::Acquire) {
                return;
            }
            let report = this.pc.get_stats(Instant::now(), StatsSelector::None).await;
            let packets_lost = report
                .inbound_rtp_streams()
                .map(|s| s.received_rtp_stream_stats.packets_lost)
                .sum();
            let rtt_seconds = report
                .candidate_pairs()
                .filter(|p| p.nominated && p.current_round_trip_time > 0.0)
                .map(|p| p.current_round_trip_time)
                .reduce(f64::max);
            *lock(&this.stats) = TransportStats {
                packets_lost,
                rtt_seconds,
            };
        }
    }

    async fn on_track(self: &Arc<Self>, track: Arc<dyn TrackRemote>) {
        let kind = MediaKind::from(track.kind().await);
        let Some(room) = self.room.upgrade() else {
            return;
        };
        let Some(publication) = room.publication(&self.participant_id, kind) else {
            return;
        };
        info!(room = %room.id, participant = %self.participant_id, %kind, "publishing");
        let task = spawn_tracked(
            &self.ctx.metrics,
            publication.run_source(track, Weak::clone(&self.room)),
        );
        self.track_task(task);
    }

    /// Adds an outgoing track for `publication` (another participant's audio or video).
    /// Takes effect with the next negotiation.
    pub async fn add_downlink(&self, publication: &Arc<Publication>) -> Result<(), SfuError> {
        let key = (publication.publisher_id.clone(), publication.kind);
        if lock(&self.downlinks).contains_key(&key) {
            return Ok(());
        }
        let ssrc = rand::random::<u32>();
        let mime = publication.downlink_mime();
        // The codec here only seeds the sender; the payload type actually written is looked
        // up per packet from what the leg negotiated (see `Downlink::forward`).
        let track = Arc::new(TrackLocalStaticRTP::new(MediaStreamTrack::new(
            publication.publisher_id.clone(),
            format!("{}-{}", publication.publisher_id, publication.kind),
            format!("{} {}", publication.publisher_id, publication.kind),
            publication.kind.into(),
            vec![RTCRtpEncodingParameters {
                rtp_coding_parameters: RTCRtpCodingParameters {
                    ssrc: Some(ssrc),
                    ..Default::default()
                },
                codec: RTCRtpCodec {
                    mime_type: mime.clone(),
                    clock_rate: publication.kind.clock_rate(),
                    channels: if publication.kind == MediaKind::Audio {
                        2
                    } else {
                        0
                    },
                    ..Default::default()
                },
                ..Default::default()
            }],
        )));
        let init = RTCRtpTransceiverInit {
            direction: RTCRtpTransceiverDirection::Sendonly,
            streams: vec![],
            send_encodings: vec![],
        };
        let transceiver = self
            .pc
            .add_transceiver_from_track(Arc::clone(&track) as Arc<dyn TrackLocal>, Some(init))
            .await?;
        let sender = transceiver.sender().await?.ok_or(SfuError::Closed)?;
        let downlink = Arc::new(Downlink::new(
            self.id,
            track,
            sender,
            ssrc,
            publication.kind,
            &mime,
        ));
        lock(&self.downlinks).insert(key, Arc::clone(&downlink));
        publication.add_sink(downlink);
        Ok(())
    }

    /// Creates the outgoing track for `publication` again when it was created with another
    /// codec than the publisher turned out to send, and renegotiates. A subscriber is only
    /// offered the codec of its track, so without this it could not receive that video.
    pub async fn follow_codec(&self, publication: &Arc<Publication>) {
        let key = (publication.publisher_id.clone(), publication.kind);
        let stale = lock(&self.downlinks)
            .get(&key)
            .is_some_and(|d| !d.mime.eq_ignore_ascii_case(&publication.downlink_mime()));
        if !stale {
            return;
        }
        info!(subscriber = %self.participant_id, publisher = %publication.publisher_id, mime = %publication.downlink_mime(), "downlink follows the publisher's codec");
        self.remove_downlink(publication).await;
        if let Err(err) = self.add_downlink(publication).await {
            warn!(%err, "adding downlink with the publisher's codec");
            return;
        }
        if let Err(err) = self.negotiate(false).await {
            warn!(%err, "renegotiating after a codec change");
        }
    }

    /// Removes the outgoing track for a publication whose publisher left. Takes effect
    /// with the next negotiation.
    pub async fn remove_downlink(&self, publication: &Publication) {
        let key = (publication.publisher_id.clone(), publication.kind);
        let removed = lock(&self.downlinks).remove(&key);
        if let Some(downlink) = removed {
            publication.remove_sinks_of_session(self.id);
            if let Err(err) = self.pc.remove_track(&downlink.sender).await {
                debug!(%err, "remove_track");
            }
        }
    }

    /// Starts an offer now, or after the outstanding one is answered.
    pub async fn negotiate(&self, restart_ice: bool) -> Result<(), SfuError> {
        let mut st = self.negotiation.lock().await;
        st.restart_ice |= restart_ice;
        if st.awaiting_answer {
            st.pending = true;
            return Ok(());
        }
        self.send_offer(&mut st).await
    }

    async fn send_offer(&self, st: &mut Negotiation) -> Result<(), SfuError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(SfuError::Closed);
        }
        let wait_for_gathering = !st.offered || st.restart_ice;
        let gathered_before = *self.gathered.borrow();
        if st.restart_ice {
            self.pc.restart_ice().await?;
        }
        let offer = self.pc.create_offer(None).await?;
        self.pc.set_local_description(offer).await?;
        st.restart_ice = false;
        st.pending = false;
        st.offered = true;
        st.awaiting_answer = true;

        // Server candidates travel inside the SDP: host (and TCP) gathering takes
        // milliseconds, and clients then need no server-side trickle at all.
        if wait_for_gathering {
            let mut gathered = self.gathered.clone();
            let wait = gathered.wait_for(|n| *n > gathered_before);
            if tokio::time::timeout(self.ctx.config.gather_timeout, wait)
                .await
                .is_err()
            {
                warn!(participant = %self.participant_id, "ICE gathering timed out; offering what we have");
            }
        }
        let sdp = self
            .pc
            .local_description()
            .await
            .ok_or(SfuError::Closed)?
            .sdp;
        let sdp = with_msid_semantic(sdp);
        self.ctx.metrics.offers.fetch_add(1, Ordering::Relaxed);
        self.events
            .send(SfuEvent::Offer { sdp })
            .map_err(|_| SfuError::Closed)?;
        Ok(())
    }

    /// Applies the client's answer; then sends the next offer if one is pending.
    pub async fn apply_answer(&self, sdp: String) -> Result<(), SfuError> {
        let mut st = self.negotiation.lock().await;
        if !st.awaiting_answer {
            return Err(SfuError::InvalidInput {
                what: "answer",
                reason: "no offer is outstanding".into(),
            });
        }
        let desc = RTCSessionDescription::answer(sdp).map_err(|e| SfuError::InvalidInput {
            what: "answer",
            reason: e.to_string(),
        })?;
        self.pc
            .set_remote_description(desc)
            .await
            .map_err(|e| SfuError::InvalidInput {
                what: "answer",
                reason: e.to_string(),
            })?;
        st.awaiting_answer = false;
        self.after_negotiation().await;
        if st.pending || st.restart_ice {
            self.send_offer(&mut st).await?;
        }
        Ok(())
    }

    /// Once an answer is applied, downlink tracks are bound: learn their payload types,
    /// relay their keyframe requests, and get subscribers a keyframe to start from.
    async fn after_negotiation(&self) {
        let Some(room) = self.room.upgrade() else {
            return;
        };
        let downlinks: Vec<(PublicationKey, Arc<Downlink>)> = lock(&self.downlinks)
            .iter()
            .map(|(k, d)| (k.clone(), Arc::clone(d)))
            .collect();
        for ((publisher, kind), downlink) in downlinks {
            downlink.refresh_payload_types().await;
            let Some(publication) = room.publication(&publisher, kind) else {
                continue;
            };
            if let Some(reader) = downlink.rtcp_reader(Arc::downgrade(&publication)) {
                let task = spawn_tracked(&self.ctx.metrics, reader);
                self.track_task(task);
                // This subscriber can show nothing before a keyframe: ask at once.
                publication.request_keyframe(KeyframeNeed::Start).await;
            }
        }
    }

    pub async fn add_ice_candidate(&self, candidate: IceCandidate) -> Result<(), SfuError> {
        if candidate.candidate.trim().is_empty() {
            return Ok(()); // end-of-candidates
        }
        let init = RTCIceCandidateInit {
            candidate: candidate.candidate,
            sdp_mid: candidate.sdp_mid,
            sdp_mline_index: candidate.sdp_mline_index,
            username_fragment: candidate.username_fragment,
            ..Default::default()
        };
        self.pc
            .add_ice_candidate(init)
            .await
            .map_err(|e| SfuError::InvalidInput {
                what: "candidate",
                reason: e.to_string(),
            })
    }

    pub fn downlink_count(&self) -> usize {
        lock(&self.downlinks).len()
    }

    /// Closes the peer connection and stops every task of this session. Idempotent.
    pub async fn close(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Some(room) = self.room.upgrade() {
            room.detach_session(self.id);
        }
        lock(&self.downlinks).clear();
        if let Err(err) = self.pc.close().await {
            debug!(%err, "closing peer connection");
        }
        self.ctx
            .metrics
            .peer_connections
            .fetch_sub(1, Ordering::Relaxed);
        // Forwarders end by themselves once the PC's streams end; abort is the backstop.
        let tasks = std::mem::take(&mut *lock(&self.tasks));
        for task in tasks {
            task.abort();
        }
    }
}

async fn build_peer_connection(
    ctx: &SharedContext,
    events: mpsc::UnboundedSender<PcEvent>,
) -> Result<Arc<dyn PeerConnection>, SfuError> {
    let config = &ctx.config;
    let mut last_err = None;
    for port in ctx.ports.candidates(config.bind_ip, config.ice_tcp) {
        let addr = SocketAddr::new(config.bind_ip, port);
        let (engine, registry) = media_setup()?;
        let mut settings = SettingEngineBuilder::new()
            // No multicast socket per connection; browsers' .local candidates are not
            // needed because the SFU learns their address from their checks.
            .with_multicast_dns_mode(MulticastDnsMode::Disabled)
            .with_include_loopback_candidate(config.bind_ip.is_loopback())
            // The SFU is ICE-controlled and only has host candidates, so the pair browsers
            // nominate uses a peer-reflexive address learnt from their checks; the default
            // one-second wait before accepting such a pair was most of the join time (loadtest).
            .with_prflx_acceptance_min_wait(Some(std::time::Duration::ZERO));
        if let Some(ip) = config.public_ip {
            settings = settings.with_nat_1to1_ips(vec![ip.to_string()], RTCIceCandidateType::Host);
        }
        let tcp_addrs = if config.ice_tcp { vec![addr] } else { vec![] };
        let result = PeerConnectionBuilder::new()
            .with_configuration(RTCConfigurationBuilder::new().build())
            .with_media_engine(engine)
            .with_interceptor_registry(registry)
            .with_setting_engine(settings.build())
            .with_handler(Arc::new(Handler { tx: events.clone() }))
            .with_udp_addrs(vec![addr])
            .with_tcp_addrs(tcp_addrs)
            .build()
            .await;
        match result {
            Ok(pc) => return Ok(Arc::new(pc)),
            Err(err) => {
                warn!(%addr, %err, "could not open peer connection on this port");
                last_err = Some(err.to_string());
            }
        }
    }
    Err(SfuError::NoPort(
        last_err.unwrap_or_else(|| "port range exhausted".into()),
    ))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Adds the session-level `a=msid-semantic:WMS *` line when the offer lacks it. `rtc` 0.21
/// writes it only once a remote description exists, so the first offer went without, and
/// stacks that follow the spec strictly then ignore the `a=msid` of every m-section.
pub(crate) fn with_msid_semantic(sdp: String) -> String {
    if sdp.lines().any(|line| line.starts_with("a=msid-semantic:")) {
        return sdp;
    }
    match sdp.find("\r\nm=") {
        Some(at) => {
            let (session, media) = sdp.split_at(at);
            format!("{session}\r\na=msid-semantic:WMS *{media}")
        }
        None => sdp,
    }
}

#[cfg(test)]
mod tests {
    use super::with_msid_semantic;

    #[test]
    fn an_offer_without_msid_semantic_gets_it_before_the_first_media_section() {
        let sdp = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n";
        assert_eq!(
            with_msid_semantic(sdp.to_owned()),
            "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\na=msid-semantic:WMS *\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
        );
        let again = with_msid_semantic(with_msid_semantic(sdp.to_owned()));
        assert_eq!(again.matches("a=msid-semantic").count(), 1, "added once");
    }
}
