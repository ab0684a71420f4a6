//! Property-based fuzzing (issue 13) of what residents type and what we build from it: the
//! text types and `BookingRequest::parse` take any string without panicking, never accept a
//! control character, and what they accept parses again to itself; the calendar invite built
//! from any accepted names and texts is well-formed line by line (RFC 5545 3.1).
//!
//! Bounded for CI by proptest's default of 256 cases per property; run longer with
//! `PROPTEST_CASES=100000 cargo test -p booking --test fuzz --release` (see docs/security.md).

use booking::adapters::invite::{Invite, InviteMethod};
use booking::domain::email::Email;
use booking::domain::start_time::StartTime;
use booking::domain::text::{FreeText, Lines, PersonName, PhoneNumber};
use booking::usecases::booking::BookingRequest;
use proptest::prelude::*;

/// Strings people and attackers send: any Unicode, weighted towards the characters that break
/// things (controls, line breaks, quotes, separators, combining marks, long UTF-8 sequences).
fn hostile_text() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        '\0', '\r', '\n', '\t', '\u{7f}', '\u{85}', '\u{2028}', '\u{2029}', '\u{200b}', '\u{feff}',
        '"', '\'', '\\', ';', ',', ':', ' ', 'é', '\u{301}', '€', '𝄞', '🙂', 'ß', 'ﬃ', '\u{202e}',
    ]);
    let c = prop_oneof![3 => any::<char>(), 2 => special, 3 => prop::char::range('a', 'z')];
    prop::collection::vec(c, 0..160).prop_map(|v| v.into_iter().collect())
}

fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && c != '\n')
}

/// Names and texts as they are once accepted: the inputs to the invite.
fn accepted_name() -> impl Strategy<Value = String> {
    hostile_text().prop_filter_map("not a name", |s| {
        PersonName::parse(&s).ok().map(PersonName::into_string)
    })
}

fn accepted_line(max: usize) -> impl Strategy<Value = String> {
    hostile_text().prop_filter_map("not a line", move |s| {
        FreeText::parse(&s, Lines::One, max)
            .ok()
            .map(FreeText::into_string)
    })
}

fn accepted_note() -> impl Strategy<Value = String> {
    hostile_text().prop_filter_map("not a note", |s| {
        FreeText::parse(&s, Lines::Many, 1000)
            .ok()
            .map(FreeText::into_string)
    })
}

/// RFC 5545 3.3.11 TEXT unescaping, for checking the round trip.
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The value of the first property `name` of the unfolded calendar.
fn property<'a>(lines: &'a [String], name: &str) -> Option<&'a str> {
    lines
        .iter()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(':')))
}

