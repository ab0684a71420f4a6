//! A webrtc-rs client that speaks Videoloket's signalling protocol as a browser does: it
//! joins with a room token, answers every offer of the SFU (putting its own audio and video
//! on the first two m-sections), trickles its candidates, and hands every RTP packet it
//! receives to the caller. What it sends is up to the caller, who writes RTP to
//! [`Peer::audio`] and [`Peer::video`].
//!
//! Shared by the load test and by the signalling crate's integration tests.

use futures::{SinkExt, StreamExt};
use rtc::interceptor::{Attribute, Interceptor, Packet, Slot, StreamInfo, TaggedPacket};
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::interceptor_registry::register_default_interceptors;
use rtc::peer_connection::configuration::media_engine::{MIME_TYPE_OPUS, MIME_TYPE_VP8};
use rtc::peer_connection::transport::RTCDtlsRole;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters,
    RtpCodecKind,
};
use rtc::sansio::Protocol;
use signaling::protocol::{ClientMessage, ServerMessage};
use std::collections::VecDeque;
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
    RTCIceGatheringState, RTCPeerConnectionIceEvent, RTCSessionDescription, Registry,
    SettingEngineBuilder,
};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Payload types the peer registers (and so sends with).
pub const VP8_PAYLOAD_TYPE: u8 = 96;
pub const OPUS_PAYLOAD_TYPE: u8 = 111;

/// Receives every RTP packet: the sender's participant id (the track's stream id), the
/// kind, the packet.
pub type OnRtp = Arc<dyn Fn(&str, RtpCodecKind, &rtp::Packet) + Send + Sync>;

/// How the server ended a socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    pub code: u16,
    pub reason: String,
}

impl Closed {
    /// The socket ended without a close frame.
    pub const ABNORMAL: u16 = 1006;
}

/// Why a peer did not get into the room.
#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    #[error("websocket: {0}")]
    Connect(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("no answer to join in time")]
    TimedOut,
    #[error("refused with close code {} ({})", .0.code, .0.reason)]
    Refused(Closed),
    #[error("peer connection: {0}")]
    WebRtc(String),
}

/// Choices of a test peer.
#[derive(Clone)]
pub struct PeerOptions {
    /// Names the local tracks.
    pub name: String,
    /// DTLS role when answering; `None` leaves webrtc-rs's choice.
    pub answering_dtls_role: Option<RTCDtlsRole>,
    /// Longest wait for `joined`.
    pub join_timeout: Duration,
    /// ICE over TCP only (an active TCP candidate, no UDP socket), as a client whose UDP is
    /// blocked.
    pub tcp_only: bool,
}

impl PeerOptions {
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            answering_dtls_role: None,
            join_timeout: Duration::from_secs(20),
            tcp_only: false,
        }
    }
}

/// A local track and the SSRC to write its RTP with.
pub struct LocalTrack {
    pub track: Arc<TrackLocalStaticRTP>,
    pub ssrc: u32,
}

/// Server messages as they arrived.
#[derive(Default)]
pub struct Signals {
    pub messages: Vec<(Instant, ServerMessage)>,
    pub offers: u64,
    /// When and how the server ended the socket (a browser's page would join again).
    pub closed: Option<(Instant, Closed)>,
}

