//! Calendar invites (RFC 5545, iTIP METHOD REQUEST/CANCEL) built with the `ics` crate.

use crate::domain::text::one_line;
use ics::parameters::{PartStat, Role, CN, RSVP};
use ics::properties::{
    Action, Attendee, Description, DtEnd, DtStart, Method, Organizer, Sequence, Status, Summary,
    Trigger, URL,
};
use ics::{escape_text, Alarm, Event, ICalendar};
use jiff::Timestamp;

/// REQUEST creates or updates the event in the resident's calendar; CANCEL removes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InviteMethod {
    Request,
    Cancel,
}

impl InviteMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            InviteMethod::Request => "REQUEST",
            InviteMethod::Cancel => "CANCEL",
        }
    }
}

/// Everything an invite says. `uid` stays the same for the life of an appointment and
/// `sequence` goes up with every change, so calendars update the event instead of adding one.
#[derive(Clone, Debug)]
pub struct Invite {
    pub uid: String,
    pub sequence: u32,
    pub start: Timestamp,
    pub end: Timestamp,
    pub created: Timestamp,
    pub summary: String,
    pub description: String,
    pub join_url: String,
    pub organizer_name: String,
    pub organizer_email: String,
    pub attendee_name: String,
    /// Empty for a resident who gave only a phone number: the event then has no ATTENDEE.
    pub attendee_email: Option<String>,
}

