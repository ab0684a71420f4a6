//! Live queue updates over Server-Sent Events: a clerk's stream sees a walk-in made on another
//! server instance on the same PostgreSQL database (LISTEN/NOTIFY), on SQLite within the one
//! instance, and a resident's stream sees their place change when the one ahead is called.
//! Every wait is bounded: "within a second" is the requirement.

mod common;

use booking::adapters::live_updates::QueueEvents;
use booking::adapters::mail::{MailConfig, Mailer};
use booking::clock::Clock;
use booking::store::Db;
use booking::App;
use common::{spawn, ts, Store, TestApp};
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

/// Friday 20 March 2026, 10:00 in Amsterdam.
const NOW: &str = "2026-03-20T09:00:00Z";

const WITHIN: Duration = Duration::from_secs(1);

/// Bounds the test's setup steps (logins, walk-ins), which are not what is measured.
const SETUP: Duration = Duration::from_secs(20);

async fn bounded<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(SETUP, f)
        .await
        .unwrap_or_else(|_| panic!("{what} took longer than {SETUP:?}"))
}

/// An open SSE response, read event by event.
struct EventStream {
    resp: reqwest::Response,
    buffer: String,
}

impl EventStream {
    async fn open(client: &reqwest::Client, url: &str) -> Self {
        let resp = bounded("opening the stream", client.get(url).send())
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-type"], "text/event-stream");
        Self {
            resp,
            buffer: String::new(),
        }
    }

    /// The next event with data, as its name and JSON; keep-alive comments are skipped.
    async fn next(&mut self) -> (String, Value) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut name, mut data) = (String::new(), None);
                for line in block.lines() {
                    if let Some(n) = line.strip_prefix("event:") {
                        name = n.trim().to_string();
                    } else if let Some(d) = line.strip_prefix("data:") {
                        data = Some(serde_json::from_str(d.trim()).unwrap());
                    }
                }
                if let Some(data) = data {
                    return (name, data);
                }
                continue;
            }
            let chunk = self.resp.chunk().await.unwrap().expect("the stream ended");
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// Reads events until one satisfies `wanted`, failing after `within`.
    async fn until(&mut self, within: Duration, wanted: impl Fn(&Value) -> bool) -> Value {
        let mut seen = Vec::new();
        let found = tokio::time::timeout(within, async {
            loop {
                let (_, data) = self.next().await;
                if wanted(&data) {
                    return data;
                }
                seen.push(data);
            }
        })
        .await;
        found.unwrap_or_else(|_| panic!("no such event within {within:?}; saw {seen:?}"))
    }
}

async fn clerk(base: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let resp = bounded(
        "logging in",
        client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"tenant": "voorbeeld", "email": "anna@voorbeeld.nl", "password": "welkom-anna"}))
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    client
}

