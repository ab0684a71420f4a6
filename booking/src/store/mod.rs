//! The database edge: one `Db` over SQLite or PostgreSQL through sqlx's `Any` driver, so every
//! query is written once. Times are Unix seconds and flags 0/1 integers in both dialects.

mod access_log;
mod accounts;
mod appointments;
mod callbacks;
mod catalog;
mod clerk_status;
mod closing_days;
mod columns;
mod companions;
mod consent;
mod dashboard;
mod documents;
mod feedback;
mod media_nodes;
mod messages;
mod outcomes;
mod party;
mod queue;
mod retention;
mod sessions;
mod sso;
mod tenants;
mod triage;

pub use accounts::PasswordLinkRow;
pub use appointments::{AppointmentRow, AppointmentSearch, NewAppointment};
pub use clerk_status::{EntryEvent, Handover};
pub use companions::JoinRow;
pub use media_nodes::Heartbeat;
pub use messages::{MessageRow, NewMessage};
pub use outcomes::{BuiltinCase, BuiltinCaseEvent, ClaimedEvent, OutboxEntry};
pub use sessions::StaffSessionRow;
pub use sso::PendingLogin;

use crate::error::Error;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub dialect: Dialect,
    /// Kept for connections outside the pool, such as the queue's notification listener.
    pub url: String,
    /// The schedules of each service as last read, with the schedule generation they were
    /// read at (`catalog.rs`, `schedules_for_service`).
    schedules: std::sync::Arc<std::sync::Mutex<ScheduleCache>>,
}

type ScheduleCache = std::collections::HashMap<
    (crate::domain::ids::TenantId, crate::domain::ids::ServiceId),
    (
        i64,
        std::sync::Arc<Vec<crate::domain::catalog::ClerkSchedule>>,
    ),
>;

/// Without the URL, which may hold the database password.
impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("pool", &self.pool)
            .field("dialect", &self.dialect)
            .finish_non_exhaustive()
    }
}

impl Db {
    /// Connects and applies the migrations of the URL's dialect.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Dialect::Postgres
        } else if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else {
            return Err(sqlx::Error::Configuration(
                format!("unsupported database URL (use sqlite: or postgres:): {url}").into(),
            ));
        };
        let options = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match dialect {
                Dialect::Sqlite => 8,
                Dialect::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite {
                        // WAL lets readers work while one writer writes; the busy timeout makes
                        // concurrent writers queue instead of failing.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let db = Self {
            pool,
            dialect,
            url: url.to_string(),
            schedules: Default::default(),
        };
        match dialect {
            Dialect::Sqlite => SQLITE_MIGRATIONS.run(&db.pool).await?,
            Dialect::Postgres => POSTGRES_MIGRATIONS.run(&db.pool).await?,
        }
        db.backfill_booking_codes()
            .await
            .map_err(|e| sqlx::Error::Protocol(format!("booking codes: {e}")))?;
        Ok(db)
    }

    /// The SQLite file URL for a data directory.
    pub fn sqlite_url(data_dir: &std::path::Path) -> String {
        format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("videoloket.db").display()
        )
    }

    /// Starts a transaction that writes. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a deferred transaction that reads first and writes later fails with
    /// "database is locked" when another writer committed in between, which the busy timeout
    /// cannot wait out; taken at the start, the lock is simply waited for.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => self.pool.begin().await,
        }
    }

    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

pub(crate) fn flag(value: bool) -> i64 {
    i64::from(value)
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        Error::Storage(Box::new(err))
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        Error::Storage(Box::new(err))
    }
}

/// True when the database refused a row because a unique key already exists: the signal
/// that another request reserved the same clerk time first.
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::Db;

    #[tokio::test]
    async fn debug_output_leaves_out_the_url() {
        let dir = tempfile::tempdir().unwrap();
        let url = Db::sqlite_url(dir.path());
        let db = Db::connect(&url).await.unwrap();
        assert_eq!(db.url, url);
        let shown = format!("{db:?}");
        assert!(shown.contains("Sqlite") && !shown.contains(&url), "{shown}");
    }
}
