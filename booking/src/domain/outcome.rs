//! The outcome of a call, as the clerk records it: a result from the service's list, notes, a
//! follow-up and the information sources consulted. Pure: parsing, validation and the
//! correction rule; storing and delivering live in `store` and `delivery`.
//!
//! An outcome is never overwritten. Each recording is an event with a version (1, 2, ...);
//! a correction is the next version and is only allowed on the local day of the first one,
//! so what reached the case store yesterday is not silently rewritten today.

use crate::domain::ids::{AppointmentId, CallbackId, ClerkId, QueueEntryId, TenantId};
use crate::domain::queue::EntryStatus;
use crate::domain::text::{FreeText, Lines, TextProblem};
use crate::error::{Conflict, Error, Result};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub const MAX_NOTES: usize = 4000;
pub const MAX_SOURCES: usize = 20;
pub const MAX_SOURCE_LEN: usize = 100;
pub const MAX_RESULTS: usize = 30;
/// A callback further ahead than this is almost certainly a typo in the year.
pub const MAX_CALLBACK_DAYS: i32 = 366;

/// One choice in a service's result list, e.g. `documents_missing` / "Documents missing".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResultOption {
    /// Stable code, `[a-z0-9_-]`, 1 to 40 characters; case stores map on it.
    pub code: String,
    pub label: String,
}

/// The list a service offers until an admin configures its own.
pub fn default_results() -> Vec<ResultOption> {
    [
        ("complete", "Aanvraag compleet"),
        ("documents_missing", "Documenten ontbreken"),
        ("referred", "Doorverwezen"),
        ("no_show", "Niet verschenen"),
    ]
    .into_iter()
    .map(|(code, label)| ResultOption {
        code: code.into(),
        label: label.into(),
    })
    .collect()
}

/// The refusal of a code that is not 1 to 40 of a-z, 0-9, `_` and `-`.
pub(crate) fn code_shape() -> crate::error::Words {
    crate::error::Words::new(
        "Een code heeft 1 tot 40 tekens: a-z, 0-9, _ en -.",
        "A code has 1 to 40 characters: a-z, 0-9, _ and -.",
    )
}

/// Checks an admin's result list: codes well-formed and unique, labels present.
pub fn parse_result_list(list: Vec<ResultOption>) -> Result<Vec<ResultOption>> {
    if list.is_empty() || list.len() > MAX_RESULTS {
        return Err(Error::invalid(
            "/results",
            format!("Geef 1 tot {MAX_RESULTS} uitkomsten."),
            format!("Give 1 to {MAX_RESULTS} results."),
        ));
    }
    let mut out: Vec<ResultOption> = Vec::with_capacity(list.len());
    for (i, option) in list.into_iter().enumerate() {
        let at = |key: &str| format!("/results/{i}/{key}");
        let code = option.code.trim().to_string();
        let good_code = !code.is_empty()
            && code.len() <= 40
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !good_code {
            return Err(Error::invalid_because(at("code"), code_shape()));
        }
        let label = match FreeText::parse(&option.label, Lines::One, 100) {
            Ok(label) => label.into_string(),
            Err(TextProblem::Empty | TextProblem::TooLong { .. }) => {
                return Err(Error::invalid(
                    at("label"),
                    "Geef een naam van 1 tot 100 tekens.",
                    "Give a label of 1 to 100 characters.",
                ))
            }
            Err(other) => return Err(other.at(&at("label"))),
        };
        if out.iter().any(|o| o.code == code) {
            return Err(Error::invalid(
                at("code"),
                format!("De code {code} staat er twee keer in."),
                format!("The code {code} appears twice."),
            ));
        }
        out.push(ResultOption { code, label });
    }
    Ok(out)
}

/// What happens next for the resident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FollowUp {
    None,
    /// The municipality calls the resident back on this local date.
    Callback {
        #[serde(with = "date_text")]
        #[schema(value_type = String, format = Date)]
        on: Date,
    },
    /// The resident is to book a new appointment.
    NewAppointment,
}