pub struct Peer {
    pub pc: Arc<dyn PeerConnection>,
    pub audio: LocalTrack,
    pub video: LocalTrack,
    /// Everything the server sent, `joined` first.
    pub signals: Arc<Mutex<Signals>>,
    /// Keyframe requests (PLI) that reached our video track.
    pub keyframe_requests: Arc<AtomicU64>,
    outgoing: mpsc::UnboundedSender<ClientMessage>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Peer {
    /// Connects to `ws_url`, joins `room` with `token` and runs the protocol in background
    /// tasks. Returns once `joined` arrived.
    pub async fn join(
        ws_url: &str,
        room: &str,
        token: &str,
        options: PeerOptions,
        on_rtp: OnRtp,
    ) -> Result<Self, JoinError> {
        let within = options.join_timeout;
        let (mut ws, _) = tokio::time::timeout(within, tokio_tungstenite::connect_async(ws_url))
            .await
            .map_err(|_| JoinError::TimedOut)??;
        let join = ClientMessage::Join {
            room: room.into(),
            token: token.into(),
        };
        ws.send(Message::Text(to_json(&join).into())).await?;
        let joined = tokio::time::timeout(within, next_message(&mut ws))
            .await
            .map_err(|_| JoinError::TimedOut)?;
        let joined = match joined {
            Ok(message @ ServerMessage::Joined { .. }) => message,
            // An `error` explains the close that follows.
            Ok(_) => return Err(JoinError::Refused(closed(&mut ws).await)),
            Err(closed) => return Err(JoinError::Refused(closed)),
        };
        Self::run(ws, joined, options, on_rtp)
            .await
            .map_err(|err| JoinError::WebRtc(err.to_string()))
    }

    async fn run(
        ws: Ws,
        joined: ServerMessage,
        options: PeerOptions,
        on_rtp: OnRtp,
    ) -> Result<Self, webrtc::error::Error> {
        let (out_tx, out_rx) = mpsc::unbounded_channel::<ClientMessage>();
        let parts = Parts::build(&options, "127.0.0.1", out_tx.clone(), None).await?;
        let signals = Arc::new(Mutex::new(Signals {
            messages: vec![(Instant::now(), joined)],
            offers: 0,
            closed: None,
        }));
        let keyframe_requests = Arc::new(AtomicU64::new(0));
        let mut tasks = vec![tokio::spawn(signalling_loop(
            ws,
            Arc::clone(&parts.pc),
            [
                Arc::clone(&parts.audio.track),
                Arc::clone(&parts.video.track),
            ],
            Arc::clone(&signals),
            Arc::clone(&keyframe_requests),
            out_rx,
            options.tcp_only,
        ))];
        tasks.push(read_tracks(parts.tracks, on_rtp));
        Ok(Self {
            pc: parts.pc,
            audio: parts.audio,
            video: parts.video,
            signals,
            keyframe_requests,
            outgoing: out_tx,
            tasks,
        })
    }

    /// Offers audio and video to Janus's EchoTest plugin over its WebSocket API (`janus_ws`,
    /// e.g. `ws://127.0.0.1:8188`), which sends every packet back: the calls benchmark's
    /// reference SFU, carrying the same packet stream as ours. Janus gathers no loopback
    /// candidates, so the peer binds to `bind_ip`, a local address of the machine (routed over
    /// `lo`). No trickle: the offer carries our candidates and says `"trickle": false`.
    pub async fn echo_through_janus(
        janus_ws: &str,
        bind_ip: std::net::IpAddr,
        options: PeerOptions,
        on_rtp: OnRtp,
    ) -> Result<Self, JoinError> {
        let webrtc = |e: webrtc::error::Error| JoinError::WebRtc(e.to_string());
        let (out_tx, _unused) = mpsc::unbounded_channel::<ClientMessage>();
        let (gathered_tx, mut gathered) = tokio::sync::watch::channel(false);
        let parts = Parts::build(
            &options,
            &bind_ip.to_string(),
            out_tx.clone(),
            Some(gathered_tx),
        )
        .await
        .map_err(webrtc)?;
        for track in [&parts.audio.track, &parts.video.track] {
            parts
                .pc
                .add_track(Arc::clone(track) as Arc<dyn TrackLocal>)
                .await
                .map_err(webrtc)?;
        }
        let offer = parts.pc.create_offer(None).await.map_err(webrtc)?;
        parts
            .pc
            .set_local_description(offer)
            .await
            .map_err(webrtc)?;
        let within = options.join_timeout;
        tokio::time::timeout(within, gathered.wait_for(|done| *done))
            .await
            .map_err(|_| JoinError::TimedOut)?
            .map_err(|_| JoinError::TimedOut)?;
        let offer = parts
            .pc
            .local_description()
            .await
            .ok_or_else(|| JoinError::WebRtc("no local description".into()))?;

        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = janus_ws.into_client_request()?;
        request.headers_mut().insert(
            "sec-websocket-protocol",
            tokio_tungstenite::tungstenite::http::HeaderValue::from_static("janus-protocol"),
        );
        let (mut ws, _) = tokio::time::timeout(within, tokio_tungstenite::connect_async(request))
            .await
            .map_err(|_| JoinError::TimedOut)??;
        let session = janus_call(&mut ws, serde_json::json!({"janus": "create"}), within).await?
            ["data"]["id"]
            .as_u64()
            .ok_or_else(|| JoinError::WebRtc("Janus: no session id".into()))?;
        let handle = janus_call(
            &mut ws,
            serde_json::json!({"janus": "attach", "session_id": session,
                "plugin": "janus.plugin.echotest"}),
            within,
        )
        .await?["data"]["id"]
            .as_u64()
            .ok_or_else(|| JoinError::WebRtc("Janus: no handle id".into()))?;
        let answer = janus_call(
            &mut ws,
            serde_json::json!({"janus": "message", "session_id": session, "handle_id": handle,
                "body": {"audio": true, "video": true},
                "jsep": {"type": "offer", "sdp": offer.sdp, "trickle": false}}),
            within,
        )
        .await?;
        let sdp = answer["jsep"]["sdp"]
            .as_str()
            .ok_or_else(|| JoinError::WebRtc(format!("Janus: no answer in {answer}")))?;
        let answer = RTCSessionDescription::answer(sdp.to_owned()).map_err(webrtc)?;
        parts
            .pc
            .set_remote_description(answer)
            .await
            .map_err(webrtc)?;

        // Janus ends a session after 60 s without a word.
        let keepalive = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(20));
            loop {
                tick.tick().await;
                let ping = serde_json::json!({"janus": "keepalive", "session_id": session,
                    "transaction": format!("k{}", rand::random::<u32>())});
                if ws
                    .send(Message::Text(ping.to_string().into()))
                    .await
                    .is_err()
                {
                    return;
                }
                // Events and acks are not needed once media flows.
                while let Ok(Some(_)) =
                    tokio::time::timeout(Duration::from_millis(1), ws.next()).await
                {
                }
            }
        });
        // Drain the RTCP the echo sends to our tracks.
        let drains = [&parts.audio.track, &parts.video.track].map(|track| {
            let track = Arc::clone(track);
            tokio::spawn(async move { while track.poll().await.is_some() {} })
        });
        let mut tasks = vec![keepalive, read_tracks(parts.tracks, on_rtp)];
        tasks.extend(drains);
        Ok(Self {
            pc: parts.pc,
            audio: parts.audio,
            video: parts.video,
            signals: Arc::new(Mutex::new(Signals::default())),
            keyframe_requests: Arc::new(AtomicU64::new(0)),
            outgoing: out_tx,
            tasks,
        })
    }

    /// Sends a protocol message.
    pub fn send(&self, message: ClientMessage) {
        let _ = self.outgoing.send(message);
    }

    /// Ends `task` with the peer.
    pub fn keep(&mut self, task: JoinHandle<()>) {
        self.tasks.push(task);
    }

    /// Every server message so far.
    pub fn messages(&self) -> Vec<ServerMessage> {
        let signals = self.signals.lock().unwrap();
        signals.messages.iter().map(|(_, m)| m.clone()).collect()
    }

    /// When the first message matching `pick` arrived.
    pub fn arrival(&self, pick: impl Fn(&ServerMessage) -> bool) -> Option<Instant> {
        let signals = self.signals.lock().unwrap();
        signals
            .messages
            .iter()
            .find(|(_, m)| pick(m))
            .map(|(at, _)| *at)
    }

    /// How the server ended the socket, if it did.
    pub fn closed(&self) -> Option<Closed> {
        self.signals
            .lock()
            .unwrap()
            .closed
            .as_ref()
            .map(|(_, c)| c.clone())
    }

    /// Closes the peer connection without a word to the server (a tab that died).
    pub async fn close(self) {
        let _ = self.pc.close().await;
    }

    /// Says `leave`, then closes.
    pub async fn leave(self) {
        self.send(ClientMessage::Leave);
        tokio::time::sleep(Duration::from_millis(20)).await;
        self.close().await;
    }
}

