//! A clerk records the outcome of a call (and corrects it the same day), and sees where its
//! delivery to the case store stands. Recording writes the outcome, the access-log entries
//! for the sources consulted and the outbox event in one transaction; the delivery worker
//! (`usecases::delivery`) talks to the case store afterwards, so a slow or broken case store
//! never holds up the clerk.

use crate::auth::SessionClaims;
use crate::domain::access_log::{AccessEntry, Action, REASON_OUTCOME, REASON_VIEWED_OUTCOME};
use crate::domain::appointment::{Appointment, AppointmentStatus};
use crate::domain::callback::{CallbackId, Closed};
use crate::domain::consent;
use crate::domain::ids::{AppointmentId, ServiceId};
use crate::domain::outcome::{
    self, Outcome, OutcomeDraft, ResultOption, Subject, UnfinishedOutcome,
};
use crate::domain::queue::QueueEntryId;
use crate::domain::tenant::Tenant;
use crate::error::{Conflict, Error, Result};
use crate::store::{BuiltinCase, OutboxEntry};
use crate::usecases::desk;
use crate::App;
use uuid::Uuid;

/// The outcomes of an appointment, walk-in or callback, oldest first (the last is in force),
/// their deliveries, and the results the clerk can choose from.
pub struct History {
    pub tenant: Tenant,
    pub subject: Subject,
    pub outcomes: Vec<Outcome>,
    pub deliveries: Vec<OutboxEntry>,
    pub results: Vec<ResultOption>,
}

/// The outcomes and their deliveries as a clerk or admin reads them: only an appointment they
/// may handle (another is "not found"), and written to the resident's access log, every time.
pub async fn history(app: &App, claims: &SessionClaims, id: AppointmentId) -> Result<History> {
    let tenant = app.db.tenant(claims.tenant).await?;
    let appointment = desk::appointment(app, claims, id).await?;
    let history = history_of(app, tenant, id.into(), appointment.service_id).await?;
    desk::log_read(
        app,
        claims,
        id,
        Action::ViewedOutcome,
        REASON_VIEWED_OUTCOME,
    )
    .await?;
    Ok(history)
}

async fn history_of(
    app: &App,
    tenant: Tenant,
    subject: Subject,
    service: ServiceId,
) -> Result<History> {
    let outcomes = app.db.outcomes(tenant.id, subject).await?;
    let deliveries = app.db.deliveries_for(tenant.id, subject).await?;
    let results = app.db.service_results(service).await?;
    Ok(History {
        tenant,
        subject,
        outcomes,
        deliveries,
        results,
    })
}

/// Records an outcome, or a correction of version `corrects`. Only on an appointment the
/// clerk may handle (another is "not found"), once a clerk called the resident
/// (`outcome::may_record`). Refused for a cancelled appointment, a result not on the service's
/// list, or a consulted source the resident did not leave to the municipality (that attempt
/// is logged).
pub async fn record(
    app: &App,
    claims: &SessionClaims,
    id: AppointmentId,
    draft: OutcomeDraft,
    corrects: Option<u32>,
) -> Result<History> {
    let tenant = app.db.tenant(claims.tenant).await?;
    let appointment = desk::appointment(app, claims, id).await?;
    if appointment.status == AppointmentStatus::Cancelled {
        return Err(Conflict::NothingToRecord.into());
    }
    let entry = app.db.queue_entry_for_appointment(id).await?;
    outcome::may_record(entry.as_ref().map(|e| e.status))?;
    let now = app.clock.now();
    let tz = tenant.time_zone.tz().clone();
    let results = app.db.service_results(appointment.service_id).await?;
    let valid = outcome::validate(draft, &results, now.to_zoned(tz.clone()).date())?;
    // Refused (and logged) unless the resident left each source to the municipality.
    let access = consulted(app, &appointment, claims, &valid.sources).await?;
    let history = app.db.outcomes(tenant.id, id).await?;
    let version = outcome::next_version(&history, corrects, now, &tz)?;
    let recorded = Outcome {
        id: Uuid::new_v4(),
        tenant_id: tenant.id,
        subject: id.into(),
        version,
        result_code: valid.result.code,
        result_label: valid.result.label,
        notes: valid.notes,
        follow_up: valid.follow_up,
        sources: valid.sources,
        recorded_by: claims.sub,
        recorded_at: now,
    };
    // The clerk's draft for this call becomes the outcome: deleted in the same transaction.
    let draft = entry.map(|e| (claims.sub, e.id));
    let event = app.db.insert_outcome(&recorded, &access, draft).await?;
    tracing::info!(clerk = %claims.sub, appointment = %id, version, event = %event, "outcome recorded");
    history_of(app, tenant, id.into(), appointment.service_id).await
}

