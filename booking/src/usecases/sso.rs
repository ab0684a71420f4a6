//! Staff log in through the municipality's own OpenID provider (Entra ID, ADFS, Keycloak...):
//! the admin's settings, and the authorization code flow with PKCE, nonce and state.
//!
//! `begin` stores the login under way (state hashed, nonce, PKCE verifier) and gives the page
//! the provider's address and the state for an HttpOnly cookie; `finish` takes that row once
//! (state from the provider's redirect and from the cookie must both match), exchanges the
//! code, verifies the ID token (signature by the provider's published keys, issuer, audience
//! = our client id, expiry against the app's clock, nonce) with the `openidconnect` crate,
//! finds the clerk by e-mail address and the role by the claim mapping, and starts the same
//! server-side session as a password login.

use super::desk::Session;
/// The client secret as the API and the admin page show it; sent back, it keeps the stored one.
pub use crate::adapters::case_store::REDACTED;
use crate::adapters::sealed::SecretsKey;
use crate::auth::{self, SessionClaims, SESSION_SECONDS};
use crate::domain::ids::TenantId;
use crate::domain::sso::SsoSettings;
use crate::domain::tenant::Tenant;
use crate::error::{Error, Result};
use crate::store::PendingLogin;
use crate::App;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationFlow, AuthorizationCode, ClaimsVerificationError, ClientId,
    ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IdTokenFields, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardErrorResponse, StandardTokenResponse,
};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use std::time::Duration;

/// The cookie that binds a login under way to the browser that started it.
pub const STATE_COOKIE: &str = "videoloket_sso";
/// A login under way is kept this long (seconds); the cookie lives as long.
pub const LOGIN_SECONDS: i64 = 10 * 60;
/// The path (after `/{slug}`) the provider sends the browser back to; `web` serves it.
pub const CALLBACK_PATH: &str = "/medewerker/sso/terug";

/// The ID token's claims beyond the standard ones, where the role claim (`groups`, `roles`...)
/// is found.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct OtherClaims {
    #[serde(flatten)]
    claims: serde_json::Map<String, serde_json::Value>,
}
impl AdditionalClaims for OtherClaims {}

type TokenResponse = StandardTokenResponse<
    IdTokenFields<
        OtherClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

type OidcIdToken = openidconnect::IdToken<
    OtherClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type OidcIdTokenClaims = openidconnect::IdTokenClaims<OtherClaims, CoreGenderClaim>;

/// `openidconnect`'s core client with `OtherClaims`, as built from discovery.
type OidcClient = openidconnect::Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Requests to the provider (discovery, keys, token) follow no redirects, so a provider cannot
/// send the server elsewhere, and give up after a few seconds.
static PROVIDER_HTTP: LazyLock<openidconnect::reqwest::Client> = LazyLock::new(|| {
    openidconnect::reqwest::Client::builder()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default()
});

// ---- The stored client secret ----------------------------------------------------------------

/// The client secret as written to the database: sealed with the platform's secrets key, like
/// the case store's (issue 13, finding 9).
fn store_secret(key: &SecretsKey, plain: &str) -> Result<String> {
    Ok(key.seal(plain))
}

/// The client secret as read from the database; the counterpart of `store_secret`.
fn open_secret(key: &SecretsKey, stored: &str) -> Result<String> {
    key.open(stored)
}

// ---- Settings (admin) --------------------------------------------------------------------------

/// What an admin sends; `client_secret` equal to the redacted value keeps the stored one.
/// No `Debug`: it holds the secret.
#[derive(Clone)]
pub struct SsoInput {
    pub provider_name: String,
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub role_claim: String,
    pub admin_value: String,
    pub clerk_value: String,
    pub password_login: bool,
}

/// The address to register at the provider as the redirect URI.
pub fn redirect_uri(app: &App, tenant: &Tenant) -> String {
    format!(
        "{}/{}{CALLBACK_PATH}",
        app.base_url.trim_end_matches('/'),
        tenant.slug.as_str()
    )
}

fn redacted(mut settings: SsoSettings) -> SsoSettings {
    settings.client_secret = REDACTED.to_string();
    settings
}

