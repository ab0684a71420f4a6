//! Privacy (issue 8) on real SQLite and PostgreSQL: consent per information source with its
//! history, refusal and logging of sources the resident did not allow, the access log shown
//! through the personal link, and that one municipality never sees another's.

#[macro_use]
mod common;
mod privacy_support;

use common::{ts, Store};
use jiff::SignedDuration;
use privacy_support::fixture;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

on_both_stores!(
    consent_is_chosen_while_booking_in_the_same_transaction,
    consent_choices_freeze_when_a_clerk_calls_early,
    consent_choices_keep_their_history_and_freeze_at_the_call,
    unallowed_sources_are_refused_and_logged,
    opening_an_appointment_is_logged_in_plain_dutch,
    another_municipality_sees_nothing,
    retention_erases_personal_data_per_municipality_and_keeps_statistics,
    the_retention_worker_applies_the_rule,
    a_resident_erases_their_data_through_the_personal_link,
);

fn choices(view: &Value) -> Vec<(String, Value, usize)> {
    view["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["code"].as_str().unwrap().to_string(),
                s["choice"].clone(),
                s["history"].as_array().unwrap().len(),
            )
        })
        .collect()
}

/// Booking through the public API with a choice per source of the demo's moving service:
/// stored with the appointment and the booking's time; an unknown source is a 422 naming the
/// field, and neither an appointment nor a choice is written.
async fn consent_is_chosen_while_booking_in_the_same_transaction(store: Store) {
    let f = fixture(store).await;
    let anon = reqwest::Client::new();
    let moving =
        f.t.app
            .db()
            .services(f.tenant.id)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.name == booking::demo::MOVING)
            .expect("the demo's moving service");
    let (status, sources) = f
        .get(
            &anon,
            &format!("/tenants/voorbeeld/services/{}/sources", moving.id),
        )
        .await;
    assert_eq!(status, 200);
    let codes: Vec<&str> = sources
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["brp", "woonbewijs"]);
    let rows = |table: &'static str| {
        let db = f.t.app.db().clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&db.pool)
                .await
                .unwrap()
        }
    };
    let body = |consents: Value| {
        json!({
            "service_id": moving.id.to_string(),
            // Monday 23 March, 09:00 in Amsterdam.
            "start": "2026-03-23T09:00:00+01:00",
            "name": "Inwoner Verhuist",
            "email": "verhuist@example.nl",
            "consents": consents,
        })
    };

    let (status, problem) = f
        .send(
            &anon,
            Method::POST,
            "/tenants/voorbeeld/appointments",
            body(json!([
                {"source": "brp", "choice": "municipality"},
                {"source": "kadaster", "choice": "self"}
            ])),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["field"], "/consents/1/source");
    assert_eq!(rows("appointments").await, 0, "no appointment written");
    assert_eq!(rows("consent_choices").await, 0, "no choice written");
    let (status, problem) = f
        .send(
            &anon,
            Method::POST,
            "/tenants/voorbeeld/appointments",
            body(json!([{"source": "brp", "choice": "maybe"}])),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(rows("appointments").await, 0);

    let (status, booked) = f
        .send(
            &anon,
            Method::POST,
            "/tenants/voorbeeld/appointments",
            body(json!([
                {"source": "woonbewijs", "choice": "self"},
                {"source": "brp", "choice": "municipality"}
            ])),
        )
        .await;
    assert_eq!(status, 201, "{booked}");
    let token = booked["token"].as_str().unwrap();
    let (status, view) = f.get(&anon, &format!("/personal/{token}/consent")).await;
    assert_eq!(status, 200);
    assert_eq!(
        choices(&view),
        vec![
            ("brp".to_string(), json!("municipality"), 1),
            ("woonbewijs".to_string(), json!("self"), 1),
        ]
    );
    // Stored with the time of booking (the test clock: 10:00 in Amsterdam).
    assert_eq!(
        view["sources"][0]["history"][0]["chosen_at"],
        "2026-03-20T10:00:00+01:00"
    );
    assert_eq!(view["can_change"], true);

    // A later change through the personal link adds to the history.
    f.t.app.clock.advance(SignedDuration::from_mins(5));
    let (status, view) = f
        .send(
            &anon,
            Method::PUT,
            &format!("/personal/{token}/consent"),
            json!({"choices": [{"source": "brp", "choice": "self"}]}),
        )
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(choices(&view)[0], ("brp".to_string(), json!("self"), 2));
    assert_eq!(
        view["sources"][0]["history"][1]["chosen_at"],
        "2026-03-20T10:05:00+01:00"
    );

    // Without `consents` (older clients) the booking stands with no choice made yet.
    let (status, other) = f
        .send(
            &anon,
            Method::POST,
            "/tenants/voorbeeld/appointments",
            json!({
                "service_id": moving.id.to_string(),
                "start": "2026-03-23T10:00:00+01:00",
                "name": "Inwoner Zonder",
                "email": "zonder@example.nl",
            }),
        )
        .await;
    assert_eq!(status, 201, "{other}");
    let (_, view) = f
        .get(
            &anon,
            &format!("/personal/{}/consent", other["token"].as_str().unwrap()),
        )
        .await;
    assert_eq!(
        choices(&view),
        vec![
            ("brp".to_string(), Value::Null, 0),
            ("woonbewijs".to_string(), Value::Null, 0),
        ]
    );
    assert_eq!(rows("appointments").await, 2);
    assert_eq!(rows("consent_choices").await, 3);
}

