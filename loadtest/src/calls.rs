//! `calls`: K two-party calls of real webrtc-rs peers through the platform's signalling and
//! SFU, ramped up step by step; and the same packet stream through a plain UDP relay (a child
//! process, no crypto) as the baseline.

use crate::media::{self, Kind, Receiver, SendCounter, VideoPlan};
use crate::stats::{self, Percentiles, Samples, Table};
use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use loadtest::testpeer::{OnRtp, Peer, PeerOptions, OPUS_PAYLOAD_TYPE, VP8_PAYLOAD_TYPE};
use rtc::peer_connection::transport::RTCDtlsRole;
use rtc::rtp;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use serde::Serialize;
use signaling::protocol::ServerMessage;
use signaling::token::{now_unix, Role, RoomClaims, RoomTokenKeys};
use std::collections::HashMap;
use std::net::IpAddr;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::UdpSocket;
use tokio::task::JoinHandle;
use webrtc::media_stream::track_local::TrackLocal as _;

const MAX_CALLS: usize = 200;
const MAX_STEP_SECONDS: u64 = 60;
const JOIN_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Args, Debug, Clone)]
pub struct CallsArgs {
    /// The platform, e.g. http://127.0.0.1:8080 (loopback only); signalling is at /ws.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub base_url: String,
    /// The server's VIDEOLOKET_ROOM_TOKEN_SECRET; the load test mints room tokens with it.
    #[arg(long, env = "VIDEOLOKET_ROOM_TOKEN_SECRET", hide_env_values = true)]
    pub secret: String,
    /// Concurrent calls per ramp step (two peers each), e.g. 2,5,10,20.
    #[arg(long, value_delimiter = ',', default_value = "2,5,10,20,30,40,50")]
    pub ramp: Vec<usize>,
    /// Keep ramping after a step misses the targets.
    #[arg(long)]
    pub keep_going: bool,
    /// Measurement window per step, seconds (after a 2 s settle).
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Video bitrate per sender, bit/s.
    #[arg(long, default_value_t = 1_500_000)]
    pub video_bps: u64,
    #[arg(long, default_value_t = 30)]
    pub fps: u32,
    /// Loss target (fraction) and forwarding p99 target (ms) that a step must hold.
    #[arg(long, default_value_t = 0.005)]
    pub max_loss: f64,
    #[arg(long, default_value_t = 10.0)]
    pub max_p99_ms: f64,
    /// PID of the platform process, to report its CPU and memory.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Also run the UDP relay baseline at the largest step that held (0 = skip).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub relay: bool,
    #[arg(long, default_value = "loadtest-calls.json")]
    pub json: String,
    /// DTLS role the client peers take when answering (`default` leaves webrtc-rs's choice);
    /// for diagnosing the join time.
    #[arg(long, default_value = "default", value_parser = ["default", "client", "server"])]
    pub client_dtls_role: String,
    /// Which SFU carries the calls: `videoloket` (at --base-url) or `janus`, the reference:
    /// every peer offers to Janus's EchoTest (at --janus-ws), which sends its packets back, so
    /// Janus forwards as many packets per call as ours does. Start it with
    /// `loadtest/janus/run.sh` and pass its PID as --server-pid.
    #[arg(long, default_value = "videoloket", value_parser = ["videoloket", "janus"])]
    pub target: String,
    /// Janus's WebSocket API.
    #[arg(long, default_value = "ws://127.0.0.1:8188")]
    pub janus_ws: String,
    /// A local, non-loopback address of this machine for the peers' media with Janus (it
    /// gathers no loopback candidates; the packets are routed over `lo` all the same).
    #[arg(long)]
    pub janus_bind_ip: Option<std::net::IpAddr>,
}