/// The municipality's settings with the client secret redacted, or none when not set up.
pub async fn settings(app: &App, claims: &SessionClaims) -> Result<Option<SsoSettings>> {
    Ok(app.db.sso_settings(claims.tenant).await?.map(redacted))
}

/// Checks and saves the settings; returns them redacted.
pub async fn change(app: &App, claims: &SessionClaims, new: SsoInput) -> Result<SsoSettings> {
    let secret = if new.client_secret == REDACTED {
        match app.db.sso_settings(claims.tenant).await? {
            Some(old) => open_secret(&app.secrets, &old.client_secret)?,
            None => {
                return Err(Error::invalid(
                    "/client_secret",
                    "Geef het client secret.",
                    "Give the client secret.",
                ))
            }
        }
    } else {
        new.client_secret.clone()
    };
    let mut settings = SsoSettings::parse(
        &new.provider_name,
        &new.issuer_url,
        &new.client_id,
        &secret,
        &new.role_claim,
        &new.admin_value,
        &new.clerk_value,
        new.password_login,
    )?;
    settings.client_secret = store_secret(&app.secrets, &settings.client_secret)?;
    app.db
        .save_sso_settings(claims.tenant, &settings, app.clock.now().as_second())
        .await?;
    tracing::info!(admin = %claims.sub, issuer = %settings.issuer_url,
        password_login = settings.password_login, "single sign-on settings changed");
    Ok(redacted(settings))
}

/// Switches single sign-on off; password login works again.
pub async fn remove(app: &App, claims: &SessionClaims) -> Result<()> {
    app.db.delete_sso_settings(claims.tenant).await?;
    tracing::info!(admin = %claims.sub, "single sign-on removed");
    Ok(())
}

/// How the municipality's staff may log in, for the login page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginOptions {
    /// The provider's name for the button, when single sign-on is set up.
    pub provider: Option<String>,
    pub password_login: bool,
}

pub async fn login_options(app: &App, tenant: TenantId) -> Result<LoginOptions> {
    Ok(match app.db.sso_settings(tenant).await? {
        Some(s) => LoginOptions {
            provider: Some(s.provider_name),
            password_login: s.password_login,
        },
        None => LoginOptions {
            provider: None,
            password_login: true,
        },
    })
}

// ---- The login flow ---------------------------------------------------------------------------

/// Why a single sign-on login did not go through. The pages say each in plain words.
#[derive(Debug)]
pub enum SsoRefusal {
    /// The municipality has not set up single sign-on.
    NotSetUp,
    /// No login under way matches: the state is missing, altered, used already, or from
    /// another browser.
    StateMismatch,
    /// The login under way is older than `LOGIN_SECONDS`.
    TooLate,
    /// The provider said no (e.g. `access_denied` when the person cancelled).
    ProviderRefused(String),
    /// The provider could not be reached or answered something unusable.
    ProviderUnreachable,
    /// The provider's token endpoint refused the code (used already, expired, or issued to
    /// another client).
    CodeRefused,
    /// The ID token failed a check.
    Token(TokenProblem),
    /// The ID token carries no e-mail address (or one the provider says is unverified).
    NoEmail,
    /// Nobody with this address works for the municipality.
    UnknownClerk(String),
    /// The role claim holds neither the admin nor the clerk value.
    NoRole,
    Other(Error),
}

/// Which check the ID token failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenProblem {
    Missing,
    Expired,
    /// Issued for another client.
    Audience,
    Issuer,
    Nonce,
    Signature,
    Other,
}

impl From<Error> for SsoRefusal {
    fn from(err: Error) -> Self {
        SsoRefusal::Other(err)
    }
}

/// Where to send the browser, and the state to put in the `STATE_COOKIE`.
pub struct Start {
    pub provider_url: String,
    pub state: String,
}

fn state_hash(state: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(state.as_bytes()))
}

