//! Slot searches and bookings use each service's clerk schedules as last read, until the
//! database's schedule generation moves (issue 20, migration 0039). Every kind of change to
//! a schedule must show at once: in this instance and in another one on the same database.

mod common;

use booking::domain::catalog::{Clerk, Service};
use booking::domain::ids::{ClerkId, ServiceId};
use booking::domain::slots::Interval;
use booking::domain::staff::StaffRole;
use booking::domain::tenant::Tenant;
use booking::store::Db;
use booking::usecases::booking::slots;
use booking::App;
use common::{spawn, ts, Store};
use jiff::civil::date;

async fn clerk(app: &App, tenant: &Tenant, service: ServiceId, name: &str) -> ClerkId {
    let clerk = Clerk {
        id: ClerkId::new(),
        tenant_id: tenant.id,
        name: name.into(),
        email: format!("{name}@example.nl"),
        role: StaffRole::Clerk,
        services: vec![service],
    };
    app.db().create_clerk(&clerk, "x").await.unwrap();
    app.db()
        .set_opening_hours(clerk.id, &booking::demo::office_hours())
        .await
        .unwrap();
    clerk.id
}

async fn every_schedule_change_shows_at_once(store: Store) {
    let t = spawn(store, ts("2026-03-20T09:00:00Z"), None).await;
    let tenant = booking::demo::demo_tenant();
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
    let friday = date(2026, 3, 27);
    let free = |app: App| {
        let (tenant, service) = (tenant.clone(), service.clone());
        async move {
            slots(&app, &tenant, &service, friday, friday)
                .await
                .unwrap()
                .len()
        }
    };
    assert_eq!(
        free(t.app.clone()).await,
        0,
        "nobody handles the service yet"
    );

    // A clerk with hours: slots appear.
    let anna = clerk(&t.app, &tenant, service.id, "anna").await;
    let with_anna = free(t.app.clone()).await;
    assert!(with_anna > 0);
    assert_eq!(
        free(t.app.clone()).await,
        with_anna,
        "read again from the cache"
    );

    // Her absence over the whole day: gone.
    let day = Interval::new(
        ts("2026-03-27T00:00:00+01:00"),
        ts("2026-03-28T00:00:00+01:00"),
    );
    let away = t.app.db().add_absence(anna, day, "cursus").await.unwrap();
    assert_eq!(free(t.app.clone()).await, 0, "an absence shows at once");
    // ... and a booking at one of her former times is refused.
    let request = booking::usecases::booking::BookingRequest::parse(
        "2026-03-27T10:00:00+01:00",
        "Jan Jansen",
        "jan@example.nl",
        None,
        None,
    )
    .unwrap();
    assert!(matches!(
        booking::usecases::booking::book(&t.app, &tenant, &service, request.clone()).await,
        Err(booking::error::Error::Invalid { .. })
    ));
    t.app
        .db()
        .remove_absence(tenant.id, anna, away)
        .await
        .unwrap();
    assert_eq!(free(t.app.clone()).await, with_anna, "removed absence");

    // Shorter hours: fewer slots; a second clerk: as many starts (the grid is per start).
    t.app
        .db()
        .set_opening_hours(
            anna,
            &[booking::domain::slots::WeeklyWindow {
                weekday: jiff::civil::Weekday::Friday,
                start_minute: 9 * 60,
                end_minute: 11 * 60,
            }],
        )
        .await
        .unwrap();
    let short = free(t.app.clone()).await;
    assert!(0 < short && short < with_anna, "{short} of {with_anna}");

    // Another instance on the same database (its own cache) sees changes made here, and this
    // one sees its changes.
    let other = App::new(
        Db::connect(&t.app.db().url).await.unwrap(),
        booking::clock::Clock::fixed(ts("2026-03-20T09:00:00Z")),
        booking::adapters::mail::Mailer::new(&booking::adapters::mail::MailConfig::Files(
            t.test_db.dir.path().join("other-mail"),
        ))
        .unwrap(),
        booking::auth::SessionKeys::from_secret(b"test secret test secret test sec"),
        t.base.clone(),
        Default::default(),
    );
    assert_eq!(free(other.clone()).await, short);
    let bram = clerk(&other, &tenant, service.id, "bram").await;
    assert_eq!(free(t.app.clone()).await, with_anna, "bram's full day");
    // Taken off the service (the clerk stays): only anna's short day is left, everywhere.
    let clerks = other.db().clerks(tenant.id).await.unwrap();
    let mut bram_row = clerks.into_iter().find(|c| c.id == bram).unwrap();
    bram_row.services.clear();
    other.db().update_clerk(&bram_row).await.unwrap();
    assert_eq!(free(t.app.clone()).await, short);
    assert_eq!(free(other.clone()).await, short);
    // Anna no longer active (any write to the table counts, whichever code makes it): nothing.
    sqlx::query("UPDATE clerks SET active = 0 WHERE id = $1")
        .bind(anna.to_string())
        .execute(&t.app.db().pool)
        .await
        .unwrap();
    assert_eq!(free(other).await, 0);
    assert_eq!(free(t.app.clone()).await, 0);
    assert!(
        booking::usecases::booking::book(&t.app, &tenant, &service, request)
            .await
            .is_err()
    );
}

mod every_schedule_change_shows_at_once {
    use super::*;
    #[tokio::test]
    async fn sqlite() {
        super::every_schedule_change_shows_at_once(Store::Sqlite).await
    }
    #[tokio::test]
    async fn postgres() {
        super::every_schedule_change_shows_at_once(Store::Postgres).await
    }
}
