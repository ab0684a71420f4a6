//! Issue 13, finding 10, on real SQLite and PostgreSQL: every staff read of a resident's data
//! (the appointment, its outcomes with their delivery, the choices per source) adds one entry to
//! the access log the resident reads through the personal link, admins' reads included; a
//! clerk acts only on appointments, queue entries and callbacks of the services they handle
//! (anything else is "not found", as another municipality's); and an outcome waits for the call.

#[macro_use]
mod common;
mod privacy_support;

use booking::auth::hash_password;
use booking::domain::catalog::Clerk;
use booking::domain::ids::ClerkId;
use booking::domain::staff::StaffRole;
use common::{ts, Store};
use privacy_support::{fixture, Fixture};
use reqwest::Method;
use serde_json::{json, Value};

on_both_stores!(
    each_staff_read_adds_one_entry_the_resident_reads,
    a_clerk_of_another_service_finds_nothing_and_changes_nothing,
    an_outcome_before_the_call_is_refused_and_nothing_is_written,
);

async fn access_lines(f: &Fixture, token: &str) -> Vec<Value> {
    let (status, lines) = f
        .get(
            &reqwest::Client::new(),
            &format!("/personal/{token}/access-log"),
        )
        .await;
    assert_eq!(status, 200);
    lines.as_array().unwrap().clone()
}

fn outcome() -> Value {
    json!({"result": "complete", "notes": "", "follow_up": {"kind": "none"}, "sources": []})
}

/// Carla, a clerk of the same municipality who handles only the demo's second service.
async fn clerk_of_another_service(f: &Fixture) -> reqwest::Client {
    let services = f.t.app.db().services(f.tenant.id).await.unwrap();
    let other = services.iter().find(|s| s.id != f.service.id).unwrap();
    f.t.app
        .db()
        .create_clerk(
            &Clerk {
                id: ClerkId::new(),
                tenant_id: f.tenant.id,
                name: "Carla".into(),
                email: "carla@voorbeeld.nl".into(),
                role: StaffRole::Clerk,
                services: vec![other.id],
            },
            &hash_password("welkom-carla").unwrap(),
        )
        .await
        .unwrap();
    privacy_support::login(&f.t, "voorbeeld", "carla@voorbeeld.nl", "welkom-carla").await
}

async fn each_staff_read_adds_one_entry_the_resident_reads(store: Store) {
    let f = fixture(store).await;
    f.configure_sources().await;
    let b = f.book(ts("2026-03-20T13:00:00Z"), "Inwoner Een").await;
    let other = f.book(ts("2026-03-20T14:00:00Z"), "Inwoner Twee").await;
    assert!(access_lines(&f, &b.token).await.is_empty());

    // The clerk, then the admin: each read is one more line, with the action it was.
    let reads = [
        (
            &f.t.client,
            format!("/staff/appointments/{}", b.id),
            "opened_appointment",
        ),
        (
            &f.t.client,
            format!("/staff/appointments/{}/outcomes", b.id),
            "viewed_outcome",
        ),
        (
            &f.t.client,
            format!("/staff/appointments/{}/consent", b.id),
            "viewed_consent",
        ),
        (
            &f.t.client,
            format!("/staff/appointments/{}/outcomes", b.id),
            "viewed_outcome",
        ),
        (
            &f.admin,
            format!("/staff/appointments/{}/outcomes", b.id),
            "viewed_outcome",
        ),
        (
            &f.admin,
            format!("/staff/appointments/{}/consent", b.id),
            "viewed_consent",
        ),
    ];
    for (i, (client, path, action)) in reads.iter().enumerate() {
        let (status, body) = f.get(client, path).await;
        assert_eq!(status, 200, "{path}: {body}");
        let lines = access_lines(&f, &b.token).await;
        assert_eq!(lines.len(), i + 1, "{path}: {lines:?}");
        assert_eq!(lines[i]["action"], *action, "{path}");
        f.t.app.clock.advance(jiff::SignedDuration::from_secs(1));
    }
    let lines = access_lines(&f, &b.token).await;
    assert_eq!(
        lines[1]["sentence"],
        "Op 20 maart om 10:00 heeft een medewerker van de gemeente de uitkomst van uw gesprek \
         bekeken."
    );
    assert_eq!(
        lines[2]["sentence"],
        "Op 20 maart om 10:00 heeft een medewerker van de gemeente uw keuzes bekeken over de \
         gegevens die de gemeente mag raadplegen."
    );
    // No case yet: "not found", and nothing shown means nothing logged.
    let (status, _) = f
        .get(&f.t.client, &format!("/staff/appointments/{}/case", b.id))
        .await;
    assert_eq!(status, 404);
    assert_eq!(access_lines(&f, &b.token).await.len(), reads.len());
    // Another resident's log is their own.
    assert!(access_lines(&f, &other.token).await.is_empty());
    // The rows are in the database with the reader: the clerk, then the admin.
    let rows = f.t.app.db().access_log(f.tenant.id, b.id).await.unwrap();
    assert_eq!(rows.len(), reads.len());
    assert_eq!(rows[0].clerk_id, Some(f.clerk));
    assert_ne!(
        rows[4].clerk_id,
        Some(f.clerk),
        "the admin's read names the admin"
    );
}

