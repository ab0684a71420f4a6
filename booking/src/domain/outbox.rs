//! The delivery side of the transactional outbox, pure: when to try again, how a failure is
//! classified, and what state an appointment's deliveries are in. The SQL is in
//! `store::outcomes`, the loop in `delivery`.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

/// Exponential backoff with "equal jitter": attempt n waits between half and all of
/// `base * 2^(n-1)`, capped. The random half spreads workers that failed together (a case
/// store coming back after an outage is not hit by every event in the same second); the fixed
/// half keeps a retry from ever following immediately.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub base: SignedDuration,
    pub cap: SignedDuration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: SignedDuration::from_secs(10),
            cap: SignedDuration::from_secs(60 * 60),
        }
    }
}

impl Backoff {
    /// The wait before retry number `attempt` (1 = after the first failure). `unit` is a
    /// random number in [0, 1); passing it in keeps this a pure function.
    pub fn delay(&self, attempt: u32, unit: f64) -> SignedDuration {
        let base = self.base.as_millis().max(1);
        let cap = self.cap.as_millis().max(base);
        let exponent = attempt.saturating_sub(1).min(40);
        let ceiling = base.saturating_mul(1i128 << exponent).min(cap);
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let half = ceiling / 2;
        let jitter = ((ceiling - half) as f64 * unit) as i128;
        SignedDuration::from_millis((half + jitter).min(ceiling) as i64)
    }
}

/// Why a delivery did not go through, as the adapter judged it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Worth retrying by itself: 5xx, 408/429, timeouts, connection errors.
    #[error("{0}")]
    Transient(String),
    /// The store refused the request (4xx) or our settings are incomplete: retrying the same
    /// request will not help until someone changes something, so it waits for an admin.
    #[error("{0}")]
    Refused(String),
}

impl DeliveryError {
    pub fn message(&self) -> &str {
        match self {
            DeliveryError::Transient(m) | DeliveryError::Refused(m) => m,
        }
    }
}

/// Where one outbox event stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Pending,
    Delivered,
    Failing,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failing => "failing",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(DeliveryState::Pending),
            "delivered" => Some(DeliveryState::Delivered),
            "failing" => Some(DeliveryState::Failing),
            _ => None,
        }
    }
}

/// What the outbox row becomes after a failed attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AfterFailure {
    pub last_error: String,
    /// None: refused, waits for an admin's retry.
    pub next_attempt_at: Option<Timestamp>,
}

/// `attempt` is the number of the attempt that just failed (1 for the first).
pub fn after_failure(
    error: &DeliveryError,
    attempt: u32,
    now: Timestamp,
    backoff: &Backoff,
    unit: f64,
) -> AfterFailure {
    // Error texts come from remote servers; keep the stored text bounded.
    let mut last_error: String = error.message().chars().take(2000).collect();
    if last_error.is_empty() {
        last_error = "unknown error".into();
    }
    let next_attempt_at = match error {
        DeliveryError::Transient(_) => Some(ceil_second(now + backoff.delay(attempt, unit))),
        DeliveryError::Refused(_) => None,
    };
    AfterFailure {
        last_error,
        next_attempt_at,
    }
}

/// Times are stored in whole seconds; rounding down would make a sub-second wait no wait.
fn ceil_second(at: Timestamp) -> Timestamp {
    if at.subsec_nanosecond() == 0 {
        at
    } else {
        Timestamp::from_second(at.as_second() + 1).unwrap_or(at)
    }
}

