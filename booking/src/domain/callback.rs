//! Callback requests: a resident who would rather be phoned than wait in the queue leaves a
//! number and a part of the day; clerks work through the list.

use crate::domain::ids::{ClerkId, ServiceId, TenantId};
pub use crate::domain::queue::CallbackId;
use crate::domain::slots::Interval;
use crate::error::{Error, Result};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PartOfDay {
    Morning,
    Afternoon,
    Evening,
}

impl PartOfDay {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Morning => "morning",
            Self::Afternoon => "afternoon",
            Self::Evening => "evening",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "morning" => Some(Self::Morning),
            "afternoon" => Some(Self::Afternoon),
            "evening" => Some(Self::Evening),
            _ => None,
        }
    }
}

/// The hours a part of the day stands for, local: the promise "between 13:00 and 17:00".
pub fn part_hours(part: PartOfDay) -> (i8, i8) {
    match part {
        PartOfDay::Morning => (9, 12),
        PartOfDay::Afternoon => (13, 17),
        PartOfDay::Evening => (17, 21),
    }
}

/// A part of a day the municipality promises to call in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Promise {
    pub date: Date,
    pub part: PartOfDay,
    pub window: Interval,
}

impl Promise {
    pub fn new(date: Date, part: PartOfDay, tz: &TimeZone) -> Option<Self> {
        let (from, until) = part_hours(part);
        let at = |hour: i8| {
            date.at(hour, 0, 0, 0)
                .to_zoned(tz.clone())
                .ok()
                .map(|z| z.timestamp())
        };
        Some(Self {
            date,
            part,
            window: Interval::new(at(from)?, at(until)?),
        })
    }
}

/// The parts of the day a resident may choose: the morning and afternoon of today that have not
/// ended yet (when today is a working day), and those of the next working day within two weeks.
pub fn choices(now: Timestamp, tz: &TimeZone, working_day: impl Fn(Date) -> bool) -> Vec<Promise> {
    let today = now.to_zoned(tz.clone()).date();
    let parts = [PartOfDay::Morning, PartOfDay::Afternoon];
    let mut out: Vec<Promise> = Vec::new();
    if working_day(today) {
        out.extend(
            parts
                .iter()
                .filter_map(|p| Promise::new(today, *p, tz))
                .filter(|p| p.window.end > now),
        );
    }
    let next = (1..=14)
        .filter_map(|d| today.checked_add(jiff::Span::new().days(d)).ok())
        .find(|d| working_day(*d));
    if let Some(next) = next {
        out.extend(parts.iter().filter_map(|p| Promise::new(next, *p, tz)));
    }
    out
}

/// After this many attempts without reaching the resident the request is closed as unreachable.
pub const UNREACHABLE_AFTER: usize = 2;

/// How a callback request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Closed {
    Reached,
    Unreachable,
}

impl Closed {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reached => "reached",
            Self::Unreachable => "unreachable",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "reached" => Some(Self::Reached),
            "unreachable" => Some(Self::Unreachable),
            _ => None,
        }
    }
}

/// What an attempt does to the request: reached closes it; the second time not reached closes
/// it as unreachable; otherwise it stays open for another try. `failed_before` counts the
/// earlier attempts that did not reach the resident.
pub fn after_attempt(reached: bool, failed_before: usize) -> Option<Closed> {
    if reached {
        Some(Closed::Reached)
    } else if failed_before + 1 >= UNREACHABLE_AFTER {
        Some(Closed::Unreachable)
    } else {
        None
    }
}

/// One try to phone the resident back.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    pub at: Timestamp,
    pub clerk: ClerkId,
    pub reached: bool,
    /// What the clerk noted (a `FreeText`), empty when nothing.
    pub note: String,
}

/// The first attempt was within the promised window. A request from before promises were kept
/// counts by its deadline (`deadline`).
pub fn first_attempt_on_time(
    requested_at: Timestamp,
    part: PartOfDay,
    promised: Option<Interval>,
    first_attempt: Timestamp,
    tz: &TimeZone,
) -> bool {
    match promised {
        Some(window) => window.start <= first_attempt && first_attempt <= window.end,
        None => handled_on_time(requested_at, part, first_attempt, tz),
    }
}

