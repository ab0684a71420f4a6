//! SQL for appointments for several people (domain/party.rs): the service's rule and the
//! extra people's names.

use super::Db;
use crate::domain::ids::{AppointmentId, ServiceId, TenantId};
use crate::domain::party::PartyRule;
use crate::error::{Error, Result};
use sqlx::{AnyConnection, Row};

/// The extra people's names, inside the booking's transaction.
pub(super) async fn insert_people(
    conn: &mut AnyConnection,
    appointment: AppointmentId,
    people: &[String],
) -> Result<()> {
    for (position, name) in people.iter().enumerate() {
        sqlx::query(
            "INSERT INTO appointment_people (appointment_id, position, name) VALUES ($1, $2, $3)",
        )
        .bind(appointment.to_string())
        .bind(position as i64)
        .bind(name)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Db {
    pub async fn set_party_rule(
        &self,
        tenant: TenantId,
        service: ServiceId,
        rule: PartyRule,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE services SET max_people = $3, minutes_per_extra_person = $4 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.to_string())
        .bind(service.to_string())
        .bind(i64::from(rule.max_people))
        .bind(rule.minutes_per_extra_person)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound("service"));
        }
        Ok(())
    }

    /// The extra people's names of an appointment, in the order given.
    pub async fn appointment_people(&self, appointment: AppointmentId) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT name FROM appointment_people WHERE appointment_id = $1 ORDER BY position",
        )
        .bind(appointment.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok(row.try_get::<String, _>("name")?))
            .collect()
    }
}
