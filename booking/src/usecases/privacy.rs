//! The resident's privacy use cases behind the personal link, shared by the JSON API and the
//! pages: who looked at their data (the access log), and erasing their personal data. The
//! rules are in `retention` (when a resident may erase) and `access_log` (the sentences).

use crate::domain::access_log::AccessEntry;
use crate::domain::appointment::AppointmentStatus;
use crate::domain::retention;
use crate::error::Result;
use crate::usecases::booking::Unlocked;
use crate::App;
use jiff::Timestamp;

/// `retention::KEPT_BY_LAW` in English, for residents who read the pages in English.
pub const KEPT_BY_LAW_EN: &str = "The outcome of the call is in the municipality's case \
    system. The municipality must keep it under the Archives Act (Archiefwet); your name, \
    email address, phone number and note have been erased from our system.";

/// What was erased and what the municipality keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Erased {
    pub erased_at: Timestamp,
    /// What the municipality keeps, and why (Dutch).
    pub kept: &'static str,
}

/// Every access to the appointment's data, oldest first.
pub async fn access_log(app: &App, u: &Unlocked) -> Result<Vec<AccessEntry>> {
    app.db.access_log(u.tenant.id, u.appointment.id).await
}

/// Whether the resident may erase now: after the call or after cancelling (409 otherwise).
pub fn may_erase(app: &App, u: &Unlocked) -> Result<()> {
    retention::may_erase(
        u.appointment.status == AppointmentStatus::Cancelled,
        u.appointment.end,
        app.clock.now(),
    )
}

/// Erases the appointment's personal data; the personal link stops working.
pub async fn erase(app: &App, u: &Unlocked) -> Result<Erased> {
    may_erase(app, u)?;
    let now = app.clock.now();
    app.db
        .erase_appointment(u.tenant.id, u.appointment.id, now)
        .await?;
    tracing::info!(appointment = %u.appointment.id, "resident erased their appointment data");
    Ok(Erased {
        erased_at: now,
        kept: retention::KEPT_BY_LAW,
    })
}