async fn client(app: &App, tenant: &Tenant) -> Result<OidcClient, SsoRefusal> {
    let settings = app
        .db
        .sso_settings(tenant.id)
        .await?
        .ok_or(SsoRefusal::NotSetUp)?;
    let issuer = IssuerUrl::new(settings.issuer_url.clone())
        .map_err(|_| SsoRefusal::Other(Error::Internal("stored issuer is not a URL".into())))?;
    let metadata = CoreProviderMetadata::discover_async(issuer, &*PROVIDER_HTTP)
        .await
        .map_err(|e| {
            tracing::warn!(tenant = %tenant.slug, error = %e, "OpenID discovery failed");
            SsoRefusal::ProviderUnreachable
        })?;
    let redirect = RedirectUrl::new(redirect_uri(app, tenant))
        .map_err(|e| SsoRefusal::Other(Error::Internal(format!("redirect uri: {e}"))))?;
    Ok(OidcClient::from_provider_metadata(
        metadata,
        ClientId::new(settings.client_id),
        Some(ClientSecret::new(open_secret(
            &app.secrets,
            &settings.client_secret,
        )?)),
    )
    .set_redirect_uri(redirect))
}

/// Starts a login through the municipality's provider.
pub async fn begin(
    app: &App,
    tenant: &Tenant,
    back_to: Option<String>,
) -> Result<Start, SsoRefusal> {
    let client = client(app, tenant).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let now = app.clock.now().as_second();
    let login = PendingLogin {
        tenant: tenant.id,
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        back_to,
        created_at: now,
    };
    app.db
        .insert_sso_login(&state_hash(state.secret()), &login, now - LOGIN_SECONDS)
        .await?;
    Ok(Start {
        provider_url: url.to_string(),
        state: state.secret().clone(),
    })
}

/// What the provider sent back in the redirect's query.
#[derive(Clone, Debug, Default)]
pub struct Callback {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
}

/// A finished login: the session, and the page the clerk asked for before logging in.
pub struct Finished {
    pub session: Session,
    pub back_to: Option<String>,
}

fn token_problem(err: &ClaimsVerificationError) -> TokenProblem {
    match err {
        ClaimsVerificationError::Expired(_) => TokenProblem::Expired,
        ClaimsVerificationError::InvalidAudience(_) => TokenProblem::Audience,
        ClaimsVerificationError::InvalidIssuer(_) => TokenProblem::Issuer,
        ClaimsVerificationError::InvalidNonce(_) => TokenProblem::Nonce,
        ClaimsVerificationError::SignatureVerification(_) => TokenProblem::Signature,
        _ => TokenProblem::Other,
    }
}

/// The ID token's claims once its signature (by the provider's published keys), issuer,
/// audience (our client id), expiry (against `now`, the app's clock) and nonce are checked.
fn verified_claims<'t>(
    token: &'t OidcIdToken,
    verifier: openidconnect::IdTokenVerifier<'_, CoreJsonWebKey>,
    nonce: &Nonce,
    now: jiff::Timestamp,
) -> Result<&'t OidcIdTokenClaims, ClaimsVerificationError> {
    let at = chrono::DateTime::from_timestamp(now.as_second(), 0).unwrap_or_default();
    token.claims(&verifier.set_time_fn(move || at), nonce)
}

