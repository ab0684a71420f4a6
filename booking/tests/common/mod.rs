//! Test harness: a real database (SQLite file or a throwaway PostgreSQL database), the real
//! router on an ephemeral loopback port, and a fixed clock the test can move.
#![allow(dead_code)]

/// `on_both_stores!(name, ...)`: runs `async fn name(store: Store)` once on SQLite and once on
/// PostgreSQL, each on a multi-threaded runtime and bounded in time, so a hung test fails
/// instead of holding up the suite.
#[allow(unused_macros)]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                tokio::time::timeout(
                    ::std::time::Duration::from_secs(120),
                    super::$name(crate::common::Store::Sqlite),
                )
                .await
                .expect("test took too long")
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                tokio::time::timeout(
                    ::std::time::Duration::from_secs(120),
                    super::$name(crate::common::Store::Postgres),
                )
                .await
                .expect("test took too long")
            }
        }
    )*};
}

use booking::adapters::live_updates::QueueEvents;
use booking::adapters::mail::{MailConfig, Mailer};
use booking::auth::SessionKeys;
use booking::clock::Clock;
use booking::store::Db;
use booking::App;
use jiff::Timestamp;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    Sqlite,
    Postgres,
}

/// Drops the throwaway PostgreSQL database even when the test panics.
struct PgGuard {
    admin_url: String,
    name: String,
}

impl Drop for PgGuard {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                sqlx::any::install_default_drivers();
                if let Ok(pool) = sqlx::AnyPool::connect(&url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&pool)
                        .await;
                }
            })
        })
        .join();
    }
}

pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .ok()
        .filter(|u| u.starts_with("postgres"))
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// A fresh, migrated database of the given kind.
pub struct TestDb {
    pub db: Db,
    pub dir: tempfile::TempDir,
    _pg: Option<PgGuard>,
}

impl TestDb {
    pub async fn new(store: Store) -> Self {
        let dir = tempfile::tempdir().unwrap();
        match store {
            Store::Sqlite => {
                let db = Db::connect(&Db::sqlite_url(dir.path()))
                    .await
                    .expect("sqlite");
                Self { db, dir, _pg: None }
            }
            Store::Postgres => {
                sqlx::any::install_default_drivers();
                let admin_url = postgres_admin_url();
                let name = format!("videoloket_test_{}", uuid::Uuid::new_v4().simple());
                let admin = sqlx::AnyPool::connect(&admin_url)
                    .await
                    .expect("PostgreSQL must be running for the tests (see .ci/run)");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&admin)
                    .await
                    .unwrap();
                admin.close().await;
                let guard = PgGuard {
                    admin_url: admin_url.clone(),
                    name: name.clone(),
                };
                let (base, _) = admin_url.rsplit_once('/').unwrap();
                let db = Db::connect(&format!("{base}/{name}"))
                    .await
                    .expect("postgres");
                Self {
                    db,
                    dir,
                    _pg: Some(guard),
                }
            }
        }
    }
}

/// The app served on loopback, with a client that keeps cookies.
pub struct TestApp {
    pub app: App,
    pub base: String,
    pub client: reqwest::Client,
    pub test_db: TestDb,
}

pub fn mail_dir(app: &TestApp) -> PathBuf {
    app.test_db.dir.path().join("mail")
}

