//! SQL for the dashboard's raw facts of one municipality and period; `dashboard` counts them.

use super::Db;
use crate::domain::callback::PartOfDay;
use crate::domain::dashboard::{AppointmentFact, CallbackFact, Facts, FeedbackFact, QueueFact};
use crate::domain::ids::{ServiceId, TenantId};
use crate::error::{Error, Result};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

fn corrupt() -> Error {
    Error::Internal("stored dashboard fact is invalid".into())
}

fn service(row: &AnyRow) -> Result<ServiceId> {
    row.try_get::<String, _>("service_id")?
        .parse()
        .map_err(|_| corrupt())
}

fn ts(row: &AnyRow, col: &str) -> Result<Timestamp> {
    Timestamp::from_second(row.try_get(col)?).map_err(|_| corrupt())
}

fn opt_ts(row: &AnyRow, col: &str) -> Result<Option<Timestamp>> {
    row.try_get::<Option<i64>, _>(col)?
        .map(|s| Timestamp::from_second(s).map_err(|_| corrupt()))
        .transpose()
}

impl Db {
    /// Everything the dashboard counts that happened in `[from, to)`, for one municipality.
    pub async fn dashboard_facts(
        &self,
        tenant: TenantId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Facts> {
        let bind = |sql: &'static str| {
            sqlx::query(sql)
                .bind(tenant.to_string())
                .bind(from.as_second())
                .bind(to.as_second())
        };
        let appointments = bind(
            "SELECT a.service_id, a.starts_at, a.status, \
             (SELECT COUNT(*) FROM queue_entries q WHERE q.appointment_id = a.id) AS entries \
             FROM appointments a WHERE a.tenant_id = $1 AND a.starts_at >= $2 AND a.starts_at < $3",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(AppointmentFact {
                service: service(r)?,
                start: ts(r, "starts_at")?,
                cancelled: r.try_get::<String, _>("status")? == "cancelled",
                checked_in: r.try_get::<i64, _>("entries")? > 0,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let queue = bind(
            "SELECT service_id, joined_at, due_at, first_called_at, answered_at, status \
             FROM queue_entries WHERE tenant_id = $1 AND joined_at >= $2 AND joined_at < $3",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(QueueFact {
                service: service(r)?,
                joined: ts(r, "joined_at")?,
                due: opt_ts(r, "due_at")?,
                first_called: opt_ts(r, "first_called_at")?,
                answered: opt_ts(r, "answered_at")?.is_some(),
                missed: r.try_get::<String, _>("status")? == "missed",
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let feedback = bind(
            "SELECT service_id, given_at, rating, complaint, handled_at FROM feedback \
             WHERE tenant_id = $1 AND given_at >= $2 AND given_at < $3",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(FeedbackFact {
                service: service(r)?,
                given: ts(r, "given_at")?,
                rating: u8::try_from(r.try_get::<i64, _>("rating")?).map_err(|_| corrupt())?,
                open_complaint: r.try_get::<i64, _>("complaint")? != 0
                    && opt_ts(r, "handled_at")?.is_none(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let callbacks = bind(
            "SELECT service_id, requested_at, part_of_day, handled_at, promised_from, \
             promised_until, (SELECT MIN(a.attempted_at) FROM callback_attempts a \
             WHERE a.callback_id = callback_requests.id) AS first_attempt \
             FROM callback_requests \
             WHERE tenant_id = $1 AND requested_at >= $2 AND requested_at < $3",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(CallbackFact {
                service: service(r)?,
                requested: ts(r, "requested_at")?,
                part_of_day: PartOfDay::parse(&r.try_get::<String, _>("part_of_day")?)
                    .ok_or_else(|| Error::Internal("unknown part of day in the database".into()))?,
                promised: match (opt_ts(r, "promised_from")?, opt_ts(r, "promised_until")?) {
                    (Some(from), Some(until)) => {
                        Some(crate::domain::slots::Interval::new(from, until))
                    }
                    _ => None,
                },
                // Requests closed before attempts were recorded count by when they were closed.
                first_attempt: match opt_ts(r, "first_attempt")? {
                    Some(first) => Some(first),
                    None => opt_ts(r, "handled_at")?,
                },
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(Facts {
            appointments,
            queue,
            feedback,
            callbacks,
        })
    }
}
