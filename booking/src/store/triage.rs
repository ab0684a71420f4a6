//! SQL for the questions before booking (domain/triage.rs) and the answers given.

use super::Db;
use crate::domain::ids::{AppointmentId, ServiceId, TenantId, TriageQuestionId};
use crate::domain::triage::{Answer, Given, NewQuestion, Question};
use crate::error::{Error, Result};
use sqlx::{AnyConnection, Row};

/// The answers as the resident saw them, inside the booking's transaction.
pub(super) async fn insert_given(
    conn: &mut AnyConnection,
    appointment: AppointmentId,
    given: &[Given],
) -> Result<()> {
    for (position, g) in given.iter().enumerate() {
        sqlx::query(
            "INSERT INTO appointment_triage (appointment_id, position, question, answer) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(appointment.to_string())
        .bind(position as i64)
        .bind(&g.question)
        .bind(&g.answer)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Db {
    /// A service's questions in the order asked.
    pub async fn triage_questions(&self, service: ServiceId) -> Result<Vec<Question>> {
        let rows = sqlx::query(
            "SELECT id, text, answers FROM triage_questions WHERE service_id = $1 \
             ORDER BY position, id",
        )
        .bind(service.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let corrupt = || Error::Internal("stored triage question is unreadable".into());
                let answers: Vec<Answer> =
                    serde_json::from_str(&row.try_get::<String, _>("answers")?)
                        .map_err(|_| corrupt())?;
                Ok(Question {
                    id: row
                        .try_get::<String, _>("id")?
                        .parse()
                        .map_err(|_| corrupt())?,
                    text: row.try_get("text")?,
                    answers,
                })
            })
            .collect()
    }

    /// Adds a question after the service's last one.
    pub async fn add_triage_question(
        &self,
        tenant: TenantId,
        service: ServiceId,
        question: &NewQuestion,
    ) -> Result<TriageQuestionId> {
        let id = TriageQuestionId::new();
        let answers = serde_json::to_string(&question.answers)
            .map_err(|e| Error::Internal(format!("triage answers: {e}")))?;
        sqlx::query(
            "INSERT INTO triage_questions (id, tenant_id, service_id, position, text, answers) \
             VALUES ($1, $2, $3, \
             (SELECT COALESCE(MAX(position), 0) + 1 FROM triage_questions WHERE service_id = $3), \
             $4, $5)",
        )
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(service.to_string())
        .bind(&question.text)
        .bind(answers)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// Removes one of the service's questions; answers already given stay with their
    /// appointments. `false` when the service has no such question.
    pub async fn remove_triage_question(
        &self,
        service: ServiceId,
        question: TriageQuestionId,
    ) -> Result<bool> {
        let done = sqlx::query("DELETE FROM triage_questions WHERE id = $1 AND service_id = $2")
            .bind(question.to_string())
            .bind(service.to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The answers given with an appointment, in question order.
    pub async fn triage_given(&self, appointment: AppointmentId) -> Result<Vec<Given>> {
        let rows = sqlx::query(
            "SELECT question, answer FROM appointment_triage WHERE appointment_id = $1 \
             ORDER BY position",
        )
        .bind(appointment.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Given {
                    question: row.try_get("question")?,
                    answer: row.try_get("answer")?,
                })
            })
            .collect()
    }
}
