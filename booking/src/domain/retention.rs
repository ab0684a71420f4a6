//! Privacy by default (AVG/GDPR), the rules: when an appointment's personal data is due for
//! erasure (the municipality's retention period after it ended), when a resident may erase it
//! earlier, and what replaces it. The worker that applies them is `usecases::retention`.

use crate::error::{Conflict, Result};
use jiff::{SignedDuration, Timestamp};

/// What replaces the name; the email column must stay a valid address for the row to load.
pub const ERASED_NAME: &str = "Verwijderd";
pub const ERASED_EMAIL: &str = "verwijderd@videoloket.invalid";

/// Told to a resident who erases their data: what the municipality keeps, and why.
pub const KEPT_BY_LAW: &str = "De uitkomst van het gesprek staat in het zaaksysteem van de \
    gemeente. Die moet de gemeente volgens de Archiefwet bewaren; uw naam, e-mailadres, \
    telefoonnummer en opmerking zijn bij ons verwijderd.";

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
