//! A clerk's status at the counter, pure: available, paused (with an optional reason), in a
//! call, or finishing (after-call work). Calling someone in sets "in a call", ending the call
//! sets "finishing", and finishing turns into "available" by itself once the municipality's
//! maximum has passed: that is computed from the clock, so no timer is needed and every server
//! instance agrees. The stored periods are summed per ISO week for the dashboard.

use crate::domain::ids::ClerkId;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use std::collections::BTreeMap;

/// How long after-call work may last when the municipality did not choose.
pub const DEFAULT_FINISHING_MAX: SignedDuration = SignedDuration::from_mins(3);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClerkStatus {
    Available,
    Paused,
    InCall,
    Finishing,
}

impl ClerkStatus {
    pub const ALL: [ClerkStatus; 4] = [
        ClerkStatus::Available,
        ClerkStatus::Paused,
        ClerkStatus::InCall,
        ClerkStatus::Finishing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Paused => "paused",
            Self::InCall => "in_call",
            Self::Finishing => "finishing",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Counts as a clerk at work for the expected wait: everyone but a paused clerk (one in a
    /// call or finishing is back within minutes, so leaving them out would make the expected
    /// wait jump with every call).
    pub fn at_work(self) -> bool {
        self != Self::Paused
    }
}

/// A stretch of time a clerk spent in one status; `until` is `None` for the current one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub clerk_id: ClerkId,
    pub status: ClerkStatus,
    /// Why a clerk paused, when they said.
    pub reason: Option<String>,
    pub since: Timestamp,
    pub until: Option<Timestamp>,
}

/// The status a clerk has now, from their current stored period: a clerk without one is
/// available; finishing past the maximum is available again.
pub fn current(period: Option<&Period>, finishing_max: SignedDuration, now: Timestamp) -> Now {
    match period {
        None => Now {
            status: ClerkStatus::Available,
            since: None,
            reason: None,
        },
        Some(p) if p.status == ClerkStatus::Finishing && now >= p.since + finishing_max => Now {
            status: ClerkStatus::Available,
            since: Some(p.since + finishing_max),
            reason: None,
        },
        Some(p) => Now {
            status: p.status,
            since: Some(p.since),
            reason: p.reason.clone(),
        },
    }
}

/// A clerk's status now, with since when (`None`: never set, available by default).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Now {
    pub status: ClerkStatus,
    pub since: Option<Timestamp>,
    pub reason: Option<String>,
}

/// What happens to a clerk's status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The clerk says they are available (also ends a pause or after-call work early).
    Available,
    /// The clerk pauses, with an optional reason.
    Pause { reason: Option<String> },
    /// The clerk called someone in.
    CallStarted,
    /// The clerk ended the call.
    CallEnded,
}

/// Why a change is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// A paused clerk does not call anyone in; they say they are available first.
    Paused,
}

/// The status after `event`, or `None` when nothing changes (no new period to store).
pub fn transition(
    from: &Now,
    event: &Event,
) -> Result<Option<(ClerkStatus, Option<String>)>, Refused> {
    use ClerkStatus::*;
    let to = match (from.status, event) {
        (Paused, Event::CallStarted) => return Err(Refused::Paused),
        // A pause outlasts a call that ends meanwhile (e.g. the resident hung up).
        (Paused, Event::CallEnded) => return Ok(None),
        (_, Event::Available) => (Available, None),
        (_, Event::Pause { reason }) => (Paused, reason.clone()),
        (_, Event::CallStarted) => (InCall, None),
        (_, Event::CallEnded) => (Finishing, None),
    };
    // The same status again changes nothing, except a pause with another reason.
    if to.0 == from.status && to.1 == from.reason && from.since.is_some() {
        return Ok(None);
    }
    if to.0 == Available && from.status == Available {
        return Ok(None);
    }
    Ok(Some(to))
}

/// Seconds per status of one clerk in one ISO week (keyed by the week's Monday).
pub type WeekTotals = BTreeMap<(ClerkId, jiff::civil::Date), BTreeMap<ClerkStatus, i64>>;

