//! Messages to residents through the outbox (issue 16 items 3 and 4, issue 20): written in the
//! booking's transaction, reminders on the controllable clock, retries with a plain last error,
//! the Notify SMS adapter against a mock that checks Notify's contract, and cancelling by text.
//! Both databases where the store is involved. Python (the Notify mock, the SMTP sink) comes
//! from VIDEOLOKET_PYTHON.

mod common;

use booking::adapters::live_updates::QueueEvents;
use booking::adapters::mail::{MailConfig, Mailer};
use booking::adapters::outbound_http::OutboundHttp;
use booking::adapters::sms::{NotifyKey, NotifySms, SmsSender};
use booking::auth::SessionKeys;
use booking::clock::Clock;
use booking::domain::message::{Channel, MessageKind, MessageState};
use booking::domain::outbound::OutboundRule;
use booking::store::MessageRow;
use booking::usecases::messages::{self, MessageConfig, MessageWorker};
use booking::App;
use common::{require_python, ts, Store, TestDb};
use jiff::SignedDuration;
use serde_json::{json, Value};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

/// Friday 20 March 2026, 10:00 in Amsterdam.
const NOW: &str = "2026-03-20T09:00:00Z";
/// Friday 27 March 2026, 10:00 and 11:00 in Amsterdam (CET).
const START: &str = "2026-03-27T10:00:00+01:00";
const LATER: &str = "2026-03-27T11:00:00+01:00";
const PHONE: &str = "06 12345678";
const SERVICE_ID: &str = "26785a09-ab16-4eb0-8407-a37497a57506";
const SECRET: &str = "3d844edf-8d35-48ac-975b-e847b4f122b0";
const TEMPLATE: &str = "f33517ff-2a88-4f6e-b855-c550268ce08a";
const INBOUND_TOKEN: &str = "inbound-callback-token-for-tests";

struct Fixture {
    app: App,
    base: String,
    http: reqwest::Client,
    service: String,
    worker: MessageWorker,
    _db: TestDb,
}

