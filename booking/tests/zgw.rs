//! The ZGW Zaken API adapter against `tests/zgw/mock_zaken.py`: a Python server that checks
//! every request against the Zaken API 1.5.1 OpenAPI document (openapi-core) and the ZGW JWT,
//! answers as the document says (its answers are checked against it too), and injects faults.
//! Deliveries go through the real path: settings stored via the admin API, the outbox, the
//! worker. Python comes from VIDEOLOKET_PYTHON (see `common::require_python`).
//!
//! Issue 22: the same mock plays the Documenten API 1.4.2 (`tests/zgw/mock_documenten.py`,
//! checked against Open Zaak's document): a resident's documents become one
//! enkelvoudiginformatieobject each, linked to the zaak, also when the store fails midway or
//! the worker is killed, and the platform's copy is erased once delivered.

mod common;
mod outcomes_support;

use booking::adapters::outbound_http::OutboundHttp;
use booking::domain::outbound::OutboundRule;
use booking::usecases::delivery::Worker;
use common::{require_python, Store};
use jiff::SignedDuration;
use outcomes_support::{complete, fast_config, fixture, Fixture};
use serde_json::{json, Value};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

const SECRET: &str = "zgw-test-secret-zgw-test-secret";
const END: &str = "https://catalogi.example.nl/catalogi/api/v1/statustypen/eind";
const ROLTYPE: &str = "https://catalogi.example.nl/catalogi/api/v1/roltypen/initiator";
const ZAAKTYPE: &str = "https://catalogi.example.nl/catalogi/api/v1/zaaktypen/videoafspraak";
const COMPLETE: &str = "https://catalogi.example.nl/catalogi/api/v1/resultaattypen/compleet";
const MISSING: &str = "https://catalogi.example.nl/catalogi/api/v1/resultaattypen/onvolledig";
const IOTYPE: &str = "https://catalogi.example.nl/catalogi/api/v1/informatieobjecttypen/bewijsstuk";

struct Mock {
    _child: tokio::process::Child,
    base: String,
    http: reqwest::Client,
}

impl Mock {
    async fn start(python: &str) -> Mock {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/zgw");
        let mut child = tokio::process::Command::new(python)
            .arg(format!("{root}/mock_zaken.py"))
            .args(["--spec", &format!("{root}/zaken-api-1.5.1.openapi.yaml")])
            .args(["--secret", SECRET, "--end-statustype", END])
            .args([
                "--documenten-spec",
                &format!("{root}/documenten-api-1.4.2.openapi.yaml"),
            ])
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the ZGW mock");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the mock did not start within 30 s")
            .unwrap()
            .expect("the mock exited");
        let port = line.strip_prefix("PORT ").expect("PORT line");
        Mock {
            _child: child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        }
    }

    async fn state(&self) -> Value {
        self.http
            .get(format!("{}/_control/state", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn faults(&self, faults: Value) {
        let resp = self
            .http
            .post(format!("{}/_control/faults", self.base))
            .json(&faults)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }

    /// Asserts the mock found nothing wrong in any request or answer so far.
    async fn assert_clean(&self) {
        let state = self.state().await;
        assert_eq!(state["errors"], json!([]), "spec or JWT violations");
    }
}

fn count(state: &Value, kind: &str) -> usize {
    state[kind].as_array().unwrap().len()
}

/// The municipality delivers to the mock; set through the admin API like an admin would.
async fn connect(f: &Fixture, mock: &Mock, secret: &str) {
    let settings = json!({"kind": "zgw", "zaken_api": format!("{}/api/v1", mock.base), "client_id": "videoloket-test",
        "secret": secret, "zaaktype": ZAAKTYPE, "rsin": "002220647", "roltype": ROLTYPE, "end_statustype": END,
        "resultaattypen": {"complete": COMPLETE, "documents_missing": MISSING}, "user": "Videoloket",
        "documenten_api": format!("{}/documenten/api/v1", mock.base), "informatieobjecttype": IOTYPE});
    let resp = f
        .admin
        .put(f.url("/api/v1/admin/case-store"))
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

fn loopback() -> OutboundRule {
    OutboundRule::parse("127.0.0.0/8").unwrap()
}

async fn setup(test: &str) -> Option<(Fixture, Mock, Worker)> {
    setup_on(Store::Sqlite, test).await
}

async fn setup_on(store: Store, test: &str) -> Option<(Fixture, Mock, Worker)> {
    let python = require_python(test)?;
    let (f, mock) = tokio::join!(fixture(store), Mock::start(&python));
    connect(&f, &mock, SECRET).await;
    let mut config = fast_config(None);
    config.request_timeout = Duration::from_secs(2);
    // The mock runs on loopback, which only an operator's exception lets the worker call.
    config.outbound = loopback();
    let worker = Worker::new(f.t.app.clone(), config);
    Some((f, mock, worker))
}

macro_rules! bounded {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            tokio::time::timeout(Duration::from_secs(60), self::tests::$name()).await.expect("test took too long")
        }
    )*};
}

