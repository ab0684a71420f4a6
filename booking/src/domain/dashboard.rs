//! The admin dashboard: per service and ISO week (in the municipality's time zone) calls,
//! ratings, waiting time, no-shows, missed calls, callbacks handled on time and open
//! complaints. Pure: the store hands over the raw facts of a period, this module buckets and
//! counts them, so every figure is unit-tested without a database.
//!
//! Definitions (each fact counts in the week of the time named):
//! - calls: queue entries the resident answered (week they joined the queue);
//! - waiting time: from joining, or from the appointment's start for someone who checked in
//!   early, to the first call; p50/p90 by the nearest-rank method;
//! - no-shows: booked appointments (week of the start) nobody checked in for once the grace
//!   period is over, out of the booked appointments whose grace period is over;
//! - missed calls: queue entries called but never answered;
//! - callbacks on time: the first attempt to phone lies in the promised window
//!   (`callback::first_attempt_on_time`; older requests: by `callback::deadline`; week requested);
//! - ratings: week given; open complaints: complaints given that week not yet handled.

use crate::domain::callback::{self, PartOfDay};
use crate::domain::ids::ServiceId;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub struct AppointmentFact {
    pub service: ServiceId,
    pub start: Timestamp,
    pub cancelled: bool,
    pub checked_in: bool,
}

pub struct QueueFact {
    pub service: ServiceId,
    pub joined: Timestamp,
    /// The appointment's start, for a check-in.
    pub due: Option<Timestamp>,
    pub first_called: Option<Timestamp>,
    pub answered: bool,
    pub missed: bool,
}

pub struct FeedbackFact {
    pub service: ServiceId,
    pub given: Timestamp,
    pub rating: u8,
    pub open_complaint: bool,
}

pub struct CallbackFact {
    pub service: ServiceId,
    pub requested: Timestamp,
    pub part_of_day: PartOfDay,
    /// The promised window; `None` for requests from before promises were kept.
    pub promised: Option<crate::domain::slots::Interval>,
    /// The first attempt to phone, or for older requests the time it was marked handled.
    pub first_attempt: Option<Timestamp>,
}

#[derive(Default)]
pub struct Facts {
    pub appointments: Vec<AppointmentFact>,
    pub queue: Vec<QueueFact>,
    pub feedback: Vec<FeedbackFact>,
    pub callbacks: Vec<CallbackFact>,
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct WeekRow {
    pub service_id: ServiceId,
    /// ISO week, e.g. `2026-W12`.
    pub week: String,
    /// The Monday the week starts on, `YYYY-MM-DD`.
    pub week_start: String,
    pub calls: u32,
    pub ratings: u32,
    pub average_rating: Option<f64>,
    /// How many ratings of 1, 2, ... 10.
    pub rating_distribution: [u32; 10],
    pub wait_p50_seconds: Option<i64>,
    pub wait_p90_seconds: Option<i64>,
    pub appointments_due: u32,
    pub no_shows: u32,
    pub no_show_rate: Option<f64>,
    pub missed_calls: u32,
    pub callbacks: u32,
    pub callbacks_on_time: u32,
    pub complaints_open: u32,
}

impl WeekRow {
    fn new(service: ServiceId, monday: Date) -> Self {
        let iso = monday.iso_week_date();
        Self {
            service_id: service,
            week: format!("{}-W{:02}", iso.year(), iso.week()),
            week_start: monday.to_string(),
            calls: 0,
            ratings: 0,
            average_rating: None,
            rating_distribution: [0; 10],
            wait_p50_seconds: None,
            wait_p90_seconds: None,
            appointments_due: 0,
            no_shows: 0,
            no_show_rate: None,
            missed_calls: 0,
            callbacks: 0,
            callbacks_on_time: 0,
            complaints_open: 0,
        }
    }
}

/// The Monday of the local week `at` falls in.
pub fn week_start(at: Timestamp, tz: &TimeZone) -> Date {
    let date = at.to_zoned(tz.clone()).date();
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(jiff::Span::new().days(back))
        .unwrap_or(date)
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p) * sorted.len() as u64).div_ceil(100).max(1);
    sorted.get(usize::try_from(rank - 1).ok()?).copied()
}

fn row_of<'a>(
    rows: &'a mut BTreeMap<(ServiceId, Date), WeekRow>,
    service: ServiceId,
    at: Timestamp,
    tz: &TimeZone,
) -> &'a mut WeekRow {
    let monday = week_start(at, tz);
    rows.entry((service, monday))
        .or_insert_with(|| WeekRow::new(service, monday))
}

