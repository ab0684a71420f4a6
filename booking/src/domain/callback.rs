//! Callback requests: a resident who would rather be phoned than wait in the queue leaves a
//! number and a part of the day; clerks work through the list.

use crate::domain::ids::{ClerkId, ServiceId, TenantId};
pub use crate::domain::queue::CallbackId;
use crate::error::{Error, Result};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PartOfDay {
    Morning,
    Afternoon,
    Evening,
}

impl PartOfDay {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Morning => "morning",
            Self::Afternoon => "afternoon",
            Self::Evening => "evening",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "morning" => Some(Self::Morning),
            "afternoon" => Some(Self::Afternoon),
            "evening" => Some(Self::Evening),
            _ => None,
        }
    }
}

/// A Dutch or international phone number as people type it: 6 to 15 digits, with spaces,
/// dashes, brackets and a leading plus allowed. Returned trimmed.
pub fn phone_number(raw: &str) -> Option<String> {
    let p = raw.trim();
    let digits = p.chars().filter(char::is_ascii_digit).count();
    let shape_ok = p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c));
    (shape_ok && (6..=15).contains(&digits)).then(|| p.to_string())
}

/// A resident's name as given in a form: 1 to 100 characters, trimmed.
pub fn resident_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::invalid("name", "give a name of 1 to 100 characters"));
    }
    Ok(name.to_string())
}

/// When a callback should have been made at the latest: the end of the chosen part of the day
/// (12:00, 17:00, 21:00 local) on the day of the request, or the next day when the request came
/// after that part of the day had ended. The clerk's list ("late") and the dashboard ("on
/// time") both use this one rule.
pub fn deadline(requested_at: Timestamp, part: PartOfDay, tz: &TimeZone) -> Result<Timestamp> {
    let internal = |e: jiff::Error| Error::Internal(e.to_string());
    let asked = requested_at.to_zoned(tz.clone());
    let hour = match part {
        PartOfDay::Morning => 12,
        PartOfDay::Afternoon => 17,
        PartOfDay::Evening => 21,
    };
    let end_of = |date: jiff::civil::Date| -> Result<Timestamp> {
        Ok(date
            .at(hour, 0, 0, 0)
            .to_zoned(tz.clone())
            .map_err(internal)?
            .timestamp())
    };
    let that_day = end_of(asked.date())?;
    if requested_at < that_day {
        return Ok(that_day);
    }
    end_of(asked.date().tomorrow().map_err(internal)?)
}

/// Handled by its deadline.
pub fn handled_on_time(
    requested_at: Timestamp,
    part: PartOfDay,
    handled_at: Timestamp,
    tz: &TimeZone,
) -> bool {
    deadline(requested_at, part, tz).is_ok_and(|d| handled_at <= d)
}

#[derive(Clone, Debug, PartialEq)]
pub struct CallbackRequest {
    pub id: CallbackId,
    pub tenant_id: TenantId,
    pub service_id: ServiceId,
    pub resident_name: String,
    pub phone: String,
    pub part_of_day: PartOfDay,
    pub requested_at: Timestamp,
    pub handled_at: Option<Timestamp>,
    pub handled_by: Option<ClerkId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_and_names_are_checked() {
        assert_eq!(
            phone_number(" 06-12345678 ").as_deref(),
            Some("06-12345678")
        );
        assert_eq!(
            phone_number("+31 (0)70 123 4567").as_deref(),
            Some("+31 (0)70 123 4567")
        );
        assert_eq!(phone_number("12345"), None);
        assert_eq!(phone_number("bel me"), None);
        assert_eq!(phone_number("1234567890123456"), None);
        assert_eq!(resident_name("  Jan ").unwrap(), "Jan");
        assert!(resident_name(" ").is_err());
        assert!(resident_name(&"x".repeat(101)).is_err());
        assert_eq!(PartOfDay::parse("evening"), Some(PartOfDay::Evening));
        assert_eq!(PartOfDay::parse("night"), None);
    }
}