/// Adds up the periods per clerk, local ISO week and status, within `[from, to)`; an open
/// period runs until `now`. Finishing counts up to `finishing_max`, the rest as available,
/// the same rule `current` applies.
pub fn weekly_totals(
    periods: &[Period],
    finishing_max: SignedDuration,
    tz: &TimeZone,
    from: Timestamp,
    to: Timestamp,
    now: Timestamp,
) -> WeekTotals {
    let mut totals = WeekTotals::new();
    for p in periods {
        let end = p.until.unwrap_or(now).min(now);
        let pieces: Vec<(ClerkStatus, Timestamp, Timestamp)> = if p.status == ClerkStatus::Finishing
        {
            let cut = (p.since + finishing_max).min(end);
            vec![
                (ClerkStatus::Finishing, p.since, cut),
                (ClerkStatus::Available, cut, end),
            ]
        } else {
            vec![(p.status, p.since, end)]
        };
        for (status, start, end) in pieces {
            let (mut start, end) = (start.max(from), end.min(to));
            // Split at local week boundaries, so a night-long pause counts in each week.
            while start < end {
                let monday = crate::domain::dashboard::week_start(start, tz);
                let next = monday
                    .checked_add(jiff::Span::new().days(7))
                    .ok()
                    .and_then(|d| d.to_zoned(tz.clone()).ok())
                    .map(|z| z.timestamp())
                    .unwrap_or(end);
                let piece_end = next.min(end);
                *totals
                    .entry((p.clerk_id, monday))
                    .or_default()
                    .entry(status)
                    .or_default() += piece_end.duration_since(start).as_secs();
                start = piece_end;
            }
        }
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn now_of(status: ClerkStatus, reason: Option<&str>) -> Now {
        Now {
            status,
            since: Some(t("2026-03-20T09:00:00Z")),
            reason: reason.map(Into::into),
        }
    }

    #[test]
    fn calling_in_sets_in_call_and_ending_sets_finishing() {
        let available = now_of(ClerkStatus::Available, None);
        assert_eq!(
            transition(&available, &Event::CallStarted),
            Ok(Some((ClerkStatus::InCall, None)))
        );
        let in_call = now_of(ClerkStatus::InCall, None);
        assert_eq!(
            transition(&in_call, &Event::CallEnded),
            Ok(Some((ClerkStatus::Finishing, None)))
        );
        // Calling the next one while finishing ends the after-call work.
        let finishing = now_of(ClerkStatus::Finishing, None);
        assert_eq!(
            transition(&finishing, &Event::CallStarted),
            Ok(Some((ClerkStatus::InCall, None)))
        );
        assert_eq!(transition(&in_call, &Event::CallStarted), Ok(None));
    }

    #[test]
    fn a_paused_clerk_calls_nobody_in_until_available() {
        let paused = now_of(ClerkStatus::Paused, Some("lunch"));
        assert_eq!(
            transition(&paused, &Event::CallStarted),
            Err(Refused::Paused)
        );
        assert_eq!(transition(&paused, &Event::CallEnded), Ok(None));
        assert_eq!(
            transition(&paused, &Event::Pause { reason: None }),
            Ok(Some((ClerkStatus::Paused, None))),
            "another reason is a new period"
        );
        assert_eq!(
            transition(
                &paused,
                &Event::Pause {
                    reason: Some("lunch".into())
                }
            ),
            Ok(None)
        );
        assert_eq!(
            transition(&paused, &Event::Available),
            Ok(Some((ClerkStatus::Available, None)))
        );
        let never_set = current(None, DEFAULT_FINISHING_MAX, t("2026-03-20T09:00:00Z"));
        assert_eq!(never_set.status, ClerkStatus::Available);
        assert_eq!(transition(&never_set, &Event::Available), Ok(None));
    }

    #[test]
    fn finishing_returns_to_available_after_the_maximum() {
        let clerk = ClerkId::new();
        let p = Period {
            clerk_id: clerk,
            status: ClerkStatus::Finishing,
            reason: None,
            since: t("2026-03-20T09:00:00Z"),
            until: None,
        };
        let max = SignedDuration::from_mins(3);
        assert_eq!(
            current(Some(&p), max, t("2026-03-20T09:02:59Z")).status,
            ClerkStatus::Finishing
        );
        let after = current(Some(&p), max, t("2026-03-20T09:03:00Z"));
        assert_eq!(after.status, ClerkStatus::Available);
        assert_eq!(after.since, Some(t("2026-03-20T09:03:00Z")));
    }

    #[test]
    fn weekly_totals_per_status_clip_finishing_and_split_weeks() {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        let clerk = ClerkId::new();
        let period = |status, since: &str, until: Option<&str>| Period {
            clerk_id: clerk,
            status,
            reason: None,
            since: t(since),
            until: until.map(t),
        };
        // Friday 20 March 2026, local week of Monday 16 March.
        let periods = [
            period(
                ClerkStatus::Available,
                "2026-03-20T08:00:00Z",
                Some("2026-03-20T08:30:00Z"),
            ),
            period(
                ClerkStatus::InCall,
                "2026-03-20T08:30:00Z",
                Some("2026-03-20T08:50:00Z"),
            ),
            // Ten minutes finishing with a 3-minute maximum: 3 finishing, 7 available.
            period(
                ClerkStatus::Finishing,
                "2026-03-20T08:50:00Z",
                Some("2026-03-20T09:00:00Z"),
            ),
            // Paused from Sunday 23:00 local to Monday 01:00 local: an hour in each week.
            period(
                ClerkStatus::Paused,
                "2026-03-22T22:00:00Z",
                Some("2026-03-23T00:00:00Z"),
            ),
        ];
        let totals = weekly_totals(
            &periods,
            SignedDuration::from_mins(3),
            &tz,
            t("2026-03-01T00:00:00Z"),
            t("2026-04-01T00:00:00Z"),
            t("2026-03-25T00:00:00Z"),
        );
        let week = |d: &str| &totals[&(clerk, d.parse().unwrap())];
        let first = week("2026-03-16");
        assert_eq!(first[&ClerkStatus::Available], 37 * 60);
        assert_eq!(first[&ClerkStatus::InCall], 20 * 60);
        assert_eq!(first[&ClerkStatus::Finishing], 3 * 60);
        assert_eq!(first[&ClerkStatus::Paused], 3600);
        assert_eq!(week("2026-03-23")[&ClerkStatus::Paused], 3600);
    }
}