/// A peer connection with the test peer's codecs and interceptors, and its two local tracks.
struct Parts {
    pc: Arc<dyn PeerConnection>,
    audio: LocalTrack,
    video: LocalTrack,
    tracks: mpsc::UnboundedReceiver<Arc<dyn TrackRemote>>,
}

impl Parts {
    async fn build(
        options: &PeerOptions,
        bind_ip: &str,
        candidates: mpsc::UnboundedSender<ClientMessage>,
        gathered: Option<tokio::sync::watch::Sender<bool>>,
    ) -> Result<Self, webrtc::error::Error> {
        let (track_tx, tracks) = mpsc::unbounded_channel();
        let mut engine = MediaEngine::default();
        for (mime, rate, channels, pt, kind) in [
            (
                MIME_TYPE_VP8,
                90_000,
                0,
                VP8_PAYLOAD_TYPE,
                RtpCodecKind::Video,
            ),
            (
                MIME_TYPE_OPUS,
                48_000,
                2,
                OPUS_PAYLOAD_TYPE,
                RtpCodecKind::Audio,
            ),
        ] {
            engine.register_codec(
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
            )?;
        }
        let registry = register_default_interceptors(Registry::new(), &mut engine)?
            .with(Slot::from(14_000), PliTap::default());
        let mut settings = SettingEngineBuilder::new()
            .with_multicast_dns_mode(rtc::ice::mdns::MulticastDnsMode::Disabled);
        if let Some(role) = options.answering_dtls_role {
            settings = settings.with_answering_dtls_role(role);
        }
        let pc: Arc<dyn PeerConnection> = Arc::new(
            PeerConnectionBuilder::new()
                .with_media_engine(engine)
                .with_interceptor_registry(registry)
                .with_setting_engine(settings.build())
                .with_handler(Arc::new(ClientHandler {
                    candidates,
                    tracks: track_tx,
                    gathered,
                }))
                .with_udp_addrs(if options.tcp_only {
                    vec![]
                } else {
                    vec![format!("{bind_ip}:0")]
                })
                .with_tcp_addrs(if options.tcp_only {
                    vec![format!("{bind_ip}:0")]
                } else {
                    vec![]
                })
                .build()
                .await?,
        );
        let audio = local_track(
            &options.name,
            RtpCodecKind::Audio,
            MIME_TYPE_OPUS,
            48_000,
            2,
        );
        let video = local_track(&options.name, RtpCodecKind::Video, MIME_TYPE_VP8, 90_000, 0);
        Ok(Self {
            pc,
            audio,
            video,
            tracks,
        })
    }
}

