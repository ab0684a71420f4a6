//! The database's order of the next candidates (`Db::queue_candidates`, what "call next" reads)
//! is the queue rule `domain::queue::queue_order`, on SQLite and PostgreSQL: random queues with
//! every kind of entry (requeued, due, walk-in, early, not waiting, equal join times) are
//! ordered both ways and compared.

mod common;

use booking::domain::ids::{ServiceId, TenantId};
use booking::domain::queue::{queue_order, EntryStatus, QueueEntry, QueueEntryId};
use common::{Store, TestDb};
use jiff::{SignedDuration, Timestamp};

/// A small deterministic generator (xorshift), so a failure repeats.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn random_entry(
    draw: &mut Draw,
    tenant: TenantId,
    services: &[ServiceId],
    now: Timestamp,
) -> QueueEntry {
    // Join times on a coarse grid, so equal times (and the tie on the id) happen often.
    let minutes = |m: u64| SignedDuration::from_mins(m as i64);
    let joined_at = now - minutes(draw.below(6) * 5);
    let due_at = match draw.below(3) {
        0 => None,
        1 => Some(now - minutes(draw.below(4) * 5)),
        _ => Some(now + minutes(draw.below(4) * 5)),
    };
    let requeued = draw.below(4) == 0;
    let status = match draw.below(6) {
        0 => EntryStatus::Called,
        1 => EntryStatus::Done,
        _ => EntryStatus::Waiting,
    };
    QueueEntry {
        id: QueueEntryId::new(),
        tenant_id: tenant,
        service_id: services[draw.below(services.len() as u64) as usize],
        appointment_id: None,
        due_at,
        joined_at,
        resident_name: "Test".into(),
        resident_phone: None,
        status,
        clerk_id: None,
        room_id: None,
        called_at: None,
        first_called_at: (requeued && draw.below(3) > 0).then(|| now - minutes(draw.below(6) * 5)),
        answered_at: None,
        done_at: None,
        requeued,
        by_phone_at: None,
    }
}

async fn candidates_follow_the_queue_rule(store: Store) {
    let test_db = TestDb::new(store).await;
    let db = &test_db.db;
    booking::demo::seed_if_empty(db).await.unwrap();
    let tenant = db.tenants().await.unwrap()[0].id;
    let services: Vec<ServiceId> = db
        .services(tenant)
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    assert!(services.len() >= 2, "the demo has several services");
    let now: Timestamp = "2026-06-01T10:00:00Z".parse().unwrap();
    let mut draw = Draw(0x5eed_1234_abcd_0001);
    let mut entries = Vec::new();
    for round in 0..4 {
        for _ in 0..40 {
            let e = random_entry(&mut draw, tenant, &services, now);
            assert!(db
                .insert_queue_entry(&e, &format!("hash-{}", e.id))
                .await
                .unwrap());
            // Status, the first call and the requeue flag as they would be after calls.
            sqlx::query(
                "UPDATE queue_entries SET status = $1, first_called_at = $2, requeued = $3 WHERE id = $4",
            )
            .bind(e.status.as_str())
            .bind(e.first_called_at.map(|t| t.as_second()))
            .bind(i64::from(e.requeued))
            .bind(e.id.to_string())
            .execute(&db.pool)
            .await
            .unwrap();
            entries.push(e);
        }
        let subsets: Vec<Vec<ServiceId>> = vec![
            services.clone(),
            vec![services[round % services.len()]],
            services[..2].to_vec(),
            Vec::new(),
        ];
        for subset in subsets {
            let expected: Vec<QueueEntryId> = queue_order(&entries, Some(&subset), now)
                .into_iter()
                .map(|e| e.id)
                .collect();
            let limit = expected.len() as i64 + 5;
            let got: Vec<QueueEntryId> = db
                .queue_candidates(tenant, &subset, now, limit)
                .await
                .unwrap()
                .iter()
                .map(|e| e.id)
                .collect();
            assert_eq!(got, expected, "order for {} services", subset.len());
            // The limit takes the head of that order.
            let head = db.queue_candidates(tenant, &subset, now, 3).await.unwrap();
            let head: Vec<QueueEntryId> = head.iter().map(|e| e.id).collect();
            assert_eq!(head, expected.iter().take(3).copied().collect::<Vec<_>>());
        }
    }
}

mod candidates_follow_the_queue_rule {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::candidates_follow_the_queue_rule(Store::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::candidates_follow_the_queue_rule(Store::Postgres).await
    }
}