async fn demo(store: Store) -> (TestApp, Value) {
    let t = spawn(store, ts(NOW), None).await;
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

/// A walk-in through the instance at `base`; its token.
async fn walk_in(base: &str, passport: &Value, name: &str) -> String {
    let resp = bounded(
        "walking in",
        reqwest::Client::new()
            .post(format!("{base}/api/v1/tenants/voorbeeld/walk-ins"))
            .json(&json!({"service_id": passport["id"], "name": name}))
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    resp.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A second server instance on the same database, with its own pool and event hub.
async fn second_instance(t: &TestApp) -> String {
    let db = Db::connect(&t.app.db().url).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let events = QueueEvents::start(&db).await.unwrap();
    let app = App::new(
        db,
        Clock::fixed(t.app.clock.now()),
        Mailer::new(&MailConfig::Files(t.test_db.dir.path().join("mail2"))).unwrap(),
        t.app.session_keys.clone(),
        base.clone(),
        events,
    );
    tokio::spawn(async move {
        axum::serve(listener, booking::api::router(app))
            .await
            .unwrap()
    });
    base
}

fn names(update: &Value) -> Vec<&str> {
    update["queue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resident_name"].as_str().unwrap())
        .collect()
}

/// The clerk follows the queue on `watch`; a resident walks in on `walk_in_at`.
async fn clerk_sees_walk_in(passport: &Value, watch: &str, walk_in_at: &str) {
    let anna = clerk(watch).await;
    let mut stream = EventStream::open(&anna, &format!("{watch}/api/v1/staff/queue/events")).await;
    // The first event is the queue as it is, so the stream is live before anything changes.
    let (name, first) = bounded("the first event", stream.next()).await;
    assert_eq!(name, "queue");
    assert!(names(&first).is_empty(), "{first}");

    walk_in(walk_in_at, passport, "Op afstand").await;
    let update = stream
        .until(WITHIN, |u| names(u).contains(&"Op afstand"))
        .await;
    assert_eq!(update["queue"][0]["status"], "waiting");
    assert_eq!(update["open_callbacks"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_clerk_on_one_instance_sees_a_walk_in_on_another() {
    let (t, passport) = demo(Store::Postgres).await;
    let other = second_instance(&t).await;
    clerk_sees_walk_in(&passport, &t.base, &other).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_clerk_sees_a_walk_in_in_process() {
    let (t, passport) = demo(Store::Sqlite).await;
    clerk_sees_walk_in(&passport, &t.base, &t.base).await;
}

async fn resident_sees_their_place_change(store: Store) {
    let (t, passport) = demo(store).await;
    walk_in(&t.base, &passport, "Eerste").await;
    t.app.clock.advance(SignedDuration::from_secs(1));
    let second = walk_in(&t.base, &passport, "Tweede").await;
    let resident = reqwest::Client::new();
    let mut stream = EventStream::open(
        &resident,
        &format!("{}/api/v1/queue-entries/{second}/events", t.base),
    )
    .await;
    let (name, now) = bounded("the first event", stream.next()).await;
    assert_eq!(name, "entry");
    assert_eq!(now["place"], 2);
    let wait_before = now["expected_wait_minutes"].as_i64().unwrap();

    let anna = clerk(&t.base).await;
    let called = bounded(
        "calling next",
        anna.post(format!("{}/api/v1/staff/queue/call-next", t.base))
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(
        called.json::<Value>().await.unwrap()["resident_name"],
        "Eerste"
    );
    let moved = stream.until(WITHIN, |e| e["place"] == 1).await;
    assert_eq!(moved["status"], "waiting");
    assert!(
        moved["expected_wait_minutes"].as_i64().unwrap() < wait_before,
        "{moved}"
    );

    // An unknown token is a plain 404, not an empty stream.
    let unknown = resident
        .get(format!(
            "{}/api/v1/queue-entries/{}/events",
            t.base,
            "A".repeat(43)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_resident_sees_their_place_change() {
    resident_sees_their_place_change(Store::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_resident_sees_their_place_change() {
    resident_sees_their_place_change(Store::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_clerks_stream_needs_a_login() {
    let (t, _) = demo(Store::Sqlite).await;
    let resp = bounded(
        "opening the stream",
        reqwest::Client::new()
            .get(format!("{}/api/v1/staff/queue/events", t.base))
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_clerks_stream_ends_with_the_session() {
    let (t, passport) = demo(Store::Sqlite).await;
    let anna = clerk(&t.base).await;
    let mut stream =
        EventStream::open(&anna, &format!("{}/api/v1/staff/queue/events", t.base)).await;
    bounded("the first event", stream.next()).await;
    walk_in(&t.base, &passport, "Nog binnen").await;
    stream
        .until(WITHIN, |u| names(u).contains(&"Nog binnen"))
        .await;

    // Sessions last ten hours; the next change after that closes the stream instead. Three
    // days on it is Monday 10:00, when walk-ins are taken again.
    t.app.clock.advance(SignedDuration::from_hours(72));
    walk_in(&t.base, &passport, "Te laat").await;
    let end = tokio::time::timeout(WITHIN, stream.resp.chunk())
        .await
        .expect("the stream should end within a second");
    assert!(
        end.unwrap().is_none(),
        "the stream sent more after the session expired"
    );
}

/// The listener's connection dies (a PostgreSQL restart, a proxy timeout): sqlx reconnects and
/// every follower reads afresh, so a change made while it was down still shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_listener_recovers_from_a_dropped_connection() {
    let (t, passport) = demo(Store::Postgres).await;
    let other = second_instance(&t).await;
    let anna = clerk(&t.base).await;
    let mut stream =
        EventStream::open(&anna, &format!("{}/api/v1/staff/queue/events", t.base)).await;
    bounded("the first event", stream.next()).await;

    let terminated: Vec<(bool,)> = sqlx::query_as(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .fetch_all(&t.app.db().pool)
    .await
    .unwrap();
    // One listener per instance.
    assert_eq!(terminated, vec![(true,), (true,)]);
    walk_in(&other, &passport, "Tijdens de storing").await;
    stream
        .until(Duration::from_secs(5), |u| {
            names(u).contains(&"Tijdens de storing")
        })
        .await;
    // And the relay works again afterwards.
    walk_in(&other, &passport, "Na de storing").await;
    stream
        .until(WITHIN, |u| names(u).contains(&"Na de storing"))
        .await;
}

/// The new queue endpoints are in the OpenAPI document, the streams as `text/event-stream`, and
/// the settings document the queue minutes.
#[test]
fn live_queue_and_leave_are_documented() {
    use utoipa::OpenApi;
    let doc = serde_json::to_value(booking::api::ApiDoc::openapi()).unwrap();
    for (path, method) in [
        ("/api/v1/staff/queue/events", "get"),
        ("/api/v1/queue-entries/{token}/events", "get"),
        ("/api/v1/queue-entries/{token}/leave", "post"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} undocumented"
        );
    }
    let stream = &doc["paths"]["/api/v1/staff/queue/events"]["get"]["responses"]["200"]["content"];
    assert_eq!(
        stream["text/event-stream"]["schema"]["$ref"],
        "#/components/schemas/StaffQueueUpdate"
    );
    assert!(doc["components"]["schemas"]["StaffQueueUpdate"].is_object());
    for field in ["check_in_minutes", "no_show_grace_minutes"] {
        for schema in ["SettingsBody", "Tenant"] {
            assert!(
                doc["components"]["schemas"][schema]["properties"][field].is_object(),
                "{schema}.{field} undocumented"
            );
        }
    }
}

/// A long queue: the clerks' live event lists the first waiting residents in calling order and
/// counts the rest (issue 20: the whole queue to every clerk on every change did not scale),
/// while the person with a clerk stays listed.
async fn a_long_queue_is_shortened_in_the_clerks_event(store: Store) {
    let (t, passport) = demo(store).await;
    let rows = booking::api::live::LIVE_WAITING_ROWS;
    for i in 0..rows + 3 {
        walk_in(&t.base, &passport, &format!("Bewoner {i:03}")).await;
        t.app.clock.advance(SignedDuration::from_secs(1));
    }
    let anna = clerk(&t.base).await;
    let called = bounded(
        "calling next",
        anna.post(format!("{}/api/v1/staff/queue/call-next", t.base))
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(
        called.json::<Value>().await.unwrap()["resident_name"],
        "Bewoner 000"
    );
    let mut stream =
        EventStream::open(&anna, &format!("{}/api/v1/staff/queue/events", t.base)).await;
    let (_, update) = bounded("the first event", stream.next()).await;
    let shown = names(&update);
    assert_eq!(update["waiting"], rows + 2, "{update}");
    assert_eq!(shown.len(), rows + 1, "{shown:?}");
    assert_eq!(shown[0], "Bewoner 001", "calling order first");
    assert_eq!(shown[rows - 1], format!("Bewoner {rows:03}"));
    assert!(shown.contains(&"Bewoner 000"), "the one with a clerk stays");
    // The full list is still there for whoever asks for it.
    let all: Vec<Value> = anna
        .get(format!("{}/api/v1/staff/queue", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all.len(), rows + 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_a_long_queue_is_shortened_in_the_clerks_event() {
    a_long_queue_is_shortened_in_the_clerks_event(Store::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_a_long_queue_is_shortened_in_the_clerks_event() {
    a_long_queue_is_shortened_in_the_clerks_event(Store::Postgres).await;
}
