//! Call outcomes and their delivery through the transactional outbox, on real SQLite and
//! PostgreSQL: recording and correcting, the built-in case store, and the faults: a case store
//! that is down during 500 recordings, a worker killed mid-delivery, a slow case store, and
//! refused deliveries that an admin retries.

#[macro_use]
mod common;
mod outcomes_support;

use booking::adapters::case_store::builtin::BuiltinCaseStore;
use booking::adapters::case_store::{CaseDelivery, CaseStore, DeliveryFuture};
use booking::domain::outbox::DeliveryError;
use booking::usecases::delivery::{spawn_delivery_worker, Worker};
use common::Store;
use jiff::SignedDuration;
use outcomes_support::{complete, fast_config, fixture, wait_until, wait_until_seen};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

on_both_stores!(
    record_correct_and_deliver_to_the_builtin_store,
    outage_during_500_recordings_then_each_arrives_once,
    worker_killed_mid_delivery_then_each_arrives_once,
    slow_case_store_does_not_slow_clerks,
    refused_deliveries_wait_for_an_admin_retry,
    admin_chooses_the_case_store_and_result_lists,
    two_workers_never_deliver_an_event_twice,
    unreadable_settings_fail_like_a_store_that_is_down,
    secrets_stored_in_plain_text_are_sealed_at_start,
);

/// A case store in the test's memory. Like a real one it acts on an idempotency key once;
/// it counts every successful call per key too, so a test can tell a repeated delivery (the
/// store absorbed it) from a single one.
#[derive(Default)]
struct TestStore {
    down: AtomicBool,
    refuse: AtomicBool,
    /// Keys in the order the store first acted on them.
    effects: Mutex<Vec<String>>,
    calls: Mutex<HashMap<String, usize>>,
    failed_calls: AtomicUsize,
    /// Time taken before acting (the clerk's side must not wait for it).
    delay_before: Mutex<Duration>,
}

impl TestStore {
    fn effects(&self) -> Vec<String> {
        self.effects.lock().unwrap().clone()
    }
    fn calls(&self) -> HashMap<String, usize> {
        self.calls.lock().unwrap().clone()
    }
}

impl CaseStore for TestStore {
    fn deliver<'a>(&'a self, d: &'a CaseDelivery) -> DeliveryFuture<'a> {
        Box::pin(async move {
            let delay = *self.delay_before.lock().unwrap();
            tokio::time::sleep(delay).await;
            if self.down.load(Ordering::SeqCst) {
                self.failed_calls.fetch_add(1, Ordering::SeqCst);
                return Err(DeliveryError::Transient("503 Service Unavailable".into()));
            }
            if self.refuse.load(Ordering::SeqCst) {
                self.failed_calls.fetch_add(1, Ordering::SeqCst);
                return Err(DeliveryError::Refused(
                    "400 Bad Request: zaaktype: onbekend".into(),
                ));
            }
            let mut calls = self.calls.lock().unwrap();
            let n = calls.entry(d.key.clone()).or_default();
            *n += 1;
            if *n == 1 {
                self.effects.lock().unwrap().push(d.key.clone());
            }
            Ok(())
        })
    }
}

/// The real built-in store, answering only `ack_delay` after it wrote: the window in which a
/// killed worker leaves a delivered event unnoted.
struct SlowAck {
    inner: BuiltinCaseStore,
    ack_delay: Duration,
    calls: AtomicUsize,
    /// Calls after this many never acknowledge (until the worker is killed), so a kill always
    /// finds deliveries that reached the store but were not noted, however loaded the machine.
    stall_after: AtomicUsize,
}

impl CaseStore for SlowAck {
    fn deliver<'a>(&'a self, d: &'a CaseDelivery) -> DeliveryFuture<'a> {
        Box::pin(async move {
            self.inner.deliver(d).await?;
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            if n > self.stall_after.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
            tokio::time::sleep(self.ack_delay).await;
            Ok(())
        })
    }
}

