//! "Shall we request it for you, or do you supply it yourself?" Per service the municipality
//! lists the information sources a clerk may need, each with a plain reason; per appointment
//! the resident chooses for each source. Pure: parsing, the current choice out of the history,
//! when choices may change, and which consulted sources the choices allow.
//!
//! Choices are never overwritten: every change is a new record, the latest per source is in
//! force, so the resident and the municipality can both see what was allowed when.

use crate::domain::text::{FreeText, Lines, TextProblem};
use crate::error::{Conflict, Error, Result};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const MAX_SOURCES: usize = 20;

/// One source a service may need, e.g. `brp` / "Basisregistratie Personen".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InfoSource {
    /// Stable code, `[a-z0-9_-]`, 1 to 40 characters.
    pub code: String,
    /// What the clerk ticks as consulted, e.g. "BRP".
    pub label: String,
    /// Why the municipality may need it, in plain language, shown to the resident.
    pub reason: String,
}

/// Checks an admin's source list: codes well-formed and unique, label and reason present.
pub fn parse_source_list(list: Vec<InfoSource>) -> Result<Vec<InfoSource>> {
    if list.len() > MAX_SOURCES {
        return Err(Error::invalid(
            "/sources",
            format!("Geef hoogstens {MAX_SOURCES} bronnen."),
            format!("Give at most {MAX_SOURCES} sources."),
        ));
    }
    let mut out: Vec<InfoSource> = Vec::with_capacity(list.len());
    for (i, source) in list.into_iter().enumerate() {
        let at = |key: &str| format!("/sources/{i}/{key}");
        let code = source.code.trim().to_string();
        let good_code = !code.is_empty()
            && code.len() <= 40
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !good_code {
            return Err(Error::invalid_because(
                at("code"),
                crate::domain::outcome::code_shape(),
            ));
        }
        let max = crate::domain::outcome::MAX_SOURCE_LEN;
        let label = match FreeText::parse(&source.label, Lines::One, max) {
            Ok(label) => label.into_string(),
            Err(TextProblem::Empty | TextProblem::TooLong { .. }) => {
                return Err(Error::invalid(
                    at("label"),
                    format!("Geef een naam van 1 tot {max} tekens."),
                    format!("Give a label of 1 to {max} characters."),
                ))
            }
            Err(other) => return Err(other.at(&at("label"))),
        };
        let reason = match FreeText::parse(&source.reason, Lines::Many, 500) {
            Ok(reason) => reason.into_string(),
            Err(TextProblem::Empty | TextProblem::TooLong { .. }) => {
                return Err(Error::invalid(
                    at("reason"),
                    "Geef een reden van 1 tot 500 tekens.",
                    "Give a reason of 1 to 500 characters.",
                ))
            }
            Err(other) => return Err(other.at(&at("reason"))),
        };
        if out.iter().any(|o| o.code == code || o.label == label) {
            return Err(Error::invalid(
                at("code"),
                format!("De bron {code} ({label}) staat er twee keer in."),
                format!("The source {code} ({label}) appears twice."),
            ));
        }
        out.push(InfoSource {
            code,
            label,
            reason,
        });
    }
    Ok(out)
}

/// The resident's answer for one source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// The municipality may request it.
    Municipality,
    /// The resident brings or uploads it.
    #[serde(rename = "self")]
    SelfSupplied,
    NotNeeded,
}

impl Choice {
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Municipality => "municipality",
            Choice::SelfSupplied => "self",
            Choice::NotNeeded => "not_needed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "municipality" => Some(Choice::Municipality),
            "self" => Some(Choice::SelfSupplied),
            "not_needed" => Some(Choice::NotNeeded),
            _ => None,
        }
    }
}

/// One stored choice, oldest first in a history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChoiceRecord {
    pub source_code: String,
    pub choice: Choice,
    pub chosen_at: Timestamp,
}

/// The choice in force for `code`: the latest in the history, none when never chosen.
pub fn current(history: &[ChoiceRecord], code: &str) -> Option<Choice> {
    history
        .iter()
        .rev()
        .find(|r| r.source_code == code)
        .map(|r| r.choice)
}

/// Choices may change until the call starts; afterwards the clerk relies on them.
pub fn may_change(call_start: Timestamp, now: Timestamp) -> Result<()> {
    if now >= call_start {
        return Err(Conflict::ChoicesFrozen.into());
    }
    Ok(())
}

