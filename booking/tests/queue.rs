//! The virtual counter queue through the JSON API on real SQLite and PostgreSQL: check-in
//! window, walk-ins, calling order, clerks' services, unanswered calls, concurrent "call next"
//! from several clerks and server instances, and the queue surviving a restart.

#[macro_use]
mod common;

use booking::adapters::mail::{MailConfig, Mailer};
use booking::auth::hash_password;
use booking::clock::Clock;
use booking::domain::catalog::Clerk;
use booking::domain::ids::{ClerkId, ServiceId};
use booking::domain::staff::StaffRole;
use booking::store::{Db, Dialect};
use booking::App;
use common::{postgres_admin_url, spawn, ts, Store, TestApp};
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashSet;

/// Friday 20 March 2026, 10:00 in Amsterdam (UTC+1).
const NOW: &str = "2026-03-20T09:00:00Z";

on_both_stores!(
    check_in_window_and_calling_order,
    walk_in_rules_and_clerk_services,
    unanswered_call_goes_back_once_then_missed,
    concurrent_call_next_never_gives_one_resident_twice,
    queue_survives_a_restart,
    callbacks_summary_and_no_shows,
    municipality_sets_check_in_window_and_grace,
    resident_leaves_the_queue,
    checked_in_resident_who_left_may_check_in_again,
    queue_call_room_tickets,
    opening_the_queue_is_logged_once_a_day,
    clerk_continues_by_phone,
);

struct Demo {
    t: TestApp,
    services: Vec<Value>,
}

