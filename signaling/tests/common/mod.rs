//! Test harness: the real signalling router on an ephemeral loopback port with a real SFU,
//! and a webrtc-rs client peer that speaks the protocol like a browser would.
#![allow(dead_code)] // each test binary uses a different part of the harness

use futures::{SinkExt, StreamExt};
use rtc::interceptor::{Attribute, Interceptor, Packet, Slot, StreamInfo, TaggedPacket};
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::interceptor_registry::register_default_interceptors;
use rtc::peer_connection::configuration::media_engine::{MIME_TYPE_OPUS, MIME_TYPE_VP8};
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters,
    RtpCodecKind,
};
use rtc::sansio::Protocol;
use signaling::protocol::{ClientMessage, ServerMessage};
use signaling::token::{now_unix, Role, RoomClaims, RoomTokenKeys};
use signaling::{SignalingConfig, SignalingState};
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_local::{TrackLocal, TrackLocalEvent};
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    MediaEngine, PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler,
    RTCPeerConnectionIceEvent, RTCSessionDescription, Registry, SettingEngineBuilder,
};

/// Upper bound for any single wait in these tests.
pub const STEP: Duration = Duration::from_secs(20);

pub struct TestServer {
    pub addr: SocketAddr,
    pub keys: RoomTokenKeys,
    pub state: SignalingState,
    task: JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub fn loopback_sfu_config() -> sfu::SfuConfig {
    sfu::SfuConfig {
        bind_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        stats_interval: Duration::from_millis(500),
        ..Default::default()
    }
}

pub async fn start_server(sfu_config: sfu::SfuConfig, config: SignalingConfig) -> TestServer {
    let keys = RoomTokenKeys::from_secret(b"test-secret-test-secret-test-secret!");
    let state = SignalingState::with_config(keys.clone(), sfu::Sfu::new(sfu_config), config);
    let app = signaling::router(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    TestServer {
        addr,
        keys,
        state,
        task,
    }
}

impl TestServer {
    pub fn token(&self, room: &str, sub: &str, role: Role) -> String {
        let now = now_unix();
        self.keys.issue(&RoomClaims {
            room: room.into(),
            sub: sub.into(),
            role,
            name: format!("name of {sub}"),
            tenant: "testgemeente".into(),
            nbf: now - 60,
            exp: now + 3600,
        })
    }

    pub async fn ws(&self) -> Ws {
        let (stream, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", self.addr))
            .await
            .expect("websocket connect");
        Ws { stream }
    }
}

/// A raw signalling connection.
pub struct Ws {
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// What a socket ended with.
#[derive(Debug, PartialEq, Eq)]
pub struct Closed {
    pub code: u16,
    pub reason: String,
}

impl Ws {
    pub async fn send(&mut self, message: &ClientMessage) {
        let text = serde_json::to_string(message).expect("serialize");
        self.stream
            .send(Message::Text(text.into()))
            .await
            .expect("ws send");
    }

    pub async fn send_raw(&mut self, message: Message) {
        self.stream.send(message).await.expect("ws send");
    }

    /// Next protocol message; `Err` with the close frame when the server closed.
    pub async fn recv(&mut self) -> Result<ServerMessage, Closed> {
        loop {
            let next = tokio::time::timeout(STEP, self.stream.next())
                .await
                .expect("timed out waiting for a server message");
            match next {
                Some(Ok(Message::Text(text))) => {
                    return Ok(serde_json::from_str(&text).expect("server sent valid JSON"));
                }
                Some(Ok(Message::Close(frame))) => {
                    return Err(frame.map_or(
                        Closed {
                            code: 1005,
                            reason: String::new(),
                        },
                        |f| Closed {
                            code: f.code.into(),
                            reason: f.reason.to_string(),
                        },
                    ));
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => {
                    return Err(Closed {
                        code: 1006,
                        reason: String::new(),
                    });
                }
            }
        }
    }

    /// Reads until the server closes, returning the close frame.
    pub async fn closed(&mut self) -> Closed {
        loop {
            if let Err(closed) = self.recv().await {
                return closed;
            }
        }
    }

    pub async fn join(&mut self, room: &str, token: &str) {
        self.send(&ClientMessage::Join {
            room: room.into(),
            token: token.into(),
        })
        .await;
    }
}

/// Counts of what a peer received from one remote participant, by kind.
#[derive(Debug, Default, Clone)]
pub struct FromRemote {
    pub audio_packets: u64,
    pub video_packets: u64,
    /// Packets whose payload carried the expected sender tag.
    pub tagged: u64,
    pub last_video_seq: Option<u16>,
    /// Packets starting a VP8 keyframe.
    pub vp8_keyframes: u64,
    /// Sequence numbers seen going backwards by more than reordering would explain.
    pub seq_jumps: u64,
}

#[derive(Default)]
pub struct Received {
    /// Keyed by the remote participant id (the track's stream id).
    pub from: HashMap<String, FromRemote>,
    pub offers: u64,
    pub messages: Vec<ServerMessage>,
}

/// A webrtc-rs client: joins through the signalling protocol, publishes a synthetic VP8
/// and Opus stream tagged with its id, and counts what it receives.
pub struct TestPeer {
    pub id: String,
    pub pc: Arc<dyn PeerConnection>,
    pub received: Arc<Mutex<Received>>,
    pub keyframe_requests: Arc<AtomicU64>,
    outgoing: mpsc::UnboundedSender<ClientMessage>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for TestPeer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

struct ClientHandler {
    candidates: mpsc::UnboundedSender<ClientMessage>,
    tracks: mpsc::UnboundedSender<Arc<dyn TrackRemote>>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for ClientHandler {
    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        if let Ok(init) = event.candidate.to_json() {
            let _ = self
                .candidates
                .send(ClientMessage::Candidate(sfu::IceCandidate {
                    candidate: init.candidate,
                    sdp_mid: init.sdp_mid,
                    sdp_mline_index: init.sdp_mline_index,
                    username_fragment: init.username_fragment,
                }));
        }
    }
    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let _ = self.tracks.send(track);
    }
}

/// What a test peer publishes.
#[derive(Clone)]
pub enum Media {
    /// Packets whose payload is a tag naming the sender and a counter: checkable
    /// byte-for-byte on the receiving side, but not decodable.
    Tagged,
    /// Real VP8 frames (looped at 50 fps) and Opus silence frames: decodable by a real
    /// client such as aiortc.
    Real { vp8_frames: Arc<Vec<bytes::Bytes>> },
}

/// Reads every frame of an IVF file.
pub fn read_ivf(path: &std::path::Path) -> Vec<bytes::Bytes> {
    let file = std::fs::File::open(path).expect("open ivf");
    let (mut reader, _) = rtc::media::io::ivf_reader::IVFReader::new(std::io::BufReader::new(file))
        .expect("ivf header");
    let mut frames = Vec::new();
    while let Ok((frame, _)) = reader.parse_next_frame() {
        frames.push(frame.freeze());
    }
    frames
}

/// Whether an RTP payload starts a VP8 keyframe (RFC 7741 payload descriptor, then the
/// inverse keyframe bit of the VP8 frame tag).
pub fn is_vp8_keyframe_start(payload: &[u8]) -> bool {
    let Some(&b0) = payload.first() else {
        return false;
    };
    let start = b0 & 0x10 != 0 && b0 & 0x07 == 0;
    let mut i = 1;
    if b0 & 0x80 != 0 {
        let Some(&x) = payload.get(1) else {
            return false;
        };
        i = 2;
        if x & 0x80 != 0 {
            i += if payload.get(i).is_some_and(|b| b & 0x80 != 0) {
                2
            } else {
                1
            };
        }
        if x & 0x40 != 0 {
            i += 1;
        }
        if x & 0x30 != 0 {
            i += 1;
        }
    }
    start && payload.get(i).is_some_and(|b| b & 0x01 == 0)
}

/// The payload tag a peer puts in front of every packet it sends.
pub fn tag(id: &str) -> Vec<u8> {
    format!("VL:{id}:").into_bytes()
}

impl TestPeer {
    /// Connects, joins `room` with `token` and runs the protocol in background tasks.
    /// Returns once `joined` arrived.
    pub async fn join(
        server: &TestServer,
        room: &str,
        id: &str,
        token: &str,
    ) -> Result<Self, Closed> {
        Self::join_with(server, room, id, token, Media::Tagged).await
    }

    pub async fn join_with(
        server: &TestServer,
        room: &str,
        id: &str,
        token: &str,
        media: Media,
    ) -> Result<Self, Closed> {
        let mut ws = server.ws().await;
        ws.join(room, token).await;
        match ws.recv().await? {
            ServerMessage::Joined { .. } => {}
            other => panic!("expected joined, got {other:?}"),
        }
        Ok(Self::run(ws, id, media).await)
    }

    async fn run(ws: Ws, id: &str, media: Media) -> Self {
        let (out_tx, out_rx) = mpsc::unbounded_channel::<ClientMessage>();
        let (track_tx, mut track_rx) = mpsc::unbounded_channel();
        let mut engine = MediaEngine::default();
        for (mime, rate, channels, pt, kind) in [
            (MIME_TYPE_VP8, 90_000, 0, 96, RtpCodecKind::Video),
            (MIME_TYPE_OPUS, 48_000, 2, 111, RtpCodecKind::Audio),
        ] {
            engine
                .register_codec(
                    RTCRtpCodecParameters {
                        rtp_codec: RTCRtpCodec {
                            mime_type: mime.into(),
                            clock_rate: rate,
                            channels,
                            ..Default::default()
                        },
                        payload_type: pt,
                    },
                    kind,
                )
                .expect("codec");
        }
        let registry = register_default_interceptors(Registry::new(), &mut engine)
            .expect("interceptors")
            .with(Slot::from(14_000), PliTap::default());
        let settings = SettingEngineBuilder::new()
            .with_multicast_dns_mode(rtc::ice::mdns::MulticastDnsMode::Disabled)
            .build();
        let pc: Arc<dyn PeerConnection> = Arc::new(
            PeerConnectionBuilder::new()
                .with_media_engine(engine)
                .with_interceptor_registry(registry)
                .with_setting_engine(settings)
                .with_handler(Arc::new(ClientHandler {
                    candidates: out_tx.clone(),
                    tracks: track_tx,
                }))
                .with_udp_addrs(vec!["127.0.0.1:0".to_owned()])
                .build()
                .await
                .expect("client peer connection"),
        );

        let audio = local_track(id, RtpCodecKind::Audio, MIME_TYPE_OPUS, 48_000, 2);
        let video = local_track(id, RtpCodecKind::Video, MIME_TYPE_VP8, 90_000, 0);
        let received = Arc::new(Mutex::new(Received::default()));
        let keyframe_requests = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();

        // Signalling: offers in, answers and candidates out.
        tasks.push(tokio::spawn(signalling_loop(
            ws,
            Arc::clone(&pc),
            Arc::clone(&audio.0),
            Arc::clone(&video.0),
            Arc::clone(&received),
            Arc::clone(&keyframe_requests),
            out_rx,
        )));

        // Receiving: count packets per remote participant.
        let counts = Arc::clone(&received);
        tasks.push(tokio::spawn(async move {
            while let Some(track) = track_rx.recv().await {
                let counts = Arc::clone(&counts);
                tokio::spawn(async move {
                    let remote = track.stream_id().await.to_string();
                    let kind = track.kind().await;
                    let expected = tag(&remote);
                    while let Some(event) = track.poll().await {
                        if let TrackRemoteEvent::OnRtpPacket(packet) = event {
                            let mut received = counts.lock().unwrap();
                            let entry = received.from.entry(remote.clone()).or_default();
                            if kind == RtpCodecKind::Audio {
                                entry.audio_packets += 1;
                            } else {
                                entry.video_packets += 1;
                                let seq = packet.header.sequence_number;
                                if let Some(last) = entry.last_video_seq {
                                    let delta = seq.wrapping_sub(last) as i16;
                                    if !(-50..=50).contains(&delta) {
                                        entry.seq_jumps += 1;
                                    }
                                }
                                entry.last_video_seq = Some(seq);
                            }
                            if kind == RtpCodecKind::Video && is_vp8_keyframe_start(&packet.payload)
                            {
                                entry.vp8_keyframes += 1;
                            }
                            if packet.payload.starts_with(&expected) {
                                entry.tagged += 1;
                            }
                        }
                    }
                });
            }
        }));

        // Sending: 50 packets/s of each kind once the tracks are bound.
        let (audio_track, audio_ssrc) = audio;
        let (video_track, video_ssrc) = video;
        let mut source = MediaSource::new(id, media);
        tasks.push(tokio::spawn(async move {
            let mut ticker = tokio::time::interval(Duration::from_millis(20));
            loop {
                ticker.tick().await;
                let (audio, video) = source.next_tick(audio_ssrc, video_ssrc);
                let _ = audio_track.write_rtp(audio).await;
                for packet in video {
                    let _ = video_track.write_rtp(packet).await;
                }
            }
        }));

        Self {
            id: id.into(),
            pc,
            received,
            keyframe_requests,
            outgoing: out_tx,
            tasks,
        }
    }

    pub fn send(&self, message: ClientMessage) {
        let _ = self.outgoing.send(message);
    }

    pub fn from(&self, remote: &str) -> FromRemote {
        self.received
            .lock()
            .unwrap()
            .from
            .get(remote)
            .cloned()
            .unwrap_or_default()
    }

    pub fn total_received(&self) -> u64 {
        self.received
            .lock()
            .unwrap()
            .from
            .values()
            .map(|f| f.audio_packets + f.video_packets)
            .sum()
    }

    pub fn messages(&self) -> Vec<ServerMessage> {
        self.received.lock().unwrap().messages.clone()
    }

    /// Waits until `check` holds, or panics with `what` after [`STEP`].
    pub async fn wait_for(&self, what: &str, check: impl Fn(&TestPeer) -> bool) {
        self.wait_for_within(what, STEP, check).await;
    }

    pub async fn wait_for_within(
        &self,
        what: &str,
        limit: Duration,
        check: impl Fn(&TestPeer) -> bool,
    ) {
        let deadline = Instant::now() + limit;
        while !check(self) {
            assert!(
                Instant::now() < deadline,
                "{}: timed out waiting for {what}; received {:?}",
                self.id,
                self.received.lock().unwrap().from
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn close(self) {
        let _ = self.pc.close().await;
    }
}

async fn signalling_loop(
    mut ws: Ws,
    pc: Arc<dyn PeerConnection>,
    audio: Arc<TrackLocalStaticRTP>,
    video: Arc<TrackLocalStaticRTP>,
    received: Arc<Mutex<Received>>,
    keyframe_requests: Arc<AtomicU64>,
    mut outgoing: mpsc::UnboundedReceiver<ClientMessage>,
) {
    let mut first = true;
    loop {
        tokio::select! {
            message = outgoing.recv() => {
                let Some(message) = message else { return };
                let leave = message == ClientMessage::Leave;
                let text = serde_json::to_string(&message).expect("serialize");
                if ws.stream.send(Message::Text(text.into())).await.is_err() || leave {
                    return;
                }
            }
            incoming = ws.stream.next() => {
                let Some(Ok(Message::Text(text))) = incoming else {
                    match incoming {
                        Some(Ok(_)) => continue,
                        _ => return,
                    }
                };
                let Ok(message) = serde_json::from_str::<ServerMessage>(&text) else { continue };
                received.lock().unwrap().messages.push(message.clone());
                if let ServerMessage::Offer { sdp } = message {
                    received.lock().unwrap().offers += 1;
                    let offer = RTCSessionDescription::offer(sdp).expect("offer sdp");
                    pc.set_remote_description(offer).await.expect("set remote offer");
                    if first {
                        // The first audio and video m-sections are our uplink.
                        pc.add_track(Arc::clone(&audio) as Arc<dyn TrackLocal>).await.expect("add audio");
                        pc.add_track(Arc::clone(&video) as Arc<dyn TrackLocal>).await.expect("add video");
                    }
                    let answer = pc.create_answer(None).await.expect("answer");
                    pc.set_local_description(answer).await.expect("set local answer");
                    let sdp = pc.local_description().await.expect("local description").sdp;
                    let text = serde_json::to_string(&ClientMessage::Answer { sdp }).expect("serialize");
                    if ws.stream.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                    if first {
                        first = false;
                        let video = Arc::clone(&video);
                        let counter = Arc::clone(&keyframe_requests);
                        tokio::spawn(async move {
                            while let Some(TrackLocalEvent::OnRtcpPacket(_)) = video.poll().await {
                                counter.fetch_add(1, Ordering::Relaxed);
                            }
                        });
                    }
                }
            }
        }
    }
}

/// Produces the RTP a test peer sends every 20 ms.
struct MediaSource {
    media: Media,
    tag: Vec<u8>,
    tick: u32,
    audio_seq: u16,
    video_seq: u16,
}

/// An Opus frame (TOC 0xF8: CELT fullband 20 ms) carrying silence.
const OPUS_SILENCE: [u8; 3] = [0xF8, 0xFF, 0xFE];

impl MediaSource {
    fn new(id: &str, media: Media) -> Self {
        Self {
            media,
            tag: tag(id),
            tick: 0,
            audio_seq: rand::random(),
            video_seq: rand::random(),
        }
    }

    fn next_tick(&mut self, audio_ssrc: u32, video_ssrc: u32) -> (rtp::Packet, Vec<rtp::Packet>) {
        use rtc::rtp::packetizer::Payloader as _;
        self.tick = self.tick.wrapping_add(1);
        let packet = |ssrc, pt, seq, ts, marker, payload: bytes::Bytes| rtp::Packet {
            header: rtp::header::Header {
                version: 2,
                marker,
                payload_type: pt,
                sequence_number: seq,
                timestamp: ts,
                ssrc,
                ..Default::default()
            },
            payload,
        };
        self.audio_seq = self.audio_seq.wrapping_add(1);
        let audio_ts = self.tick.wrapping_mul(960);
        let video_ts = self.tick.wrapping_mul(1800);
        match &self.media {
            Media::Tagged => {
                let mut payload = self.tag.clone();
                payload.extend_from_slice(&self.tick.to_be_bytes());
                let payload = bytes::Bytes::from(payload);
                self.video_seq = self.video_seq.wrapping_add(1);
                (
                    packet(
                        audio_ssrc,
                        111,
                        self.audio_seq,
                        audio_ts,
                        true,
                        payload.clone(),
                    ),
                    vec![packet(
                        video_ssrc,
                        96,
                        self.video_seq,
                        video_ts,
                        true,
                        payload,
                    )],
                )
            }
            Media::Real { vp8_frames } => {
                let audio = packet(
                    audio_ssrc,
                    111,
                    self.audio_seq,
                    audio_ts,
                    false,
                    bytes::Bytes::from_static(&OPUS_SILENCE),
                );
                let frame = &vp8_frames[self.tick as usize % vp8_frames.len()];
                let chunks = rtc::rtp::codec::vp8::Vp8Payloader::default()
                    .payload(1100, frame)
                    .unwrap_or_default();
                let last = chunks.len().saturating_sub(1);
                let video = chunks
                    .into_iter()
                    .enumerate()
                    .map(|(i, chunk)| {
                        self.video_seq = self.video_seq.wrapping_add(1);
                        packet(video_ssrc, 96, self.video_seq, video_ts, i == last, chunk)
                    })
                    .collect();
                (audio, video)
            }
        }
    }
}

fn local_track(
    id: &str,
    kind: RtpCodecKind,
    mime: &str,
    clock_rate: u32,
    channels: u16,
) -> (Arc<TrackLocalStaticRTP>, u32) {
    let ssrc: u32 = rand::random();
    let track = Arc::new(TrackLocalStaticRTP::new(MediaStreamTrack::new(
        format!("local-{id}"),
        format!("local-{id}-{kind}"),
        format!("{id} {kind}"),
        kind,
        vec![RTCRtpEncodingParameters {
            rtp_coding_parameters: RTCRtpCodingParameters {
                ssrc: Some(ssrc),
                ..Default::default()
            },
            codec: RTCRtpCodec {
                mime_type: mime.into(),
                clock_rate,
                channels,
                ..Default::default()
            },
            ..Default::default()
        }],
    )));
    (track, ssrc)
}

/// Marks inbound PLIs for the application, so the test can see that keyframe requests
/// reach the publisher.
#[derive(Default)]
struct PliTap {
    read: VecDeque<TaggedPacket>,
    write: VecDeque<TaggedPacket>,
}

impl Protocol<TaggedPacket, TaggedPacket, ()> for PliTap {
    type Rout = TaggedPacket;
    type Wout = TaggedPacket;
    type Eout = ();
    type Error = rtc::shared::error::Error;
    type Time = Instant;

    fn handle_read(&mut self, mut msg: TaggedPacket) -> Result<(), Self::Error> {
        if let Packet::Rtcp(packets) = &msg.message.packet {
            if !packets
                .iter()
                .any(|p| p.as_any().is::<PictureLossIndication>())
            {
                return Ok(());
            }
            msg.message.add(Attribute::DeliverToApplication);
        }
        self.read.push_back(msg);
        Ok(())
    }
    fn poll_read(&mut self) -> Option<TaggedPacket> {
        self.read.pop_front()
    }
    fn handle_write(&mut self, msg: TaggedPacket) -> Result<(), Self::Error> {
        self.write.push_back(msg);
        Ok(())
    }
    fn poll_write(&mut self) -> Option<TaggedPacket> {
        self.write.pop_front()
    }
}

impl Interceptor for PliTap {
    fn bind_local_stream(&mut self, _: &StreamInfo) {}
    fn unbind_local_stream(&mut self, _: &StreamInfo) {}
    fn bind_remote_stream(&mut self, _: &StreamInfo) {}
    fn unbind_remote_stream(&mut self, _: &StreamInfo) {}
}
