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

use crate::domain::retention::cutoff;
use crate::error::Result;
use crate::App;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How often the worker applies the rule. Erasure is due on a day, not a second; an hour late
/// is well inside any retention period.
pub const INTERVAL: Duration = Duration::from_secs(3600);

/// Applies the rule for every municipality; returns how many appointments were erased.
pub async fn apply(app: &App) -> Result<u64> {
    let now = app.clock.now();
    let mut erased = 0;
    for tenant in app.db.tenants().await? {
        let before = cutoff(now, tenant.retention_days);
        erased += app.db.erase_ended_before(tenant.id, before, now).await?;
        // Notes never recorded as an outcome go too (issue 21: the drafts of the call page).
        app.db
            .erase_unfinished_outcomes_before(tenant.id, before)
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
