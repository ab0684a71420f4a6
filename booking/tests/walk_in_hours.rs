//! Issue 16 items 5, 6 and 10 on real SQLite and PostgreSQL: walk-ins only while a clerk for the
//! service works (closed at night and on a closing day, open during hours), callbacks promise a
//! window, attempts are recorded and the second failed one closes the request as unreachable
//! with a notice for the outbox, and the dashboard's on-time rate counts the first attempt.

#[macro_use]
mod common;

use booking::domain::closing_days::ClosingDay;
use common::{spawn, ts, Store, TestApp};
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_stores!(
    walk_ins_follow_the_clerks_hours,
    callback_attempts_and_unreachable_after_two,
    on_time_rate_counts_the_first_attempt,
);

async fn demo(store: Store, now: &str) -> (TestApp, Value) {
    let t = spawn(store, ts(now), None).await;
    assert!(booking::demo::seed_if_empty(t.app.db()).await.unwrap());
    let services: Vec<Value> = t
        .client
        .get(format!("{}/api/v1/tenants/voorbeeld/services", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let passport = services
        .into_iter()
        .find(|s| s["name"].as_str().unwrap().starts_with("Paspoort"))
        .unwrap();
    (t, passport)
}

fn advance_to(t: &TestApp, at: &str) {
    let by = ts(at).duration_since(t.app.clock.now());
    assert!(
        by >= SignedDuration::ZERO,
        "the test clock only moves forward"
    );
    t.app.clock.advance(by);
}

async fn walk_in(t: &TestApp, service: &Value) -> reqwest::Response {
    t.client
        .post(format!("{}/api/v1/tenants/voorbeeld/walk-ins", t.base))
        .json(&json!({"service_id": service["id"], "name": "Binnenloper"}))
        .send()
        .await
        .unwrap()
}

async fn clerk(t: &TestApp) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let resp = client
        .post(format!("{}/api/v1/auth/login", t.base))
        .header("origin", &t.base)
        .json(&json!({"tenant": "voorbeeld", "email": "anna@voorbeeld.nl", "password": "welkom-anna"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    client
}

async fn walk_ins_follow_the_clerks_hours(store: Store) {
    // Monday 30 November 2026, 01:13 at night in Amsterdam.
    let (t, passport) = demo(store, "2026-11-30T00:13:00Z").await;
    let night = walk_in(&t, &passport).await;
    assert_eq!(night.status(), StatusCode::CONFLICT);
    let problem: Value = night.json().await.unwrap();
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("maandag 30 november 2026 om 09:00"),
        "{problem}"
    );
    assert!(detail.contains("2026-11-30T09:00:00+01:00"), "{problem}");
    assert!(t
        .app
        .db()
        .open_queue(t.app.db().tenant_by_slug("voorbeeld").await.unwrap().id)
        .await
        .unwrap()
        .is_empty());

    // 10:00: the clerks work, the walk-in joins.
    advance_to(&t, "2026-11-30T09:00:00Z");
    let day = walk_in(&t, &passport).await;
    assert_eq!(day.status(), StatusCode::CREATED);

    // Tuesday 1 December is a closing day: closed all day, open again on Wednesday 09:00.
    let tenant = t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    t.app
        .db()
        .add_closing_day(
            tenant.id,
            &ClosingDay {
                id: uuid::Uuid::new_v4(),
                date: "2026-12-01".parse().unwrap(),
                part: None,
                name: "Heidag".into(),
                holiday: false,
            },
        )
        .await
        .unwrap();
    advance_to(&t, "2026-12-01T10:00:00Z");
    let closed = walk_in(&t, &passport).await;
    assert_eq!(closed.status(), StatusCode::CONFLICT);
    let problem: Value = closed.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("woensdag 2 december 2026 om 09:00"),
        "{problem}"
    );
    // In English too.
    let english: Value = t
        .client
        .post(format!("{}/api/v1/tenants/voorbeeld/walk-ins", t.base))
        .header("accept-language", "en")
        .json(&json!({"service_id": passport["id"], "name": "Binnenloper"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        english["detail"]
            .as_str()
            .unwrap()
            .contains("Wednesday 2 December 2026 at 09:00"),
        "{english}"
    );
}

async fn request_callback(t: &TestApp, service: &Value, part: &str) -> reqwest::Response {
    t.client
        .post(format!("{}/api/v1/tenants/voorbeeld/callbacks", t.base))
        .json(&json!({"service_id": service["id"], "name": "Bel Mij", "phone": "06 12345678", "part_of_day": part}))
        .send()
        .await
        .unwrap()
}

async fn attempt(
    t: &TestApp,
    clerk: &reqwest::Client,
    id: &Value,
    reached: bool,
    note: &str,
) -> reqwest::Response {
    clerk
        .post(format!(
            "{}/api/v1/staff/callbacks/{}/attempts",
            t.base,
            id.as_str().unwrap()
        ))
        .header("origin", &t.base)
        .json(&json!({"reached": reached, "note": note}))
        .send()
        .await
        .unwrap()
}

async fn callback_attempts_and_unreachable_after_two(store: Store) {
    // Monday 30 November 2026, 08:00 in Amsterdam.
    let (t, passport) = demo(store, "2026-11-30T07:00:00Z").await;
    let resp = request_callback(&t, &passport, "morning").await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let first: Value = resp.json().await.unwrap();
    assert_eq!(first["promised_from"], "2026-11-30T09:00:00+01:00");
    assert_eq!(first["promised_until"], "2026-11-30T12:00:00+01:00");
    // The evening is not offered: a clear 422 at the field.
    let evening = request_callback(&t, &passport, "evening").await;
    assert_eq!(evening.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = evening.json().await.unwrap();
    assert_eq!(problem["field"], "/part_of_day", "{problem}");

    let anna = clerk(&t).await;
    advance_to(&t, "2026-11-30T08:30:00Z");
    let once = attempt(&t, &anna, &first["id"], false, "Voicemail ingesproken").await;
    assert_eq!(once.status(), StatusCode::OK);
    let once: Value = once.json().await.unwrap();
    assert_eq!(
        once["closed"],
        Value::Null,
        "one failed attempt leaves it open"
    );
    let tenant = t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    assert!(booking::usecases::callbacks::untold_unreachable(&t.app, 10)
        .await
        .unwrap()
        .is_empty());

    advance_to(&t, "2026-11-30T10:00:00Z");
    let twice: Value = attempt(&t, &anna, &first["id"], false, "")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(twice["closed"], "unreachable");
    let open: Vec<Value> = anna
        .get(format!("{}/api/v1/staff/callbacks", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(open.is_empty(), "closed requests leave the list: {open:?}");
    // A third attempt on the closed request is refused and not recorded.
    assert_eq!(
        attempt(&t, &anna, &first["id"], true, "").await.status(),
        StatusCode::CONFLICT
    );
    let id: booking::domain::callback::CallbackId = first["id"].as_str().unwrap().parse().unwrap();
    let attempts = t.app.db().callback_attempts(id).await.unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].note, "Voicemail ingesproken");
    assert!(attempts.iter().all(|a| !a.reached));

    // The second failed attempt tells the resident at once: one text in the outbox, to the
    // number of the request, and nobody left to tell.
    let texts: Vec<_> = t
        .app
        .db()
        .messages(first_tenant_id(&t).await, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.recipient == "+31612345678")
        .collect();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(booking::usecases::callbacks::untold_unreachable(&t.app, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(
        !booking::usecases::callbacks::mark_unreachable_told(&t.app, id)
            .await
            .unwrap(),
        "already told"
    );

    // Not reached, then reached: closed as reached, no notice.
    let second: Value = request_callback(&t, &passport, "afternoon")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["promised_from"], "2026-11-30T13:00:00+01:00");
    let _ = attempt(&t, &anna, &second["id"], false, "").await;
    let done: Value = attempt(&t, &anna, &second["id"], true, "Vraag beantwoord")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done["closed"], "reached");
    assert!(booking::usecases::callbacks::untold_unreachable(&t.app, 10)
        .await
        .unwrap()
        .is_empty());
    let _ = tenant;

    // A note that is too long is a 422 and records nothing.
    let third: Value = request_callback(&t, &passport, "afternoon")
        .await
        .json()
        .await
        .unwrap();
    let long = attempt(&t, &anna, &third["id"], false, &"x".repeat(1001)).await;
    assert_eq!(long.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let id: booking::domain::callback::CallbackId = third["id"].as_str().unwrap().parse().unwrap();
    assert!(t.app.db().callback_attempts(id).await.unwrap().is_empty());
}

async fn on_time_rate_counts_the_first_attempt(store: Store) {
    // Monday 30 November 2026, 08:00 in Amsterdam; three requests for the morning (09-12).
    let (t, passport) = demo(store, "2026-11-30T07:00:00Z").await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let c: Value = request_callback(&t, &passport, "morning")
            .await
            .json()
            .await
            .unwrap();
        ids.push(c["id"].clone());
    }
    let anna = clerk(&t).await;
    // 10:00 first attempt (not reached) on the first; reached only at 14:00: still on time,
    // because the first attempt counts.
    advance_to(&t, "2026-11-30T09:00:00Z");
    let _ = attempt(&t, &anna, &ids[0], false, "").await;
    // 11:30: the second is reached in its window.
    advance_to(&t, "2026-11-30T10:30:00Z");
    let _ = attempt(&t, &anna, &ids[1], true, "").await;
    // 14:00: the first is reached, and the third tried for the first time: late.
    advance_to(&t, "2026-11-30T13:00:00Z");
    let _ = attempt(&t, &anna, &ids[0], true, "").await;
    let _ = attempt(&t, &anna, &ids[2], true, "").await;

    let tenant = t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    let period = booking::usecases::admin::dashboard::dashboard(
        &t.app,
        &tenant,
        Some("2026-11-30"),
        Some("2026-11-30"),
        None,
    )
    .await
    .unwrap();
    let row = period
        .rows
        .iter()
        .find(|r| r.service_id.to_string() == passport["id"].as_str().unwrap() && r.callbacks > 0)
        .unwrap();
    assert_eq!((row.callbacks, row.callbacks_on_time), (3, 2));
}

async fn first_tenant_id(t: &common::TestApp) -> booking::domain::ids::TenantId {
    t.app.db().tenant_by_slug("voorbeeld").await.unwrap().id
}
