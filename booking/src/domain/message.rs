//! Messages to residents (mail and SMS), pure: what kinds there are, when reminders are due,
//! the key that makes a second copy impossible, what an inbound text asks for, and the states
//! in words. The SQL is in `store::messages`, the sending loop in `usecases::messages`.

use crate::domain::ids::AppointmentId;
use jiff::{SignedDuration, Timestamp};

/// Why a message is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageKind {
    Confirmation,
    Change,
    Cancel,
    ReminderDayBefore,
    ReminderHourBefore,
    /// An answer to a text the resident sent (inbound SMS).
    Reply,
    /// Anything another part of the platform wants to tell a resident (a callback that did
    /// not reach them, a closing day): the caller gives the words.
    Notice,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Confirmation => "confirmation",
            MessageKind::Change => "change",
            MessageKind::Cancel => "cancel",
            MessageKind::ReminderDayBefore => "reminder_day_before",
            MessageKind::ReminderHourBefore => "reminder_hour_before",
            MessageKind::Reply => "reply",
            MessageKind::Notice => "notice",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            MessageKind::Confirmation,
            MessageKind::Change,
            MessageKind::Cancel,
            MessageKind::ReminderDayBefore,
            MessageKind::ReminderHourBefore,
            MessageKind::Reply,
            MessageKind::Notice,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
    }

    pub fn is_reminder(self) -> bool {
        matches!(
            self,
            MessageKind::ReminderDayBefore | MessageKind::ReminderHourBefore
        )
    }

    /// How long before the start a reminder goes out.
    pub fn lead(self) -> Option<SignedDuration> {
        match self {
            MessageKind::ReminderDayBefore => Some(SignedDuration::from_hours(24)),
            MessageKind::ReminderHourBefore => Some(SignedDuration::from_hours(1)),
            _ => None,
        }
    }

    /// For the admin's list.
    pub fn words_nl(self) -> &'static str {
        match self {
            MessageKind::Confirmation => "Bevestiging",
            MessageKind::Change => "Wijziging",
            MessageKind::Cancel => "Afzegging",
            MessageKind::ReminderDayBefore => "Herinnering (dag ervoor)",
            MessageKind::ReminderHourBefore => "Herinnering (uur ervoor)",
            MessageKind::Reply => "Antwoord op sms",
            MessageKind::Notice => "Bericht",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    Mail,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Mail => "mail",
            Channel::Sms => "sms",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "mail" => Some(Channel::Mail),
            "sms" => Some(Channel::Sms),
            _ => None,
        }
    }
    pub fn words_nl(self) -> &'static str {
        match self {
            Channel::Mail => "e-mail",
            Channel::Sms => "sms",
        }
    }
}

/// Where a message stands. `Dropped`: not sent on purpose (the appointment was cancelled or
/// moved before a reminder was due, or the municipality turned that reminder off).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageState {
    Queued,
    Sent,
    Failed,
    Dropped,
}

impl MessageState {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Queued => "queued",
            MessageState::Sent => "sent",
            MessageState::Failed => "failed",
            MessageState::Dropped => "dropped",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "queued" => Some(MessageState::Queued),
            "sent" => Some(MessageState::Sent),
            "failed" => Some(MessageState::Failed),
            "dropped" => Some(MessageState::Dropped),
            _ => None,
        }
    }
    pub fn words_nl(self) -> &'static str {
        match self {
            MessageState::Queued => "Wacht op verzending",
            MessageState::Sent => "Verzonden",
            MessageState::Failed => "Mislukt",
            MessageState::Dropped => "Niet verzonden (niet meer nodig)",
        }
    }
}

/// The one key per message that may exist once: per appointment, kind and channel, and for
/// confirmations, changes and cancellations the appointment's sequence (each change is its own
/// message), for reminders the start time they remind of (a moved appointment gets new ones,
/// the same start never two).
pub fn dedupe_key(
    appointment: AppointmentId,
    kind: MessageKind,
    sequence: u32,
    start: Timestamp,
    channel: Channel,
) -> String {
    let which = if kind.is_reminder() {
        format!("start-{}", start.as_second())
    } else {
        format!("seq-{sequence}")
    };
    format!(
        "{appointment}:{}:{which}:{}",
        kind.as_str(),
        channel.as_str()
    )
}

/// The municipality's reminder choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReminderSettings {
    pub day_before: bool,
    pub hour_before: bool,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        Self {
            day_before: true,
            hour_before: true,
        }
    }
}

impl ReminderSettings {
    pub fn wants(self, kind: MessageKind) -> bool {
        match kind {
            MessageKind::ReminderDayBefore => self.day_before,
            MessageKind::ReminderHourBefore => self.hour_before,
            _ => true,
        }
    }
}

/// The reminders worth scheduling for an appointment at `start`, booked or moved at `now`,
/// with when each is due. A reminder whose moment has already passed is left out: a resident
/// who books for this afternoon needs no "tomorrow" message. Reminders are scheduled whatever
/// the settings say; the settings are read when one is due, so turning one on or off holds
/// for appointments already booked too.
pub fn reminders(start: Timestamp, now: Timestamp) -> Vec<(MessageKind, Timestamp)> {
    [
        MessageKind::ReminderDayBefore,
        MessageKind::ReminderHourBefore,
    ]
    .into_iter()
    .filter_map(|kind| {
        let due = start - kind.lead()?;
        (due > now).then_some((kind, due))
    })
    .collect()
}

