//! SQL for the messages outbox (mail and SMS to residents) and the reminder settings.

use super::columns::{instant, optional_instant, parsed};
use super::Db;
use crate::domain::ids::{AppointmentId, TenantId};
use crate::domain::message::{Channel, MessageKind, MessageState, ReminderSettings};
use crate::error::{Error, Result};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// A message to write in the transaction of the change that causes it.
#[derive(Clone, Debug, PartialEq)]
pub struct NewMessage {
    pub id: uuid::Uuid,
    pub tenant_id: TenantId,
    pub appointment_id: Option<AppointmentId>,
    pub kind: MessageKind,
    pub channel: Channel,
    pub dedupe_key: String,
    /// An e-mail address or an E.164 phone number.
    pub recipient: String,
    /// What the adapter sends, as JSON (`usecases::messages::Payload`).
    pub payload: String,
    /// For reminders, the start they remind of.
    pub appointment_start: Option<Timestamp>,
    /// Not sent before this.
    pub due: Timestamp,
    pub created_at: Timestamp,
}

/// A stored message, as the worker and the admin's list read it.
#[derive(Clone, Debug)]
pub struct MessageRow {
    pub id: String,
    pub tenant_id: TenantId,
    pub appointment_id: Option<AppointmentId>,
    pub kind: MessageKind,
    pub channel: Channel,
    pub recipient: String,
    pub payload: String,
    pub appointment_start: Option<Timestamp>,
    pub state: MessageState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, tenant_id, appointment_id, kind, channel, recipient, payload, \
    appointment_start, state, attempts, last_error, next_attempt_at, created_at, finished_at";

fn corrupt(what: &str) -> Error {
    Error::Internal(format!("stored message has invalid {what}"))
}

fn from_row(row: &AnyRow) -> Result<MessageRow> {
    Ok(MessageRow {
        id: row.try_get("id")?,
        tenant_id: parsed(row, "tenant_id")?,
        appointment_id: row
            .try_get::<Option<String>, _>("appointment_id")?
            .map(|s| s.parse().map_err(|_| corrupt("appointment")))
            .transpose()?,
        kind: MessageKind::parse(&row.try_get::<String, _>("kind")?)
            .ok_or_else(|| corrupt("kind"))?,
        channel: Channel::parse(&row.try_get::<String, _>("channel")?)
            .ok_or_else(|| corrupt("channel"))?,
        recipient: row.try_get("recipient")?,
        payload: row.try_get("payload")?,
        appointment_start: optional_instant(row, "appointment_start")?,
        state: MessageState::parse(&row.try_get::<String, _>("state")?)
            .ok_or_else(|| corrupt("state"))?,
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?)
            .map_err(|_| corrupt("attempts"))?,
        last_error: row.try_get("last_error")?,
        next_attempt_at: optional_instant(row, "next_attempt_at")?,
        created_at: instant(row, "created_at")?,
        finished_at: optional_instant(row, "finished_at")?,
    })
}

/// Writes an appointment change's messages in its transaction. Reminders still queued for
/// another start than `keep_start` (all of them when None: a cancellation) are dropped first;
/// a reminder for a start that was dropped before (moved away and back) is queued again, one
/// that was sent stays sent: the unique key never lets the same reminder go out twice.
pub(crate) async fn write_in(
    tx: &mut Transaction<'static, Any>,
    appointment: AppointmentId,
    keep_start: Option<Timestamp>,
    messages: &[NewMessage],
) -> Result<()> {
    sqlx::query(
        "UPDATE messages SET state = 'dropped', next_attempt_at = NULL, \
         last_error = 'De afspraak is verzet of afgezegd.' \
         WHERE appointment_id = $1 AND state = 'queued' AND appointment_start IS NOT NULL \
         AND ($2 IS NULL OR appointment_start <> $2)",
    )
    .bind(appointment.to_string())
    .bind(keep_start.map(|t| t.as_second()))
    .execute(&mut **tx)
    .await?;
    insert_in(tx, messages).await
}

