//! Privacy by default (AVG/GDPR): an appointment's personal data (name, email, phone, note,
//! and the same in its queue entry) is erased a number of days after the appointment, per
//! municipality (`tenant.retention_days`). What statistics need survives: service, times,
//! status, queue timings and outcome codes. A resident can erase earlier through the personal
//! link. Outcomes delivered to the case store stay there: the municipality must keep them by
//! law, and the resident is told so.
//!
//! The rule is a function of the clock, so a test moves the clock instead of waiting; the
//! worker only calls it periodically. Erasing is one idempotent UPDATE per table, so several
//! instances running the worker at once do no harm.

use crate::error::{Conflict, Result};
use crate::App;
use jiff::{SignedDuration, Timestamp};
use std::time::Duration;
use tokio::task::JoinHandle;

/// What replaces the name; the email column must stay a valid address for the row to load.
pub const ERASED_NAME: &str = "Verwijderd";
pub const ERASED_EMAIL: &str = "verwijderd@videoloket.invalid";

/// Told to a resident who erases their data: what the municipality keeps, and why.
pub const KEPT_BY_LAW: &str = "De uitkomst van het gesprek staat in het zaaksysteem van de \
    gemeente. Die moet de gemeente volgens de Archiefwet bewaren; uw naam, e-mailadres, \
    telefoonnummer en opmerking zijn bij ons verwijderd.";

/// How often the worker applies the rule. Erasure is due on a day, not a second; an hour late
/// is well inside any retention period.
pub const INTERVAL: Duration = Duration::from_secs(3600);

/// Appointments that ended at or before this instant are due for erasure.
pub fn cutoff(now: Timestamp, retention_days: i64) -> Timestamp {
    let days = retention_days.max(0);
    now.checked_sub(SignedDuration::from_hours(days.saturating_mul(24)))
        .unwrap_or(Timestamp::MIN)
}

/// A resident may erase once the appointment is cancelled or over; before that the clerk still
/// needs the name and contact details for the call.
pub fn may_erase(cancelled: bool, end: Timestamp, now: Timestamp) -> Result<()> {
    if cancelled || end <= now {
        Ok(())
    } else {
        Err(Conflict::EraseNeedsCancel.into())
    }
}

/// Applies the rule for every municipality; returns how many appointments were erased.
pub async fn apply(app: &App) -> Result<u64> {
    let now = app.clock.now();
    let mut erased = 0;
    for tenant in app.db.tenants().await? {
        erased += app
            .db
            .erase_ended_before(tenant.id, cutoff(now, tenant.retention_days), now)
            .await?;
    }
    Ok(erased)
}

/// Applies the rule now and then every `INTERVAL`, until the task is aborted.
pub fn spawn_retention_worker(app: App) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match apply(&app).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(appointments = n, "retention: personal data erased"),
                // The next tick tries again; nothing is lost by waiting.
                Err(e) => tracing::error!(error = %e, "retention run failed"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_cutoff_is_the_retention_period_before_now() {
        assert_eq!(
            cutoff(t("2026-06-18T09:00:00Z"), 90),
            t("2026-03-20T09:00:00Z")
        );
        assert_eq!(
            cutoff(t("2026-06-18T09:00:00Z"), 0),
            t("2026-06-18T09:00:00Z")
        );
    }

    #[test]
    fn residents_erase_after_the_call_or_after_cancelling() {
        let end = t("2026-03-20T10:00:00Z");
        assert!(may_erase(false, end, t("2026-03-20T09:59:59Z")).is_err());
        assert!(may_erase(false, end, end).is_ok());
        assert!(may_erase(true, end, t("2026-03-19T09:00:00Z")).is_ok());
    }
}
