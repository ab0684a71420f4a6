//! When clerks are at work: their weekly hours on a date, less their absences and the
//! municipality's closing days (given as absences). Walk-ins are taken only while someone who
//! handles the service is working at this instant; callbacks are promised only on working days.

use crate::domain::catalog::ClerkSchedule;
use crate::domain::slots::Interval;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The stretches of `date` a clerk works, in time order: each window less every absence.
fn working_stretches(clerk: &ClerkSchedule, date: Date, tz: &TimeZone) -> Vec<Interval> {
    let mut stretches: Vec<Interval> = clerk.hours.iter().filter_map(|w| w.on(date, tz)).collect();
    for absence in &clerk.absences {
        stretches = stretches
            .into_iter()
            .flat_map(|s| {
                if !s.overlaps(absence) {
                    return vec![s];
                }
                [
                    Interval::new(s.start, absence.start.min(s.end)),
                    Interval::new(absence.end.max(s.start), s.end),
                ]
                .into_iter()
                .filter(|i| i.start < i.end)
                .collect()
            })
            .collect();
    }
    stretches.sort_by_key(|s| s.start);
    stretches
}

/// The first stretch, from `now` on within `days` local days, in which at least one of the
/// clerks works; its start is `now` when someone works now. `None` when nobody works in that
/// time (no clerks, no hours, or closed throughout).
pub fn next_open(
    clerks: &[ClerkSchedule],
    tz: &TimeZone,
    now: Timestamp,
    days: i16,
) -> Option<Interval> {
    let today = now.to_zoned(tz.clone()).date();
    (0..days)
        .filter_map(|d| today.checked_add(jiff::Span::new().days(d)).ok())
        .find_map(|date| {
            clerks
                .iter()
                .flat_map(|c| working_stretches(c, date, tz))
                .filter(|s| s.end > now)
                .map(|s| Interval::new(s.start.max(now), s.end))
                .min_by_key(|s| s.start)
        })
}

/// Whether someone works at this instant.
pub fn open_now(clerks: &[ClerkSchedule], tz: &TimeZone, now: Timestamp) -> bool {
    next_open(clerks, tz, now, 1).is_some_and(|s| s.start <= now)
}

/// Whether any of the clerks works at some time on `date`.
pub fn working_day(clerks: &[ClerkSchedule], tz: &TimeZone, date: Date) -> bool {
    clerks
        .iter()
        .any(|c| !working_stretches(c, date, tz).is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::ClerkId;
    use crate::domain::slots::WeeklyWindow;
    use jiff::civil::{date, Weekday};

    fn amsterdam() -> TimeZone {
        TimeZone::get("Europe/Amsterdam").unwrap()
    }

    fn office(absences: Vec<Interval>) -> ClerkSchedule {
        ClerkSchedule {
            clerk: ClerkId::new(),
            hours: [
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
            ]
            .into_iter()
            .map(|weekday| WeeklyWindow {
                weekday,
                start_minute: 9 * 60,
                end_minute: 17 * 60,
            })
            .collect(),
            absences,
        }
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn open_during_hours_and_closed_at_night() {
        let tz = amsterdam();
        let clerks = [office(vec![])];
        // Monday 30 November 2026, 10:00 in Amsterdam.
        assert!(open_now(&clerks, &tz, at("2026-11-30T09:00:00Z")));
        // 01:13 at night: closed, opens at 09:00 the same day.
        let night = at("2026-11-30T00:13:00Z");
        assert!(!open_now(&clerks, &tz, night));
        assert_eq!(
            next_open(&clerks, &tz, night, 14).unwrap().start,
            at("2026-11-30T08:00:00Z")
        );
        // Friday after closing: next Monday.
        let friday = at("2026-12-04T17:30:00Z");
        assert_eq!(
            next_open(&clerks, &tz, friday, 14).unwrap().start,
            at("2026-12-07T08:00:00Z")
        );
    }

    #[test]
    fn a_closing_day_closes_and_a_part_day_opens_later() {
        let tz = amsterdam();
        // Closed all of Monday 30 November, and Tuesday until 13:00.
        let clerks = [office(vec![
            Interval::new(at("2026-11-29T23:00:00Z"), at("2026-11-30T23:00:00Z")),
            Interval::new(at("2026-11-30T23:00:00Z"), at("2026-12-01T12:00:00Z")),
        ])];
        let monday = at("2026-11-30T09:00:00Z");
        assert!(!open_now(&clerks, &tz, monday));
        assert!(!working_day(&clerks, &tz, date(2026, 11, 30)));
        assert!(working_day(&clerks, &tz, date(2026, 12, 1)));
        assert_eq!(
            next_open(&clerks, &tz, monday, 14).unwrap().start,
            at("2026-12-01T12:00:00Z")
        );
    }

    #[test]
    fn nobody_with_hours_never_opens() {
        let tz = amsterdam();
        let nobody = ClerkSchedule {
            clerk: ClerkId::new(),
            hours: vec![],
            absences: vec![],
        };
        assert_eq!(
            next_open(&[nobody], &tz, at("2026-11-30T09:00:00Z"), 14),
            None
        );
        assert_eq!(next_open(&[], &tz, at("2026-11-30T09:00:00Z"), 14), None);
    }
}
