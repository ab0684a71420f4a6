//! TURN credentials that expire, in the scheme coturn checks with `use-auth-secret` (the
//! "TURN REST API", draft-uberti-behave-turn-rest): the user name is
//! `<expiry in Unix seconds>:<participant id>` and the password is
//! `base64(HMAC-SHA1(shared secret, user name))`. The platform and the TURN server share only
//! the secret; nothing is stored, and a leaked credential stops opening new relays at its
//! expiry. Pure: the time is passed in.
//!
//! Neither the secret nor a minted credential is ever logged: their `Debug` says so.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sfu::IceServer;
use std::fmt;
use std::time::Duration;

/// How long a minted credential opens relays, unless configured otherwise.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(600);

/// The secret shared with coturn's `static-auth-secret`.
#[derive(Clone)]
pub struct TurnSecret(Vec<u8>);

impl TurnSecret {
    /// The secret as written in a file or variable; surrounding white space (a file's last
    /// newline) is not part of it, as coturn reads its configuration line.
    pub fn parse(raw: &str) -> Result<Self, TurnConfigError> {
        let secret = raw.trim();
        if secret.is_empty() {
            return Err(TurnConfigError::EmptySecret);
        }
        Ok(Self(secret.as_bytes().to_vec()))
    }
}

impl fmt::Debug for TurnSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TurnSecret(..)")
    }
}

/// Why the TURN settings cannot be used; the binary refuses to start with one of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TurnConfigError {
    /// TURN URLs without the secret: browsers would get a relay they cannot log in to.
    #[error("TURN URLs are set (VIDEOLOKET_TURN_URLS) but no TURN secret: set VIDEOLOKET_TURN_SECRET or --turn-secret-file to coturn's static-auth-secret")]
    MissingSecret,
    /// A secret without URLs: there is nothing to hand to the browsers.
    #[error("a TURN secret is set but no TURN URLs: set VIDEOLOKET_TURN_URLS (e.g. turns:turn.example.nl:443?transport=tcp)")]
    MissingUrls,
    /// The secret is empty (or only white space).
    #[error("the TURN secret is empty")]
    EmptySecret,
    /// A URL that is not `turn:` or `turns:`.
    #[error("not a TURN URL (turn: or turns:): {0}")]
    NotTurnUrl(String),
    /// Credentials that expire at once.
    #[error("the TURN credential lifetime must be at least one second")]
    ZeroLifetime,
}

/// Where the TURN server is and how to mint credentials for it.
#[derive(Debug, Clone)]
pub struct TurnConfig {
    urls: Vec<String>,
    secret: TurnSecret,
    lifetime: Duration,
}

impl TurnConfig {
    /// TURN from the platform's settings: `None` when neither URLs nor secret are set; an
    /// error when only one of them is, or when a URL is not a TURN URL.
    pub fn from_settings(
        urls: &[String],
        secret: Option<TurnSecret>,
        lifetime: Duration,
    ) -> Result<Option<Self>, TurnConfigError> {
        let urls: Vec<String> = urls
            .iter()
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty())
            .collect();
        match (urls.is_empty(), secret) {
            (true, None) => Ok(None),
            (true, Some(_)) => Err(TurnConfigError::MissingUrls),
            (false, None) => Err(TurnConfigError::MissingSecret),
            (false, Some(secret)) => {
                if let Some(url) = urls
                    .iter()
                    .find(|u| !(u.starts_with("turn:") || u.starts_with("turns:")))
                {
                    return Err(TurnConfigError::NotTurnUrl(url.clone()));
                }
                if lifetime.as_secs() == 0 {
                    return Err(TurnConfigError::ZeroLifetime);
                }
                Ok(Some(Self {
                    urls,
                    secret,
                    lifetime,
                }))
            }
        }
    }

    /// The TURN URLs browsers get.
    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// A fresh ICE server entry for `participant` at `now_unix`: the configured URLs with a
    /// user name that expires `lifetime` from now and its password.
    pub fn ice_server(&self, participant: &str, now_unix: i64) -> IceServer {
        let expires_at = now_unix.saturating_add(self.lifetime.as_secs() as i64);
        let credential = mint(&self.secret, participant, expires_at);
        IceServer {
            urls: self.urls.clone(),
            username: Some(credential.username),
            credential: Some(credential.password),
        }
    }
}