/// Checks the resident's new choices against the service's list; returns only the ones that
/// change something, so resubmitting a form does not pad the history.
pub fn changes(
    sources: &[InfoSource],
    history: &[ChoiceRecord],
    wanted: &[(String, Choice)],
) -> Result<Vec<(String, Choice)>> {
    let mut out: Vec<(String, Choice)> = Vec::new();
    for (i, (code, choice)) in wanted.iter().enumerate() {
        if !sources.iter().any(|s| &s.code == code) {
            return Err(not_a_source(format!("/choices/{i}/source"), code));
        }
        if out.iter().any(|(c, _)| c == code) {
            return Err(twice(format!("/choices/{i}/source"), code));
        }
        if current(history, code) != Some(*choice) {
            out.push((code.clone(), *choice));
        }
    }
    Ok(out)
}

fn not_a_source(pointer: String, code: &str) -> Error {
    Error::invalid(
        pointer,
        format!("{code} is geen bron van deze dienst."),
        format!("{code} is not a source of this service."),
    )
}

fn twice(pointer: String, code: &str) -> Error {
    Error::invalid(
        pointer,
        format!("Voor {code} staat er twee keer een keuze."),
        format!("{code} has a choice twice."),
    )
}

/// Checks the choices made while booking: every source must be one of the service's, each
/// at most once. Sources left out have no choice yet (the resident can choose later through
/// the personal link); the booking form asks for all of them, see `missing`.
pub fn at_booking(
    sources: &[InfoSource],
    wanted: &[(String, Choice)],
) -> Result<Vec<(String, Choice)>> {
    let mut out: Vec<(String, Choice)> = Vec::with_capacity(wanted.len());
    for (i, (code, choice)) in wanted.iter().enumerate() {
        let code = code.trim();
        if !sources.iter().any(|s| s.code == code) {
            return Err(not_a_source(format!("/consents/{i}/source"), code));
        }
        if out.iter().any(|(c, _)| c == code) {
            return Err(twice(format!("/consents/{i}/source"), code));
        }
        out.push((code.to_string(), *choice));
    }
    Ok(out)
}

/// The service's sources without a choice among `chosen`, in the service's order.
pub fn missing<'a>(sources: &'a [InfoSource], chosen: &[(String, Choice)]) -> Vec<&'a InfoSource> {
    sources
        .iter()
        .filter(|s| !chosen.iter().any(|(c, _)| *c == s.code))
        .collect()
}