impl Demo {
    fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.t.base)
    }

    fn service(&self, prefix: &str) -> &Value {
        self.services
            .iter()
            .find(|s| s["name"].as_str().unwrap().starts_with(prefix))
            .unwrap()
    }

    fn advance_to(&self, at: &str) {
        let by = ts(at).duration_since(self.t.app.clock.now());
        assert!(
            by >= SignedDuration::ZERO,
            "the test clock only moves forward"
        );
        self.t.app.clock.advance(by);
    }

    /// A client logged in as a clerk, with its own cookie.
    async fn clerk(&self, base: &str, email: &str, password: &str) -> reqwest::Client {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let resp = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"tenant": "voorbeeld", "email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        client
    }

    async fn anna(&self) -> reqwest::Client {
        self.clerk(&self.t.base, "anna@voorbeeld.nl", "welkom-anna")
            .await
    }

    async fn walk_in(&self, service: &Value, name: &str) -> String {
        let resp = self
            .t
            .client
            .post(self.api("/tenants/voorbeeld/walk-ins"))
            .json(&json!({"service_id": service["id"], "name": name, "phone": "06 12345678"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["entry"]["status"], "waiting");
        body["token"].as_str().unwrap().to_string()
    }

    async fn entry(&self, token: &str) -> Value {
        let resp = self
            .t
            .client
            .get(self.api(&format!("/queue-entries/{token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        resp.json().await.unwrap()
    }

    async fn live_queue(&self, clerk: &reqwest::Client) -> Vec<Value> {
        let resp = clerk.get(self.api("/staff/queue")).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        resp.json().await.unwrap()
    }

    /// "Call next" as this clerk: the entry taken, or `None` on 204.
    async fn call_next(&self, clerk: &reqwest::Client) -> Option<Value> {
        let resp = clerk
            .post(self.api("/staff/queue/call-next"))
            .send()
            .await
            .unwrap();
        match resp.status() {
            StatusCode::OK => Some(resp.json().await.unwrap()),
            StatusCode::NO_CONTENT => None,
            other => panic!("call-next answered {other}: {}", resp.text().await.unwrap()),
        }
    }
}

async fn demo(store: Store) -> Demo {
    let t = spawn(store, ts(NOW), None).await;
    assert!(booking::demo::seed_if_empty(t.app.db()).await.unwrap());
    let services = t
        .client
        .get(format!("{}/api/v1/tenants/voorbeeld/services", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Demo { t, services }
}

async fn problem(resp: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(resp.status(), status);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    resp.json().await.unwrap()
}

/// Books `start` (local RFC 3339) and returns the personal token.
async fn book(d: &Demo, service: &Value, start: &str, name: &str) -> String {
    book_with_id(d, service, start, name).await.0
}

/// Books `start` and returns the personal token and the appointment id.
async fn book_with_id(d: &Demo, service: &Value, start: &str, name: &str) -> (String, String) {
    let resp = d
        .t
        .client
        .post(d.api("/tenants/voorbeeld/appointments"))
        .json(&json!({"service_id": service["id"], "start": start, "name": name, "email": "jan@example.nl"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let body: Value = resp.json().await.unwrap();
    (
        body["token"].as_str().unwrap().to_string(),
        body["appointment"]["id"].as_str().unwrap().to_string(),
    )
}

async fn check_in(d: &Demo, token: &str) -> reqwest::Response {
    d.t.client
        .post(d.api(&format!("/personal/{token}/check-in")))
        .send()
        .await
        .unwrap()
}

async fn check_in_window_and_calling_order(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    let appointment = book(&d, &passport, "2026-03-20T14:00:00+01:00", "Afspraak").await;

    // Before 13:45 local the link says from when the queue opens.
    let early = problem(check_in(&d, &appointment).await, StatusCode::CONFLICT).await;
    let detail = early["detail"].as_str().unwrap();
    assert!(
        detail.contains("13:45") && detail.contains("2026-03-20T12:45:00Z"),
        "{detail}"
    );

    // 13:40: a walk-in arrives. 13:50: the appointment checks in, early.
    d.advance_to("2026-03-20T12:40:00Z");
    let walk_in = d.walk_in(&passport, "Binnenloper").await;
    d.advance_to("2026-03-20T12:50:00Z");
    let resp = check_in(&d, &appointment).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let checked_in: Value = resp.json().await.unwrap();
    assert_eq!(checked_in["status"], "waiting");
    assert_eq!(checked_in["appointment_start"], "2026-03-20T14:00:00+01:00");
    // Before its time the appointment waits behind the walk-in.
    assert_eq!(checked_in["place"], 2);
    assert_eq!(d.entry(&walk_in).await["place"], 1);
    // One clerk ahead for a 20-minute service with no history yet: two clerks share it.
    assert_eq!(checked_in["expected_wait_minutes"], 10);
    // Checking in again is harmless and gives the same entry; the personal link follows it.
    let again: Value = check_in(&d, &appointment).await.json().await.unwrap();
    assert_eq!(again["joined_at"], checked_in["joined_at"]);
    assert_eq!(d.entry(&appointment).await["place"], 2);

    // At 14:00 the appointment is due and goes first.
    d.advance_to("2026-03-20T13:00:00Z");
    assert_eq!(d.entry(&appointment).await["place"], 1);
    assert_eq!(d.entry(&walk_in).await["place"], 2);

    let anna = d.anna().await;
    let queue = d.live_queue(&anna).await;
    assert_eq!(queue.len(), 2);
    assert_eq!(queue[0]["resident_name"], "Afspraak");
    assert_eq!(queue[0]["due"], true);
    assert_eq!(queue[0]["walk_in"], false);
    assert_eq!(queue[1]["walk_in"], true);
    assert_eq!(queue[1]["waiting_seconds"], 20 * 60);

    // A minute later the appointment is late, still first.
    d.advance_to("2026-03-20T13:01:00Z");
    assert_eq!(d.live_queue(&anna).await[0]["late"], true);

    let first = d.call_next(&anna).await.unwrap();
    assert_eq!(first["resident_name"], "Afspraak");
    assert_eq!(first["status"], "called");
    assert_eq!(first["room_id"], first["id"]);
    let called = d.entry(&appointment).await;
    assert_eq!(called["status"], "called");
    assert_eq!(called["room_id"], first["id"]);
    assert!(called["place"].is_null());
    // The walk-in moves up.
    assert_eq!(d.entry(&walk_in).await["place"], 1);

    let answered =
        d.t.client
            .post(d.api(&format!("/queue-entries/{appointment}/answer")))
            .send()
            .await
            .unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
    d.advance_to("2026-03-20T13:07:00Z");
    let id = first["id"].as_str().unwrap();
    let done = anna
        .post(d.api(&format!("/staff/queue/{id}/done")))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert_eq!(d.entry(&appointment).await["status"], "done");
    // Done twice is refused.
    problem(
        anna.post(d.api(&format!("/staff/queue/{id}/done")))
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;

    // The 6-minute call now sets the expectation: one ahead at 6 minutes over two clerks.
    let later = d.walk_in(&passport, "Nog een").await;
    assert_eq!(d.entry(&later).await["expected_wait_minutes"], 3);

    assert_eq!(d.call_next(&anna).await.unwrap()["walk_in"], true);
    assert_eq!(
        d.call_next(&anna).await.unwrap()["resident_name"],
        "Nog een"
    );
    assert!(d.call_next(&anna).await.is_none());
    assert!(d
        .live_queue(&anna)
        .await
        .iter()
        .all(|e| e["status"] == "called"));
}

async fn walk_in_rules_and_clerk_services(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    let moving = d.service("Verhuizing").clone();

    for (body, field) in [
        (json!({"service_id": passport["id"], "name": "  "}), "/name"),
        (
            json!({"service_id": passport["id"], "name": "Jan", "phone": "bel me"}),
            "/phone",
        ),
    ] {
        let p = problem(
            d.t.client
                .post(d.api("/tenants/voorbeeld/walk-ins"))
                .json(&body)
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["field"], field);
    }
    problem(
        d.t.client
            .post(d.api("/tenants/voorbeeld/walk-ins"))
            .json(&json!({"service_id": ServiceId::new(), "name": "Jan"}))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    for token in ["nonsense", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"] {
        problem(
            d.t.client
                .get(d.api(&format!("/queue-entries/{token}")))
                .send()
                .await
                .unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    problem(
        d.t.client.get(d.api("/staff/queue")).send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;

    let passport_walk_in = d.walk_in(&passport, "Paspoort").await;

    // Carla handles moving house only: the passport resident is not hers to take.
    let tenant = d.t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    let carla = Clerk {
        id: ClerkId::new(),
        tenant_id: tenant.id,
        name: "Carla".into(),
        email: "carla@voorbeeld.nl".into(),
        role: StaffRole::Clerk,
        services: vec![moving["id"].as_str().unwrap().parse().unwrap()],
    };
    d.t.app
        .db()
        .create_clerk(&carla, &hash_password("welkom-carla").unwrap())
        .await
        .unwrap();
    let carla = d
        .clerk(&d.t.base, "carla@voorbeeld.nl", "welkom-carla")
        .await;
    assert!(d.call_next(&carla).await.is_none());
    let queue = d.live_queue(&carla).await;
    let passport_id = queue[0]["id"].as_str().unwrap().to_string();
    // Not hers: "not found", as another municipality's entry (issue 13, finding 10).
    problem(
        carla
            .post(d.api(&format!("/staff/queue/{passport_id}/call")))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    d.walk_in(&moving, "Verhuizer").await;
    assert_eq!(
        d.call_next(&carla).await.unwrap()["resident_name"],
        "Verhuizer"
    );

    // Anna picks the passport resident by hand; a second pick of the same one is refused.
    let anna = d.anna().await;
    let picked = anna
        .post(d.api(&format!("/staff/queue/{passport_id}/call")))
        .send()
        .await
        .unwrap();
    assert_eq!(picked.status(), StatusCode::OK);
    problem(
        anna.post(d.api(&format!("/staff/queue/{passport_id}/call")))
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(d.entry(&passport_walk_in).await["status"], "called");
    // Carla cannot finish Anna's call: a service she does not handle is "not found" to her.
    problem(
        carla
            .post(d.api(&format!("/staff/queue/{passport_id}/done")))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;

    // A municipality without walk-ins says so.
    let mut closed = tenant.clone();
    closed.walk_ins_allowed = false;
    d.t.app.db().save_tenant(&closed).await.unwrap();
    let p = problem(
        d.t.client
            .post(d.api("/tenants/voorbeeld/walk-ins"))
            .json(&json!({"service_id": passport["id"], "name": "Jan"}))
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("zonder afspraak"));
}

async fn unanswered_call_goes_back_once_then_missed(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    let first = d.walk_in(&passport, "Eerste").await;
    d.t.app.clock.advance(SignedDuration::from_secs(10));
    let second = d.walk_in(&passport, "Tweede").await;
    let anna = d.anna().await;

    assert_eq!(d.call_next(&anna).await.unwrap()["resident_name"], "Eerste");
    // 59 seconds: still being called.
    d.t.app.clock.advance(SignedDuration::from_secs(59));
    assert_eq!(d.entry(&first).await["status"], "called");
    // 60 seconds without an answer: back at the head of the queue, before "Tweede".
    d.t.app.clock.advance(SignedDuration::from_secs(1));
    let back = d.entry(&first).await;
    assert_eq!(back["status"], "waiting");
    assert_eq!(back["place"], 1);
    assert_eq!(d.entry(&second).await["place"], 2);
    let queue = d.live_queue(&anna).await;
    assert_eq!(queue[0]["resident_name"], "Eerste");
    assert_eq!(queue[0]["requeued"], true);

    // Called again and again no answer: missed, and out of the queue.
    assert_eq!(d.call_next(&anna).await.unwrap()["resident_name"], "Eerste");
    d.t.app.clock.advance(SignedDuration::from_secs(60));
    let missed = d.entry(&first).await;
    assert_eq!(missed["status"], "missed");
    assert!(missed["place"].is_null());
    problem(
        d.t.client
            .post(d.api(&format!("/queue-entries/{first}/answer")))
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(d.call_next(&anna).await.unwrap()["resident_name"], "Tweede");
    // Answering in time keeps the call.
    let answered =
        d.t.client
            .post(d.api(&format!("/queue-entries/{second}/answer")))
            .send()
            .await
            .unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
    d.t.app.clock.advance(SignedDuration::from_secs(600));
    assert_eq!(d.entry(&second).await["status"], "answered");
    assert_eq!(d.live_queue(&anna).await.len(), 1);
}

/// A second handle on the same database, as another server instance or a restarted one has.
async fn reconnect(t: &TestApp) -> Db {
    match t.app.db().dialect {
        Dialect::Sqlite => Db::connect(&Db::sqlite_url(t.test_db.dir.path()))
            .await
            .unwrap(),
        Dialect::Postgres => {
            let name: String = sqlx::query_scalar("SELECT current_database()::text")
                .fetch_one(&t.app.db().pool)
                .await
                .unwrap();
            let admin = postgres_admin_url();
            let (base, _) = admin.rsplit_once('/').unwrap();
            Db::connect(&format!("{base}/{name}")).await.unwrap()
        }
    }
}

/// Serves a second App on `db` with the same session keys and clock; returns its base URL.
async fn second_instance(t: &TestApp, db: Db, clock: Clock) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let events = booking::adapters::live_updates::QueueEvents::start(&db)
        .await
        .unwrap();
    let app = App::new(
        db,
        clock,
        Mailer::new(&MailConfig::Files(t.test_db.dir.path().join("mail2"))).unwrap(),
        t.app.session_keys.clone(),
        base.clone(),
        events,
    );
    let router = booking::api::router(app);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base
}

async fn concurrent_call_next_never_gives_one_resident_twice(store: Store) {
    const RESIDENTS: usize = 30;
    const PRESSES_PER_CLERK_PER_INSTANCE: usize = 10;
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    for i in 0..RESIDENTS {
        d.walk_in(&passport, &format!("Bewoner {i}")).await;
        d.t.app.clock.advance(SignedDuration::from_secs(1));
    }
    // Two instances on one database, each with its own pool; the same clock for both.
    let other = second_instance(&d.t, reconnect(&d.t).await, d.t.app.clock.clone()).await;
    let mut clerks = Vec::new();
    for base in [d.t.base.clone(), other] {
        for (email, password) in [
            ("anna@voorbeeld.nl", "welkom-anna"),
            ("bram@voorbeeld.nl", "welkom-bram"),
        ] {
            clerks.push((base.clone(), d.clerk(&base, email, password).await));
        }
    }
    let presses: Vec<_> = clerks
        .iter()
        .flat_map(|(base, client)| {
            (0..PRESSES_PER_CLERK_PER_INSTANCE).map(move |_| {
                let (client, url) = (
                    client.clone(),
                    format!("{base}/api/v1/staff/queue/call-next"),
                );
                tokio::spawn(async move {
                    let resp = client.post(url).send().await.unwrap();
                    match resp.status() {
                        StatusCode::OK => Some(resp.json::<Value>().await.unwrap()),
                        StatusCode::NO_CONTENT => None,
                        other => {
                            panic!("call-next answered {other}: {}", resp.text().await.unwrap())
                        }
                    }
                })
            })
        })
        .collect();
    let mut taken = Vec::new();
    let mut empty = 0;
    for press in presses {
        match press.await.unwrap() {
            Some(entry) => taken.push(entry),
            None => empty += 1,
        }
    }
    // 40 presses for 30 residents: every resident exactly once, ten presses find nobody.
    assert_eq!(taken.len(), RESIDENTS);
    assert_eq!(empty, 4 * PRESSES_PER_CLERK_PER_INSTANCE - RESIDENTS);
    let ids: HashSet<&str> = taken.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), RESIDENTS, "a resident was given to two clerks");
    let names: HashSet<&str> = taken
        .iter()
        .map(|e| e["resident_name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), RESIDENTS);
    // The database agrees: each entry called once, by the clerk the answer named.
    let rows: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT id, status, clerk_id FROM queue_entries")
            .fetch_all(&d.t.app.db().pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), RESIDENTS);
    for (id, status, clerk) in rows {
        assert_eq!(status, "called");
        let answer = taken.iter().find(|e| e["id"] == id.as_str()).unwrap();
        assert_eq!(answer["clerk_id"].as_str(), clerk.as_deref());
    }
}

async fn queue_survives_a_restart(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    let token = d.walk_in(&passport, "Blijft staan").await;
    d.t.app.clock.advance(SignedDuration::from_secs(1));
    d.walk_in(&passport, "Ook").await;
    // A fresh process: a new pool on the same database, a new server.
    let base = second_instance(&d.t, reconnect(&d.t).await, d.t.app.clock.clone()).await;
    let resp = reqwest::get(format!("{base}/api/v1/queue-entries/{token}"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let entry: Value = resp.json().await.unwrap();
    assert_eq!(entry["status"], "waiting");
    assert_eq!(entry["place"], 1);
    let anna = d.clerk(&base, "anna@voorbeeld.nl", "welkom-anna").await;
    let next = anna
        .post(format!("{base}/api/v1/staff/queue/call-next"))
        .send()
        .await
        .unwrap();
    assert_eq!(next.status(), StatusCode::OK);
    assert_eq!(
        next.json::<Value>().await.unwrap()["resident_name"],
        "Blijft staan"
    );
}

async fn summary(d: &Demo, clerk: &reqwest::Client) -> Value {
    let resp = clerk
        .get(d.api("/staff/queue/summary"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

async fn callbacks_summary_and_no_shows(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    // Two appointments at 14:00 local, one per clerk; only the first resident checks in.
    let comes = book(&d, &passport, "2026-03-20T14:00:00+01:00", "Komt").await;
    let (stays_away, stays_away_id) =
        book_with_id(&d, &passport, "2026-03-20T14:00:00+01:00", "Blijft weg").await;
    d.advance_to("2026-03-20T12:50:00Z");
    assert_eq!(check_in(&d, &comes).await.status(), StatusCode::OK);
    d.walk_in(&passport, "Binnenloper").await;
    let anna = d.anna().await;

    // Until 14:15 local the other appointment is within its grace period.
    d.advance_to("2026-03-20T13:15:00Z");
    let s = summary(&d, &anna).await;
    assert_eq!(s["no_shows"], json!([]));
    assert_eq!(
        (s["waiting"].as_i64(), s["late"].as_i64()),
        (Some(2), Some(1))
    );
    d.advance_to("2026-03-20T13:16:00Z");
    let s = summary(&d, &anna).await;
    assert_eq!(s["no_shows"], json!([stays_away_id]));
    // Checking in now is too late.
    let late = problem(check_in(&d, &stays_away).await, StatusCode::CONFLICT).await;
    assert!(late["detail"].as_str().unwrap().contains("voorbij"));

    let called = d.call_next(&anna).await.unwrap();
    assert_eq!(called["resident_name"], "Komt");
    let id = called["id"].as_str().unwrap();
    anna.post(d.api(&format!("/staff/queue/{id}/done")))
        .send()
        .await
        .unwrap();
    let s = summary(&d, &anna).await;
    assert_eq!(
        (
            s["waiting"].as_i64(),
            s["with_clerk"].as_i64(),
            s["handled"].as_i64(),
            s["late"].as_i64()
        ),
        (Some(1), Some(0), Some(1), Some(0))
    );

    // Callbacks: a bad part of the day is refused; a good request lands on the clerks' list.
    let ask = |body: Value| {
        d.t.client
            .post(d.api("/tenants/voorbeeld/callbacks"))
            .json(&body)
            .send()
    };
    let p = problem(
        ask(json!({"service_id": passport["id"], "name": "Bel mij", "phone": "0612345678", "part_of_day": "night"}))
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "/part_of_day");
    let resp = ask(json!({"service_id": passport["id"], "name": "Bel mij", "phone": "0612345678", "part_of_day": "afternoon"}))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let list: Vec<Value> = anna
        .get(d.api("/staff/callbacks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    // Typed as 0612345678; stored and shown in E.164.
    assert_eq!(list[0]["phone"], "+31612345678");
    assert_eq!(list[0]["part_of_day"], "afternoon");
    assert_eq!(summary(&d, &anna).await["open_callbacks"], 1);
    let id = list[0]["id"].as_str().unwrap();
    let done = anna
        .post(d.api(&format!("/staff/callbacks/{id}/done")))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    problem(
        anna.post(d.api(&format!("/staff/callbacks/{id}/done")))
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    let s = summary(&d, &anna).await;
    assert_eq!(
        (
            s["open_callbacks"].as_i64(),
            s["handled_callbacks"].as_i64()
        ),
        (Some(0), Some(1))
    );
    problem(
        d.t.client
            .get(d.api("/staff/callbacks"))
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

async fn municipality_sets_check_in_window_and_grace(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    let early = book(&d, &passport, "2026-03-20T14:00:00+01:00", "Vroeg").await;
    let late = book(&d, &passport, "2026-03-20T14:00:00+01:00", "Laat").await;
    let admin = d.clerk(&d.t.base, "bram@voorbeeld.nl", "welkom-bram").await;
    let mut settings: Value = admin
        .get(d.api("/admin/settings"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(settings["check_in_minutes"], 15);
    assert_eq!(settings["no_show_grace_minutes"], 15);

    for (field, value) in [
        ("check_in_minutes", -1),
        ("check_in_minutes", 241),
        ("no_show_grace_minutes", 121),
    ] {
        let mut bad = settings.clone();
        bad[field] = json!(value);
        let resp = admin
            .put(d.api("/admin/settings"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        let p = problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(p.to_string().contains(field), "{field}={value}: {p}");
    }

    settings["check_in_minutes"] = json!(60);
    settings["no_show_grace_minutes"] = json!(5);
    let resp = admin
        .put(d.api("/admin/settings"))
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let saved: Value = resp.json().await.unwrap();
    assert_eq!(saved["check_in_minutes"], 60);
    assert_eq!(saved["no_show_grace_minutes"], 5);

    // An hour before 14:00 local the queue opens; a minute earlier it does not.
    d.advance_to("2026-03-20T11:59:00Z");
    let refused = problem(check_in(&d, &early).await, StatusCode::CONFLICT).await;
    assert!(refused["detail"].as_str().unwrap().contains("13:00"));
    d.advance_to("2026-03-20T12:00:00Z");
    assert_eq!(check_in(&d, &early).await.status(), StatusCode::OK);

    // Six minutes after the start is past the five-minute grace (the default 15 would allow it).
    d.advance_to("2026-03-20T13:06:00Z");
    problem(check_in(&d, &late).await, StatusCode::CONFLICT).await;
    let anna = d.anna().await;
    let s = summary(&d, &anna).await;
    assert_eq!(s["no_shows"].as_array().unwrap().len(), 1, "{s}");
}

async fn leave(d: &Demo, token: &str) -> reqwest::Response {
    d.t.client
        .post(d.api(&format!("/queue-entries/{token}/leave")))
        .send()
        .await
        .unwrap()
}

async fn resident_leaves_the_queue(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    let first = d.walk_in(&passport, "Gaat weg").await;
    d.t.app.clock.advance(SignedDuration::from_secs(1));
    let second = d.walk_in(&passport, "Blijft").await;
    d.t.app.clock.advance(SignedDuration::from_secs(1));
    let third = d.walk_in(&passport, "Praat").await;
    assert_eq!(d.entry(&second).await["place"], 2);

    // Leaving while waiting: the one behind moves up, and the clerks no longer see the entry.
    let resp = leave(&d, &first).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let left: Value = resp.json().await.unwrap();
    assert_eq!(left["status"], "left");
    assert_eq!(left["place"], Value::Null);
    assert_eq!(d.entry(&second).await["place"], 1);
    let anna = d.anna().await;
    let names: Vec<Value> = d
        .live_queue(&anna)
        .await
        .iter()
        .map(|e| e["resident_name"].clone())
        .collect();
    assert_eq!(names, vec![json!("Blijft"), json!("Praat")]);
    problem(leave(&d, &first).await, StatusCode::CONFLICT).await;
    problem(leave(&d, &"A".repeat(43)).await, StatusCode::NOT_FOUND).await;

    // Called and not wanting to answer: may still leave, and the call ends.
    let called = d.call_next(&anna).await.unwrap();
    assert_eq!(called["resident_name"], "Blijft");
    let resp = leave(&d, &second).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(d.entry(&second).await["status"], "left");

    // In the conversation only the clerk ends it.
    let called = d.call_next(&anna).await.unwrap();
    assert_eq!(called["resident_name"], "Praat");
    let answered =
        d.t.client
            .post(d.api(&format!("/queue-entries/{third}/answer")))
            .send()
            .await
            .unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
    let refused = problem(leave(&d, &third).await, StatusCode::CONFLICT).await;
    assert!(refused["detail"].as_str().unwrap().contains("medewerker"));
    assert_eq!(d.entry(&third).await["status"], "answered");

    let s = summary(&d, &anna).await;
    assert_eq!(
        (s["left"].clone(), s["with_clerk"].clone()),
        (json!(2), json!(1)),
        "{s}"
    );
    assert_eq!(d.call_next(&anna).await, None);
}

async fn checked_in_resident_who_left_may_check_in_again(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    let link = book(&d, &passport, "2026-03-20T14:00:00+01:00", "Twijfelt").await;
    let late = book(&d, &passport, "2026-03-20T14:30:00+01:00", "Te laat terug").await;
    d.advance_to("2026-03-20T12:50:00Z");
    assert_eq!(check_in(&d, &link).await.status(), StatusCode::OK);
    // A checked-in appointment is followed with the personal link itself.
    assert_eq!(leave(&d, &link).await.status(), StatusCode::OK);
    assert_eq!(d.entry(&link).await["status"], "left");

    d.advance_to("2026-03-20T12:55:00Z");
    let again = check_in(&d, &link).await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(
        (again["status"].clone(), again["place"].clone()),
        (json!("waiting"), json!(1))
    );
    let anna = d.anna().await;
    assert_eq!(
        d.call_next(&anna).await.unwrap()["resident_name"],
        "Twijfelt"
    );

    // Once check-in has closed, leaving is final.
    d.advance_to("2026-03-20T13:20:00Z");
    assert_eq!(check_in(&d, &late).await.status(), StatusCode::OK);
    assert_eq!(leave(&d, &late).await.status(), StatusCode::OK);
    d.advance_to("2026-03-20T13:46:00Z");
    problem(check_in(&d, &late).await, StatusCode::CONFLICT).await;
    assert_eq!(d.entry(&late).await["status"], "left");
}

/// The ticket a room token carries, as the test issuer writes it (see `common::GrantAsJson`).
async fn ticket(resp: reqwest::Response) -> Value {
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    serde_json::from_str(body["token"].as_str().unwrap()).unwrap()
}

async fn queue_call_room_tickets(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    let token = d.walk_in(&passport, "Jan").await;
    let anna = d.anna().await;
    let resident = |t: &str| {
        d.t.client
            .post(d.api(&format!("/queue-entries/{t}/room-token")))
            .send()
    };

    // Waiting: nobody is calling, so there is no room to enter yet.
    problem(resident(&token).await.unwrap(), StatusCode::CONFLICT).await;
    problem(
        resident(&"A".repeat(43)).await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;

    let called = d.call_next(&anna).await.unwrap();
    let id = called["id"].as_str().unwrap();
    let room = called["room_id"].as_str().unwrap();
    let clerk = |c: &reqwest::Client| {
        c.post(d.api(&format!("/staff/queue/{id}/room-token")))
            .send()
    };

    // Both ends get the entry's room; one hour from now.
    let r = ticket(resident(&token).await.unwrap()).await;
    assert_eq!(
        (r["room"].as_str(), r["role"].as_str()),
        (Some(room), Some("resident"))
    );
    assert_eq!(r["name"], "Jan");
    assert_eq!(
        r["exp"].as_i64().unwrap() - r["nbf"].as_i64().unwrap(),
        3600
    );
    let c = ticket(clerk(&anna).await.unwrap()).await;
    assert_eq!(
        (c["room"].as_str(), c["role"].as_str()),
        (Some(room), Some("clerk"))
    );
    assert_ne!(c["participant"], r["participant"]);

    // Another clerk, or nobody logged in, gets no ticket for Anna's call.
    let bram = d.clerk(&d.t.base, "bram@voorbeeld.nl", "welkom-bram").await;
    problem(clerk(&bram).await.unwrap(), StatusCode::FORBIDDEN).await;
    problem(clerk(&d.t.client).await.unwrap(), StatusCode::UNAUTHORIZED).await;

    // Once the clerk is done, the room is closed to both.
    let resp =
        d.t.client
            .post(d.api(&format!("/queue-entries/{token}/answer")))
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = anna
        .post(d.api(&format!("/staff/queue/{id}/done")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    problem(resident(&token).await.unwrap(), StatusCode::CONFLICT).await;
    problem(clerk(&anna).await.unwrap(), StatusCode::CONFLICT).await;
}

/// The resident's access log through the personal link.
async fn access_actions(d: &Demo, token: &str) -> Vec<String> {
    let resp =
        d.t.client
            .get(d.api(&format!("/personal/{token}/access-log")))
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let log: Vec<Value> = resp.json().await.unwrap();
    log.iter()
        .map(|l| l["action"].as_str().unwrap().to_string())
        .collect()
}

async fn opening_the_queue_is_logged_once_a_day(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    let appointment = book(&d, &passport, "2026-03-20T14:00:00+01:00", "Afspraak").await;
    d.advance_to("2026-03-20T12:50:00Z");
    d.walk_in(&passport, "Binnenloper").await;
    assert_eq!(check_in(&d, &appointment).await.status(), StatusCode::OK);
    assert!(access_actions(&d, &appointment).await.is_empty());

    // Opening the queue shows the resident's name: logged once for this clerk today,
    // however often the list is opened; the walk-in has no appointment to log against.
    let anna = d.anna().await;
    assert_eq!(d.live_queue(&anna).await.len(), 2);
    d.live_queue(&anna).await;
    d.advance_to("2026-03-20T13:00:00Z");
    d.live_queue(&anna).await;
    assert_eq!(access_actions(&d, &appointment).await, ["viewed_queue"]);
    let log: Vec<Value> =
        d.t.client
            .get(d.api(&format!("/personal/{appointment}/access-log")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(
        log[0]["sentence"],
        "Op 20 maart om 13:50 zag een medewerker van de gemeente uw naam in de wachtrij."
    );
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM access_log")
        .fetch_one(&d.t.app.db().pool)
        .await
        .unwrap();
    assert_eq!(rows, 1, "nothing logged for the walk-in");

    // The live stream's views are not list openings: they add nothing.
    let mut events = anna.get(d.api("/staff/queue/events")).send().await.unwrap();
    assert_eq!(events.status(), StatusCode::OK);
    let first = tokio::time::timeout(std::time::Duration::from_secs(10), events.chunk())
        .await
        .expect("the stream sends the current view first")
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&first).contains("Afspraak"));
    drop(events);
    assert_eq!(access_actions(&d, &appointment).await, ["viewed_queue"]);

    // Another clerk opening the queue is another line.
    let bram = d.clerk(&d.t.base, "bram@voorbeeld.nl", "welkom-bram").await;
    d.live_queue(&bram).await;
    assert_eq!(
        access_actions(&d, &appointment).await,
        ["viewed_queue", "viewed_queue"]
    );
}

/// Issue 15 item 5: the video call does not work out and the clerk continues by phone. The
/// entry is done and marked; the resident's view says so with the number the clerk calls; only
/// the clerk in the call can mark it, once.
async fn clerk_continues_by_phone(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    let waiting = d.walk_in(&passport, "Eerst Wachtend").await;
    let anna = d.anna().await;
    let called = d.call_next(&anna).await.unwrap();
    assert_eq!(called["continued_by_phone"], false);
    let id = called["id"].as_str().unwrap();
    let before = d.entry(&waiting).await;
    assert_eq!(before["continued_by_phone"], false);
    assert!(
        before["phone"].is_null(),
        "no number before the clerk decides"
    );

    // A waiting entry is not in a call: refused.
    let other = d.walk_in(&passport, "Nog Wachtend").await;
    let queue = d.live_queue(&anna).await;
    let other_id = queue
        .iter()
        .find(|e| e["resident_name"] == "Nog Wachtend")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    problem(
        anna.post(d.api(&format!("/staff/queue/{other_id}/by-phone")))
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(d.entry(&other).await["status"], "waiting");

    let marked = anna
        .post(d.api(&format!("/staff/queue/{id}/by-phone")))
        .send()
        .await
        .unwrap();
    assert_eq!(marked.status(), StatusCode::OK);
    let marked: Value = marked.json().await.unwrap();
    assert_eq!(marked["status"], "done");
    assert_eq!(marked["continued_by_phone"], true);
    let seen = d.entry(&waiting).await;
    assert_eq!(seen["status"], "done");
    assert_eq!(seen["continued_by_phone"], true);
    assert!(
        seen["phone"].as_str().unwrap().ends_with("612345678"),
        "{seen}"
    );
    // Twice changes nothing; "end the conversation" after it is refused as for any done entry.
    let again = anna
        .post(d.api(&format!("/staff/queue/{id}/by-phone")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    problem(
        anna.post(d.api(&format!("/staff/queue/{id}/done")))
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    // Without a login: 401.
    let anonymous =
        d.t.client
            .post(d.api(&format!("/staff/queue/{id}/by-phone")))
            .send()
            .await
            .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}
