//! Room tokens: short-lived HS256 JWTs that admit one participant to one room.
//!
//! `booking` issues them (to the booked resident and to the clerk who takes the call);
//! the WebSocket endpoint verifies them on `join`.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io::{self, Write};
use std::path::Path;

pub use crate::error::TokenError;

/// Clock skew tolerated on `nbf` and `exp`, in seconds.
pub const LEEWAY_SECS: u64 = 30;
/// Name of the key file in the data directory.
pub const KEY_FILE_NAME: &str = "room-token.key";

/// What a participant is in the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The resident who booked the appointment.
    Resident,
    /// The municipal clerk.
    Clerk,
    /// Someone the resident invited (family member, friend, helper).
    Companion,
    /// An interpreter the clerk invited.
    Interpreter,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Resident => "resident",
            Role::Clerk => "clerk",
            Role::Companion => "companion",
            Role::Interpreter => "interpreter",
        })
    }
}

/// The claims of a room token. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomClaims {
    /// Room id (one room per appointment).
    pub room: String,
    /// Participant id; stable for the participant across reconnects.
    pub sub: String,
    /// Role in the room.
    pub role: Role,
    /// Display name shown to the other participants.
    pub name: String,
    /// Municipality (tenant) the appointment belongs to.
    pub tenant: String,
    /// Not valid before. The room-entry window (`nbf`..`exp`) is booking's decision; this
    /// crate only checks it.
    pub nbf: i64,
    /// Expires at (the end of the appointment).
    pub exp: i64,
}

/// The key that signs and verifies room tokens.
#[derive(Clone)]
pub struct RoomTokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl fmt::Debug for RoomTokenKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RoomTokenKeys(..)")
    }
}

impl RoomTokenKeys {
    /// Keys from a configured secret (use at least 32 random bytes).
    pub fn from_secret(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    /// Loads the secret from `data_dir/room-token.key`, creating it (32 random bytes,
    /// hex, mode 0600) on first use, so tokens survive restarts without configuration.
    pub fn load_or_create(data_dir: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(KEY_FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => return Self::from_hex(text.trim(), &path),
            Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
            Err(_) => {}
        }
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&path) {
            Ok(mut file) => {
                file.write_all(hex::encode(secret).as_bytes())?;
                file.sync_all()?;
                Ok(Self::from_secret(&secret))
            }
            // Another process created it first: use theirs.
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                Self::from_hex(std::fs::read_to_string(&path)?.trim(), &path)
            }
            Err(err) => Err(err),
        }
    }

    fn from_hex(text: &str, path: &Path) -> io::Result<Self> {
        let secret = hex::decode(text).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {e}", path.display()),
            )
        })?;
        if secret.len() < 32 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: key shorter than 32 bytes", path.display()),
            ));
        }
        Ok(Self::from_secret(&secret))
    }

    /// Signs `claims` (HS256). Signing with an HMAC key cannot fail for these claims; should
    /// it ever, the error is logged and an empty string returned, which no verifier accepts.
    pub fn issue(&self, claims: &RoomClaims) -> String {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding).unwrap_or_else(|err| {
            tracing::error!(%err, "signing room token failed");
            String::new()
        })
    }

    /// Checks signature, algorithm, `nbf` and `exp` (with [`LEEWAY_SECS`]).
    pub fn verify(&self, token: &str) -> Result<RoomClaims, TokenError> {
        if token.trim().is_empty() {
            return Err(TokenError::Missing);
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "nbf", "sub"]);
        decode::<RoomClaims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|err| match err.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::NotYetValid,
                _ => TokenError::Invalid(err.to_string()),
            })
    }
}

/// Current Unix time in seconds.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(nbf: i64, exp: i64) -> RoomClaims {
        RoomClaims {
            room: "room-1".into(),
            sub: "p-1".into(),
            role: Role::Resident,
            name: "Jan".into(),
            tenant: "utrecht".into(),
            nbf,
            exp,
        }
    }

    #[test]
    fn round_trip_and_refusals() {
        let keys = RoomTokenKeys::from_secret(&[7u8; 32]);
        let now = now_unix();
        let good = claims(now - 5, now + 600);
        assert_eq!(keys.verify(&keys.issue(&good)), Ok(good.clone()));

        assert_eq!(
            keys.verify(&keys.issue(&claims(now - 7200, now - 3600))),
            Err(TokenError::Expired)
        );
        assert_eq!(
            keys.verify(&keys.issue(&claims(now + 3600, now + 7200))),
            Err(TokenError::NotYetValid)
        );
        assert_eq!(keys.verify(""), Err(TokenError::Missing));
        assert!(matches!(
            keys.verify("garbage"),
            Err(TokenError::Invalid(_))
        ));

        // Signed with another key.
        let other = RoomTokenKeys::from_secret(&[8u8; 32]).issue(&good);
        assert!(matches!(keys.verify(&other), Err(TokenError::Invalid(_))));

        // Payload tampered with (role changed), signature kept.
        let token = keys.issue(&good);
        let parts: Vec<&str> = token.split('.').collect();
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let payload = String::from_utf8(engine.decode(parts[1]).unwrap()).unwrap();
        let forged = engine.encode(payload.replace("resident", "clerk"));
        let tampered = format!("{}.{}.{}", parts[0], forged, parts[2]);
        assert!(matches!(
            keys.verify(&tampered),
            Err(TokenError::Invalid(_))
        ));
    }

    #[test]
    fn key_file_is_created_once_with_private_permissions() {
        let dir = std::env::temp_dir().join(format!("videoloket-key-{}", uuid::Uuid::new_v4()));
        let first = RoomTokenKeys::load_or_create(&dir).unwrap();
        let second = RoomTokenKeys::load_or_create(&dir).unwrap();
        let now = now_unix();
        let token = first.issue(&claims(now, now + 60));
        assert!(
            second.verify(&token).is_ok(),
            "the stored key must be reused"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(KEY_FILE_NAME))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
