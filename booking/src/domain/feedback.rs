//! Learning from every signal: after the call the resident gives a rating from 1 to 10 and may
//! add a comment; a comment can be marked as a complaint (by the resident, or by an admin who
//! reads it as one), which puts it on the municipality's follow-up list until handled. Pure:
//! the form's rules and when feedback may be given.

use crate::domain::appointment::AppointmentStatus;
use crate::domain::ids::{AppointmentId, ClerkId, ServiceId, TenantId};
use crate::domain::queue::EntryStatus;
use crate::domain::text::{FreeText, Lines, TextProblem};
use crate::error::{Conflict, Error, Result};
use jiff::Timestamp;
use uuid::Uuid;

pub const MAX_COMMENT: usize = 2000;
pub const MAX_NOTE: usize = 2000;

/// A checked rating with its comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedbackForm {
    pub rating: u8,
    pub comment: String,
    pub complaint: bool,
}

impl FeedbackForm {
    pub fn parse(rating: i64, comment: &str, complaint: bool) -> Result<Self> {
        let rating = u8::try_from(rating)
            .ok()
            .filter(|r| (1..=10).contains(r))
            .ok_or_else(|| {
                Error::invalid(
                    "/rating",
                    "Geef een cijfer van 1 tot en met 10.",
                    "Give a rating from 1 to 10.",
                )
            })?;
        let comment = FreeText::optional(comment, Lines::Many, MAX_COMMENT)
            .map_err(|p| p.at("/comment"))?
            .map(FreeText::into_string)
            .unwrap_or_default();
        // A complaint is a comment the municipality follows up; without words there is
        // nothing to follow up.
        if complaint && comment.is_empty() {
            return Err(Error::invalid(
                "/comment",
                "Schrijf op wat er misging; dan kan de gemeente de klacht behandelen.",
                "Write what went wrong; then the municipality can handle the complaint.",
            ));
        }
        Ok(Self {
            rating,
            comment,
            complaint,
        })
    }
}

/// Whether the conversation took place as far as the queue knows: a clerk called the resident
/// (waiting for the answer, in the call, or finished). A missed call or leaving the queue
/// before being called is no conversation.
pub fn call_started(entry: Option<EntryStatus>) -> bool {
    matches!(
        entry,
        Some(EntryStatus::Called | EntryStatus::Answered | EntryStatus::Done)
    )
}

/// Feedback is about a call: once a clerk called the resident, or else once the appointment's
/// start has passed; never for a cancelled appointment. (Giving it twice is refused by the
/// store: one per appointment.)
pub fn may_give(
    status: AppointmentStatus,
    start: Timestamp,
    entry: Option<EntryStatus>,
    now: Timestamp,
) -> Result<()> {
    if status == AppointmentStatus::Cancelled {
        return Err(Conflict::NothingToRate.into());
    }
    if !call_started(entry) && now < start {
        return Err(Conflict::RatingNotYet.into());
    }
    Ok(())
}

/// Checks an admin's note on handling a complaint.
pub fn parse_note(note: &str) -> Result<String> {
    match FreeText::parse(note, Lines::Many, MAX_NOTE) {
        Ok(note) => Ok(note.into_string()),
        Err(TextProblem::Empty | TextProblem::TooLong { .. }) => Err(Error::invalid(
            "/note",
            format!("Schrijf in 1 tot {MAX_NOTE} tekens hoe de klacht is afgehandeld."),
            format!("Say in 1 to {MAX_NOTE} characters how the complaint was handled."),
        )),
        Err(other) => Err(other.at("/note")),
    }
}

/// The answer to a complaint as typed: empty is no answer (the resident may have been phoned).
pub fn parse_answer(answer: &str) -> Result<Option<String>> {
    if answer.trim().is_empty() {
        return Ok(None);
    }
    match FreeText::parse(answer, Lines::Many, MAX_NOTE) {
        Ok(answer) => Ok(Some(answer.into_string())),
        Err(TextProblem::TooLong { .. }) => Err(Error::invalid(
            "/answer",
            format!("Het antwoord aan de bewoner mag hoogstens {MAX_NOTE} tekens zijn."),
            format!("The answer to the resident may have at most {MAX_NOTE} characters."),
        )),
        Err(other) => Err(other.at("/answer")),
    }
}

/// Stored feedback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feedback {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub appointment_id: AppointmentId,
    pub service_id: ServiceId,
    pub rating: u8,
    pub comment: String,
    pub complaint: bool,
    pub given_at: Timestamp,
    pub handled_at: Option<Timestamp>,
    pub handled_by: Option<ClerkId>,
    pub handled_note: Option<String>,
    /// The municipality's answer to a complaint, for the resident.
    pub answer: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_run_from_1_to_10_and_a_complaint_needs_words() {
        assert_eq!(FeedbackForm::parse(1, "", false).unwrap().rating, 1);
        assert_eq!(
            FeedbackForm::parse(10, "  Prima geholpen. ", false)
                .unwrap()
                .comment,
            "Prima geholpen."
        );
        for bad in [0, 11, -1, 256] {
            assert!(FeedbackForm::parse(bad, "", false).is_err(), "{bad}");
        }
        assert!(FeedbackForm::parse(3, "  ", true).is_err());
        assert!(
            FeedbackForm::parse(3, "Lang gewacht.", true)
                .unwrap()
                .complaint
        );
        assert!(FeedbackForm::parse(5, &"x".repeat(MAX_COMMENT + 1), false).is_err());
    }

    #[test]
    fn feedback_follows_a_call_that_took_place() {
        let start: Timestamp = "2026-03-20T09:00:00Z".parse().unwrap();
        let before: Timestamp = "2026-03-20T08:59:59Z".parse().unwrap();
        let booked = AppointmentStatus::Booked;
        assert!(may_give(booked, start, None, before).is_err());
        assert!(may_give(booked, start, None, start).is_ok());
        assert!(may_give(AppointmentStatus::Cancelled, start, None, start).is_err());
        // Checked in early and called before the start: the call has started.
        for status in [
            EntryStatus::Called,
            EntryStatus::Answered,
            EntryStatus::Done,
        ] {
            assert!(
                may_give(booked, start, Some(status), before).is_ok(),
                "{status:?}"
            );
        }
        // Waiting, missed or left before the start: no call yet.
        for status in [EntryStatus::Waiting, EntryStatus::Missed, EntryStatus::Left] {
            assert!(
                may_give(booked, start, Some(status), before).is_err(),
                "{status:?}"
            );
            assert!(
                may_give(booked, start, Some(status), start).is_ok(),
                "{status:?}"
            );
        }
        assert!(may_give(
            AppointmentStatus::Cancelled,
            start,
            Some(EntryStatus::Done),
            start
        )
        .is_err());
    }

    #[test]
    fn handling_notes_are_required() {
        assert!(parse_note(" ").is_err());
        assert_eq!(parse_note(" Gebeld. ").unwrap(), "Gebeld.");
    }
}
