//! Issue 21: a walk-in (a queue entry without appointment) and a callback get the same outcome
//! as an appointment, into the same outbox and built-in case store, on real SQLite and
//! PostgreSQL: recorded only once a clerk called (or reached) the resident, a second recording
//! is a correction (version 2), and bad input is a 4xx that writes nothing. The ZGW side is in
//! `zgw.rs` (`a_walk_in_outcome_becomes_a_zaak_of_its_own`).

#[macro_use]
mod common;
mod outcomes_support;

use booking::domain::ids::{CallbackId, QueueEntryId};
use booking::domain::outcome::Subject;
use booking::usecases::delivery::Worker;
use common::Store;
use outcomes_support::{fast_config, fixture, Fixture};
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_stores!(
    a_walk_in_outcome_reaches_the_case_store_and_a_second_is_a_correction,
    a_callback_outcome_follows_a_reached_attempt,
    walk_in_and_callback_notes_go_with_their_personal_data_once_delivered,
);

/// A walk-in for the fixture's service, as a resident makes it; returns the queue entry id.
async fn walk_in(f: &Fixture, name: &str) -> QueueEntryId {
    let resp = reqwest::Client::new()
        .post(f.url("/api/v1/tenants/voorbeeld/walk-ins"))
        .json(&json!({"service_id": f.service.id, "name": name}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let queue: Vec<Value> =
        f.t.client
            .get(f.url("/api/v1/staff/queue"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let entry = queue
        .iter()
        .find(|e| e["resident_name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in the queue: {queue:?}"));
    entry["id"].as_str().unwrap().parse().unwrap()
}

async fn post(f: &Fixture, path: &str, body: Value) -> reqwest::Response {
    f.t.client
        .post(f.url(path))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn get(f: &Fixture, path: &str) -> (StatusCode, Value) {
    let resp = f.t.client.get(f.url(path)).send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn no_sources() -> Value {
    json!({"result": "complete", "notes": "Paspoort aangevraagd.", "follow_up": {"kind": "none"}})
}

/// Nothing of an outcome was written for the subject: no outcome, no outbox event.
async fn nothing_written(f: &Fixture, subject: Subject) {
    let db = f.t.app.db();
    assert!(db.outcomes(f.tenant.id, subject).await.unwrap().is_empty());
    assert!(db
        .deliveries_for(f.tenant.id, subject)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(f.counts().await, (0, 0, 0));
}

/// Refusals a clerk can run into, each a 4xx that writes nothing.
async fn bad_input_writes_nothing(f: &Fixture, path: &str, subject: Subject) {
    let mut with_source = no_sources();
    with_source["sources"] = json!(["BRP"]);
    let refusals = [
        // No consent choices without an appointment: no source may be recorded as consulted.
        (with_source, StatusCode::UNPROCESSABLE_ENTITY, "/sources"),
        (
            json!({"result": "geen-bestaand", "follow_up": {"kind": "none"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/result",
        ),
        (
            json!({"result": "complete", "notes": "x".repeat(4001), "follow_up": {"kind": "none"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/notes",
        ),
        // A correction of nothing.
        (
            json!({"result": "complete", "follow_up": {"kind": "none"}, "corrects": 1}),
            StatusCode::CONFLICT,
            "",
        ),
    ];
    for (body, status, field) in refusals {
        let resp = post(f, path, body.clone()).await;
        assert_eq!(resp.status(), status, "{body}");
        let problem: Value = resp.json().await.unwrap();
        if !field.is_empty() {
            assert_eq!(problem["field"], field, "{problem}");
        }
    }
    let malformed =
        f.t.client
            .post(f.url(path))
            .header("content-type", "application/json")
            .body("{\"result\": ")
            .send()
            .await
            .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    nothing_written(f, subject).await;
}

async fn a_walk_in_outcome_reaches_the_case_store_and_a_second_is_a_correction(store: Store) {
    let f = fixture(store).await;
    let worker = Worker::new(f.t.app.clone(), fast_config(None));
    let entry = walk_in(&f, "Inloper Jansen").await;
    let subject = Subject::WalkIn(entry);
    let path = format!("/api/v1/staff/queue/{entry}/outcomes");

    // Before a clerk called the resident there is no call to record.
    assert_eq!(
        post(&f, &path, no_sources()).await.status(),
        StatusCode::CONFLICT
    );
    nothing_written(&f, subject).await;

    let called = post(&f, &format!("/api/v1/staff/queue/{entry}/call"), json!({})).await;
    assert_eq!(called.status(), StatusCode::OK);
    bad_input_writes_nothing(&f, &path, subject).await;

    let resp = post(&f, &path, no_sources()).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let view: Value = resp.json().await.unwrap();
    assert_eq!(view["queue_entry_id"], entry.to_string(), "{view}");
    assert!(view.get("appointment_id").is_none(), "{view}");
    assert_eq!(view["outcomes"][0]["version"], 1);
    assert_eq!(view["delivery"], "pending");

    // The worker delivers it to the built-in store, as an appointment's.
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let (status, case) = get(&f, &format!("/api/v1/staff/queue/{entry}/case")).await;
    assert_eq!(status, StatusCode::OK, "{case}");
    assert_eq!(case["queue_entry_id"], entry.to_string());
    assert!(
        case["title"]
            .as_str()
            .unwrap()
            .contains("Inloper Jansen (inloop)"),
        "{case}"
    );
    assert_eq!(case["events"].as_array().unwrap().len(), 1);
    assert_eq!(case["events"][0]["outcome"]["result_code"], "complete");
    assert_eq!(
        case["events"][0]["outcome"]["notes"],
        "Paspoort aangevraagd."
    );
    let (_, history) = get(&f, &path).await;
    assert_eq!(history["delivery"], "delivered", "{history}");

    // A second recording must say what it corrects; then it is version 2, delivered to the
    // same case.
    assert_eq!(
        post(&f, &path, no_sources()).await.status(),
        StatusCode::CONFLICT
    );
    let mut correction = no_sources();
    correction["result"] = json!("documents_missing");
    correction["follow_up"] = json!({"kind": "new_appointment"});
    correction["corrects"] = json!(1);
    let resp = post(&f, &path, correction).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let view: Value = resp.json().await.unwrap();
    assert_eq!(view["outcomes"][1]["version"], 2, "{view}");
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let (_, case) = get(&f, &format!("/api/v1/staff/queue/{entry}/case")).await;
    let events = case["events"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{case}");
    assert_eq!(events[1]["version"], 2);
    assert_eq!(events[1]["outcome"]["result_code"], "documents_missing");
    assert_eq!(f.counts().await, (0, 2, 0));
    // One case for the walk-in, none for any appointment.
    assert_eq!(
        f.t.app
            .db()
            .builtin_case_event_count(f.tenant.id)
            .await
            .unwrap(),
        2
    );
}

async fn a_callback_outcome_follows_a_reached_attempt(store: Store) {
    let f = fixture(store).await;
    let worker = Worker::new(f.t.app.clone(), fast_config(None));
    let resp = reqwest::Client::new()
        .post(f.url("/api/v1/tenants/voorbeeld/callbacks"))
        .json(
            &json!({"service_id": f.service.id, "name": "Beller de Vries",
            "phone": "0612345678", "part_of_day": "afternoon"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let (_, open) = get(&f, "/api/v1/staff/callbacks").await;
    let id: CallbackId = open
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["resident_name"] == "Beller de Vries")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let subject = Subject::Callback(id);
    let path = format!("/api/v1/staff/callbacks/{id}/outcomes");
    let attempts = format!("/api/v1/staff/callbacks/{id}/attempts");

    // Not reached: no conversation, so no outcome.
    assert!(post(&f, &attempts, json!({"reached": false}))
        .await
        .status()
        .is_success());
    assert_eq!(
        post(&f, &path, no_sources()).await.status(),
        StatusCode::CONFLICT
    );
    nothing_written(&f, subject).await;

    assert!(post(&f, &attempts, json!({"reached": true}))
        .await
        .status()
        .is_success());
    bad_input_writes_nothing(&f, &path, subject).await;
    let resp = post(&f, &path, no_sources()).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let (status, case) = get(&f, &format!("/api/v1/staff/callbacks/{id}/case")).await;
    assert_eq!(status, StatusCode::OK, "{case}");
    assert_eq!(case["callback_id"], id.to_string());
    assert!(
        case["title"].as_str().unwrap().contains("(terugbellen)"),
        "{case}"
    );
    assert_eq!(case["events"][0]["version"], 1);
}

async fn walk_in_and_callback_notes_go_with_their_personal_data_once_delivered(store: Store) {
    let f = fixture(store).await;
    let worker = Worker::new(f.t.app.clone(), fast_config(None));
    let entry = walk_in(&f, "Inloper Bewaar").await;
    assert!(
        post(&f, &format!("/api/v1/staff/queue/{entry}/call"), json!({}))
            .await
            .status()
            .is_success()
    );
    let resp = post(
        &f,
        &format!("/api/v1/staff/queue/{entry}/outcomes"),
        no_sources(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert!(post(
        &f,
        "/api/v1/tenants/voorbeeld/callbacks",
        json!({"service_id": f.service.id, "name": "Beller Bewaar",
            "phone": "0612345678", "part_of_day": "afternoon"})
    )
    .await
    .status()
    .is_success());
    let (_, open) = get(&f, "/api/v1/staff/callbacks").await;
    let callback: CallbackId = open
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["resident_name"] == "Beller Bewaar")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let attempts = format!("/api/v1/staff/callbacks/{callback}/attempts");
    assert!(post(&f, &attempts, json!({"reached": true}))
        .await
        .status()
        .is_success());
    let outcomes = format!("/api/v1/staff/callbacks/{callback}/outcomes");
    assert_eq!(
        post(&f, &outcomes, no_sources()).await.status(),
        StatusCode::CREATED
    );
    // The walk-in's outcome is delivered; the callback's is still on its way.
    let db = f.t.app.db();
    let walk_in_outcome = db
        .outcomes(f.tenant.id, Subject::WalkIn(entry))
        .await
        .unwrap();
    sqlx::query(
        "UPDATE outbox SET state = 'failing', next_attempt_at = NULL WHERE callback_id = $1",
    )
    .bind(callback.to_string())
    .execute(&db.pool)
    .await
    .unwrap();
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(walk_in_outcome.len(), 1);

    let notes = || async {
        let rows: Vec<(Option<String>, Option<String>, String)> = sqlx::query_as(
            "SELECT queue_entry_id, callback_id, notes FROM outcomes \
             WHERE queue_entry_id IS NOT NULL OR callback_id IS NOT NULL",
        )
        .fetch_all(&f.t.app.db().pool)
        .await
        .unwrap();
        let walk_in = rows.iter().find(|r| r.0.is_some()).unwrap().2.clone();
        let callback = rows.iter().find(|r| r.1.is_some()).unwrap().2.clone();
        (walk_in, callback)
    };
    booking::usecases::retention::apply(&f.t.app).await.unwrap();
    assert_eq!(
        notes().await,
        (
            "Paspoort aangevraagd.".into(),
            "Paspoort aangevraagd.".into()
        ),
        "within the retention period nothing goes"
    );
    f.t.app
        .clock
        .advance(jiff::SignedDuration::from_hours(24 * 400));
    booking::usecases::retention::apply(&f.t.app).await.unwrap();
    assert_eq!(
        notes().await,
        (String::new(), "Paspoort aangevraagd.".into()),
        "the delivered walk-in's notes go; the undelivered callback's wait for the case store"
    );
}
