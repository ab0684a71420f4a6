//! Documents in the conversation (issue 22): the resident uploads, replaces and removes a file
//! per information source they chose to supply themselves, until the call starts; the clerks of
//! the service read them (each read in the access log); the case store receives them with the
//! outcome (`usecases::delivery`), and retention erases the platform's copy.
//!
//! The content is checked by `domain::document` before anything is stored, and stored sealed
//! with the platform's key, bound to the document's id (`adapters::sealed`).

use super::booking::Unlocked;
use crate::auth::SessionClaims;
use crate::domain::access_log::{AccessEntry, Action, REASON_DOCUMENT};
use crate::domain::appointment::Appointment;
use crate::domain::consent::{self, Choice, InfoSource};
use crate::domain::document::{self, DocumentRecord, OutgoingDocument};
use crate::domain::ids::{AppointmentId, DocumentId};
use crate::error::{Conflict, Error, Result};
use crate::App;

/// One source the resident said they would supply, with the document given for it.
#[derive(Clone, Debug)]
pub struct Slot {
    pub source: InfoSource,
    pub document: Option<DocumentRecord>,
}

/// What the resident's pages show.
#[derive(Clone, Debug)]
pub struct ResidentDocuments {
    /// Whether documents can still be added, replaced or removed (until the call starts).
    pub can_change: bool,
    /// The sources chosen "I supply it myself", in the service's order.
    pub slots: Vec<Slot>,
    /// Every document supplied, also for sources whose choice changed since.
    pub all: Vec<DocumentRecord>,
}

/// Until the call starts, as for the consent choices (`usecases::consent::may_change`).
async fn may_change(app: &App, appointment: &Appointment) -> Result<()> {
    let entry = app
        .db
        .queue_entry_for_appointment(appointment.id)
        .await?
        .map(|e| e.status);
    match super::consent::may_change(appointment, entry, app.clock.now()) {
        Err(Error::Conflict(Conflict::ChoicesFrozen)) => Err(Conflict::DocumentsClosed.into()),
        other => other,
    }
}

fn context(id: DocumentId) -> String {
    format!("document:{id}")
}

pub async fn for_resident(app: &App, u: &Unlocked) -> Result<ResidentDocuments> {
    let a = &u.appointment;
    let sources = app.db.service_sources(a.service_id).await?;
    let history = app.db.consent_history(u.tenant.id, a.id).await?;
    let all = app.db.documents(u.tenant.id, a.id).await?;
    let slots = sources
        .into_iter()
        .filter(|s| consent::current(&history, &s.code) == Some(Choice::SelfSupplied))
        .map(|source| Slot {
            document: all.iter().find(|d| d.source_code == source.code).cloned(),
            source,
        })
        .collect();
    Ok(ResidentDocuments {
        can_change: may_change(app, a).await.is_ok(),
        slots,
        all,
    })
}

/// Checks and stores the resident's file for `source_code`, replacing the one before. Nothing
/// is stored when it is refused (422 with the reason in words) or the call has started (409).
pub async fn upload(
    app: &App,
    u: &Unlocked,
    source_code: &str,
    upload: &[u8],
    file_name: Option<&str>,
) -> Result<DocumentRecord> {
    let a = &u.appointment;
    may_change(app, a).await?;
    let source = supplied_source(app, u, source_code).await?;
    let checked = document::check(upload, file_name)
        .map_err(|why| Error::invalid_because("/file", why.words()))?;
    let record = DocumentRecord {
        id: DocumentId::new(),
        tenant_id: u.tenant.id,
        appointment_id: a.id,
        source_code: source.code,
        source_label: source.label,
        kind: checked.kind(),
        size_bytes: checked.bytes().len() as u64,
        uploaded_at: app.clock.now(),
        delivered_to: None,
        delivered_at: None,
        erased_at: None,
    };
    let sealed = app.secrets.seal_bytes(checked.bytes(), &context(record.id));
    app.db.save_document(&record, &sealed).await?;
    tracing::info!(appointment = %a.id, document = %record.id, kind = record.kind.as_str(),
        bytes = record.size_bytes, "resident supplied a document");
    Ok(record)
}

/// The source, when the service lists it and the resident chose to supply it.
async fn supplied_source(app: &App, u: &Unlocked, source_code: &str) -> Result<InfoSource> {
    let sources = app.db.service_sources(u.appointment.service_id).await?;
    let history = app
        .db
        .consent_history(u.tenant.id, u.appointment.id)
        .await?;
    let source = sources
        .into_iter()
        .find(|s| s.code == source_code.trim())
        .ok_or_else(|| {
            Error::invalid(
                "/source",
                "Deze dienst vraagt niet om deze gegevens.",
                "This service does not ask for this information.",
            )
        })?;
    if consent::current(&history, &source.code) != Some(Choice::SelfSupplied) {
        return Err(Error::invalid(
            "/source",
            format!(
                "Kies eerst bij '{}' dat u het zelf aanlevert.",
                source.label
            ),
            format!(
                "First choose for '{}' that you supply it yourself.",
                source.label
            ),
        ));
    }
    Ok(source)
}

/// Removes the resident's document for a source (none there is no error).
pub async fn remove(app: &App, u: &Unlocked, source_code: &str) -> Result<()> {
    may_change(app, &u.appointment).await?;
    if app
        .db
        .remove_document(u.tenant.id, u.appointment.id, source_code.trim())
        .await?
    {
        tracing::info!(appointment = %u.appointment.id, "resident removed a document");
    }
    Ok(())
}

/// The resident's own document, for the preview on their page.
pub async fn resident_copy(
    app: &App,
    u: &Unlocked,
    id: DocumentId,
) -> Result<(DocumentRecord, Vec<u8>)> {
    open(app, u.appointment.tenant_id, u.appointment.id, id).await
}

