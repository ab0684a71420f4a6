//! SQL for erasing personal data. Rows stay (statistics and foreign keys need them); the
//! personal columns are overwritten and the personal link stops working.

use super::Db;
use crate::domain::ids::{AppointmentId, TenantId};
use crate::domain::retention::{ERASED_EMAIL, ERASED_NAME};
use crate::error::Result;
use jiff::Timestamp;
use sqlx::AnyConnection;

/// The link hash becomes 'erased:<id>', which no token hashes to, so the link is dead; it stays
/// unique per row as the column requires.
const ERASE_APPOINTMENTS: &str =
    "UPDATE appointments SET resident_name = $1, resident_email = $2, \
    resident_phone = NULL, note = NULL, language_need = NULL, link_hash = 'erased:' || id, erased_at = $3 \
    WHERE tenant_id = $4 AND erased_at IS NULL";

const ERASE_QUEUE: &str = "UPDATE queue_entries SET resident_name = $1, resident_phone = NULL, \
    token_hash = 'erased:' || id WHERE appointment_id IN \
    (SELECT id FROM appointments WHERE tenant_id = $2 AND erased_at = $3)";

/// A comment may name people; the rating is what statistics need. An open complaint keeps its
/// comment until handled, or the follow-up list would show an empty complaint.
const ERASE_FEEDBACK: &str = "UPDATE feedback SET comment = '' WHERE appointment_id IN \
    (SELECT id FROM appointments WHERE tenant_id = $1 AND erased_at = $2) \
    AND NOT (complaint = 1 AND handled_at IS NULL)";

/// A clerk's notes may name people. Once the outcome is in the case store (which keeps it as
/// the law requires), the platform's copy of the notes goes; an outcome still on its way keeps
/// them until delivered, and the next run clears them.
const ERASE_OUTCOME_NOTES: &str = "UPDATE outcomes SET notes = '' WHERE notes <> '' \
    AND appointment_id IN (SELECT id FROM appointments WHERE tenant_id = $1 AND erased_at IS NOT NULL) \
    AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.outcome_id = outcomes.id AND o.state <> 'delivered')";

