//! The municipality's administration as use cases: settings, services with their information
//! sources and result lists, clerks with their hours and absences, complaints and the
//! dashboard's period. The JSON API (`api::admin`, `api::consent`, `api::outcomes`,
//! `api::feedback`, `api::dashboard`) and the admin pages (`web`, `/beheer`) both call these,
//! so a rule holds the same way whichever door is used.
//!
//! The `check_*` functions list every problem of a form at once (for a page that shows them
//! all); the use cases refuse with the first one (for the API, which names one field).

pub mod audit;
pub mod case_store;
pub mod clerks;
pub mod closing_days;
pub mod complaints;
pub mod dashboard;
pub mod deliveries;
pub mod services;
pub mod settings;

use crate::domain::text::{FreeText, Lines, TextProblem};
use crate::error::{Error, Words};

/// A field that is wrong (its form and JSON key) and why, in Dutch and English (the API's
/// words; pages may word it themselves).
pub type Problem = (&'static str, Words);

/// The first problem as the API's refusal, the key as a JSON pointer.
pub(super) fn first(problems: Vec<Problem>) -> Error {
    problems
        .into_iter()
        .next()
        .map(|(field, message)| Error::invalid_because(format!("/{field}"), message))
        .unwrap_or_else(|| Error::Internal("no problem to report".into()))
}

pub(super) fn check_range(
    problems: &mut Vec<Problem>,
    field: &'static str,
    value: i64,
    range: std::ops::RangeInclusive<i64>,
) {
    if !range.contains(&value) {
        let (low, high) = (range.start(), range.end());
        problems.push((
            field,
            Words::new(
                format!("Geef een heel getal van {low} tot en met {high}."),
                format!("Give a whole number from {low} to {high}."),
            ),
        ));
    }
}

/// The name of a municipality, a service or a clerk: one line of 1 to 100 characters.
pub(crate) fn check_name(problems: &mut Vec<Problem>, raw: &str) -> String {
    match FreeText::parse(raw, Lines::One, 100) {
        Ok(name) => name.into_string(),
        Err(TextProblem::Empty | TextProblem::TooLong { .. }) => {
            problems.push(("name", name_of_1_to_100()));
            String::new()
        }
        Err(other) => {
            problems.push(("name", other.message("name")));
            String::new()
        }
    }
}

pub(super) fn name_of_1_to_100() -> Words {
    Words::new(
        "Geef een naam van 1 tot 100 tekens.",
        "Give a name of 1 to 100 characters.",
    )
}
