//! Callback requests in SQL. An attempt is recorded only while the request is open, and the
//! attempt, the closing and the unreachable notice are written in one transaction.

use super::columns::parsed;
use super::Db;
use crate::domain::callback::{Attempt, CallbackId, CallbackRequest, Closed, PartOfDay};
use crate::domain::ids::TenantId;
use crate::domain::slots::Interval;
use crate::error::{Error, Result};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str = "id, tenant_id, service_id, resident_name, phone, part_of_day, \
    requested_at, handled_at, handled_by, promised_from, promised_until, closed_as";

fn corrupt(what: &str) -> Error {
    Error::Internal(format!("stored callback request has invalid {what}"))
}

fn from_row(row: &AnyRow) -> Result<CallbackRequest> {
    let ts = |s: i64| Timestamp::from_second(s).map_err(|_| corrupt("time"));
    Ok(CallbackRequest {
        id: parsed(row, "id")?,
        tenant_id: parsed(row, "tenant_id")?,
        service_id: parsed(row, "service_id")?,
        resident_name: row.try_get("resident_name")?,
        phone: row.try_get("phone")?,
        part_of_day: PartOfDay::parse(&row.try_get::<String, _>("part_of_day")?)
            .ok_or_else(|| corrupt("part of day"))?,
        requested_at: ts(row.try_get("requested_at")?)?,
        handled_at: row
            .try_get::<Option<i64>, _>("handled_at")?
            .map(ts)
            .transpose()?,
        handled_by: row
            .try_get::<Option<String>, _>("handled_by")?
            .map(|s| s.parse().map_err(|_| corrupt("clerk")))
            .transpose()?,
        promised: match (
            row.try_get::<Option<i64>, _>("promised_from")?,
            row.try_get::<Option<i64>, _>("promised_until")?,
        ) {
            (Some(from), Some(until)) => Some(Interval::new(ts(from)?, ts(until)?)),
            _ => None,
        },
        closed: row
            .try_get::<Option<String>, _>("closed_as")?
            .map(|s| Closed::parse(&s).ok_or_else(|| corrupt("closing")))
            .transpose()?,
    })
}

impl Db {
    pub async fn insert_callback(&self, c: &CallbackRequest) -> Result<()> {
        sqlx::query(
            "INSERT INTO callback_requests (id, tenant_id, service_id, resident_name, phone, \
             part_of_day, requested_at, promised_from, promised_until) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(c.id.to_string())
        .bind(c.tenant_id.to_string())
        .bind(c.service_id.to_string())
        .bind(&c.resident_name)
        .bind(&c.phone)
        .bind(c.part_of_day.as_str())
        .bind(c.requested_at.as_second())
        .bind(c.promised.map(|p| p.start.as_second()))
        .bind(c.promised.map(|p| p.end.as_second()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Requests nobody has handled yet, oldest first.
    pub async fn open_callbacks(&self, tenant: TenantId) -> Result<Vec<CallbackRequest>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM callback_requests WHERE tenant_id = $1 AND handled_at IS NULL \
             ORDER BY requested_at, id"
        ))
        .bind(tenant.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn callback(&self, tenant: TenantId, id: CallbackId) -> Result<CallbackRequest> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM callback_requests WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound("callback request"))?;
        from_row(&row)
    }

    /// Records one attempt to phone, in one transaction with what it decides: `decide` gets the
    /// number of earlier attempts that did not reach the resident and says whether the request
    /// closes now. An unreachable close also writes the `callback_unreachable` notice. `None`
    /// when the request was already closed (nothing is written).
    pub async fn record_callback_attempt(
        &self,
        tenant: TenantId,
        id: CallbackId,
        attempt: &Attempt,
        decide: impl FnOnce(usize) -> Option<Closed>,
    ) -> Result<Option<Option<Closed>>> {
        let mut tx = self.begin_write().await?;
        // Writing first takes the row (PostgreSQL) or the database (SQLite) for this
        // transaction, so two clerks recording at once are counted one after the other.
        let open = sqlx::query(
            "UPDATE callback_requests SET id = id \
             WHERE tenant_id = $1 AND id = $2 AND handled_at IS NULL",
        )
        .bind(tenant.to_string())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        if open.rows_affected() != 1 {
            return Ok(None);
        }
        let failed: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM callback_attempts WHERE callback_id = $1 AND reached = 0",
        )
        .bind(id.to_string())
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        sqlx::query(
            "INSERT INTO callback_attempts (id, callback_id, clerk_id, attempted_at, reached, note) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(id.to_string())
        .bind(attempt.clerk.to_string())
        .bind(attempt.at.as_second())
        .bind(i64::from(attempt.reached))
        .bind(&attempt.note)
        .execute(&mut *tx)
        .await?;
        let closed = decide(usize::try_from(failed).unwrap_or(usize::MAX));
        if let Some(closed) = closed {
            sqlx::query(
                "UPDATE callback_requests SET handled_at = $1, handled_by = $2, closed_as = $3 \
                 WHERE tenant_id = $4 AND id = $5",
            )
            .bind(attempt.at.as_second())
            .bind(attempt.clerk.to_string())
            .bind(closed.as_str())
            .bind(tenant.to_string())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
            if closed == Closed::Unreachable {
                sqlx::query(
                    "INSERT INTO callback_notices (callback_id, tenant_id, kind, created_at) \
                     VALUES ($1, $2, 'callback_unreachable', $3)",
                )
                .bind(id.to_string())
                .bind(tenant.to_string())
                .bind(attempt.at.as_second())
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(Some(closed))
    }

    /// The attempts on one request, oldest first.
    pub async fn callback_attempts(&self, id: CallbackId) -> Result<Vec<Attempt>> {
        let rows = sqlx::query(
            "SELECT clerk_id, attempted_at, reached, note FROM callback_attempts \
             WHERE callback_id = $1 ORDER BY attempted_at, id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Attempt {
                    at: Timestamp::from_second(row.try_get("attempted_at")?)
                        .map_err(|_| corrupt("time"))?,
                    clerk: parsed(row, "clerk_id")?,
                    reached: row.try_get::<i64, _>("reached")? != 0,
                    note: row.try_get("note")?,
                })
            })
            .collect()
    }

    /// Requests closed as unreachable whose resident has not been told yet, oldest first.
    pub async fn untold_unreachable_callbacks(&self, limit: i64) -> Result<Vec<CallbackRequest>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM callback_requests r JOIN callback_notices n ON n.callback_id = r.id \
             WHERE n.kind = 'callback_unreachable' AND n.sent_at IS NULL \
             ORDER BY n.created_at, r.id LIMIT $1",
            COLUMNS
                .split(", ")
                .map(|c| format!("r.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Marks the resident told; `false` when it already was.
    pub async fn mark_unreachable_told(&self, id: CallbackId, now: Timestamp) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE callback_notices SET sent_at = $1 WHERE callback_id = $2 AND sent_at IS NULL",
        )
        .bind(now.as_second())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// Callback requests handled within `[from, to)`.
    pub async fn handled_callbacks(
        &self,
        tenant: TenantId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM callback_requests WHERE tenant_id = $1 \
             AND handled_at >= $2 AND handled_at < $3",
        )
        .bind(tenant.to_string())
        .bind(from.as_second())
        .bind(to.as_second())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }
}