async fn open(
    app: &App,
    tenant: crate::domain::ids::TenantId,
    appointment: AppointmentId,
    id: DocumentId,
) -> Result<(DocumentRecord, Vec<u8>)> {
    let (record, sealed) = app.db.document(tenant, appointment, id).await?;
    // Erased after delivery or retention: there is nothing left to give.
    let sealed = sealed.ok_or(Error::NotFound("document"))?;
    let bytes = app.secrets.open_bytes(&sealed, &context(record.id))?;
    Ok((record, bytes))
}

/// The appointment's documents as a clerk of its service sees them listed (no content, so not
/// logged; opening one is).
pub async fn for_clerk(
    app: &App,
    claims: &SessionClaims,
    appointment: AppointmentId,
) -> Result<Vec<DocumentRecord>> {
    let appointment = super::desk::appointment(app, claims, appointment).await?;
    app.db.documents(claims.tenant, appointment.id).await
}

/// A clerk opens a document: only a clerk who handles the appointment's service (another
/// municipality's, another service's or another appointment's document is "not found"), and
/// written to the resident's access log before the content is handed over.
pub async fn clerk_copy(
    app: &App,
    claims: &SessionClaims,
    appointment: AppointmentId,
    id: DocumentId,
) -> Result<(DocumentRecord, Vec<u8>)> {
    let appointment = super::desk::appointment(app, claims, appointment).await?;
    let (record, bytes) = open(app, claims.tenant, appointment.id, id).await?;
    app.db
        .append_access(&[AccessEntry {
            tenant_id: claims.tenant,
            appointment_id: appointment.id,
            clerk_id: Some(claims.sub),
            at: app.clock.now(),
            action: Action::ViewedDocument,
            source: Some(record.source_label.clone()),
            reason: REASON_DOCUMENT.into(),
        }])
        .await?;
    tracing::info!(clerk = %claims.sub, appointment = %appointment.id, document = %id,
        "clerk opened a resident's document");
    Ok((record, bytes))
}

/// The appointment's documents not delivered yet, for the delivery worker.
pub async fn undelivered(
    app: &App,
    tenant: crate::domain::ids::TenantId,
    appointment: AppointmentId,
) -> Result<Vec<OutgoingDocument>> {
    let mut out = Vec::new();
    for record in app.db.documents(tenant, appointment).await? {
        if record.delivered_at.is_some() || record.erased_at.is_some() {
            continue;
        }
        let (record, bytes) = open(app, tenant, appointment, record.id).await?;
        out.push(OutgoingDocument { record, bytes });
    }
    Ok(out)
}

/// Issue 22 item 2: a still the clerk took of the resident's incoming video during the call,
/// after the resident allowed it in the call (the room's `photo_request`/`photo_answer` in
/// signalling, docs/signaling.md). It takes the same safe path as a resident's upload (decoded
/// within limits and re-encoded, so nothing but the pixels is kept, and sealed), only a picture,
/// only by the clerk who is in the call with the resident now, and it is written to the
/// resident's access log. It goes to the case store with the outcome like the other documents.
pub async fn clerk_photo(
    app: &App,
    claims: &SessionClaims,
    appointment: AppointmentId,
    upload: &[u8],
) -> Result<DocumentRecord> {
    let appointment = super::desk::appointment(app, claims, appointment).await?;
    let in_call = app
        .db
        .queue_entry_for_appointment(appointment.id)
        .await?
        .is_some_and(|e| {
            e.clerk_id == Some(claims.sub)
                && matches!(
                    e.status,
                    crate::domain::queue::EntryStatus::Called
                        | crate::domain::queue::EntryStatus::Answered
                )
        });
    if !in_call {
        return Err(Conflict::NotInCallWithYou.into());
    }
    let checked = document::check(upload, None)
        .map_err(|why| Error::invalid_because("/file", why.words()))?;
    if checked.kind() == document::DocumentKind::Pdf {
        return Err(Error::invalid(
            "/file",
            "Een foto tijdens het gesprek is een JPEG- of PNG-afbeelding.",
            "A photo during the call is a JPEG or PNG picture.",
        ));
    }
    let earlier = app
        .db
        .documents(claims.tenant, appointment.id)
        .await?
        .iter()
        .filter(|d| d.source_code.starts_with(PHOTO_SOURCE_PREFIX))
        .count();
    let id = DocumentId::new();
    let record = DocumentRecord {
        id,
        tenant_id: claims.tenant,
        appointment_id: appointment.id,
        // One row per photo: the source code is unique per appointment.
        source_code: format!("{PHOTO_SOURCE_PREFIX}{id}"),
        source_label: format!("Foto {} tijdens het gesprek", earlier + 1),
        kind: checked.kind(),
        size_bytes: checked.bytes().len() as u64,
        uploaded_at: app.clock.now(),
        delivered_to: None,
        delivered_at: None,
        erased_at: None,
    };
    let sealed = app.secrets.seal_bytes(checked.bytes(), &context(record.id));
    let logged = AccessEntry {
        tenant_id: claims.tenant,
        appointment_id: appointment.id,
        clerk_id: Some(claims.sub),
        at: record.uploaded_at,
        action: Action::TookPhoto,
        source: Some(record.source_label.clone()),
        reason: REASON_DOCUMENT.into(),
    };
    app.db
        .save_document_logged(&record, &sealed, &[logged])
        .await?;
    tracing::info!(clerk = %claims.sub, appointment = %appointment.id, document = %record.id,
        bytes = record.size_bytes, "clerk took a photo of a document during the call");
    Ok(record)
}

/// The source code of photos taken during the call: `call-photo-<document id>`.
pub const PHOTO_SOURCE_PREFIX: &str = "call-photo-";
