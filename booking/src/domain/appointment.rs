//! A booked appointment and the transitions it may make.

use crate::domain::booking_code::BookingCode;
use crate::domain::email::Email;
use crate::domain::ids::{AppointmentId, ClerkId, ServiceId, TenantId};
use crate::domain::text::PhoneNumber;
use crate::error::{Conflict, Result};
use jiff::Timestamp;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AppointmentStatus {
    Booked,
    Cancelled,
}

impl AppointmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::Cancelled => "cancelled",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "booked" => Some(Self::Booked),
            "cancelled" => Some(Self::Cancelled),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Appointment {
    pub id: AppointmentId,
    pub tenant_id: TenantId,
    pub service_id: ServiceId,
    pub clerk_id: ClerkId,
    pub start: Timestamp,
    pub end: Timestamp,
    pub status: AppointmentStatus,
    /// Bumped on every change so calendar clients replace the event (iCalendar SEQUENCE).
    pub sequence: u32,
    pub resident: Resident,
    /// The short code to read aloud (issue 16), unique within the municipality.
    pub code: BookingCode,
    pub created_at: Timestamp,
}

/// Who booked. Parsed and length-checked before it gets here.
#[derive(Clone, Debug)]
pub struct Resident {
    pub name: String,
    pub contact: Contact,
    pub note: Option<String>,
    /// The language or interpreter the resident needs, as typed (`domain::text::LanguageNeed`).
    pub language: Option<String>,
}

impl Resident {
    pub fn email(&self) -> Option<&Email> {
        self.contact.email()
    }

    pub fn phone(&self) -> Option<&PhoneNumber> {
        self.contact.phone()
    }
}

/// How the municipality reaches the resident: an e-mail address, a mobile number or both.
/// "Neither" cannot be written down (issue 16: residents without e-mail book with a phone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Contact {
    Email(Email),
    Phone(PhoneNumber),
    Both { email: Email, phone: PhoneNumber },
}

impl Contact {
    /// `None` when neither was given.
    pub fn new(email: Option<Email>, phone: Option<PhoneNumber>) -> Option<Self> {
        match (email, phone) {
            (Some(email), Some(phone)) => Some(Self::Both { email, phone }),
            (Some(email), None) => Some(Self::Email(email)),
            (None, Some(phone)) => Some(Self::Phone(phone)),
            (None, None) => None,
        }
    }

    pub fn email(&self) -> Option<&Email> {
        match self {
            Self::Email(email) | Self::Both { email, .. } => Some(email),
            Self::Phone(_) => None,
        }
    }

    pub fn phone(&self) -> Option<&PhoneNumber> {
        match self {
            Self::Phone(phone) | Self::Both { phone, .. } => Some(phone),
            Self::Email(_) => None,
        }
    }
}

impl Appointment {
    /// A resident may change or cancel a booked appointment until it starts.
    pub fn ensure_changeable(&self, now: Timestamp) -> Result<()> {
        match self.status {
            AppointmentStatus::Cancelled => Err(Conflict::AlreadyCancelled.into()),
            AppointmentStatus::Booked if self.start <= now => {
                Err(Conflict::AppointmentStarted.into())
            }
            AppointmentStatus::Booked => Ok(()),
        }
    }

    /// Stable iCalendar UID for the life of the appointment.
    pub fn calendar_uid(&self) -> String {
        format!("{}@videoloket", self.id)
    }
}

/// The 5-minute clerk units an occupied interval covers; the unique key on these in the
/// database is what makes double booking impossible.
pub const RESERVATION_UNIT_SECONDS: i64 = 300;

pub fn reservation_units(start: Timestamp, occupied_until: Timestamp) -> Vec<i64> {
    let first = start.as_second().div_euclid(RESERVATION_UNIT_SECONDS) * RESERVATION_UNIT_SECONDS;
    let end = occupied_until.as_second();
    (0..)
        .map(|i| first + i * RESERVATION_UNIT_SECONDS)
        .take_while(|unit| *unit < end)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_needs_an_email_or_a_phone() {
        let email = Email::parse("a@voorbeeld.nl").unwrap();
        let phone = PhoneNumber::parse("06 12345678").unwrap();
        assert_eq!(Contact::new(None, None), None);
        let both = Contact::new(Some(email.clone()), Some(phone.clone())).unwrap();
        assert_eq!((both.email(), both.phone()), (Some(&email), Some(&phone)));
        let only_phone = Contact::new(None, Some(phone.clone())).unwrap();
        assert_eq!(
            (only_phone.email(), only_phone.phone()),
            (None, Some(&phone))
        );
        let only_email = Contact::new(Some(email.clone()), None).unwrap();
        assert_eq!(
            (only_email.email(), only_email.phone()),
            (Some(&email), None)
        );
    }

    #[test]
    fn units_cover_the_whole_occupied_time() {
        let start: Timestamp = "2026-06-01T07:00:00Z".parse().unwrap();
        let end: Timestamp = "2026-06-01T07:40:00Z".parse().unwrap();
        let units = reservation_units(start, end);
        assert_eq!(units.len(), 8);
        assert_eq!(units[0], start.as_second());
        // An unaligned interval still covers every unit it touches.
        let odd = reservation_units(start + jiff::SignedDuration::from_secs(61), end);
        assert_eq!(odd[0], start.as_second());
        assert_eq!(odd.len(), 8);
    }
}
