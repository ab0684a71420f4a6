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
use std::sync::{Arc, LazyLock};

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

/// At most this many Argon2 computations run at once, each on tokio's blocking pool: a burst of
/// logins waits its turn instead of stalling the async workers that answer everyone else.
static HASHING: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
});

/// `hash_password` on the blocking pool, bounded by `HASHING`.
pub async fn hash_password_async(password: &str) -> Result<String> {
    let password = password.to_owned();
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| Error::Internal(format!("hashing: {e}")))?;
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| Error::Internal(format!("hashing: {e}")))?
}

/// `verify_password` on the blocking pool, bounded by `HASHING`.
pub async fn verify_password_async(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    let Ok(_permit) = HASHING.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// Why a new password is refused, or `None` when it will do: 12 to 200 characters, and not
/// guessable (zxcvbn score 3 or more, judged also against the person's own name and address).
/// Why a new password is refused; the pages word each reason in Dutch, the API in English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordWeakness {
    Length,
    Guessable,
}

impl std::fmt::Display for PasswordWeakness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PasswordWeakness::Length => "a password has 12 to 200 characters",
            PasswordWeakness::Guessable => {
                "this password is too easy to guess (a common word, name, pattern or repetition); \
                 choose a longer one, for example a few unrelated words"
            }
        })
    }
}

impl PasswordWeakness {
    /// The refusal for people, in Dutch and English.
    pub fn words(self) -> crate::error::Words {
        match self {
            PasswordWeakness::Length => crate::error::Words::new(
                "Een wachtwoord heeft 12 tot 200 tekens.",
                "A password has 12 to 200 characters.",
            ),
            PasswordWeakness::Guessable => crate::error::Words::new(
                "Dit wachtwoord is te makkelijk te raden (een gewoon woord, naam, patroon of herhaling); kies een langer, bijvoorbeeld een paar woorden die niets met elkaar te maken hebben.",
                "This password is too easy to guess (a common word, name, pattern or repetition); choose a longer one, for example a few unrelated words.",
            ),
        }
    }
}

pub fn password_weakness(password: &str, personal: &[&str]) -> Option<PasswordWeakness> {
    if password.chars().count() < 12 || password.len() > 200 {
        return Some(PasswordWeakness::Length);
    }
    // "Carla de Vries", "carla@voorbeeld.nl" -> carla, de, vries, voorbeeld, nl
    let words: Vec<String> = personal
        .iter()
        .flat_map(|text| text.split(|c: char| !c.is_alphanumeric()))
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let score = zxcvbn::zxcvbn(password, &words).score();
    if score < zxcvbn::Score::Three {
        return Some(PasswordWeakness::Guessable);
    }
    None
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
    /// Random per login, so two logins of one clerk in the same second are two sessions (one
    /// can end without the other).
    #[serde(default)]
    pub jti: String,
}

#[derive(Clone)]
pub struct SessionKeys {
    encoding: Arc<EncodingKey>,
    decoding: Arc<DecodingKey>,
    pub lifetimes: SessionLifetimes,
}

/// How long a staff session lasts on the server: it ends after `idle` without a request and
/// after `absolute` in any case (wall-clock time, whatever the business clock says).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionLifetimes {
    pub idle: std::time::Duration,
    pub absolute: std::time::Duration,
}

impl Default for SessionLifetimes {
    fn default() -> Self {
        Self {
            idle: std::time::Duration::from_secs(30 * 60),
            absolute: std::time::Duration::from_secs(SESSION_SECONDS as u64),
        }
    }
}