#[derive(Serialize, Clone, Debug)]
pub struct StepReport {
    pub path: &'static str,
    pub calls: usize,
    pub seconds: f64,
    pub join_time: Percentiles,
    /// From the WebSocket connect to the `joined` message, the first `offer`, and the
    /// server's `connection_state: connected`; `join_time` ends at the first media packet.
    pub join_to_joined_msg: Percentiles,
    pub join_to_offer: Percentiles,
    pub join_to_sfu_connected: Percentiles,
    pub join_failures: usize,
    pub packets_expected: u64,
    pub packets_received: u64,
    pub loss: f64,
    pub audio_loss: f64,
    pub video_loss: f64,
    pub latency_all: Percentiles,
    pub latency_audio: Percentiles,
    pub latency_video: Percentiles,
    pub jitter_audio_ms: f64,
    pub jitter_video_ms: f64,
    pub out_of_order: u64,
    pub packets_per_sec: f64,
    pub server_cpu_cores: Option<f64>,
    pub server_rss_mib: Option<f64>,
    pub packets_per_sec_per_core: Option<f64>,
    pub loadtest_cpu_cores: Option<f64>,
    /// The SRTP profile each new peer agreed with the server (one DTLS handshake: the same on
    /// both ends), counted: e.g. {"SRTP_AEAD_AES_128_GCM": 80}.
    pub srtp_profiles: std::collections::BTreeMap<String, usize>,
    pub held: bool,
}

#[derive(Serialize)]
struct CallsReport {
    scenario: &'static str,
    video_bps: u64,
    fps: u32,
    steps: Vec<StepReport>,
    largest_k_held: Option<usize>,
    relay: Option<StepReport>,
    sfu_pps_per_core_over_relay: Option<f64>,
}

static NEXT_STREAM: AtomicU32 = AtomicU32::new(1);

/// Everything a running sender/receiver shares with the measurement.
struct Endpoint {
    receiver: Arc<Receiver>,
    sent: Vec<Arc<SendCounter>>,
    started: Instant,
    tasks: Vec<JoinHandle<()>>,
    /// The signalling and WebRTC side; `None` for the UDP relay baseline.
    peer: Option<Peer>,
}

impl Endpoint {
    async fn close(self) {
        for t in &self.tasks {
            t.abort();
        }
        if let Some(peer) = self.peer {
            peer.leave().await;
        }
    }

    /// When the first server message matching `pick` arrived.
    fn arrival(&self, pick: impl Fn(&ServerMessage) -> bool) -> Option<Instant> {
        self.peer.as_ref()?.arrival(pick)
    }
}