proptest! {
    #[test]
    fn text_types_take_any_string_and_accept_no_control_character(raw in hostile_text()) {
        if let Ok(name) = PersonName::parse(&raw) {
            prop_assert!(!name.as_str().chars().any(char::is_control), "{name:?}");
            prop_assert!(!name.as_str().is_empty() && name.as_str().chars().count() <= PersonName::MAX_CHARS);
            prop_assert_eq!(PersonName::parse(name.as_str()).ok(), Some(name.clone()), "round trip");
        }
        for lines in [Lines::One, Lines::Many] {
            if let Ok(text) = FreeText::parse(&raw, lines, 120) {
                prop_assert!(!has_control(text.as_str()), "{text:?}");
                if lines == Lines::One {
                    prop_assert!(!text.as_str().contains('\n'));
                }
                prop_assert_eq!(FreeText::parse(text.as_str(), lines, 120).ok(), Some(text.clone()));
            }
        }
        if let Ok(phone) = PhoneNumber::parse(&raw) {
            let p = phone.as_str();
            prop_assert!(p.starts_with('+') && p[1..].bytes().all(|b| b.is_ascii_digit()), "{p}");
            prop_assert_eq!(PhoneNumber::parse(p).ok(), Some(phone.clone()));
        }
        if let Ok(email) = Email::parse(&raw) {
            prop_assert!(!email.as_str().chars().any(char::is_control));
            prop_assert_eq!(Email::parse(email.as_str()).map(|e| e.as_str().to_string()).ok(),
                Some(email.as_str().to_string()));
        }
        if let Ok(start) = StartTime::parse(&raw) {
            let written = StartTime::written(start.at, &jiff::tz::TimeZone::fixed(start.offset));
            prop_assert_eq!(StartTime::parse(&written).ok(), Some(start), "{}", written);
        }
    }

    #[test]
    fn booking_requests_take_any_strings_and_keep_what_they_accept(
        start in prop_oneof![hostile_text(), Just("2026-03-27T09:00:00+01:00".to_string())],
        name in hostile_text(),
        email in prop_oneof![hostile_text(), Just("jan@example.nl".to_string())],
        phone in proptest::option::of(hostile_text()),
        note in proptest::option::of(hostile_text()),
    ) {
        let Ok(request) = BookingRequest::parse(&start, &name, &email, phone.as_deref(), note.as_deref()) else {
            return Ok(());
        };
        let r = &request.resident;
        prop_assert!(!r.name.chars().any(char::is_control), "{:?}", r.name);
        prop_assert!(r.email().is_none_or(|e| !e.as_str().chars().any(char::is_control)));
        prop_assert!(r.phone().is_none_or(|p| !p.as_str().chars().any(char::is_control)));
        prop_assert!(r.email().is_some() || r.phone().is_some());
        prop_assert!(r.note.as_deref().is_none_or(|n| !has_control(n)));
        // What was accepted is accepted again unchanged.
        let again = BookingRequest::parse(&start, &r.name, r.email().map_or("", |e| e.as_str()), r.phone().map(|p| p.as_str()), r.note.as_deref());
        prop_assert!(again.is_ok());
        let again = again.unwrap();
        prop_assert_eq!(&again.resident.name, &r.name);
        prop_assert_eq!(&again.resident.contact, &r.contact);
        prop_assert_eq!(&again.resident.note, &r.note);
        prop_assert_eq!(again.start, request.start);
    }

    #[test]
    fn invites_from_any_accepted_text_are_well_formed_lines(
        municipality in accepted_line(100),
        service in accepted_line(100),
        resident in accepted_name(),
        note in accepted_note(),
        cancel in any::<bool>(),
        sequence in 0u32..1000,
    ) {
        let summary = format!("Videoafspraak {municipality}: {service}");
        let description = format!("Videoafspraak met {municipality} over: {service}. {note}");
        let invite = Invite {
            uid: "0b7e7a8e-2f4a-4a8e-9d7b-0e6c1f2a3b4c@videoloket".into(),
            sequence,
            start: "2026-03-27T08:00:00Z".parse().unwrap(),
            end: "2026-03-27T08:20:00Z".parse().unwrap(),
            created: "2026-03-20T09:00:00Z".parse().unwrap(),
            summary: summary.clone(),
            description: description.clone(),
            join_url: "https://videoloket.example/a/abc".into(),
            organizer_name: municipality.clone(),
            organizer_email: "loket@voorbeeld.nl".into(),
            attendee_name: resident.clone(),
            attendee_email: Some("jan@example.nl".into()),
        };
        let method = if cancel { InviteMethod::Cancel } else { InviteMethod::Request };
        let ics = invite.to_ics(method);
        prop_assert!(ics.ends_with("\r\n"));
        let body = &ics[..ics.len() - 2];
        for line in body.split("\r\n") {
            prop_assert!(line.len() <= 75, "{} octets: {:?}", line.len(), line);
            prop_assert!(!line.contains('\r') && !line.contains('\n'), "bare CR/LF: {:?}", line);
            prop_assert!(!line.chars().any(|c| c.is_control() && c != '\t'), "control: {:?}", line);
        }
        // Unfolded, the calendar holds what went in.
        let unfolded: Vec<String> = ics.replace("\r\n ", "").split_terminator("\r\n").map(str::to_string).collect();
        prop_assert_eq!(unfolded.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
        prop_assert_eq!(unfolded.last().map(String::as_str), Some("END:VCALENDAR"));
        prop_assert_eq!(property(&unfolded, "METHOD"), Some(method.as_str()));
        prop_assert_eq!(property(&unfolded, "SUMMARY").map(unescape), Some(summary));
        prop_assert_eq!(
            property(&unfolded, "DESCRIPTION").map(unescape),
            Some(format!("{description}\n\n{}", invite.join_url))
        );
        let attendee = unfolded.iter().find(|l| l.starts_with("ATTENDEE")).unwrap();
        prop_assert!(attendee.contains(&format!("CN=\"{}\"", resident.replace('"', "'"))), "{}", attendee);
    }
}
