//! A municipality (tenant) and the 5-10% it tailors: name, tone, colours, walk-ins, booking window.

use crate::domain::ids::TenantId;
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How the municipality addresses residents: informal "je" or formal "u".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Tone {
    Je,
    U,
}

impl Tone {
    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Je => "je",
            Tone::U => "u",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "je" => Some(Tone::Je),
            "u" => Some(Tone::U),
            _ => None,
        }
    }
}

/// A `#rrggbb` colour that white text on it can be read against (WCAG 2.2 AA: contrast >= 4.5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "#154273")]
pub struct Colour(String);

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum InvalidColour {
    #[error("'{0}' is not a colour of the form #rrggbb")]
    Format(String),
    #[error("colour {colour} has contrast {ratio:.2}:1 with white text; at least 4.5:1 is needed")]
    Contrast { colour: String, ratio: f64 },
}

impl InvalidColour {
    /// The refusal for people, in Dutch and English.
    pub fn words(&self) -> crate::error::Words {
        match self {
            InvalidColour::Format(_) => crate::error::Words::new(
                "Geef een kleur als #rrggbb, bijvoorbeeld #154273.",
                "Give a colour as #rrggbb, e.g. #154273.",
            ),
            InvalidColour::Contrast { colour, ratio } => crate::error::Words::new(
                format!("Witte tekst op {colour} heeft een contrast van {}:1; er is minstens 4,5:1 nodig. Kies een donkerder kleur.", format!("{ratio:.2}").replace('.', ",")),
                format!("Colour {colour} has contrast {ratio:.2}:1 with white text; at least 4.5:1 is needed."),
            ),
        }
    }
}

impl Colour {
    pub fn parse(raw: &str) -> Result<Self, InvalidColour> {
        let hex = raw
            .strip_prefix('#')
            .filter(|h| h.len() == 6 && h.chars().all(|c| c.is_ascii_hexdigit()))
            .ok_or_else(|| InvalidColour::Format(raw.chars().take(20).collect()))?;
        let colour = Self(format!("#{}", hex.to_ascii_lowercase()));
        let ratio = colour.contrast_with_white();
        if ratio < 4.5 {
            return Err(InvalidColour::Contrast {
                colour: colour.0,
                ratio,
            });
        }
        Ok(colour)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn channel(&self, i: usize) -> f64 {
        let v = u8::from_str_radix(&self.0[1 + 2 * i..3 + 2 * i], 16).unwrap_or(0) as f64 / 255.0;
        // sRGB to linear, as WCAG defines relative luminance.
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    }

    pub fn contrast_with_white(&self) -> f64 {
        let l = 0.2126 * self.channel(0) + 0.7152 * self.channel(1) + 0.0722 * self.channel(2);
        1.05 / (l + 0.05)
    }
}

impl TryFrom<String> for Colour {
    type Error = InvalidColour;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}
impl From<Colour> for String {
    fn from(value: Colour) -> Self {
        value.0
    }
}
impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A tenant slug: lowercase letters, digits and dashes, as it appears in URLs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "voorbeeld")]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = (1..=63).contains(&raw.len())
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        ok.then(|| Self(raw.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for Slug {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| format!("'{value}' is not a valid slug"))
    }
}
impl From<Slug> for String {
    fn from(value: Slug) -> Self {
        value.0
    }
}
impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The municipality with its settings.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Tenant {
    pub id: TenantId,
    pub slug: Slug,
    pub name: String,
    /// IANA time zone, e.g. Europe/Amsterdam.
    #[schema(value_type = String, example = "Europe/Amsterdam")]
    pub time_zone: TimeZoneName,
    pub tone: Tone,
    pub primary_colour: Colour,
    pub secondary_colour: Colour,
    pub walk_ins_allowed: bool,
    /// Minimum minutes between booking and appointment.
    pub lead_time_minutes: i64,
    /// How many days ahead residents can book.
    pub horizon_days: i64,
    /// Days after the appointment that personal data is kept.
    pub retention_days: i64,
    /// Organizer address used in invites.
    pub contact_email: String,
    /// Minutes before the appointment that the personal link lets a resident join the queue.
    pub check_in_minutes: i64,
    /// Minutes after the start that a resident may still check in; later, a booked appointment
    /// without check-in is a no-show.
    pub no_show_grace_minutes: i64,
    pub resident_info: ResidentInfo,
    /// When the logo was last uploaded (Unix seconds), so its address changes with it; `None`
    /// when the municipality has no logo. The picture itself is read apart (`usecases::logo`).
    #[serde(skip)]
    pub logo_version: Option<i64>,
}

/// What residents see of their municipality beyond its name (issue 17): how to phone and visit
/// it, when it is open, and its own introduction per language. Parsed by the settings use case
/// (`PhoneNumber`, `FreeText`); empty text is "not given".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ResidentInfo {
    /// E.164 (`+31201234567`) or a Dutch municipal short number (`14030`).
    pub phone: Option<String>,
    /// Postal or visiting address, one or more lines.
    pub address: String,
    /// Opening hours in the municipality's own words, one or more lines.
    pub opening_hours: String,
    /// The introduction on the municipality's start page, in Dutch.
    pub intro_nl: String,
    /// The same in English; empty shows the Dutch one.
    pub intro_en: String,
}

impl ResidentInfo {
    pub const MAX_ADDRESS: usize = 300;
    pub const MAX_OPENING_HOURS: usize = 500;
    pub const MAX_INTRO: usize = 2000;
}

impl Tenant {
    /// How long before an appointment's start the resident may check in and enter the room.
    pub fn check_in_window(&self) -> SignedDuration {
        SignedDuration::from_mins(self.check_in_minutes)
    }
}

/// An IANA time zone that is known to the bundled tz database.
#[derive(Clone, Debug)]
pub struct TimeZoneName {
    name: String,
    tz: jiff::tz::TimeZone,
}

impl TimeZoneName {
    pub fn parse(name: &str) -> Option<Self> {
        jiff::tz::TimeZone::get(name).ok().map(|tz| Self {
            name: name.to_string(),
            tz,
        })
    }
    pub fn tz(&self) -> &jiff::tz::TimeZone {
        &self.tz
    }
    pub fn as_str(&self) -> &str {
        &self.name
    }
}

impl Serialize for TimeZoneName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_contrast_is_checked() {
        assert!(Colour::parse("#154273").is_ok()); // Rijksoverheid dark blue
        assert!(matches!(
            Colour::parse("#ffff00"),
            Err(InvalidColour::Contrast { .. })
        ));
        assert!(matches!(
            Colour::parse("blue"),
            Err(InvalidColour::Format(_))
        ));
        let ratio = Colour::parse("#000000").unwrap().contrast_with_white();
        assert!((ratio - 21.0).abs() < 0.01);
    }

    #[test]
    fn slugs_and_zones_parse() {
        assert!(Slug::parse("den-haag").is_some());
        assert!(Slug::parse("Den Haag").is_none());
        assert!(TimeZoneName::parse("Europe/Amsterdam").is_some());
        assert!(TimeZoneName::parse("Mars/Olympus").is_none());
    }
}