/// Inserts messages; one whose key exists already is left as it is, except a dropped one,
/// which is queued again with the new words.
pub(crate) async fn insert_in(
    tx: &mut Transaction<'static, Any>,
    messages: &[NewMessage],
) -> Result<()> {
    // A key twice in one statement would be an error on PostgreSQL ("cannot affect row a
    // second time"); one at a time, the second was left as it was. Keep the first.
    let mut seen = std::collections::HashSet::new();
    let messages: Vec<&NewMessage> = messages
        .iter()
        .filter(|m| seen.insert(m.dedupe_key.as_str()))
        .collect();
    if messages.is_empty() {
        return Ok(());
    }
    // One statement for all of them: a booking queues several (confirmation, reminder, ...),
    // and each statement is a round trip inside the booking's transaction.
    const PER_ROW: usize = 11;
    let rows: Vec<String> = (0..messages.len())
        .map(|i| {
            let p = |n: usize| format!("${}", i * PER_ROW + n);
            format!(
                "({}, {}, {}, {}, {}, {}, {}, {}, {}, 'queued', 0, {}, {})",
                p(1),
                p(2),
                p(3),
                p(4),
                p(5),
                p(6),
                p(7),
                p(8),
                p(9),
                p(10),
                p(11)
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO messages (id, tenant_id, appointment_id, kind, channel, dedupe_key, recipient, \
         payload, appointment_start, state, attempts, next_attempt_at, created_at) \
         VALUES {} \
         ON CONFLICT (dedupe_key) DO UPDATE SET state = 'queued', attempts = 0, \
         last_error = NULL, payload = excluded.payload, recipient = excluded.recipient, \
         next_attempt_at = excluded.next_attempt_at WHERE messages.state = 'dropped'",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for m in &messages {
        query = query
            .bind(m.id.to_string())
            .bind(m.tenant_id.to_string())
            .bind(m.appointment_id.map(|a| a.to_string()))
            .bind(m.kind.as_str())
            .bind(m.channel.as_str())
            .bind(&m.dedupe_key)
            .bind(&m.recipient)
            .bind(&m.payload)
            .bind(m.appointment_start.map(|t| t.as_second()))
            .bind(m.due.as_second())
            .bind(m.created_at.as_second());
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

impl Db {
    /// Messages not tied to an appointment change (replies, notices), in their own transaction.
    pub async fn insert_messages(&self, messages: &[NewMessage]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        insert_in(&mut tx, messages).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Claims up to `limit` due messages until `lease_until` (as the outcome outbox does: the
    /// lease condition is repeated outside so a concurrent claimer skips a taken row).
    pub async fn claim_due_messages(
        &self,
        token: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> Result<Vec<MessageRow>> {
        sqlx::query(
            "UPDATE messages SET lease_token = $1, lease_until = $2 \
             WHERE id IN (SELECT id FROM messages WHERE state = 'queued' \
                 AND next_attempt_at IS NOT NULL AND next_attempt_at <= $3 \
                 AND (lease_until IS NULL OR lease_until <= $3) \
                 ORDER BY next_attempt_at, created_at LIMIT $4) \
             AND state = 'queued' AND (lease_until IS NULL OR lease_until <= $3)",
        )
        .bind(token)
        .bind(lease_until.as_second())
        .bind(now.as_second())
        .bind(limit)
        .execute(&self.pool)
        .await?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM messages WHERE lease_token = $1 ORDER BY created_at"
        ))
        .bind(token)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Notes the end of a claimed message: sent, failed for good, or dropped.
    pub async fn finish_message(
        &self,
        id: &str,
        token: &str,
        state: MessageState,
        error: Option<&str>,
        now: Timestamp,
    ) -> Result<bool> {
        let counts = i64::from(state != MessageState::Dropped);
        let updated = sqlx::query(
            "UPDATE messages SET state = $1, attempts = attempts + $2, last_error = $3, \
             next_attempt_at = NULL, finished_at = $4, lease_token = NULL, lease_until = NULL \
             WHERE id = $5 AND lease_token = $6",
        )
        .bind(state.as_str())
        .bind(counts)
        .bind(error)
        .bind(now.as_second())
        .bind(id)
        .bind(token)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// A failed attempt that will be tried again at `next`.
    pub async fn retry_message_later(
        &self,
        id: &str,
        token: &str,
        error: &str,
        next: Timestamp,
    ) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE messages SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, \
             lease_token = NULL, lease_until = NULL WHERE id = $3 AND lease_token = $4",
        )
        .bind(error)
        .bind(next.as_second())
        .bind(id)
        .bind(token)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// The municipality's messages, newest first.
    pub async fn messages(&self, tenant: TenantId, limit: i64) -> Result<Vec<MessageRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM messages WHERE tenant_id = $1 \
             ORDER BY created_at DESC, next_attempt_at DESC LIMIT $2"
        ))
        .bind(tenant.to_string())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// An appointment's messages, oldest first.
    pub async fn messages_for_appointment(&self, id: AppointmentId) -> Result<Vec<MessageRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM messages WHERE appointment_id = $1 ORDER BY created_at, kind, channel"
        ))
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Sends a failed message again from now (an admin's retry).
    pub async fn requeue_message(&self, tenant: TenantId, id: &str, now: Timestamp) -> Result<()> {
        let updated = sqlx::query(
            "UPDATE messages SET state = 'queued', attempts = 0, next_attempt_at = $1 \
             WHERE tenant_id = $2 AND id = $3 AND state = 'failed'",
        )
        .bind(now.as_second())
        .bind(tenant.to_string())
        .bind(id)
        .execute(&self.pool)
        .await?;
        if updated.rows_affected() == 1 {
            Ok(())
        } else {
            Err(Error::NotFound("message"))
        }
    }

    /// Finished messages older than `before` lose their text and address (what remains: kind,
    /// channel, state and times). Returns how many were emptied.
    pub async fn empty_old_messages(&self, before: Timestamp) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE messages SET payload = '{}', recipient = '' \
             WHERE state <> 'queued' AND recipient <> '' AND created_at < $1",
        )
        .bind(before.as_second())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    pub async fn reminder_settings(&self, tenant: TenantId) -> Result<ReminderSettings> {
        let row = sqlx::query(
            "SELECT remind_day_before, remind_hour_before FROM message_settings WHERE tenant_id = $1",
        )
        .bind(tenant.to_string())
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(row) => ReminderSettings {
                day_before: row.try_get::<i64, _>("remind_day_before")? != 0,
                hour_before: row.try_get::<i64, _>("remind_hour_before")? != 0,
            },
            None => ReminderSettings::default(),
        })
    }

    pub async fn save_reminder_settings(
        &self,
        tenant: TenantId,
        settings: ReminderSettings,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO message_settings (tenant_id, remind_day_before, remind_hour_before) \
             VALUES ($1, $2, $3) ON CONFLICT (tenant_id) DO UPDATE SET \
             remind_day_before = excluded.remind_day_before, remind_hour_before = excluded.remind_hour_before",
        )
        .bind(tenant.to_string())
        .bind(super::flag(settings.day_before))
        .bind(super::flag(settings.hour_before))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The municipality's upcoming booked appointments with this phone number (E.164).
    pub async fn upcoming_by_phone(
        &self,
        tenant: TenantId,
        phone: &str,
        now: Timestamp,
    ) -> Result<Vec<AppointmentId>> {
        let rows = sqlx::query(
            "SELECT id FROM appointments WHERE tenant_id = $1 AND resident_phone = $2 \
             AND status = 'booked' AND starts_at > $3 ORDER BY starts_at",
        )
        .bind(tenant.to_string())
        .bind(phone)
        .bind(now.as_second())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| parsed(r, "id")).collect()
    }

    /// Whether the number ever booked with this municipality: a text from a number we never
    /// had gets no answer (nobody can make us text strangers).
    pub async fn phone_known(&self, tenant: TenantId, phone: &str) -> Result<bool> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM appointments WHERE tenant_id = $1 AND resident_phone = $2",
        )
        .bind(tenant.to_string())
        .bind(phone)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }
}