async fn a_clerk_of_another_service_finds_nothing_and_changes_nothing(store: Store) {
    let f = fixture(store).await;
    let carla = clerk_of_another_service(&f).await;
    let b = f.book(ts("2026-03-20T09:10:00Z"), "Inwoner Drie").await;
    let entry = f.start_call(b.id).await;
    let (status, callback) = f
        .send(&reqwest::Client::new(), Method::POST, "/tenants/voorbeeld/callbacks",
            json!({"service_id": f.service.id.to_string(), "name": "Bel Mij", "phone": "0612345678", "part_of_day": "morning"}))
        .await;
    assert_eq!(status, 201, "{callback}");
    let callback = callback["id"].as_str().unwrap().to_string();

    let id = b.id;
    for path in [
        format!("/staff/appointments/{id}"),
        format!("/staff/appointments/{id}/outcomes"),
        format!("/staff/appointments/{id}/consent"),
        format!("/staff/appointments/{id}/case"),
    ] {
        let (status, body) = f.get(&carla, &path).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    for (path, body) in [
        (format!("/staff/appointments/{id}/outcomes"), outcome()),
        (format!("/staff/appointments/{id}/room-token"), json!({})),
        (format!("/staff/queue/{entry}/call"), json!({})),
        (format!("/staff/queue/{entry}/done"), json!({})),
        (format!("/staff/queue/{entry}/room-token"), json!({})),
        (format!("/staff/callbacks/{callback}/done"), json!({})),
    ] {
        let (status, answer) = f.send(&carla, Method::POST, &path, body).await;
        assert_eq!(status, 404, "{path}: {answer}");
    }
    // Nothing read was logged, nothing was written.
    assert!(access_lines(&f, &b.token).await.is_empty());
    let db = f.t.app.db();
    assert!(db.outcomes(f.tenant.id, id).await.unwrap().is_empty());
    let still = db.queue_entry(f.tenant.id, entry).await.unwrap();
    assert_eq!(still.status.as_str(), "called", "the call is still Anna's");
    assert_eq!(db.open_callbacks(f.tenant.id).await.unwrap().len(), 1);

    // Anna handles the service: the same steps work for her.
    let (status, _) = f
        .get(&f.t.client, &format!("/staff/appointments/{id}/outcomes"))
        .await;
    assert_eq!(status, 200);
    let (status, body) = f
        .send(
            &f.t.client,
            Method::POST,
            &format!("/staff/appointments/{id}/outcomes"),
            outcome(),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = f
        .send(
            &f.t.client,
            Method::POST,
            &format!("/staff/callbacks/{callback}/done"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn an_outcome_before_the_call_is_refused_and_nothing_is_written(store: Store) {
    let f = fixture(store).await;
    f.configure_sources().await;
    // A future appointment (tomorrow) that nobody called: the demo clerk's own.
    let b = f.book(ts("2026-03-21T09:00:00Z"), "Inwoner Vier").await;
    let (status, _) = f
        .send(
            &reqwest::Client::new(),
            Method::PUT,
            &format!("/personal/{}/consent", b.token),
            json!({"choices": [{"source": "brp", "choice": "municipality"}]}),
        )
        .await;
    assert_eq!(status, 200);
    let path = format!("/staff/appointments/{}/outcomes", b.id);
    let with_source = json!({"result": "complete", "notes": "", "follow_up": {"kind": "none"}, "sources": ["BRP"]});
    for client in [&f.t.client, &f.admin] {
        let (status, problem) = f
            .send(client, Method::POST, &path, with_source.clone())
            .await;
        assert_eq!(status, 409, "{problem}");
        assert_eq!(problem["type"], "https://videoloket.nl/problems/conflict");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("nog niet begonnen"),
            "{problem}"
        );
    }
    // Nothing written: no outcome, no delivery, no consulted source in the log.
    let db = f.t.app.db();
    assert!(db.outcomes(f.tenant.id, b.id).await.unwrap().is_empty());
    assert!(db
        .deliveries_for(f.tenant.id, b.id)
        .await
        .unwrap()
        .is_empty());
    assert!(access_lines(&f, &b.token).await.is_empty());

    // Waiting in the queue is not a call either; once called, the outcome is recorded.
    f.t.app
        .clock
        .advance(ts("2026-03-21T08:55:00Z").duration_since(f.t.app.clock.now()));
    f.start_call(b.id).await;
    // A day later the old session has timed out: Anna logs in again.
    let anna = privacy_support::login(&f.t, "voorbeeld", "anna@voorbeeld.nl", "welkom-anna").await;
    let (status, body) = f.send(&anna, Method::POST, &path, with_source).await;
    assert_eq!(status, 201, "{body}");
    let lines = access_lines(&f, &b.token).await;
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["action"], "consulted_source");
}