/// What an inbound text asks for. Only cancelling is understood; everything else gets an
/// answer saying how to reach the municipality.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InboundRequest {
    Cancel,
    Other,
}

/// "annuleren", "afzeggen" or "cancel", in any case, with any spaces or a full stop around it.
pub fn inbound_request(content: &str) -> InboundRequest {
    let word: String = content
        .trim()
        .trim_end_matches(['.', '!'])
        .trim()
        .to_lowercase();
    match word.as_str() {
        "annuleren" | "afzeggen" | "cancel" => InboundRequest::Cancel,
        _ => InboundRequest::Other,
    }
}

/// The sender of an inbound text as an E.164 number: Notify sends it without the plus
/// (`31612345678`), sometimes with it, sometimes nationally (`0612345678`).
pub fn sender_number(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let candidate = if trimmed.starts_with('+') || trimmed.starts_with('0') {
        trimmed.to_string()
    } else {
        format!("+{trimmed}")
    };
    crate::domain::text::PhoneNumber::parse(&candidate)
        .ok()
        .map(|p| p.into_string())
}

/// How many times a message is tried before it is marked failed.
pub const MAX_ATTEMPTS: u32 = 8;

/// The last error of a mail or SMS in words an admin understands, kept short.
pub fn plain_error(channel: Channel, raw: &str) -> String {
    let what = match channel {
        Channel::Mail => "De mailserver",
        Channel::Sms => "De sms-dienst",
    };
    let lower = raw.to_lowercase();
    let reason = if lower.contains("connection refused") || lower.contains("connect") {
        "was niet bereikbaar"
    } else if lower.contains("timed out") || lower.contains("timeout") {
        "antwoordde niet op tijd"
    } else if lower.contains("403") || lower.contains("401") || lower.contains("auth") {
        "weigerde de inlog (controleer de sleutel)"
    } else if lower.contains("400") || lower.contains("invalid") || lower.contains("bad") {
        "weigerde het bericht"
    } else {
        "gaf een fout"
    };
    let detail: String = raw.chars().take(300).collect();
    format!("{what} {reason}: {detail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn reminders_fall_a_day_and_an_hour_before_and_never_in_the_past() {
        let start = at("2026-12-02T09:00:00Z");
        assert_eq!(
            reminders(start, at("2026-11-30T08:00:00Z")),
            vec![
                (MessageKind::ReminderDayBefore, at("2026-12-01T09:00:00Z")),
                (MessageKind::ReminderHourBefore, at("2026-12-02T08:00:00Z")),
            ]
        );
        assert_eq!(
            reminders(start, at("2026-12-01T12:00:00Z")),
            vec![(MessageKind::ReminderHourBefore, at("2026-12-02T08:00:00Z"))]
        );
        assert!(reminders(start, at("2026-12-02T08:30:00Z")).is_empty());
    }

    #[test]
    fn keys_separate_changes_and_reminder_times() {
        let id = AppointmentId::new();
        let start = at("2026-12-02T09:00:00Z");
        let later = at("2026-12-03T09:00:00Z");
        let k = |kind, seq, s, c| dedupe_key(id, kind, seq, s, c);
        assert_ne!(
            k(MessageKind::Change, 1, start, Channel::Mail),
            k(MessageKind::Change, 2, start, Channel::Mail)
        );
        assert_eq!(
            k(MessageKind::ReminderDayBefore, 1, start, Channel::Mail),
            k(MessageKind::ReminderDayBefore, 3, start, Channel::Mail),
            "the same start never gets two reminders"
        );
        assert_ne!(
            k(MessageKind::ReminderDayBefore, 1, start, Channel::Mail),
            k(MessageKind::ReminderDayBefore, 1, later, Channel::Mail)
        );
        assert_ne!(
            k(MessageKind::Confirmation, 0, start, Channel::Mail),
            k(MessageKind::Confirmation, 0, start, Channel::Sms)
        );
        for kind in [
            MessageKind::Confirmation,
            MessageKind::ReminderHourBefore,
            MessageKind::Notice,
        ] {
            assert_eq!(MessageKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn inbound_words_are_read_loosely_and_only_those() {
        for yes in [
            "annuleren",
            " ANNULEREN\n",
            "Afzeggen.",
            "cancel",
            "Cancel!",
        ] {
            assert_eq!(inbound_request(yes), InboundRequest::Cancel, "{yes:?}");
        }
        for no in ["", "annuleer", "niet annuleren", "ja", "cancel please"] {
            assert_eq!(inbound_request(no), InboundRequest::Other, "{no:?}");
        }
    }

    #[test]
    fn sender_numbers_become_e164() {
        assert_eq!(
            sender_number("31612345678").as_deref(),
            Some("+31612345678")
        );
        assert_eq!(
            sender_number("+31612345678").as_deref(),
            Some("+31612345678")
        );
        assert_eq!(sender_number("0612345678").as_deref(), Some("+31612345678"));
        assert_eq!(sender_number("Gemeente"), None);
    }

    #[test]
    fn errors_are_put_plainly() {
        let e = plain_error(Channel::Mail, "Connection refused (os error 111)");
        assert!(e.starts_with("De mailserver was niet bereikbaar"), "{e}");
        let e = plain_error(Channel::Sms, "400 BadRequestError: phone_number");
        assert!(e.starts_with("De sms-dienst weigerde het bericht"), "{e}");
    }
}