/// Hands every RTP packet of every remote track to `on_rtp`.
fn read_tracks(
    mut tracks: mpsc::UnboundedReceiver<Arc<dyn TrackRemote>>,
    on_rtp: OnRtp,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(track) = tracks.recv().await {
            let on_rtp = Arc::clone(&on_rtp);
            tokio::spawn(async move {
                let remote = track.stream_id().await.to_string();
                let kind = track.kind().await;
                while let Some(event) = track.poll().await {
                    if let TrackRemoteEvent::OnRtpPacket(packet) = event {
                        on_rtp(&remote, kind, &packet);
                    }
                }
            });
        }
    })
}

/// One request of Janus's API and its answer: `success` for most, the plugin's `event` (after
/// an `ack`) for a message.
async fn janus_call(
    ws: &mut Ws,
    mut request: serde_json::Value,
    within: Duration,
) -> Result<serde_json::Value, JoinError> {
    let transaction = format!("t{}", rand::random::<u32>());
    request["transaction"] = serde_json::Value::from(transaction.clone());
    ws.send(Message::Text(request.to_string().into())).await?;
    let answer = async {
        while let Some(message) = ws.next().await {
            let Ok(Message::Text(text)) = message else {
                continue;
            };
            let Ok(reply) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            if reply["transaction"] != transaction.as_str() {
                continue;
            }
            match reply["janus"].as_str() {
                Some("ack") => continue,
                Some("success") | Some("event") => return Ok(reply),
                _ => return Err(JoinError::WebRtc(format!("Janus refused: {reply}"))),
            }
        }
        Err(JoinError::WebRtc("Janus closed the socket".into()))
    };
    tokio::time::timeout(within, answer)
        .await
        .map_err(|_| JoinError::TimedOut)?
}

/// The RTP component's passive ICE-TCP candidates of an SDP, as `candidate:...`.
fn passive_tcp_candidates(sdp: &str) -> Vec<String> {
    let mut found: Vec<String> = sdp
        .lines()
        .filter_map(|l| l.strip_prefix("a="))
        .filter(|c| {
            let fields: Vec<&str> = c.split_whitespace().collect();
            c.starts_with("candidate:")
                && fields.get(1) == Some(&"1")
                && fields.get(2).is_some_and(|t| t.eq_ignore_ascii_case("tcp"))
                && c.contains("tcptype passive")
        })
        .map(str::to_owned)
        .collect();
    found.dedup();
    found
}

fn to_json(message: &ClientMessage) -> String {
    serde_json::to_string(message).expect("client messages serialise")
}

/// Next protocol message; `Err` with the close frame when the server closed.
pub async fn next_message(ws: &mut Ws) -> Result<ServerMessage, Closed> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => {
                if let Ok(message) = serde_json::from_str(&text) {
                    return Ok(message);
                }
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
                    code: Closed::ABNORMAL,
                    reason: String::new(),
                })
            }
        }
    }
}

async fn closed(ws: &mut Ws) -> Closed {
    loop {
        if let Err(closed) = next_message(ws).await {
            return closed;
        }
    }
}

