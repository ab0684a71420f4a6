//! Slot engine hot path: a month of slots for a busy municipality, and the single day that
//! every booking request recomputes.
//!
//! `cargo bench -p booking --bench slots`

use booking::domain::ids::ClerkId;
use booking::domain::slots::{free_slots, ClerkAvailability, Interval, SlotRules, WeeklyWindow};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use jiff::civil::{date, Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::hint::black_box;

const WORKDAYS: [Weekday; 5] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
];

fn rules() -> SlotRules {
    SlotRules {
        duration: SignedDuration::from_mins(30),
        buffer: SignedDuration::from_mins(5),
        lead_time: SignedDuration::from_hours(2),
        horizon: SignedDuration::from_hours(24 * 90),
    }
}

/// A deterministic pseudo-random stream (xorshift), so every run benchmarks the same input.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// `clerks` clerks, Mon-Fri 08:30-12:30 and 13:00-17:00, about `fill` of every day booked with
/// 30+5 minute appointments, and one absent day each in the month.
fn busy_municipality(
    clerks: usize,
    fill: f64,
    from: Date,
    days: i64,
    tz: &TimeZone,
) -> Vec<ClerkAvailability> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let rules = rules();
    (0..clerks)
        .map(|_| {
            let hours: Vec<WeeklyWindow> = WORKDAYS
                .iter()
                .flat_map(|&weekday| {
                    [
                        WeeklyWindow {
                            weekday,
                            start_minute: 8 * 60 + 30,
                            end_minute: 12 * 60 + 30,
                        },
                        WeeklyWindow {
                            weekday,
                            start_minute: 13 * 60,
                            end_minute: 17 * 60,
                        },
                    ]
                })
                .collect();
            let mut busy = Vec::new();
            let mut absences = Vec::new();
            let absent_day = (rng.next() % days as u64) as i64;
            for d in 0..days {
                let day = from + jiff::Span::new().days(d);
                if d == absent_day {
                    let start = day.to_zoned(tz.clone()).unwrap().timestamp();
                    absences.push(Interval::new(start, start + SignedDuration::from_hours(24)));
                    continue;
                }
                for window in hours.iter().filter_map(|w| w.on(day, tz)) {
                    // Appointments on the 15-minute grid, never overlapping each other.
                    let mut start = window.start;
                    while start + rules.duration <= window.end {
                        if (rng.next() % 1000) as f64 / 1000.0 < fill {
                            let occupied = rules.occupied(start);
                            busy.push(occupied);
                            start += SignedDuration::from_mins(45);
                        } else {
                            start += SignedDuration::from_mins(15);
                        }
                    }
                }
            }
            ClerkAvailability {
                clerk: ClerkId::new(),
                hours,
                absences,
                busy,
            }
        })
        .collect()
}

fn bench_slots(c: &mut Criterion) {
    let tz = TimeZone::get("Europe/Amsterdam").unwrap();
    let rules = rules();
    // The month with the October DST change, asked for from the end of September.
    let from = date(2026, 10, 1);
    let to = date(2026, 10, 31);
    let now: Timestamp = "2026-09-30T08:00:00Z".parse().unwrap();

    let mut month = c.benchmark_group("slots_month");
    month.sample_size(20);
    for clerks in [10usize, 40] {
        let availability = busy_municipality(clerks, 0.6, from, 31, &tz);
        let busy: usize = availability.iter().map(|c| c.busy.len()).sum();
        let offered = free_slots(&rules, &tz, from, to, now, &availability).len();
        eprintln!("slots_month/{clerks} clerks: {busy} busy intervals, {offered} free start times");
        month.throughput(Throughput::Elements(clerks as u64));
        month.bench_with_input(BenchmarkId::new("clerks", clerks), &availability, |b, a| {
            b.iter(|| free_slots(black_box(&rules), &tz, from, to, now, black_box(a)))
        });
    }
    month.finish();

    // What one booking request does: the same engine for one local day.
    let mut day = c.benchmark_group("slots_day");
    for clerks in [10usize, 40] {
        let d = date(2026, 10, 14);
        // The store hands the engine only the busy times from the day before to the day after.
        let lo = d
            .yesterday()
            .unwrap()
            .to_zoned(tz.clone())
            .unwrap()
            .timestamp();
        let hi = d
            .tomorrow()
            .unwrap()
            .tomorrow()
            .unwrap()
            .to_zoned(tz.clone())
            .unwrap()
            .timestamp();
        let mut availability = busy_municipality(clerks, 0.6, from, 31, &tz);
        for a in &mut availability {
            a.busy.retain(|b| b.overlaps(&Interval::new(lo, hi)));
        }
        day.bench_with_input(BenchmarkId::new("clerks", clerks), &availability, |b, a| {
            b.iter(|| free_slots(black_box(&rules), &tz, d, d, now, black_box(a)))
        });
    }
    day.finish();
}

criterion_group!(benches, bench_slots);
criterion_main!(benches);