/// Finishes a login: `cookie_state` is the `STATE_COOKIE` the browser sent.
pub async fn finish(
    app: &App,
    tenant: &Tenant,
    callback: Callback,
    cookie_state: Option<&str>,
) -> Result<Finished, SsoRefusal> {
    let state = callback.state.as_deref().unwrap_or("");
    // The state in the URL must be the one this browser was given, and a login under way.
    let same_browser =
        cookie_state.is_some_and(|c| !c.is_empty() && c.as_bytes() == state.as_bytes());
    if state.is_empty() || !same_browser {
        tracing::warn!(tenant = %tenant.slug, "single sign-on: state does not match the browser's");
        return Err(SsoRefusal::StateMismatch);
    }
    let pending = app
        .db
        .take_sso_login(&state_hash(state))
        .await?
        .filter(|p| p.tenant == tenant.id)
        .ok_or(SsoRefusal::StateMismatch)?;
    let now = app.clock.now();
    if now.as_second() - pending.created_at > LOGIN_SECONDS {
        return Err(SsoRefusal::TooLate);
    }
    if let Some(error) = callback.error {
        let error: String = error
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(60)
            .collect();
        tracing::info!(tenant = %tenant.slug, %error, "single sign-on: the provider refused");
        return Err(SsoRefusal::ProviderRefused(error));
    }
    let code = callback
        .code
        .filter(|c| !c.is_empty())
        .ok_or(SsoRefusal::ProviderRefused("no_code".into()))?;
    let client = client(app, tenant).await?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| SsoRefusal::Other(Error::Internal(format!("token endpoint: {e}"))))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
        .request_async(&*PROVIDER_HTTP)
        .await
        .map_err(|e| {
            tracing::warn!(tenant = %tenant.slug, error = %e, "single sign-on: code exchange failed");
            match e {
                openidconnect::RequestTokenError::ServerResponse(_) => SsoRefusal::CodeRefused,
                _ => SsoRefusal::ProviderUnreachable,
            }
        })?;
    let id_token = tokens
        .extra_fields()
        .id_token()
        .ok_or(SsoRefusal::Token(TokenProblem::Missing))?;
    let claims = verified_claims(
        id_token,
        client.id_token_verifier(),
        &Nonce::new(pending.nonce),
        now,
    )
    .map_err(|e| {
        tracing::warn!(tenant = %tenant.slug, error = %e, "single sign-on: ID token refused");
        SsoRefusal::Token(token_problem(&e))
    })?;
    let email = match (claims.email(), claims.email_verified()) {
        (Some(email), verified) if verified != Some(false) => email.as_str().trim().to_lowercase(),
        _ => return Err(SsoRefusal::NoEmail),
    };
    let settings = app
        .db
        .sso_settings(tenant.id)
        .await?
        .ok_or(SsoRefusal::NotSetUp)?;
    let role = settings
        .roles
        .role(claims.additional_claims().claims.get(&settings.roles.claim));
    let account = if email.chars().any(char::is_control) {
        None
    } else {
        app.db.clerk_login(tenant.id, &email).await?
    };
    let Some((clerk, stored_role, _)) = account else {
        tracing::warn!(tenant = %tenant.slug, "single sign-on: no clerk with this address");
        return Err(SsoRefusal::UnknownClerk(email));
    };
    let Some(role) = role else {
        tracing::warn!(tenant = %tenant.slug, %clerk, "single sign-on: no role in the claim");
        return Err(SsoRefusal::NoRole);
    };
    if role != stored_role {
        app.db
            .set_clerk_role_from_provider(tenant.id, clerk, role)
            .await?;
        tracing::info!(tenant = %tenant.slug, %clerk, role = role.as_str(), "role set by the provider");
    }
    let now = now.as_second();
    let session_claims = SessionClaims {
        sub: clerk,
        tenant: tenant.id,
        role,
        iat: now,
        exp: now + SESSION_SECONDS,
        jti: uuid::Uuid::new_v4().to_string(),
    };
    let token = auth::start_session(app, &session_claims).await?;
    tracing::info!(tenant = %tenant.slug, %clerk, "logged in through single sign-on");
    Ok(Finished {
        session: Session {
            claims: session_claims,
            token,
        },
        back_to: pending.back_to,
    })
}

/// Whether the municipality's staff may log in with a password.
pub(crate) async fn password_login_allowed(app: &App, tenant: TenantId) -> Result<bool> {
    Ok(app
        .db
        .sso_settings(tenant)
        .await?
        .is_none_or(|s| s.password_login))
}

