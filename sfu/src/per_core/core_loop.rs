//! One core's media loop: one UDP socket, the rooms pinned to this core and every peer
//! connection in them, driven directly through the sans-IO `rtc` core.
//!
//! A datagram is read, routed by [`Demux`] to its peer connection, decrypted there, and each
//! RTP packet it yields is rewritten and written into the subscribers' peer connections on
//! the same thread, whose encrypted output goes straight back out of the same socket: no
//! task hop and no channel between receiving and sending a packet. The signalling side
//! talks to the loop through [`Command`]s.

use bytes::BytesMut;
use rtc::media_stream::{MediaStreamTrack, MediaStreamTrackId};
use rtc::peer_connection::configuration::setting_engine::SettingEngineBuilder;
use rtc::peer_connection::configuration::RTCConfigurationBuilder;
use rtc::peer_connection::event::{RTCPeerConnectionEvent, RTCTrackEvent};
use rtc::peer_connection::message::{RTCMessage, TaggedRTCMessage};
use rtc::peer_connection::sdp::RTCSessionDescription;
use rtc::peer_connection::state::RTCPeerConnectionState;
use rtc::peer_connection::transport::{
    CandidateConfig, CandidateHostConfig, RTCIceCandidate, RTCIceCandidateInit,
};
use rtc::peer_connection::{RTCPeerConnection, RTCPeerConnectionBuilder};
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodingParameters, RTCRtpEncodingParameters,
};
use rtc::rtp_transceiver::{
    RTCRtpReceiverId, RTCRtpSenderId, RTCRtpTransceiverDirection, RTCRtpTransceiverInit,
};
use rtc::sansio::Protocol;
use rtc::shared::tcp_framing::{frame_packet, TcpFrameDecoder};
use rtc::shared::{TaggedBytesMut, TransportContext, TransportProtocol};
use rtc::statistics::StatsSelector;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, info, warn};

use super::demux::Demux;
use crate::engine::media_setup_with;
use crate::keyframe_gate::{KeyframeDecision, KeyframeGate, KeyframeNeed};
use crate::metrics::{Metrics, RoomStats, TransportStats};
use crate::rewriter::Rewriter;
use crate::sdp::with_msid_semantic;
use crate::{IceCandidate, MediaKind, PeerState, SfuError, SfuEvent};

static SESSION_IDS: AtomicU64 = AtomicU64::new(1);
static SOURCE_GENERATION: AtomicU64 = AtomicU64::new(1);

/// Biggest datagram read; WebRTC packets stay under the path MTU.
const RECEIVE_BUFFER: usize = 2048;
/// Datagrams read in one go before timers and commands get their turn.
const READ_BATCH: usize = 64;
/// How often idle client addresses are forgotten.
const EXPIRY_INTERVAL: Duration = Duration::from_secs(5);
/// Sent packets kept per outgoing stream for retransmission: about 0.7 s of 1.5 Mbit/s
/// video (see `media_setup_with`).
const NACK_SEND_BUFFER: u16 = 128;
/// How long an accepted ICE-TCP connection may stay without a binding request for one of
/// our peer connections before the core closes it.
const TCP_FIRST_CHECK_WAIT: Duration = Duration::from_secs(10);
/// An address silent this long is forgotten (consent checks come every ~5 s).
const ADDRESS_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Key of a publication inside a room: (publisher id, kind).
type PublicationKey = (Rc<str>, MediaKind);

/// What the signalling side asks of a core.
pub(crate) enum Command {
    Connect {
        room: String,
        participant: String,
        room_stats: Arc<RoomStats>,
        room_transport: Arc<Mutex<TransportStats>>,
        events: mpsc::UnboundedSender<SfuEvent>,
        reply: oneshot::Sender<Result<Joined, SfuError>>,
    },
    Answer {
        session: u64,
        sdp: String,
        reply: oneshot::Sender<Result<(), SfuError>>,
    },
    Candidate {
        session: u64,
        candidate: IceCandidate,
        reply: oneshot::Sender<Result<(), SfuError>>,
    },
    Negotiate {
        session: u64,
        restart_ice: bool,
        reply: oneshot::Sender<Result<(), SfuError>>,
    },
    Remove {
        room: String,
        participant: String,
        reply: oneshot::Sender<()>,
    },
}

/// A participant's new peer connection, as the signalling side keeps it.
pub(crate) struct Joined {
    pub session: u64,
    pub downlinks: Arc<AtomicUsize>,
}

/// Settings a core needs from [`crate::SfuConfig`].
#[derive(Clone)]
pub(crate) struct CoreSettings {
    /// The address put in the host candidate (the public one behind a 1:1 NAT).
    pub advertised: SocketAddr,
    /// Also a passive ICE-TCP host candidate on the same port (the core's TCP listener).
    pub ice_tcp: bool,
    pub stats_interval: Duration,
}

/// What an ICE-TCP connection's task tells the core.
enum TcpEvent {
    /// A de-framed packet (RFC 4571) from the client at this address.
    Packet(SocketAddr, Vec<u8>),
    Closed(SocketAddr),
}

/// An open ICE-TCP connection as the core sees it.
struct TcpConnection {
    /// Frames to send; dropping it ends the connection's task, which closes the socket.
    outgoing: mpsc::UnboundedSender<Vec<u8>>,
    accepted: Instant,
    /// Whether a packet on it reached a peer connection yet.
    routed: bool,
}

/// Frames are read on the connection's own task (ICE-TCP is the fallback path, not the
/// hot one) and handed to the core; the core's output goes back through `outgoing`.
async fn run_tcp_connection(
    stream: TcpStream,
    from: SocketAddr,
    to_core: mpsc::UnboundedSender<TcpEvent>,
    mut outgoing: mpsc::UnboundedReceiver<Vec<u8>>,
) {
    let (mut reader, mut writer) = stream.into_split();
    let write = async move {
        while let Some(frame) = outgoing.recv().await {
            if writer.write_all(&frame).await.is_err() {
                break;
            }
        }
    };
    let read = async {
        let mut decoder = TcpFrameDecoder::new();
        let mut buf = vec![0u8; RECEIVE_BUFFER];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    decoder.extend_from_slice(&buf[..n]);
                    while let Some(packet) = decoder.next_packet() {
                        if to_core.send(TcpEvent::Packet(from, packet)).is_err() {
                            return;
                        }
                    }
                }
            }
        }
    };
    tokio::select! {
        _ = write => {}
        _ = read => {}
    }
    let _ = to_core.send(TcpEvent::Closed(from));
}

