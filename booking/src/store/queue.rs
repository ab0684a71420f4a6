//! Queue entries in SQL. Taking an entry is one conditional UPDATE (`... WHERE status =
//! 'waiting'`): the database lets exactly one clerk win, on SQLite and PostgreSQL alike and
//! across server instances, without SELECT ... FOR UPDATE.

use super::columns::{optional_instant, parsed};
use super::{flag, Db};
use crate::domain::ids::{AppointmentId, ClerkId, ServiceId, TenantId};
use crate::domain::queue::{EntryStatus, QueueEntry, QueueEntryId};
use crate::error::{Error, Result};
use jiff::{SignedDuration, Timestamp};
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str = "id, tenant_id, service_id, appointment_id, due_at, joined_at, \
    resident_name, resident_phone, status, clerk_id, room_id, called_at, first_called_at, \
    answered_at, done_at, requeued, by_phone_at";

/// A municipality's queue settings, in minutes.
#[derive(Clone, Copy, Debug)]
pub struct QueueSettings {
    /// How long before the appointment check-in opens.
    pub check_in_window: SignedDuration,
    /// How long after the start an appointment without check-in is still kept.
    pub no_show_grace: SignedDuration,
}

fn corrupt(what: &str) -> Error {
    Error::Internal(format!("stored queue entry has invalid {what}"))
}

fn from_row(row: &AnyRow) -> Result<QueueEntry> {
    let ts = |col: &str| optional_instant(row, col);
    let id = |col: &str| -> Result<Option<String>> { Ok(row.try_get::<Option<String>, _>(col)?) };
    Ok(QueueEntry {
        id: parsed(row, "id")?,
        tenant_id: parsed(row, "tenant_id")?,
        service_id: parsed(row, "service_id")?,
        appointment_id: id("appointment_id")?
            .map(|s| s.parse().map_err(|_| corrupt("appointment")))
            .transpose()?,
        due_at: ts("due_at")?,
        joined_at: ts("joined_at")?.ok_or_else(|| corrupt("joined_at"))?,
        resident_name: row.try_get("resident_name")?,
        resident_phone: row.try_get("resident_phone")?,
        status: EntryStatus::parse(&row.try_get::<String, _>("status")?)
            .ok_or_else(|| corrupt("status"))?,
        clerk_id: id("clerk_id")?
            .map(|s| s.parse().map_err(|_| corrupt("clerk")))
            .transpose()?,
        room_id: row.try_get("room_id")?,
        called_at: ts("called_at")?,
        first_called_at: ts("first_called_at")?,
        answered_at: ts("answered_at")?,
        done_at: ts("done_at")?,
        requeued: row.try_get::<i64, _>("requeued")? != 0,
        by_phone_at: ts("by_phone_at")?,
    })
}

impl Db {
    pub async fn queue_settings(&self, tenant: TenantId) -> Result<QueueSettings> {
        let row = sqlx::query(
            "SELECT check_in_minutes, no_show_grace_minutes FROM tenants WHERE id = $1",
        )
        .bind(tenant.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound("municipality"))?;
        Ok(QueueSettings {
            check_in_window: SignedDuration::from_mins(row.try_get("check_in_minutes")?),
            no_show_grace: SignedDuration::from_mins(row.try_get("no_show_grace_minutes")?),
        })
    }

