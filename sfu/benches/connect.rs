//! What `sfu` makes public, benchmarked: a participant joining (`Sfu::connect` up to the first
//! offer) and leaving (`Sfu::remove_participant`). The per-packet forwarding path is
//! crate-private and runs on the media cores' threads, so it cannot be called from here; the
//! `calls` scenario of `loadtest` and `loadtest`'s `forward` bench measure it (see
//! docs/benchmarks.md).
//!
//! The group keeps the name `per_core/...` it had next to the removed port-per-peer engine,
//! so earlier results still compare.
//!
//! `cargo bench -p sfu --bench connect`

use criterion::{criterion_group, criterion_main, Criterion};
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

fn bench_connect(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let sfu = sfu::Sfu::new(sfu::SfuConfig {
        bind_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        ..Default::default()
    });
    let mut group = c.benchmark_group("per_core");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));
    // Join an empty room: peer connection on the room's core, first offer.
    group.bench_function("connect_until_offer_then_remove", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for i in 0..iters {
                    let room = format!("bench-{i}");
                    let start = Instant::now();
                    let (_peer, mut events) = sfu.connect(&room, "p").await.expect("connect");
                    loop {
                        match events.recv().await {
                            Some(sfu::SfuEvent::Offer { .. }) | None => break,
                            Some(_) => {}
                        }
                    }
                    total += start.elapsed();
                    sfu.remove_participant(&room, "p").await;
                }
                total
            })
        })
    });
    // The second participant: the first one's tracks become downlinks of the new connection
    // and the first one is renegotiated.
    group.bench_function("second_participant_connect_until_offer", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for i in 0..iters {
                    let room = format!("bench2-{i}");
                    let (_first, _first_events) = sfu.connect(&room, "a").await.expect("connect");
                    let start = Instant::now();
                    let (_peer, mut events) = sfu.connect(&room, "b").await.expect("connect");
                    loop {
                        match events.recv().await {
                            Some(sfu::SfuEvent::Offer { .. }) | None => break,
                            Some(_) => {}
                        }
                    }
                    total += start.elapsed();
                    sfu.close_room(&room).await;
                }
                total
            })
        })
    });
    group.finish();
}

criterion_group!(benches, bench_connect);
criterion_main!(benches);
