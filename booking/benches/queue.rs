//! Queue ordering: the calling order of 10,000 queue entries, as every "call next" and every
//! resident's place computes it.
//!
//! `cargo bench -p booking --bench queue`

use booking::domain::ids::{AppointmentId, ServiceId, TenantId};
use booking::domain::queue::{queue_order, EntryStatus, QueueEntry, QueueEntryId};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use jiff::{SignedDuration, Timestamp};
use std::hint::black_box;

fn entries(n: usize, services: &[ServiceId], now: Timestamp) -> Vec<QueueEntry> {
    let tenant = TenantId::new();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|i| {
            let r = next();
            let joined = now - SignedDuration::from_secs((r % 7200) as i64);
            // Mix: 60% appointments (half due, half early), 35% walk-ins, 5% requeued; and
            // about a tenth of the entries are no longer waiting.
            let kind = r % 100;
            let due = match kind {
                0..=29 => Some(now - SignedDuration::from_secs((r >> 8) as i64 % 1800)),
                30..=59 => Some(now + SignedDuration::from_secs((r >> 8) as i64 % 3600)),
                _ => None,
            };
            let requeued = kind >= 95;
            let status = if (r >> 20) % 10 == 0 {
                EntryStatus::Done
            } else {
                EntryStatus::Waiting
            };
            QueueEntry {
                id: QueueEntryId::new(),
                tenant_id: tenant,
                service_id: services[(r >> 32) as usize % services.len()],
                appointment_id: due.map(|_| AppointmentId::new()),
                due_at: due,
                joined_at: joined,
                resident_name: format!("Bewoner {i}"),
                resident_phone: None,
                status,
                clerk_id: None,
                room_id: None,
                called_at: None,
                first_called_at: requeued.then(|| joined + SignedDuration::from_secs(60)),
                answered_at: None,
                done_at: None,
                requeued,
                by_phone_at: None,
            }
        })
        .collect()
}

fn bench_queue(c: &mut Criterion) {
    let now: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
    let services: Vec<ServiceId> = (0..8).map(|_| ServiceId::new()).collect();
    let mut group = c.benchmark_group("queue_order");
    for n in [1_000usize, 10_000] {
        let all = entries(n, &services, now);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("all_services", n), &all, |b, all| {
            b.iter(|| queue_order(black_box(all.iter()), None, now).len())
        });
        // A clerk who handles three of the eight services.
        let mine = &services[..3];
        group.bench_with_input(
            BenchmarkId::new("clerk_3_of_8_services", n),
            &all,
            |b, all| b.iter(|| queue_order(black_box(all.iter()), Some(mine), now).len()),
        );
    }
    group.finish();
}

criterion_group!(benches, bench_queue);
criterion_main!(benches);