impl FollowUp {
    pub fn kind(&self) -> &'static str {
        match self {
            FollowUp::None => "none",
            FollowUp::Callback { .. } => "callback",
            FollowUp::NewAppointment => "new_appointment",
        }
    }

    /// Back from the stored kind and callback date.
    pub fn from_parts(kind: &str, callback_on: Option<&str>) -> Option<Self> {
        match (kind, callback_on) {
            ("none", None) => Some(FollowUp::None),
            ("new_appointment", None) => Some(FollowUp::NewAppointment),
            ("callback", Some(on)) => on.parse().ok().map(|on| FollowUp::Callback { on }),
            _ => None,
        }
    }

    pub fn callback_on(&self) -> Option<Date> {
        match self {
            FollowUp::Callback { on } => Some(*on),
            _ => None,
        }
    }
}

/// Dates as `YYYY-MM-DD` text (jiff is built without its serde feature here).
mod date_text {
    use jiff::civil::Date;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(date)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

/// The clerk's input, before checking.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct OutcomeDraft {
    /// A code from the service's result list.
    pub result: String,
    #[serde(default)]
    pub notes: String,
    pub follow_up: FollowUp,
    /// Information sources consulted, e.g. "BRP", "BAG".
    #[serde(default)]
    pub sources: Vec<String>,
}

/// A checked outcome, ready to be stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidOutcome {
    pub result: ResultOption,
    pub notes: String,
    pub follow_up: FollowUp,
    pub sources: Vec<String>,
}

/// Checks a draft against the service's results and the municipality's local `today`.
pub fn validate(
    draft: OutcomeDraft,
    results: &[ResultOption],
    today: Date,
) -> Result<ValidOutcome> {
    let result = results
        .iter()
        .find(|r| r.code == draft.result.trim())
        .cloned()
        .ok_or_else(|| {
            let codes = results
                .iter()
                .map(|r| r.code.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            Error::invalid(
                "/result",
                format!("Kies een van deze uitkomsten: {codes}."),
                format!("Choose one of these results: {codes}."),
            )
        })?;
    let notes = FreeText::optional(&draft.notes, Lines::Many, MAX_NOTES)
        .map_err(|p| p.at("/notes"))?
        .map(FreeText::into_string)
        .unwrap_or_default();
    if let FollowUp::Callback { on } = draft.follow_up {
        if on < today {
            return Err(Error::invalid(
                "/follow_up/on",
                "Een terugbeldatum kan niet in het verleden liggen.",
                "A callback date cannot be in the past.",
            ));
        }
        if today
            .until(on)
            .map(|span| span.get_days())
            .unwrap_or(i32::MAX)
            > MAX_CALLBACK_DAYS
        {
            return Err(Error::invalid(
                "/follow_up/on",
                "Een terugbeldatum ligt hoogstens een jaar vooruit.",
                "A callback date is at most a year ahead.",
            ));
        }
    }
    if draft.sources.len() > MAX_SOURCES {
        return Err(Error::invalid(
            "/sources",
            format!("Geef hoogstens {MAX_SOURCES} bronnen."),
            format!("Give at most {MAX_SOURCES} sources."),
        ));
    }
    let mut sources: Vec<String> = Vec::with_capacity(draft.sources.len());
    for (i, source) in draft.sources.iter().enumerate() {
        let source = source.trim();
        if source.is_empty() || source.chars().count() > MAX_SOURCE_LEN {
            return Err(Error::invalid(
                format!("/sources/{i}"),
                format!("Elke bron heeft 1 tot {MAX_SOURCE_LEN} tekens."),
                format!("Each source has 1 to {MAX_SOURCE_LEN} characters."),
            ));
        }
        // Ticking the same source twice is the same statement; keep it once.
        if !sources.iter().any(|s| s == source) {
            sources.push(source.to_string());
        }
    }
    Ok(ValidOutcome {
        result,
        notes,
        follow_up: draft.follow_up,
        sources,
    })
}

/// What a clerk has written of an outcome so far, kept during and after the call until the
/// outcome is recorded (issue 21): any part may still be missing, so only the shape is checked
/// here; `validate` checks the whole when it is recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnfinishedOutcome {
    /// A result code as ticked, or empty when none is ticked yet.
    pub result: String,
    pub notes: String,
    /// `none`, `new_appointment` or `callback`.
    pub follow_up: String,
    pub sources: Vec<String>,
}