/// The outcomes of the call with a queue entry: the appointment's (read as `history`, logged)
/// when the entry has one, else the walk-in's. Only an entry the clerk may act on.
pub async fn history_for_entry(
    app: &App,
    claims: &SessionClaims,
    id: QueueEntryId,
) -> Result<History> {
    let entry = desk::queue_entry(app, claims, id).await?;
    if let Some(appointment) = entry.appointment_id {
        return history(app, claims, appointment).await;
    }
    let tenant = app.db.tenant(claims.tenant).await?;
    history_of(app, tenant, Subject::WalkIn(entry.id), entry.service_id).await
}

/// Records (or corrects) the outcome of the call with a queue entry. With an appointment this
/// is `record`; a walk-in gets the same form, rules and outbox, only once a clerk called the
/// resident, and the clerk's draft for the entry goes in the same transaction.
pub async fn record_for_entry(
    app: &App,
    claims: &SessionClaims,
    id: QueueEntryId,
    draft: OutcomeDraft,
    corrects: Option<u32>,
) -> Result<History> {
    let entry = desk::queue_entry(app, claims, id).await?;
    if let Some(appointment) = entry.appointment_id {
        return record(app, claims, appointment, draft, corrects).await;
    }
    outcome::may_record(Some(entry.status))?;
    let subject = Subject::WalkIn(entry.id);
    record_without_appointment(
        app,
        claims,
        subject,
        entry.service_id,
        draft,
        corrects,
        Some((claims.sub, entry.id)),
    )
    .await
}

/// The outcomes of a callback request the clerk may handle.
pub async fn history_for_callback(
    app: &App,
    claims: &SessionClaims,
    id: CallbackId,
) -> Result<History> {
    let request = crate::usecases::queue::callback(app, claims, id).await?;
    let tenant = app.db.tenant(claims.tenant).await?;
    history_of(app, tenant, Subject::Callback(id), request.service_id).await
}

/// Records (or corrects) the outcome of a callback, once a clerk reached the resident (an
/// attempt "bereikt"); before that there was no conversation to record.
pub async fn record_for_callback(
    app: &App,
    claims: &SessionClaims,
    id: CallbackId,
    draft: OutcomeDraft,
    corrects: Option<u32>,
) -> Result<History> {
    let request = crate::usecases::queue::callback(app, claims, id).await?;
    if request.closed != Some(Closed::Reached) {
        return Err(Conflict::CallNotStarted.into());
    }
    record_without_appointment(
        app,
        claims,
        Subject::Callback(id),
        request.service_id,
        draft,
        corrects,
        None,
    )
    .await
}

/// A walk-in or callback: no appointment, so no consent choices, and no source may be
/// recorded as consulted (the resident left none to the municipality). Otherwise the same
/// validation, versions and one transaction as an appointment's outcome.
async fn record_without_appointment(
    app: &App,
    claims: &SessionClaims,
    subject: Subject,
    service: ServiceId,
    draft: OutcomeDraft,
    corrects: Option<u32>,
    kept: Option<(crate::domain::ids::ClerkId, QueueEntryId)>,
) -> Result<History> {
    let tenant = app.db.tenant(claims.tenant).await?;
    let now = app.clock.now();
    let tz = tenant.time_zone.tz().clone();
    let results = app.db.service_results(service).await?;
    let valid = outcome::validate(draft, &results, now.to_zoned(tz.clone()).date())?;
    if !valid.sources.is_empty() {
        return Err(Error::invalid(
            "/sources",
            "Zonder afspraak heeft de inwoner geen gegevensbron aan de gemeente overgelaten; leg er geen als geraadpleegd vast.",
            "Without an appointment the resident left no information source to the municipality; record none as consulted.",
        ));
    }
    let history = app.db.outcomes(tenant.id, subject).await?;
    let version = outcome::next_version(&history, corrects, now, &tz)?;
    let recorded = Outcome {
        id: Uuid::new_v4(),
        tenant_id: tenant.id,
        subject,
        version,
        result_code: valid.result.code,
        result_label: valid.result.label,
        notes: valid.notes,
        follow_up: valid.follow_up,
        sources: valid.sources,
        recorded_by: claims.sub,
        recorded_at: now,
    };
    let event = app.db.insert_outcome(&recorded, &[], kept).await?;
    tracing::info!(clerk = %claims.sub, subject = ?subject, version, event = %event, "outcome recorded");
    history_of(app, tenant, subject, service).await
}