/// The app with the demo municipality, served on loopback with the inbound-text route, and a
/// message worker the test runs by hand (`worker.run_once()`).
async fn fixture(
    store: Store,
    mail: Option<MailConfig>,
    sms: Option<Arc<dyn SmsSender>>,
) -> Fixture {
    let db = TestDb::new(store).await;
    let mail = mail.unwrap_or_else(|| MailConfig::Files(db.dir.path().join("mail")));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = App::new(
        db.db.clone(),
        Clock::fixed(ts(NOW)),
        Mailer::new(&mail).unwrap(),
        SessionKeys::from_secret(b"test secret test secret test sec"),
        base.clone(),
        QueueEvents::start(&db.db).await.unwrap(),
    );
    booking::demo::seed_if_empty(&db.db).await.unwrap();
    let router = booking::api::router(app.clone())
        .layer(axum::Extension(common::grant_issuer()))
        .merge(booking::api::inbound_sms::router(
            app.clone(),
            booking::api::inbound_sms::InboundToken::new(INBOUND_TOKEN).unwrap(),
        ));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let http = reqwest::Client::new();
    let services: Vec<Value> = http
        .get(format!("{base}/api/v1/tenants/voorbeeld/services"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let service = services
        .iter()
        .find(|s| s["name"].as_str().unwrap().starts_with("Paspoort"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut config = MessageConfig::with_sms_files(db.dir.path().join("sms")).unwrap();
    config.request_timeout = Duration::from_secs(5);
    if let Some(sms) = sms {
        config.sms = sms;
    }
    Fixture {
        worker: MessageWorker::new(app.clone(), config),
        app,
        base,
        http,
        service,
        _db: db,
    }
}

impl Fixture {
    async fn book(&self, start: &str, email: &str, phone: Option<&str>) -> reqwest::Response {
        self.http
            .post(format!(
                "{}/api/v1/tenants/voorbeeld/appointments",
                self.base
            ))
            .json(
                &json!({"service_id": self.service, "start": start, "name": "Jan de Vries",
                "email": email, "phone": phone}),
            )
            .send()
            .await
            .unwrap()
    }

    async fn booked(&self, start: &str, email: &str, phone: Option<&str>) -> (String, String) {
        let resp = self.book(start, email, phone).await;
        assert_eq!(resp.status(), 201);
        let body: Value = resp.json().await.unwrap();
        (
            body["appointment"]["id"].as_str().unwrap().to_string(),
            body["token"].as_str().unwrap().to_string(),
        )
    }

    async fn messages(&self, appointment: &str) -> Vec<MessageRow> {
        messages::for_appointment(&self.app, appointment.parse().unwrap())
            .await
            .unwrap()
    }

    async fn all(&self) -> Vec<MessageRow> {
        let tenant = booking::usecases::booking::municipality(&self.app, "voorbeeld")
            .await
            .unwrap();
        messages::list(&self.app, tenant.id).await.unwrap()
    }

    fn advance_to(&self, at: &str) {
        let by = self.app.clock.now().duration_until(ts(at));
        self.app.clock.advance(by);
    }
}

fn of(rows: &[MessageRow], kind: MessageKind) -> Vec<&MessageRow> {
    rows.iter().filter(|m| m.kind == kind).collect()
}

fn states(rows: &[&MessageRow]) -> Vec<MessageState> {
    rows.iter().map(|m| m.state).collect()
}

async fn booking_writes_its_messages_in_its_own_transaction(store: Store) {
    let f = fixture(store, None, None).await;
    let (id, _) = f.booked(START, "jan@example.nl", Some(PHONE)).await;
    let rows = f.messages(&id).await;
    // Confirmation and both reminders, each by mail and by text, all waiting.
    assert_eq!(rows.len(), 6, "{rows:#?}");
    assert!(rows.iter().all(|m| m.state == MessageState::Queued));
    let sms: Vec<_> = rows.iter().filter(|m| m.channel == Channel::Sms).collect();
    assert_eq!(sms.len(), 3);
    assert!(sms.iter().all(|m| m.recipient == "+31612345678"));
    // A booking that fails (the time is taken: every clerk is booked) leaves no message behind.
    let mut refused = false;
    for i in 0..10 {
        let before = f.all().await.len();
        let resp = f
            .book(START, &format!("piet{i}@example.nl"), Some("0611111111"))
            .await;
        if resp.status() == 409 {
            assert_eq!(f.all().await.len(), before);
            refused = true;
            break;
        }
        assert_eq!(resp.status(), 201);
        assert_eq!(f.all().await.len(), before + 6);
    }
    assert!(refused, "the time filled up");
    // Without a phone number: mail only.
    let (other, _) = f.booked(LATER, "kees@example.nl", None).await;
    assert!(f
        .messages(&other)
        .await
        .iter()
        .all(|m| m.channel == Channel::Mail));
    // The worker sends the confirmations now, the reminders when they are due.
    let confirmations = of(&f.all().await, MessageKind::Confirmation).len();
    assert_eq!(f.worker.run_once().await.unwrap(), confirmations);
    let rows = f.messages(&id).await;
    assert_eq!(
        states(&of(&rows, MessageKind::Confirmation)),
        [MessageState::Sent; 2]
    );
    assert_eq!(
        states(&of(&rows, MessageKind::ReminderDayBefore)),
        [MessageState::Queued; 2]
    );
    let texts = std::fs::read_dir(f._db.dir.path().join("sms"))
        .unwrap()
        .count();
    let sms = of(&f.all().await, MessageKind::Confirmation)
        .iter()
        .filter(|m| m.channel == Channel::Sms)
        .count();
    assert_eq!(
        texts, sms,
        "one confirmation text per booking with a number"
    );
}

#[tokio::test]
async fn booking_writes_its_messages_in_its_own_transaction_sqlite() {
    booking_writes_its_messages_in_its_own_transaction(Store::Sqlite).await;
}

#[tokio::test]
async fn booking_writes_its_messages_in_its_own_transaction_postgres() {
    booking_writes_its_messages_in_its_own_transaction(Store::Postgres).await;
}

async fn reminders_follow_the_clock(store: Store) {
    let f = fixture(store, None, None).await;
    let (id, token) = f.booked(START, "jan@example.nl", Some(PHONE)).await;
    let (gone, gone_token) = f.booked(LATER, "kees@example.nl", Some("0622222222")).await;
    f.worker.run_once().await.unwrap();
    // An hour before the day-before reminder nothing more goes out.
    f.advance_to("2026-03-26T08:00:00Z");
    assert_eq!(f.worker.run_once().await.unwrap(), 0);
    // The second appointment is cancelled: its reminders are dropped, never sent.
    let resp = f
        .http
        .post(format!("{}/api/v1/personal/{gone_token}/cancel", f.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // The day before, at the hour: the day-before reminder, by mail and text.
    f.advance_to("2026-03-26T09:00:00Z");
    f.worker.run_once().await.unwrap();
    let rows = f.messages(&id).await;
    assert_eq!(
        states(&of(&rows, MessageKind::ReminderDayBefore)),
        [MessageState::Sent; 2]
    );
    assert_eq!(
        states(&of(&rows, MessageKind::ReminderHourBefore)),
        [MessageState::Queued; 2]
    );
    let cancelled = f.messages(&gone).await;
    assert_eq!(
        states(&of(&cancelled, MessageKind::ReminderDayBefore)),
        [MessageState::Dropped; 2]
    );
    assert_eq!(
        states(&of(&cancelled, MessageKind::Cancel)),
        [MessageState::Sent; 2]
    );

    // Moved to 11:00 the same day: the hour-before reminder for 10:00 is dropped, a new one
    // for 11:00 queued; the day-before one (sent) is not sent again for the new time, since
    // its moment has passed.
    let resp = f
        .http
        .post(format!("{}/api/v1/personal/{token}/reschedule", f.base))
        .json(&json!({"start": LATER}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let rows = f.messages(&id).await;
    let hour = of(&rows, MessageKind::ReminderHourBefore);
    assert_eq!(hour.len(), 4, "{hour:#?}");
    let old_start = ts("2026-03-27T09:00:00Z");
    let new_start = ts("2026-03-27T10:00:00Z");
    assert!(hour
        .iter()
        .filter(|m| m.appointment_start == Some(old_start))
        .all(|m| m.state == MessageState::Dropped));
    assert!(hour
        .iter()
        .filter(|m| m.appointment_start == Some(new_start))
        .all(|m| m.state == MessageState::Queued));
    assert_eq!(of(&rows, MessageKind::Change).len(), 2);

    // 09:00 (the old reminder's time) sends nothing for it; 10:00 sends the new one.
    f.advance_to("2026-03-27T08:00:00Z");
    f.worker.run_once().await.unwrap();
    assert_eq!(
        of(&f.messages(&id).await, MessageKind::ReminderHourBefore)
            .iter()
            .filter(|m| m.state == MessageState::Sent)
            .count(),
        0
    );
    f.advance_to("2026-03-27T09:00:00Z");
    f.worker.run_once().await.unwrap();
    f.worker.run_once().await.unwrap();
    let rows = f.messages(&id).await;
    let sent: Vec<_> = of(&rows, MessageKind::ReminderHourBefore)
        .into_iter()
        .filter(|m| m.state == MessageState::Sent)
        .collect();
    assert_eq!(sent.len(), 2, "one by mail, one by text, once");
    assert!(sent.iter().all(|m| m.appointment_start == Some(new_start)));
    // Never two of one: the unique key holds even when the same rows are written again.
    let keys: std::collections::HashSet<_> = rows
        .iter()
        .map(|m| (m.kind, m.channel, m.appointment_start, m.created_at))
        .collect();
    assert_eq!(keys.len(), rows.len());
}

#[tokio::test]
async fn reminders_follow_the_clock_sqlite() {
    reminders_follow_the_clock(Store::Sqlite).await;
}

#[tokio::test]
async fn reminders_follow_the_clock_postgres() {
    reminders_follow_the_clock(Store::Postgres).await;
}

async fn switched_off_reminders_are_not_sent(store: Store) {
    let f = fixture(store, None, None).await;
    let tenant = booking::usecases::booking::municipality(&f.app, "voorbeeld")
        .await
        .unwrap();
    let (id, _) = f.booked(START, "jan@example.nl", None).await;
    messages::save_reminder_settings(
        &f.app,
        tenant.id,
        booking::domain::message::ReminderSettings {
            day_before: false,
            hour_before: true,
        },
    )
    .await
    .unwrap();
    f.advance_to("2026-03-27T08:30:00Z");
    f.worker.run_once().await.unwrap();
    let rows = f.messages(&id).await;
    assert_eq!(
        states(&of(&rows, MessageKind::ReminderDayBefore)),
        [MessageState::Dropped]
    );
    assert_eq!(
        states(&of(&rows, MessageKind::ReminderHourBefore)),
        [MessageState::Sent]
    );
}

#[tokio::test]
async fn switched_off_reminders_are_not_sent_sqlite() {
    switched_off_reminders_are_not_sent(Store::Sqlite).await;
}

#[tokio::test]
async fn switched_off_reminders_are_not_sent_postgres() {
    switched_off_reminders_are_not_sent(Store::Postgres).await;
}

/// A real SMTP server (aiosmtpd) that is not there at first: the mail waits with a plain
/// error, then goes out on a later attempt once the server is up.
#[tokio::test]
async fn a_failed_mail_is_retried_then_sent() {
    let Some(python) = require_python("a_failed_mail_is_retried_then_sent") else {
        return;
    };
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let f = fixture(
        Store::Sqlite,
        Some(MailConfig::Smtp(format!("smtp://127.0.0.1:{port}"))),
        None,
    )
    .await;
    let (id, _) = f.booked(START, "jan@example.nl", None).await;
    f.worker.run_once().await.unwrap();
    let rows = f.messages(&id).await;
    let mail = of(&rows, MessageKind::Confirmation)[0];
    assert_eq!(mail.state, MessageState::Queued);
    assert_eq!(mail.attempts, 1);
    let error = mail.last_error.as_deref().unwrap();
    assert!(
        error.starts_with("De mailserver was niet bereikbaar"),
        "{error}"
    );
    assert!(mail.next_attempt_at.unwrap() > f.app.clock.now());

    let outdir = tempfile::tempdir().unwrap();
    let mut sink = std::process::Command::new(&python)
        .arg(format!(
            "{}/../tests/python/smtp_sink.py",
            env!("CARGO_MANIFEST_DIR")
        ))
        .arg(port.to_string())
        .arg(outdir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(sink.stdout.take().unwrap()),
        &mut ready,
    )
    .unwrap();
    assert_eq!(ready.trim(), "ready");
    f.app.clock.advance(SignedDuration::from_mins(1));
    f.worker.run_once().await.unwrap();
    let _ = sink.kill();
    let _ = sink.wait();
    let rows = f.messages(&id).await;
    let mail = of(&rows, MessageKind::Confirmation)[0];
    assert_eq!(mail.state, MessageState::Sent, "{mail:#?}");
    assert_eq!(mail.attempts, 2);
    let eml = std::fs::read_to_string(outdir.path().join("0001.eml")).unwrap();
    assert!(eml.contains("method=REQUEST"), "the invite goes along");
}

struct Mock {
    _child: tokio::process::Child,
    base: String,
    http: reqwest::Client,
}

impl Mock {
    async fn start(python: &str) -> Mock {
        let mut child = tokio::process::Command::new(python)
            .arg(format!(
                "{}/../tests/notify/mock_notify.py",
                env!("CARGO_MANIFEST_DIR")
            ))
            .args(["--secret", SECRET, "--service-id", SERVICE_ID])
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the Notify mock");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the mock did not start within 30 s")
            .unwrap()
            .expect("the mock exited");
        let port = line.strip_prefix("PORT ").expect("PORT line").to_string();
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

    async fn post(&self, path: &str, body: Value) -> Value {
        self.http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    fn adapter(&self, key: &str) -> Arc<dyn SmsSender> {
        Arc::new(NotifySms {
            base_url: self.base.clone(),
            key: NotifyKey::parse(key).unwrap(),
            template_id: TEMPLATE.into(),
            // Loopback is internal: allowed for this test only, as the operator would.
            http: OutboundHttp::new(
                OutboundRule::parse("127.0.0.0/8").unwrap(),
                Duration::from_secs(5),
            ),
        })
    }
}

/// The Notify adapter against the mock, which checks every request against Notify's contract:
/// accepted texts, a 500 that is retried, and a key Notify refuses, failed in plain words.
#[tokio::test]
async fn texts_go_to_notify_as_its_contract_says() {
    let Some(python) = require_python("texts_go_to_notify_as_its_contract_says") else {
        return;
    };
    let mock = Mock::start(&python).await;
    let key = format!("videoloket-test-{SERVICE_ID}-{SECRET}");
    let f = fixture(Store::Sqlite, None, Some(mock.adapter(&key))).await;
    let (id, _) = f.booked(START, "jan@example.nl", Some(PHONE)).await;
    f.worker.run_once().await.unwrap();
    let state = mock.state().await;
    assert_eq!(state["errors"], json!([]), "contract violations");
    let sent = state["sent"].as_array().unwrap();
    assert_eq!(sent.len(), 1);
    let rows = f.messages(&id).await;
    let text = rows
        .iter()
        .find(|m| m.channel == Channel::Sms && m.kind == MessageKind::Confirmation)
        .unwrap();
    assert_eq!(text.state, MessageState::Sent);
    assert_eq!(sent[0]["phone_number"], "+31612345678");
    assert_eq!(sent[0]["template_id"], TEMPLATE);
    assert_eq!(sent[0]["reference"], text.id.as_str());
    assert!(sent[0]["personalisation"]["bericht"]
        .as_str()
        .unwrap()
        .contains("vrijdag 27 maart 2026 om 10:00"));

    // Notify answers 500 once: the text waits with the error and goes out on the next try.
    mock.post("/_control/faults", json!({"status": 500, "times": 1}))
        .await;
    let (second, _) = f.booked(LATER, "kees@example.nl", Some("0622222222")).await;
    f.worker.run_once().await.unwrap();
    let text = f
        .messages(&second)
        .await
        .into_iter()
        .find(|m| m.channel == Channel::Sms && m.kind == MessageKind::Confirmation)
        .unwrap();
    assert_eq!(text.state, MessageState::Queued);
    let error = text.last_error.clone().unwrap();
    assert!(
        error.starts_with("De sms-dienst gaf een fout: 500"),
        "{error}"
    );
    f.app.clock.advance(SignedDuration::from_mins(1));
    f.worker.run_once().await.unwrap();
    let text = f
        .messages(&second)
        .await
        .into_iter()
        .find(|m| m.channel == Channel::Sms && m.kind == MessageKind::Confirmation)
        .unwrap();
    assert_eq!(text.state, MessageState::Sent);
    assert_eq!(text.attempts, 2);

    // A key with the wrong secret: Notify says 403, which no retry mends.
    let wrong = format!("videoloket-test-{SERVICE_ID}-{}", uuid::Uuid::new_v4());
    let g = fixture(Store::Sqlite, None, Some(mock.adapter(&wrong))).await;
    let (third, _) = g.booked(START, "jan@example.nl", Some(PHONE)).await;
    g.worker.run_once().await.unwrap();
    let text = g
        .messages(&third)
        .await
        .into_iter()
        .find(|m| m.channel == Channel::Sms && m.kind == MessageKind::Confirmation)
        .unwrap();
    assert_eq!(text.state, MessageState::Failed);
    let error = text.last_error.unwrap();
    assert!(
        error.starts_with("De sms-dienst weigerde de inlog"),
        "{error}"
    );
    assert!(error.contains("AuthError"), "{error}");
    let errors = mock.state().await["errors"].as_array().unwrap().len();
    assert_eq!(errors, 1, "the mock saw the bad signature");
}

/// Notify posts a resident's text to our callback (through the mock, as Notify would).
async fn inbound(mock: &Mock, f: &Fixture, token: &str, from: &str, text: &str) -> u64 {
    let answer = mock
        .post(
            "/_control/inbound",
            json!({"url": format!("{}/api/v1/tenants/voorbeeld/inbound-sms", f.base), "token": token,
                "body": {"id": uuid::Uuid::new_v4().to_string(), "source_number": from,
                    "destination_number": "07700987654", "message": text,
                    "date_received": "2026-03-20T09:00:00.000000Z"}}),
        )
        .await;
    answer["status"].as_u64().unwrap()
}

async fn annuleren_by_text_cancels_exactly_one(store: Store) {
    let Some(python) = require_python("annuleren_by_text_cancels_exactly_one") else {
        return;
    };
    let mock = Mock::start(&python).await;
    let f = fixture(store, None, None).await;
    let (one, _) = f.booked(START, "jan@example.nl", Some(PHONE)).await;
    let (a, _) = f
        .booked(
            "2026-03-27T14:00:00+01:00",
            "els@example.nl",
            Some("0633333333"),
        )
        .await;
    let (b, _) = f.booked(LATER, "els@example.nl", Some("0633333333")).await;
    let status = |id: &str| {
        let app = f.app.clone();
        let id = id.to_string();
        async move {
            let tenant = booking::usecases::booking::municipality(&app, "voorbeeld")
                .await
                .unwrap();
            app.db()
                .appointment(tenant.id, id.parse().unwrap())
                .await
                .unwrap()
                .status
        }
    };
    use booking::domain::appointment::AppointmentStatus::{Booked, Cancelled};

    // A wrong token is refused and changes nothing.
    assert_eq!(
        inbound(
            &mock,
            &f,
            "not-the-token-at-all",
            "31612345678",
            "annuleren"
        )
        .await,
        401
    );
    assert_eq!(status(&one).await, Booked);

    // One upcoming appointment on that number: cancelled, with its cancellation text.
    assert_eq!(
        inbound(&mock, &f, INBOUND_TOKEN, "31612345678", "  Annuleren\n").await,
        204
    );
    assert_eq!(status(&one).await, Cancelled);
    // The resident's access log says how it was cancelled, with no clerk.
    let tenant = booking::usecases::booking::municipality(&f.app, "voorbeeld")
        .await
        .unwrap();
    let log = f
        .app
        .db()
        .access_log(tenant.id, one.parse().unwrap())
        .await
        .unwrap();
    assert!(
        log.iter().any(
            |e| e.action == booking::domain::access_log::Action::CancelledByText
                && e.clerk_id.is_none()
        ),
        "{log:?}"
    );
    let rows = f.messages(&one).await;
    let cancel: Vec<_> = of(&rows, MessageKind::Cancel);
    assert_eq!(cancel.len(), 2, "a CANCEL invite by mail and a text");
    assert!(of(&rows, MessageKind::ReminderDayBefore)
        .iter()
        .all(|m| m.state == MessageState::Dropped));
    // The slot is free again.
    assert_eq!(f.book(START, "piet@example.nl", None).await.status(), 201);

    // Two upcoming appointments on one number: neither is cancelled; the resident is told what to do.
    let before = f.all().await.len();
    assert_eq!(
        inbound(&mock, &f, INBOUND_TOKEN, "+31633333333", "afzeggen").await,
        204
    );
    assert_eq!((status(&a).await, status(&b).await), (Booked, Booked));
    let all = f.all().await;
    assert_eq!(all.len(), before + 1);
    let reply = of(&all, MessageKind::Reply);
    assert_eq!(reply.len(), 1);
    assert_eq!(reply[0].recipient, "+31633333333");
    let said = messages::text_of(&f.app, reply[0]).unwrap();
    assert!(said.contains("meer dan één afspraak"), "{said}");
    assert!(!reply[0].payload.contains("afspraak"), "stored sealed");

    // Anything else from a known number: how to cancel.
    assert_eq!(
        inbound(&mock, &f, INBOUND_TOKEN, "31633333333", "hallo").await,
        204
    );
    assert_eq!(of(&f.all().await, MessageKind::Reply).len(), 2);

    // A number that never booked here: nothing is done or sent, and the answer is the same.
    let before = f.all().await.len();
    assert_eq!(
        inbound(&mock, &f, INBOUND_TOKEN, "31699999999", "annuleren").await,
        204
    );
    assert_eq!(f.all().await.len(), before);
    f.worker.run_once().await.unwrap();
    assert_eq!(mock.state().await["errors"], json!([]));
}

#[tokio::test]
async fn annuleren_by_text_cancels_exactly_one_sqlite() {
    annuleren_by_text_cancels_exactly_one(Store::Sqlite).await;
}

#[tokio::test]
async fn annuleren_by_text_cancels_exactly_one_postgres() {
    annuleren_by_text_cancels_exactly_one(Store::Postgres).await;
}