/// Checked in early and called by a clerk before the appointment's time: the call has
/// started, so the choices stand from then on.
async fn consent_choices_freeze_when_a_clerk_calls_early(store: Store) {
    let f = fixture(store).await;
    f.configure_sources().await;
    let anon = reqwest::Client::new();
    // 09:10 while the clock says 09:00: inside the check-in window, before the start.
    let b = f.book(ts("2026-03-20T09:10:00Z"), "Inwoner Vroeg").await;
    let choose = |choice: &'static str| {
        let path = format!("/personal/{}/consent", b.token);
        let anon = anon.clone();
        let f = &f;
        async move {
            f.send(
                &anon,
                Method::PUT,
                &path,
                json!({"choices": [{"source": "brp", "choice": choice}]}),
            )
            .await
        }
    };
    let (status, view) = choose("municipality").await;
    assert_eq!(status, 200, "{view}");
    let (status, body) = f
        .send(
            &anon,
            Method::POST,
            &format!("/personal/{}/check-in", b.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // Waiting in the queue: still the resident's to change.
    let (status, _) = choose("self").await;
    assert_eq!(status, 200);
    let (_, queue) = f.get(&f.t.client, "/staff/queue").await;
    let id = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["resident_name"] == "Inwoner Vroeg")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, entry) = f
        .send(
            &f.t.client,
            Method::POST,
            &format!("/staff/queue/{id}/call"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{entry}");
    let (status, problem) = choose("not_needed").await;
    assert_eq!(status, 409, "{problem}");
    let (_, view) = f
        .get(&anon, &format!("/personal/{}/consent", b.token))
        .await;
    assert_eq!(view["can_change"], false);
    assert_eq!(choices(&view)[0], ("brp".to_string(), json!("self"), 2));
}

async fn consent_choices_keep_their_history_and_freeze_at_the_call(store: Store) {
    let f = fixture(store).await;
    f.configure_sources().await;
    let start = ts("2026-03-20T13:00:00Z");
    let b = f.book(start, "Inwoner Een").await;

    // Shown when booking, with the reasons.
    let (status, listed) = f
        .get(
            &reqwest::Client::new(),
            &format!("/tenants/voorbeeld/services/{}/sources", f.service.id),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        listed[1]["reason"],
        "Om te zien of u recht heeft op korting."
    );

    let path = format!("/personal/{}/consent", b.token);
    let (status, view) = f.get(&reqwest::Client::new(), &path).await;
    assert_eq!(status, 200);
    assert_eq!(view["can_change"], true);
    assert!(choices(&view)
        .iter()
        .all(|(_, c, n)| c.is_null() && *n == 0));

    let (status, _) = f
        .send(&reqwest::Client::new(), Method::PUT, &path,
            json!({"choices": [{"source": "brp", "choice": "municipality"}, {"source": "inkomen", "choice": "municipality"}]}))
        .await;
    assert_eq!(status, 200);
    f.t.app.clock.advance(SignedDuration::from_mins(5));
    // A change is a new record; resubmitting an unchanged choice adds nothing.
    let (status, view) = f
        .send(&reqwest::Client::new(), Method::PUT, &path,
            json!({"choices": [{"source": "brp", "choice": "municipality"}, {"source": "inkomen", "choice": "self"}, {"source": "duo", "choice": "not_needed"}]}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        choices(&view),
        vec![
            ("brp".into(), json!("municipality"), 1),
            ("inkomen".into(), json!("self"), 2),
            ("duo".into(), json!("not_needed"), 1),
        ]
    );
    let inkomen = &view["sources"][1]["history"];
    assert_eq!(inkomen[0]["choice"], "municipality");
    assert_eq!(inkomen[0]["chosen_at"], "2026-03-20T10:00:00+01:00");
    assert_eq!(inkomen[1]["chosen_at"], "2026-03-20T10:05:00+01:00");

    // The clerk sees the same beside the call.
    let (status, staff_view) = f
        .get(
            &f.t.client,
            &format!("/staff/appointments/{}/consent", b.id),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(choices(&staff_view), choices(&view));

    let (status, problem) = f
        .send(
            &reqwest::Client::new(),
            Method::PUT,
            &path,
            json!({"choices": [{"source": "kadaster", "choice": "municipality"}]}),
        )
        .await;
    assert_eq!(status, 422, "{problem}");

    // From the start of the call the choices stand.
    f.t.app
        .clock
        .advance(start.duration_since(f.t.app.clock.now()));
    let (status, _) = f
        .send(
            &reqwest::Client::new(),
            Method::PUT,
            &path,
            json!({"choices": [{"source": "inkomen", "choice": "municipality"}]}),
        )
        .await;
    assert_eq!(status, 409);
    let (_, view) = f.get(&reqwest::Client::new(), &path).await;
    assert_eq!(view["can_change"], false);
    assert_eq!(view["sources"][1]["choice"], "self");
}

async fn access_lines(f: &privacy_support::Fixture, token: &str) -> Vec<Value> {
    let (status, lines) = f
        .get(
            &reqwest::Client::new(),
            &format!("/personal/{token}/access-log"),
        )
        .await;
    assert_eq!(status, 200);
    lines.as_array().unwrap().clone()
}

async fn unallowed_sources_are_refused_and_logged(store: Store) {
    let f = fixture(store).await;
    f.configure_sources().await;
    let b = f.book(ts("2026-03-20T09:30:00Z"), "Inwoner Twee").await;
    let (status, _) = f
        .send(&reqwest::Client::new(), Method::PUT, &format!("/personal/{}/consent", b.token),
            json!({"choices": [{"source": "brp", "choice": "municipality"}, {"source": "inkomen", "choice": "self"}]}))
        .await;
    assert_eq!(status, 200);
    f.t.app.clock.advance(SignedDuration::from_mins(45));
    f.start_call(b.id).await;

    let outcome = |sources: Value| json!({"result": "complete", "follow_up": {"kind": "none"}, "sources": sources});
    let path = format!("/staff/appointments/{}/outcomes", b.id);
    // Income data was to come from the resident; education data was never chosen.
    for refused in [
        json!(["BRP", "Inkomensgegevens"]),
        json!(["Onderwijsgegevens"]),
        json!(["Kadaster"]),
    ] {
        let (status, problem) = f
            .send(&f.t.client, Method::POST, &path, outcome(refused.clone()))
            .await;
        assert_eq!(status, 422, "{refused}: {problem}");
        assert_eq!(problem["field"], "/sources");
        f.t.app.clock.advance(SignedDuration::from_secs(1));
    }
    let (_, history) = f.get(&f.t.client, &path).await;
    assert_eq!(
        history["outcomes"].as_array().unwrap().len(),
        0,
        "nothing recorded"
    );
    let lines = access_lines(&f, &b.token).await;
    let refused: Vec<&str> = lines
        .iter()
        .filter(|l| l["action"] == "refused_source")
        .map(|l| l["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        refused,
        vec!["Inkomensgegevens", "Onderwijsgegevens", "Kadaster"]
    );
    assert!(lines.iter().all(|l| l["action"] != "consulted_source"));

    let (status, body) = f
        .send(&f.t.client, Method::POST, &path, outcome(json!(["BRP"])))
        .await;
    assert_eq!(status, 201, "{body}");
    let lines = access_lines(&f, &b.token).await;
    let consulted: Vec<&Value> = lines
        .iter()
        .filter(|l| l["action"] == "consulted_source")
        .collect();
    assert_eq!(consulted.len(), 1);
    assert_eq!(
        consulted[0]["sentence"],
        "Op 20 maart om 10:45 heeft een medewerker van de gemeente BRP geraadpleegd, \
         bij het vastleggen van de uitkomst van het gesprek."
    );
}

async fn opening_an_appointment_is_logged_in_plain_dutch(store: Store) {
    let f = fixture(store).await;
    let b = f.book(ts("2026-03-20T13:00:00Z"), "Inwoner Drie").await;
    let other = f.book(ts("2026-03-20T14:00:00Z"), "Inwoner Vier").await;
    assert!(access_lines(&f, &b.token).await.is_empty());
    f.t.app.clock.advance(SignedDuration::from_mins(14));
    let (status, _) = f
        .get(&f.t.client, &format!("/staff/appointments/{}", b.id))
        .await;
    assert_eq!(status, 200);
    let lines = access_lines(&f, &b.token).await;
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["action"], "opened_appointment");
    assert_eq!(lines[0]["at"], "2026-03-20T10:14:00+01:00");
    assert_eq!(
        lines[0]["sentence"],
        "Op 20 maart om 10:14 heeft een medewerker van de gemeente uw afspraak bekeken."
    );
    // Another resident's log is their own.
    assert!(access_lines(&f, &other.token).await.is_empty());
}

async fn another_municipality_sees_nothing(store: Store) {
    let f = fixture(store).await;
    f.configure_sources().await;
    let b = f.book(ts("2026-03-20T13:00:00Z"), "Inwoner Vijf").await;
    let o = &f.other_admin;
    let (status, _) = f.get(o, &format!("/staff/appointments/{}", b.id)).await;
    assert_eq!(status, 404);
    let (status, _) = f
        .get(o, &format!("/staff/appointments/{}/consent", b.id))
        .await;
    assert_eq!(status, 404);
    let (status, _) = f
        .send(
            o,
            Method::PUT,
            &format!("/admin/services/{}/sources", f.service.id),
            json!({"sources": []}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = f
        .send(
            o,
            Method::POST,
            &format!("/staff/appointments/{}/outcomes", b.id),
            json!({"result": "complete", "follow_up": {"kind": "none"}, "sources": ["BRP"]}),
        )
        .await;
    assert_eq!(status, 404);
    // The other municipality's service listing does not include this service's sources.
    let (status, _) = f
        .get(
            &reqwest::Client::new(),
            &format!("/tenants/anderstad/services/{}/sources", f.service.id),
        )
        .await;
    assert_eq!(status, 404);
    // Its failed attempts left no trace in this resident's log, and the list is intact.
    assert!(access_lines(&f, &b.token).await.is_empty());
    assert_eq!(
        f.t.app
            .db()
            .service_sources(f.service.id)
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(f.other_tenant.slug.as_str(), "anderstad");
}

async fn personal_status(f: &privacy_support::Fixture, token: &str) -> u16 {
    f.get(&reqwest::Client::new(), &format!("/personal/{token}"))
        .await
        .0
}

async fn retention_erases_personal_data_per_municipality_and_keeps_statistics(store: Store) {
    let f = fixture(store).await;
    // Voorbeeld keeps personal data 90 days (the demo setting), Anderstad 365.
    let mut other = f.other_tenant.clone();
    other.retention_days = 365;
    f.t.app.db().save_tenant(&other).await.unwrap();
    let early = f.book(ts("2026-03-20T09:15:00Z"), "Inwoner Vroeg").await;
    let late = f.book(ts("2026-03-20T13:00:00Z"), "Inwoner Laat").await;
    let elsewhere = f
        .book_other(ts("2026-03-20T09:15:00Z"), "Inwoner Elders")
        .await;
    let (status, _) = f
        .send(&reqwest::Client::new(), Method::POST, "/tenants/voorbeeld/callbacks",
            json!({"service_id": f.service.id.to_string(), "name": "Bel Mij", "phone": "0612345678", "part_of_day": "morning"}))
        .await;
    assert_eq!(status, 201);
    let (status, walk_in) = f
        .send(&reqwest::Client::new(), Method::POST, "/tenants/voorbeeld/walk-ins",
            json!({"service_id": f.service.id.to_string(), "name": "Loop Binnen", "phone": "0612345678"}))
        .await;
    assert_eq!(status, 201, "{walk_in}");
    let walk_in_token = walk_in["token"].as_str().unwrap().to_owned();
    let walk_in = f.t.app.db().open_queue(f.tenant.id).await.unwrap();
    let walk_in = walk_in
        .iter()
        .find(|e| e.resident_name == "Loop Binnen")
        .unwrap()
        .id;
    f.t.app.clock.advance(SignedDuration::from_mins(40));
    f.start_call(early.id).await;
    let (status, body) = f
        .send(
            &f.t.client,
            Method::POST,
            &format!("/staff/appointments/{}/outcomes", early.id),
            json!({"result": "complete", "notes": "Inwoner Vroeg belt zelf de notaris", "follow_up": {"kind": "none"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // Delivered to the (built-in) case store, which keeps the outcome as the law requires.
    assert_eq!(
        booking::usecases::delivery::Worker::new(f.t.app.clone(), Default::default())
            .run_once()
            .await
            .unwrap(),
        1
    );

    // 90 days after the start of the early call, but before its end: nothing is due yet.
    f.t.app
        .clock
        .advance(ts("2026-06-18T09:15:00Z").duration_since(f.t.app.clock.now()));
    assert_eq!(
        booking::usecases::retention::apply(&f.t.app).await.unwrap(),
        0
    );
    assert_eq!(personal_status(&f, &early.token).await, 200);

    // A second before 90 days after its end: still there. At 90 days: erased; the later call
    // is not due yet.
    let duration = SignedDuration::from_mins(f.service.duration_minutes);
    f.t.app
        .clock
        .advance(duration - SignedDuration::from_secs(1));
    assert_eq!(
        booking::usecases::retention::apply(&f.t.app).await.unwrap(),
        0
    );
    f.t.app.clock.advance(SignedDuration::from_secs(1));
    assert_eq!(
        booking::usecases::retention::apply(&f.t.app).await.unwrap(),
        1
    );
    let db = &f.t.app.db();
    let erased = db.appointment(f.tenant.id, early.id).await.unwrap();
    assert_eq!(
        erased.resident.name,
        booking::domain::retention::ERASED_NAME
    );
    assert_eq!(
        erased.resident.email().map(|e| e.as_str()),
        Some(booking::domain::retention::ERASED_EMAIL)
    );
    assert_eq!(
        (erased.resident.phone(), erased.resident.note.as_deref()),
        (None, None)
    );
    assert_eq!(personal_status(&f, &early.token).await, 404);
    // Statistics survive: the appointment's service, time and status, and the outcome.
    assert_eq!(erased.service_id, f.service.id);
    assert_eq!(erased.start, ts("2026-03-20T09:15:00Z"));
    let outcomes = db.outcomes(f.tenant.id, early.id).await.unwrap();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(
        outcomes[0].notes, "",
        "the platform's copy of the notes is gone"
    );
    assert_eq!(
        db.appointment(f.tenant.id, late.id)
            .await
            .unwrap()
            .resident
            .name,
        "Inwoner Laat"
    );
    // The callback request (made at 10:00, 90 days ago) lost its name and phone.
    let callbacks = db.open_callbacks(f.tenant.id).await.unwrap();
    assert_eq!(callbacks.len(), 1);
    assert_eq!(
        (
            callbacks[0].resident_name.as_str(),
            callbacks[0].phone.as_str()
        ),
        ("Verwijderd", "")
    );
    // So did the walk-in (joined 90 days ago).
    let walked_in = db.queue_entry(f.tenant.id, walk_in).await.unwrap();
    assert_eq!(
        (walked_in.resident_name.as_str(), walked_in.resident_phone),
        ("Verwijderd", None)
    );
    let (status, _) = f
        .send(
            &reqwest::Client::new(),
            Method::GET,
            &format!("/queue-entries/{walk_in_token}"),
            json!(null),
        )
        .await;
    assert_eq!(status, 404, "the walk-in's token no longer works");
    // Anderstad keeps a year: its resident is untouched, and a second run changes nothing.
    assert_eq!(
        db.appointment(other.id, elsewhere.id)
            .await
            .unwrap()
            .resident
            .name,
        "Inwoner Elders"
    );
    assert_eq!(personal_status(&f, &elsewhere.token).await, 200);
    assert_eq!(
        booking::usecases::retention::apply(&f.t.app).await.unwrap(),
        0
    );

    f.t.app.clock.advance(SignedDuration::from_hours(24 * 275));
    assert_eq!(
        booking::usecases::retention::apply(&f.t.app).await.unwrap(),
        2
    );
    assert_eq!(
        db.appointment(other.id, elsewhere.id)
            .await
            .unwrap()
            .resident
            .name,
        booking::domain::retention::ERASED_NAME
    );
}

async fn the_retention_worker_applies_the_rule(store: Store) {
    let f = fixture(store).await;
    let b = f.book(ts("2026-03-20T09:15:00Z"), "Inwoner Zes").await;
    f.t.app.clock.advance(SignedDuration::from_hours(24 * 91));
    // The worker runs the rule at once, then hourly.
    let worker = booking::usecases::retention::spawn_retention_worker(f.t.app.clone());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while personal_status(&f, &b.token).await != 404 {
        assert!(
            std::time::Instant::now() < deadline,
            "the worker did not erase"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    worker.abort();
}

async fn a_resident_erases_their_data_through_the_personal_link(store: Store) {
    let f = fixture(store).await;
    let coming = f.book(ts("2026-03-20T13:00:00Z"), "Inwoner Zeven").await;
    let other = f.book(ts("2026-03-20T14:00:00Z"), "Inwoner Acht").await;
    let erase = format!("/personal/{}/erase", coming.token);
    let (status, problem) = f
        .send(&reqwest::Client::new(), Method::POST, &erase, json!({}))
        .await;
    assert_eq!(status, 409, "a coming call needs the details: {problem}");
    let (status, _) = f
        .send(
            &reqwest::Client::new(),
            Method::POST,
            &format!("/personal/{}/cancel", coming.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, erased) = f
        .send(&reqwest::Client::new(), Method::POST, &erase, json!({}))
        .await;
    assert_eq!(status, 200, "{erased}");
    assert!(erased["kept"].as_str().unwrap().contains("Archiefwet"));
    assert_eq!(personal_status(&f, &coming.token).await, 404);
    let row =
        f.t.app
            .db()
            .appointment(f.tenant.id, coming.id)
            .await
            .unwrap();
    assert_eq!(row.resident.name, booking::domain::retention::ERASED_NAME);
    assert_eq!(row.resident.phone(), None);
    assert_eq!(
        f.t.app
            .db()
            .appointment(f.tenant.id, other.id)
            .await
            .unwrap()
            .resident
            .name,
        "Inwoner Acht"
    );
}
