//! Clerk and admin authentication: argon2id password hashes and a signed session cookie.

use crate::domain::ids::{ClerkId, TenantId};
use crate::domain::staff::StaffRole;
use crate::error::{Error, Result};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "videoloket_session";
/// A working day; clerks log in again the next morning.
pub const SESSION_SECONDS: i64 = 10 * 60 * 60;

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("hashing password: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// What the session cookie asserts: who, in which municipality, with which role, until when.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionClaims {
    pub sub: ClerkId,
    pub tenant: TenantId,
    pub role: StaffRole,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Clone)]
pub struct SessionKeys {
    encoding: Arc<EncodingKey>,
    decoding: Arc<DecodingKey>,
}

impl SessionKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        Self {
            encoding: Arc::new(EncodingKey::from_secret(secret)),
            decoding: Arc::new(DecodingKey::from_secret(secret)),
        }
    }

    /// Reads the secret from `file`, creating a random one on first start so sessions survive
    /// restarts without any configuration.
    pub fn load_or_create(file: &Path) -> std::io::Result<Self> {
        Ok(Self::from_secret(&load_or_create_secret(file)?))
    }

    pub fn issue(&self, claims: &SessionClaims) -> Result<String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| Error::Internal(format!("signing session: {e}")))
    }

    /// Checks signature and expiry against `now` (Unix seconds) rather than the system clock,
    /// so tests can move time.
    pub fn verify(&self, token: &str, now: i64) -> Result<SessionClaims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.required_spec_claims = ["exp", "sub"].iter().map(|s| s.to_string()).collect();
        let claims = jsonwebtoken::decode::<SessionClaims>(token, &self.decoding, &validation)
            .map_err(|_| Error::Unauthenticated)?
            .claims;
        if claims.exp <= now {
            return Err(Error::Unauthenticated);
        }
        Ok(claims)
    }
}

pub fn load_or_create_secret(file: &Path) -> std::io::Result<Vec<u8>> {
    use rand::RngCore;
    if let Ok(existing) = std::fs::read(file) {
        if existing.len() >= 32 {
            return Ok(existing);
        }
    }
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut secret = vec![0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    std::fs::write(file, &secret)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(secret)
}

pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={SESSION_SECONDS}{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
}

/// A logged-in clerk or admin. Handlers that take this are unreachable without a valid cookie.
#[derive(Clone, Debug)]
pub struct Staff(pub SessionClaims);

/// A logged-in admin.
#[derive(Clone, Debug)]
pub struct Admin(pub SessionClaims);

fn cookie_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl FromRequestParts<crate::App> for Staff {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &crate::App) -> Result<Self> {
        let token = cookie_value(parts, SESSION_COOKIE).ok_or(Error::Unauthenticated)?;
        let claims = app
            .session_keys
            .verify(token, app.clock.now().as_second())?;
        Ok(Staff(claims))
    }
}

impl FromRequestParts<crate::App> for Admin {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &crate::App) -> Result<Self> {
        let Staff(claims) = Staff::from_request_parts(parts, app).await?;
        if claims.role != StaffRole::Admin {
            return Err(Error::Forbidden);
        }
        Ok(Admin(claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn sessions_expire_and_resist_tampering() {
        let keys = SessionKeys::from_secret(b"0123456789abcdef0123456789abcdef");
        let claims = SessionClaims {
            sub: ClerkId::new(),
            tenant: TenantId::new(),
            role: StaffRole::Clerk,
            iat: 1000,
            exp: 2000,
        };
        let token = keys.issue(&claims).unwrap();
        assert_eq!(keys.verify(&token, 1500).unwrap().sub, claims.sub);
        assert!(keys.verify(&token, 2000).is_err(), "expired");
        let other = SessionKeys::from_secret(b"another secret another secret!!!");
        assert!(other.verify(&token, 1500).is_err(), "wrong key");
        let mut tampered = token.clone();
        tampered.insert(tampered.len() - 3, 'x');
        assert!(keys.verify(&tampered, 1500).is_err());
    }
}
