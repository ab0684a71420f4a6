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
    fn parts_of_day_are_parsed() {
        assert_eq!(PartOfDay::parse("evening"), Some(PartOfDay::Evening));
        assert_eq!(PartOfDay::parse("night"), None);
    }
}