pub async fn run(args: CallsArgs) -> Result<()> {
    stats::require_loopback(&args.base_url)?;
    let janus = if args.target == "janus" {
        stats::require_loopback(&args.janus_ws.replacen("ws://", "http://", 1))?;
        let ip = args
            .janus_bind_ip
            .ok_or_else(|| anyhow::anyhow!("--target janus needs --janus-bind-ip"))?;
        // A local address: binding to it works only if it is this machine's own.
        std::net::UdpSocket::bind((ip, 0))
            .map_err(|e| anyhow::anyhow!("--janus-bind-ip {ip} is not this machine's: {e}"))?;
        Some((args.janus_ws.clone(), ip))
    } else {
        None
    };
    if args.ramp.iter().any(|&k| k == 0 || k > MAX_CALLS) {
        bail!("--ramp values must be 1..={MAX_CALLS}");
    }
    if args.seconds == 0 || args.seconds > MAX_STEP_SECONDS {
        bail!("--seconds must be 1..={MAX_STEP_SECONDS}");
    }
    media::init_clock();
    let keys = RoomTokenKeys::from_secret(args.secret.as_bytes());
    let ws_url = format!(
        "{}/ws",
        args.base_url
            .trim_end_matches('/')
            .replacen("http://", "ws://", 1)
    );
    let plan = VideoPlan::new(args.video_bps, args.fps);
    let measuring = Arc::new(AtomicBool::new(false));
    let mut endpoints: Vec<Endpoint> = Vec::new();
    let mut steps = Vec::new();
    let mut largest_held = None;
    let mut calls = 0usize;
    for &k in &args.ramp {
        if k <= calls {
            continue;
        }
        let bar = ProgressBar::new((k - calls) as u64 * 2).with_style(
            ProgressStyle::with_template("join    {bar:40} {pos}/{len} peers (K={msg})").unwrap(),
        );
        bar.set_message(k.to_string());
        // Join the new calls, a few at a time.
        let mut new_eps = Vec::new();
        let mut joins = Vec::new();
        for i in calls..k {
            for (side, role) in [("a", Role::Resident), ("b", Role::Clerk)] {
                let now = now_unix();
                let room = format!("lt-call-{i}");
                let token = keys.issue(&RoomClaims {
                    room: room.clone(),
                    sub: format!("lt-{i}-{side}"),
                    role,
                    name: format!("loadtest {i} {side}"),
                    tenant: "loadtest".into(),
                    nbf: now - 60,
                    exp: now + 3600,
                });
                let (ws_url, measuring, bar, role_name, janus) = (
                    ws_url.clone(),
                    measuring.clone(),
                    bar.clone(),
                    args.client_dtls_role.clone(),
                    janus.clone(),
                );
                joins.push(tokio::spawn(async move {
                    let signalling = match &janus {
                        Some((url, ip)) => Signalling::Janus { url, bind_ip: *ip },
                        None => Signalling::Videoloket {
                            ws_url: &ws_url,
                            room: &room,
                            token: &token,
                        },
                    };
                    let r = webrtc_peer(signalling, plan, measuring, &role_name).await;
                    bar.inc(1);
                    r
                }));
                if joins.len() >= 8 {
                    for j in joins.drain(..) {
                        new_eps.push(j.await?);
                    }
                }
            }
        }
        for j in joins.drain(..) {
            new_eps.push(j.await?);
        }
        bar.finish();
        let mut join_failures = 0;
        let before_len = endpoints.len();
        for ep in new_eps {
            match ep {
                Ok(ep) => endpoints.push(ep),
                Err(e) => {
                    join_failures += 1;
                    eprintln!("join failed: {e:#}");
                }
            }
        }
        calls = k;
        let step = measure(
            if janus.is_some() { "janus" } else { "sfu" },
            k,
            &endpoints[before_len..],
            &endpoints,
            &measuring,
            &args,
            join_failures,
        )
        .await;
        print_step(&step);
        let held = step.held;
        steps.push(step);
        if held {
            largest_held = Some(k);
        } else if !args.keep_going {
            break;
        }
    }
    let spinner = ProgressBar::new_spinner().with_message("closing peers");
    spinner.enable_steady_tick(Duration::from_millis(200));
    for ep in endpoints.drain(..) {
        ep.close().await;
    }
    spinner.finish_and_clear();

    // --- baseline: the same stream through a plain UDP relay in a child process ---
    let relay_k = largest_held.unwrap_or_else(|| steps.last().map(|s| s.calls).unwrap_or(1));
    let relay = if args.relay {
        Some(run_relay(relay_k, plan, &measuring, &args).await?)
    } else {
        None
    };
    let sfu_at_k = steps.iter().find(|s| s.calls == relay_k);
    let ratio = match (
        sfu_at_k.and_then(|s| s.packets_per_sec_per_core),
        relay.as_ref().and_then(|r| r.packets_per_sec_per_core),
    ) {
        (Some(s), Some(r)) if r > 0.0 => Some(s / r),
        _ => None,
    };
    let mut table = Table::default();
    table.row(
        "largest K holding targets",
        largest_held.map_or("none".into(), |k| k.to_string()),
    );
    if let Some(r) = &relay {
        table
            .row(
                format!("relay K={} pkts/s", r.calls),
                format!("{:.0}", r.packets_per_sec),
            )
            .row(
                "relay CPU (cores)",
                format!("{:.2}", r.server_cpu_cores.unwrap_or(0.0)),
            )
            .row(
                "relay pkts/s per core",
                format!("{:.0}", r.packets_per_sec_per_core.unwrap_or(0.0)),
            )
            .row(
                "relay latency p50/p99",
                format!(
                    "{:.2} / {:.2} ms",
                    r.latency_all.p50_ms, r.latency_all.p99_ms
                ),
            )
            .row("relay loss", format!("{:.3}%", r.loss * 100.0));
    }
    if let Some(x) = ratio {
        table.row(
            format!("SFU/relay pkts/s per core at K={relay_k}"),
            format!("{x:.3}"),
        );
    }
    table.print("calls scenario");
    let report = CallsReport {
        scenario: "calls",
        video_bps: args.video_bps,
        fps: args.fps,
        steps,
        largest_k_held: largest_held,
        relay,
        sfu_pps_per_core_over_relay: ratio,
    };
    std::fs::write(&args.json, serde_json::to_string_pretty(&report)?)?;
    println!("JSON report: {}", args.json);
    Ok(())
}