/// One state for an appointment with several outcome events: failing if any is, else pending
/// if any is, else delivered. None when there is nothing to deliver.
pub fn overall(states: &[DeliveryState]) -> Option<DeliveryState> {
    if states.is_empty() {
        None
    } else if states.contains(&DeliveryState::Failing) {
        Some(DeliveryState::Failing)
    } else if states.contains(&DeliveryState::Pending) {
        Some(DeliveryState::Pending)
    } else {
        Some(DeliveryState::Delivered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn policy() -> Backoff {
        Backoff {
            base: SignedDuration::from_secs(10),
            cap: SignedDuration::from_secs(3600),
        }
    }

    #[test]
    fn delays_double_from_the_base_up_to_the_cap() {
        let b = policy();
        // unit = 1 (almost) gives the ceiling, unit = 0 the half.
        assert_eq!(b.delay(1, 0.0), SignedDuration::from_secs(5));
        assert_eq!(b.delay(1, 1.0), SignedDuration::from_secs(10));
        assert_eq!(b.delay(2, 1.0), SignedDuration::from_secs(20));
        assert_eq!(b.delay(4, 1.0), SignedDuration::from_secs(80));
        assert_eq!(b.delay(9, 1.0), SignedDuration::from_secs(2560));
        assert_eq!(b.delay(10, 1.0), SignedDuration::from_secs(3600));
        assert_eq!(b.delay(u32::MAX, 0.0), SignedDuration::from_secs(1800));
        assert_eq!(b.delay(0, 1.0), SignedDuration::from_secs(10));
        assert_eq!(b.delay(3, f64::NAN), SignedDuration::from_secs(20));
    }

    #[test]
    fn jitter_spreads_retries_of_the_same_attempt() {
        let b = policy();
        let delays: std::collections::BTreeSet<_> =
            (0..10).map(|i| b.delay(5, f64::from(i) / 10.0)).collect();
        assert_eq!(delays.len(), 10, "different units give different delays");
    }

    proptest! {
        #[test]
        fn delay_stays_within_half_and_full_ceiling(attempt in 0u32..200, unit in 0.0f64..1.0) {
            let b = policy();
            let ceiling = (10_000i128 << attempt.saturating_sub(1).min(40)).min(3_600_000);
            let d = b.delay(attempt, unit).as_millis();
            prop_assert!(d >= ceiling / 2 && d <= ceiling, "{d} outside [{}, {ceiling}]", ceiling / 2);
            // Never shorter than the previous attempt's shortest wait.
            prop_assert!(b.delay(attempt + 1, 0.0) >= b.delay(attempt, 0.0));
        }
    }

    #[test]
    fn transient_failures_are_scheduled_and_refusals_wait_for_an_admin() {
        let now: Timestamp = "2026-03-20T09:00:00Z".parse().unwrap();
        let t = after_failure(
            &DeliveryError::Transient("503 Service Unavailable".into()),
            3,
            now,
            &policy(),
            1.0,
        );
        assert_eq!(t.next_attempt_at, Some(now + SignedDuration::from_secs(40)));
        assert_eq!(t.last_error, "503 Service Unavailable");
        let r = after_failure(
            &DeliveryError::Refused("400 zaaktype: onbekend".into()),
            1,
            now,
            &policy(),
            0.5,
        );
        assert_eq!(r.next_attempt_at, None);
        // A 0.6 s wait is stored as the next whole second, never as "now".
        let short = Backoff {
            base: SignedDuration::from_secs(1),
            cap: SignedDuration::from_secs(1),
        };
        let s = after_failure(&DeliveryError::Transient("x".into()), 1, now, &short, 0.2);
        assert_eq!(s.next_attempt_at, Some(now + SignedDuration::from_secs(1)));
        assert_eq!(r.last_error, "400 zaaktype: onbekend");
        let long = after_failure(
            &DeliveryError::Refused("x".repeat(5000)),
            1,
            now,
            &policy(),
            0.5,
        );
        assert_eq!(long.last_error.len(), 2000);
    }

    #[test]
    fn overall_state_reports_the_worst() {
        use DeliveryState::*;
        assert_eq!(overall(&[]), None);
        assert_eq!(overall(&[Delivered, Delivered]), Some(Delivered));
        assert_eq!(overall(&[Delivered, Pending]), Some(Pending));
        assert_eq!(overall(&[Pending, Failing, Delivered]), Some(Failing));
        for s in [Pending, Delivered, Failing] {
            assert_eq!(DeliveryState::parse(s.as_str()), Some(s));
        }
    }
}