impl UnfinishedOutcome {
    /// Parses what the form sent. Notes are free text (control characters refused, at most
    /// `MAX_NOTES`); codes and sources only need to fit, as the list may change before the end.
    pub fn parse(result: &str, notes: &str, follow_up: &str, sources: Vec<String>) -> Result<Self> {
        let result = result.trim();
        if result.chars().count() > 40 {
            return Err(Error::invalid_because("/result", code_shape()));
        }
        let notes = FreeText::optional(notes, Lines::Many, MAX_NOTES)
            .map_err(|p| p.at("/notes"))?
            .map(FreeText::into_string)
            .unwrap_or_default();
        let follow_up = match follow_up.trim() {
            "" | "none" => "none",
            "new_appointment" => "new_appointment",
            "callback" => "callback",
            _ => {
                return Err(Error::invalid(
                    "/follow_up",
                    "Kies een vervolg uit de lijst.",
                    "Choose a follow-up from the list.",
                ))
            }
        };
        if sources.len() > MAX_SOURCES
            || sources
                .iter()
                .any(|s| s.trim().is_empty() || s.chars().count() > MAX_SOURCE_LEN)
        {
            return Err(Error::invalid(
                "/sources",
                format!("Geef hoogstens {MAX_SOURCES} bronnen van 1 tot {MAX_SOURCE_LEN} tekens."),
                format!("Give at most {MAX_SOURCES} sources of 1 to {MAX_SOURCE_LEN} characters."),
            ));
        }
        Ok(UnfinishedOutcome {
            result: result.to_string(),
            notes,
            follow_up: follow_up.to_string(),
            sources: sources.into_iter().map(|s| s.trim().to_string()).collect(),
        })
    }
}

/// What an outcome (and its outbox event and case) is about: a booked appointment, a walk-in's
/// queue entry (no appointment), or a callback request. Exactly one, as the tables' CHECK says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    Appointment(AppointmentId),
    WalkIn(QueueEntryId),
    Callback(CallbackId),
}

impl Subject {
    /// The column that holds this kind of subject in `outcomes`, `outbox` and `cases`.
    pub fn column(&self) -> &'static str {
        match self {
            Subject::Appointment(_) => "appointment_id",
            Subject::WalkIn(_) => "queue_entry_id",
            Subject::Callback(_) => "callback_id",
        }
    }

    pub fn id(&self) -> Uuid {
        match self {
            Subject::Appointment(id) => id.0,
            Subject::WalkIn(id) => id.0,
            Subject::Callback(id) => id.0,
        }
    }

    /// The subject from the three columns, exactly one of them set; None otherwise.
    pub fn from_columns(
        appointment: Option<AppointmentId>,
        entry: Option<QueueEntryId>,
        callback: Option<CallbackId>,
    ) -> Option<Self> {
        match (appointment, entry, callback) {
            (Some(a), None, None) => Some(Subject::Appointment(a)),
            (None, Some(e), None) => Some(Subject::WalkIn(e)),
            (None, None, Some(c)) => Some(Subject::Callback(c)),
            _ => None,
        }
    }

    pub fn appointment(&self) -> Option<AppointmentId> {
        match self {
            Subject::Appointment(id) => Some(*id),
            _ => None,
        }
    }

    pub fn queue_entry(&self) -> Option<QueueEntryId> {
        match self {
            Subject::WalkIn(id) => Some(*id),
            _ => None,
        }
    }

    pub fn callback(&self) -> Option<CallbackId> {
        match self {
            Subject::Callback(id) => Some(*id),
            _ => None,
        }
    }

    /// The case's `identificatie` in a ZGW Zaken API: at most 40 characters (3 + 36), with a
    /// prefix per kind so the three kinds of id can never name one zaak.
    pub fn identificatie(&self) -> String {
        match self {
            Subject::Appointment(id) => format!("VL-{id}"),
            Subject::WalkIn(id) => format!("VI-{id}"),
            Subject::Callback(id) => format!("VT-{id}"),
        }
    }
}

impl From<AppointmentId> for Subject {
    fn from(id: AppointmentId) -> Self {
        Subject::Appointment(id)
    }
}

/// A stored outcome event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub subject: Subject,
    /// 1 for the first recording, +1 per correction.
    pub version: u32,
    pub result_code: String,
    pub result_label: String,
    pub notes: String,
    pub follow_up: FollowUp,
    pub sources: Vec<String>,
    pub recorded_by: ClerkId,
    pub recorded_at: Timestamp,
}