/// Settles 2 s, then measures all `endpoints` for `args.seconds`; join times from `new`.
async fn measure(
    path: &'static str,
    k: usize,
    new: &[Endpoint],
    endpoints: &[Endpoint],
    measuring: &AtomicBool,
    args: &CallsArgs,
    join_failures: usize,
) -> StepReport {
    // Wait (bounded) for every new peer's first packet: that is its join time.
    let wait_until = Instant::now() + JOIN_TIMEOUT;
    while Instant::now() < wait_until && new.iter().any(|e| e.receiver.first_packet.get().is_none())
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut join = Samples::default();
    let (mut to_joined, mut to_offer, mut to_connected) =
        (Samples::default(), Samples::default(), Samples::default());
    let mut no_media = 0;
    for e in new {
        let r = &e.receiver;
        match r.first_packet.get() {
            Some(t) => join.push(t.duration_since(e.started)),
            None => no_media += 1,
        }
        for (mark, samples) in [
            (
                e.arrival(|m| matches!(m, ServerMessage::Joined { .. })),
                &mut to_joined,
            ),
            (
                e.arrival(|m| matches!(m, ServerMessage::Offer { .. })),
                &mut to_offer,
            ),
            (
                e.arrival(|m| {
                    matches!(
                        m,
                        ServerMessage::ConnectionState {
                            state: sfu::PeerState::Connected
                        }
                    )
                }),
                &mut to_connected,
            ),
        ] {
            if let Some(t) = mark {
                samples.push(t.duration_since(e.started));
            }
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    for e in endpoints {
        e.receiver.drain();
    }
    let sent_before = sent_by_stream(endpoints);
    let recv_before = recv_by_stream(endpoints);
    let server_before = args.server_pid.and_then(stats::proc_sample);
    let self_before = stats::self_sample();
    measuring.store(true, Ordering::Relaxed);
    let started = Instant::now();
    let bar = ProgressBar::new(args.seconds)
        .with_style(ProgressStyle::with_template("measure {bar:40} {pos}/{len}s ({msg})").unwrap());
    bar.set_message(format!("{path}, K={k}"));
    for _ in 0..args.seconds {
        tokio::time::sleep(Duration::from_secs(1)).await;
        bar.inc(1);
    }
    let sent_after = sent_by_stream(endpoints);
    let recv_after = recv_by_stream(endpoints);
    measuring.store(false, Ordering::Relaxed);
    let secs = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let server_after = args.server_pid.and_then(stats::proc_sample);
    let self_after = stats::self_sample();
    let ticks = stats::clock_ticks_per_sec();

    let (mut exp, mut got) = (HashMap::<Kind, u64>::new(), HashMap::<Kind, u64>::new());
    for (stream, (kind, after)) in &sent_after {
        let before = sent_before.get(stream).map_or(0, |(_, b)| *b);
        *exp.entry(*kind).or_default() += after - before;
        let r = recv_after.get(stream).copied().unwrap_or(0)
            - recv_before.get(stream).copied().unwrap_or(0);
        *got.entry(*kind).or_default() += r;
    }
    let loss_of = |k: Kind| {
        let e = exp.get(&k).copied().unwrap_or(0) as f64;
        let g = got.get(&k).copied().unwrap_or(0) as f64;
        if e > 0.0 {
            ((e - g) / e).max(0.0)
        } else {
            0.0
        }
    };
    let expected: u64 = exp.values().sum();
    let received: u64 = got.values().sum();
    let (mut all, mut audio, mut video) =
        (Samples::default(), Samples::default(), Samples::default());
    let (mut ja, mut na, mut jv, mut nv, mut ooo) = (0.0, 0, 0.0, 0, 0);
    for e in endpoints {
        for (kind, samples, jitter, reordered) in e.receiver.drain() {
            ooo += reordered;
            match kind {
                Kind::Audio => {
                    ja += jitter;
                    na += 1;
                    audio.extend(samples.clone());
                }
                Kind::Video => {
                    jv += jitter;
                    nv += 1;
                    video.extend(samples.clone());
                }
            }
            all.extend(samples);
        }
    }
    let server_cpu = match (server_before, server_after) {
        (Some(a), Some(b)) => Some(stats::cores_used(&a, &b, ticks)),
        _ => None,
    };
    let loadtest_cpu = match (self_before, self_after) {
        (Some(a), Some(b)) => Some(stats::cores_used(&a, &b, ticks)),
        _ => None,
    };
    let pps = received as f64 / secs;
    let loss = if expected > 0 {
        ((expected as f64 - received as f64) / expected as f64).max(0.0)
    } else {
        1.0
    };
    let latency_all = all.percentiles();
    let mut srtp_profiles = std::collections::BTreeMap::new();
    for ep in new {
        if let Some(peer) = &ep.peer {
            let report = peer
                .pc
                .get_stats(Instant::now(), webrtc::peer_connection::StatsSelector::None)
                .await;
            let profile = report
                .transport()
                .map(|t| t.srtp_cipher.clone())
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| "none".into());
            *srtp_profiles.entry(profile).or_insert(0) += 1;
        }
    }
    StepReport {
        path,
        calls: k,
        seconds: secs,
        join_time: join.percentiles(),
        join_to_joined_msg: to_joined.percentiles(),
        join_to_offer: to_offer.percentiles(),
        join_to_sfu_connected: to_connected.percentiles(),
        join_failures: join_failures + no_media,
        packets_expected: expected,
        packets_received: received,
        loss,
        audio_loss: loss_of(Kind::Audio),
        video_loss: loss_of(Kind::Video),
        latency_all,
        latency_audio: audio.percentiles(),
        latency_video: video.percentiles(),
        jitter_audio_ms: if na > 0 { ja / na as f64 / 1000.0 } else { 0.0 },
        jitter_video_ms: if nv > 0 { jv / nv as f64 / 1000.0 } else { 0.0 },
        out_of_order: ooo,
        packets_per_sec: pps,
        server_cpu_cores: server_cpu,
        server_rss_mib: server_after.map(|s| s.rss_kib as f64 / 1024.0),
        packets_per_sec_per_core: server_cpu.filter(|c| *c > 0.0).map(|c| pps / c),
        loadtest_cpu_cores: loadtest_cpu,
        srtp_profiles,
        held: join_failures + no_media == 0
            && loss < args.max_loss
            && latency_all.p99_ms < args.max_p99_ms
            && expected > 0,
    }
}

fn sent_by_stream(endpoints: &[Endpoint]) -> HashMap<u32, (Kind, u64)> {
    endpoints
        .iter()
        .flat_map(|e| e.sent.iter())
        .map(|c| (c.stream, (c.kind, c.sent.load(Ordering::Relaxed))))
        .collect()
}

fn recv_by_stream(endpoints: &[Endpoint]) -> HashMap<u32, u64> {
    endpoints.iter().flat_map(|e| e.receiver.counts()).collect()
}

fn print_step(s: &StepReport) {
    let mut t = Table::default();
    t.row("calls (K)", s.calls.to_string())
        .row(
            "join time p50/p95",
            format!("{:.0} / {:.0} ms", s.join_time.p50_ms, s.join_time.p95_ms),
        )
        .row(
            "  joined / offer / connected p50",
            format!(
                "{:.0} / {:.0} / {:.0} ms",
                s.join_to_joined_msg.p50_ms, s.join_to_offer.p50_ms, s.join_to_sfu_connected.p50_ms
            ),
        )
        .row("join failures", s.join_failures.to_string())
        .row(
            "loss (all / audio / video)",
            format!(
                "{:.3}% / {:.3}% / {:.3}%",
                s.loss * 100.0,
                s.audio_loss * 100.0,
                s.video_loss * 100.0
            ),
        )
        .row(
            "one-way latency p50/p99",
            format!(
                "{:.2} / {:.2} ms",
                s.latency_all.p50_ms, s.latency_all.p99_ms
            ),
        )
        .row(
            "  audio p50/p99",
            format!(
                "{:.2} / {:.2} ms",
                s.latency_audio.p50_ms, s.latency_audio.p99_ms
            ),
        )
        .row(
            "  video p50/p99",
            format!(
                "{:.2} / {:.2} ms",
                s.latency_video.p50_ms, s.latency_video.p99_ms
            ),
        )
        .row(
            "jitter audio / video",
            format!("{:.2} / {:.2} ms", s.jitter_audio_ms, s.jitter_video_ms),
        )
        .row("packets received/s", format!("{:.0}", s.packets_per_sec))
        .row(
            "server CPU (cores)",
            s.server_cpu_cores.map_or("-".into(), |c| format!("{c:.2}")),
        )
        .row(
            "server RSS",
            s.server_rss_mib
                .map_or("-".into(), |m| format!("{m:.0} MiB")),
        )
        .row(
            "pkts/s per server core",
            s.packets_per_sec_per_core
                .map_or("-".into(), |p| format!("{p:.0}")),
        )
        .row(
            "loadtest CPU (cores)",
            s.loadtest_cpu_cores
                .map_or("-".into(), |c| format!("{c:.2}")),
        )
        .row(
            "SRTP profile (both ends)",
            if s.srtp_profiles.is_empty() {
                "-".to_string()
            } else {
                s.srtp_profiles
                    .iter()
                    .map(|(profile, n)| format!("{profile} x{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        )
        .row("held targets", s.held.to_string());
    t.print(&format!("{} step K={}", s.path, s.calls));
}

// ---------------------------------------------------------------------------------------
// webrtc-rs peer speaking our signalling protocol

/// How a peer gets into its call.
enum Signalling<'a> {
    /// Our protocol: joins `room` on the platform with a room token.
    Videoloket {
        ws_url: &'a str,
        room: &'a str,
        token: &'a str,
    },
    /// Janus's EchoTest, the reference (`Peer::echo_through_janus`).
    Janus { url: &'a str, bind_ip: IpAddr },
}

async fn webrtc_peer(
    signalling: Signalling<'_>,
    plan: VideoPlan,
    measuring: Arc<AtomicBool>,
    dtls_role: &str,
) -> Result<Endpoint> {
    let started = Instant::now();
    let receiver = Arc::new(Receiver::default());
    let on_rtp: OnRtp = {
        let receiver = Arc::clone(&receiver);
        Arc::new(move |_sender, kind, packet| {
            let kind = if kind == RtpCodecKind::Audio {
                Kind::Audio
            } else {
                Kind::Video
            };
            receiver.record(&packet.payload, kind, &measuring);
        })
    };
    let options = PeerOptions {
        answering_dtls_role: match dtls_role {
            "client" => Some(RTCDtlsRole::Client),
            "server" => Some(RTCDtlsRole::Server),
            _ => None,
        },
        join_timeout: JOIN_TIMEOUT,
        ..PeerOptions::named(format!("lt{}", rand::random::<u32>()))
    };
    let peer = match signalling {
        Signalling::Videoloket {
            ws_url,
            room,
            token,
        } => Peer::join(ws_url, room, token, options, on_rtp).await?,
        Signalling::Janus { url, bind_ip } => {
            Peer::echo_through_janus(url, bind_ip, options, on_rtp).await?
        }
    };
    let audio_counter = SendCounter::new(NEXT_STREAM.fetch_add(1, Ordering::Relaxed), Kind::Audio);
    let video_counter = SendCounter::new(NEXT_STREAM.fetch_add(1, Ordering::Relaxed), Kind::Video);
    let mut tasks = Vec::new();
    // Sending: audio every 20 ms, video frames at the plan's rate.
    {
        let (audio, audio_ssrc) = (Arc::clone(&peer.audio.track), peer.audio.ssrc);
        let counter = audio_counter.clone();
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(media::AUDIO_INTERVAL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let (mut seq, mut n): (u16, u32) = (rand::random(), 0);
            loop {
                tick.tick().await;
                n = n.wrapping_add(1);
                seq = seq.wrapping_add(1);
                let p = rtp_packet(
                    audio_ssrc,
                    OPUS_PAYLOAD_TYPE,
                    seq,
                    n.wrapping_mul(960),
                    true,
                    counter.payload(media::AUDIO_PAYLOAD),
                );
                if audio.write_rtp(p).await.is_err() {
                    // Not bound yet: do not count it as sent.
                    counter.sent.fetch_sub(1, Ordering::Relaxed);
                }
            }
        }));
        let (video, video_ssrc) = (Arc::clone(&peer.video.track), peer.video.ssrc);
        let counter = video_counter.clone();
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(plan.interval());
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let mut seq: u16 = rand::random();
            let mut frame: u64 = 0;
            loop {
                tick.tick().await;
                let ts = (frame as u32).wrapping_mul(90_000 / plan.fps);
                let sizes = plan.packets(frame);
                let last = sizes.len() - 1;
                for (i, size) in sizes.into_iter().enumerate() {
                    seq = seq.wrapping_add(1);
                    let p = rtp_packet(
                        video_ssrc,
                        VP8_PAYLOAD_TYPE,
                        seq,
                        ts,
                        i == last,
                        counter.payload(size),
                    );
                    if video.write_rtp(p).await.is_err() {
                        counter.sent.fetch_sub(1, Ordering::Relaxed);
                    }
                }
                frame += 1;
            }
        }));
    }
    // Media flows once the offer/answer is done; the caller measures join time as the first
    // packet from the other side.
    Ok(Endpoint {
        receiver,
        sent: vec![audio_counter, video_counter],
        started,
        tasks,
        peer: Some(peer),
    })
}

