//! A start time as a resident's client sends it: strict RFC 3339 (`2026-03-30T09:00:00+02:00`),
//! with the municipality's own offset at that instant. A parser that is lenient here books the
//! wrong day: `+25:00` is no offset on Earth and a bracketed zone (`[Europe/Amsterdam]`,
//! `[!Mars/Olympus]`) is RFC 9557, not RFC 3339, so both are refused rather than guessed at.

use crate::error::{Error, Result};
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;

/// An instant with the offset it was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StartTime {
    pub at: Timestamp,
    pub offset: Offset,
}

fn not_a_start_time() -> Error {
    Error::invalid(
        "/start",
        "Geef de tijd als RFC 3339, bijvoorbeeld 2026-03-30T09:00:00+02:00 (zonder tijdzone tussen haken).",
        "Give the time as RFC 3339, e.g. 2026-03-30T09:00:00+02:00 (no time zone in brackets).",
    )
}

impl StartTime {
    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, offset at most 18 hours.
    pub fn parse(raw: &str) -> Result<Self> {
        let bad = not_a_start_time;
        let b = raw.as_bytes();
        // The date and time part is fixed width; 'T' may be lower case or a space (RFC 3339 5.6
        // note), which we do not allow: clients send what our slot list gives them.
        let digits_at = |range: std::ops::Range<usize>| {
            b.get(range.clone())
                .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        };
        let shape_ok = b.len() >= 20
            && digits_at(0..4)
            && b[4] == b'-'
            && digits_at(5..7)
            && b[7] == b'-'
            && digits_at(8..10)
            && b[10] == b'T'
            && digits_at(11..13)
            && b[13] == b':'
            && digits_at(14..16)
            && b[16] == b':'
            && digits_at(17..19);
        if !shape_ok {
            return Err(bad());
        }
        let mut rest = &raw[19..];
        if let Some(fraction) = rest.strip_prefix('.') {
            let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 || n > 9 {
                return Err(bad());
            }
            rest = &fraction[n..];
        }
        let offset_seconds = match rest {
            "Z" | "z" => 0,
            _ => {
                let o = rest.as_bytes();
                let ok = o.len() == 6
                    && (o[0] == b'+' || o[0] == b'-')
                    && o[1..3].iter().all(u8::is_ascii_digit)
                    && o[3] == b':'
                    && o[4..6].iter().all(u8::is_ascii_digit);
                if !ok {
                    return Err(bad());
                }
                let hours = i32::from(o[1] - b'0') * 10 + i32::from(o[2] - b'0');
                let minutes = i32::from(o[4] - b'0') * 10 + i32::from(o[5] - b'0');
                if minutes > 59 || hours * 60 + minutes > 18 * 60 {
                    return Err(Error::invalid(
                        "/start",
                        "Het verschil met UTC is hoogstens 18 uur, bijvoorbeeld +02:00.",
                        "The offset from UTC can be at most 18 hours, e.g. +02:00.",
                    ));
                }
                let sign = if o[0] == b'-' { -1 } else { 1 };
                sign * (hours * 3600 + minutes * 60)
            }
        };
        let at: Timestamp = raw.parse().map_err(|_| bad())?;
        let offset = Offset::from_seconds(offset_seconds).map_err(|_| bad())?;
        Ok(Self { at, offset })
    }

    /// How a start time is written for clients to send back: local time with the zone's offset.
    pub fn written(at: Timestamp, tz: &TimeZone) -> String {
        at.to_zoned(tz.clone())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    }

    /// The instant, once its offset is the one the municipality's zone has then; otherwise a
    /// 422 that names the offset expected.
    pub fn in_zone(&self, tz: &TimeZone) -> Result<Timestamp> {
        let expected = tz.to_offset(self.at);
        if expected != self.offset {
            let local = self.at.to_zoned(tz.clone());
            let written = local.strftime("%Y-%m-%dT%H:%M:%S%:z");
            let expected = local.strftime("%:z");
            return Err(Error::invalid(
                "/start",
                format!("Geef de tijd in de tijdzone van de gemeente; op dat moment is dat {expected}, dus {written}."),
                format!("Give the time in the municipality's time zone; at that moment that is {expected}, so {written}."),
            ));
        }
        Ok(self.at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amsterdam() -> TimeZone {
        TimeZone::get("Europe/Amsterdam").unwrap()
    }

    #[test]
    fn the_municipalitys_offset_is_accepted_on_both_sides_of_a_dst_change() {
        for raw in ["2026-03-27T09:00:00+01:00", "2026-03-30T09:00:00+02:00"] {
            let start = StartTime::parse(raw).unwrap();
            assert_eq!(start.in_zone(&amsterdam()).unwrap(), raw.parse().unwrap());
        }
        let at: Timestamp = "2026-03-30T07:00:00Z".parse().unwrap();
        assert_eq!(
            StartTime::written(at, &amsterdam()),
            "2026-03-30T09:00:00+02:00"
        );
        let fraction = StartTime::parse("2026-03-30T09:00:00.000+02:00").unwrap();
        assert!(fraction.in_zone(&amsterdam()).is_ok());
    }

    #[test]
    fn another_offset_is_refused_naming_the_one_expected() {
        for raw in [
            "2026-12-10T09:00:00+02:00",
            "2026-12-10T08:00:00Z",
            "2026-12-10T10:00:00+03:00",
        ] {
            let start = StartTime::parse(raw).unwrap();
            match start.in_zone(&amsterdam()) {
                Err(Error::Invalid { field, message }) => {
                    assert_eq!(field, "/start");
                    assert!(message.dutch.contains("+01:00"), "{message:?}");
                    assert!(message.english.contains("+01:00"), "{message:?}");
                }
                other => panic!("{raw}: {other:?}"),
            }
        }
    }

    #[test]
    fn what_is_not_rfc_3339_is_refused() {
        for raw in [
            "2026-12-10T09:00:00+25:00",
            "2026-12-10T09:00:00+18:01",
            "2026-12-10T09:00:00-19:00",
            "2026-12-10T09:00:00+01:00[Europe/Amsterdam]",
            "2026-12-10T09:00:00+01:00[Mars/Olympus]",
            "2026-12-10T09:00:00+01:00[!Mars/Olympus]",
            "2026-12-10T09:00:00[Europe/Amsterdam]",
            "2026-12-10T09:00:00",
            "2026-12-10 09:00:00+01:00",
            "2026-12-10T09:00+01:00",
            "2026-12-10T09:00:00+0100",
            "2026-12-10T09:00:00+01",
            "2026-12-10T09:00:00.+01:00",
            "2026-02-30T09:00:00+01:00",
            "2026-12-10T25:00:00+01:00",
            "x",
            "",
        ] {
            assert!(StartTime::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn the_furthest_offsets_on_earth_parse() {
        assert!(StartTime::parse("2026-12-10T09:00:00+14:00").is_ok());
        assert!(StartTime::parse("2026-12-10T09:00:00-12:00").is_ok());
        assert!(StartTime::parse("2026-12-10T09:00:00+18:00").is_ok());
    }
}