async fn record_correct_and_deliver_to_the_builtin_store(store: Store) {
    let f = fixture(store).await;
    let ids = f.appointments(2).await;
    let (a, other) = (ids[0], ids[1]);

    // Bad input is refused with the field named.
    let resp = f
        .record(a, json!({"result": "nope", "follow_up": {"kind": "none"}}))
        .await;
    assert_eq!(resp.status(), 422);
    assert_eq!(resp.json::<Value>().await.unwrap()["field"], "/result");
    let resp = f
        .record(
            a,
            json!({"result": "referred", "follow_up": {"kind": "callback", "on": "2026-03-19"}}),
        )
        .await;
    assert_eq!(resp.status(), 422);
    assert!(f.history(a).await["outcomes"]
        .as_array()
        .unwrap()
        .is_empty());

    let resp = f
        .record(
            a,
            json!({"result": "documents_missing", "notes": "Pasfoto ontbreekt.", "sources": ["BRP", "BRP", "Reisdocumentenregister"],
                   "follow_up": {"kind": "callback", "on": "2026-03-24"}}),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let view: Value = resp.json().await.unwrap();
    assert_eq!(view["delivery"], "pending");
    assert_eq!(view["outcomes"][0]["version"], 1);
    assert_eq!(view["outcomes"][0]["result_label"], "Documenten ontbreken");
    assert_eq!(
        view["outcomes"][0]["sources"],
        json!(["BRP", "Reisdocumentenregister"])
    );
    assert_eq!(
        view["outcomes"][0]["follow_up"],
        json!({"kind": "callback", "on": "2026-03-24"})
    );
    assert_eq!(view["deliveries"][0]["state"], "pending");

    // A second recording must say what it corrects, and the version the clerk saw.
    assert_eq!(f.record(a, complete()).await.status(), 409);
    let mut correction = complete();
    correction["corrects"] = json!(1);
    f.t.app.clock.advance(SignedDuration::from_hours(2));
    let view: Value = f.record(a, correction.clone()).await.json().await.unwrap();
    assert_eq!(
        view["outcomes"].as_array().unwrap().len(),
        2,
        "the first one stays"
    );
    assert_eq!(view["outcomes"][0]["result_code"], "documents_missing");
    assert_eq!(view["outcomes"][1]["version"], 2);
    assert_eq!(view["outcomes"][1]["result_code"], "complete");
    assert_eq!(f.record(a, correction).await.status(), 409, "stale version");

    // Deliver: the built-in store is the default.
    let worker = Worker::new(f.t.app.clone(), fast_config(None));
    // v2 must wait until v1 is delivered: the first round can only take v1.
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(worker.run_once().await.unwrap(), 0);
    let view = f.history(a).await;
    assert_eq!(view["delivery"], "delivered");
    let case: Value =
        f.t.client
            .get(f.url(&format!("/api/v1/staff/appointments/{a}/case")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let events = case["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["outcome"]["result_code"], "documents_missing");
    assert_eq!(events[1]["outcome"]["result_code"], "complete");
    assert_eq!(events[0]["idempotency_key"], view["deliveries"][0]["id"]);

    // No correction the next local day (00:30 on Saturday); the clerk's session ran out.
    f.t.app
        .clock
        .advance(SignedDuration::from_mins(12 * 60 + 30));
    outcomes_support::login(&f.t, &f.t.client, "anna@voorbeeld.nl", "welkom-anna").await;
    let mut late = complete();
    late["corrects"] = json!(2);
    assert_eq!(f.record(a, late).await.status(), 409);

    // Another appointment has no case yet.
    let resp =
        f.t.client
            .get(f.url(&format!("/api/v1/staff/appointments/{other}/case")))
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status(), 404);
}

async fn outage_during_500_recordings_then_each_arrives_once(store: Store) {
    let f = fixture(store).await;
    let ids = f.appointments(500).await;
    let test_store = Arc::new(TestStore::default());
    test_store.down.store(true, Ordering::SeqCst);
    let worker = spawn_delivery_worker(f.t.app.clone(), fast_config(Some(test_store.clone())));

    f.record_all(&ids, 8).await;
    // Every event was tried once, failed, and waits for its backoff (the clock stands still).
    wait_until("all 500 are failing", Duration::from_secs(30), || async {
        f.counts().await == (0, 0, 500)
    })
    .await;
    assert!(test_store.effects().is_empty());
    assert_eq!(test_store.failed_calls.load(Ordering::SeqCst), 500);
    let failing = f.history(ids[0]).await;
    assert_eq!(failing["delivery"], "failing");
    assert_eq!(
        failing["deliveries"][0]["last_error"],
        "503 Service Unavailable"
    );
    assert!(failing["deliveries"][0]["next_attempt_at"].is_string());

    // The store comes back; time passes beyond the first backoff.
    test_store.down.store(false, Ordering::SeqCst);
    f.t.app.clock.advance(SignedDuration::from_secs(2));
    wait_until("all 500 are delivered", Duration::from_secs(30), || async {
        f.counts().await == (0, 500, 0)
    })
    .await;
    worker.abort();

    let effects = test_store.effects();
    assert_eq!(effects.len(), 500);
    let keys: HashSet<&String> = effects.iter().collect();
    assert_eq!(keys.len(), 500, "each event acted on once");
    // No event was even sent twice after it got through.
    assert!(test_store.calls().values().all(|n| *n == 1));
    // And the keys are exactly the recorded events.
    let mut expected = HashSet::new();
    for id in &ids {
        for d in f.history(*id).await["deliveries"].as_array().unwrap() {
            expected.insert(d["id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(keys, expected.iter().collect());
}

async fn worker_killed_mid_delivery_then_each_arrives_once(store: Store) {
    const N: usize = 300;
    let f = fixture(store).await;
    let ids = f.appointments(N).await;
    f.record_all(&ids, 8).await;

    let slow = Arc::new(SlowAck {
        inner: BuiltinCaseStore::new(f.t.app.db().clone()),
        ack_delay: Duration::from_millis(150),
        calls: AtomicUsize::new(0),
        stall_after: AtomicUsize::new(40),
    });
    let first = spawn_delivery_worker(f.t.app.clone(), fast_config(Some(slow.clone())));
    // Kill it while deliveries are in flight: written to the store, not yet noted.
    wait_until(
        "some deliveries are under way",
        Duration::from_secs(30),
        || async { slow.calls.load(Ordering::SeqCst) >= 40 },
    )
    .await;
    first.abort();
    let _ = first.await;
    let (_, delivered_before, _) = f.counts().await;
    let stored_before =
        f.t.app
            .db()
            .builtin_case_event_count(f.tenant.id)
            .await
            .unwrap();
    assert!(
        stored_before > delivered_before,
        "the kill must leave deliveries that reached the store unnoted ({stored_before} stored, {delivered_before} noted)"
    );

    // A new worker on the same database; the dead one's leases run out.
    slow.stall_after.store(usize::MAX, Ordering::SeqCst);
    f.t.app.clock.advance(SignedDuration::from_secs(61));
    let second = spawn_delivery_worker(f.t.app.clone(), fast_config(Some(slow.clone())));
    // On a loaded machine a delivery can time out and wait for its retry on the test's fixed
    // clock; about once a second, let the longest backoff pass so such a retry comes due.
    let polls = AtomicUsize::new(0);
    wait_until_seen("all are delivered", Duration::from_secs(60), || async {
        if polls.fetch_add(1, Ordering::SeqCst) % 50 == 49 {
            f.t.app.clock.advance(SignedDuration::from_secs(31));
        }
        let counts = f.counts().await;
        let seen = format!(
            "counts {counts:?}, store calls {}, clock {}, polls {}",
            slow.calls.load(Ordering::SeqCst),
            f.t.app.clock.now(),
            polls.load(Ordering::SeqCst)
        );
        (counts == (0, N as i64, 0), seen)
    })
    .await;
    second.abort();

    assert!(
        slow.calls.load(Ordering::SeqCst) > N,
        "some events were delivered a second time"
    );
    // Counted at the store: one case per appointment with exactly one event each.
    assert_eq!(
        f.t.app
            .db()
            .builtin_case_event_count(f.tenant.id)
            .await
            .unwrap(),
        N as i64
    );
    for id in &ids {
        let case =
            f.t.app
                .db()
                .builtin_case(f.tenant.id, *id)
                .await
                .unwrap()
                .unwrap();
        assert_eq!(case.events.len(), 1, "appointment {id}");
    }
}

async fn slow_case_store_does_not_slow_clerks(store: Store) {
    let f = fixture(store).await;
    let ids = f.appointments(10).await;
    let test_store = Arc::new(TestStore::default());
    *test_store.delay_before.lock().unwrap() = Duration::from_secs(3);
    let worker = spawn_delivery_worker(f.t.app.clone(), fast_config(Some(test_store.clone())));

    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    for id in &ids {
        let t0 = Instant::now();
        let resp = f.record(*id, complete()).await;
        assert_eq!(resp.status(), 201);
        assert_eq!(resp.json::<Value>().await.unwrap()["delivery"], "pending");
        slowest = slowest.max(t0.elapsed());
    }
    assert!(
        slowest < Duration::from_millis(1000),
        "recording took {slowest:?} with a case store that answers after 3 s"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        test_store.effects().is_empty(),
        "the store has not answered yet"
    );

    // Delivery still happens, in the background.
    wait_until("all are delivered", Duration::from_secs(20), || async {
        f.counts().await == (0, 10, 0)
    })
    .await;
    worker.abort();
    assert_eq!(test_store.effects().len(), 10);
}

async fn refused_deliveries_wait_for_an_admin_retry(store: Store) {
    let f = fixture(store).await;
    let ids = f.appointments(3).await;
    let test_store = Arc::new(TestStore::default());
    test_store.refuse.store(true, Ordering::SeqCst);
    let worker = Worker::new(f.t.app.clone(), fast_config(Some(test_store.clone())));
    for id in &ids {
        assert_eq!(f.record(*id, complete()).await.status(), 201);
    }
    assert_eq!(worker.run_once().await.unwrap(), 3);
    assert_eq!(f.counts().await, (0, 0, 3));
    // A refusal is not retried by time alone.
    f.t.app.clock.advance(SignedDuration::from_hours(5));
    assert_eq!(worker.run_once().await.unwrap(), 0);
    assert_eq!(test_store.failed_calls.load(Ordering::SeqCst), 3);

    // Clerks may not see the admin list; the admin does.
    let url = f.url("/api/v1/admin/deliveries");
    assert_eq!(f.t.client.get(&url).send().await.unwrap().status(), 403);
    let failing: Value = f
        .admin
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let failing = failing.as_array().unwrap();
    assert_eq!(failing.len(), 3);
    assert_eq!(failing[0]["state"], "failing");
    assert_eq!(
        failing[0]["last_error"],
        "400 Bad Request: zaaktype: onbekend"
    );
    assert!(failing[0]["next_attempt_at"].is_null());
    assert_eq!(failing[0]["attempts"], 1);

    // The cause is fixed; the admin retries one.
    test_store.refuse.store(false, Ordering::SeqCst);
    let id = failing[0]["id"].as_str().unwrap();
    let retry = |id: String| {
        let (client, url) = (
            f.admin.clone(),
            f.url(&format!("/api/v1/admin/deliveries/{id}/retry")),
        );
        async move { client.post(url).send().await.unwrap().status() }
    };
    assert_eq!(
        f.t.client
            .post(f.url(&format!("/api/v1/admin/deliveries/{id}/retry")))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(retry(id.to_string()).await, 204);
    assert_eq!(retry(id.to_string()).await, 404, "no longer failing");
    assert_eq!(retry(uuid::Uuid::new_v4().to_string()).await, 404);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(f.counts().await, (0, 1, 2));
    assert_eq!(test_store.effects(), vec![id.to_string()]);
    let delivered: Value = f
        .admin
        .get(f.url("/api/v1/admin/deliveries?state=delivered"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(delivered[0]["id"], id);
    assert_eq!(delivered[0]["attempts"], 2);
    assert!(delivered[0]["last_error"].is_null());
    assert_eq!(
        f.admin
            .get(f.url("/api/v1/admin/deliveries?state=bogus"))
            .send()
            .await
            .unwrap()
            .status(),
        400
    );

    // The other two in one go.
    let retried: Value = f
        .admin
        .post(f.url("/api/v1/admin/deliveries/retry-failing"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(retried, json!({"retried": 2}));
    assert_eq!(worker.run_once().await.unwrap(), 2);
    assert_eq!(f.counts().await, (0, 3, 0));
    assert_eq!(test_store.effects().len(), 3);
}

async fn admin_chooses_the_case_store_and_result_lists(store: Store) {
    let f = fixture(store).await;
    let url = f.url("/api/v1/admin/case-store");
    let current: Value = f
        .admin
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(current, json!({"kind": "builtin"}));
    assert_eq!(f.t.client.get(&url).send().await.unwrap().status(), 403);

    let zgw = json!({"kind": "zgw", "zaken_api": "https://zaken.example.nl/api/v1/", "client_id": "videoloket",
        "secret": "geheim-geheim", "zaaktype": "https://catalogi.example.nl/zaaktypen/1", "rsin": "002220647",
        "roltype": "https://catalogi.example.nl/roltypen/1", "end_statustype": "https://catalogi.example.nl/statustypen/9",
        "resultaattypen": {"complete": "https://catalogi.example.nl/resultaattypen/1"}});
    let mut bad = zgw.clone();
    bad["rsin"] = json!("123456789");
    let resp = f.admin.put(&url).json(&bad).send().await.unwrap();
    assert_eq!(resp.status(), 422);
    assert_eq!(resp.json::<Value>().await.unwrap()["field"], "/rsin");

    let saved: Value = f
        .admin
        .put(&url)
        .json(&zgw)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(saved["secret"], "********");
    assert_eq!(saved["zaken_api"], "https://zaken.example.nl/api/v1");
    // Finding 9 of issue 13: the redacted secret with a new address or client id is refused,
    // so an admin cannot send the stored secret to a host of their choice.
    for (field, value) in [
        ("client_id", "videoloket-2"),
        ("zaken_api", "https://attacker.example/api/v1"),
    ] {
        let mut moved = saved.clone();
        moved[field] = json!(value);
        let resp = f.admin.put(&url).json(&moved).send().await.unwrap();
        assert_eq!(resp.status(), 422, "{field}");
        let problem = resp.json::<Value>().await.unwrap();
        assert_eq!(problem["field"], "/secret");
        assert!(
            problem["detail"].as_str().unwrap().contains("opnieuw"),
            "{problem}"
        );
    }
    // With the secret entered again it is accepted.
    let mut again = saved.clone();
    again["client_id"] = json!("videoloket-2");
    again["secret"] = json!("geheim-nieuw");
    assert_eq!(
        f.admin
            .put(&url)
            .json(&again)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Sending the redacted form back for the same address and client id keeps the secret.
    again["secret"] = json!("********");
    again["user"] = json!("Balie");
    assert_eq!(
        f.admin
            .put(&url)
            .json(&again)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    match f.t.app.db().case_store_settings(f.tenant.id).await.unwrap() {
        booking::adapters::case_store::CaseStoreSettings::Zgw(c) => {
            // Stored sealed: the row holds no secret in plain text.
            assert!(!c.secret.contains("geheim"), "{}", c.secret);
            assert_eq!(
                common::test_secrets_key().open(&c.secret).unwrap(),
                "geheim-nieuw"
            );
            assert_eq!(c.client_id, "videoloket-2");
            assert_eq!(c.user, "Balie");
        }
        other => panic!("expected ZGW settings, got {other:?}"),
    }
    assert_eq!(
        f.admin
            .put(&url)
            .json(&json!({"kind": "builtin"}))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        f.admin
            .get(&url)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap(),
        json!({"kind": "builtin"})
    );

    // Result lists per service: default, then the admin's own; clerks record against it.
    let results_url = f.url(&format!("/api/v1/staff/services/{}/results", f.service.id));
    let defaults: Value =
        f.t.client
            .get(&results_url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(defaults.as_array().unwrap().len(), 4);
    let admin_url = f.url(&format!("/api/v1/admin/services/{}/results", f.service.id));
    let list = json!({"results": [{"code": "complete", "label": "Compleet"}, {"code": "referred-wmo", "label": "Doorverwezen naar het Wmo-loket"}]});
    assert_eq!(
        f.t.client
            .put(&admin_url)
            .json(&list)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        f.admin
            .put(&admin_url)
            .json(&list)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let dup = json!({"results": [{"code": "a", "label": "A"}, {"code": "a", "label": "B"}]});
    assert_eq!(
        f.admin
            .put(&admin_url)
            .json(&dup)
            .send()
            .await
            .unwrap()
            .status(),
        422
    );
    let ids = f.appointments(1).await;
    assert_eq!(
        f.record(
            ids[0],
            json!({"result": "no_show", "follow_up": {"kind": "none"}})
        )
        .await
        .status(),
        422
    );
    let view: Value = f
        .record(
            ids[0],
            json!({"result": "referred-wmo", "follow_up": {"kind": "new_appointment"}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        view["outcomes"][0]["result_label"],
        "Doorverwezen naar het Wmo-loket"
    );
    assert_eq!(view["results"].as_array().unwrap().len(), 2);
}

/// Two server instances on one database: each event is claimed by one of them only.
async fn two_workers_never_deliver_an_event_twice(store: Store) {
    const N: usize = 200;
    let f = fixture(store).await;
    let ids = f.appointments(N).await;
    f.record_all(&ids, 8).await;
    let test_store = Arc::new(TestStore::default());
    // A little latency so both workers are busy at the same time.
    *test_store.delay_before.lock().unwrap() = Duration::from_millis(5);
    let mut config = fast_config(Some(test_store.clone()));
    config.batch = 8;
    let a = spawn_delivery_worker(f.t.app.clone(), config.clone());
    let b = spawn_delivery_worker(f.t.app.clone(), config);
    wait_until("all are delivered", Duration::from_secs(40), || async {
        f.counts().await == (0, N as i64, 0)
    })
    .await;
    a.abort();
    b.abort();
    assert_eq!(test_store.effects().len(), N);
    let calls = test_store.calls();
    assert_eq!(calls.len(), N);
    assert!(
        calls.values().all(|n| *n == 1),
        "an event was delivered by both workers"
    );
}

/// Every outcome endpoint is in the OpenAPI document, and every schema it refers to exists.
#[tokio::test]
async fn outcome_endpoints_are_documented() {
    use utoipa::OpenApi;
    let doc = serde_json::to_value(booking::api::ApiDoc::openapi()).unwrap();
    for (path, method) in [
        ("/api/v1/staff/appointments/{id}/outcomes", "get"),
        ("/api/v1/staff/appointments/{id}/outcomes", "post"),
        ("/api/v1/staff/appointments/{id}/case", "get"),
        ("/api/v1/staff/services/{id}/results", "get"),
        ("/api/v1/admin/services/{id}/results", "put"),
        ("/api/v1/admin/case-store", "get"),
        ("/api/v1/admin/case-store", "put"),
        ("/api/v1/admin/deliveries", "get"),
        ("/api/v1/admin/deliveries/{id}/retry", "post"),
        ("/api/v1/admin/deliveries/retry-failing", "post"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} undocumented"
        );
    }
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.iter().any(|r| r.ends_with("/OutcomesView")));
    assert!(all.iter().any(|r| r.ends_with("/CaseStoreSettings")));
    for r in all {
        let name = r.trim_start_matches("#/components/schemas/");
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "dangling {r}"
        );
    }
}

/// Settings that cannot be read (say, written by a newer version) fail the delivery visibly
/// and retry it, instead of leaving it claimed.
async fn unreadable_settings_fail_like_a_store_that_is_down(store: Store) {
    let f = fixture(store).await;
    let id = f.appointments(1).await[0];
    sqlx::query(
        "INSERT INTO case_store_settings (tenant_id, kind, config, updated_at) VALUES ($1, 'zgw', '{\"kind\": \"future\"}', 0)",
    )
    .bind(f.tenant.id.to_string())
    .execute(&f.t.app.db().pool)
    .await
    .unwrap();
    assert_eq!(f.record(id, complete()).await.status(), 201);
    let worker = Worker::new(f.t.app.clone(), fast_config(None));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let view = f.history(id).await;
    assert_eq!(view["delivery"], "failing");
    let error = view["deliveries"][0]["last_error"].as_str().unwrap();
    assert!(
        error.starts_with("cannot read the case store settings"),
        "{error}"
    );
    assert!(view["deliveries"][0]["next_attempt_at"].is_string());
}

/// Issue 13, finding 9: a secret an older version stored in plain text keeps working and is
/// sealed by the start-up step.
async fn secrets_stored_in_plain_text_are_sealed_at_start(store: Store) {
    use booking::adapters::case_store::{zgw::ZgwConfig, CaseStoreSettings};
    let f = fixture(store).await;
    let legacy = ZgwConfig {
        zaken_api: "https://zaken.example.nl/api/v1".into(),
        client_id: "videoloket".into(),
        secret: "oud-geheim-in-platte-tekst".into(),
        zaaktype: "https://catalogi.example.nl/zaaktypen/1".into(),
        rsin: "002220647".into(),
        roltype: "https://catalogi.example.nl/roltypen/1".into(),
        end_statustype: "https://catalogi.example.nl/statustypen/9".into(),
        resultaattypen: [(
            "complete".to_string(),
            "https://catalogi.example.nl/resultaattypen/1".to_string(),
        )]
        .into(),
        user: "videoloket".into(),
        documenten_api: String::new(),
        informatieobjecttype: String::new(),
    };
    f.t.app
        .db()
        .save_case_store_settings(
            f.tenant.id,
            &CaseStoreSettings::Zgw(Box::new(legacy.clone())),
            f.t.app.clock.now(),
        )
        .await
        .unwrap();
    let key = common::test_secrets_key();
    // Read as it is before sealing.
    let read = f.t.app.db().case_store_settings(f.tenant.id).await.unwrap();
    assert!(read.has_plain_secret());
    assert_eq!(
        read.opened(&key).unwrap(),
        CaseStoreSettings::Zgw(Box::new(legacy.clone()))
    );

    let sealed = booking::usecases::admin::case_store::seal_plain_secrets(&f.t.app)
        .await
        .unwrap();
    assert_eq!(sealed, 1);
    let stored = f.t.app.db().case_store_settings(f.tenant.id).await.unwrap();
    assert!(!stored.has_plain_secret());
    assert!(!stored.to_config().unwrap().contains("platte-tekst"));
    assert_eq!(
        stored.opened(&key).unwrap(),
        CaseStoreSettings::Zgw(Box::new(legacy))
    );
    // Run again: nothing left to seal.
    assert_eq!(
        booking::usecases::admin::case_store::seal_plain_secrets(&f.t.app)
            .await
            .unwrap(),
        0
    );
}