/// The access log entries for the sources a clerk records as consulted, or the refusal.
/// A refused attempt is itself logged (and the outcome is not recorded), so the resident
/// sees it and the municipality can follow it up.
async fn consulted(
    app: &App,
    appointment: &Appointment,
    claims: &SessionClaims,
    sources: &[String],
) -> Result<Vec<AccessEntry>> {
    let list = app.db.service_sources(appointment.service_id).await?;
    let history = app
        .db
        .consent_history(appointment.tenant_id, appointment.id)
        .await?;
    let now = app.clock.now();
    let entry = |action: Action, source: &str| AccessEntry {
        tenant_id: appointment.tenant_id,
        appointment_id: appointment.id,
        clerk_id: Some(claims.sub),
        at: now,
        action,
        source: Some(source.to_string()),
        reason: REASON_OUTCOME.into(),
    };
    match consent::check_consulted(&list, &history, sources) {
        Ok(()) => Ok(sources
            .iter()
            .map(|s| entry(Action::ConsultedSource, s))
            .collect()),
        Err(refused) => {
            let entries: Vec<AccessEntry> = refused
                .iter()
                .map(|s| entry(Action::RefusedSource, s))
                .collect();
            app.db.append_access(&entries).await?;
            tracing::warn!(clerk = %claims.sub, appointment = %appointment.id, refused = ?refused,
                "consulted source refused: the resident did not allow it");
            let refused = refused.join(", ");
            Err(Error::invalid(
                "/sources",
                format!("De inwoner heeft de gemeente geen toestemming gegeven om dit te raadplegen: {refused}."),
                format!("The resident did not allow the municipality to consult: {refused}."),
            ))
        }
    }
}

/// The appointment's case in the built-in case store (the outcomes as delivered): scoped and
/// logged like the outcomes.
pub async fn case(
    app: &App,
    claims: &SessionClaims,
    id: AppointmentId,
) -> Result<(Tenant, BuiltinCase)> {
    let tenant = app.db.tenant(claims.tenant).await?;
    desk::appointment(app, claims, id).await?;
    let case = app
        .db
        .builtin_case(tenant.id, id)
        .await?
        .ok_or(Error::NotFound("case"))?;
    desk::log_read(
        app,
        claims,
        id,
        Action::ViewedOutcome,
        REASON_VIEWED_OUTCOME,
    )
    .await?;
    Ok((tenant, case))
}

/// The walk-in's case in the built-in case store, for a queue entry the clerk may act on (an
/// entry with an appointment: that appointment's case, read as `case`).
pub async fn case_for_entry(
    app: &App,
    claims: &SessionClaims,
    id: QueueEntryId,
) -> Result<(Tenant, BuiltinCase)> {
    let entry = desk::queue_entry(app, claims, id).await?;
    if let Some(appointment) = entry.appointment_id {
        return case(app, claims, appointment).await;
    }
    let tenant = app.db.tenant(claims.tenant).await?;
    let case = app
        .db
        .builtin_case(tenant.id, Subject::WalkIn(entry.id))
        .await?
        .ok_or(Error::NotFound("case"))?;
    Ok((tenant, case))
}

/// The callback's case in the built-in case store, for a request the clerk may handle.
pub async fn case_for_callback(
    app: &App,
    claims: &SessionClaims,
    id: CallbackId,
) -> Result<(Tenant, BuiltinCase)> {
    crate::usecases::queue::callback(app, claims, id).await?;
    let tenant = app.db.tenant(claims.tenant).await?;
    let case = app
        .db
        .builtin_case(tenant.id, Subject::Callback(id))
        .await?
        .ok_or(Error::NotFound("case"))?;
    Ok((tenant, case))
}

/// The result list of one of the municipality's services.
pub async fn results(app: &App, claims: &SessionClaims, raw: &str) -> Result<Vec<ResultOption>> {
    let id: ServiceId = raw.parse().map_err(|_| Error::NotFound("service"))?;
    app.db.service(claims.tenant, id).await?;
    app.db.service_results(id).await
}

/// Keeps what the clerk wrote of the outcome so far (autosaved during the call, or "Concept
/// bewaren"), for a queue entry the clerk may act on; another's is "not found". Kept per clerk
/// and entry until `record` turns it into the outcome.
pub async fn keep_unfinished(
    app: &App,
    claims: &SessionClaims,
    entry: QueueEntryId,
    unfinished: &UnfinishedOutcome,
) -> Result<()> {
    let entry = desk::queue_entry(app, claims, entry).await?;
    app.db
        .keep_unfinished_outcome(
            claims.tenant,
            claims.sub,
            entry.id,
            unfinished,
            app.clock.now(),
        )
        .await
}

/// The clerk's kept draft for a queue entry, if any, to fill the form again after a reload or
/// after hanging up. Only the clerk's own: the call page that shows it is already logged.
pub async fn unfinished(
    app: &App,
    claims: &SessionClaims,
    entry: QueueEntryId,
) -> Result<Option<UnfinishedOutcome>> {
    let entry = desk::queue_entry(app, claims, entry).await?;
    app.db
        .unfinished_outcome(claims.tenant, claims.sub, entry.id)
        .await
}
