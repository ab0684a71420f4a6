//! SQL for the append-only access log. There is deliberately no update or delete here.

use super::Db;
use crate::domain::access_log::{AccessEntry, Action};
use crate::domain::ids::{AppointmentId, TenantId};
use crate::error::{Error, Result};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

fn entry_from_row(row: &AnyRow) -> Result<AccessEntry> {
    let corrupt = |what: &str| Error::Internal(format!("stored access log has invalid {what}"));
    let id = |col: &str| -> Result<String> { Ok(row.try_get::<String, _>(col)?) };
    Ok(AccessEntry {
        tenant_id: id("tenant_id")?.parse().map_err(|_| corrupt("tenant"))?,
        appointment_id: id("appointment_id")?
            .parse()
            .map_err(|_| corrupt("appointment"))?,
        clerk_id: row
            .try_get::<Option<String>, _>("clerk_id")?
            .map(|c| c.parse().map_err(|_| corrupt("clerk")))
            .transpose()?,
        at: Timestamp::from_second(row.try_get("at")?).map_err(|_| corrupt("time"))?,
        action: Action::parse(&id("action")?).ok_or_else(|| corrupt("action"))?,
        source: row.try_get("source")?,
        reason: row.try_get("reason")?,
    })
}

/// Inserts on a connection, so callers can log inside their own transaction.
pub(crate) async fn insert(conn: &mut AnyConnection, e: &AccessEntry) -> Result<()> {
    sqlx::query(
        "INSERT INTO access_log (id, tenant_id, appointment_id, clerk_id, at, action, source, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(Uuid::new_v4().to_string())
    .bind(e.tenant_id.to_string())
    .bind(e.appointment_id.to_string())
    .bind(e.clerk_id.map(|c| c.to_string()))
    .bind(e.at.as_second())
    .bind(e.action.as_str())
    .bind(e.source.clone())
    .bind(&e.reason)
    .execute(conn)
    .await?;
    Ok(())
}

impl Db {
    pub async fn append_access(&self, entries: &[AccessEntry]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for e in entries {
            insert(&mut tx, e).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Logs list views (`Action::is_list_view`) once per clerk, appointment, action and local
    /// `day`: a repeat the same day is dropped by the unique index on `list_day`, so a clerk
    /// who reloads the list all morning leaves one line per resident, not hundreds, and two
    /// tabs or server instances logging at the same moment cannot both write it. Returns how
    /// many were new.
    pub async fn append_list_views(
        &self,
        entries: &[AccessEntry],
        day: jiff::civil::Date,
    ) -> Result<u64> {
        let mut added = 0;
        let mut tx = self.begin_write().await?;
        for e in entries {
            if !e.action.is_list_view() {
                return Err(Error::Internal(format!(
                    "{} is not a list view",
                    e.action.as_str()
                )));
            }
            added += sqlx::query(
                "INSERT INTO access_log (id, tenant_id, appointment_id, clerk_id, at, action, source, \
                 reason, list_day) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
            )
            .bind(Uuid::new_v4().to_string())
            .bind(e.tenant_id.to_string())
            .bind(e.appointment_id.to_string())
            .bind(e.clerk_id.map(|c| c.to_string()))
            .bind(e.at.as_second())
            .bind(e.action.as_str())
            .bind(e.source.clone())
            .bind(&e.reason)
            .bind(day.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(added)
    }

    /// The appointment's log, oldest first.
    pub async fn access_log(
        &self,
        tenant: TenantId,
        appointment: AppointmentId,
    ) -> Result<Vec<AccessEntry>> {
        let rows = sqlx::query(
            "SELECT tenant_id, appointment_id, clerk_id, at, action, source, reason FROM access_log \
             WHERE tenant_id = $1 AND appointment_id = $2 ORDER BY at, id",
        )
        .bind(tenant.to_string())
        .bind(appointment.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from_row).collect()
    }
}