/// When a callback should have been made at the latest: the end of the chosen part of the day
/// (12:00, 17:00, 21:00 local) on the day of the request, or the next day when the request came
/// after that part of the day had ended. The clerk's list ("late") and the dashboard ("on
/// time") both use this one rule.
pub fn deadline(requested_at: Timestamp, part: PartOfDay, tz: &TimeZone) -> Result<Timestamp> {
    let internal = |e: jiff::Error| Error::Internal(e.to_string());
    let asked = requested_at.to_zoned(tz.clone());
    let hour = match part {
        PartOfDay::Morning => 12,
        PartOfDay::Afternoon => 17,
        PartOfDay::Evening => 21,
    };
    let end_of = |date: jiff::civil::Date| -> Result<Timestamp> {
        Ok(date
            .at(hour, 0, 0, 0)
            .to_zoned(tz.clone())
            .map_err(internal)?
            .timestamp())
    };
    let that_day = end_of(asked.date())?;
    if requested_at < that_day {
        return Ok(that_day);
    }
    end_of(asked.date().tomorrow().map_err(internal)?)
}

/// Handled by its deadline.
pub fn handled_on_time(
    requested_at: Timestamp,
    part: PartOfDay,
    handled_at: Timestamp,
    tz: &TimeZone,
) -> bool {
    deadline(requested_at, part, tz).is_ok_and(|d| handled_at <= d)
}

#[derive(Clone, Debug, PartialEq)]
pub struct CallbackRequest {
    pub id: CallbackId,
    pub tenant_id: TenantId,
    pub service_id: ServiceId,
    pub resident_name: String,
    pub phone: String,
    pub part_of_day: PartOfDay,
    pub requested_at: Timestamp,
    pub handled_at: Option<Timestamp>,
    pub handled_by: Option<ClerkId>,
    /// The window promised to the resident; `None` for requests from before promises.
    pub promised: Option<Interval>,
    /// How it ended, once closed (`handled_at` says when).
    pub closed: Option<Closed>,
}

impl CallbackRequest {
    /// The end of the promise, or of the chosen part of the day for older requests.
    pub fn deadline(&self, tz: &TimeZone) -> Result<Timestamp> {
        match self.promised {
            Some(window) => Ok(window.end),
            None => deadline(self.requested_at, self.part_of_day, tz),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn choices_are_the_rest_of_today_and_the_next_working_day() {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        let weekdays = |d: Date| d.weekday().to_monday_one_offset() <= 5;
        // Monday 30 November 2026, 12:30 local: the morning is over.
        let c = choices(at("2026-11-30T11:30:00Z"), &tz, weekdays);
        let got: Vec<_> = c.iter().map(|p| (p.date.to_string(), p.part)).collect();
        assert_eq!(
            got,
            vec![
                ("2026-11-30".into(), PartOfDay::Afternoon),
                ("2026-12-01".into(), PartOfDay::Morning),
                ("2026-12-01".into(), PartOfDay::Afternoon),
            ]
        );
        assert_eq!(
            c[0].window,
            Interval::new(at("2026-11-30T12:00:00Z"), at("2026-11-30T16:00:00Z"))
        );
        // Friday evening: Monday's parts only.
        let c = choices(at("2026-12-04T18:00:00Z"), &tz, weekdays);
        assert_eq!(c.len(), 2);
        assert!(c.iter().all(|p| p.date.to_string() == "2026-12-07"));
    }

    #[test]
    fn the_second_failed_attempt_closes_as_unreachable() {
        assert_eq!(after_attempt(false, 0), None);
        assert_eq!(after_attempt(false, 1), Some(Closed::Unreachable));
        assert_eq!(after_attempt(true, 1), Some(Closed::Reached));
    }

    #[test]
    fn on_time_means_the_first_attempt_lies_in_the_promise() {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        let window = Interval::new(at("2026-11-30T12:00:00Z"), at("2026-11-30T16:00:00Z"));
        let asked = at("2026-11-30T08:00:00Z");
        let on_time =
            |t: &str| first_attempt_on_time(asked, PartOfDay::Afternoon, Some(window), at(t), &tz);
        assert!(on_time("2026-11-30T12:00:00Z"));
        assert!(on_time("2026-11-30T16:00:00Z"));
        assert!(!on_time("2026-11-30T16:00:01Z"));
        assert!(
            !on_time("2026-11-30T09:00:00Z"),
            "before the promise is not what was promised"
        );
    }

    #[test]
    fn parts_of_day_are_parsed() {
        assert_eq!(PartOfDay::parse("evening"), Some(PartOfDay::Evening));
        assert_eq!(PartOfDay::parse("night"), None);
    }
}