bounded!(
    an_outcome_becomes_zaak_rol_resultaat_and_end_status,
    a_client_error_is_recorded_with_the_servers_problem_detail,
    server_errors_and_timeouts_are_retried_without_duplicates,
    the_mock_refuses_what_the_spec_forbids,
    worker_process_killed_mid_delivery_then_each_zaak_once,
    documents_become_informatieobjecten_once_despite_failures_then_are_erased,
    worker_killed_between_informatieobject_and_link_then_each_document_once,
);

/// Issue 21: a walk-in's outcome goes to the same Zaken API as an appointment's, on both
/// stores: its own zaak (identificatie `VI-<queue entry>`), the resident as rol, resultaat and
/// end status; a correction adds a status to the same zaak.
mod a_walk_in_outcome_becomes_a_zaak_of_its_own {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        tokio::time::timeout(Duration::from_secs(60), super::walk_in_zaak(Store::Sqlite))
            .await
            .expect("test took too long")
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        tokio::time::timeout(
            Duration::from_secs(60),
            super::walk_in_zaak(Store::Postgres),
        )
        .await
        .expect("test took too long")
    }
}

async fn walk_in_zaak(store: Store) {
    let Some((f, mock, worker)) =
        setup_on(store, "a_walk_in_outcome_becomes_a_zaak_of_its_own").await
    else {
        return;
    };
    let resp = reqwest::Client::new()
        .post(f.url("/api/v1/tenants/voorbeeld/walk-ins"))
        .json(&json!({"service_id": f.service.id, "name": "Inloper Zaak"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
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
        .find(|e| e["resident_name"] == "Inloper Zaak")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let call =
        f.t.client
            .post(f.url(&format!("/api/v1/staff/queue/{entry}/call")))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
    assert_eq!(call.status(), 200);
    let path = f.url(&format!("/api/v1/staff/queue/{entry}/outcomes"));
    let outcome = json!({"result": "documents_missing", "notes": "Uittreksel ontbreekt.", "follow_up": {"kind": "none"}});
    let resp = f.t.client.post(&path).json(&outcome).send().await.unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(worker.run_once().await.unwrap(), 1);

    let state = mock.state().await;
    mock.assert_clean().await;
    assert_eq!(count(&state, "zaken"), 1);
    assert_eq!(state["zaken"][0]["identificatie"], format!("VI-{entry}"));
    assert_eq!(state["zaken"][0]["startdatum"], "2026-03-20");
    assert_eq!(
        state["rollen"][0]["afwijkendeNaamBetrokkene"],
        "Inloper Zaak"
    );
    assert_eq!(state["resultaten"][0]["resultaattype"], MISSING);
    let text = state["statussen"][0]["statustoelichting"].as_str().unwrap();
    assert!(
        text.contains("Documenten ontbreken") && text.contains("Uittreksel ontbreekt."),
        "{text}"
    );

    let mut correction = complete();
    correction.as_object_mut().unwrap().remove("sources");
    correction["corrects"] = json!(1);
    let resp =
        f.t.client
            .post(&path)
            .json(&correction)
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let state = mock.state().await;
    mock.assert_clean().await;
    assert_eq!(
        (
            count(&state, "zaken"),
            count(&state, "resultaten"),
            count(&state, "statussen")
        ),
        (1, 1, 2)
    );
    assert_eq!(state["resultaten"][0]["resultaattype"], COMPLETE);
    assert_eq!(f.counts().await, (0, 2, 0));
}

/// Set in the environment of the child process the SIGKILL test starts.
const CHILD_DB: &str = "VIDEOLOKET_CHILD_WORKER_DB";

/// Not a test of its own: the body of the worker process that
/// `worker_process_killed_mid_delivery_then_each_zaak_once` starts (this test binary, run
/// again) and kills. Ignored, so it only runs when asked for by name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of worker_process_killed_mid_delivery_then_each_zaak_once"]
async fn child_delivery_worker() {
    let url = std::env::var(CHILD_DB).expect("run by the SIGKILL test only");
    let dir = tempfile::tempdir().unwrap();
    let db = booking::store::Db::connect(&url).await.unwrap();
    let app = booking::App::new(
        db.clone(),
        booking::clock::Clock::System,
        booking::adapters::mail::Mailer::new(&booking::adapters::mail::MailConfig::Files(
            dir.path().into(),
        ))
        .unwrap(),
        booking::auth::SessionKeys::from_secret(b"child child child child child ch"),
        "http://127.0.0.1:9".into(),
        booking::adapters::live_updates::QueueEvents::start(&db)
            .await
            .unwrap(),
    )
    .with_secrets_key(common::test_secrets_key());
    let mut config = fast_config(None);
    // Longer than it takes, even on a busy machine, to get every delivery to its held
    // POST /statussen, so the kill, not a timeout, ends them; the lease (2 x timeout) then
    // delays the second worker by 20 s.
    config.request_timeout = Duration::from_secs(10);
    config.lease = SignedDuration::from_secs(20);
    config.outbound = loopback();
    booking::usecases::delivery::spawn_delivery_worker(app, config)
        .await
        .unwrap();
}

mod tests {
    use super::*;
    use booking::domain::consent::Choice;
    use booking::domain::document::DocumentRecord;
    use booking::domain::ids::AppointmentId;

    /// A small real PNG, as the resident's upload.
    fn png() -> Vec<u8> {
        use image::{ImageEncoder, RgbImage};
        let picture = RgbImage::from_fn(32, 24, |x, y| image::Rgb([x as u8 * 7, y as u8 * 9, 60]));
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(&picture, 32, 24, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    fn sha256_hex(bytes: &[u8]) -> String {
        use sha2::Digest;
        sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// `n` appointments whose residents each supplied a photo for "BRP" before the call, which
    /// then started. Returns each appointment with its document and the stored (checked) bytes.
    async fn with_documents(
        f: &Fixture,
        n: usize,
    ) -> Vec<(AppointmentId, DocumentRecord, Vec<u8>)> {
        let resp = f
            .admin
            .put(f.url(&format!("/api/v1/admin/services/{}/sources", f.service.id)))
            .json(&json!({"sources": [
                {"code": "brp", "label": "BRP", "reason": "Om uw naam en adres te controleren."}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let mut out = Vec::new();
        // Documents are supplied before the call: the appointments start in an hour.
        for (id, token) in f.booked_with_links(n, SignedDuration::from_hours(1)).await {
            let u = booking::usecases::booking::unlock(&f.t.app, &token)
                .await
                .unwrap();
            booking::usecases::consent::choose(
                &f.t.app,
                &u.tenant,
                &u.appointment,
                &[("brp".into(), Choice::SelfSupplied)],
            )
            .await
            .unwrap();
            let doc = booking::usecases::documents::upload(&f.t.app, &u, "brp", &png(), None)
                .await
                .unwrap();
            let (_, bytes) = booking::usecases::documents::resident_copy(&f.t.app, &u, doc.id)
                .await
                .unwrap();
            out.push((id, doc, bytes));
        }
        for (id, _, _) in &out {
            common::start_call(f.t.app.db(), f.tenant.id, *id, f.clerk, f.t.app.clock.now()).await;
        }
        out
    }

    fn no_sources() -> Value {
        json!({"result": "complete", "notes": "Paspoort aangevraagd.", "follow_up": {"kind": "none"}, "sources": []})
    }

    fn posts(state: &Value, what: &str) -> usize {
        state["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| *r == what)
            .count()
    }

    pub async fn documents_become_informatieobjecten_once_despite_failures_then_are_erased() {
        let Some((f, mock, worker)) =
            setup("documents_become_informatieobjecten_once_despite_failures_then_are_erased")
                .await
        else {
            return;
        };
        let supplied = with_documents(&f, 1).await;
        let (id, doc, bytes) = &supplied[0];
        assert_eq!(f.record(*id, no_sources()).await.status(), 201);

        // The Documenten API fails (500, an answer its document lists): the zaak is there, the
        // document not; retried later.
        mock.faults(
            json!([{"method": "POST", "path": "/enkelvoudiginformatieobjecten", "status": 500,
            "title": "Interne serverfout."}]),
        )
        .await;
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let view = f.history(*id).await;
        assert_eq!(view["delivery"], "failing", "{view}");
        assert!(view["deliveries"][0]["last_error"]
            .as_str()
            .unwrap()
            .starts_with("POST /enkelvoudiginformatieobjecten: 500"));
        assert!(view["deliveries"][0]["next_attempt_at"].is_string());
        let stored = f.t.app.db().documents(f.tenant.id, *id).await.unwrap();
        assert!(stored[0].delivered_at.is_none() && stored[0].erased_at.is_none());

        // Next the link fails after the informatieobject was made.
        mock.faults(json!([{"method": "POST", "path": "/zaakinformatieobjecten", "status": 500}]))
            .await;
        f.t.app.clock.advance(SignedDuration::from_secs(2));
        assert_eq!(worker.run_once().await.unwrap(), 1);
        assert_eq!(f.history(*id).await["delivery"], "failing");
        let state = mock.state().await;
        assert_eq!(count(&state, "informatieobjecten"), 1);
        assert_eq!(count(&state, "zaakinformatieobjecten"), 0);
        let (_, content) =
            f.t.app
                .db()
                .document(f.tenant.id, *id, doc.id)
                .await
                .unwrap();
        assert!(content.is_some(), "kept until the delivery is complete");

        // The store is back: the same informatieobject is linked, nothing made twice.
        mock.faults(json!([])).await;
        f.t.app.clock.advance(SignedDuration::from_secs(10));
        assert_eq!(worker.run_once().await.unwrap(), 1);
        assert_eq!(f.history(*id).await["delivery"], "delivered");
        let state = mock.state().await;
        mock.assert_clean().await;
        assert_eq!(count(&state, "zaken"), 1);
        assert_eq!(count(&state, "informatieobjecten"), 1);
        assert_eq!(count(&state, "zaakinformatieobjecten"), 1);
        assert_eq!(
            posts(&state, "POST /enkelvoudiginformatieobjecten"),
            2,
            "one refused, one made"
        );
        let object = &state["informatieobjecten"][0];
        assert_eq!(object["identificatie"], format!("VLD-{}", doc.id));
        assert_eq!(object["bronorganisatie"], "002220647");
        assert_eq!(object["informatieobjecttype"], IOTYPE);
        assert_eq!(object["formaat"], "image/png");
        assert_eq!(object["titel"], "BRP");
        assert_eq!(object["bestandsnaam"], "brp.png");
        assert_eq!(object["bestandsomvang"], bytes.len());
        assert_eq!(
            object["_sha256"],
            sha256_hex(bytes),
            "the checked copy arrived whole"
        );
        let link = &state["zaakinformatieobjecten"][0];
        assert_eq!(link["zaak"], state["zaken"][0]["url"]);
        assert_eq!(link["informatieobject"], object["url"]);

        // Delivered: the platform's copy is gone, the record says where it went.
        let stored = f.t.app.db().documents(f.tenant.id, *id).await.unwrap();
        assert_eq!(stored[0].delivered_to.as_deref(), object["url"].as_str());
        assert!(stored[0].erased_at.is_some());
        let (_, content) =
            f.t.app
                .db()
                .document(f.tenant.id, *id, doc.id)
                .await
                .unwrap();
        assert_eq!(content, None);
        assert!(booking::domain::document::whereabouts(&stored[0])
            .dutch
            .starts_with("Doorgestuurd naar het zaaksysteem"));

        // A correction later delivers the outcome again, but no document a second time.
        let mut correction = no_sources();
        correction["corrects"] = json!(1);
        f.t.app.clock.advance(SignedDuration::from_mins(5));
        assert_eq!(f.record(*id, correction).await.status(), 201);
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let state = mock.state().await;
        assert_eq!(count(&state, "informatieobjecten"), 1);
        assert_eq!(count(&state, "zaakinformatieobjecten"), 1);
        mock.assert_clean().await;
    }

    /// SIGKILL while each delivery waits for its POST /zaakinformatieobjecten (the
    /// informatieobject exists, nothing is noted); the held links land after the kill; a new
    /// worker takes the leases over and finds both, so each document is there exactly once.
    pub async fn worker_killed_between_informatieobject_and_link_then_each_document_once() {
        const N: usize = 4;
        let Some((f, mock, _)) =
            setup("worker_killed_between_informatieobject_and_link_then_each_document_once").await
        else {
            return;
        };
        let supplied = with_documents(&f, N).await;
        for (id, _, _) in &supplied {
            assert_eq!(f.record(*id, no_sources()).await.status(), 201);
        }
        mock.faults(json!([{"method": "POST", "path": "/zaakinformatieobjecten", "hold": true, "times": -1}]))
            .await;
        let url = booking::store::Db::sqlite_url(f.t.test_db.dir.path());
        let start = || {
            tokio::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "child_delivery_worker",
                    "--exact",
                    "--ignored",
                    "--nocapture",
                ])
                .env(CHILD_DB, &url)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .unwrap()
        };
        let mut first = start();
        outcomes_support::wait_until("every link is held", Duration::from_secs(30), || async {
            posts(&mock.state().await, "POST /zaakinformatieobjecten") == N
        })
        .await;
        first.start_kill().unwrap(); // SIGKILL
        first.wait().await.unwrap();
        assert_eq!(
            f.counts().await,
            (N as i64, 0, 0),
            "killed before noting anything"
        );
        for (id, _, _) in &supplied {
            let stored = f.t.app.db().documents(f.tenant.id, *id).await.unwrap();
            assert!(stored[0].delivered_at.is_none());
        }
        mock.faults(json!([])).await; // the held links land now
        outcomes_support::wait_until("the held links landed", Duration::from_secs(30), || async {
            count(&mock.state().await, "zaakinformatieobjecten") == N
        })
        .await;

        let mut second = start();
        outcomes_support::wait_until("all are delivered", Duration::from_secs(60), || async {
            f.counts().await == (0, N as i64, 0)
        })
        .await;
        second.start_kill().unwrap();
        second.wait().await.unwrap();

        let state = mock.state().await;
        mock.assert_clean().await;
        assert_eq!(count(&state, "informatieobjecten"), N);
        assert_eq!(count(&state, "zaakinformatieobjecten"), N);
        assert_eq!(
            posts(&state, "POST /enkelvoudiginformatieobjecten"),
            N,
            "never made twice"
        );
        assert_eq!(
            posts(&state, "POST /zaakinformatieobjecten"),
            N,
            "never linked twice"
        );
        for (id, doc, bytes) in &supplied {
            let object = state["informatieobjecten"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["identificatie"] == format!("VLD-{}", doc.id))
                .expect("the document arrived");
            assert_eq!(object["_sha256"], sha256_hex(bytes));
            let stored = f.t.app.db().documents(f.tenant.id, *id).await.unwrap();
            assert_eq!(stored[0].delivered_to.as_deref(), object["url"].as_str());
            let (_, content) =
                f.t.app
                    .db()
                    .document(f.tenant.id, *id, doc.id)
                    .await
                    .unwrap();
            assert_eq!(content, None, "erased after delivery");
        }
    }

    pub async fn an_outcome_becomes_zaak_rol_resultaat_and_end_status() {
        let Some((f, mock, worker)) =
            setup("an_outcome_becomes_zaak_rol_resultaat_and_end_status").await
        else {
            return;
        };
        let id = f.appointments(1).await[0];
        let resp = f
            .record(id, json!({"result": "documents_missing", "notes": "Pasfoto ontbreekt.", "sources": ["BRP"],
                "follow_up": {"kind": "callback", "on": "2026-03-24"}}))
            .await;
        assert_eq!(resp.status(), 201);
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let view = f.history(id).await;
        assert_eq!(view["delivery"], "delivered", "{view}");
        let key = view["deliveries"][0]["id"].as_str().unwrap().to_string();

        let state = mock.state().await;
        mock.assert_clean().await;
        assert_eq!(count(&state, "zaken"), 1);
        let zaak = &state["zaken"][0];
        assert_eq!(zaak["identificatie"], format!("VL-{id}"));
        assert_eq!(zaak["bronorganisatie"], "002220647");
        assert_eq!(zaak["verantwoordelijkeOrganisatie"], "002220647");
        assert_eq!(zaak["zaaktype"], ZAAKTYPE);
        assert_eq!(zaak["startdatum"], "2026-03-20");
        assert_eq!(zaak["einddatum"], "2026-03-20");
        assert_eq!(count(&state, "rollen"), 1);
        assert_eq!(state["rollen"][0]["roltype"], ROLTYPE);
        assert_eq!(state["rollen"][0]["betrokkeneType"], "natuurlijk_persoon");
        assert_eq!(state["rollen"][0]["afwijkendeNaamBetrokkene"], "Inwoner 0");
        assert_eq!(count(&state, "resultaten"), 1);
        assert_eq!(state["resultaten"][0]["resultaattype"], MISSING);
        assert_eq!(count(&state, "statussen"), 1);
        let status = &state["statussen"][0];
        assert_eq!(status["statustype"], END);
        let text = status["statustoelichting"].as_str().unwrap();
        assert!(
            text.starts_with(&format!("[videoloket:{key}] Documenten ontbreken")),
            "{text}"
        );
        assert!(text.contains("Terugbellen op 2026-03-24") && text.contains("Pasfoto ontbreekt."));
        // Looked up before each creation; the resultaat before the end status.
        let requests: Vec<&str> = state["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(
            requests,
            [
                "GET /zaken",
                "POST /zaken",
                "GET /rollen",
                "POST /rollen",
                "GET /resultaten",
                "POST /resultaten",
                "GET /statussen",
                "POST /statussen"
            ]
        );

        // A correction: same zaak, the resultaat changed, a second end status.
        f.t.app.clock.advance(SignedDuration::from_mins(30));
        let mut correction = complete();
        correction["corrects"] = json!(1);
        assert_eq!(f.record(id, correction).await.status(), 201);
        assert_eq!(worker.run_once().await.unwrap(), 1);
        assert_eq!(f.history(id).await["delivery"], "delivered");
        let state = mock.state().await;
        mock.assert_clean().await;
        assert_eq!(
            (
                count(&state, "zaken"),
                count(&state, "rollen"),
                count(&state, "resultaten"),
                count(&state, "statussen")
            ),
            (1, 1, 1, 2)
        );
        assert_eq!(state["resultaten"][0]["resultaattype"], COMPLETE);

        // Delivering the same event again (a worker died before noting it) changes nothing,
        // also when the status it set is on the second page of the list.
        let resp = mock
            .http
            .post(format!("{}/_control/page-size", mock.base))
            .json(&json!({"size": 1}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let outcome =
            f.t.app
                .db()
                .outcomes(f.tenant.id, id)
                .await
                .unwrap()
                .pop()
                .unwrap();
        let key2 = f.history(id).await["deliveries"][1]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let settings =
            f.t.app
                .db()
                .case_store_settings(f.tenant.id)
                .await
                .unwrap()
                .opened(&common::test_secrets_key())
                .unwrap();
        let store = booking::adapters::case_store::adapter(
            &settings,
            f.t.app.db(),
            &OutboundHttp::new(loopback(), Duration::from_secs(5)),
        );
        let appointment = f.t.app.db().appointment(f.tenant.id, id).await.unwrap();
        let delivery = booking::adapters::case_store::CaseDelivery {
            key: key2,
            tenant_id: f.tenant.id,
            subject: id.into(),
            service_name: f.service.name.clone(),
            resident_name: appointment.resident.name.clone(),
            resident_email: appointment
                .resident
                .email()
                .map(ToString::to_string)
                .unwrap_or_default(),
            contact_start: appointment.start,
            contact_date: "2026-03-20".parse().unwrap(),
            outcome,
        };
        store.deliver(&delivery).await.unwrap();
        let state = mock.state().await;
        mock.assert_clean().await;
        assert_eq!(
            (
                count(&state, "zaken"),
                count(&state, "rollen"),
                count(&state, "resultaten"),
                count(&state, "statussen")
            ),
            (1, 1, 1, 2)
        );
    }

    pub async fn a_client_error_is_recorded_with_the_servers_problem_detail() {
        let Some((f, mock, worker)) =
            setup("a_client_error_is_recorded_with_the_servers_problem_detail").await
        else {
            return;
        };
        let ids = f.appointments(2).await;
        mock.faults(
            json!([{"method": "POST", "path": "/zaken", "status": 400, "title": "Invalid input.",
            "detail": "Het zaaktype is niet gepubliceerd.", "times": -1}]),
        )
        .await;
        assert_eq!(f.record(ids[0], complete()).await.status(), 201);
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let view = f.history(ids[0]).await;
        assert_eq!(view["delivery"], "failing");
        assert_eq!(
            view["deliveries"][0]["last_error"],
            // The status and the problem's title and code; never the body's free text.
            "POST /zaken: 400 Bad Request: Invalid input. (invalid)"
        );
        assert!(
            view["deliveries"][0]["next_attempt_at"].is_null(),
            "a refusal waits for an admin"
        );
        f.t.app.clock.advance(SignedDuration::from_hours(3));
        assert_eq!(worker.run_once().await.unwrap(), 0);
        assert_eq!(count(&mock.state().await, "zaken"), 0);

        // A result without a configured resultaattype is refused before any call.
        let before = mock.state().await["requests"].as_array().unwrap().len();
        let no_show = json!({"result": "no_show", "follow_up": {"kind": "none"}});
        assert_eq!(f.record(ids[1], no_show).await.status(), 201);
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let view = f.history(ids[1]).await;
        assert_eq!(
            view["deliveries"][0]["last_error"],
            "no resultaattype is configured for result \"no_show\""
        );
        assert_eq!(
            mock.state().await["requests"].as_array().unwrap().len(),
            before
        );

        // Fixed at the store's side, the admin retries: delivered once.
        mock.faults(json!([])).await;
        let failing: Value = f
            .admin
            .get(f.url("/api/v1/admin/deliveries"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(failing.as_array().unwrap().len(), 2);
        let event = view_event(&f, ids[0]).await;
        let resp = f
            .admin
            .post(f.url(&format!("/api/v1/admin/deliveries/{event}/retry")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 204);
        assert_eq!(worker.run_once().await.unwrap(), 1);
        assert_eq!(f.history(ids[0]).await["delivery"], "delivered");
        let state = mock.state().await;
        assert_eq!(count(&state, "zaken"), 1);
        assert_eq!(count(&state, "statussen"), 1);
        mock.assert_clean().await;
    }

    async fn view_event(f: &Fixture, id: booking::domain::ids::AppointmentId) -> String {
        f.history(id).await["deliveries"][0]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn server_errors_and_timeouts_are_retried_without_duplicates() {
        let Some((f, mock, worker)) =
            setup("server_errors_and_timeouts_are_retried_without_duplicates").await
        else {
            return;
        };
        let ids = f.appointments(2).await;

        // A 500 at the last step: zaak, rol and resultaat exist, the status does not.
        mock.faults(json!([{"method": "POST", "path": "/statussen", "status": 500, "title": "Interne serverfout."}]))
            .await;
        assert_eq!(f.record(ids[0], complete()).await.status(), 201);
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let view = f.history(ids[0]).await;
        assert_eq!(view["delivery"], "failing");
        assert!(view["deliveries"][0]["last_error"]
            .as_str()
            .unwrap()
            .starts_with("POST /statussen: 500 Internal Server Error: Interne serverfout."));
        assert!(
            view["deliveries"][0]["next_attempt_at"].is_string(),
            "retried by itself"
        );
        let state = mock.state().await;
        assert_eq!(
            (
                count(&state, "zaken"),
                count(&state, "resultaten"),
                count(&state, "statussen")
            ),
            (1, 1, 0)
        );
        // Not due before its backoff.
        assert_eq!(worker.run_once().await.unwrap(), 0);
        f.t.app.clock.advance(SignedDuration::from_secs(2));
        assert_eq!(worker.run_once().await.unwrap(), 1);
        assert_eq!(f.history(ids[0]).await["delivery"], "delivered");
        let state = mock.state().await;
        assert_eq!(
            (
                count(&state, "zaken"),
                count(&state, "rollen"),
                count(&state, "resultaten"),
                count(&state, "statussen")
            ),
            (1, 1, 1, 1)
        );

        // The store hangs beyond the worker's 2 s limit: a timeout, retried later.
        mock.faults(json!([{"method": "GET", "path": "/zaken", "sleep": 4}]))
            .await;
        assert_eq!(f.record(ids[1], complete()).await.status(), 201);
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let view = f.history(ids[1]).await;
        assert_eq!(view["delivery"], "failing");
        let error = view["deliveries"][0]["last_error"].as_str().unwrap();
        assert!(
            error.contains("timed out") || error.contains("did not finish"),
            "{error}"
        );
        assert!(view["deliveries"][0]["next_attempt_at"].is_string());
        f.t.app.clock.advance(SignedDuration::from_secs(2));
        assert_eq!(worker.run_once().await.unwrap(), 1);
        assert_eq!(f.history(ids[1]).await["delivery"], "delivered");
        let state = mock.state().await;
        assert_eq!(
            (
                count(&state, "zaken"),
                count(&state, "rollen"),
                count(&state, "resultaten"),
                count(&state, "statussen")
            ),
            (2, 2, 2, 2)
        );
        mock.assert_clean().await;
    }

    /// The checks in the mock are live: a request without the CRS headers, with an invalid
    /// body, or with a token signed with another secret is refused and recorded.
    pub async fn the_mock_refuses_what_the_spec_forbids() {
        let Some((f, mock, worker)) = setup("the_mock_refuses_what_the_spec_forbids").await else {
            return;
        };
        let resp = mock
            .http
            .post(format!("{}/api/v1/zaken", mock.base))
            .bearer_auth("x.y.z")
            .json(&json!({"bronorganisatie": "0022206470", "zaaktype": "not a url"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);
        let errors = mock.state().await["errors"].to_string();
        assert!(errors.contains("Content-Crs"), "{errors}");
        assert!(errors.contains("verantwoordelijkeOrganisatie"), "{errors}");

        connect(&f, &mock, "another-secret-another-secret").await;
        let id = f.appointments(1).await[0];
        assert_eq!(f.record(id, complete()).await.status(), 201);
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let view = f.history(id).await;
        let error = view["deliveries"][0]["last_error"].as_str().unwrap();
        assert!(error.starts_with("GET /zaken: 403"), "{error}");
        assert!(mock.state().await["errors"]
            .to_string()
            .contains("bad signature"));
    }

    /// A worker process gets SIGKILL while deliveries are in flight; a new process on the same
    /// database finishes them, and the Zaken API ends up with exactly one zaak, rol, resultaat
    /// and end status per appointment.
    pub async fn worker_process_killed_mid_delivery_then_each_zaak_once() {
        const N: usize = 24;
        let Some((f, mock, _)) =
            setup("worker_process_killed_mid_delivery_then_each_zaak_once").await
        else {
            return;
        };
        let ids = f.appointments(N).await;
        f.record_all(&ids, 8).await;
        // Every POST /statussen is held by the mock until the test lets go, so the kill lands
        // while all deliveries wait for it, however slow the machine is.
        mock.faults(json!([{"method": "POST", "path": "/statussen", "hold": true, "times": -1}]))
            .await;
        let url = booking::store::Db::sqlite_url(f.t.test_db.dir.path());
        let start = || {
            tokio::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "child_delivery_worker",
                    "--exact",
                    "--ignored",
                    "--nocapture",
                ])
                .env(CHILD_DB, &url)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .unwrap()
        };

        let mut first = start();
        // Kill it while every delivery waits for its POST /statussen: the zaak, rol and
        // resultaat exist, nothing is noted as delivered, and the statuses land after the
        // kill (the server finishes a request whose client died) - before the second worker
        // looks, so it must find them instead of writing them again.
        outcomes_support::wait_until(
            "all deliveries are in flight",
            Duration::from_secs(30),
            || async {
                let state = mock.state().await;
                state["requests"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|r| *r == "POST /statussen")
                    .count()
                    == N
            },
        )
        .await;
        first.start_kill().unwrap(); // SIGKILL
        first.wait().await.unwrap();
        assert_eq!(
            f.counts().await,
            (N as i64, 0, 0),
            "killed before noting anything"
        );
        assert_eq!(count(&mock.state().await, "zaken"), N);
        mock.faults(json!([])).await; // releases the held statuses
        outcomes_support::wait_until(
            "the held statuses landed",
            Duration::from_secs(30),
            || async { count(&mock.state().await, "statussen") == N },
        )
        .await;

        let mut second = start();
        outcomes_support::wait_until("all are delivered", Duration::from_secs(60), || async {
            f.counts().await == (0, N as i64, 0)
        })
        .await;
        second.start_kill().unwrap();
        second.wait().await.unwrap();

        let state = mock.state().await;
        mock.assert_clean().await;
        assert_eq!(
            (
                count(&state, "zaken"),
                count(&state, "rollen"),
                count(&state, "resultaten"),
                count(&state, "statussen")
            ),
            (N, N, N, N)
        );
        let idents: std::collections::HashSet<String> = state["zaken"]
            .as_array()
            .unwrap()
            .iter()
            .map(|z| z["identificatie"].as_str().unwrap().to_string())
            .collect();
        let expected: std::collections::HashSet<String> =
            ids.iter().map(|id| format!("VL-{id}")).collect();
        assert_eq!(idents, expected);
        let creations = state["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| *r == "POST /zaken")
            .count();
        assert_eq!(
            creations, N,
            "a zaak was never created twice, not even attempted"
        );
    }
}

// ---- Issue 13, finding 1: what a case store answers cannot reach further ---------------------

/// How the fake store below answers.
#[derive(Clone, Copy, PartialEq)]
enum Answer {
    /// Every request: 302 to the trap listener.
    Redirect,
    /// A zaak with rol and resultaat, then a list of statussen whose `next` is the trap.
    ForeignNext,
    /// 2 MiB, streamed without a length.
    Huge,
    /// 500 with another system's page as the body.
    RawBody,
}

const RAW: &str = "ami-id i-0abc123 AccessKeyId ASIA-SECRET-INTERNAL-ANSWER";

/// A store on loopback (allowed for this test) and a trap listener on another port (another
/// origin) that counts the connections it gets.
struct Fake {
    base: String,
    answer: Arc<Mutex<Answer>>,
    trap_hits: Arc<AtomicUsize>,
}

impl Fake {
    async fn start() -> Fake {
        let trap = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let trap_base = format!("http://{}", trap.local_addr().unwrap());
        let trap_hits = Arc::new(AtomicUsize::new(0));
        let hits = trap_hits.clone();
        tokio::spawn(async move {
            while trap.accept().await.is_ok() {
                hits.fetch_add(1, Ordering::SeqCst);
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let answer = Arc::new(Mutex::new(Answer::Redirect));
        let state = (answer.clone(), base.clone(), trap_base);
        let router = axum::Router::new().fallback(fake_answer).with_state(state);
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Fake {
            base,
            answer,
            trap_hits,
        }
    }
}

async fn fake_answer(
    axum::extract::State((answer, base, trap)): axum::extract::State<(
        Arc<Mutex<Answer>>,
        String,
        String,
    )>,
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let answer = *answer.lock().unwrap();
    let path = uri.path();
    match answer {
        Answer::Redirect => (
            axum::http::StatusCode::FOUND,
            [("location", format!("{trap}/stolen"))],
        )
            .into_response(),
        Answer::Huge => {
            let chunks = (0..32).map(|_| Ok::<_, std::io::Error>(vec![b' '; 64 * 1024]));
            axum::body::Body::from_stream(futures::stream::iter(chunks)).into_response()
        }
        Answer::RawBody => (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("<html><pre>{RAW}</pre></html>"),
        )
            .into_response(),
        Answer::ForeignNext => {
            let zaak = format!("{base}/api/v1/zaken/1");
            let body = match (method.as_str(), path.rsplit('/').next().unwrap_or("")) {
                ("POST", "zaken") => json!({"url": zaak}),
                ("GET", "rollen") => {
                    json!({"results": [{"url": format!("{base}/api/v1/rollen/1")}]})
                }
                ("GET", "resultaten") => {
                    json!({"results": [{"url": format!("{base}/api/v1/resultaten/1"), "resultaattype": COMPLETE}]})
                }
                ("GET", "statussen") => {
                    json!({"results": [], "next": format!("{trap}/api/v1/statussen?page=2")})
                }
                _ => json!({"results": []}),
            };
            axum::Json(body).into_response()
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_1_redirects_foreign_links_huge_and_raw_answers_go_no_further() {
    let fake = Fake::start().await;
    let f = fixture(Store::Sqlite).await;
    let settings = json!({"kind": "zgw", "zaken_api": format!("{}/api/v1", fake.base), "client_id": "videoloket-test",
        "secret": SECRET, "zaaktype": ZAAKTYPE, "rsin": "002220647", "roltype": ROLTYPE, "end_statustype": END,
        "resultaattypen": {"complete": COMPLETE}});
    let resp = f
        .admin
        .put(f.url("/api/v1/admin/case-store"))
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut config = fast_config(None);
    config.outbound = loopback();
    let worker = Worker::new(f.t.app.clone(), config);
    let ids = f.appointments(4).await;

    let mut errors = Vec::new();
    for (id, answer) in ids.iter().zip([
        Answer::Redirect,
        Answer::ForeignNext,
        Answer::Huge,
        Answer::RawBody,
    ]) {
        *fake.answer.lock().unwrap() = answer;
        assert_eq!(f.record(*id, complete()).await.status(), 201);
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let view = f.history(*id).await;
        assert_eq!(view["delivery"], "failing");
        errors.push(
            view["deliveries"][0]["last_error"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    // The redirect is not followed: the status is the answer.
    assert_eq!(errors[0], "GET /zaken: 302 Found");
    // A `next` link to another origin is not followed.
    assert!(
        errors[1].contains("linked to another address"),
        "{}",
        errors[1]
    );
    // A huge answer is given up on.
    assert!(
        errors[2].contains("larger than 1048576 bytes"),
        "{}",
        errors[2]
    );
    // Another system's body is never shown, only the status.
    assert_eq!(errors[3], "GET /zaken: 500 Internal Server Error");
    let listed = f
        .admin
        .get(f.url("/api/v1/admin/deliveries"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(listed.contains("500 Internal Server Error"), "{listed}");
    assert!(!listed.contains("SECRET-INTERNAL"), "{listed}");
    assert_eq!(
        fake.trap_hits.load(Ordering::SeqCst),
        0,
        "the worker called the other origin"
    );
}
