//! Single sign-on for staff through the municipality's own OpenID provider: the settings as
//! parsed and the rule that turns a claim in the ID token into a role. Pure.

use crate::domain::staff::StaffRole;
use crate::error::{Error, Result};

/// A municipality's OpenID Connect settings, checked.
#[derive(Clone, PartialEq, Eq)]
pub struct SsoSettings {
    /// The name on the login button: "Inloggen met <provider_name>".
    pub provider_name: String,
    /// The issuer as the provider names itself (`iss`); discovery reads
    /// `<issuer>/.well-known/openid-configuration`.
    pub issuer_url: String,
    pub client_id: String,
    /// Plain text here; `usecases::sso` decides how it is stored and never hands it out.
    pub client_secret: String,
    pub roles: RoleMapping,
    /// Off: clerks and admins of this municipality can only log in through the provider.
    pub password_login: bool,
}

/// Never prints the client secret, so the settings can be logged or debugged safely.
impl std::fmt::Debug for SsoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoSettings")
            .field("provider_name", &self.provider_name)
            .field("issuer_url", &self.issuer_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("roles", &self.roles)
            .field("password_login", &self.password_login)
            .finish()
    }
}

/// Which claim of the ID token carries the role, and which values mean admin and clerk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleMapping {
    pub claim: String,
    pub admin_value: String,
    pub clerk_value: String,
}

impl RoleMapping {
    /// The role the claim's value gives: admin when it holds the admin value, clerk when it
    /// holds the clerk value, otherwise none. The value may be one string or a list of strings
    /// (Entra ID and Keycloak send `groups` and `roles` as lists).
    pub fn role(&self, value: Option<&serde_json::Value>) -> Option<StaffRole> {
        let holds = |wanted: &str| match value {
            Some(serde_json::Value::String(s)) => s == wanted,
            Some(serde_json::Value::Array(items)) => {
                items.iter().any(|v| v.as_str() == Some(wanted))
            }
            _ => false,
        };
        if holds(&self.admin_value) {
            Some(StaffRole::Admin)
        } else if holds(&self.clerk_value) {
            Some(StaffRole::Clerk)
        } else {
            None
        }
    }
}

const MAX_TEXT: usize = 200;
const MAX_URL: usize = 500;

/// `what` names the field in Dutch and English, e.g. ("de client-id", "the client id").
fn text(field: &'static str, raw: &str, what: (&str, &str)) -> Result<String> {
    let (dutch, english) = what;
    let value = raw.trim();
    if value.is_empty() {
        return Err(Error::invalid(
            format!("/{field}"),
            format!("Geef {dutch}."),
            format!("Give {english}."),
        ));
    }
    if value.chars().count() > MAX_TEXT || value.chars().any(char::is_control) {
        return Err(Error::invalid(
            format!("/{field}"),
            format!("Geef {dutch} op één regel van hoogstens {MAX_TEXT} tekens."),
            format!("Give {english} on one line of at most {MAX_TEXT} characters."),
        ));
    }
    Ok(value.to_string())
}

/// The issuer must be an `https://` address without query or fragment; plain `http://` only on
/// the machine itself (development and the tests' local provider).
pub fn issuer_url(raw: &str) -> Result<String> {
    let value = raw.trim().trim_end_matches('/');
    let refuse = || {
        Error::invalid(
            "/issuer_url",
            "Geef het https://-adres van de identity provider (zonder ? of #), bijvoorbeeld https://login.microsoftonline.com/<tenant>/v2.0",
            "Give the issuer's https:// address (without ? or #), e.g. https://login.microsoftonline.com/<tenant>/v2.0",
        )
    };
    if value.len() > MAX_URL
        || value.contains(['?', '#', ' '])
        || value.chars().any(char::is_control)
    {
        return Err(refuse());
    }
    let rest = if let Some(rest) = value.strip_prefix("https://") {
        rest
    } else if let Some(rest) = value.strip_prefix("http://") {
        let authority = rest.split('/').next().unwrap_or("");
        let loopback = ["127.0.0.1", "localhost", "[::1]"].iter().any(|host| {
            authority == *host
                || authority
                    .strip_prefix(host)
                    .and_then(|port| port.strip_prefix(':'))
                    .is_some_and(|port| {
                        !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
                    })
        });
        if !loopback {
            return Err(refuse());
        }
        rest
    } else {
        return Err(refuse());
    };
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || host.contains('@') {
        return Err(refuse());
    }
    Ok(value.to_string())
}

