//! Clerk status and the queue as a work list (issue 21 items 2 and 3, issue 16 item 9) through
//! the JSON API on real SQLite and PostgreSQL: status transitions, paused clerks left out of
//! the expected wait and of call-next, two clerks taking one resident at once, hand-over to a
//! colleague and to another service's queue, and the time per status per week.

#[macro_use]
mod common;

use common::{spawn, ts, Store, TestApp};
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Friday 20 March 2026, 10:00 in Amsterdam (UTC+1).
const NOW: &str = "2026-03-20T09:00:00Z";

on_both_stores!(
    pausing_changes_the_expected_wait_and_blocks_call_next,
    two_clerks_taking_one_resident_one_wins,
    hand_over_to_a_colleague_and_to_another_service,
    time_per_status_per_week,
);

struct Demo {
    t: TestApp,
    services: Vec<Value>,
    anna: reqwest::Client,
    bram: reqwest::Client,
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

    fn advance(&self, minutes: i64) {
        self.t.app.clock.advance(SignedDuration::from_mins(minutes));
    }

    async fn walk_in(&self, service: &Value, name: &str) -> String {
        let resp = self
            .t
            .client
            .post(self.api("/tenants/voorbeeld/walk-ins"))
            .json(&json!({"service_id": service["id"], "name": name}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let body: Value = resp.json().await.unwrap();
        body["token"].as_str().unwrap().to_string()
    }

    async fn entry(&self, token: &str) -> Value {
        self.t
            .client
            .get(self.api(&format!("/queue-entries/{token}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn queue(&self, clerk: &reqwest::Client) -> Vec<Value> {
        clerk
            .get(self.api("/staff/queue"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The staff view of the entry a resident's token follows, found by name.
    async fn staff_entry(&self, name: &str) -> Value {
        self.queue(&self.anna)
            .await
            .into_iter()
            .find(|e| e["resident_name"] == name)
            .unwrap_or_else(|| panic!("{name} is not in the queue"))
    }

    async fn status(&self, clerk: &reqwest::Client) -> Value {
        let resp = clerk.get(self.api("/staff/status")).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        resp.json().await.unwrap()
    }

    async fn set_status(&self, clerk: &reqwest::Client, body: Value) -> reqwest::Response {
        clerk
            .put(self.api("/staff/status"))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn call_next(&self, clerk: &reqwest::Client) -> reqwest::Response {
        clerk
            .post(self.api("/staff/queue/call-next"))
            .send()
            .await
            .unwrap()
    }
}

async fn login(base: &str, email: &str, password: &str) -> reqwest::Client {
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
    let anna = login(&t.base, "anna@voorbeeld.nl", "welkom-anna").await;
    let bram = login(&t.base, "bram@voorbeeld.nl", "welkom-bram").await;
    Demo {
        t,
        services,
        anna,
        bram,
    }
}

async fn problem(resp: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(resp.status(), status);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    resp.json().await.unwrap()
}

async fn pausing_changes_the_expected_wait_and_blocks_call_next(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    assert_eq!(d.status(&d.anna).await["status"], "available");
    assert!(d.status(&d.anna).await["since"].is_null());

    d.walk_in(&passport, "Eerste").await;
    // A minute later, so "Eerste" is ahead whatever breaks a tie of equal join times.
    d.t.app.clock.advance(jiff::SignedDuration::from_mins(1));
    let second = d.walk_in(&passport, "Tweede").await;
    // One ahead, 20 minutes, two clerks at work.
    assert_eq!(d.entry(&second).await["expected_wait_minutes"], 10);

    let paused = d
        .set_status(&d.anna, json!({"status": "paused", "reason": "Lunch"}))
        .await;
    assert_eq!(paused.status(), StatusCode::OK);
    let paused: Value = paused.json().await.unwrap();
    assert_eq!(paused["status"], "paused");
    assert_eq!(paused["reason"], "Lunch");
    assert_eq!(paused["since"], "2026-03-20T10:01:00+01:00");
    // Only Bram works now: the same place takes twice as long.
    assert_eq!(d.entry(&second).await["expected_wait_minutes"], 20);
    // A paused clerk calls nobody in, neither next nor a particular resident.
    let p = problem(d.call_next(&d.anna).await, StatusCode::CONFLICT).await;
    assert!(p["detail"].as_str().unwrap().contains("pauze"), "{p}");
    let first_id = d.staff_entry("Eerste").await["id"].clone();
    problem(
        d.anna
            .post(d.api(&format!("/staff/queue/{}/take", first_id.as_str().unwrap())))
            .json(&json!({"reason": "Spreekt Pools"}))
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    // The team sees it.
    let team: Vec<Value> = d
        .bram
        .get(d.api("/staff/team"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let anna = team.iter().find(|m| m["name"] == "Anna de Vries").unwrap();
    assert_eq!(anna["status"], "paused");
    assert_eq!(anna["reason"], "Lunch");

    // Bad input is a clear 422.
    let bad = problem(
        d.set_status(&d.anna, json!({"status": "in_call"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(bad["field"], "/status");
    let bad = problem(
        d.set_status(&d.anna, json!({"status": "paused", "reason": "a\u{7}b"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(bad["field"], "/reason");

    // Back: available, and the wait shrinks again.
    d.advance(5);
    let back: Value = d
        .set_status(&d.anna, json!({"status": "available"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(back["status"], "available");
    assert!(back["reason"].is_null());
    assert_eq!(d.entry(&second).await["expected_wait_minutes"], 10);

    // Calling in sets "in a call"; ending the call "finishing", then available after 3 minutes.
    let called = d.call_next(&d.anna).await;
    assert_eq!(called.status(), StatusCode::OK);
    let called: Value = called.json().await.unwrap();
    assert_eq!(called["resident_name"], "Eerste");
    assert_eq!(d.status(&d.anna).await["status"], "in_call");
    d.advance(6);
    let id = called["id"].as_str().unwrap();
    let done = d
        .anna
        .post(d.api(&format!("/staff/queue/{id}/done")))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert_eq!(d.status(&d.anna).await["status"], "finishing");
    d.advance(2);
    assert_eq!(d.status(&d.anna).await["status"], "finishing");
    d.advance(1);
    let after = d.status(&d.anna).await;
    assert_eq!(after["status"], "available");
    assert_eq!(after["since"], "2026-03-20T10:15:00+01:00");

    // An admin makes after-call work longer; out-of-range is refused.
    let resp = d
        .bram
        .put(d.api("/admin/clerk-status/settings"))
        .json(&json!({"finishing_max_minutes": 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(d.status(&d.anna).await["status"], "finishing");
    problem(
        d.bram
            .put(d.api("/admin/clerk-status/settings"))
            .json(&json!({"finishing_max_minutes": 61}))
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    problem(
        d.anna
            .put(d.api("/admin/clerk-status/settings"))
            .json(&json!({"finishing_max_minutes": 5}))
            .send()
            .await
            .unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
}

async fn two_clerks_taking_one_resident_one_wins(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    for round in 0..5 {
        let name = format!("Bewoner {round}");
        d.walk_in(&passport, &name).await;
        let id = d.staff_entry(&name).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let take = |clerk: &reqwest::Client, reason: &'static str| {
            clerk
                .post(d.api(&format!("/staff/queue/{id}/take")))
                .json(&json!({"reason": reason}))
                .send()
        };
        let (a, b) = tokio::join!(
            take(&d.anna, "Spreekt Pools"),
            take(&d.bram, "Terugbelverzoek")
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        let statuses = [a.status(), b.status()];
        assert!(
            statuses.contains(&StatusCode::OK) && statuses.contains(&StatusCode::CONFLICT),
            "round {round}: {statuses:?}"
        );
        let (winner, loser, reason) = if a.status() == StatusCode::OK {
            (a, b, "Spreekt Pools")
        } else {
            (b, a, "Terugbelverzoek")
        };
        let taken: Value = winner.json().await.unwrap();
        assert_eq!(taken["status"], "called");
        let p = problem(loser, StatusCode::CONFLICT).await;
        assert!(p["detail"].as_str().unwrap().contains("collega"), "{p}");
        // The reason is logged, once.
        let claims = booking::auth::SessionClaims {
            sub: taken["clerk_id"].as_str().unwrap().parse().unwrap(),
            tenant: d.t.app.db().tenant_by_slug("voorbeeld").await.unwrap().id,
            role: booking::domain::staff::StaffRole::Admin,
            iat: 0,
            exp: i64::MAX,
            jti: String::new(),
        };
        let history = booking::usecases::worklist::history(&d.t.app, &claims, id.parse().unwrap())
            .await
            .unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].0, "taken");
        assert_eq!(history[0].2, reason);
        // Finish, so the next round's clerks are not both in a call with stale residents.
        let done = d
            .anna
            .post(d.api(&format!("/staff/queue/{id}/done")))
            .send()
            .await
            .unwrap();
        let done_by_bram = d
            .bram
            .post(d.api(&format!("/staff/queue/{id}/done")))
            .send()
            .await
            .unwrap();
        assert!(done.status() == StatusCode::OK || done_by_bram.status() == StatusCode::OK);
    }
    // Taking needs a reason.
    d.walk_in(&passport, "Zonder reden").await;
    let id = d.staff_entry("Zonder reden").await["id"].clone();
    let p = problem(
        d.anna
            .post(d.api(&format!("/staff/queue/{}/take", id.as_str().unwrap())))
            .json(&json!({"reason": "  "}))
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "/reason");
}

async fn hand_over_to_a_colleague_and_to_another_service(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    let moving = d.service("Verhuizing").clone();
    let first = d.walk_in(&passport, "Eerst gekomen").await;
    d.advance(2);
    let handed = d.walk_in(&passport, "Overgedragen").await;
    let joined = d.entry(&handed).await["joined_at"].clone();
    d.advance(3);

    // Anna takes the second resident, then hands them to Bram with a note.
    let id = d.staff_entry("Overgedragen").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let taken = d
        .anna
        .post(d.api(&format!("/staff/queue/{id}/take")))
        .json(&json!({"reason": "Vraag over een verhuizing"}))
        .send()
        .await
        .unwrap();
    assert_eq!(taken.status(), StatusCode::OK);
    let team: Vec<Value> = d
        .anna
        .get(d.api("/staff/team"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bram_id = team.iter().find(|m| m["name"] == "Bram Jansen").unwrap()["clerk_id"].clone();
    // A colleague and a service at once is refused.
    problem(
        d.anna
            .post(d.api(&format!("/staff/queue/{id}/hand-over")))
            .json(&json!({"to_clerk": bram_id, "to_service": moving["id"]}))
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let resp = d
        .anna
        .post(d.api(&format!("/staff/queue/{id}/hand-over")))
        .json(&json!({"to_clerk": bram_id, "note": "Heeft een tolk nodig"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let back: Value = resp.json().await.unwrap();
    assert_eq!(back["status"], "waiting");
    assert!(back["clerk_id"].is_null());
    // Waiting since stays as it was; Anna is finishing now.
    assert_eq!(d.entry(&handed).await["joined_at"], joined);
    assert_eq!(d.status(&d.anna).await["status"], "finishing");
    let tenant = d.t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    let handovers = booking::usecases::worklist::handovers(&d.t.app, tenant.id)
        .await
        .unwrap();
    assert_eq!(handovers.len(), 1);
    assert_eq!(handovers[0].note, "Heeft een tolk nodig");
    assert_eq!(
        handovers[0].to_clerk.unwrap().to_string(),
        bram_id.as_str().unwrap()
    );

    // Anna calls next: not the one handed to Bram, but the other resident.
    let next: Value = d.call_next(&d.anna).await.json().await.unwrap();
    assert_eq!(next["resident_name"], "Eerst gekomen");
    // Bram calls next: the resident handed to him, nobody else is left anyway; and nobody
    // else gets them meanwhile.
    let bram_next: Value = d.call_next(&d.bram).await.json().await.unwrap();
    assert_eq!(bram_next["resident_name"], "Overgedragen");

    // Anna hands her resident to the moving queue: same entry, new service, same join time.
    let first_joined = d.entry(&first).await["joined_at"].clone();
    let first_id = next["id"].as_str().unwrap();
    let resp = d
        .anna
        .post(d.api(&format!("/staff/queue/{first_id}/hand-over")))
        .json(&json!({"to_service": moving["id"], "note": "Eigenlijk een verhuizing"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let moved = d.entry(&first).await;
    assert_eq!(moved["status"], "waiting");
    assert_eq!(moved["service"], moving["name"]);
    assert_eq!(moved["joined_at"], first_joined);
    assert_eq!(moved["place"], 1);
    // A new walk-in for moving comes after the handed-over resident, who joined earlier.
    let later = d.walk_in(&moving, "Later").await;
    assert_eq!(d.entry(&later).await["place"], 2);
    // Handing over what is no longer yours is refused.
    problem(
        d.anna
            .post(d.api(&format!(
                "/staff/queue/{}/hand-over",
                bram_next["id"].as_str().unwrap()
            )))
            .json(&json!({"to_service": moving["id"]}))
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;

    // A waiting resident marked as no-show leaves the queue as missed.
    let later_id = d.staff_entry("Later").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let resp = d
        .anna
        .post(d.api(&format!("/staff/queue/{later_id}/no-show")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(d.entry(&later).await["status"], "missed");
    problem(
        d.anna
            .post(d.api(&format!("/staff/queue/{later_id}/no-show")))
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
}

async fn time_per_status_per_week(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    // 10:00 paused for 10 minutes, 5 available, 7 in a call, then 10 minutes after the call
    // (3 count as finishing, the rest as available again).
    d.set_status(&d.anna, json!({"status": "paused", "reason": "Overleg"}))
        .await;
    d.advance(10);
    d.set_status(&d.anna, json!({"status": "available"})).await;
    d.walk_in(&passport, "Bewoner").await;
    d.advance(5);
    let called: Value = d.call_next(&d.anna).await.json().await.unwrap();
    d.advance(7);
    let id = called["id"].as_str().unwrap();
    let done = d
        .anna
        .post(d.api(&format!("/staff/queue/{id}/done")))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    d.advance(10);

    let rows: Vec<Value> = d
        .bram
        .get(d.api("/admin/clerk-status/weeks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let anna: Vec<&Value> = rows
        .iter()
        .filter(|r| r["clerk"] == "Anna de Vries")
        .collect();
    assert_eq!(anna.len(), 1, "{rows:?}");
    let week = anna[0];
    assert_eq!(week["week"], "2026-03-16");
    assert_eq!(week["paused_seconds"], 10 * 60);
    assert_eq!(week["available_seconds"], (5 + 7) * 60);
    assert_eq!(week["in_call_seconds"], 7 * 60);
    assert_eq!(week["finishing_seconds"], 3 * 60);
    // Bram never changed status: no row for him.
    assert!(rows.iter().all(|r| r["clerk"] != "Bram Jansen"));
    // Clerks do not read the team's hours.
    assert_eq!(
        d.anna
            .get(d.api("/admin/clerk-status/weeks"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    problem(
        d.bram
            .get(d.api("/admin/clerk-status/weeks?from=gisteren"))
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}
