//! Closing days: dates (or part of a date) on which the whole municipality takes no
//! appointments. The Dutch public holidays are computed here (Easter by the Gregorian
//! computus); the slot engine sees every closing period as an absence of every clerk.

use crate::domain::slots::{ClerkAvailability, Interval};
use jiff::civil::{date, Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::ToSpan;

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm, "Meeus/Jones/
/// Butcher"), for any year jiff can represent.
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    date(year, month as i8, day as i8)
}

/// The Dutch public holidays of `year`, in date order, with their names. Bevrijdingsdag is
/// listed every year: many municipalities close on it, and an admin removes it otherwise.
pub fn dutch_public_holidays(year: i16) -> Vec<(Date, &'static str)> {
    let easter = easter_sunday(year);
    let from_easter = |days: i64| easter.checked_add(days.days()).expect("near Easter");
    let kings_day = match date(year, 4, 27) {
        sunday if sunday.weekday() == Weekday::Sunday => date(year, 4, 26),
        day => day,
    };
    let mut days = vec![
        (date(year, 1, 1), "Nieuwjaarsdag"),
        (from_easter(-2), "Goede Vrijdag"),
        (easter, "Eerste Paasdag"),
        (from_easter(1), "Tweede Paasdag"),
        (kings_day, "Koningsdag"),
        (date(year, 5, 5), "Bevrijdingsdag"),
        (from_easter(39), "Hemelvaartsdag"),
        (from_easter(49), "Eerste Pinksterdag"),
        (from_easter(50), "Tweede Pinksterdag"),
        (date(year, 12, 25), "Eerste Kerstdag"),
        (date(year, 12, 26), "Tweede Kerstdag"),
    ];
    days.sort_by_key(|(day, _)| *day);
    days
}

/// Part of a day in local wall-clock minutes after midnight, `start < end <= 1440`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartOfDay {
    start_minute: u16,
    end_minute: u16,
}

impl PartOfDay {
    pub fn new(start_minute: u16, end_minute: u16) -> Option<Self> {
        (start_minute < end_minute && end_minute <= 1440).then_some(Self {
            start_minute,
            end_minute,
        })
    }
    pub fn start_minute(&self) -> u16 {
        self.start_minute
    }
    pub fn end_minute(&self) -> u16 {
        self.end_minute
    }
}

/// One closing: a whole local date, or part of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosingDay {
    pub id: uuid::Uuid,
    pub date: Date,
    /// `None`: closed all day.
    pub part: Option<PartOfDay>,
    pub name: String,
    /// Preloaded as a public holiday (an admin may still remove it).
    pub holiday: bool,
}

impl ClosingDay {
    /// The closed time as absolute time in the municipality's time zone.
    pub fn period(&self, tz: &TimeZone) -> Option<Interval> {
        let (start, end) = match self.part {
            None => (0, 1440),
            Some(part) => (part.start_minute, part.end_minute),
        };
        Some(Interval::new(
            local_instant(self.date, start, tz)?,
            local_instant(self.date, end, tz)?,
        ))
    }
}

fn local_instant(day: Date, minute: u16, tz: &TimeZone) -> Option<jiff::Timestamp> {
    let (day, minute) = if minute >= 1440 {
        (day.tomorrow().ok()?, minute - 1440)
    } else {
        (day, minute)
    };
    let time = Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).ok()?;
    day.to_datetime(time)
        .to_zoned(tz.clone())
        .ok()
        .map(|z| z.timestamp())
}

