//! The consent use cases, shared by the JSON API and the resident's pages: the choices per
//! information source with their history, and changing them until the call starts. The rules
//! are the pure functions in `consent`; choosing while booking is part of `usecases::booking::book`.

use crate::auth::SessionClaims;
use crate::domain::access_log::{Action, REASON_VIEWED_CONSENT};
use crate::domain::appointment::{Appointment, AppointmentStatus};
use crate::domain::consent::{self, Choice, ChoiceRecord, InfoSource};
use crate::domain::feedback;
use crate::domain::ids::AppointmentId;
use crate::domain::queue::EntryStatus;
use crate::domain::tenant::Tenant;
use crate::error::{Conflict, Result};
use crate::App;
use jiff::Timestamp;

/// One source with the choice in force and every choice made, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceState {
    pub source: InfoSource,
    pub choice: Option<Choice>,
    pub history: Vec<ChoiceRecord>,
}

/// The appointment's consent choices as the resident and the clerk see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consents {
    /// Whether the resident may still change the choices (until the call starts).
    pub can_change: bool,
    pub sources: Vec<SourceState>,
    /// Every choice for every source, in the order they were made.
    pub history: Vec<ChoiceRecord>,
}

/// Choices may change until the call starts, and never for a cancelled appointment. The
/// call starts at the appointment's time, or earlier when a clerk calls the resident (checked
/// in early): from then on the clerk relies on the choices.
pub fn may_change(
    appointment: &Appointment,
    entry: Option<EntryStatus>,
    now: Timestamp,
) -> Result<()> {
    if appointment.status == AppointmentStatus::Cancelled {
        return Err(Conflict::AppointmentCancelled.into());
    }
    if feedback::call_started(entry) {
        return Err(Conflict::ChoicesFrozen.into());
    }
    consent::may_change(appointment.start, now)
}

/// The same, with the appointment's queue entry read from the store.
async fn check(app: &App, appointment: &Appointment) -> Result<()> {
    let entry = app
        .db
        .queue_entry_for_appointment(appointment.id)
        .await?
        .map(|e| e.status);
    may_change(appointment, entry, app.clock.now())
}

/// Puts the service's sources and the appointment's history together.
pub fn assemble(sources: Vec<InfoSource>, history: &[ChoiceRecord], can_change: bool) -> Consents {
    Consents {
        can_change,
        history: history.to_vec(),
        sources: sources
            .into_iter()
            .map(|s| SourceState {
                choice: consent::current(history, &s.code),
                history: history
                    .iter()
                    .filter(|r| r.source_code == s.code)
                    .cloned()
                    .collect(),
                source: s,
            })
            .collect(),
    }
}

/// The information sources of the appointment's service, to choose for.
pub async fn sources(app: &App, appointment: &Appointment) -> Result<Vec<InfoSource>> {
    app.db.service_sources(appointment.service_id).await
}

/// The resident's choices as the clerk sees them beside the call: only for an appointment the
/// clerk may handle (another is "not found"), written to the resident's access log every time.
pub async fn for_clerk(
    app: &App,
    claims: &SessionClaims,
    id: AppointmentId,
) -> Result<(Tenant, Appointment, Consents)> {
    let appointment = crate::usecases::desk::appointment(app, claims, id).await?;
    let tenant = app.db.tenant(claims.tenant).await?;
    let consents = view(app, &tenant, &appointment).await?;
    crate::usecases::desk::log_read(
        app,
        claims,
        id,
        Action::ViewedConsent,
        REASON_VIEWED_CONSENT,
    )
    .await?;
    Ok((tenant, appointment, consents))
}

pub async fn view(app: &App, tenant: &Tenant, appointment: &Appointment) -> Result<Consents> {
    let sources = app.db.service_sources(appointment.service_id).await?;
    let history = app.db.consent_history(tenant.id, appointment.id).await?;
    Ok(assemble(
        sources,
        &history,
        check(app, appointment).await.is_ok(),
    ))
}

/// Records the resident's new choices (only those that change something); sources left out
/// keep their choice. 409 once the call started or for a cancelled appointment, 422 for a
/// source the service does not list.
pub async fn choose(
    app: &App,
    tenant: &Tenant,
    appointment: &Appointment,
    wanted: &[(String, Choice)],
) -> Result<Consents> {
    check(app, appointment).await?;
    let sources = app.db.service_sources(appointment.service_id).await?;
    let history = app.db.consent_history(tenant.id, appointment.id).await?;
    let wanted: Vec<(String, Choice)> = wanted
        .iter()
        .map(|(code, choice)| (code.trim().to_string(), *choice))
        .collect();
    let changes = consent::changes(&sources, &history, &wanted)?;
    if !changes.is_empty() {
        app.db
            .append_choices(tenant.id, appointment.id, &changes, app.clock.now())
            .await?;
        tracing::info!(appointment = %appointment.id, changed = changes.len(), "consent choices changed");
    }
    view(app, tenant, appointment).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::appointment::Resident;
    use crate::domain::email::Email;
    use crate::domain::ids::{AppointmentId, ClerkId, ServiceId, TenantId};

    fn appointment(status: AppointmentStatus) -> Appointment {
        let start: Timestamp = "2026-11-30T09:00:00Z".parse().unwrap();
        Appointment {
            id: AppointmentId::new(),
            tenant_id: TenantId::new(),
            service_id: ServiceId::new(),
            clerk_id: ClerkId::new(),
            start,
            end: start + jiff::SignedDuration::from_mins(20),
            status,
            sequence: 0,
            resident: Resident {
                name: "Jan".into(),
                contact: crate::domain::appointment::Contact::Email(
                    Email::parse("jan@example.nl").unwrap(),
                ),
                note: None,
                language: None,
            },
            code: crate::domain::booking_code::BookingCode::generate(),
            created_at: start,
        }
    }

    #[test]
    fn choices_freeze_when_a_clerk_calls_or_the_time_comes() {
        let booked = appointment(AppointmentStatus::Booked);
        let early: Timestamp = "2026-11-30T08:30:00Z".parse().unwrap();
        assert!(may_change(&booked, None, early).is_ok());
        assert!(may_change(&booked, Some(EntryStatus::Waiting), early).is_ok());
        assert!(may_change(&booked, Some(EntryStatus::Left), early).is_ok());
        for called in [
            EntryStatus::Called,
            EntryStatus::Answered,
            EntryStatus::Done,
        ] {
            assert!(
                may_change(&booked, Some(called), early).is_err(),
                "{called:?}"
            );
        }
        assert!(may_change(&booked, None, booked.start).is_err());
        let cancelled = appointment(AppointmentStatus::Cancelled);
        assert!(may_change(&cancelled, None, early).is_err());
    }
}
