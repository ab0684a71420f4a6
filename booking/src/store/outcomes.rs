//! SQL for outcomes, the outbox, case store settings and the built-in case store.

use super::Db;
use crate::adapters::case_store::{CaseDelivery, CaseStoreSettings};
use crate::domain::access_log::AccessEntry;
use crate::domain::ids::ClerkId;
use crate::domain::ids::{ServiceId, TenantId};
use crate::domain::outbox::{AfterFailure, DeliveryState};
use crate::domain::outcome::{
    default_results, FollowUp, Outcome, ResultOption, Subject, UnfinishedOutcome,
};
use crate::domain::queue::QueueEntryId;
use crate::domain::tenant::TimeZoneName;
use crate::error::{Conflict, Error, Result};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

fn corrupt(what: &str) -> Error {
    Error::Internal(format!("stored outcome has invalid {what}"))
}

fn ts(row: &AnyRow, col: &str) -> Result<Timestamp> {
    Timestamp::from_second(row.try_get(col)?).map_err(|_| corrupt(col))
}

fn opt_ts(row: &AnyRow, col: &str) -> Result<Option<Timestamp>> {
    row.try_get::<Option<i64>, _>(col)?
        .map(|s| Timestamp::from_second(s).map_err(|_| corrupt(col)))
        .transpose()
}

fn parse<T: std::str::FromStr>(row: &AnyRow, col: &str) -> Result<T> {
    row.try_get::<String, _>(col)?
        .parse()
        .map_err(|_| corrupt(col))
}

const OUTCOME_COLUMNS: &str =
    "o.id, o.tenant_id, o.appointment_id, o.queue_entry_id, o.callback_id, \
    o.version, o.result_code, o.result_label, o.notes, o.follow_up, o.callback_on, o.sources, \
    o.recorded_by, o.recorded_at";

fn opt_parse<T: std::str::FromStr>(row: &AnyRow, col: &str) -> Result<Option<T>> {
    row.try_get::<Option<String>, _>(col)?
        .map(|raw| raw.parse().map_err(|_| corrupt(col)))
        .transpose()
}

/// The row's subject from its three columns (exactly one set, as the CHECK says).
fn subject_from_row(row: &AnyRow) -> Result<Subject> {
    Subject::from_columns(
        opt_parse(row, "appointment_id")?,
        opt_parse(row, "queue_entry_id")?,
        opt_parse(row, "callback_id")?,
    )
    .ok_or_else(|| corrupt("subject"))
}

/// The values of the three subject columns, in the order appointment, queue entry, callback.
fn subject_columns(subject: Subject) -> [Option<String>; 3] {
    [
        subject.appointment().map(|id| id.to_string()),
        subject.queue_entry().map(|id| id.to_string()),
        subject.callback().map(|id| id.to_string()),
    ]
}

fn outcome_from_row(row: &AnyRow) -> Result<Outcome> {
    let sources: Vec<String> = serde_json::from_str(&row.try_get::<String, _>("sources")?)
        .map_err(|_| corrupt("sources"))?;
    Ok(Outcome {
        id: parse(row, "id")?,
        tenant_id: parse(row, "tenant_id")?,
        subject: subject_from_row(row)?,
        version: u32::try_from(row.try_get::<i64, _>("version")?)
            .map_err(|_| corrupt("version"))?,
        result_code: row.try_get("result_code")?,
        result_label: row.try_get("result_label")?,
        notes: row.try_get("notes")?,
        follow_up: FollowUp::from_parts(
            &row.try_get::<String, _>("follow_up")?,
            row.try_get::<Option<String>, _>("callback_on")?.as_deref(),
        )
        .ok_or_else(|| corrupt("follow-up"))?,
        sources,
        recorded_by: parse(row, "recorded_by")?,
        recorded_at: ts(row, "recorded_at")?,
    })
}

/// An outbox row as shown to clerks and admins.
#[derive(Clone, Debug)]
pub struct OutboxEntry {
    pub id: Uuid,
    pub subject: Subject,
    pub outcome_id: Uuid,
    pub version: u32,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at: Option<Timestamp>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
}