/// Makes every closing period an absence of every clerk, so no slot touches it.
pub fn close_for_everyone(clerks: &mut [ClerkAvailability], closed: &[Interval]) {
    for clerk in clerks {
        clerk.absences.extend_from_slice(closed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::ClerkId;
    use crate::domain::slots::{free_slots, SlotRules, WeeklyWindow};
    use jiff::{SignedDuration, Timestamp};
    use proptest::prelude::*;

    #[test]
    fn easter_falls_on_the_known_dates() {
        for (year, month, day) in [
            (1818, 3, 22),
            (1943, 4, 25),
            (2000, 4, 23),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(year), date(year, month, day), "{year}");
            assert_eq!(easter_sunday(year).weekday(), Weekday::Sunday);
        }
    }

    #[test]
    fn the_holidays_of_2026_and_kings_day_on_a_sunday() {
        let days = dutch_public_holidays(2026);
        let find = |name: &str| days.iter().find(|(_, n)| *n == name).unwrap().0;
        assert_eq!(days.len(), 11);
        assert_eq!(find("Goede Vrijdag"), date(2026, 4, 3));
        assert_eq!(find("Tweede Paasdag"), date(2026, 4, 6));
        assert_eq!(find("Koningsdag"), date(2026, 4, 27));
        assert_eq!(find("Hemelvaartsdag"), date(2026, 5, 14));
        assert_eq!(find("Tweede Pinksterdag"), date(2026, 5, 25));
        assert_eq!(find("Eerste Kerstdag"), date(2026, 12, 25));
        // 27 April 2025 was a Sunday: King's Day moved to Saturday the 26th.
        let koningsdag_2025 = dutch_public_holidays(2025)
            .into_iter()
            .find(|(_, n)| *n == "Koningsdag")
            .unwrap()
            .0;
        assert_eq!(koningsdag_2025, date(2025, 4, 26));
        assert!(days.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn a_part_day_is_the_local_wall_clock_range() {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        let closing = ClosingDay {
            id: uuid::Uuid::new_v4(),
            date: date(2026, 12, 24),
            part: PartOfDay::new(12 * 60, 1440),
            name: "Kerstavond".into(),
            holiday: false,
        };
        let period = closing.period(&tz).unwrap();
        let ts = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        assert_eq!(period.start, ts("2026-12-24T11:00:00Z"));
        assert_eq!(period.end, ts("2026-12-24T23:00:00Z"));
        assert!(PartOfDay::new(600, 600).is_none());
        assert!(PartOfDay::new(600, 1441).is_none());
    }

    fn every_day(clerk: ClerkId, start: u16, end: u16) -> ClerkAvailability {
        ClerkAvailability {
            clerk,
            hours: (1..=7)
                .map(|d| WeeklyWindow {
                    weekday: Weekday::from_monday_one_offset(d).unwrap(),
                    start_minute: start,
                    end_minute: end,
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn christmas_day_has_no_slots_and_boxing_day_eve_keeps_the_morning() {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        let closings = [
            ClosingDay {
                id: uuid::Uuid::new_v4(),
                date: date(2026, 12, 25),
                part: None,
                name: "Eerste Kerstdag".into(),
                holiday: true,
            },
            ClosingDay {
                id: uuid::Uuid::new_v4(),
                date: date(2026, 12, 24),
                part: PartOfDay::new(12 * 60, 1440),
                name: "Kerstavond".into(),
                holiday: false,
            },
        ];
        let closed: Vec<Interval> = closings.iter().filter_map(|c| c.period(&tz)).collect();
        let mut clerks = vec![every_day(ClerkId::new(), 9 * 60, 17 * 60)];
        close_for_everyone(&mut clerks, &closed);
        let rules = SlotRules {
            duration: SignedDuration::from_mins(30),
            buffer: SignedDuration::ZERO,
            lead_time: SignedDuration::ZERO,
            horizon: SignedDuration::from_hours(24 * 60),
        };
        let now: Timestamp = "2026-12-01T00:00:00Z".parse().unwrap();
        let slots = free_slots(
            &rules,
            &tz,
            date(2026, 12, 24),
            date(2026, 12, 26),
            now,
            &clerks,
        );
        let local = |s: &crate::domain::slots::Slot| s.start.to_zoned(tz.clone());
        assert!(!slots.iter().any(|s| local(s).date() == date(2026, 12, 25)));
        let eve: Vec<_> = slots
            .iter()
            .filter(|s| local(s).date() == date(2026, 12, 24))
            .collect();
        assert_eq!(eve.len(), 11, "09:00 .. 11:30");
        assert_eq!(
            local(eve.last().unwrap()).strftime("%H:%M").to_string(),
            "11:30"
        );
        assert!(slots.iter().any(|s| local(s).date() == date(2026, 12, 26)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Whatever the closing days and part days (around both 2026 DST changes), no offered
        /// slot overlaps one of them, for any clerk.
        #[test]
        fn no_slot_overlaps_a_closing_period(
            autumn in any::<bool>(),
            closings in proptest::collection::vec(
                (0i64..14, proptest::option::of((0u16..96, 1u16..96))),
                0..6,
            ),
            hours in proptest::collection::vec((0u16..80, 4u16..16), 1..3),
            duration in 1i64..13,
        ) {
            let tz = TimeZone::get("Europe/Amsterdam").unwrap();
            let (from, now): (Date, Timestamp) = if autumn {
                (date(2026, 10, 19), "2026-10-18T12:00:00Z".parse().unwrap())
            } else {
                (date(2026, 3, 23), "2026-03-22T12:00:00Z".parse().unwrap())
            };
            let to = from.checked_add(14i64.days()).unwrap();
            let closings: Vec<ClosingDay> = closings
                .into_iter()
                .map(|(offset, part)| ClosingDay {
                    id: uuid::Uuid::new_v4(),
                    date: from.checked_add(offset.days()).unwrap(),
                    part: part.and_then(|(start, len)| {
                        PartOfDay::new(start * 15, (start * 15 + len * 15).min(1440))
                    }),
                    name: "dicht".into(),
                    holiday: false,
                })
                .collect();
            let closed: Vec<Interval> = closings.iter().filter_map(|c| c.period(&tz)).collect();
            prop_assert_eq!(closed.len(), closings.len());
            let mut clerks: Vec<ClerkAvailability> = hours
                .into_iter()
                .map(|(start, len)| every_day(ClerkId::new(), start * 15, (start + len) * 15))
                .collect();
            close_for_everyone(&mut clerks, &closed);
            let rules = SlotRules {
                duration: SignedDuration::from_mins(duration * 5),
                buffer: SignedDuration::ZERO,
                lead_time: SignedDuration::ZERO,
                horizon: SignedDuration::from_hours(24 * 30),
            };
            for slot in free_slots(&rules, &tz, from, to, now, &clerks) {
                let booked = Interval::new(slot.start, slot.end);
                prop_assert!(!closed.iter().any(|c| c.overlaps(&booked)), "slot {} is closed", slot.start);
            }
        }
    }
}