impl SessionKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        Self {
            encoding: Arc::new(EncodingKey::from_secret(secret)),
            decoding: Arc::new(DecodingKey::from_secret(secret)),
            lifetimes: SessionLifetimes::default(),
        }
    }

    pub fn with_lifetimes(self, lifetimes: SessionLifetimes) -> Self {
        Self { lifetimes, ..self }
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
    // Created with mode 0600, so the key is never readable by others, not even for a moment.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    // A too-short key file (possibly with a wider mode) is replaced, not rewritten in place.
    match std::fs::remove_file(file) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut out = options.open(file)?;
    std::io::Write::write_all(&mut out, &secret)?;
    out.sync_all()?;
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

/// The session's key in `staff_sessions`: a hash, so a database dump holds no usable cookie.
pub(crate) fn session_key(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

fn wall_clock_now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Signs the session cookie for `claims` and records the session on the server.
pub async fn start_session(app: &crate::App, claims: &SessionClaims) -> Result<String> {
    let token = app.session_keys.issue(claims)?;
    app.db
        .insert_staff_session(&session_key(&token), claims.sub, wall_clock_now())
        .await?;
    Ok(token)
}

/// Ends the session of this cookie value at once (logout).
pub async fn end_session(app: &crate::App, token: &str) -> Result<()> {
    app.db.end_staff_session(&session_key(token)).await
}

/// The clerk's current role if the session is still live on the server; ends it when it has
/// been idle or open too long.
async fn live_session_role(app: &crate::App, token: &str) -> Result<StaffRole> {
    let key = session_key(token);
    let session = app
        .db
        .staff_session(&key)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let now = wall_clock_now();
    let limits = app.session_keys.lifetimes;
    if now - session.last_seen_at > limits.idle.as_secs() as i64
        || now - session.created_at > limits.absolute.as_secs() as i64
    {
        app.db.end_staff_session(&key).await?;
        return Err(Error::Unauthenticated);
    }
    // Written at most about once a minute per session, not on every request.
    let refresh_after = (limits.idle.as_secs() as i64 / 30).min(60);
    if now - session.last_seen_at >= refresh_after {
        app.db.touch_staff_session(&key, now).await?;
    }
    Ok(session.role)
}

/// A logged-in clerk or admin. Handlers that take this are unreachable without a valid cookie
/// whose session is still live on the server; the role is the clerk's current one.
#[derive(Clone, Debug)]
pub struct Staff(pub SessionClaims);

/// A logged-in admin.
#[derive(Clone, Debug)]
pub struct Admin(pub SessionClaims);

fn cookie_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    request_cookie(&parts.headers, name)
}

/// The value of cookie `name` in a request's headers.
pub fn request_cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
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
        let mut claims = app
            .session_keys
            .verify(token, app.clock.now().as_second())?;
        claims.role = live_session_role(app, token).await?;
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
    fn weak_passwords_are_refused() {
        assert!(password_weakness("kort", &[]).is_some(), "too short");
        assert!(
            password_weakness("aaaaaaaaaaaa", &[]).is_some(),
            "repetition"
        );
        assert!(password_weakness("password1234", &[]).is_some(), "common");
        assert!(
            password_weakness("qwertyuiop123", &[]).is_some(),
            "keyboard walk"
        );
        let carla = ["Carla Smit", "carla@voorbeeld.nl"];
        assert!(
            password_weakness("voorbeeld1234", &carla).is_some(),
            "own address and a sequence"
        );
        assert_eq!(password_weakness("welkom-carla-123", &carla), None);
        assert_eq!(password_weakness("paars olifant fietst traag", &[]), None);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn hashing_runs_off_the_async_workers() {
        let hash = hash_password_async("correct horse").await.unwrap();
        assert!(verify_password_async("correct horse", &hash).await);
        // On the runtime's only thread, a ticker keeps ticking while a hash is verified: the
        // work happens elsewhere.
        let verifying = tokio::spawn(async move { verify_password_async("wrong", &hash).await });
        let mut ticks = 0;
        while !verifying.is_finished() {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            ticks += 1;
        }
        assert!(!verifying.await.unwrap());
        assert!(ticks >= 3, "the runtime was blocked ({ticks} ticks)");
    }

    #[cfg(unix)]
    #[test]
    fn the_session_key_file_is_private_from_the_start() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("session.key");
        std::fs::write(&file, b"short").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let secret = load_or_create_secret(&file).unwrap();
        assert_eq!(secret.len(), 32);
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(
            load_or_create_secret(&file).unwrap(),
            secret,
            "kept across restarts"
        );
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
            jti: String::new(),
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