/// The rows that hang off the appointments just erased (marked with `erased_at = now`).
async fn erase_dependents(
    conn: &mut AnyConnection,
    tenant: TenantId,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(ERASE_QUEUE)
        .bind(ERASED_NAME)
        .bind(tenant.to_string())
        .bind(now.as_second())
        .execute(&mut *conn)
        .await?;
    sqlx::query(ERASE_FEEDBACK)
        .bind(tenant.to_string())
        .bind(now.as_second())
        .execute(&mut *conn)
        .await?;
    // Answers to the questions before booking may say something personal (issue 16).
    sqlx::query(
        "DELETE FROM appointment_triage WHERE appointment_id IN \
         (SELECT id FROM appointments WHERE tenant_id = $1 AND erased_at = $2)",
    )
    .bind(tenant.to_string())
    .bind(now.as_second())
    .execute(&mut *conn)
    .await?;
    // The names of the extra people in the appointment (issue 16 item 8).
    sqlx::query(
        "DELETE FROM appointment_people WHERE appointment_id IN \
         (SELECT id FROM appointments WHERE tenant_id = $1 AND erased_at = $2)",
    )
    .bind(tenant.to_string())
    .bind(now.as_second())
    .execute(&mut *conn)
    .await?;
    // The further personal links (issue 16) stop working with the first one.
    sqlx::query(
        "DELETE FROM appointment_links WHERE appointment_id IN \
         (SELECT id FROM appointments WHERE tenant_id = $1 AND erased_at = $2)",
    )
    .bind(tenant.to_string())
    .bind(now.as_second())
    .execute(&mut *conn)
    .await?;
    // A companion's or interpreter's name and e-mail are personal data of the appointment
    // too; their link dies with the resident's. The row stays for the call's join history.
    sqlx::query(
        "UPDATE companion_links SET name = $1, email = NULL, token_hash = 'erased:' || id, \
         removed_at = COALESCE(removed_at, $3) WHERE appointment_id IN \
         (SELECT id FROM appointments WHERE tenant_id = $2 AND erased_at = $3)",
    )
    .bind(ERASED_NAME)
    .bind(tenant.to_string())
    .bind(now.as_second())
    .execute(&mut *conn)
    .await?;
    // Issue 22: the platform's copy of the resident's documents goes; the row stays (kind,
    // source, where it went) so the resident's page can still say what happened to it.
    sqlx::query(
        "UPDATE documents SET content = NULL, erased_at = $2 WHERE content IS NOT NULL \
         AND appointment_id IN (SELECT id FROM appointments WHERE tenant_id = $1 AND erased_at = $2)",
    )
    .bind(tenant.to_string())
    .bind(now.as_second())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Db {
    /// Erases the appointments of `tenant` that ended at or before `cutoff` (booked or
    /// cancelled alike) with their queue entries, and callback requests made before `cutoff`.
    /// Returns how many appointments.
    pub async fn erase_ended_before(
        &self,
        tenant: TenantId,
        cutoff: Timestamp,
        now: Timestamp,
    ) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let erased = sqlx::query(&format!("{ERASE_APPOINTMENTS} AND ends_at <= $5"))
            .bind(ERASED_NAME)
            .bind(ERASED_EMAIL)
            .bind(now.as_second())
            .bind(tenant.to_string())
            .bind(cutoff.as_second())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if erased > 0 {
            erase_dependents(&mut tx, tenant, now).await?;
        }
        sqlx::query(ERASE_OUTCOME_NOTES)
            .bind(tenant.to_string())
            .execute(&mut *tx)
            .await?;
        // Walk-ins are not tied to an appointment either: the time they joined counts.
        sqlx::query(
            "UPDATE queue_entries SET resident_name = $1, resident_phone = NULL, \
             token_hash = 'erased:' || id \
             WHERE tenant_id = $2 AND appointment_id IS NULL AND joined_at <= $3 \
             AND token_hash NOT LIKE 'erased:%'",
        )
        .bind(ERASED_NAME)
        .bind(tenant.to_string())
        .bind(cutoff.as_second())
        .execute(&mut *tx)
        .await?;
        // The clerks' notes on callback attempts may name the resident: erased with the request.
        sqlx::query(
            "UPDATE callback_attempts SET note = '' WHERE note <> '' AND callback_id IN \
             (SELECT id FROM callback_requests WHERE tenant_id = $1 AND requested_at <= $2)",
        )
        .bind(tenant.to_string())
        .bind(cutoff.as_second())
        .execute(&mut *tx)
        .await?;
        // Callback requests are not tied to an appointment: the request time counts.
        sqlx::query(
            "UPDATE callback_requests SET resident_name = $1, phone = '' \
             WHERE tenant_id = $2 AND requested_at <= $3 AND phone <> ''",
        )
        .bind(ERASED_NAME)
        .bind(tenant.to_string())
        .bind(cutoff.as_second())
        .execute(&mut *tx)
        .await?;
        // A walk-in's or callback's outcome notes go with its personal data, as an
        // appointment's do (ERASE_OUTCOME_NOTES): once delivered to the case store.
        sqlx::query(
            "UPDATE outcomes SET notes = '' WHERE notes <> '' AND tenant_id = $1 \
             AND (queue_entry_id IN (SELECT id FROM queue_entries WHERE tenant_id = $1 \
                  AND appointment_id IS NULL AND token_hash LIKE 'erased:%') \
               OR callback_id IN (SELECT id FROM callback_requests WHERE tenant_id = $1 \
                  AND phone = '')) \
             AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.outcome_id = outcomes.id \
                  AND o.state <> 'delivered')",
        )
        .bind(tenant.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(erased)
    }

    /// Erases one appointment at the resident's request.
    pub async fn erase_appointment(
        &self,
        tenant: TenantId,
        id: AppointmentId,
        now: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(&format!("{ERASE_APPOINTMENTS} AND id = $5"))
            .bind(ERASED_NAME)
            .bind(ERASED_EMAIL)
            .bind(now.as_second())
            .bind(tenant.to_string())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        erase_dependents(&mut tx, tenant, now).await?;
        // A clerk's notes on the call never recorded as an outcome (issue 21) go too.
        sqlx::query(
            "DELETE FROM outcome_drafts WHERE queue_entry_id IN \
             (SELECT id FROM queue_entries WHERE appointment_id = $1)",
        )
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
