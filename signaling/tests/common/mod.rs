//! Test harness: the real signalling router on an ephemeral loopback port with a real SFU,
//! and the shared webrtc-rs client peer (`loadtest::testpeer`) publishing a synthetic
//! stream that the receiving side can check.
#![allow(dead_code)] // each test binary uses a different part of the harness

use futures::SinkExt;
use loadtest::testpeer::{self, PeerOptions, OPUS_PAYLOAD_TYPE, VP8_PAYLOAD_TYPE};
use rtc::rtp;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use signaling::protocol::{ClientMessage, ServerMessage};
use signaling::token::{now_unix, Role, RoomClaims, RoomTokenKeys};
use signaling::{SignalingConfig, SignalingState};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use webrtc::media_stream::track_local::TrackLocal as _;

pub use testpeer::Closed;

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

/// The session's (first) ICE username fragment of an SDP.
pub fn ice_ufrag(sdp: &str) -> Option<String> {
    sdp.lines()
        .find_map(|l| l.strip_prefix("a=ice-ufrag:"))
        .map(|u| u.trim().to_owned())
}

/// The SFU configuration of the call tests: loopback only, two media cores on ephemeral
/// ports.
pub fn loopback_sfu_config() -> sfu::SfuConfig {
    sfu::SfuConfig {
        bind_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        stats_interval: Duration::from_millis(500),
        media_cores: Some(2),
        ..Default::default()
    }
}

pub async fn start_server(sfu_config: sfu::SfuConfig, config: SignalingConfig) -> TestServer {
    start_server_with(sfu_config, config, |state| state).await
}

/// As [`start_server`], with the state adjusted (e.g. TURN) before it serves.
pub async fn start_server_with(
    sfu_config: sfu::SfuConfig,
    config: SignalingConfig,
    adjust: impl FnOnce(SignalingState) -> SignalingState,
) -> TestServer {
    let keys = RoomTokenKeys::from_secret(b"test-secret-test-secret-test-secret!");
    let state = adjust(SignalingState::with_config(
        keys.clone(),
        sfu::Sfu::new(sfu_config),
        config,
    ));
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

    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    pub async fn ws(&self) -> Ws {
        let (stream, _) = tokio_tungstenite::connect_async(self.url())
            .await
            .expect("websocket connect");
        Ws { stream }
    }
}

/// A raw signalling connection.
pub struct Ws {
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
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
        tokio::time::timeout(STEP, testpeer::next_message(&mut self.stream))
            .await
            .expect("timed out waiting for a server message")
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

/// Keyed by the remote participant id (the track's stream id).
pub type Received = HashMap<String, FromRemote>;

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

/// A test peer publishing [`Media`] tagged with its id, counting what it receives.
pub struct TestPeer {
    pub id: String,
    pub peer: testpeer::Peer,
    pub received: Arc<Mutex<Received>>,
    /// Keyframe requests that reached this peer as a publisher.
    pub keyframe_requests: Arc<AtomicU64>,
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
        Self::join_over(server, room, id, token, media, false).await
    }

    /// As [`TestPeer::join_with`]; `tcp_only` has the peer use ICE over TCP only.
    pub async fn join_over(
        server: &TestServer,
        room: &str,
        id: &str,
        token: &str,
        media: Media,
        tcp_only: bool,
    ) -> Result<Self, Closed> {
        let received = Arc::new(Mutex::new(Received::new()));
        let counts = Arc::clone(&received);
        let on_rtp: testpeer::OnRtp = Arc::new(move |remote, kind, packet| {
            count(&mut counts.lock().unwrap(), remote, kind, packet);
        });
        let options = PeerOptions {
            join_timeout: STEP,
            tcp_only,
            ..PeerOptions::named(id)
        };
        let mut peer = match testpeer::Peer::join(&server.url(), room, token, options, on_rtp).await
        {
            Ok(peer) => peer,
            Err(testpeer::JoinError::Refused(closed)) => return Err(closed),
            Err(err) => panic!("{id} could not join: {err}"),
        };

        // Sending: 50 packets/s of each kind once the tracks are bound.
        let (audio, video) = (Arc::clone(&peer.audio.track), Arc::clone(&peer.video.track));
        let (audio_ssrc, video_ssrc) = (peer.audio.ssrc, peer.video.ssrc);
        let mut source = MediaSource::new(id, media);
        peer.keep(tokio::spawn(async move {
            let mut ticker = tokio::time::interval(Duration::from_millis(20));
            loop {
                ticker.tick().await;
                let (audio_packet, video_packets) = source.next_tick(audio_ssrc, video_ssrc);
                let _ = audio.write_rtp(audio_packet).await;
                for packet in video_packets {
                    let _ = video.write_rtp(packet).await;
                }
            }
        }));
        Ok(Self {
            id: id.into(),
            keyframe_requests: Arc::clone(&peer.keyframe_requests),
            peer,
            received,
        })
    }

    pub fn send(&self, message: ClientMessage) {
        self.peer.send(message);
    }

    pub fn from(&self, remote: &str) -> FromRemote {
        self.received
            .lock()
            .unwrap()
            .get(remote)
            .cloned()
            .unwrap_or_default()
    }

    pub fn total_received(&self) -> u64 {
        self.received
            .lock()
            .unwrap()
            .values()
            .map(|f| f.audio_packets + f.video_packets)
            .sum()
    }

    pub fn messages(&self) -> Vec<ServerMessage> {
        self.peer.messages()
    }

    /// The SDP offers received so far, oldest first.
    pub fn offers(&self) -> Vec<String> {
        self.messages()
            .into_iter()
            .filter_map(|m| match m {
                ServerMessage::Offer { sdp } => Some(sdp),
                _ => None,
            })
            .collect()
    }

    /// Asks for an ICE restart and waits for the offer that brings new ICE credentials.
    pub async fn restart_ice(&self) {
        let before = self.offers();
        let old_ufrag = ice_ufrag(before.last().expect("an offer")).expect("ufrag");
        self.send(ClientMessage::RestartIce);
        self.wait_for("an offer with new ICE credentials", |p| {
            p.offers()
                .iter()
                .skip(before.len())
                .any(|sdp| ice_ufrag(sdp).is_some_and(|u| u != old_ufrag))
        })
        .await;
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
                self.received.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn close(self) {
        self.peer.close().await;
    }
}

/// Counts one received packet from `remote`.
fn count(received: &mut Received, remote: &str, kind: RtpCodecKind, packet: &rtp::Packet) {
    let entry = received.entry(remote.to_owned()).or_default();
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
        if is_vp8_keyframe_start(&packet.payload) {
            entry.vp8_keyframes += 1;
        }
    }
    if packet.payload.starts_with(&tag(remote)) {
        entry.tagged += 1;
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
                        OPUS_PAYLOAD_TYPE,
                        self.audio_seq,
                        audio_ts,
                        true,
                        payload.clone(),
                    ),
                    vec![packet(
                        video_ssrc,
                        VP8_PAYLOAD_TYPE,
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
                    OPUS_PAYLOAD_TYPE,
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
                        packet(
                            video_ssrc,
                            VP8_PAYLOAD_TYPE,
                            self.video_seq,
                            video_ts,
                            i == last,
                            chunk,
                        )
                    })
                    .collect();
                (audio, video)
            }
        }
    }
}