const OUTBOX_COLUMNS: &str =
    "id, appointment_id, queue_entry_id, callback_id, outcome_id, version, state, attempts, \
    next_attempt_at, last_error, created_at, delivered_at";

fn outbox_from_row(row: &AnyRow) -> Result<OutboxEntry> {
    Ok(OutboxEntry {
        id: parse(row, "id")?,
        subject: subject_from_row(row)?,
        outcome_id: parse(row, "outcome_id")?,
        version: u32::try_from(row.try_get::<i64, _>("version")?)
            .map_err(|_| corrupt("version"))?,
        state: DeliveryState::parse(&row.try_get::<String, _>("state")?)
            .ok_or_else(|| corrupt("state"))?,
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?)
            .map_err(|_| corrupt("attempts"))?,
        next_attempt_at: opt_ts(row, "next_attempt_at")?,
        last_error: row.try_get("last_error")?,
        created_at: ts(row, "created_at")?,
        delivered_at: opt_ts(row, "delivered_at")?,
    })
}

/// An event a worker claimed: what to deliver, and how many attempts went before.
#[derive(Clone, Debug)]
pub struct ClaimedEvent {
    pub delivery: CaseDelivery,
    pub attempts: u32,
}

/// A case in the built-in store with its events, oldest first.
#[derive(Clone, Debug)]
pub struct BuiltinCase {
    pub id: Uuid,
    pub subject: Subject,
    pub title: String,
    pub opened_at: Timestamp,
    pub events: Vec<BuiltinCaseEvent>,
}

#[derive(Clone, Debug)]
pub struct BuiltinCaseEvent {
    pub idempotency_key: String,
    pub version: u32,
    pub payload: serde_json::Value,
    pub recorded_at: Timestamp,
    pub stored_at: Timestamp,
}