/// iCalendar UTC date-time: 20260330T070000Z.
fn utc(ts: Timestamp) -> String {
    ts.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// Parameter values with separators must be quoted (RFC 5545 3.2); quotes and control
/// characters cannot appear in them (a name stored before text was parsed may hold CR or LF).
fn quoted(value: &str) -> String {
    format!("\"{}\"", one_line(value).replace('"', "'"))
}

/// The longest content line in octets, CRLF not counted (RFC 5545 3.1).
const MAX_LINE_OCTETS: usize = 75;

/// Folds every content line at 75 octets, never inside a UTF-8 sequence. The `ics` crate folds
/// too, but its continuation lines are 76 octets with the leading space, so its folds are
/// undone first.
fn fold_lines(ics: &str) -> String {
    let unfolded = ics.replace("\r\n ", "");
    let mut out = String::with_capacity(unfolded.len() + unfolded.len() / 24);
    for line in unfolded.split_terminator("\r\n") {
        let mut room = MAX_LINE_OCTETS;
        let mut used = 0;
        for c in line.chars() {
            if used + c.len_utf8() > room {
                out.push_str("\r\n ");
                // The space that marks a continuation counts towards its line.
                room = MAX_LINE_OCTETS - 1;
                used = 0;
            }
            out.push(c);
            used += c.len_utf8();
        }
        out.push_str("\r\n");
    }
    out
}

impl Invite {
    pub fn to_ics(&self, method: InviteMethod) -> String {
        let mut calendar = ICalendar::new("2.0", "-//Videoloket//Videoloket 0.1//NL");
        calendar.push(Method::new(method.as_str()));

        let mut event = Event::new(self.uid.clone(), utc(self.created));
        event.push(Sequence::new(self.sequence.to_string()));
        event.push(DtStart::new(utc(self.start)));
        event.push(DtEnd::new(utc(self.end)));
        event.push(Summary::new(escape_text(self.summary.clone())));
        let description = format!("{}\n\n{}", self.description, self.join_url);
        event.push(Description::new(escape_text(description)));
        event.push(URL::new(self.join_url.clone()));

        let mut organizer = Organizer::new(format!("mailto:{}", self.organizer_email));
        organizer.add(CN::new(quoted(&self.organizer_name)));
        event.push(organizer);

        if let Some(email) = &self.attendee_email {
            let mut attendee = Attendee::new(format!("mailto:{email}"));
            attendee.add(CN::new(quoted(&self.attendee_name)));
            attendee.add(Role::REQ_PARTICIPANT);
            attendee.add(PartStat::ACCEPTED);
            attendee.add(RSVP::False);
            event.push(attendee);
        }

        match method {
            InviteMethod::Request => {
                event.push(Status::confirmed());
                let mut alarm = Alarm::new(Action::display(), Trigger::new("-PT15M"));
                alarm.push(Description::new(escape_text(self.summary.clone())));
                event.add_alarm(alarm);
            }
            InviteMethod::Cancel => event.push(Status::cancelled()),
        }
        calendar.add_event(event);
        fold_lines(&calendar.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite() -> Invite {
        Invite {
            uid: "a1@videoloket".into(),
            sequence: 2,
            start: "2026-03-30T07:00:00Z".parse().unwrap(),
            end: "2026-03-30T07:30:00Z".parse().unwrap(),
            created: "2026-03-01T10:00:00Z".parse().unwrap(),
            summary: "Videoafspraak: Paspoort, Gemeente Voorbeeld".into(),
            description: "Klik op de link; tests, with commas; and semicolons".into(),
            join_url: "http://127.0.0.1:8080/a/abc".into(),
            organizer_name: "Gemeente Voorbeeld".into(),
            organizer_email: "loket@voorbeeld.nl".into(),
            attendee_name: "Jan de Vries".into(),
            attendee_email: Some("jan@example.nl".into()),
        }
    }

    #[test]
    fn request_has_the_fields_calendars_need() {
        let ics = invite().to_ics(InviteMethod::Request);
        for line in [
            "METHOD:REQUEST",
            "UID:a1@videoloket",
            "SEQUENCE:2",
            "DTSTART:20260330T070000Z",
            "DTEND:20260330T073000Z",
            "BEGIN:VALARM",
            "TRIGGER:-PT15M",
        ] {
            assert!(ics.contains(line), "missing {line} in\n{ics}");
        }
        assert!(ics.contains("\\, with commas\\; and"));
        assert!(ics.contains("\r\n"));
    }

    #[test]
    fn lines_are_folded_at_75_octets_never_inside_a_character() {
        let mut hostile = invite();
        hostile.attendee_name = format!("Zoë 🌷 {}", "é".repeat(90));
        hostile.summary = format!("Videoafspraak {}", "老虎 ".repeat(60));
        hostile.description = "a".repeat(400);
        let ics = hostile.to_ics(InviteMethod::Request);
        assert!(ics.ends_with("\r\n"));
        let mut folded = 0;
        for line in ics.split_terminator("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
            folded += usize::from(line.starts_with(' '));
        }
        assert!(folded > 10, "long values are folded:\n{ics}");
        // Unfolding gives the values back whole (the split never broke a character).
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&"é".repeat(90)));
        assert!(unfolded.contains(&format!("DESCRIPTION:{}", "a".repeat(400))));
    }

    #[test]
    fn a_stored_name_with_line_breaks_stays_inside_its_parameter() {
        let mut legacy = invite();
        legacy.attendee_name = "Jan\r\nORGANIZER:mailto:evil@example.org\u{7}".into();
        legacy.organizer_name = "Gemeente\nX".into();
        let ics = legacy.to_ics(InviteMethod::Request);
        let unfolded = ics.replace("\r\n ", "");
        assert!(!unfolded.contains("\r\nORGANIZER:mailto:evil"), "{ics}");
        assert!(!ics.contains('\u{7}'));
        assert!(unfolded.contains("CN=\"Jan  ORGANIZER:mailto:evil@example.org \""));
        assert_eq!(ics.matches("ORGANIZER").count(), 2, "{ics}");
    }

    #[test]
    fn cancel_keeps_the_uid() {
        let ics = invite().to_ics(InviteMethod::Cancel);
        assert!(ics.contains("METHOD:CANCEL"));
        assert!(ics.contains("STATUS:CANCELLED"));
        assert!(ics.contains("UID:a1@videoloket"));
        assert!(!ics.contains("VALARM"));
    }
}
