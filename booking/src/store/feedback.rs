//! SQL for residents' feedback and the complaints follow-up list.

use super::{flag, Db};
use crate::domain::feedback::Feedback;
use crate::domain::ids::{ClerkId, TenantId};
use crate::error::{Conflict, Error, Result};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

const COLUMNS: &str = "id, tenant_id, appointment_id, service_id, rating, comment, complaint, \
    given_at, handled_at, handled_by, handled_note, answer";

fn from_row(row: &AnyRow) -> Result<Feedback> {
    let corrupt = |what: &str| Error::Internal(format!("stored feedback has invalid {what}"));
    let text = |col: &str| -> Result<String> { Ok(row.try_get::<String, _>(col)?) };
    let time = |s: i64| Timestamp::from_second(s).map_err(|_| corrupt("time"));
    Ok(Feedback {
        id: text("id")?.parse().map_err(|_| corrupt("id"))?,
        tenant_id: text("tenant_id")?.parse().map_err(|_| corrupt("tenant"))?,
        appointment_id: text("appointment_id")?
            .parse()
            .map_err(|_| corrupt("appointment"))?,
        service_id: text("service_id")?
            .parse()
            .map_err(|_| corrupt("service"))?,
        rating: u8::try_from(row.try_get::<i64, _>("rating")?).map_err(|_| corrupt("rating"))?,
        comment: row.try_get("comment")?,
        complaint: row.try_get::<i64, _>("complaint")? != 0,
        given_at: time(row.try_get("given_at")?)?,
        handled_at: row
            .try_get::<Option<i64>, _>("handled_at")?
            .map(time)
            .transpose()?,
        handled_by: row
            .try_get::<Option<String>, _>("handled_by")?
            .map(|s| s.parse().map_err(|_| corrupt("handled_by")))
            .transpose()?,
        handled_note: row.try_get("handled_note")?,
        answer: row.try_get("answer")?,
    })
}

impl Db {
    /// Stores the appointment's feedback; a second one is a conflict (one per appointment).
    pub async fn insert_feedback(&self, f: &Feedback) -> Result<()> {
        let inserted = sqlx::query(&format!(
            "INSERT INTO feedback ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, NULL, NULL)"
        ))
        .bind(f.id.to_string())
        .bind(f.tenant_id.to_string())
        .bind(f.appointment_id.to_string())
        .bind(f.service_id.to_string())
        .bind(i64::from(f.rating))
        .bind(&f.comment)
        .bind(flag(f.complaint))
        .bind(f.given_at.as_second())
        .execute(&self.pool)
        .await;
        match inserted {
            Ok(_) => Ok(()),
            Err(e) if super::is_unique_violation(&e) => {
                Err(Error::Conflict(Conflict::AlreadyRated))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn feedback_by_id(&self, tenant: TenantId, id: Uuid) -> Result<Feedback> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM feedback WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()?
        .ok_or(Error::NotFound("complaint"))
    }

    pub async fn feedback_for_appointment(
        &self,
        tenant: TenantId,
        appointment: crate::domain::ids::AppointmentId,
    ) -> Result<Option<Feedback>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM feedback WHERE tenant_id = $1 AND appointment_id = $2"
        ))
        .bind(tenant.to_string())
        .bind(appointment.to_string())
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    /// All feedback with a comment, newest first: what an admin reads to spot complaints.
    pub async fn comments(&self, tenant: TenantId) -> Result<Vec<Feedback>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM feedback WHERE tenant_id = $1 AND comment <> '' \
             ORDER BY given_at DESC, id"
        ))
        .bind(tenant.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// The complaints, oldest first; only the open ones unless `all`.
    pub async fn complaints(&self, tenant: TenantId, all: bool) -> Result<Vec<Feedback>> {
        let open = if all { "" } else { " AND handled_at IS NULL" };
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM feedback WHERE tenant_id = $1 AND complaint = 1{open} \
             ORDER BY given_at, id"
        ))
        .bind(tenant.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// An admin marks a comment as a complaint. Not found in another municipality.
    pub async fn mark_complaint(&self, tenant: TenantId, id: Uuid) -> Result<()> {
        let done = sqlx::query(
            "UPDATE feedback SET complaint = 1 WHERE tenant_id = $1 AND id = $2 AND comment <> ''",
        )
        .bind(tenant.to_string())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound("comment"));
        }
        Ok(())
    }

    /// Closes an open complaint; handling it twice is a conflict, not a second note.
    pub async fn handle_complaint(
        &self,
        tenant: TenantId,
        id: Uuid,
        by: crate::domain::ids::ClerkId,
        note: &str,
        answer: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE feedback SET handled_at = $1, handled_by = $2, handled_note = $3, answer = $4 \
             WHERE tenant_id = $5 AND id = $6 AND complaint = 1 AND handled_at IS NULL",
        )
        .bind(now.as_second())
        .bind(by.to_string())
        .bind(note)
        .bind(answer)
        .bind(tenant.to_string())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        let exists = sqlx::query(
            "SELECT id FROM feedback WHERE tenant_id = $1 AND id = $2 AND complaint = 1",
        )
        .bind(tenant.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .is_some();
        Err(if exists {
            Error::Conflict(Conflict::ComplaintAlreadyHandled)
        } else {
            Error::NotFound("complaint")
        })
    }

    /// The feedback on the calls a clerk held, newest first: the calls whose latest outcome the
    /// clerk recorded; without an outcome, the clerk who called the resident from the queue;
    /// without either, the clerk the appointment was booked with.
    pub async fn feedback_on_calls_of(
        &self,
        tenant: TenantId,
        clerk: ClerkId,
        limit: i64,
    ) -> Result<Vec<Feedback>> {
        let rows = sqlx::query(
            "SELECT f.id, f.tenant_id, f.appointment_id, f.service_id, f.rating, f.comment, \
             f.complaint, f.given_at, f.handled_at, f.handled_by, f.handled_note, f.answer \
             FROM feedback f JOIN appointments a ON a.id = f.appointment_id \
             WHERE f.tenant_id = $1 AND COALESCE((SELECT o.recorded_by FROM outcomes o \
               WHERE o.appointment_id = a.id ORDER BY o.version DESC LIMIT 1), \
               (SELECT q.clerk_id FROM queue_entries q WHERE q.appointment_id = a.id), \
               a.clerk_id) = $2 \
             ORDER BY f.given_at DESC LIMIT $3",
        )
        .bind(tenant.to_string())
        .bind(clerk.to_string())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }
}
