//! A parsed e-mail address: once constructed it is known to be plausible and short enough.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, format = "email")]
pub struct Email(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("'{0}' is not a valid e-mail address")]
pub struct InvalidEmail(pub String);

impl InvalidEmail {
    /// The refusal for people; the address typed is not repeated (it may hold anything).
    pub fn words(&self) -> crate::error::Words {
        crate::error::Words::new(
            "Geef een geldig e-mailadres, bijvoorbeeld naam@voorbeeld.nl.",
            "Give a valid e-mail address, e.g. name@example.org.",
        )
    }
}

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let trimmed = raw.trim();
        // lettre's parser implements the RFC 5321 grammar; we add the length limit and require a
        // dot in the domain because residents mistype "name@gmail" far more often than anyone
        // has an address at a top-level domain.
        let ok = trimmed.len() <= Self::MAX_LEN
            && trimmed.parse::<lettre::Address>().is_ok()
            && trimmed
                .rsplit_once('@')
                .is_some_and(|(_, domain)| domain.contains('.') && !domain.ends_with('.'));
        if ok {
            Ok(Self(trimmed.to_string()))
        } else {
            Err(InvalidEmail(raw.chars().take(80).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = InvalidEmail;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        assert_eq!(
            Email::parse(" jan@example.nl ").unwrap().as_str(),
            "jan@example.nl"
        );
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "jan",
            "jan@",
            "@example.nl",
            "jan@example",
            "jan @example.nl",
            "a@b.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be rejected");
        }
        let long = format!("{}@example.nl", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }
}