    /// Adds a waiting entry. A second check-in for the same appointment is refused by the
    /// unique `appointment_id`; the caller then reads the existing entry.
    pub async fn insert_queue_entry(&self, e: &QueueEntry, token_hash: &str) -> Result<bool> {
        let inserted = sqlx::query(
            "INSERT INTO queue_entries (id, tenant_id, service_id, appointment_id, due_at, joined_at, \
             resident_name, resident_phone, token_hash, status, requeued) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(e.id.to_string())
        .bind(e.tenant_id.to_string())
        .bind(e.service_id.to_string())
        .bind(e.appointment_id.map(|a| a.to_string()))
        .bind(e.due_at.map(|t| t.as_second()))
        .bind(e.joined_at.as_second())
        .bind(&e.resident_name)
        .bind(e.resident_phone.clone())
        .bind(token_hash)
        .bind(e.status.as_str())
        .bind(flag(e.requeued))
        .execute(&self.pool)
        .await;
        match inserted {
            Ok(_) => Ok(true),
            Err(err) if super::is_unique_violation(&err) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    pub async fn queue_entry_by_token(&self, token_hash: &str) -> Result<QueueEntry> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM queue_entries WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound("queue entry"))?;
        from_row(&row)
    }

    pub async fn queue_entry_for_appointment(
        &self,
        appointment: AppointmentId,
    ) -> Result<Option<QueueEntry>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM queue_entries WHERE appointment_id = $1"
        ))
        .bind(appointment.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// An entry of this tenant; another tenant's is "not found".
    pub async fn queue_entry(&self, tenant: TenantId, id: QueueEntryId) -> Result<QueueEntry> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM queue_entries WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound("queue entry"))?;
        from_row(&row)
    }

    /// The entries (any status) of the appointments starting within `[from, to)`.
    pub async fn queue_entries_of_appointments_between(
        &self,
        tenant: TenantId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<QueueEntry>> {
        let columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("q.{c}")).collect();
        let rows = sqlx::query(&format!(
            "SELECT {} FROM queue_entries q JOIN appointments a ON a.id = q.appointment_id \
             WHERE a.tenant_id = $1 AND q.tenant_id = $1 AND a.starts_at >= $2 AND a.starts_at < $3",
            columns.join(", ")
        ))
        .bind(tenant.to_string())
        .bind(from.as_second())
        .bind(to.as_second())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Everyone waiting or with a clerk, oldest first.
    pub async fn open_queue(&self, tenant: TenantId) -> Result<Vec<QueueEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM queue_entries WHERE tenant_id = $1 \
             AND status IN ('waiting', 'called', 'answered') ORDER BY joined_at, id"
        ))
        .bind(tenant.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// The first `limit` waiting entries of `services` in calling order, ordered by the
    /// database: the SQL form of `domain::queue::queue_order` (tested to agree with it), so
    /// calling the next resident reads a few rows instead of the whole queue.
    pub async fn queue_candidates(
        &self,
        tenant: TenantId,
        services: &[ServiceId],
        now: Timestamp,
        limit: i64,
    ) -> Result<Vec<QueueEntry>> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> =
            (0..services.len()).map(|i| format!("${}", i + 4)).collect();
        // Ties end on the id as `QueueEntryId` orders it (the UUID's bytes), which is the
        // byte order of its lower-case text: PostgreSQL compares it in the "C" collation.
        let id_order = match self.dialect {
            super::Dialect::Postgres => "id COLLATE \"C\"",
            super::Dialect::Sqlite => "id",
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM queue_entries WHERE tenant_id = $1 AND status = 'waiting' \
             AND service_id IN ({}) ORDER BY \
             CASE WHEN requeued <> 0 THEN 0 WHEN due_at IS NULL THEN 2 WHEN due_at <= $2 THEN 1 ELSE 3 END, \
             CASE WHEN requeued <> 0 THEN COALESCE(first_called_at, joined_at) \
                  WHEN due_at IS NULL THEN joined_at ELSE due_at END, \
             joined_at, {id_order} LIMIT $3",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql)
            .bind(tenant.to_string())
            .bind(now.as_second())
            .bind(limit);
        for service in services {
            query = query.bind(service.to_string());
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(from_row).collect()
    }

    /// The calls of the municipality made at or before `called_before` that nobody answered:
    /// the few entries the answer deadline may have run out for.
    pub async fn unanswered_calls(
        &self,
        tenant: TenantId,
        called_before: Timestamp,
    ) -> Result<Vec<QueueEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM queue_entries WHERE tenant_id = $1 AND status = 'called' \
             AND called_at <= $2"
        ))
        .bind(tenant.to_string())
        .bind(called_before.as_second())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Gives a waiting entry to `clerk`. `false` when it was no longer waiting: another clerk
    /// took it first. The room is named after the entry.
    pub async fn take_queue_entry(
        &self,
        tenant: TenantId,
        id: QueueEntryId,
        clerk: ClerkId,
        now: Timestamp,
    ) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE queue_entries SET status = 'called', clerk_id = $1, room_id = id, called_at = $2, \
             first_called_at = COALESCE(first_called_at, $2) \
             WHERE tenant_id = $3 AND id = $4 AND status = 'waiting'",
        )
        .bind(clerk.to_string())
        .bind(now.as_second())
        .bind(tenant.to_string())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// The resident answered the call. `false` when the entry was not being called.
    pub async fn answer_queue_entry(&self, id: QueueEntryId, now: Timestamp) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE queue_entries SET status = 'answered', answered_at = $1 \
             WHERE id = $2 AND status = 'called'",
        )
        .bind(now.as_second())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// The resident leaves while waiting or being called. `false` when the entry was in
    /// neither state (a conversation is ended by the clerk).
    pub async fn leave_queue_entry(&self, id: QueueEntryId, now: Timestamp) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE queue_entries SET status = 'left', done_at = $1 \
             WHERE id = $2 AND status IN ('waiting', 'called')",
        )
        .bind(now.as_second())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// An entry that was left waits again, as if it just joined. `false` when it was not left
    /// (a concurrent check-in already brought it back).
    pub async fn rejoin_queue_entry(&self, id: QueueEntryId, now: Timestamp) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE queue_entries SET status = 'waiting', joined_at = $1, done_at = NULL, \
             clerk_id = NULL, room_id = NULL, called_at = NULL, first_called_at = NULL, requeued = 0 \
             WHERE id = $2 AND status = 'left'",
        )
        .bind(now.as_second())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// The clerk who has the entry finished it. `false` when that clerk does not have it.
    pub async fn finish_queue_entry(
        &self,
        tenant: TenantId,
        id: QueueEntryId,
        clerk: ClerkId,
        now: Timestamp,
    ) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE queue_entries SET status = 'done', done_at = $1 \
             WHERE tenant_id = $2 AND id = $3 AND clerk_id = $4 AND status IN ('called', 'answered')",
        )
        .bind(now.as_second())
        .bind(tenant.to_string())
        .bind(id.to_string())
        .bind(clerk.to_string())
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// The clerk in the conversation continues it by phone: the entry is done (if it was not
    /// yet) and the moment kept. Only once, and only by the clerk who called the resident.
    pub async fn continue_queue_entry_by_phone(
        &self,
        tenant: TenantId,
        id: QueueEntryId,
        clerk: ClerkId,
        now: Timestamp,
    ) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE queue_entries SET status = 'done', done_at = COALESCE(done_at, $1), by_phone_at = $1 \
             WHERE tenant_id = $2 AND id = $3 AND clerk_id = $4 \
             AND status IN ('called', 'answered', 'done') AND by_phone_at IS NULL",
        )
        .bind(now.as_second())
        .bind(tenant.to_string())
        .bind(id.to_string())
        .bind(clerk.to_string())
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// An unanswered call goes back to the head of the queue. Conditional on the call it saw,
    /// so two requests noticing the same timeout apply it once.
    pub async fn requeue_unanswered(&self, id: QueueEntryId, called_at: Timestamp) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE queue_entries SET status = 'waiting', clerk_id = NULL, room_id = NULL, \
             called_at = NULL, requeued = 1 WHERE id = $1 AND status = 'called' AND called_at = $2",
        )
        .bind(id.to_string())
        .bind(called_at.as_second())
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    pub async fn mark_missed(&self, id: QueueEntryId, called_at: Timestamp) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE queue_entries SET status = 'missed' \
             WHERE id = $1 AND status = 'called' AND called_at = $2",
        )
        .bind(id.to_string())
        .bind(called_at.as_second())
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// How long the last `limit` finished calls of a service took, newest first: from the
    /// answer (or the call, when the answer was not recorded) to done.
    pub async fn recent_handling_times(
        &self,
        service: ServiceId,
        limit: i64,
    ) -> Result<Vec<SignedDuration>> {
        let rows = sqlx::query(
            "SELECT done_at - COALESCE(answered_at, called_at) AS took FROM queue_entries \
             WHERE service_id = $1 AND status = 'done' ORDER BY done_at DESC LIMIT $2",
        )
        .bind(service.to_string())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(SignedDuration::from_secs(r.try_get::<i64, _>("took")?)))
            .collect()
    }
}