/// A user name and password for the TURN server.
#[derive(Clone, PartialEq, Eq)]
pub struct TurnCredential {
    /// `<expiry>:<participant id>`.
    pub username: String,
    /// `base64(HMAC-SHA1(secret, username))`.
    pub password: String,
}

impl fmt::Debug for TurnCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TurnCredential(..)")
    }
}

/// The credential for `participant` that coturn accepts until `expires_at` (Unix seconds).
pub fn mint(secret: &TurnSecret, participant: &str, expires_at: i64) -> TurnCredential {
    let username = format!("{expires_at}:{participant}");
    let password = password(&secret.0, &username);
    TurnCredential { username, password }
}

fn password(secret: &[u8], username: &str) -> String {
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(secret).expect("any key length");
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(urls: &[&str], secret: Option<&str>) -> Result<Option<TurnConfig>, TurnConfigError> {
        TurnConfig::from_settings(
            &urls.iter().map(|u| u.to_string()).collect::<Vec<_>>(),
            secret.map(|s| TurnSecret::parse(s).unwrap()),
            DEFAULT_LIFETIME,
        )
    }

    #[test]
    fn password_is_base64_hmac_sha1_rfc2202_vector() {
        // RFC 2202 test case 2: HMAC-SHA1("Jefe", "what do ya want for nothing?") =
        // effcdf6ae5eb2fa2d27416d5f184df9c259a7c79, here in base64.
        assert_eq!(
            password(b"Jefe", "what do ya want for nothing?"),
            "7/zfauXrL6LSdBbV8YTfnCWafHk="
        );
    }

    #[test]
    fn minted_credential_is_expiry_colon_participant_with_its_hmac() {
        // Computed independently with Python:
        // base64.b64encode(hmac.new(b"north", b"1700000600:resident-1", hashlib.sha1).digest())
        let secret = TurnSecret::parse("north\n").unwrap();
        let credential = mint(&secret, "resident-1", 1_700_000_600);
        assert_eq!(credential.username, "1700000600:resident-1");
        assert_eq!(credential.password, "gP7P8C/cIzNywpqPLGJkZzp+Ldg=");
    }

    #[test]
    fn ice_server_expires_lifetime_after_now_and_changes_with_time() {
        let turn = config(
            &[
                "turns:turn.example.nl:443?transport=tcp",
                " turn:turn.example.nl:3478",
            ],
            Some("s3cret"),
        )
        .unwrap()
        .unwrap();
        let first = turn.ice_server("clerk-7", 1_800_000_000);
        assert_eq!(
            first.urls,
            [
                "turns:turn.example.nl:443?transport=tcp",
                "turn:turn.example.nl:3478"
            ]
        );
        assert_eq!(first.username.as_deref(), Some("1800000600:clerk-7"));
        let again = turn.ice_server("clerk-7", 1_800_000_001);
        assert_eq!(again.username.as_deref(), Some("1800000601:clerk-7"));
        assert_ne!(first.credential, again.credential);
        let other = turn.ice_server("resident-1", 1_800_000_000);
        assert_ne!(first.credential, other.credential);
    }

    #[test]
    fn settings_need_both_urls_and_secret() {
        assert!(config(&[], None).unwrap().is_none());
        assert!(config(&[""], None).unwrap().is_none());
        assert_eq!(
            config(&["turn:t.example.nl"], None).unwrap_err(),
            TurnConfigError::MissingSecret
        );
        assert_eq!(
            config(&[], Some("s")).unwrap_err(),
            TurnConfigError::MissingUrls
        );
        assert_eq!(
            config(&["stun:t.example.nl"], Some("s")).unwrap_err(),
            TurnConfigError::NotTurnUrl("stun:t.example.nl".into())
        );
        assert_eq!(
            TurnSecret::parse(" \n").unwrap_err(),
            TurnConfigError::EmptySecret
        );
        assert_eq!(
            TurnConfig::from_settings(
                &["turn:t.example.nl".into()],
                Some(TurnSecret::parse("s").unwrap()),
                Duration::ZERO
            )
            .unwrap_err(),
            TurnConfigError::ZeroLifetime
        );
    }

    #[test]
    fn debug_output_shows_no_secret_or_credential() {
        let turn = config(&["turn:t.example.nl"], Some("very-secret"))
            .unwrap()
            .unwrap();
        let credential = mint(&TurnSecret::parse("very-secret").unwrap(), "p", 1);
        let shown = format!("{turn:?} {credential:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(!shown.contains(&credential.password), "{shown}");
    }
}