#[derive(Debug, Default)]
struct Negotiation {
    awaiting_answer: bool,
    pending: bool,
    restart_ice: bool,
}

/// A subscriber's copy of one publication.
struct Downlink {
    sender: RTCRtpSenderId,
    /// The codec the track was created with (lower case): all the subscriber is offered.
    mime: String,
    ssrc: u32,
    /// Negotiated (mime type, payload type) pairs; empty until an answer was applied.
    payload_types: Vec<(String, u8)>,
    rewriter: Rewriter,
}

impl Downlink {
    /// An answer named its payload types: packets can be written to it.
    fn bound(&self) -> bool {
        !self.payload_types.is_empty()
    }
}

struct Session {
    room: String,
    /// Shared with the downlink keys of the subscribers, so forwarding copies no string.
    participant: Rc<str>,
    pc: RTCPeerConnection,
    events: mpsc::UnboundedSender<SfuEvent>,
    negotiation: Negotiation,
    /// The client's incoming tracks: track id -> (receiver, kind).
    uplinks: HashMap<MediaStreamTrackId, (RTCRtpReceiverId, MediaKind)>,
    downlinks: HashMap<PublicationKey, Downlink>,
    /// Outgoing track id -> publication, to route the client's keyframe requests.
    downlink_tracks: HashMap<MediaStreamTrackId, PublicationKey>,
    downlink_count: Arc<AtomicUsize>,
    stats: TransportStats,
    timeout: Option<Instant>,
    /// ICE and DTLS are done: the SRTP keys exist. Before that nothing is written to the
    /// client (it could not be sent) and no keyframe is asked for it (it would be lost).
    secured: bool,
}

/// The publisher's current incoming stream of a publication.
struct Source {
    session: u64,
    receiver: RTCRtpReceiverId,
    ssrc: u32,
    primary_pt: u8,
    generation: u64,
    mime: Rc<str>,
}

#[derive(Default)]
struct Publication {
    source: Option<Source>,
    /// What the publisher sends (lower case), once known.
    mime: Option<String>,
    keyframes: KeyframeGate,
    keyframe_due: Option<Instant>,
}

#[derive(Default)]
struct Participant {
    session: Option<u64>,
    publications: [Publication; 2],
}

struct Room {
    participants: HashMap<String, Participant>,
    stats: Arc<RoomStats>,
    transport: Arc<Mutex<TransportStats>>,
}

/// Everything one core owns.
pub(crate) struct Core {
    socket: UdpSocket,
    tcp: Option<TcpListener>,
    tcp_events: (
        mpsc::UnboundedSender<TcpEvent>,
        mpsc::UnboundedReceiver<TcpEvent>,
    ),
    /// Open ICE-TCP connections by client address.
    tcp_connections: HashMap<SocketAddr, TcpConnection>,
    local_addr: SocketAddr,
    settings: CoreSettings,
    metrics: Arc<Metrics>,
    demux: Demux<u64>,
    sessions: HashMap<u64, Session>,
    rooms: HashMap<String, Room>,
    /// Sessions whose output, events or reads must be drained.
    dirty: Vec<u64>,
    /// Sessions' timeouts, earliest first; an entry is stale when the session's own
    /// `timeout` no longer matches it.
    timeouts: BinaryHeap<Reverse<(Instant, u64)>>,
    /// The earliest merged keyframe request due in any room.
    keyframe_due: Option<Instant>,
    /// Reused list of a packet's subscribers.
    fanout: Vec<u64>,
    /// Reused buffer of messages read from one peer connection.
    inbox: Vec<TaggedRTCMessage>,
    next_expiry: Instant,
    next_stats: Instant,
}

impl Core {
    pub fn new(
        socket: UdpSocket,
        tcp: Option<TcpListener>,
        settings: CoreSettings,
        metrics: Arc<Metrics>,
    ) -> Self {
        // The agent matches what arrives against its candidate, so datagrams are handed in
        // as received on the advertised address.
        let local_addr = settings.advertised;
        let now = Instant::now();
        Self {
            socket,
            tcp,
            tcp_events: mpsc::unbounded_channel(),
            tcp_connections: HashMap::new(),
            local_addr,
            next_stats: now + settings.stats_interval,
            settings,
            metrics,
            demux: Demux::new(ADDRESS_IDLE_TIMEOUT),
            sessions: HashMap::new(),
            rooms: HashMap::new(),
            dirty: Vec::new(),
            timeouts: BinaryHeap::new(),
            keyframe_due: None,
            fanout: Vec::new(),
            inbox: Vec::new(),
            next_expiry: now + EXPIRY_INTERVAL,
        }
    }