/// Waits (up to 10 s) until the messages worker has written `count` mails, then returns how
/// many there are; mails leave after the request, through the outbox.
pub async fn mails_written(app: &TestApp, count: usize) -> usize {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let n = std::fs::read_dir(mail_dir(app))
            .map(|d| d.count())
            .unwrap_or(0);
        if n >= count || std::time::Instant::now() > deadline {
            // A moment more, so a mail too many would show up too.
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            return std::fs::read_dir(mail_dir(app))
                .map(|d| d.count())
                .unwrap_or(0);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The key test apps seal stored secrets with; a second process on the same database (the
/// ZGW worker kill test) needs the same one.
pub fn test_secrets_key() -> booking::adapters::sealed::SecretsKey {
    booking::adapters::sealed::SecretsKey::from_material(b"test secrets key test secrets key")
        .unwrap()
}

pub async fn spawn(store: Store, now: Timestamp, mail: Option<MailConfig>) -> TestApp {
    let test_db = TestDb::new(store).await;
    let mail = mail.unwrap_or_else(|| MailConfig::Files(test_db.dir.path().join("mail")));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = App::new(
        test_db.db.clone(),
        Clock::fixed(now),
        Mailer::new(&mail).unwrap(),
        SessionKeys::from_secret(b"test secret test secret test sec"),
        base.clone(),
        QueueEvents::start(&test_db.db).await.unwrap(),
    )
    .with_secrets_key(test_secrets_key());
    let router = booking::api::router(app.clone()).layer(axum::Extension(grant_issuer()));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    // Mails and texts leave through the messages outbox, as in the platform binary.
    let mut messages =
        booking::usecases::messages::MessageConfig::with_sms_files(test_db.dir.path().join("sms"))
            .unwrap();
    messages.poll_interval = std::time::Duration::from_millis(20);
    booking::usecases::messages::spawn_message_worker(app.clone(), messages);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    TestApp {
        app,
        base,
        client,
        test_db,
    }
}

pub fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// The Python interpreter with the test packages (icalendar, aiosmtpd), as .ci/run sets it up.
pub fn python() -> Option<String> {
    std::env::var("VIDEOLOKET_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
}

/// Python is required in CI; locally a test that needs it says so and stops.
pub fn require_python(test: &str) -> Option<String> {
    match python() {
        Some(p) => Some(p),
        None if std::env::var("CI").is_ok() => panic!("VIDEOLOKET_PYTHON must be set in CI"),
        None => {
            eprintln!(
                "skipped {test}: VIDEOLOKET_PYTHON not set (run .ci/run to create the virtualenv)"
            );
            None
        }
    }
}

/// A test issuer that "signs" a grant by writing it out as JSON, so tests can read back
/// exactly what booking decided. (The real JWT issuer lives in `signaling` and is tested there.)
pub struct GrantAsJson;

impl booking::domain::rooms::RoomTokenIssuer for GrantAsJson {
    fn issue(&self, g: &booking::domain::rooms::RoomGrant) -> String {
        serde_json::json!({
            "room": g.room, "participant": g.participant, "role": g.role, "name": g.display_name,
            "tenant": g.tenant, "nbf": g.not_before.as_second(), "exp": g.expires.as_second(),
        })
        .to_string()
    }
}

pub fn grant_issuer() -> booking::domain::rooms::Issuer {
    std::sync::Arc::new(GrantAsJson)
}

/// The resident of appointment `id` checked in and `clerk` called them through the queue,
/// written as the queue's use cases write it (a waiting entry, then taken by the clerk): an
/// outcome is recorded only once the call started (`outcome::may_record`). Returns the entry.
pub async fn start_call(
    db: &Db,
    tenant: booking::domain::ids::TenantId,
    id: booking::domain::ids::AppointmentId,
    clerk: booking::domain::ids::ClerkId,
    now: Timestamp,
) -> booking::domain::queue::QueueEntryId {
    use booking::domain::queue::{EntryStatus, QueueEntry, QueueEntryId};
    let appointment = db.appointment(tenant, id).await.unwrap();
    let entry = QueueEntry {
        id: QueueEntryId::new(),
        tenant_id: tenant,
        service_id: appointment.service_id,
        appointment_id: Some(id),
        due_at: Some(appointment.start),
        joined_at: now,
        resident_name: appointment.resident.name.clone(),
        resident_phone: None,
        status: EntryStatus::Waiting,
        clerk_id: None,
        room_id: None,
        called_at: None,
        first_called_at: None,
        answered_at: None,
        done_at: None,
        requeued: false,
        by_phone_at: None,
    };
    assert!(db
        .insert_queue_entry(&entry, &format!("test-entry-{}", entry.id))
        .await
        .unwrap());
    assert!(db
        .take_queue_entry(tenant, entry.id, clerk, now)
        .await
        .unwrap());
    entry.id
}