/// Splits the consulted sources (labels, as the clerk ticks them) into allowed and refused.
///
/// A service without a source list predates consent per source: the clerk's list stands as
/// typed. Once a service lists its sources, only a listed source the resident left to the
/// municipality may be consulted; anything else is refused.
pub fn check_consulted(
    sources: &[InfoSource],
    history: &[ChoiceRecord],
    consulted: &[String],
) -> Result<(), Vec<String>> {
    if sources.is_empty() {
        return Ok(());
    }
    let refused: Vec<String> = consulted
        .iter()
        .filter(|label| {
            let allowed = sources
                .iter()
                .find(|s| &s.label == *label || &s.code == *label)
                .map(|s| current(history, &s.code) == Some(Choice::Municipality));
            allowed != Some(true)
        })
        .cloned()
        .collect();
    if refused.is_empty() {
        Ok(())
    } else {
        Err(refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(code: &str, label: &str) -> InfoSource {
        InfoSource {
            code: code.into(),
            label: label.into(),
            reason: "Om uw adres te controleren.".into(),
        }
    }

    fn record(code: &str, choice: Choice, at: i64) -> ChoiceRecord {
        ChoiceRecord {
            source_code: code.into(),
            choice,
            chosen_at: Timestamp::from_second(at).unwrap(),
        }
    }

    #[test]
    fn the_latest_choice_per_source_is_in_force() {
        let history = vec![
            record("brp", Choice::Municipality, 1),
            record("inkomen", Choice::SelfSupplied, 2),
            record("brp", Choice::NotNeeded, 3),
        ];
        assert_eq!(current(&history, "brp"), Some(Choice::NotNeeded));
        assert_eq!(current(&history, "inkomen"), Some(Choice::SelfSupplied));
        assert_eq!(current(&history, "belasting"), None);
    }

    #[test]
    fn only_sources_left_to_the_municipality_may_be_consulted() {
        let sources = vec![
            source("brp", "BRP"),
            source("inkomen", "Inkomensgegevens"),
            source("duo", "Onderwijsgegevens"),
        ];
        let history = vec![
            record("brp", Choice::Municipality, 1),
            record("inkomen", Choice::Municipality, 2),
            record("inkomen", Choice::SelfSupplied, 3),
        ];
        assert_eq!(
            check_consulted(&sources, &history, &["BRP".into(), "brp".into()]),
            Ok(())
        );
        assert_eq!(
            check_consulted(
                &sources,
                &history,
                &[
                    "BRP".into(),
                    "Inkomensgegevens".into(),
                    "Onderwijsgegevens".into(),
                    "Kadaster".into()
                ]
            ),
            Err(vec![
                "Inkomensgegevens".into(),
                "Onderwijsgegevens".into(),
                "Kadaster".into()
            ])
        );
        // No list: the free-form list of earlier outcomes stands.
        assert_eq!(check_consulted(&[], &[], &["BRP".into()]), Ok(()));
    }

    #[test]
    fn unchanged_choices_are_not_recorded_again_and_unknown_sources_are_refused() {
        let sources = vec![source("brp", "BRP"), source("duo", "Onderwijsgegevens")];
        let history = vec![record("brp", Choice::Municipality, 1)];
        let wanted = vec![
            ("brp".to_string(), Choice::Municipality),
            ("duo".to_string(), Choice::NotNeeded),
        ];
        assert_eq!(
            changes(&sources, &history, &wanted).unwrap(),
            vec![("duo".to_string(), Choice::NotNeeded)]
        );
        assert!(changes(
            &sources,
            &history,
            &[("kadaster".into(), Choice::Municipality)]
        )
        .is_err());
        assert!(changes(
            &sources,
            &history,
            &[
                ("duo".into(), Choice::Municipality),
                ("duo".into(), Choice::NotNeeded)
            ]
        )
        .is_err());
    }

    #[test]
    fn source_labels_and_reasons_are_typed_text() {
        let source = |label: &str, reason: &str| InfoSource {
            code: "brp".into(),
            label: label.into(),
            reason: reason.into(),
        };
        assert!(parse_source_list(vec![source("BRP\r\nX", "Uw adres")]).is_err());
        assert!(parse_source_list(vec![source("BRP", "Uw\u{0}adres")]).is_err());
        let ok = parse_source_list(vec![source(" BRP ", "Uw adres\nen woonplaats")]).unwrap();
        assert_eq!(ok[0].label, "BRP");
        assert_eq!(ok[0].reason, "Uw adres\nen woonplaats");
    }

    #[test]
    fn choices_at_booking_name_known_sources_once() {
        let sources = vec![source("brp", "BRP"), source("uwv", "Inkomen")];
        let ok = at_booking(
            &sources,
            &[
                (" brp ".into(), Choice::Municipality),
                ("uwv".into(), Choice::SelfSupplied),
            ],
        )
        .unwrap();
        assert_eq!(
            ok,
            vec![
                ("brp".to_string(), Choice::Municipality),
                ("uwv".to_string(), Choice::SelfSupplied)
            ]
        );
        assert!(at_booking(&sources, &[]).unwrap().is_empty());
        match at_booking(&sources, &[("kadaster".into(), Choice::NotNeeded)]) {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "/consents/0/source"),
            other => panic!("{other:?}"),
        }
        assert!(at_booking(
            &sources,
            &[
                ("brp".into(), Choice::NotNeeded),
                ("brp".into(), Choice::Municipality)
            ]
        )
        .is_err());
        let left: Vec<&str> = missing(&sources, &[("uwv".into(), Choice::NotNeeded)])
            .iter()
            .map(|s| s.code.as_str())
            .collect();
        assert_eq!(left, vec!["brp"]);
        assert!(missing(&sources, &ok).is_empty());
    }

    #[test]
    fn choices_freeze_when_the_call_starts() {
        let start = Timestamp::from_second(1000).unwrap();
        assert!(may_change(start, Timestamp::from_second(999).unwrap()).is_ok());
        assert!(may_change(start, start).is_err());
    }

    #[test]
    fn source_lists_are_checked() {
        assert!(parse_source_list(vec![source("brp", "BRP")]).is_ok());
        assert!(parse_source_list(vec![source("BRP!", "BRP")]).is_err());
        assert!(parse_source_list(vec![source("brp", "BRP"), source("brp2", "BRP")]).is_err());
        let mut no_reason = source("brp", "BRP");
        no_reason.reason = " ".into();
        assert!(parse_source_list(vec![no_reason]).is_err());
    }
}