impl Db {
    /// The service's result list, or the default list when none was configured.
    pub async fn service_results(&self, service: ServiceId) -> Result<Vec<ResultOption>> {
        let rows = sqlx::query(
            "SELECT code, label FROM service_results WHERE service_id = $1 ORDER BY position",
        )
        .bind(service.to_string())
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Ok(default_results());
        }
        rows.iter()
            .map(|r| {
                Ok(ResultOption {
                    code: r.try_get("code")?,
                    label: r.try_get("label")?,
                })
            })
            .collect()
    }

    /// Replaces the service's result list. Outcomes already recorded keep the label they were
    /// recorded with.
    pub async fn set_service_results(
        &self,
        service: ServiceId,
        results: &[ResultOption],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM service_results WHERE service_id = $1")
            .bind(service.to_string())
            .execute(&mut *tx)
            .await?;
        for (position, r) in results.iter().enumerate() {
            sqlx::query(
                "INSERT INTO service_results (service_id, code, label, position) VALUES ($1, $2, $3, $4)",
            )
            .bind(service.to_string())
            .bind(&r.code)
            .bind(&r.label)
            .bind(position as i64)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The outcome events of an appointment, walk-in or callback, in version order.
    pub async fn outcomes(
        &self,
        tenant: TenantId,
        subject: impl Into<Subject>,
    ) -> Result<Vec<Outcome>> {
        let subject = subject.into();
        let rows = sqlx::query(&format!(
            "SELECT {OUTCOME_COLUMNS} FROM outcomes o WHERE o.tenant_id = $1 AND o.{} = $2 \
             ORDER BY o.version",
            subject.column()
        ))
        .bind(tenant.to_string())
        .bind(subject.id().to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outcome_from_row).collect()
    }

    /// Writes the outcome and its outbox event in one transaction: either both exist or
    /// neither, so no recorded outcome can miss its delivery. Returns the event id. A
    /// concurrent recording of the same version loses with `Conflict`. The access log entries
    /// for the sources consulted go in the same transaction, so no consulted source is unlogged.
    /// `draft` is the clerk's unfinished outcome for the queue entry, deleted in the same
    /// transaction: recorded, it is no longer a draft.
    pub async fn insert_outcome(
        &self,
        o: &Outcome,
        access: &[AccessEntry],
        draft: Option<(ClerkId, QueueEntryId)>,
    ) -> Result<Uuid> {
        let event = Uuid::new_v4();
        let sources =
            serde_json::to_string(&o.sources).map_err(|e| Error::Internal(e.to_string()))?;
        let [appointment, queue_entry, callback] = subject_columns(o.subject);
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO outcomes (id, tenant_id, appointment_id, queue_entry_id, callback_id, version, \
             result_code, result_label, notes, follow_up, callback_on, sources, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $13, $14, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(o.id.to_string())
        .bind(o.tenant_id.to_string())
        .bind(appointment.clone())
        .bind(i64::from(o.version))
        .bind(&o.result_code)
        .bind(&o.result_label)
        .bind(&o.notes)
        .bind(o.follow_up.kind())
        .bind(o.follow_up.callback_on().map(|d| d.to_string()))
        .bind(sources)
        .bind(o.recorded_by.to_string())
        .bind(o.recorded_at.as_second())
        .bind(queue_entry.clone())
        .bind(callback.clone())
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            return Err(if super::is_unique_violation(&e) {
                Error::Conflict(Conflict::OutcomeChangedMeanwhile { version: None })
            } else {
                e.into()
            });
        }
        sqlx::query(
            "INSERT INTO outbox (id, tenant_id, appointment_id, queue_entry_id, callback_id, outcome_id, \
             version, state, attempts, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $7, $8, $4, $5, 'pending', 0, $6, $6)",
        )
        .bind(event.to_string())
        .bind(o.tenant_id.to_string())
        .bind(appointment)
        .bind(o.id.to_string())
        .bind(i64::from(o.version))
        .bind(o.recorded_at.as_second())
        .bind(queue_entry)
        .bind(callback)
        .execute(&mut *tx)
        .await?;
        for entry in access {
            super::access_log::insert(&mut tx, entry).await?;
        }
        if let Some((clerk, entry)) = draft {
            sqlx::query("DELETE FROM outcome_drafts WHERE clerk_id = $1 AND queue_entry_id = $2")
                .bind(clerk.to_string())
                .bind(entry.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(event)
    }

    /// Keeps the clerk's unfinished outcome for a queue entry, over the one kept before.
    pub async fn keep_unfinished_outcome(
        &self,
        tenant: TenantId,
        clerk: ClerkId,
        entry: QueueEntryId,
        u: &UnfinishedOutcome,
        now: Timestamp,
    ) -> Result<()> {
        let sources =
            serde_json::to_string(&u.sources).map_err(|e| Error::Internal(e.to_string()))?;
        sqlx::query(
            "INSERT INTO outcome_drafts (clerk_id, queue_entry_id, tenant_id, result_code, notes, \
             follow_up, sources, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (clerk_id, queue_entry_id) DO UPDATE SET result_code = excluded.result_code, \
             notes = excluded.notes, follow_up = excluded.follow_up, sources = excluded.sources, \
             updated_at = excluded.updated_at",
        )
        .bind(clerk.to_string())
        .bind(entry.to_string())
        .bind(tenant.to_string())
        .bind(&u.result)
        .bind(&u.notes)
        .bind(&u.follow_up)
        .bind(sources)
        .bind(now.as_second())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The clerk's unfinished outcome for a queue entry, if one is kept.
    pub async fn unfinished_outcome(
        &self,
        tenant: TenantId,
        clerk: ClerkId,
        entry: QueueEntryId,
    ) -> Result<Option<UnfinishedOutcome>> {
        let row = sqlx::query(
            "SELECT result_code, notes, follow_up, sources FROM outcome_drafts \
             WHERE tenant_id = $1 AND clerk_id = $2 AND queue_entry_id = $3",
        )
        .bind(tenant.to_string())
        .bind(clerk.to_string())
        .bind(entry.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(UnfinishedOutcome {
                result: r.try_get("result_code")?,
                notes: r.try_get("notes")?,
                follow_up: r.try_get("follow_up")?,
                sources: serde_json::from_str(&r.try_get::<String, _>("sources")?)
                    .map_err(|_| corrupt("draft sources"))?,
            })
        })
        .transpose()
    }

    /// Deletes unfinished outcomes last saved before `before`: their notes are personal data,
    /// kept no longer than the municipality's retention period. Returns how many.
    pub async fn erase_unfinished_outcomes_before(
        &self,
        tenant: TenantId,
        before: Timestamp,
    ) -> Result<u64> {
        let deleted =
            sqlx::query("DELETE FROM outcome_drafts WHERE tenant_id = $1 AND updated_at < $2")
                .bind(tenant.to_string())
                .bind(before.as_second())
                .execute(&self.pool)
                .await?;
        Ok(deleted.rows_affected())
    }

    /// The outbox events of an appointment, walk-in or callback, in version order.
    pub async fn deliveries_for(
        &self,
        tenant: TenantId,
        subject: impl Into<Subject>,
    ) -> Result<Vec<OutboxEntry>> {
        let subject = subject.into();
        let rows = sqlx::query(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE tenant_id = $1 AND {} = $2 ORDER BY version",
            subject.column()
        ))
        .bind(tenant.to_string())
        .bind(subject.id().to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outbox_from_row).collect()
    }

    /// The municipality's deliveries in one state, oldest first.
    pub async fn deliveries_in_state(
        &self,
        tenant: TenantId,
        state: DeliveryState,
        limit: i64,
    ) -> Result<Vec<OutboxEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE tenant_id = $1 AND state = $2 \
             ORDER BY created_at, id LIMIT $3"
        ))
        .bind(tenant.to_string())
        .bind(state.as_str())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outbox_from_row).collect()
    }

    /// Counts of the municipality's events per state: (pending, delivered, failing).
    pub async fn delivery_counts(&self, tenant: TenantId) -> Result<(i64, i64, i64)> {
        let rows = sqlx::query(
            "SELECT state, COUNT(*) AS n FROM outbox WHERE tenant_id = $1 GROUP BY state",
        )
        .bind(tenant.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut counts = (0, 0, 0);
        for row in rows {
            let n: i64 = row.try_get("n")?;
            match row.try_get::<String, _>("state")?.as_str() {
                "pending" => counts.0 = n,
                "delivered" => counts.1 = n,
                "failing" => counts.2 = n,
                _ => return Err(corrupt("state")),
            }
        }
        Ok(counts)
    }

    /// An admin's retry: the failing event is due now. `NotFound` unless it is this
    /// municipality's and failing.
    pub async fn retry_delivery(&self, tenant: TenantId, id: Uuid, now: Timestamp) -> Result<()> {
        let updated = sqlx::query(
            "UPDATE outbox SET state = 'pending', next_attempt_at = $1 \
             WHERE id = $2 AND tenant_id = $3 AND state = 'failing'",
        )
        .bind(now.as_second())
        .bind(id.to_string())
        .bind(tenant.to_string())
        .execute(&self.pool)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(Error::NotFound("failing delivery"));
        }
        Ok(())
    }

    /// An admin's retry of everything failing, e.g. after fixing the case store settings.
    /// Returns how many events are due again.
    pub async fn retry_all_failing(&self, tenant: TenantId, now: Timestamp) -> Result<u64> {
        let updated = sqlx::query(
            "UPDATE outbox SET state = 'pending', next_attempt_at = $1 \
             WHERE tenant_id = $2 AND state = 'failing'",
        )
        .bind(now.as_second())
        .bind(tenant.to_string())
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected())
    }

    /// Claims up to `limit` due events for one worker until `lease_until`.
    ///
    /// Due: not delivered, next attempt reached, no live lease, and every earlier version of
    /// the same appointment delivered (a correction must not overtake what it corrects). The
    /// lease condition is repeated in the outer WHERE: on PostgreSQL a concurrent claimer then
    /// re-checks the row it waited for and skips it, so one event has one live claim.
    pub async fn claim_due(
        &self,
        token: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> Result<Vec<ClaimedEvent>> {
        sqlx::query(
            "UPDATE outbox SET lease_token = $1, lease_until = $2 \
             WHERE id IN (SELECT o.id FROM outbox o \
                 WHERE o.state <> 'delivered' AND o.next_attempt_at IS NOT NULL AND o.next_attempt_at <= $3 \
                 AND (o.lease_until IS NULL OR o.lease_until <= $3) \
                 AND NOT EXISTS (SELECT 1 FROM outbox p WHERE (p.appointment_id = o.appointment_id \
                     OR p.queue_entry_id = o.queue_entry_id OR p.callback_id = o.callback_id) \
                     AND p.version < o.version AND p.state <> 'delivered') \
                 ORDER BY o.next_attempt_at, o.created_at LIMIT $4) \
             AND state <> 'delivered' AND (lease_until IS NULL OR lease_until <= $3)",
        )
        .bind(token)
        .bind(lease_until.as_second())
        .bind(now.as_second())
        .bind(limit)
        .execute(&self.pool)
        .await?;
        let rows = sqlx::query(&format!(
            "SELECT x.id AS event_id, x.attempts, {OUTCOME_COLUMNS}, s.name AS service_name, \
             COALESCE(a.resident_name, q.resident_name, cb.resident_name) AS resident_name, \
             COALESCE(a.resident_email, '') AS resident_email, \
             COALESCE(a.starts_at, q.first_called_at, q.joined_at, cb.handled_at, cb.requested_at) AS starts_at, \
             t.time_zone \
             FROM outbox x JOIN outcomes o ON o.id = x.outcome_id \
             LEFT JOIN appointments a ON a.id = x.appointment_id \
             LEFT JOIN queue_entries q ON q.id = x.queue_entry_id \
             LEFT JOIN callback_requests cb ON cb.id = x.callback_id \
             JOIN services s ON s.id = COALESCE(a.service_id, q.service_id, cb.service_id) \
             JOIN tenants t ON t.id = x.tenant_id \
             WHERE x.lease_token = $1 ORDER BY x.created_at"
        ))
        .bind(token)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let outcome = outcome_from_row(row)?;
                let start = ts(row, "starts_at")?;
                let tz = TimeZoneName::parse(&row.try_get::<String, _>("time_zone")?)
                    .ok_or_else(|| corrupt("time zone"))?;
                Ok(ClaimedEvent {
                    attempts: u32::try_from(row.try_get::<i64, _>("attempts")?)
                        .map_err(|_| corrupt("attempts"))?,
                    delivery: CaseDelivery {
                        key: row.try_get("event_id")?,
                        tenant_id: outcome.tenant_id,
                        subject: outcome.subject,
                        service_name: row.try_get("service_name")?,
                        resident_name: row.try_get("resident_name")?,
                        resident_email: row.try_get("resident_email")?,
                        contact_start: start,
                        contact_date: start.to_zoned(tz.tz().clone()).date(),
                        outcome,
                    },
                })
            })
            .collect()
    }

    /// Notes a delivery. False when the claim was lost (the lease ran out and another worker
    /// took over); the store saw the event either way and ignores the repeat.
    pub async fn mark_delivered(&self, id: &str, token: &str, now: Timestamp) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE outbox SET state = 'delivered', delivered_at = $1, attempts = attempts + 1, \
             next_attempt_at = NULL, last_error = NULL, lease_token = NULL, lease_until = NULL \
             WHERE id = $2 AND lease_token = $3",
        )
        .bind(now.as_second())
        .bind(id)
        .bind(token)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    pub async fn mark_failed(&self, id: &str, token: &str, after: &AfterFailure) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE outbox SET state = 'failing', attempts = attempts + 1, last_error = $1, \
             next_attempt_at = $2, lease_token = NULL, lease_until = NULL \
             WHERE id = $3 AND lease_token = $4",
        )
        .bind(&after.last_error)
        .bind(after.next_attempt_at.map(|t| t.as_second()))
        .bind(id)
        .bind(token)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// The municipality's case store; the built-in one when none was chosen.
    pub async fn case_store_settings(&self, tenant: TenantId) -> Result<CaseStoreSettings> {
        let row = sqlx::query("SELECT config FROM case_store_settings WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(CaseStoreSettings::Builtin),
            Some(row) => CaseStoreSettings::from_config(&row.try_get::<String, _>("config")?),
        }
    }

    pub async fn save_case_store_settings(
        &self,
        tenant: TenantId,
        settings: &CaseStoreSettings,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO case_store_settings (tenant_id, kind, config, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id) DO UPDATE SET kind = excluded.kind, config = excluded.config, \
             updated_at = excluded.updated_at",
        )
        .bind(tenant.to_string())
        .bind(settings.kind())
        .bind(settings.to_config()?)
        .bind(now.as_second())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The built-in store's side of a delivery: opens the appointment's case if needed and
    /// adds the event once. Both inserts ignore a repeat, so a redelivery changes nothing.
    pub async fn store_case_event(&self, d: &CaseDelivery, now: Timestamp) -> Result<()> {
        let payload = serde_json::json!({
            "version": d.outcome.version,
            "result_code": d.outcome.result_code,
            "result_label": d.outcome.result_label,
            "notes": d.outcome.notes,
            "follow_up": d.outcome.follow_up,
            "sources": d.outcome.sources,
            "recorded_by": d.outcome.recorded_by,
        })
        .to_string();
        let column = d.subject.column();
        let title = match d.subject {
            Subject::Appointment(_) => format!("{} - {}", d.service_name, d.resident_name),
            Subject::WalkIn(_) => format!("{} - {} (inloop)", d.service_name, d.resident_name),
            Subject::Callback(_) => {
                format!("{} - {} (terugbellen)", d.service_name, d.resident_name)
            }
        };
        let mut tx = self.begin_write().await?;
        // A case per subject (each subject column is unique): a repeat conflicts and is ignored.
        sqlx::query(&format!(
            "INSERT INTO cases (id, tenant_id, {column}, title, opened_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT DO NOTHING"
        ))
        .bind(Uuid::new_v4().to_string())
        .bind(d.tenant_id.to_string())
        .bind(d.subject.id().to_string())
        .bind(title)
        .bind(now.as_second())
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "INSERT INTO case_events (id, case_id, idempotency_key, version, payload, recorded_at, stored_at) \
             SELECT $1, c.id, $2, $3, $4, $5, $6 FROM cases c WHERE c.{column} = $7 \
             ON CONFLICT (idempotency_key) DO NOTHING"
        ))
        .bind(Uuid::new_v4().to_string())
        .bind(&d.key)
        .bind(i64::from(d.outcome.version))
        .bind(payload)
        .bind(d.outcome.recorded_at.as_second())
        .bind(now.as_second())
        .bind(d.subject.id().to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The built-in case of an appointment, walk-in or callback, if anything was delivered yet.
    pub async fn builtin_case(
        &self,
        tenant: TenantId,
        subject: impl Into<Subject>,
    ) -> Result<Option<BuiltinCase>> {
        let subject = subject.into();
        let Some(case) = sqlx::query(&format!(
            "SELECT id, title, opened_at FROM cases WHERE tenant_id = $1 AND {} = $2",
            subject.column()
        ))
        .bind(tenant.to_string())
        .bind(subject.id().to_string())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let id: Uuid = parse(&case, "id")?;
        let rows = sqlx::query(
            "SELECT idempotency_key, version, payload, recorded_at, stored_at FROM case_events \
             WHERE case_id = $1 ORDER BY version, stored_at",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let events = rows
            .iter()
            .map(|r| {
                Ok(BuiltinCaseEvent {
                    idempotency_key: r.try_get("idempotency_key")?,
                    version: u32::try_from(r.try_get::<i64, _>("version")?)
                        .map_err(|_| corrupt("version"))?,
                    payload: serde_json::from_str(&r.try_get::<String, _>("payload")?)
                        .map_err(|_| corrupt("payload"))?,
                    recorded_at: ts(r, "recorded_at")?,
                    stored_at: ts(r, "stored_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(BuiltinCase {
            id,
            subject,
            title: case.try_get("title")?,
            opened_at: ts(&case, "opened_at")?,
            events,
        }))
    }

    /// How many events the built-in store holds for the municipality; tests count deliveries
    /// with it.
    pub async fn builtin_case_event_count(&self, tenant: TenantId) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.tenant_id = $1",
        )
        .bind(tenant.to_string())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }
}
