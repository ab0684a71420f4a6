//! Clerks' status periods and what clerks did with single queue entries (taken with a reason,
//! handed over with a note, marked as a no-show), in SQL. A status change closes the current
//! period and opens the next in one transaction; the partial unique index on the open period
//! refuses a second one, so two changes at once leave one current status.

use super::columns::{instant, optional_instant, parsed};
use super::Db;
use crate::domain::clerk_status::{ClerkStatus, Period};
use crate::domain::ids::{ClerkId, ServiceId, TenantId};
use crate::domain::queue::QueueEntryId;
use crate::error::{Error, Result};
use jiff::{SignedDuration, Timestamp};
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str = "clerk_id, status, reason, started_at, ended_at";

fn from_row(row: &AnyRow) -> Result<Period> {
    Ok(Period {
        clerk_id: parsed(row, "clerk_id")?,
        status: ClerkStatus::parse(&row.try_get::<String, _>("status")?)
            .ok_or_else(|| Error::Internal("stored clerk status is invalid".into()))?,
        reason: row.try_get("reason")?,
        since: instant(row, "started_at")?,
        until: optional_instant(row, "ended_at")?,
    })
}

/// What a clerk did with a queue entry, for the log.
#[derive(Clone, Debug)]
pub struct EntryEvent {
    pub tenant_id: TenantId,
    pub entry_id: QueueEntryId,
    pub clerk_id: ClerkId,
    /// `taken`, `handed_over` or `no_show`.
    pub kind: &'static str,
    /// The reason for taking, or the note for the receiver of a hand-over.
    pub note: String,
    pub to_clerk: Option<ClerkId>,
    pub to_service: Option<ServiceId>,
    pub at: Timestamp,
}

/// The latest hand-over of a waiting entry: to whom, from whom, and the note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handover {
    pub entry_id: QueueEntryId,
    pub from_clerk: ClerkId,
    pub to_clerk: Option<ClerkId>,
    pub to_service: Option<ServiceId>,
    pub note: String,
    pub at: Timestamp,
}

impl Db {
    /// The municipality's longest after-call work.
    pub async fn finishing_max(&self, tenant: TenantId) -> Result<SignedDuration> {
        let minutes: i64 =
            sqlx::query_scalar("SELECT finishing_max_minutes FROM tenants WHERE id = $1")
                .bind(tenant.to_string())
                .fetch_optional(&self.pool)
                .await?
                .ok_or(Error::NotFound("municipality"))?;
        Ok(SignedDuration::from_mins(minutes))
    }

