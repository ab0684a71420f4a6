//! The slot engine: which start times can a resident book for a service?
//!
//! Pure functions over plain values, no IO. Opening hours are local wall-clock times in the
//! municipality's time zone; everything else is absolute (`Timestamp`), so daylight-saving
//! changes only matter when a day's windows are turned into instants.

use crate::domain::ids::ClerkId;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;

/// Start times are offered on this grid, counted from the start of each opening window.
pub const SLOT_STEP: SignedDuration = SignedDuration::from_mins(15);

/// A half-open interval of absolute time `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Interval {
    pub fn new(start: Timestamp, end: Timestamp) -> Self {
        Self { start, end }
    }
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }
    pub fn contains(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// One weekly opening window in local time. `end_minute` may be 1440 (midnight at the end).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeeklyWindow {
    pub weekday: Weekday,
    pub start_minute: u16,
    pub end_minute: u16,
}

impl WeeklyWindow {
    /// The window on `date` as absolute time, or `None` if it is not on that weekday.
    pub fn on(&self, date: Date, tz: &TimeZone) -> Option<Interval> {
        if date.weekday() != self.weekday {
            return None;
        }
        let start = local_instant(date, self.start_minute, tz)?;
        let end = local_instant(date, self.end_minute, tz)?;
        (start < end).then_some(Interval { start, end })
    }
}

/// Local `date` + minutes after midnight as an instant. A wall-clock time skipped by a
/// daylight-saving jump resolves to the time after the jump (jiff's "compatible" rule).
fn local_instant(date: Date, minute: u16, tz: &TimeZone) -> Option<Timestamp> {
    let (date, minute) = if minute >= 1440 {
        (date.tomorrow().ok()?, minute - 1440)
    } else {
        (date, minute)
    };
    let time = Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).ok()?;
    date.to_datetime(time)
        .to_zoned(tz.clone())
        .ok()
        .map(|z| z.timestamp())
}

/// What the engine knows about one clerk who handles the service.
#[derive(Clone, Debug, Default)]
pub struct ClerkAvailability {
    pub clerk: ClerkId,
    pub hours: Vec<WeeklyWindow>,
    /// Holidays, sick days: no slot may touch these.
    pub absences: Vec<Interval>,
    /// Existing appointments, each including its own buffer.
    pub busy: Vec<Interval>,
}

/// The service and municipality rules that shape slots.
#[derive(Clone, Copy, Debug)]
pub struct SlotRules {
    pub duration: SignedDuration,
    /// Time after the appointment that the clerk keeps free (notes, a breather).
    pub buffer: SignedDuration,
    /// No slot starts earlier than `now + lead_time`.
    pub lead_time: SignedDuration,
    /// No slot starts later than `now + horizon`.
    pub horizon: SignedDuration,
}

impl SlotRules {
    /// The time a booking keeps the clerk occupied.
    pub fn occupied(&self, start: Timestamp) -> Interval {
        Interval::new(start, start + self.duration + self.buffer)
    }
}

/// A start time a resident can book, with every clerk who is free for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub start: Timestamp,
    pub end: Timestamp,
    pub clerks: Vec<ClerkId>,
}

/// The free slots for local dates `from..=to`, earliest first.
pub fn free_slots(
    rules: &SlotRules,
    tz: &TimeZone,
    from: Date,
    to: Date,
    now: Timestamp,
    clerks: &[ClerkAvailability],
) -> Vec<Slot> {
    let earliest = now + rules.lead_time;
    let latest = now + rules.horizon;
    let mut by_start: BTreeMap<Timestamp, Slot> = BTreeMap::new();
    if rules.duration <= SignedDuration::ZERO {
        return Vec::new();
    }

    for date in from
        .series(jiff::Span::new().days(1))
        .take_while(|d| *d <= to)
    {
        for clerk in clerks {
            for window in clerk.hours.iter().filter_map(|w| w.on(date, tz)) {
                let mut start = window.start;
                while start + rules.duration <= window.end {
                    let occupied = rules.occupied(start);
                    let free = start >= earliest
                        && start <= latest
                        && !clerk.busy.iter().any(|b| b.overlaps(&occupied))
                        && !clerk.absences.iter().any(|a| a.overlaps(&occupied));
                    if free {
                        let slot = by_start.entry(start).or_insert_with(|| Slot {
                            start,
                            end: start + rules.duration,
                            clerks: Vec::new(),
                        });
                        // A start lies on one local date, and each clerk's windows of that
                        // date are walked before the next clerk's, so a clerk already listed
                        // (two overlapping windows) is the last one: no scan of the list, which
                        // made each start quadratic in the clerks (docs/benchmarks.md).
                        if slot.clerks.last() != Some(&clerk.clerk) {
                            slot.clerks.push(clerk.clerk);
                        }
                    }
                    start += SLOT_STEP;
                }
            }
        }
    }
    by_start.into_values().collect()
}