struct ClientHandler {
    candidates: mpsc::UnboundedSender<ClientMessage>,
    tracks: mpsc::UnboundedSender<Arc<dyn TrackRemote>>,
    /// Told when ICE gathering completes (offering without trickle).
    gathered: Option<tokio::sync::watch::Sender<bool>>,
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
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            if let Some(gathered) = &self.gathered {
                let _ = gathered.send(true);
            }
        }
    }
}

async fn signalling_loop(
    mut ws: Ws,
    pc: Arc<dyn PeerConnection>,
    [audio, video]: [Arc<TrackLocalStaticRTP>; 2],
    signals: Arc<Mutex<Signals>>,
    keyframe_requests: Arc<AtomicU64>,
    mut outgoing: mpsc::UnboundedReceiver<ClientMessage>,
    tcp_only: bool,
) {
    let mut first = true;
    // The ICE ufrag of the last offer: a new one is an ICE restart, whose passive TCP
    // candidates are dialled anew.
    let mut ice_ufrag: Option<String> = None;
    loop {
        tokio::select! {
            message = outgoing.recv() => {
                let Some(message) = message else { return };
                let leave = message == ClientMessage::Leave;
                if ws.send(Message::Text(to_json(&message).into())).await.is_err() || leave {
                    let _ = ws.close(None).await;
                    return;
                }
            }
            incoming = next_message(&mut ws) => {
                let message = match incoming {
                    Ok(message) => message,
                    Err(closed) => {
                        signals.lock().unwrap().closed = Some((Instant::now(), closed));
                        return;
                    }
                };
                let offer = match &message {
                    ServerMessage::Offer { sdp } => Some(sdp.clone()),
                    _ => None,
                };
                {
                    let mut signals = signals.lock().unwrap();
                    signals.offers += u64::from(offer.is_some());
                    signals.messages.push((Instant::now(), message));
                }
                let Some(sdp) = offer else { continue };
                let offer_ufrag = sdp
                    .lines()
                    .find_map(|l| l.strip_prefix("a=ice-ufrag:"))
                    .map(str::to_owned);
                let passive_tcp = if tcp_only && offer_ufrag != ice_ufrag {
                    passive_tcp_candidates(&sdp)
                } else {
                    Vec::new()
                };
                ice_ufrag = offer_ufrag;
                let Ok(offer) = RTCSessionDescription::offer(sdp) else { return };
                if pc.set_remote_description(offer).await.is_err() {
                    return;
                }
                if first {
                    // The first audio and video m-sections are our uplink.
                    for track in [&audio, &video] {
                        if pc.add_track(Arc::clone(track) as Arc<dyn TrackLocal>).await.is_err() {
                            return;
                        }
                    }
                }
                let Ok(answer) = pc.create_answer(None).await else { return };
                if pc.set_local_description(answer).await.is_err() {
                    return;
                }
                // webrtc-rs dials a passive TCP candidate only when it is trickled, while a
                // browser dials the ones in the SDP too (an ICE-lite server never dials).
                for candidate in passive_tcp {
                    let _ = pc.add_ice_candidate(webrtc::peer_connection::RTCIceCandidateInit {
                        candidate,
                        sdp_mline_index: Some(0),
                        ..Default::default()
                    }).await;
                }
                let Some(local) = pc.local_description().await else { return };
                let answer = ClientMessage::Answer { sdp: local.sdp };
                if ws.send(Message::Text(to_json(&answer).into())).await.is_err() {
                    return;
                }
                if first {
                    first = false;
                    // Count keyframe requests on our video; drain RTCP of our audio.
                    let (video, counter) = (Arc::clone(&video), Arc::clone(&keyframe_requests));
                    tokio::spawn(async move {
                        while let Some(TrackLocalEvent::OnRtcpPacket(_)) = video.poll().await {
                            counter.fetch_add(1, Ordering::Relaxed);
                        }
                    });
                    let audio = Arc::clone(&audio);
                    tokio::spawn(async move { while audio.poll().await.is_some() {} });
                }
            }
        }
    }
}

fn local_track(
    name: &str,
    kind: RtpCodecKind,
    mime: &str,
    clock_rate: u32,
    channels: u16,
) -> LocalTrack {
    let ssrc: u32 = rand::random();
    let track = Arc::new(TrackLocalStaticRTP::new(MediaStreamTrack::new(
        format!("local-{name}"),
        format!("local-{name}-{kind}"),
        format!("{name} {kind}"),
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
    LocalTrack { track, ssrc }
}

/// Marks inbound PLIs for the application, so a peer can count the keyframe requests that
/// reach it as a publisher.
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