impl Db {
    /// How many entries that joined within `[from, to)` are in each status.
    pub async fn queue_status_counts(
        &self,
        tenant: TenantId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(EntryStatus, i64)>> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*) AS n FROM queue_entries WHERE tenant_id = $1 \
             AND joined_at >= $2 AND joined_at < $3 GROUP BY status",
        )
        .bind(tenant.to_string())
        .bind(from.as_second())
        .bind(to.as_second())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let status = EntryStatus::parse(&r.try_get::<String, _>("status")?)
                    .ok_or_else(|| corrupt("status"))?;
                Ok((status, r.try_get::<i64, _>("n")?))
            })
            .collect()
    }

    /// Booked appointments starting within `[from, to)` that nobody checked in for, with
    /// their start; whether each is a no-show yet is the caller's rule.
    pub async fn appointments_without_check_in(
        &self,
        tenant: TenantId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(AppointmentId, Timestamp)>> {
        let rows = sqlx::query(
            "SELECT a.id, a.starts_at FROM appointments a \
             LEFT JOIN queue_entries q ON q.appointment_id = a.id \
             WHERE a.tenant_id = $1 AND a.status = 'booked' AND a.starts_at >= $2 \
             AND a.starts_at < $3 AND q.id IS NULL ORDER BY a.starts_at, a.id",
        )
        .bind(tenant.to_string())
        .bind(from.as_second())
        .bind(to.as_second())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id = r
                    .try_get::<String, _>("id")?
                    .parse()
                    .map_err(|_| corrupt("appointment"))?;
                let start = Timestamp::from_second(r.try_get("starts_at")?)
                    .map_err(|_| corrupt("start"))?;
                Ok((id, start))
            })
            .collect()
    }
}
