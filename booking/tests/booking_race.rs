//! A booking checks only its own start and lets the reservation guard decide (issue 20). Many
//! residents booking overlapping starts with several clerks at once must still never give a
//! clerk two appointments at the same time, on SQLite and PostgreSQL.

mod common;

use booking::domain::catalog::{Clerk, Service};
use booking::domain::ids::{ClerkId, ServiceId};
use booking::domain::staff::StaffRole;
use common::{spawn, ts, Store};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Row;

async fn overlapping_starts_never_double_book(store: Store) {
    let t = spawn(store, ts("2026-03-20T09:00:00Z"), None).await;
    let mut tenant = booking::demo::demo_tenant();
    tenant.slug = booking::domain::tenant::Slug::parse("drie-loketten").unwrap();
    t.app.db().save_tenant(&tenant).await.unwrap();
    let service = Service {
        id: ServiceId::new(),
        tenant_id: tenant.id,
        name: "Rijbewijs".into(),
        description: String::new(),
        duration_minutes: 30,
        buffer_minutes: 0,
        active: true,
        party: Default::default(),
    };
    t.app.db().save_service(&service).await.unwrap();
    for i in 0..3 {
        let clerk = Clerk {
            id: ClerkId::new(),
            tenant_id: tenant.id,
            name: format!("Medewerker {i}"),
            email: format!("m{i}@example.nl"),
            role: StaffRole::Clerk,
            services: vec![service.id],
        };
        t.app.db().create_clerk(&clerk, "x").await.unwrap();
        t.app
            .db()
            .set_opening_hours(clerk.id, &booking::demo::office_hours())
            .await
            .unwrap();
    }

    // 10:15 overlaps both 10:00 and 10:30: each clerk holds either 10:15 or 10:00 and 10:30.
    let starts = [
        "2026-03-27T10:00:00+01:00",
        "2026-03-27T10:15:00+01:00",
        "2026-03-27T10:30:00+01:00",
    ];
    let url = format!("{}/api/v1/tenants/drie-loketten/appointments", t.base);
    let requests: Vec<_> = (0..60)
        .map(|i| {
            let (client, url) = (t.client.clone(), url.clone());
            let body = json!({"service_id": service.id, "start": starts[i % 3],
                "name": format!("Bewoner {i}"), "email": format!("b{i}@example.nl")});
            tokio::spawn(async move { client.post(url).json(&body).send().await.unwrap().status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for request in requests {
        statuses.push(request.await.unwrap());
    }
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!(created + conflicts, 60, "statuses: {statuses:?}");
    assert!((3..=6).contains(&created), "created {created}");
    assert_eq!(
        t.app.db().count_booked(tenant.id).await.unwrap(),
        created as i64
    );

    // No clerk has two appointments that overlap.
    let rows = sqlx::query(
        "SELECT a.id FROM appointments a JOIN appointments b ON a.clerk_id = b.clerk_id \
         AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at \
         WHERE a.tenant_id = $1",
    )
    .bind(tenant.id.to_string())
    .fetch_all(&t.app.db().pool)
    .await
    .unwrap();
    assert!(rows.is_empty(), "{} overlapping pairs", rows.len());
    let units: i64 = sqlx::query("SELECT COUNT(*) AS n FROM clerk_reservations")
        .fetch_one(&t.app.db().pool)
        .await
        .unwrap()
        .get("n");
    assert_eq!(units, 6 * created as i64, "six 5-minute units per booking");
}

mod overlapping_starts_never_double_book {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        super::overlapping_starts_never_double_book(Store::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        super::overlapping_starts_never_double_book(Store::Postgres).await
    }
}