/// The version a new recording gets, or why it is refused.
///
/// `history` is the appointment's outcomes in version order; `corrects` is the version the
/// clerk saw and is correcting (None for a first recording). Asking for the version seen makes
/// two clerks correcting at once a visible conflict instead of a lost update.
pub fn next_version(
    history: &[Outcome],
    corrects: Option<u32>,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<u32> {
    let (Some(first), Some(last)) = (history.first(), history.last()) else {
        return match corrects {
            None => Ok(1),
            Some(_) => Err(Conflict::NoOutcomeToCorrect.into()),
        };
    };
    let Some(seen) = corrects else {
        return Err(Conflict::OutcomeExists {
            version: last.version,
        }
        .into());
    };
    if seen != last.version {
        return Err(Conflict::OutcomeChangedMeanwhile {
            version: Some(last.version),
        }
        .into());
    }
    let first_day = first.recorded_at.to_zoned(tz.clone()).date();
    let today = now.to_zoned(tz.clone()).date();
    if first_day != today {
        return Err(Conflict::CorrectionDayOver.into());
    }
    Ok(last.version + 1)
}

/// An outcome is about a call that took place, so it is recorded only once a clerk called the
/// resident through the queue: being called, in the call, finished, or called twice without an
/// answer (which is itself an outcome worth recording). Before that there is nothing to record,
/// and a clerk cannot write a result on an appointment still to come.
pub fn may_record(entry: Option<EntryStatus>) -> Result<()> {
    match entry {
        Some(
            EntryStatus::Called | EntryStatus::Answered | EntryStatus::Done | EntryStatus::Missed,
        ) => Ok(()),
        Some(EntryStatus::Waiting | EntryStatus::Left) | None => {
            Err(Conflict::CallNotStarted.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unfinished_outcome_keeps_what_is_written_and_refuses_what_cannot_be_kept() {
        let kept =
            UnfinishedOutcome::parse(" complete ", "Pasfoto mee.\nNog BSN.", "", vec![]).unwrap();
        assert_eq!(kept.result, "complete");
        assert_eq!(kept.follow_up, "none");
        assert_eq!(kept.notes, "Pasfoto mee.\nNog BSN.");
        assert!(UnfinishedOutcome::parse("", "", "later", vec![]).is_err());
        assert!(UnfinishedOutcome::parse("", "a\u{7}b", "none", vec![]).is_err());
        assert!(UnfinishedOutcome::parse("", &"x".repeat(MAX_NOTES + 1), "none", vec![]).is_err());
        assert!(UnfinishedOutcome::parse("", "", "none", vec![" ".into()]).is_err());
    }

    #[test]
    fn an_outcome_waits_for_the_call() {
        assert!(may_record(None).is_err());
        assert!(may_record(Some(EntryStatus::Waiting)).is_err());
        assert!(may_record(Some(EntryStatus::Left)).is_err());
        for started in [
            EntryStatus::Called,
            EntryStatus::Answered,
            EntryStatus::Done,
            EntryStatus::Missed,
        ] {
            assert!(may_record(Some(started)).is_ok(), "{started:?}");
        }
        assert!(matches!(
            may_record(None),
            Err(Error::Conflict(Conflict::CallNotStarted))
        ));
    }

    fn draft(result: &str) -> OutcomeDraft {
        OutcomeDraft {
            result: result.into(),
            notes: "  spoke with resident  ".into(),
            follow_up: FollowUp::None,
            sources: vec!["BRP".into(), " BRP ".into(), "BAG".into()],
        }
    }

    fn today() -> Date {
        "2026-03-20".parse().unwrap()
    }

    #[test]
    fn a_valid_draft_is_trimmed_and_sources_deduplicated() {
        let valid = validate(draft("complete"), &default_results(), today()).unwrap();
        assert_eq!(valid.result.label, "Aanvraag compleet");
        assert_eq!(valid.notes, "spoke with resident");
        assert_eq!(valid.sources, vec!["BRP", "BAG"]);
    }

    #[test]
    fn unknown_results_long_notes_and_bad_sources_are_refused() {
        let results = default_results();
        assert!(matches!(
            validate(draft("nope"), &results, today()),
            Err(Error::Invalid { field, .. }) if field == "/result"
        ));
        let mut long = draft("complete");
        long.notes = "x".repeat(MAX_NOTES + 1);
        assert!(matches!(
            validate(long, &results, today()),
            Err(Error::Invalid { field, .. }) if field == "/notes"
        ));
        let mut empty_source = draft("complete");
        empty_source.sources = vec!["  ".into()];
        assert!(validate(empty_source, &results, today()).is_err());
        let mut many = draft("complete");
        many.sources = (0..=MAX_SOURCES).map(|i| format!("s{i}")).collect();
        assert!(validate(many, &results, today()).is_err());
    }

    #[test]
    fn callbacks_lie_between_today_and_a_year_ahead() {
        let results = default_results();
        let with = |on: &str| OutcomeDraft {
            follow_up: FollowUp::Callback {
                on: on.parse().unwrap(),
            },
            ..draft("referred")
        };
        assert!(validate(with("2026-03-20"), &results, today()).is_ok());
        assert!(validate(with("2027-03-20"), &results, today()).is_ok());
        assert!(validate(with("2026-03-19"), &results, today()).is_err());
        assert!(validate(with("2027-03-22"), &results, today()).is_err());
    }

    #[test]
    fn follow_up_round_trips_through_its_stored_parts() {
        for f in [
            FollowUp::None,
            FollowUp::NewAppointment,
            FollowUp::Callback {
                on: "2026-04-01".parse().unwrap(),
            },
        ] {
            let on = f.callback_on().map(|d| d.to_string());
            assert_eq!(FollowUp::from_parts(f.kind(), on.as_deref()), Some(f));
        }
        assert_eq!(FollowUp::from_parts("callback", None), None);
        assert_eq!(FollowUp::from_parts("none", Some("2026-04-01")), None);
        let json: FollowUp =
            serde_json::from_str(r#"{"kind":"callback","on":"2026-04-01"}"#).unwrap();
        assert_eq!(json.callback_on(), Some("2026-04-01".parse().unwrap()));
    }

    #[test]
    fn result_lists_need_unique_well_formed_codes() {
        let opt = |c: &str, l: &str| ResultOption {
            code: c.into(),
            label: l.into(),
        };
        assert_eq!(
            parse_result_list(vec![opt(" referred-social ", " Doorverwezen naar WMO ")]).unwrap(),
            vec![opt("referred-social", "Doorverwezen naar WMO")]
        );
        assert!(parse_result_list(vec![]).is_err());
        assert!(parse_result_list(vec![opt("Bad Code", "x")]).is_err());
        assert!(parse_result_list(vec![opt("a", "x"), opt("a", "y")]).is_err());
        assert!(parse_result_list(vec![opt("a", "")]).is_err());
    }

    fn recorded(version: u32, at: &str) -> Outcome {
        Outcome {
            id: Uuid::new_v4(),
            tenant_id: TenantId::new(),
            subject: Subject::Appointment(AppointmentId::new()),
            version,
            result_code: "complete".into(),
            result_label: "Aanvraag compleet".into(),
            notes: String::new(),
            follow_up: FollowUp::None,
            sources: vec![],
            recorded_by: ClerkId::new(),
            recorded_at: at.parse().unwrap(),
        }
    }

    #[test]
    fn corrections_follow_the_seen_version_on_the_same_local_day() {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        let now: Timestamp = "2026-03-20T22:30:00Z".parse().unwrap(); // 23:30 local
        assert_eq!(next_version(&[], None, now, &tz).unwrap(), 1);
        assert!(next_version(&[], Some(1), now, &tz).is_err());
        // First recorded 09:00 local; corrected twice the same evening.
        let history = vec![
            recorded(1, "2026-03-20T08:00:00Z"),
            recorded(2, "2026-03-20T12:00:00Z"),
        ];
        assert_eq!(next_version(&history, Some(2), now, &tz).unwrap(), 3);
        assert!(matches!(
            next_version(&history, None, now, &tz),
            Err(Error::Conflict(Conflict::OutcomeExists { version: 2 }))
        ));
        assert!(matches!(
            next_version(&history, Some(1), now, &tz),
            Err(Error::Conflict(Conflict::OutcomeChangedMeanwhile {
                version: Some(2)
            }))
        ));
        // 00:30 local the next day: the day of the first recording is over.
        let tomorrow: Timestamp = "2026-03-20T23:30:00Z".parse().unwrap();
        assert!(matches!(
            next_version(&history, Some(2), tomorrow, &tz),
            Err(Error::Conflict(Conflict::CorrectionDayOver))
        ));
    }
}