/// The clerks free at exactly `start`: the single-start check a booking makes instead of
/// computing the whole day. It gives the same answer as [`free_slots`] for the local date of
/// `start` (property-tested below): `start` lies on the grid of one of the clerk's windows on
/// that date, the booking fits in the window, lead time and horizon allow it, and the occupied
/// time touches neither an absence nor busy time. A booking passes no busy time: the database's
/// reservation units decide that (a unit overlaps exactly when a busy interval would).
pub fn clerks_free_at(
    rules: &SlotRules,
    tz: &TimeZone,
    start: Timestamp,
    now: Timestamp,
    clerks: &[ClerkAvailability],
) -> Vec<ClerkId> {
    if rules.duration <= SignedDuration::ZERO
        || start < now + rules.lead_time
        || start > now + rules.horizon
    {
        return Vec::new();
    }
    let date = start.to_zoned(tz.clone()).date();
    let occupied = rules.occupied(start);
    let on_grid = |window: &Interval| {
        start >= window.start
            && start + rules.duration <= window.end
            && start.duration_since(window.start).as_secs() % SLOT_STEP.as_secs() == 0
    };
    let mut free = Vec::new();
    for clerk in clerks {
        let in_hours = clerk
            .hours
            .iter()
            .filter_map(|w| w.on(date, tz))
            .any(|w| on_grid(&w));
        if in_hours
            && !clerk.busy.iter().any(|b| b.overlaps(&occupied))
            && !clerk.absences.iter().any(|a| a.overlaps(&occupied))
            && !free.contains(&clerk.clerk)
        {
            free.push(clerk.clerk);
        }
    }
    free
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn amsterdam() -> TimeZone {
        TimeZone::get("Europe/Amsterdam").unwrap()
    }

    fn office_hours(clerk: ClerkId) -> ClerkAvailability {
        let hours = [
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
        .collect();
        ClerkAvailability {
            clerk,
            hours,
            ..Default::default()
        }
    }

    fn rules(duration: i64, buffer: i64) -> SlotRules {
        SlotRules {
            duration: SignedDuration::from_mins(duration),
            buffer: SignedDuration::from_mins(buffer),
            lead_time: SignedDuration::from_hours(2),
            horizon: SignedDuration::from_hours(24 * 60),
        }
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_working_day_has_slots_from_nine_to_the_last_fitting_start() {
        let clerk = ClerkId::new();
        let slots = free_slots(
            &rules(30, 0),
            &amsterdam(),
            date(2026, 6, 1),
            date(2026, 6, 1),
            ts("2026-05-01T00:00:00Z"),
            &[office_hours(clerk)],
        );
        // 09:00 .. 16:30 every 15 minutes = 31 starts; summer time is UTC+2.
        assert_eq!(slots.len(), 31);
        assert_eq!(slots[0].start, ts("2026-06-01T07:00:00Z"));
        assert_eq!(slots.last().unwrap().start, ts("2026-06-01T14:30:00Z"));
        assert_eq!(slots[0].clerks, vec![clerk]);
    }

    #[test]
    fn a_clerk_with_overlapping_windows_is_listed_once_per_start() {
        let (anna, bram) = (ClerkId::new(), ClerkId::new());
        let monday = |start_minute, end_minute| WeeklyWindow {
            weekday: Weekday::Monday,
            start_minute,
            end_minute,
        };
        let anna = ClerkAvailability {
            clerk: anna,
            hours: vec![monday(9 * 60, 11 * 60), monday(10 * 60, 12 * 60)],
            ..Default::default()
        };
        let slots = free_slots(
            &rules(30, 0),
            &amsterdam(),
            date(2026, 6, 1),
            date(2026, 6, 1),
            ts("2026-05-01T00:00:00Z"),
            &[anna.clone(), office_hours(bram)],
        );
        let ten = slots
            .iter()
            .find(|s| s.start == ts("2026-06-01T08:00:00Z"))
            .unwrap();
        assert_eq!(ten.clerks, vec![anna.clerk, bram]);
    }

    #[test]
    fn nine_o_clock_moves_in_utc_across_both_dst_changes() {
        let clerk = office_hours(ClerkId::new());
        let long_horizon = SlotRules {
            horizon: SignedDuration::from_hours(24 * 400),
            ..rules(30, 0)
        };
        let first = |day: Date| {
            free_slots(
                &long_horizon,
                &amsterdam(),
                day,
                day,
                ts("2026-01-01T00:00:00Z"),
                std::slice::from_ref(&clerk),
            )
            .first()
            .map(|s| s.start)
        };
        // Spring forward on Sunday 29 March 2026: Friday is UTC+1, Monday UTC+2.
        assert_eq!(first(date(2026, 3, 27)), Some(ts("2026-03-27T08:00:00Z")));
        assert_eq!(first(date(2026, 3, 29)), None, "Sunday is closed");
        assert_eq!(first(date(2026, 3, 30)), Some(ts("2026-03-30T07:00:00Z")));
    }

    #[test]
    fn autumn_dst_day_window_is_an_hour_longer_in_absolute_time() {
        // A clerk with night hours on the Sunday the clocks go back (25 October 2026).
        let tz = amsterdam();
        let clerk = ClerkAvailability {
            clerk: ClerkId::new(),
            hours: vec![WeeklyWindow {
                weekday: Weekday::Sunday,
                start_minute: 0,
                end_minute: 6 * 60,
            }],
            ..Default::default()
        };
        let long_rules = SlotRules {
            horizon: SignedDuration::from_hours(24 * 365),
            ..rules(60, 0)
        };
        let now = ts("2026-10-01T00:00:00Z");
        let autumn = free_slots(
            &long_rules,
            &tz,
            date(2026, 10, 25),
            date(2026, 10, 25),
            now,
            std::slice::from_ref(&clerk),
        );
        let normal = free_slots(
            &long_rules,
            &tz,
            date(2026, 10, 18),
            date(2026, 10, 18),
            now,
            std::slice::from_ref(&clerk),
        );
        // 6 wall-clock hours are 7 real hours that night: 4 more quarter-hour starts.
        assert_eq!(autumn.len(), normal.len() + 4);
        let spring_now = ts("2026-03-01T00:00:00Z");
        let spring = free_slots(
            &long_rules,
            &tz,
            date(2026, 3, 29),
            date(2026, 3, 29),
            spring_now,
            std::slice::from_ref(&clerk),
        );
        assert_eq!(spring.len(), normal.len() - 4);
    }

    #[test]
    fn busy_time_buffer_lead_time_and_absence_are_respected() {
        let clerk_id = ClerkId::new();
        let mut clerk = office_hours(clerk_id);
        // Booked 10:00-10:30 plus 15 minutes buffer (UTC+2 in June).
        clerk.busy.push(Interval::new(
            ts("2026-06-01T08:00:00Z"),
            ts("2026-06-01T08:45:00Z"),
        ));
        clerk.absences.push(Interval::new(
            ts("2026-06-01T12:00:00Z"),
            ts("2026-06-01T15:00:00Z"),
        ));
        let slots = free_slots(
            &rules(30, 15),
            &amsterdam(),
            date(2026, 6, 1),
            date(2026, 6, 1),
            ts("2026-06-01T05:30:00Z"), // 07:30 local; lead time 2h => from 09:30
            &[clerk],
        );
        let starts: Vec<String> = slots
            .iter()
            .map(|s| s.start.to_zoned(amsterdam()).strftime("%H:%M").to_string())
            .collect();
        // 09:30 would run (with buffer) into 10:00; 10:45 is the first after the booking;
        // the absence covers 14:00-17:00 local, so 13:15 is the last start (ends 13:45 + 15).
        assert_eq!(starts.first().map(String::as_str), Some("10:45"));
        assert!(!starts
            .iter()
            .any(|s| s.as_str() == "09:30" || s.as_str() == "10:00"));
        assert_eq!(starts.last().map(String::as_str), Some("13:15"));
    }

    #[test]
    fn two_clerks_are_merged_per_start() {
        let (a, b) = (ClerkId::new(), ClerkId::new());
        let mut busy_b = office_hours(b);
        busy_b.busy.push(Interval::new(
            ts("2026-06-01T07:00:00Z"),
            ts("2026-06-01T07:30:00Z"),
        ));
        let slots = free_slots(
            &rules(30, 0),
            &amsterdam(),
            date(2026, 6, 1),
            date(2026, 6, 1),
            ts("2026-05-01T00:00:00Z"),
            &[office_hours(a), busy_b],
        );
        assert_eq!(slots[0].clerks, vec![a]);
        assert_eq!(slots[2].clerks.len(), 2);
    }

    fn arb_clerk() -> impl Strategy<Value = ClerkAvailability> {
        let window = (1u8..=7, 0u16..96, 1u16..48).prop_map(|(wd, start_q, len_q)| {
            let start = start_q * 15;
            WeeklyWindow {
                weekday: Weekday::from_monday_one_offset(wd as i8).unwrap(),
                start_minute: start,
                end_minute: (start + len_q * 15).min(1440),
            }
        });
        // Busy intervals around the two 2026 DST changes, in minutes from a base instant.
        let busy = (0i64..2, 0i64..(14 * 24 * 60), 5i64..240).prop_map(|(which, off, len)| {
            let base = if which == 0 {
                ts("2026-03-22T00:00:00Z")
            } else {
                ts("2026-10-18T00:00:00Z")
            };
            let start = base + SignedDuration::from_mins(off);
            Interval::new(start, start + SignedDuration::from_mins(len))
        });
        (
            proptest::collection::vec(window, 1..6),
            proptest::collection::vec(busy.clone(), 0..20),
            proptest::collection::vec(busy, 0..3),
        )
            .prop_map(|(hours, busy, absences)| ClerkAvailability {
                clerk: ClerkId::new(),
                hours,
                absences,
                busy,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// The single-start check a booking makes agrees with the engine: a start is offered
        /// (with these clerks) exactly when the check accepts it (with the same clerks), for
        /// every 5-minute start of the days around both DST changes, with busy time and absences.
        #[test]
        fn single_start_check_agrees_with_the_engine(
            clerks in proptest::collection::vec(arb_clerk(), 1..4),
            autumn in any::<bool>(),
            day in 0i64..7,
            duration in 1i64..13,
            buffer in 0i64..4,
            lead_hours in 0i64..30,
        ) {
            let tz = amsterdam();
            let (first, now) = if autumn {
                (date(2026, 10, 22), ts("2026-10-21T12:00:00Z"))
            } else {
                (date(2026, 3, 26), ts("2026-03-25T12:00:00Z"))
            };
            let day = first.checked_add(jiff::Span::new().days(day)).unwrap();
            let rules = SlotRules {
                duration: SignedDuration::from_mins(duration * 5),
                buffer: SignedDuration::from_mins(buffer * 5),
                lead_time: SignedDuration::from_hours(lead_hours),
                horizon: SignedDuration::from_hours(24 * 6),
            };
            let offered = free_slots(&rules, &tz, day, day, now, &clerks);
            let midnight = day.to_zoned(tz.clone()).unwrap().timestamp();
            let next = day.tomorrow().unwrap().to_zoned(tz.clone()).unwrap().timestamp();
            let mut start = midnight;
            while start < next {
                let engine = offered
                    .iter()
                    .find(|s| s.start == start)
                    .map(|s| s.clerks.clone())
                    .unwrap_or_default();
                let check = clerks_free_at(&rules, &tz, start, now, &clerks);
                prop_assert_eq!(&engine, &check, "start {}", start);
                start += SignedDuration::from_mins(5);
            }
        }

        /// No offered slot overlaps an existing appointment or absence of a clerk it names, and
        /// each lies inside one of that clerk's opening windows, across both DST changes.
        #[test]
        fn offered_slots_are_free_and_within_hours(
            clerks in proptest::collection::vec(arb_clerk(), 1..4),
            autumn in any::<bool>(),
            duration in 1i64..13,
            buffer in 0i64..4,
        ) {
            let tz = amsterdam();
            let (from, now) = if autumn {
                (date(2026, 10, 19), ts("2026-10-18T12:00:00Z"))
            } else {
                (date(2026, 3, 23), ts("2026-03-22T12:00:00Z"))
            };
            let to = from.checked_add(jiff::Span::new().days(10)).unwrap();
            let rules = SlotRules {
                duration: SignedDuration::from_mins(duration * 5),
                buffer: SignedDuration::from_mins(buffer * 5),
                lead_time: SignedDuration::from_hours(1),
                horizon: SignedDuration::from_hours(24 * 30),
            };
            let slots = free_slots(&rules, &tz, from, to, now, &clerks);
            for slot in &slots {
                prop_assert!(slot.start >= now + rules.lead_time);
                let occupied = rules.occupied(slot.start);
                let booked = Interval::new(slot.start, slot.end);
                for id in &slot.clerks {
                    let clerk = clerks.iter().find(|c| c.clerk == *id).unwrap();
                    prop_assert!(!clerk.busy.iter().any(|b| b.overlaps(&occupied)));
                    prop_assert!(!clerk.absences.iter().any(|a| a.overlaps(&occupied)));
                    let local_date = slot.start.to_zoned(tz.clone()).date();
                    // The window may have started the previous local day and run past midnight.
                    let inside = [local_date.yesterday().unwrap(), local_date].iter().any(|d| {
                        clerk.hours.iter().filter_map(|w| w.on(*d, &tz)).any(|w| w.contains(&booked))
                    });
                    prop_assert!(inside, "slot {} outside hours", slot.start);
                }
            }
        }
    }
}
