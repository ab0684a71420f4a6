//! The consent use cases, shared by the JSON API and the resident's pages: the choices per
//! information source with their history, and changing them until the call starts. The rules
//! are the pure functions in `consent`; choosing while booking is part of `bookings::book`.

use crate::appointment::{Appointment, AppointmentStatus};
use crate::consent::{self, Choice, ChoiceRecord, InfoSource};
use crate::error::{Error, Result};
use crate::tenant::Tenant;
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

/// Choices may change until the call starts, and never for a cancelled appointment.
pub fn may_change(appointment: &Appointment, now: Timestamp) -> Result<()> {
    if appointment.status == AppointmentStatus::Cancelled {
        return Err(Error::Conflict("this appointment was cancelled".into()));
    }
    consent::may_change(appointment.start, now)
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

pub async fn view(app: &App, tenant: &Tenant, appointment: &Appointment) -> Result<Consents> {
    let sources = app.db.service_sources(appointment.service_id).await?;
    let history = app.db.consent_history(tenant.id, appointment.id).await?;
    Ok(assemble(
        sources,
        &history,
        may_change(appointment, app.clock.now()).is_ok(),
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
    may_change(appointment, app.clock.now())?;
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