fn rtp_packet(ssrc: u32, pt: u8, seq: u16, ts: u32, marker: bool, payload: Vec<u8>) -> rtp::Packet {
    rtp::Packet {
        header: rtp::header::Header {
            version: 2,
            marker,
            payload_type: pt,
            sequence_number: seq,
            timestamp: ts,
            ssrc,
            ..Default::default()
        },
        payload: bytes::Bytes::from(payload),
    }
}

// ---------------------------------------------------------------------------------------
// UDP relay baseline

/// The relay process: `pairs` pairs of loopback sockets; a datagram arriving on one socket of
/// a pair goes to the address last seen on the other. Prints `PORTS p1 p2 ...` when ready.
pub async fn relay_server(pairs: usize) -> Result<()> {
    if pairs == 0 || pairs > MAX_CALLS {
        bail!("pairs must be 1..={MAX_CALLS}");
    }
    let mut ports = Vec::new();
    let mut tasks = Vec::new();
    for _ in 0..pairs {
        let a = Arc::new(UdpSocket::bind("127.0.0.1:0").await?);
        let b = Arc::new(UdpSocket::bind("127.0.0.1:0").await?);
        ports.push(a.local_addr()?.port());
        ports.push(b.local_addr()?.port());
        let seen_a = Arc::new(std::sync::Mutex::new(None::<SocketAddr>));
        let seen_b = Arc::new(std::sync::Mutex::new(None::<SocketAddr>));
        for (from, to, seen_from, seen_to) in [
            (a.clone(), b.clone(), seen_a.clone(), seen_b.clone()),
            (b.clone(), a.clone(), seen_b.clone(), seen_a.clone()),
        ] {
            tasks.push(tokio::spawn(async move {
                let mut buf = vec![0u8; 2048];
                loop {
                    let Ok((n, src)) = from.recv_from(&mut buf).await else {
                        return;
                    };
                    *seen_from.lock().unwrap() = Some(src);
                    let dst = *seen_to.lock().unwrap();
                    if let Some(dst) = dst {
                        let _ = to.send_to(&buf[..n], dst).await;
                    }
                }
            }));
        }
    }
    println!(
        "PORTS {}",
        ports
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    );
    // Ends when the parent closes our stdin (or after the longest possible run).
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    let _ = tokio::time::timeout(Duration::from_secs(900), stdin.next_line()).await;
    Ok(())
}