/// Rows per service and week, ordered by service then week; only weeks with any fact.
pub fn weekly(facts: &Facts, tz: &TimeZone, grace: SignedDuration, now: Timestamp) -> Vec<WeekRow> {
    let mut rows: BTreeMap<(ServiceId, Date), WeekRow> = BTreeMap::new();
    let mut waits: BTreeMap<(ServiceId, Date), Vec<i64>> = BTreeMap::new();
    for a in &facts.appointments {
        // Cancelled, or the grace period still running: not (yet) a show or a no-show.
        if a.cancelled || now <= a.start + grace {
            continue;
        }
        let r = row_of(&mut rows, a.service, a.start, tz);
        r.appointments_due += 1;
        r.no_shows += u32::from(!a.checked_in);
    }
    for q in &facts.queue {
        let r = row_of(&mut rows, q.service, q.joined, tz);
        r.calls += u32::from(q.answered);
        r.missed_calls += u32::from(q.missed);
        if let Some(called) = q.first_called {
            // Someone who checked in early waits for the appointment's start, not for us.
            let from = q.due.map_or(q.joined, |due| due.max(q.joined));
            let wait = called.duration_since(from).as_secs().max(0);
            waits
                .entry((q.service, week_start(q.joined, tz)))
                .or_default()
                .push(wait);
        }
    }
    for f in &facts.feedback {
        let r = row_of(&mut rows, f.service, f.given, tz);
        r.ratings += 1;
        if let Some(slot) = r
            .rating_distribution
            .get_mut(usize::from(f.rating).wrapping_sub(1))
        {
            *slot += 1;
        }
        r.complaints_open += u32::from(f.open_complaint);
    }
    for c in &facts.callbacks {
        let r = row_of(&mut rows, c.service, c.requested, tz);
        r.callbacks += 1;
        r.callbacks_on_time += u32::from(c.first_attempt.is_some_and(|first| {
            callback::first_attempt_on_time(c.requested, c.part_of_day, c.promised, first, tz)
        }));
    }
    for (key, r) in rows.iter_mut() {
        if r.ratings > 0 {
            let sum: u32 = (1..=10u32)
                .zip(r.rating_distribution)
                .map(|(score, n)| score * n)
                .sum();
            r.average_rating = Some(f64::from(sum) / f64::from(r.ratings));
        }
        if r.appointments_due > 0 {
            r.no_show_rate = Some(f64::from(r.no_shows) / f64::from(r.appointments_due));
        }
        if let Some(w) = waits.get_mut(key) {
            w.sort_unstable();
            r.wait_p50_seconds = percentile(w, 50);
            r.wait_p90_seconds = percentile(w, 90);
        }
    }
    rows.into_values().collect()
}