/// The `STATE_COOKIE` for a login under way: HttpOnly, and `SameSite=Lax` because the provider's
/// redirect back is a navigation from another site, which a `Strict` cookie would not join.
pub fn state_cookie(state: &str, secure: bool) -> String {
    format!(
        "{STATE_COOKIE}={state}; HttpOnly; SameSite=Lax; Path=/; Max-Age={LOGIN_SECONDS}{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_state_cookie() -> String {
    format!("{STATE_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_cookie_is_http_only_and_survives_the_providers_redirect() {
        let cookie = state_cookie("abc", true);
        assert!(cookie.starts_with("videoloket_sso=abc;"));
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
        assert!(cookie.contains("Secure"));
        assert!(!state_cookie("abc", false).contains("Secure"));
    }

    use openidconnect::core::CoreRsaPrivateSigningKey;
    use openidconnect::{
        Audience, IdTokenVerifier, JsonWebKeyId, JsonWebKeySet, PrivateSigningKey, StandardClaims,
        SubjectIdentifier,
    };

    const ISSUER: &str = "https://login.example.nl";
    const CLIENT: &str = "videoloket";

    fn key(n: u8) -> CoreRsaPrivateSigningKey {
        let pem = match n {
            1 => include_str!("../../tests/keys/test-only-rsa-1.pem"),
            _ => include_str!("../../tests/keys/test-only-rsa-2.pem"),
        };
        CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(format!("k{n}")))).unwrap()
    }

    /// An ID token as a provider would sign it: issued at `iat`, valid for an hour.
    fn token(key_no: u8, issuer: &str, audience: &str, nonce: &str, iat: i64) -> OidcIdToken {
        let at = |s: i64| chrono::DateTime::from_timestamp(s, 0).unwrap();
        let mut other = serde_json::Map::new();
        other.insert("groups".into(), serde_json::json!(["vl-loket"]));
        let claims = OidcIdTokenClaims::new(
            IssuerUrl::new(issuer.into()).unwrap(),
            vec![Audience::new(audience.into())],
            at(iat + 3600),
            at(iat),
            StandardClaims::new(SubjectIdentifier::new("anna".into())),
            OtherClaims { claims: other },
        )
        .set_nonce(Some(Nonce::new(nonce.into())));
        OidcIdToken::new(
            claims,
            &key(key_no),
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            None,
            None,
        )
        .unwrap()
    }

    /// What the flow uses: our client id and secret, the provider's issuer and its key 1.
    fn verifier() -> IdTokenVerifier<'static, CoreJsonWebKey> {
        IdTokenVerifier::new_confidential_client(
            ClientId::new(CLIENT.into()),
            ClientSecret::new("client secret".into()),
            IssuerUrl::new(ISSUER.into()).unwrap(),
            JsonWebKeySet::new(vec![key(1).as_verification_key()]),
        )
    }

    fn problem(token: &OidcIdToken, nonce: &str, now: i64) -> Option<TokenProblem> {
        verified_claims(
            token,
            verifier(),
            &Nonce::new(nonce.into()),
            jiff::Timestamp::from_second(now).unwrap(),
        )
        .err()
        .map(|e| token_problem(&e))
    }

    #[test]
    fn the_id_token_is_checked_for_audience_expiry_issuer_nonce_and_signature() {
        let iat = 1_800_000_000;
        let good = token(1, ISSUER, CLIENT, "n1", iat);
        let claims = verified_claims(
            &good,
            verifier(),
            &Nonce::new("n1".into()),
            jiff::Timestamp::from_second(iat + 60).unwrap(),
        )
        .unwrap();
        assert_eq!(
            claims.additional_claims().claims.get("groups"),
            Some(&serde_json::json!(["vl-loket"]))
        );
        assert_eq!(problem(&good, "n1", iat + 3599), None, "just in time");
        assert_eq!(
            problem(&good, "n1", iat + 3601),
            Some(TokenProblem::Expired)
        );
        assert_eq!(
            problem(&token(1, ISSUER, "ander", "n1", iat), "n1", iat + 60),
            Some(TokenProblem::Audience),
            "issued for another client"
        );
        assert_eq!(
            problem(
                &token(1, "https://evil.example", CLIENT, "n1", iat),
                "n1",
                iat + 60
            ),
            Some(TokenProblem::Issuer)
        );
        assert_eq!(problem(&good, "n2", iat + 60), Some(TokenProblem::Nonce));
        assert_eq!(
            problem(&token(2, ISSUER, CLIENT, "n1", iat), "n1", iat + 60),
            Some(TokenProblem::Signature),
            "signed with a key the provider did not publish"
        );
    }

    #[test]
    fn the_stored_secret_round_trips() {
        let key = SecretsKey::random();
        let stored = store_secret(&key, "s3cret").unwrap();
        assert!(!stored.contains("s3cret"), "sealed, not plain: {stored}");
        assert_eq!(open_secret(&key, &stored).unwrap(), "s3cret");
        assert!(open_secret(&SecretsKey::random(), &stored).is_err());
    }
}