    pub async fn set_finishing_max(&self, tenant: TenantId, minutes: i64) -> Result<()> {
        sqlx::query("UPDATE tenants SET finishing_max_minutes = $1 WHERE id = $2")
            .bind(minutes)
            .bind(tenant.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The current (open) period of each clerk of the municipality who has one.
    pub async fn current_statuses(&self, tenant: TenantId) -> Result<Vec<Period>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM clerk_status_periods WHERE tenant_id = $1 AND ended_at IS NULL"
        ))
        .bind(tenant.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Ends the clerk's current period (if it is still `expected`, the one the caller saw) and
    /// starts one in `status`. `false` when another change came first: the caller reads again.
    pub async fn change_status(
        &self,
        tenant: TenantId,
        clerk: ClerkId,
        expected: Option<Timestamp>,
        status: ClerkStatus,
        reason: Option<&str>,
        now: Timestamp,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let closed = match expected {
            Some(since) => sqlx::query(
                "UPDATE clerk_status_periods SET ended_at = $1 \
                 WHERE clerk_id = $2 AND ended_at IS NULL AND started_at = $3",
            )
            .bind(now.as_second())
            .bind(clerk.to_string())
            .bind(since.as_second())
            .execute(&mut *tx)
            .await?
            .rows_affected(),
            None => 1,
        };
        if closed != 1 {
            return Ok(false);
        }
        let inserted = sqlx::query(
            "INSERT INTO clerk_status_periods (id, tenant_id, clerk_id, status, reason, started_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(tenant.to_string())
        .bind(clerk.to_string())
        .bind(status.as_str())
        .bind(reason.map(str::to_string))
        .bind(now.as_second())
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {
                tx.commit().await?;
                Ok(true)
            }
            Err(err) if super::is_unique_violation(&err) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// The periods of the municipality's clerks that overlap `[from, to)`.
    pub async fn status_periods_between(
        &self,
        tenant: TenantId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Period>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM clerk_status_periods WHERE tenant_id = $1 \
             AND started_at < $2 AND (ended_at IS NULL OR ended_at > $3) ORDER BY started_at"
        ))
        .bind(tenant.to_string())
        .bind(to.as_second())
        .bind(from.as_second())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn append_entry_event(&self, e: &EntryEvent) -> Result<()> {
        sqlx::query(
            "INSERT INTO queue_entry_events (id, tenant_id, entry_id, clerk_id, kind, note, \
             to_clerk_id, to_service_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(e.tenant_id.to_string())
        .bind(e.entry_id.to_string())
        .bind(e.clerk_id.to_string())
        .bind(e.kind)
        .bind(&e.note)
        .bind(e.to_clerk.map(|c| c.to_string()))
        .bind(e.to_service.map(|s| s.to_string()))
        .bind(e.at.as_second())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// What clerks did with one entry, oldest first: (kind, clerk, note).
    pub async fn entry_events(
        &self,
        tenant: TenantId,
        entry: QueueEntryId,
    ) -> Result<Vec<(String, ClerkId, String)>> {
        let rows = sqlx::query(
            "SELECT kind, clerk_id, note FROM queue_entry_events \
             WHERE tenant_id = $1 AND entry_id = $2 ORDER BY at, id",
        )
        .bind(tenant.to_string())
        .bind(entry.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("kind")?,
                    parsed(r, "clerk_id")?,
                    r.try_get("note")?,
                ))
            })
            .collect()
    }

    /// The latest hand-over of each open entry of the municipality.
    pub async fn open_handovers(&self, tenant: TenantId) -> Result<Vec<Handover>> {
        let rows = sqlx::query(
            "SELECT e.entry_id, e.clerk_id, e.to_clerk_id, e.to_service_id, e.note, e.at \
             FROM queue_entry_events e JOIN queue_entries q ON q.id = e.entry_id \
             WHERE e.tenant_id = $1 AND e.kind = 'handed_over' \
             AND q.status IN ('waiting', 'called', 'answered') ORDER BY e.at, e.id",
        )
        .bind(tenant.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut latest: Vec<Handover> = Vec::new();
        for r in &rows {
            let h = Handover {
                entry_id: parsed(r, "entry_id")?,
                from_clerk: parsed(r, "clerk_id")?,
                to_clerk: r
                    .try_get::<Option<String>, _>("to_clerk_id")?
                    .and_then(|s| s.parse().ok()),
                to_service: r
                    .try_get::<Option<String>, _>("to_service_id")?
                    .and_then(|s| s.parse().ok()),
                note: r.try_get("note")?,
                at: instant(r, "at")?,
            };
            latest.retain(|x| x.entry_id != h.entry_id);
            latest.push(h);
        }
        Ok(latest)
    }

    /// Puts an entry the clerk has (called or in the call) back in the queue, for another
    /// service when `service` is given, keeping the time it joined. `false` when the clerk
    /// does not have it.
    pub async fn hand_back_entry(
        &self,
        tenant: TenantId,
        id: QueueEntryId,
        clerk: ClerkId,
        service: Option<ServiceId>,
    ) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE queue_entries SET status = 'waiting', clerk_id = NULL, room_id = NULL, \
             called_at = NULL, answered_at = NULL, service_id = COALESCE($1, service_id) \
             WHERE tenant_id = $2 AND id = $3 AND clerk_id = $4 AND status IN ('called', 'answered')",
        )
        .bind(service.map(|s| s.to_string()))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .bind(clerk.to_string())
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// A waiting entry moves to another service, keeping the time it joined. `false` when it
    /// no longer waits.
    pub async fn move_waiting_entry(
        &self,
        tenant: TenantId,
        id: QueueEntryId,
        service: ServiceId,
    ) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE queue_entries SET service_id = $1 \
             WHERE tenant_id = $2 AND id = $3 AND status = 'waiting'",
        )
        .bind(service.to_string())
        .bind(tenant.to_string())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// A waiting resident who did not show up when the clerk looked: missed. `false` when the
    /// entry no longer waits.
    pub async fn mark_entry_no_show(
        &self,
        tenant: TenantId,
        id: QueueEntryId,
        now: Timestamp,
    ) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE queue_entries SET status = 'missed', done_at = $1 \
             WHERE tenant_id = $2 AND id = $3 AND status = 'waiting'",
        )
        .bind(now.as_second())
        .bind(tenant.to_string())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }
}
