//! The per-packet path of the per-core media engine (issue 18): demux, SRTP decrypt, the
//! interceptors, rewrite, SRTP encrypt and the socket write, for one video packet of a
//! two-party call. Two webrtc-rs test peers in this process call through the real
//! signalling and the SFU on 127.0.0.1; one sends VP8-sized packets, the other counts them.
//!
//! What is timed is the CPU time of the SFU's core threads (`sfu-core-*`, from
//! `/proc/self/task/*/schedstat`), not wall time, so the peers' own SRTP work on the other
//! threads is left out: the figure is the engine's cost per forwarded packet.
//!
//! `cargo bench -p loadtest --bench forward`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use loadtest::testpeer::{OnRtp, Peer, PeerOptions, VP8_PAYLOAD_TYPE};
use rtc::rtp;
use signaling::token::{now_unix, Role, RoomClaims, RoomTokenKeys};
use signaling::{SignalingConfig, SignalingState};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use webrtc::media_stream::track_local::TrackLocal as _;

/// Packets per timed batch.
const BATCH: u64 = 200;

/// CPU time so far of this process's threads named `sfu-core-*`.
fn core_threads_cpu() -> Duration {
    let mut total = 0u64;
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for task in tasks.flatten() {
            let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
            if !comm.starts_with("sfu-core-") {
                continue;
            }
            let schedstat =
                std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
            total += schedstat
                .split_whitespace()
                .next()
                .and_then(|ns| ns.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    Duration::from_nanos(total)
}

async fn join(url: &str, keys: &RoomTokenKeys, id: &str, role: Role, on_rtp: OnRtp) -> Peer {
    let now = now_unix();
    let token = keys.issue(&RoomClaims {
        room: "bench".into(),
        sub: id.into(),
        role,
        name: id.into(),
        tenant: "bench".into(),
        nbf: now - 60,
        exp: now + 3600,
    });
    Peer::join(url, "bench", &token, PeerOptions::named(id), on_rtp)
        .await
        .unwrap_or_else(|e| panic!("{id} joins: {e}"))
}

fn bench_forward(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let received = Arc::new(AtomicU64::new(0));
    let (sender, _receiver, _server) = runtime.block_on(async {
        let keys = RoomTokenKeys::from_secret(b"bench-secret-bench-secret-bench-secret!!");
        let sfu = sfu::Sfu::new(sfu::SfuConfig {
            bind_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            media_cores: Some(1),
            ..Default::default()
        });
        let state = SignalingState::with_config(keys.clone(), sfu, SignalingConfig::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                signaling::router(state).into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await;
        });
        let url = format!("ws://{addr}/ws");
        let counted = Arc::clone(&received);
        let count: OnRtp = Arc::new(move |_, _, _| {
            counted.fetch_add(1, Ordering::Relaxed);
        });
        let ignore: OnRtp = Arc::new(|_, _, _| {});
        let sender = join(&url, &keys, "sender", Role::Resident, ignore).await;
        let receiver = join(&url, &keys, "receiver", Role::Clerk, count).await;
        // Until the call is up: one packet goes through.
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seq = 0u16;
        while received.load(Ordering::Relaxed) == 0 {
            assert!(Instant::now() < deadline, "no packet came through");
            let _ = sender
                .video
                .track
                .write_rtp(packet(sender.video.ssrc, seq))
                .await;
            seq = seq.wrapping_add(1);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        (sender, receiver, server)
    });

    let mut group = c.benchmark_group("per_core");
    group.throughput(Throughput::Elements(BATCH));
    group.sample_size(20);
    let mut seq = 1000u16;
    group.bench_function("forward_video_packet_core_cpu", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let target = received.load(Ordering::Relaxed) + BATCH;
                    let before = core_threads_cpu();
                    for _ in 0..BATCH {
                        let _ = sender
                            .video
                            .track
                            .write_rtp(packet(sender.video.ssrc, seq))
                            .await;
                        seq = seq.wrapping_add(1);
                        // Paced a little, as a camera would: no socket buffer overflows.
                        if seq.is_multiple_of(20) {
                            tokio::time::sleep(Duration::from_millis(1)).await;
                        }
                    }
                    let deadline = Instant::now() + Duration::from_secs(5);
                    while received.load(Ordering::Relaxed) < target && Instant::now() < deadline {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                    total += core_threads_cpu().saturating_sub(before);
                }
                total
            })
        })
    });
    group.finish();
}

/// A VP8-sized packet (1,100 bytes of payload, as the load test's video).
fn packet(ssrc: u32, seq: u16) -> rtp::Packet {
    rtp::Packet {
        header: rtp::header::Header {
            version: 2,
            payload_type: VP8_PAYLOAD_TYPE,
            sequence_number: seq,
            timestamp: u32::from(seq) * 3000,
            ssrc,
            ..Default::default()
        },
        payload: vec![0x10; 1100].into(),
    }
}

criterion_group!(benches, bench_forward);
criterion_main!(benches);
