//! SQL for the services' information sources and the residents' choices per source.

use super::Db;
use crate::domain::consent::{Choice, ChoiceRecord, InfoSource};
use crate::domain::ids::{AppointmentId, ServiceId, TenantId};
use crate::error::{Conflict, Error, Result};
use jiff::Timestamp;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

impl Db {
    /// The service's sources in display order; empty when none were configured.
    pub async fn service_sources(&self, service: ServiceId) -> Result<Vec<InfoSource>> {
        let rows = sqlx::query(
            "SELECT code, label, reason FROM service_sources WHERE service_id = $1 \
             ORDER BY position",
        )
        .bind(service.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(InfoSource {
                    code: r.try_get("code")?,
                    label: r.try_get("label")?,
                    reason: r.try_get("reason")?,
                })
            })
            .collect()
    }

    /// Replaces the service's source list. Choices already made stay in the history.
    pub async fn set_service_sources(
        &self,
        service: ServiceId,
        sources: &[InfoSource],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM service_sources WHERE service_id = $1")
            .bind(service.to_string())
            .execute(&mut *tx)
            .await?;
        for (position, s) in sources.iter().enumerate() {
            sqlx::query(
                "INSERT INTO service_sources (service_id, code, label, reason, position) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(service.to_string())
            .bind(&s.code)
            .bind(&s.label)
            .bind(&s.reason)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every choice made for the appointment, oldest first.
    pub async fn consent_history(
        &self,
        tenant: TenantId,
        appointment: AppointmentId,
    ) -> Result<Vec<ChoiceRecord>> {
        let rows = sqlx::query(
            "SELECT source_code, choice, chosen_at FROM consent_choices \
             WHERE tenant_id = $1 AND appointment_id = $2 ORDER BY seq",
        )
        .bind(tenant.to_string())
        .bind(appointment.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let corrupt = || Error::Internal("stored consent choice is invalid".into());
                Ok(ChoiceRecord {
                    source_code: r.try_get("source_code")?,
                    choice: Choice::parse(&r.try_get::<String, _>("choice")?)
                        .ok_or_else(corrupt)?,
                    chosen_at: Timestamp::from_second(r.try_get("chosen_at")?)
                        .map_err(|_| corrupt())?,
                })
            })
            .collect()
    }

    /// Appends choices in one transaction. Two concurrent changes would take the same
    /// sequence number; the unique key turns that into a conflict instead of an unordered tie.
    pub async fn append_choices(
        &self,
        tenant: TenantId,
        appointment: AppointmentId,
        choices: &[(String, Choice)],
        at: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let last: i64 = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) AS last FROM consent_choices WHERE appointment_id = $1",
        )
        .bind(appointment.to_string())
        .fetch_one(&mut *tx)
        .await?
        .try_get("last")?;
        insert_choices(&mut tx, tenant, appointment, choices, last + 1, at).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Inserts choices numbered from `first_seq`, inside the caller's transaction (a change through
/// the personal link, or the choices made with the booking itself).
pub(super) async fn insert_choices(
    conn: &mut AnyConnection,
    tenant: TenantId,
    appointment: AppointmentId,
    choices: &[(String, Choice)],
    first_seq: i64,
    at: Timestamp,
) -> Result<()> {
    for (i, (code, choice)) in choices.iter().enumerate() {
        let inserted = sqlx::query(
            "INSERT INTO consent_choices \
             (id, tenant_id, appointment_id, source_code, choice, chosen_at, seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(tenant.to_string())
        .bind(appointment.to_string())
        .bind(code)
        .bind(choice.as_str())
        .bind(at.as_second())
        .bind(first_seq + i64::try_from(i).unwrap_or(i64::MAX))
        .execute(&mut *conn)
        .await;
        if let Err(e) = inserted {
            return Err(if super::is_unique_violation(&e) {
                Error::Conflict(Conflict::ChoicesChangedMeanwhile)
            } else {
                e.into()
            });
        }
    }
    Ok(())
}
