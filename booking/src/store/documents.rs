//! SQL for the documents residents supply (issue 22). The content arrives here sealed
//! (`adapters::sealed`); every read is scoped by municipality and appointment.

use super::Db;
use crate::domain::document::{DocumentKind, DocumentRecord};
use crate::domain::ids::{AppointmentId, DocumentId, TenantId};
use crate::error::{Error, Result};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str = "id, tenant_id, appointment_id, source_code, source_label, kind, \
     size_bytes, uploaded_at, delivered_to, delivered_at, erased_at";

fn record(row: &AnyRow) -> Result<DocumentRecord> {
    let corrupt = |what: &str| Error::Internal(format!("stored document has invalid {what}"));
    let time = |col: &str| -> Result<Option<Timestamp>> {
        row.try_get::<Option<i64>, _>(col)?
            .map(|s| Timestamp::from_second(s).map_err(|_| corrupt(col)))
            .transpose()
    };
    Ok(DocumentRecord {
        id: row
            .try_get::<String, _>("id")?
            .parse()
            .map_err(|_| corrupt("id"))?,
        tenant_id: row
            .try_get::<String, _>("tenant_id")?
            .parse()
            .map_err(|_| corrupt("tenant"))?,
        appointment_id: row
            .try_get::<String, _>("appointment_id")?
            .parse()
            .map_err(|_| corrupt("appointment"))?,
        source_code: row.try_get("source_code")?,
        source_label: row.try_get("source_label")?,
        kind: DocumentKind::parse(&row.try_get::<String, _>("kind")?)
            .ok_or_else(|| corrupt("kind"))?,
        size_bytes: u64::try_from(row.try_get::<i64, _>("size_bytes")?).unwrap_or(0),
        uploaded_at: time("uploaded_at")?.ok_or_else(|| corrupt("uploaded_at"))?,
        delivered_to: row.try_get("delivered_to")?,
        delivered_at: time("delivered_at")?,
        erased_at: time("erased_at")?,
    })
}

impl Db {
    /// Stores a document, replacing the one for the same appointment and source.
    pub async fn save_document(&self, record: &DocumentRecord, sealed: &[u8]) -> Result<()> {
        self.save_document_logged(record, sealed, &[]).await
    }

    /// As `save_document`, with access-log entries in the same transaction (a photo the clerk
    /// took is never stored without its line in the resident's log).
    pub async fn save_document_logged(
        &self,
        record: &DocumentRecord,
        sealed: &[u8],
        log: &[crate::domain::access_log::AccessEntry],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM documents WHERE appointment_id = $1 AND source_code = $2")
            .bind(record.appointment_id.to_string())
            .bind(&record.source_code)
            .execute(&mut *tx)
            .await?;
        sqlx::query(&format!(
            "INSERT INTO documents ({COLUMNS}, content) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, NULL, $9)"
        ))
        .bind(record.id.to_string())
        .bind(record.tenant_id.to_string())
        .bind(record.appointment_id.to_string())
        .bind(&record.source_code)
        .bind(&record.source_label)
        .bind(record.kind.as_str())
        .bind(i64::try_from(record.size_bytes).unwrap_or(i64::MAX))
        .bind(record.uploaded_at.as_second())
        .bind(sealed.to_vec())
        .execute(&mut *tx)
        .await?;
        for entry in log {
            super::access_log::insert(&mut tx, entry).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes the appointment's document for a source; `false` when there was none.
    pub async fn remove_document(
        &self,
        tenant: TenantId,
        appointment: AppointmentId,
        source_code: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM documents WHERE tenant_id = $1 AND appointment_id = $2 \
             AND source_code = $3 AND delivered_at IS NULL",
        )
        .bind(tenant.to_string())
        .bind(appointment.to_string())
        .bind(source_code)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The appointment's documents, oldest first.
    pub async fn documents(
        &self,
        tenant: TenantId,
        appointment: AppointmentId,
    ) -> Result<Vec<DocumentRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM documents WHERE tenant_id = $1 AND appointment_id = $2 \
             ORDER BY uploaded_at, source_code"
        ))
        .bind(tenant.to_string())
        .bind(appointment.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record).collect()
    }

    /// One document with its sealed content (`None` once erased); "not found" unless it
    /// belongs to this municipality and appointment.
    pub async fn document(
        &self,
        tenant: TenantId,
        appointment: AppointmentId,
        id: DocumentId,
    ) -> Result<(DocumentRecord, Option<Vec<u8>>)> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS}, content FROM documents \
             WHERE tenant_id = $1 AND appointment_id = $2 AND id = $3"
        ))
        .bind(tenant.to_string())
        .bind(appointment.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound("document"))?;
        Ok((record(&row)?, row.try_get("content")?))
    }

    /// Notes that the appointment's documents reached the case store. With `erase` (a ZGW
    /// Documenten API holds them now) the platform's copy goes at once; the built-in case store
    /// keeps them until the retention period.
    pub async fn mark_document_delivered(
        &self,
        id: DocumentId,
        to: &str,
        at: Timestamp,
        erase: bool,
    ) -> Result<()> {
        let sql = if erase {
            "UPDATE documents SET delivered_to = $1, delivered_at = $2, content = NULL, \
             erased_at = $2 WHERE id = $3"
        } else {
            "UPDATE documents SET delivered_to = $1, delivered_at = $2 \
             WHERE id = $3 AND delivered_at IS NULL"
        };
        sqlx::query(sql)
            .bind(to)
            .bind(at.as_second())
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
