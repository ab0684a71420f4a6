//! The access log is append-only in the database itself (migration 0014): whatever the
//! application does, a row once written cannot be changed or removed, on SQLite and on
//! PostgreSQL. New rows can still be added.

#[macro_use]
mod common;
mod privacy_support;

use common::{ts, Store};
use privacy_support::fixture;

on_both_stores!(written_access_entries_cannot_be_changed_or_removed);

async fn count(pool: &sqlx::AnyPool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM access_log")
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn written_access_entries_cannot_be_changed_or_removed(store: Store) {
    let f = fixture(store).await;
    let booked = f.book(ts("2026-03-23T09:00:00Z"), "Inwoner Log").await;
    // The clerk opens the appointment: one entry through the application's only path, insert.
    let resp =
        f.t.client
            .get(format!(
                "{}/api/v1/staff/appointments/{}",
                f.t.base, booked.id
            ))
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status(), 200);
    let pool = &f.t.app.db().pool;
    assert_eq!(count(pool).await, 1);

    let update = sqlx::query("UPDATE access_log SET reason = 'nothing to see'")
        .execute(pool)
        .await;
    let err = update.expect_err("an update of the access log must fail");
    assert!(err.to_string().contains("append-only"), "{err}");

    let delete = sqlx::query("DELETE FROM access_log").execute(pool).await;
    let err = delete.expect_err("a delete from the access log must fail");
    assert!(err.to_string().contains("append-only"), "{err}");

    if store == Store::Postgres {
        let truncate = sqlx::query("TRUNCATE access_log").execute(pool).await;
        assert!(truncate.is_err(), "truncating the access log must fail");
    }

    let reason: String = sqlx::query_scalar("SELECT reason FROM access_log")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_ne!(reason, "nothing to see");
    assert_eq!(count(pool).await, 1);

    // Appending still works: the clerk opens it again.
    let resp =
        f.t.client
            .get(format!(
                "{}/api/v1/staff/appointments/{}",
                f.t.base, booked.id
            ))
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(count(pool).await, 2);
}