impl SsoSettings {
    /// Checks every field; each mistake names its field.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        provider_name: &str,
        issuer: &str,
        client_id: &str,
        client_secret: &str,
        role_claim: &str,
        admin_value: &str,
        clerk_value: &str,
        password_login: bool,
    ) -> Result<Self> {
        let roles = RoleMapping {
            claim: text(
                "role_claim",
                role_claim,
                ("de claim met de rol", "the claim that carries the role"),
            )?,
            admin_value: text(
                "admin_value",
                admin_value,
                ("de waarde voor beheerder", "the value that means admin"),
            )?,
            clerk_value: text(
                "clerk_value",
                clerk_value,
                ("de waarde voor medewerker", "the value that means clerk"),
            )?,
        };
        if roles.admin_value == roles.clerk_value {
            return Err(Error::invalid(
                "/clerk_value",
                "De waarde voor medewerker moet verschillen van die voor beheerder.",
                "The clerk value must differ from the admin value",
            ));
        }
        if client_secret.is_empty() || client_secret.chars().count() > 1000 {
            return Err(Error::invalid(
                "/client_secret",
                "Geef het client secret (hoogstens 1000 tekens).",
                "Give the client secret (at most 1000 characters).",
            ));
        }
        Ok(Self {
            provider_name: text(
                "provider_name",
                provider_name,
                ("de naam van de provider", "the provider's name"),
            )?,
            issuer_url: issuer_url(issuer)?,
            client_id: text("client_id", client_id, ("de client-id", "the client id"))?,
            client_secret: client_secret.to_string(),
            roles,
            password_login,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mapping() -> RoleMapping {
        RoleMapping {
            claim: "groups".into(),
            admin_value: "vl-beheer".into(),
            clerk_value: "vl-loket".into(),
        }
    }

    #[test]
    fn the_role_comes_from_a_string_or_a_list_and_admin_wins() {
        let m = mapping();
        assert_eq!(m.role(Some(&json!("vl-loket"))), Some(StaffRole::Clerk));
        assert_eq!(m.role(Some(&json!("vl-beheer"))), Some(StaffRole::Admin));
        assert_eq!(
            m.role(Some(&json!(["x", "vl-loket", "vl-beheer"]))),
            Some(StaffRole::Admin)
        );
        assert_eq!(m.role(Some(&json!(["x"]))), None);
        assert_eq!(m.role(Some(&json!("VL-LOKET"))), None, "exact values");
        assert_eq!(m.role(Some(&json!(1))), None);
        assert_eq!(m.role(None), None);
    }

    #[test]
    fn issuers_are_https_or_loopback() {
        assert_eq!(
            issuer_url(" https://login.example.nl/realms/gemeente/ ").unwrap(),
            "https://login.example.nl/realms/gemeente"
        );
        assert!(issuer_url("http://127.0.0.1:4000").is_ok());
        assert!(issuer_url("http://localhost:4000/oidc").is_ok());
        for bad in [
            "",
            "login.example.nl",
            "http://login.example.nl",
            "https://",
            "https://user@login.example.nl",
            "https://login.example.nl/?x=1",
            "ftp://login.example.nl",
            "http://127.0.0.1.evil.example",
        ] {
            assert!(issuer_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn settings_name_the_field_that_is_wrong_and_never_print_the_secret() {
        let ok = SsoSettings::parse(
            "Gemeente-account",
            "https://login.example.nl",
            "videoloket",
            "s3cret-value",
            "groups",
            "vl-beheer",
            "vl-loket",
            false,
        )
        .unwrap();
        assert!(!format!("{ok:?}").contains("s3cret"));
        let same = SsoSettings::parse("P", "https://x.nl", "c", "s", "groups", "a", "a", true);
        assert!(matches!(
            same,
            Err(Error::Invalid { ref field, .. }) if field == "/clerk_value"
        ));
        let empty = SsoSettings::parse("P", "https://x.nl", " ", "s", "groups", "a", "b", true);
        assert!(matches!(
            empty,
            Err(Error::Invalid { ref field, .. }) if field == "/client_id"
        ));
    }
}
