use super::columns::parsed;
use super::Db;
use crate::domain::closing_days::{ClosingDay, PartOfDay};
use crate::domain::ids::{AppointmentId, TenantId};
use crate::error::{Error, Result};
use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::Row;

fn from_row(row: &AnyRow) -> Result<ClosingDay> {
    let start: Option<i64> = row.try_get("start_minute")?;
    let end: Option<i64> = row.try_get("end_minute")?;
    let part = match (start, end) {
        (Some(start), Some(end)) => Some(
            PartOfDay::new(start as u16, end as u16)
                .ok_or_else(|| Error::Internal("stored closing day has invalid minutes".into()))?,
        ),
        _ => None,
    };
    Ok(ClosingDay {
        id: parsed(row, "id")?,
        date: parsed(row, "day")?,
        part,
        name: row.try_get("name")?,
        holiday: row.try_get::<i64, _>("holiday")? != 0,
    })
}

impl Db {
    /// The tenant's closing days on local dates `from..=to`, by date and start.
    pub async fn closing_days(
        &self,
        tenant: TenantId,
        from: Date,
        to: Date,
    ) -> Result<Vec<ClosingDay>> {
        let rows = sqlx::query(
            "SELECT id, day, start_minute, end_minute, name, holiday FROM closing_days \
             WHERE tenant_id = $1 AND day >= $2 AND day <= $3 \
             ORDER BY day, COALESCE(start_minute, 0), id",
        )
        .bind(tenant.to_string())
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn add_closing_day(&self, tenant: TenantId, day: &ClosingDay) -> Result<()> {
        sqlx::query(
            "INSERT INTO closing_days (id, tenant_id, day, start_minute, end_minute, name, holiday) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(day.id.to_string())
        .bind(tenant.to_string())
        .bind(day.date.to_string())
        .bind(day.part.map(|p| i64::from(p.start_minute())))
        .bind(day.part.map(|p| i64::from(p.end_minute())))
        .bind(&day.name)
        .bind(i64::from(day.holiday))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes one of the tenant's closing days; `NotFound` for any other.
    pub async fn remove_closing_day(&self, tenant: TenantId, id: uuid::Uuid) -> Result<()> {
        let done = sqlx::query("DELETE FROM closing_days WHERE id = $1 AND tenant_id = $2")
            .bind(id.to_string())
            .bind(tenant.to_string())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound("closing day"));
        }
        Ok(())
    }

    /// Inserts `days` as the public holidays of `year`, unless that year was preloaded before
    /// (also by another request or instance at the same moment): the year's row decides.
    pub async fn preload_holidays(
        &self,
        tenant: TenantId,
        year: i16,
        days: &[ClosingDay],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let claimed = sqlx::query(
            "INSERT INTO closing_holiday_years (tenant_id, year) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(tenant.to_string())
        .bind(i64::from(year))
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            return Ok(());
        }
        for day in days {
            sqlx::query(
                "INSERT INTO closing_days (id, tenant_id, day, start_minute, end_minute, name, holiday) \
                 VALUES ($1, $2, $3, NULL, NULL, $4, 1)",
            )
            .bind(day.id.to_string())
            .bind(tenant.to_string())
            .bind(day.date.to_string())
            .bind(&day.name)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The years already preloaded for the tenant, from `from` on.
    pub async fn preloaded_holiday_years(&self, tenant: TenantId, from: i16) -> Result<Vec<i16>> {
        let rows = sqlx::query(
            "SELECT year FROM closing_holiday_years WHERE tenant_id = $1 AND year >= $2",
        )
        .bind(tenant.to_string())
        .bind(i64::from(from))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<i64, _>("year")? as i16))
            .collect()
    }

    /// The appointments already messaged about this closing day.
    pub async fn closing_day_messaged(&self, day: uuid::Uuid) -> Result<Vec<AppointmentId>> {
        let rows = sqlx::query(
            "SELECT appointment_id FROM closing_day_messages WHERE closing_day_id = $1",
        )
        .bind(day.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| parsed(r, "appointment_id")).collect()
    }

    pub async fn record_closing_day_message(
        &self,
        day: uuid::Uuid,
        appointment: AppointmentId,
        at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO closing_day_messages (closing_day_id, appointment_id, sent_at) \
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(day.to_string())
        .bind(appointment.to_string())
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