/// The rows as CSV with a header, service names instead of ids; numbers with a dot.
pub fn to_csv(rows: &[WeekRow], service_name: impl Fn(ServiceId) -> String) -> String {
    fn opt<T: ToString>(v: Option<T>) -> String {
        v.map(|v| v.to_string()).unwrap_or_default()
    }
    fn quoted(s: &str) -> String {
        format!("\"{}\"", s.replace('"', "\"\""))
    }
    let mut out = String::from(
        "service,week,week_start,calls,ratings,average_rating,r1,r2,r3,r4,r5,r6,r7,r8,r9,r10,\
         wait_p50_seconds,wait_p90_seconds,appointments_due,no_shows,no_show_rate,missed_calls,\
         callbacks,callbacks_on_time,complaints_open\r\n",
    );
    for r in rows {
        let distribution: Vec<String> = r.rating_distribution.iter().map(u32::to_string).collect();
        let fields = [
            quoted(&service_name(r.service_id)),
            r.week.clone(),
            r.week_start.clone(),
            r.calls.to_string(),
            r.ratings.to_string(),
            opt(r.average_rating.map(|a| format!("{a:.2}"))),
            distribution.join(","),
            opt(r.wait_p50_seconds),
            opt(r.wait_p90_seconds),
            r.appointments_due.to_string(),
            r.no_shows.to_string(),
            opt(r.no_show_rate.map(|a| format!("{a:.3}"))),
            r.missed_calls.to_string(),
            r.callbacks.to_string(),
            r.callbacks_on_time.to_string(),
            r.complaints_open.to_string(),
        ];
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 50), Some(5));
        assert_eq!(percentile(&v, 90), Some(9));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn weeks_are_local_iso_weeks() {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        // Sunday 22 March 23:30 UTC is already Monday 23 March in Amsterdam.
        assert_eq!(
            week_start(t("2026-03-22T23:30:00Z"), &tz).to_string(),
            "2026-03-23"
        );
        assert_eq!(
            week_start(t("2026-03-22T22:30:00Z"), &tz).to_string(),
            "2026-03-16"
        );
    }

    #[test]
    fn every_figure_is_counted_per_service_and_week() {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        let (a, b) = (ServiceId::new(), ServiceId::new());
        let grace = SignedDuration::from_mins(15);
        let now = t("2026-03-27T12:00:00Z");
        let q =
            |service, joined: &str, due: Option<&str>, called: Option<&str>, answered, missed| {
                QueueFact {
                    service,
                    joined: t(joined),
                    due: due.map(t),
                    first_called: called.map(t),
                    answered,
                    missed,
                }
            };
        let facts = Facts {
            appointments: vec![
                AppointmentFact {
                    service: a,
                    start: t("2026-03-16T09:00:00Z"),
                    cancelled: false,
                    checked_in: true,
                },
                AppointmentFact {
                    service: a,
                    start: t("2026-03-17T09:00:00Z"),
                    cancelled: false,
                    checked_in: false,
                },
                AppointmentFact {
                    service: a,
                    start: t("2026-03-17T10:00:00Z"),
                    cancelled: true,
                    checked_in: false,
                },
                // Grace period still running: not counted yet.
                AppointmentFact {
                    service: a,
                    start: t("2026-03-27T11:50:00Z"),
                    cancelled: false,
                    checked_in: false,
                },
            ],
            queue: vec![
                // Checked in 10 minutes early, called 2 minutes after the start: waited 120 s.
                q(
                    a,
                    "2026-03-16T08:50:00Z",
                    Some("2026-03-16T09:00:00Z"),
                    Some("2026-03-16T09:02:00Z"),
                    true,
                    false,
                ),
                q(
                    a,
                    "2026-03-18T09:00:00Z",
                    None,
                    Some("2026-03-18T09:10:00Z"),
                    true,
                    false,
                ),
                q(
                    a,
                    "2026-03-18T09:00:00Z",
                    None,
                    Some("2026-03-18T09:30:00Z"),
                    false,
                    true,
                ),
                q(b, "2026-03-24T09:00:00Z", None, None, false, false),
            ],
            feedback: vec![
                FeedbackFact {
                    service: a,
                    given: t("2026-03-16T10:00:00Z"),
                    rating: 8,
                    open_complaint: false,
                },
                FeedbackFact {
                    service: a,
                    given: t("2026-03-18T10:00:00Z"),
                    rating: 3,
                    open_complaint: true,
                },
                FeedbackFact {
                    service: a,
                    given: t("2026-03-19T10:00:00Z"),
                    rating: 10,
                    open_complaint: false,
                },
            ],
            callbacks: vec![
                CallbackFact {
                    service: b,
                    requested: t("2026-03-23T09:00:00Z"),
                    part_of_day: PartOfDay::Morning,
                    // 12:00 in Amsterdam: the end of the morning, just on time.
                    promised: None,
                    first_attempt: Some(t("2026-03-23T11:00:00Z")),
                },
                CallbackFact {
                    service: b,
                    requested: t("2026-03-23T09:00:00Z"),
                    part_of_day: PartOfDay::Morning,
                    promised: None,
                    first_attempt: Some(t("2026-03-23T11:00:01Z")),
                },
                CallbackFact {
                    service: b,
                    requested: t("2026-03-23T09:00:00Z"),
                    part_of_day: PartOfDay::Morning,
                    promised: None,
                    first_attempt: None,
                },
            ],
        };
        let rows = weekly(&facts, &tz, grace, now);
        let week = |s: ServiceId, w: &str| {
            rows.iter()
                .find(|r| r.service_id == s && r.week == w)
                .unwrap()
        };
        let a12 = week(a, "2026-W12");
        assert_eq!(a12.week_start, "2026-03-16");
        assert_eq!((a12.calls, a12.missed_calls), (2, 1));
        assert_eq!(
            (a12.appointments_due, a12.no_shows, a12.no_show_rate),
            (2, 1, Some(0.5))
        );
        assert_eq!(
            (a12.wait_p50_seconds, a12.wait_p90_seconds),
            (Some(600), Some(1800))
        );
        assert_eq!(a12.ratings, 3);
        assert_eq!(a12.average_rating, Some(7.0));
        assert_eq!(a12.rating_distribution, [0, 0, 1, 0, 0, 0, 0, 1, 0, 1]);
        assert_eq!(a12.complaints_open, 1);
        let a13 = rows
            .iter()
            .find(|r| r.service_id == a && r.week == "2026-W13");
        assert!(
            a13.is_none(),
            "the appointment in its grace period makes no row"
        );
        let b13 = week(b, "2026-W13");
        assert_eq!((b13.callbacks, b13.callbacks_on_time), (3, 1));
        assert_eq!(
            (b13.calls, b13.wait_p50_seconds, b13.average_rating),
            (0, None, None)
        );

        let csv = to_csv(&rows, |s| {
            if s == a {
                "Paspoort \"snel\"".into()
            } else {
                "Verhuizing".into()
            }
        });
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 1 + rows.len());
        assert_eq!(lines[0].split(',').count(), 25);
        assert!(csv.contains("\"Paspoort \"\"snel\"\"\",2026-W12,2026-03-16,2,3,7.00,0,0,1,0,0,0,0,1,0,1,600,1800,2,1,0.500,1,0,0,1\r\n"), "{csv}");
    }
}