    /// Runs until every command sender is gone.
    pub async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut buf = vec![0u8; RECEIVE_BUFFER];
        loop {
            let deadline = self.next_deadline();
            tokio::select! {
                biased;
                command = commands.recv() => {
                    let Some(command) = command else { break };
                    self.handle_command(command);
                }
                received = self.socket.recv_from(&mut buf) => {
                    match received {
                        Ok((n, from)) => self.handle_datagram(&buf[..n], from, TransportProtocol::UDP),
                        Err(err) => debug!(%err, "media socket read"),
                    }
                    // Drain what else is queued before looking at timers again.
                    for _ in 1..READ_BATCH {
                        match self.socket.try_recv_from(&mut buf) {
                            Ok((n, from)) => self.handle_datagram(&buf[..n], from, TransportProtocol::UDP),
                            Err(_) => break,
                        }
                    }
                }
                accepted = accept(self.tcp.as_ref()) => {
                    if let Ok((stream, from)) = accepted {
                        let (tx, rx) = mpsc::unbounded_channel();
                        let connection = TcpConnection { outgoing: tx, accepted: Instant::now(), routed: false };
                        self.tcp_connections.insert(from, connection);
                        tokio::spawn(run_tcp_connection(stream, from, self.tcp_events.0.clone(), rx));
                    }
                }
                Some(event) = self.tcp_events.1.recv() => {
                    match event {
                        TcpEvent::Packet(from, packet) => {
                            self.handle_datagram(&packet, from, TransportProtocol::TCP);
                        }
                        TcpEvent::Closed(from) => {
                            self.tcp_connections.remove(&from);
                        }
                    }
                }
                _ = tokio::time::sleep_until(deadline.into()) => {
                    self.handle_timers(Instant::now());
                }
            }
            self.service_dirty();
        }
        let ids: Vec<u64> = self.sessions.keys().copied().collect();
        for id in ids {
            self.close_session(id);
        }
    }

    fn next_deadline(&mut self) -> Instant {
        let mut deadline = self.next_expiry.min(self.next_stats);
        if let Some(t) = self.keyframe_due {
            deadline = deadline.min(t);
        }
        while let Some(&Reverse((t, id))) = self.timeouts.peek() {
            let current = self.sessions.get(&id).and_then(|s| s.timeout);
            if current == Some(t) {
                deadline = deadline.min(t);
                break;
            }
            self.timeouts.pop();
        }
        deadline
    }

    fn handle_datagram(&mut self, packet: &[u8], from: SocketAddr, protocol: TransportProtocol) {
        let now = Instant::now();
        let Some(id) = self.demux.route(from, packet, now) else {
            return;
        };
        if protocol == TransportProtocol::TCP {
            if let Some(connection) = self.tcp_connections.get_mut(&from) {
                connection.routed = true;
            }
        }
        let Some(session) = self.sessions.get_mut(&id) else {
            return;
        };
        let message = TaggedBytesMut {
            now,
            transport: TransportContext {
                local_addr: self.local_addr,
                peer_addr: from,
                ecn: None,
                transport_protocol: protocol,
            },
            message: BytesMut::from(packet),
        };
        if let Err(err) = session.pc.handle_read(message) {
            debug!(%err, session = id, "handle_read");
        }
        // A batch of datagrams mostly comes from a few senders: drain each once.
        if self.dirty.last() != Some(&id) {
            self.dirty.push(id);
        }
    }

    fn handle_timers(&mut self, now: Instant) {
        while let Some(&Reverse((t, id))) = self.timeouts.peek() {
            if t > now {
                break;
            }
            self.timeouts.pop();
            let Some(session) = self.sessions.get_mut(&id) else {
                continue;
            };
            if session.timeout != Some(t) {
                continue; // stale entry
            }
            if let Err(err) = session.pc.handle_timeout(now) {
                debug!(%err, session = id, "handle_timeout");
            }
            session.timeout = None;
            self.dirty.push(id);
        }
        if self.keyframe_due.is_some_and(|t| t <= now) {
            self.send_due_keyframe_requests(now);
        }
        if now >= self.next_expiry {
            let expired = self.demux.expire(now);
            if expired > 0 {
                debug!(expired, "forgot idle client addresses");
            }
            self.close_unrouted_tcp(now);
            self.next_expiry = now + EXPIRY_INTERVAL;
        }
        if now >= self.next_stats {
            self.sample_stats(now);
            self.next_stats = now + self.settings.stats_interval;
        }
    }

    fn send_due_keyframe_requests(&mut self, now: Instant) {
        self.keyframe_due = None;
        let mut due = Vec::new();
        for (room_id, room) in &mut self.rooms {
            for (participant_id, participant) in &mut room.participants {
                for kind in MediaKind::ALL {
                    let publication = &mut participant.publications[kind.index()];
                    match publication.keyframe_due {
                        Some(t) if t <= now => {
                            publication.keyframe_due = None;
                            publication.keyframes.fired(now);
                            due.push((room_id.clone(), participant_id.clone(), kind));
                        }
                        Some(t) => {
                            self.keyframe_due = Some(self.keyframe_due.map_or(t, |d| d.min(t)));
                        }
                        None => {}
                    }
                }
            }
        }
        for (room, publisher, kind) in due {
            self.send_keyframe_request(&room, &publisher, kind, now);
        }
    }

    /// Drains every touched peer connection: events, decrypted packets (forwarded, which
    /// touches the subscribers) and datagrams to send.
    fn service_dirty(&mut self) {
        while let Some(id) = self.dirty.pop() {
            self.service(id);
        }
    }

    fn service(&mut self, id: u64) {
        let Some(session) = self.sessions.get_mut(&id) else {
            return;
        };
        let mut events = Vec::new();
        while let Some(event) = session.pc.poll_event() {
            events.push(event);
        }
        let mut inbox = std::mem::take(&mut self.inbox);
        while let Some(message) = session.pc.poll_read() {
            inbox.push(message);
        }
        for event in events {
            self.handle_event(id, event);
        }
        for message in inbox.drain(..) {
            self.handle_message(id, message);
        }
        self.inbox = inbox;
        self.flush(id);
    }

    /// Sends what a peer connection has to send and notes its next timeout.
    fn flush(&mut self, id: u64) {
        let Some(session) = self.sessions.get_mut(&id) else {
            return;
        };
        while let Some(out) = session.pc.poll_write() {
            send(&self.socket, &self.tcp_connections, &out);
        }
        let timeout = session.pc.poll_timeout();
        if timeout != session.timeout {
            session.timeout = timeout;
            if let Some(t) = timeout {
                self.timeouts.push(Reverse((t, id)));
            }
        }
    }

    fn handle_event(&mut self, id: u64, event: RTCPeerConnectionEvent) {
        let Some(session) = self.sessions.get_mut(&id) else {
            return;
        };
        match event {
            RTCPeerConnectionEvent::OnTrack(RTCTrackEvent::OnOpen(init)) => {
                let kind = session
                    .pc
                    .rtp_receiver(init.receiver_id)
                    .map(|r| MediaKind::from(r.track().kind()));
                if let Some(kind) = kind {
                    info!(room = %session.room, participant = %session.participant, %kind, "publishing");
                    session
                        .uplinks
                        .insert(init.track_id, (init.receiver_id, kind));
                }
            }
            RTCPeerConnectionEvent::OnConnectionStateChangeEvent(state) => {
                debug!(participant = %session.participant, %state, "peer connection state");
                let state = match state {
                    RTCPeerConnectionState::Connected => Some(PeerState::Connected),
                    RTCPeerConnectionState::Disconnected => Some(PeerState::Disconnected),
                    RTCPeerConnectionState::Failed => Some(PeerState::Failed),
                    _ => None,
                };
                if let Some(state) = state {
                    let _ = session.events.send(SfuEvent::ConnectionState(state));
                }
                if state == Some(PeerState::Connected) && !session.secured {
                    session.secured = true;
                    // What was bound before now: a keyframe to start each picture from.
                    let starting: Vec<PublicationKey> = session
                        .downlinks
                        .iter()
                        .filter(|(_, d)| d.bound())
                        .map(|(key, _)| key.clone())
                        .collect();
                    let room = session.room.clone();
                    let now = Instant::now();
                    for (publisher, kind) in starting {
                        self.request_keyframe(&room, &publisher, kind, KeyframeNeed::Start, now);
                    }
                }
            }
            _ => {}
        }
    }

    fn handle_message(&mut self, id: u64, message: TaggedRTCMessage) {
        match message.message {
            RTCMessage::RtpPacket(track_id, packet) => {
                self.forward(id, &track_id, packet, message.now)
            }
            RTCMessage::RtcpPacket(track_id, _) => {
                // Only keyframe requests reach here (see `KeyframeRequestTap`).
                let Some(session) = self.sessions.get(&id) else {
                    return;
                };
                let Some((publisher, kind)) = session.downlink_tracks.get(&track_id).cloned()
                else {
                    return;
                };
                let room = session.room.clone();
                self.request_keyframe(&room, &publisher, kind, KeyframeNeed::Repeat, message.now);
            }
            _ => {}
        }
    }

    /// Relays one packet of a publisher to every subscriber in its room.
    fn forward(&mut self, id: u64, track_id: &str, mut packet: rtp::Packet, now: Instant) {
        let Some(session) = self.sessions.get_mut(&id) else {
            return;
        };
        let Some(&(receiver, kind)) = session.uplinks.get(track_id) else {
            return;
        };
        let Some(room) = self.rooms.get_mut(&session.room) else {
            return;
        };
        let publisher = Rc::clone(&session.participant);
        let Some(participant) = room.participants.get_mut(&*publisher) else {
            return;
        };
        let publication = &mut participant.publications[kind.index()];
        let mut new_source = false;
        let mut codec_changed = false;
        if publication.source.as_ref().map(|s| s.session) != Some(id) {
            let pt = packet.header.payload_type;
            let mime = session
                .pc
                .rtp_receiver(receiver)
                .and_then(|mut r| {
                    r.get_parameters()
                        .rtp_parameters
                        .codecs
                        .iter()
                        .find(|c| c.payload_type == pt)
                        .map(|c| c.rtp_codec.mime_type.to_ascii_lowercase())
                })
                .unwrap_or_else(|| kind.default_mime().to_ascii_lowercase());
            debug!(publisher = %publisher, %kind, %mime, ssrc = packet.header.ssrc, "source started");
            let mime: Rc<str> = Rc::from(mime);
            let before = publication
                .mime
                .replace(mime.to_string())
                .unwrap_or_else(|| kind.default_mime().to_ascii_lowercase());
            codec_changed = before != *mime;
            publication.source = Some(Source {
                session: id,
                receiver,
                ssrc: packet.header.ssrc,
                primary_pt: pt,
                generation: SOURCE_GENERATION.fetch_add(1, Ordering::Relaxed),
                mime,
            });
            new_source = true;
        }
        let Some(source) = &publication.source else {
            return;
        };
        if packet.header.payload_type != source.primary_pt {
            // RTX of the uplink: repaired by the NACK interceptor, not relayed.
            return;
        }
        let generation = source.generation;
        let mime = Rc::clone(&source.mime);
        let stats = Arc::clone(&room.stats);
        let mut fanout = std::mem::take(&mut self.fanout);
        fanout.clear();
        fanout.extend(
            room.participants
                .iter()
                .filter(|(pid, _)| pid.as_str() != &*publisher)
                .filter_map(|(_, p)| p.session),
        );

        // Extension ids are negotiated per leg; the sender's interceptors add what its leg
        // needs (TWCC sequence numbers).
        packet.header.extension = false;
        packet.header.extension_profile = 0;
        packet.header.extensions.clear();
        let payload_len = packet.payload.len();
        let key = (Rc::clone(&publisher), kind);
        let last = fanout.len().saturating_sub(1);
        let mut packet = Some(packet);
        for (i, &sub) in fanout.iter().enumerate() {
            let Some(subscriber) = self.sessions.get_mut(&sub).filter(|s| s.secured) else {
                continue;
            };
            let Some(downlink) = subscriber.downlinks.get_mut(&key) else {
                continue;
            };
            let Some(pt) = downlink
                .payload_types
                .iter()
                .find(|(m, _)| **m == *mime)
                .map(|(_, pt)| *pt)
            else {
                self.metrics.dropped.fetch_add(1, Ordering::Relaxed);
                continue;
            };
            // The last subscriber (the only one in a two-party call) takes the packet itself.
            let next = if i == last {
                packet.take()
            } else {
                packet.clone()
            };
            let Some(mut out) = next else {
                break;
            };
            let (seq, ts) = downlink.rewriter.rewrite(
                generation,
                out.header.sequence_number,
                out.header.timestamp,
            );
            out.header.ssrc = downlink.ssrc;
            out.header.payload_type = pt;
            out.header.sequence_number = seq;
            out.header.timestamp = ts;
            let written = subscriber
                .pc
                .rtp_sender(downlink.sender)
                .map(|mut s| s.write_rtp(now, out));
            match written {
                Some(Ok(())) => {
                    self.metrics.count_forwarded(kind, payload_len);
                    stats.packets.fetch_add(1, Ordering::Relaxed);
                    stats.bytes.fetch_add(payload_len as u64, Ordering::Relaxed);
                    self.flush(sub);
                }
                _ => {
                    self.metrics.dropped.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        self.fanout = fanout;
        if new_source {
            let room_id = self.sessions.get(&id).map(|s| s.room.clone());
            if let Some(room_id) = room_id {
                if codec_changed {
                    self.follow_codec(&room_id, &publisher, kind, &mime);
                }
                // Subscribers of a new source cannot show anything before its keyframe. With
                // none connected yet, asking now would only make a browser publisher ignore
                // the request that counts, when the first one connects (`keyframe_gate.rs`).
                if self.anyone_receives(&room_id, &publisher, kind) {
                    self.request_keyframe(&room_id, &publisher, kind, KeyframeNeed::Start, now);
                }
            }
        }
    }

    /// Creates the subscribers' tracks of a publication again when they were created with
    /// another codec than the publisher turned out to send (an H.264-only publisher), and
    /// renegotiates: a subscriber is only offered its track's codec.
    fn follow_codec(&mut self, room: &str, publisher: &str, kind: MediaKind, mime: &str) {
        let key: PublicationKey = (Rc::from(publisher), kind);
        for sub in self.session_ids_except(room, publisher) {
            let stale = self
                .sessions
                .get(&sub)
                .and_then(|s| s.downlinks.get(&key))
                .is_some_and(|d| d.mime != mime);
            if !stale {
                continue;
            }
            info!(publisher, %mime, "downlink follows the publisher's codec");
            self.remove_downlink(sub, publisher, kind);
            if let Err(err) = self.add_downlink(sub, publisher, kind, mime) {
                warn!(%err, "adding downlink with the publisher's codec");
                continue;
            }
            if let Err(err) = self.negotiate(sub, false) {
                warn!(%err, "renegotiating after a codec change");
            }
        }
    }

    /// Whether a secured subscriber has a bound downlink of this publication.
    fn anyone_receives(&self, room: &str, publisher: &str, kind: MediaKind) -> bool {
        let key: PublicationKey = (Rc::from(publisher), kind);
        self.rooms.get(room).is_some_and(|r| {
            r.participants
                .iter()
                .filter(|(id, _)| id.as_str() != publisher)
                .filter_map(|(_, p)| self.sessions.get(&p.session?))
                .any(|s| s.secured && s.downlinks.get(&key).is_some_and(Downlink::bound))
        })
    }

    fn request_keyframe(
        &mut self,
        room: &str,
        publisher: &str,
        kind: MediaKind,
        need: KeyframeNeed,
        now: Instant,
    ) {
        if kind != MediaKind::Video {
            return;
        }
        let Some(publication) = self
            .rooms
            .get_mut(room)
            .and_then(|r| r.participants.get_mut(publisher))
            .map(|p| &mut p.publications[kind.index()])
        else {
            return;
        };
        match publication.keyframes.ask(need, now) {
            KeyframeDecision::SendNow => self.send_keyframe_request(room, publisher, kind, now),
            KeyframeDecision::SendAt(at) => {
                publication.keyframe_due = Some(at);
                self.keyframe_due = Some(self.keyframe_due.map_or(at, |d| d.min(at)));
            }
            KeyframeDecision::Merged => {}
        }
    }

    fn send_keyframe_request(
        &mut self,
        room: &str,
        publisher: &str,
        kind: MediaKind,
        now: Instant,
    ) {
        let Some(source) = self
            .rooms
            .get(room)
            .and_then(|r| r.participants.get(publisher))
            .and_then(|p| p.publications[kind.index()].source.as_ref())
        else {
            return;
        };
        let (session_id, receiver, media_ssrc) = (source.session, source.receiver, source.ssrc);
        let Some(session) = self.sessions.get_mut(&session_id) else {
            return;
        };
        let pli = PictureLossIndication {
            sender_ssrc: 0,
            media_ssrc,
        };
        let sent = session
            .pc
            .rtp_receiver(receiver)
            .map(|mut r| r.write_rtcp(now, vec![Box::new(pli)]));
        if let Some(Ok(())) = sent {
            self.metrics
                .keyframe_requests
                .fetch_add(1, Ordering::Relaxed);
            self.flush(session_id);
        }
    }

    fn sample_stats(&mut self, now: Instant) {
        for session in self.sessions.values_mut() {
            let report = session.pc.get_stats(now, StatsSelector::None);
            let packets_lost = report
                .inbound_rtp_streams()
                .map(|s| s.received_rtp_stream_stats.packets_lost)
                .sum();
            let rtt_seconds = report
                .candidate_pairs()
                .filter(|p| p.nominated && p.current_round_trip_time > 0.0)
                .map(|p| p.current_round_trip_time)
                .reduce(f64::max);
            session.stats = TransportStats {
                packets_lost,
                rtt_seconds,
            };
        }
        for room in self.rooms.values() {
            let mut total = TransportStats::default();
            for session in room
                .participants
                .values()
                .filter_map(|p| p.session.and_then(|s| self.sessions.get(&s)))
            {
                total.packets_lost += session.stats.packets_lost;
                total.rtt_seconds = match (total.rtt_seconds, session.stats.rtt_seconds) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
            }
            *room.transport.lock().unwrap_or_else(|p| p.into_inner()) = total;
        }
    }

    fn handle_command(&mut self, command: Command) {
        match command {
            Command::Connect {
                room,
                participant,
                room_stats,
                room_transport,
                events,
                reply,
            } => {
                let result = self.connect(&room, &participant, room_stats, room_transport, events);
                let _ = reply.send(result);
            }
            Command::Answer {
                session,
                sdp,
                reply,
            } => {
                let _ = reply.send(self.apply_answer(session, sdp));
            }
            Command::Candidate {
                session,
                candidate,
                reply,
            } => {
                let _ = reply.send(self.add_candidate(session, candidate));
            }
            Command::Negotiate {
                session,
                restart_ice,
                reply,
            } => {
                let _ = reply.send(self.negotiate(session, restart_ice));
            }
            Command::Remove {
                room,
                participant,
                reply,
            } => {
                self.remove(&room, &participant);
                let _ = reply.send(());
            }
        }
    }

    fn connect(
        &mut self,
        room_id: &str,
        participant_id: &str,
        room_stats: Arc<RoomStats>,
        room_transport: Arc<Mutex<TransportStats>>,
        events: mpsc::UnboundedSender<SfuEvent>,
    ) -> Result<Joined, SfuError> {
        let room = self
            .rooms
            .entry(room_id.to_owned())
            .or_insert_with(|| Room {
                participants: HashMap::new(),
                stats: room_stats,
                transport: room_transport,
            });
        let is_new = !room.participants.contains_key(participant_id);
        if is_new {
            room.participants
                .insert(participant_id.to_owned(), Participant::default());
        }
        let joined = match self.open_session(room_id, participant_id, events) {
            Ok(joined) => joined,
            Err(err) => {
                if is_new {
                    self.remove(room_id, participant_id);
                }
                return Err(err);
            }
        };
        let previous = self
            .rooms
            .get_mut(room_id)
            .and_then(|r| r.participants.get_mut(participant_id))
            .and_then(|p| p.session.replace(joined.session));
        if let Some(previous) = previous {
            self.close_session(previous);
        }
        if is_new {
            for other in self.session_ids_except(room_id, participant_id) {
                for kind in MediaKind::ALL {
                    let mime = kind.default_mime().to_ascii_lowercase();
                    if let Err(err) = self.add_downlink(other, participant_id, kind, &mime) {
                        warn!(%err, "adding downlink for new participant");
                    }
                }
                if let Err(err) = self.negotiate(other, false) {
                    warn!(%err, "renegotiating after join");
                }
            }
        }
        info!(
            room = room_id,
            participant = participant_id,
            reconnect = !is_new,
            "participant connected"
        );
        self.negotiate(joined.session, false)?;
        Ok(joined)
    }

    fn session_ids_except(&self, room: &str, participant: &str) -> Vec<u64> {
        self.rooms
            .get(room)
            .map(|r| {
                r.participants
                    .iter()
                    .filter(|(id, _)| *id != participant)
                    .filter_map(|(_, p)| p.session)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn open_session(
        &mut self,
        room_id: &str,
        participant_id: &str,
        events: mpsc::UnboundedSender<SfuEvent>,
    ) -> Result<Joined, SfuError> {
        let pc = build_peer_connection(self.settings.advertised, self.settings.ice_tcp)?;
        let id = SESSION_IDS.fetch_add(1, Ordering::Relaxed);
        let downlink_count = Arc::new(AtomicUsize::new(0));
        self.sessions.insert(
            id,
            Session {
                room: room_id.to_owned(),
                participant: Rc::from(participant_id),
                pc,
                events,
                negotiation: Negotiation::default(),
                uplinks: HashMap::new(),
                downlinks: HashMap::new(),
                downlink_tracks: HashMap::new(),
                downlink_count: Arc::clone(&downlink_count),
                stats: TransportStats::default(),
                timeout: None,
                secured: false,
            },
        );
        self.metrics
            .peer_connections
            .fetch_add(1, Ordering::Relaxed);
        let others: Vec<(String, [String; 2])> = self
            .rooms
            .get(room_id)
            .map(|r| {
                r.participants
                    .iter()
                    .filter(|(pid, _)| *pid != participant_id)
                    .map(|(pid, p)| {
                        let mime = |kind: MediaKind| {
                            p.publications[kind.index()]
                                .mime
                                .clone()
                                .unwrap_or_else(|| kind.default_mime().to_ascii_lowercase())
                        };
                        (
                            pid.clone(),
                            [mime(MediaKind::Audio), mime(MediaKind::Video)],
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (publisher, mimes) in others {
            for kind in MediaKind::ALL {
                if let Err(err) = self.add_downlink(id, &publisher, kind, &mimes[kind.index()]) {
                    self.close_session(id);
                    return Err(err);
                }
            }
        }
        Ok(Joined {
            session: id,
            downlinks: downlink_count,
        })
    }

    fn add_downlink(
        &mut self,
        id: u64,
        publisher: &str,
        kind: MediaKind,
        mime: &str,
    ) -> Result<(), SfuError> {
        let session = self.sessions.get_mut(&id).ok_or(SfuError::Closed)?;
        let key: PublicationKey = (Rc::from(publisher), kind);
        if session.downlinks.contains_key(&key) {
            return Ok(());
        }
        let ssrc = rand::random::<u32>();
        let track_id = format!("{publisher}-{kind}");
        let track = MediaStreamTrack::new(
            publisher.to_owned(),
            track_id.clone(),
            format!("{publisher} {kind}"),
            kind.into(),
            vec![RTCRtpEncodingParameters {
                rtp_coding_parameters: RTCRtpCodingParameters {
                    ssrc: Some(ssrc),
                    ..Default::default()
                },
                codec: RTCRtpCodec {
                    mime_type: canonical_mime(mime),
                    clock_rate: kind.clock_rate(),
                    channels: if kind == MediaKind::Audio { 2 } else { 0 },
                    ..Default::default()
                },
                ..Default::default()
            }],
        );
        let init = RTCRtpTransceiverInit {
            direction: RTCRtpTransceiverDirection::Sendonly,
            streams: vec![],
            send_encodings: vec![],
        };
        let transceiver = session.pc.add_transceiver_from_track(track, Some(init))?;
        let sender = session
            .pc
            .rtp_transceiver(transceiver)
            .and_then(|t| t.sender())
            .ok_or(SfuError::Closed)?;
        session.downlinks.insert(
            key.clone(),
            Downlink {
                sender,
                mime: mime.to_ascii_lowercase(),
                ssrc,
                payload_types: Vec::new(),
                rewriter: Rewriter::new(kind.nominal_timestamp_step()),
            },
        );
        session.downlink_tracks.insert(track_id, key);
        session
            .downlink_count
            .store(session.downlinks.len(), Ordering::Relaxed);
        Ok(())
    }

    fn remove_downlink(&mut self, id: u64, publisher: &str, kind: MediaKind) {
        let Some(session) = self.sessions.get_mut(&id) else {
            return;
        };
        let key: PublicationKey = (Rc::from(publisher), kind);
        if let Some(downlink) = session.downlinks.remove(&key) {
            session.downlink_tracks.retain(|_, k| *k != key);
            if let Err(err) = session.pc.remove_track(downlink.sender) {
                debug!(%err, "remove_track");
            }
        }
        session
            .downlink_count
            .store(session.downlinks.len(), Ordering::Relaxed);
    }

    fn negotiate(&mut self, id: u64, restart_ice: bool) -> Result<(), SfuError> {
        let session = self.sessions.get_mut(&id).ok_or(SfuError::Closed)?;
        session.negotiation.restart_ice |= restart_ice;
        if session.negotiation.awaiting_answer {
            session.negotiation.pending = true;
            return Ok(());
        }
        self.send_offer(id)
    }

    fn send_offer(&mut self, id: u64) -> Result<(), SfuError> {
        let session = self.sessions.get_mut(&id).ok_or(SfuError::Closed)?;
        if session.negotiation.restart_ice {
            session.pc.restart_ice();
        }
        let offer = session.pc.create_offer(None)?;
        session.pc.set_local_description(Instant::now(), offer)?;
        session.negotiation = Negotiation {
            awaiting_answer: true,
            pending: false,
            restart_ice: false,
        };
        let sdp = session.pc.local_description().ok_or(SfuError::Closed)?.sdp;
        if let Some(ufrag) = ice_ufrag(&sdp) {
            self.demux.add_ufrag(ufrag, id);
        }
        let sdp = with_msid_semantic(sdp);
        self.metrics.offers.fetch_add(1, Ordering::Relaxed);
        session
            .events
            .send(SfuEvent::Offer { sdp })
            .map_err(|_| SfuError::Closed)?;
        self.dirty.push(id);
        Ok(())
    }

    fn apply_answer(&mut self, id: u64, sdp: String) -> Result<(), SfuError> {
        let session = self.sessions.get_mut(&id).ok_or(SfuError::Closed)?;
        if !session.negotiation.awaiting_answer {
            return Err(SfuError::InvalidInput {
                what: "answer",
                reason: "no offer is outstanding".into(),
            });
        }
        let invalid = |e: rtc::shared::error::Error| SfuError::InvalidInput {
            what: "answer",
            reason: e.to_string(),
        };
        let desc = RTCSessionDescription::answer(sdp).map_err(invalid)?;
        session
            .pc
            .set_remote_description(Instant::now(), desc)
            .map_err(invalid)?;
        session.negotiation.awaiting_answer = false;
        // Downlinks are bound now: learn their payload types, and get each one that just
        // became usable a keyframe to start from.
        let mut starting = Vec::new();
        let room = session.room.clone();
        for (key, downlink) in &mut session.downlinks {
            let Some(mut sender) = session.pc.rtp_sender(downlink.sender) else {
                continue;
            };
            let was_bound = downlink.bound();
            downlink.payload_types = sender
                .get_parameters()
                .rtp_parameters
                .codecs
                .iter()
                .map(|c| (c.rtp_codec.mime_type.to_ascii_lowercase(), c.payload_type))
                .collect();
            if !was_bound && downlink.bound() {
                starting.push(key.clone());
            }
        }
        if !session.secured {
            starting.clear(); // asked for when the connection is secured
        }
        let again = session.negotiation.pending || session.negotiation.restart_ice;
        self.dirty.push(id);
        let now = Instant::now();
        for (publisher, kind) in starting {
            self.request_keyframe(&room, &publisher, kind, KeyframeNeed::Start, now);
        }
        if again {
            self.send_offer(id)?;
        }
        Ok(())
    }

    fn add_candidate(&mut self, id: u64, candidate: IceCandidate) -> Result<(), SfuError> {
        let session = self.sessions.get_mut(&id).ok_or(SfuError::Closed)?;
        if candidate.candidate.trim().is_empty() {
            return Ok(()); // end-of-candidates
        }
        // ICE-lite: the server never checks towards the client; a candidate only tells
        // the agent what to expect.
        let init = RTCIceCandidateInit {
            candidate: candidate.candidate,
            sdp_mid: candidate.sdp_mid,
            sdp_mline_index: candidate.sdp_mline_index,
            username_fragment: candidate.username_fragment,
            ..Default::default()
        };
        session
            .pc
            .add_remote_candidate(init)
            .map_err(|e| SfuError::InvalidInput {
                what: "candidate",
                reason: e.to_string(),
            })?;
        self.dirty.push(id);
        Ok(())
    }

    /// Removes a participant for good: closes its session, takes its tracks away from the
    /// others (renegotiating them) and drops the room when it was the last one.
    fn remove(&mut self, room_id: &str, participant_id: &str) {
        let Some(room) = self.rooms.get_mut(room_id) else {
            return;
        };
        let Some(participant) = room.participants.remove(participant_id) else {
            return;
        };
        let empty = room.participants.is_empty();
        if let Some(session) = participant.session {
            self.close_session(session);
        }
        for other in self.session_ids_except(room_id, participant_id) {
            for kind in MediaKind::ALL {
                self.remove_downlink(other, participant_id, kind);
            }
            if let Err(err) = self.negotiate(other, false) {
                warn!(%err, "renegotiating after leave");
            }
        }
        if empty {
            self.rooms.remove(room_id);
        }
        info!(
            room = room_id,
            participant = participant_id,
            "participant removed"
        );
    }

    /// Closes the ICE-TCP connections whose client address no longer leads to a peer
    /// connection: its session closed, its ICE restarted onto another connection, or it went
    /// quiet. A new connection gets [`TCP_FIRST_CHECK_WAIT`] to send its first binding
    /// request.
    fn close_unrouted_tcp(&mut self, now: Instant) {
        let demux = &self.demux;
        self.tcp_connections.retain(|addr, connection| {
            demux.knows(addr)
                || (!connection.routed
                    && now.saturating_duration_since(connection.accepted) < TCP_FIRST_CHECK_WAIT)
        });
    }

    fn close_session(&mut self, id: u64) {
        let Some(mut session) = self.sessions.remove(&id) else {
            return;
        };
        if let Err(err) = session.pc.close() {
            debug!(%err, "closing peer connection");
        }
        while let Some(out) = session.pc.poll_write() {
            send(&self.socket, &self.tcp_connections, &out);
        }
        self.demux.remove_peer(id);
        self.close_unrouted_tcp(Instant::now());
        self.metrics
            .peer_connections
            .fetch_sub(1, Ordering::Relaxed);
        if let Some(room) = self.rooms.get_mut(&session.room) {
            if let Some(participant) = room.participants.get_mut(&*session.participant) {
                if participant.session == Some(id) {
                    participant.session = None;
                }
                for publication in &mut participant.publications {
                    if publication.source.as_ref().is_some_and(|s| s.session == id) {
                        publication.source = None;
                    }
                }
            }
        }
    }
}

/// A peer connection as the core runs it: ICE-lite with the core's one host candidate,
/// AES-GCM SRTP first.
fn build_peer_connection(
    advertised: SocketAddr,
    ice_tcp: bool,
) -> Result<RTCPeerConnection, SfuError> {
    let (engine, registry) = media_setup_with(Some(NACK_SEND_BUFFER))?;
    let settings = SettingEngineBuilder::new()
        .with_lite(true)
        .with_srtp_protection_profiles(vec![
            rtc::dtls::extension::extension_use_srtp::SrtpProtectionProfile::Srtp_Aead_Aes_128_Gcm,
            rtc::dtls::extension::extension_use_srtp::SrtpProtectionProfile::Srtp_Aes128_Cm_Hmac_Sha1_80,
        ])
        .build();
    let mut pc = RTCPeerConnectionBuilder::new()
        .with_configuration(RTCConfigurationBuilder::new().build())
        .with_media_engine(engine)
        .with_interceptor_registry(registry)
        .with_setting_engine(settings)
        .build(Instant::now())?;
    for kind in MediaKind::ALL {
        // Uplink transceivers first, so they are the first audio and video m-sections: a
        // client's addTrack() picks the first transceiver of the matching kind.
        let init = RTCRtpTransceiverInit {
            direction: RTCRtpTransceiverDirection::Recvonly,
            streams: vec![],
            send_encodings: vec![],
        };
        pc.add_transceiver_from_kind(kind.into(), Some(init))?;
    }
    let candidate = CandidateHostConfig {
        base_config: CandidateConfig {
            network: "udp".to_owned(),
            address: advertised.ip().to_string(),
            port: advertised.port(),
            component: 1,
            ..Default::default()
        },
        ..Default::default()
    }
    .new_candidate_host()?;
    pc.add_local_candidate(RTCIceCandidate::from(&candidate).to_json()?)?;
    if ice_tcp {
        let candidate = CandidateHostConfig {
            base_config: CandidateConfig {
                network: "tcp".to_owned(),
                address: advertised.ip().to_string(),
                port: advertised.port(),
                component: 1,
                ..Default::default()
            },
            tcp_type: rtc::ice::tcp_type::TcpType::Passive,
        }
        .new_candidate_host()?;
        pc.add_local_candidate(RTCIceCandidate::from(&candidate).to_json()?)?;
    }
    pc.add_local_candidate(RTCIceCandidateInit::default())?;
    Ok(pc)
}

/// Sends one datagram of a peer connection: over its ICE-TCP connection or the UDP socket.
fn send(
    socket: &UdpSocket,
    tcp_connections: &HashMap<SocketAddr, TcpConnection>,
    out: &TaggedBytesMut,
) {
    if out.transport.transport_protocol == TransportProtocol::TCP {
        if let Some(connection) = tcp_connections.get(&out.transport.peer_addr) {
            let _ = connection.outgoing.send(frame_packet(&out.message));
        }
        return;
    }
    if let Err(err) = socket.try_send_to(&out.message, out.transport.peer_addr) {
        // A full socket buffer drops the datagram, as the network would.
        debug!(%err, "media socket write");
    }
}

/// The next ICE-TCP connection, or never without a listener.
async fn accept(listener: Option<&TcpListener>) -> std::io::Result<(TcpStream, SocketAddr)> {
    match listener {
        Some(listener) => listener.accept().await,
        None => std::future::pending().await,
    }
}

/// The mime type as the media engine registers it (`video/VP8`), from any case.
fn canonical_mime(mime: &str) -> String {
    use rtc::peer_connection::configuration::media_engine::{
        MIME_TYPE_H264, MIME_TYPE_OPUS, MIME_TYPE_VP8,
    };
    [MIME_TYPE_VP8, MIME_TYPE_H264, MIME_TYPE_OPUS]
        .into_iter()
        .find(|m| m.eq_ignore_ascii_case(mime))
        .unwrap_or(mime)
        .to_owned()
}

/// The session's (first) `a=ice-ufrag:` of an SDP.
fn ice_ufrag(sdp: &str) -> Option<&str> {
    sdp.lines()
        .find_map(|line| line.strip_prefix("a=ice-ufrag:"))
        .map(str::trim)
}