async fn run_relay(
    k: usize,
    plan: VideoPlan,
    measuring: &Arc<AtomicBool>,
    args: &CallsArgs,
) -> Result<StepReport> {
    let exe = std::env::current_exe()?;
    let mut child = tokio::process::Command::new(exe)
        .args(["relay-server", "--pairs", &k.to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().context("relay stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
        .await
        .context("relay did not start")??
        .context("relay ended")?;
    let ports: Vec<u16> = line
        .trim_start_matches("PORTS ")
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect();
    if ports.len() != 2 * k {
        bail!("relay gave {} ports, want {}", ports.len(), 2 * k);
    }
    let mut endpoints = Vec::new();
    for port in ports {
        endpoints.push(
            udp_peer(
                SocketAddr::from(([127, 0, 0, 1], port)),
                plan,
                measuring.clone(),
            )
            .await?,
        );
    }
    let relay_args = CallsArgs {
        server_pid: child.id(),
        ..args.clone()
    };
    let step = measure(
        "relay",
        k,
        &endpoints,
        &endpoints,
        measuring,
        &relay_args,
        0,
    )
    .await;
    print_step(&step);
    for ep in endpoints {
        ep.close().await;
    }
    drop(child.stdin.take());
    let _ = child.kill().await;
    Ok(step)
}

/// A plain UDP peer sending the same packet stream (RTP header + the same payloads).
async fn udp_peer(
    relay: SocketAddr,
    plan: VideoPlan,
    measuring: Arc<AtomicBool>,
) -> Result<Endpoint> {
    let started = Instant::now();
    let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await?);
    socket.connect(relay).await?;
    let receiver = Arc::new(Receiver::default());
    let audio_counter = SendCounter::new(NEXT_STREAM.fetch_add(1, Ordering::Relaxed), Kind::Audio);
    let video_counter = SendCounter::new(NEXT_STREAM.fetch_add(1, Ordering::Relaxed), Kind::Video);
    let mut tasks = Vec::new();
    {
        let (socket, receiver, measuring) = (socket.clone(), receiver.clone(), measuring.clone());
        tasks.push(tokio::spawn(async move {
            let mut buf = vec![0u8; 2048];
            loop {
                let Ok(n) = socket.recv(&mut buf).await else {
                    continue;
                };
                if n < 12 {
                    continue;
                }
                let kind = if buf[1] & 0x7f == 111 {
                    Kind::Audio
                } else {
                    Kind::Video
                };
                receiver.record(&buf[12..n], kind, &measuring);
            }
        }));
    }
    let send = |pt: u8, seq: u16, ts: u32, marker: bool, payload: Vec<u8>| {
        let mut d = Vec::with_capacity(12 + payload.len());
        d.push(0x80);
        d.push(if marker { 0x80 | pt } else { pt });
        d.extend_from_slice(&seq.to_be_bytes());
        d.extend_from_slice(&ts.to_be_bytes());
        d.extend_from_slice(&0x1234_5678u32.to_be_bytes());
        d.extend_from_slice(&payload);
        d
    };
    {
        let (audio_socket, counter) = (socket.clone(), audio_counter.clone());
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(media::AUDIO_INTERVAL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let mut n: u32 = 0;
            loop {
                tick.tick().await;
                n = n.wrapping_add(1);
                let d = send(
                    111,
                    n as u16,
                    n.wrapping_mul(960),
                    true,
                    counter.payload(media::AUDIO_PAYLOAD),
                );
                let _ = audio_socket.send(&d).await;
            }
        }));
        let (socket, counter) = (socket.clone(), video_counter.clone());
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(plan.interval());
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let (mut seq, mut frame): (u16, u64) = (0, 0);
            loop {
                tick.tick().await;
                let sizes = plan.packets(frame);
                let last = sizes.len() - 1;
                for (i, size) in sizes.into_iter().enumerate() {
                    seq = seq.wrapping_add(1);
                    let d = send(
                        96,
                        seq,
                        frame as u32 * 3000,
                        i == last,
                        counter.payload(size),
                    );
                    let _ = socket.send(&d).await;
                }
                frame += 1;
            }
        }));
    }
    // The relay learns our address from our first datagram; the first packets of the pair's
    // other side may be dropped until then, before the measurement starts.
    Ok(Endpoint {
        receiver,
        sent: vec![audio_counter, video_counter],
        started,
        tasks,
        peer: None,
    })
}
