//! Callback requests in SQL. Marking one handled is conditional on it being open, so two clerks
//! cannot both take the same call.

use super::columns::parsed;
use super::Db;
use crate::domain::callback::{CallbackId, CallbackRequest, PartOfDay};
use crate::domain::ids::{ClerkId, TenantId};
use crate::error::{Error, Result};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str = "id, tenant_id, service_id, resident_name, phone, part_of_day, \
    requested_at, handled_at, handled_by";

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
    })
}

impl Db {
    pub async fn insert_callback(&self, c: &CallbackRequest) -> Result<()> {
        sqlx::query(
            "INSERT INTO callback_requests (id, tenant_id, service_id, resident_name, phone, \
             part_of_day, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(c.id.to_string())
        .bind(c.tenant_id.to_string())
        .bind(c.service_id.to_string())
        .bind(&c.resident_name)
        .bind(&c.phone)
        .bind(c.part_of_day.as_str())
        .bind(c.requested_at.as_second())
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

    /// `false` when the request was already handled.
    pub async fn handle_callback(
        &self,
        tenant: TenantId,
        id: CallbackId,
        clerk: ClerkId,
        now: Timestamp,
    ) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE callback_requests SET handled_at = $1, handled_by = $2 \
             WHERE tenant_id = $3 AND id = $4 AND handled_at IS NULL",
        )
        .bind(now.as_second())
        .bind(clerk.to_string())
        .bind(tenant.to_string())
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
