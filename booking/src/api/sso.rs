//! The municipality's single sign-on settings (admins only). The login itself is a browser
//! flow on the clerk pages (`web`), through `usecases::sso`.

use super::Json;
use crate::api::problem::Problem;
use crate::auth::Admin;
use crate::domain::sso::SsoSettings;
use crate::error::{Error, Result};
use crate::usecases::{self, sso::SsoInput};
use crate::App;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoBody {
    /// The name on the login button: "Inloggen met <provider_name>".
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"\S",
        example = "Gemeente-account"
    )]
    pub provider_name: String,
    /// The issuer, e.g. `https://login.microsoftonline.com/<tenant>/v2.0`; `https://` only
    /// (`http://` on the machine itself for development).
    #[schema(min_length = 1, max_length = 500)]
    pub issuer_url: String,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub client_id: String,
    /// `********` keeps the stored secret.
    #[schema(min_length = 1, max_length = 1000)]
    pub client_secret: String,
    /// The ID token claim with the role, e.g. `groups` or `roles` (a string or a list).
    #[schema(min_length = 1, max_length = 200, pattern = r"\S", example = "groups")]
    pub role_claim: String,
    /// The claim value that makes someone an admin.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub admin_value: String,
    /// The claim value that makes someone a clerk.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub clerk_value: String,
    /// `false`: staff of this municipality log in through the provider only.
    pub password_login: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SsoView {
    pub provider_name: String,
    pub issuer_url: String,
    pub client_id: String,
    /// Always `********`.
    pub client_secret: String,
    pub role_claim: String,
    pub admin_value: String,
    pub clerk_value: String,
    pub password_login: bool,
    /// The address to register at the provider as the redirect URI.
    pub redirect_uri: String,
}

async fn view(app: &App, claims: &crate::auth::SessionClaims, s: SsoSettings) -> Result<SsoView> {
    let tenant = usecases::desk::municipality(app, claims).await?;
    Ok(SsoView {
        redirect_uri: usecases::sso::redirect_uri(app, &tenant),
        provider_name: s.provider_name,
        issuer_url: s.issuer_url,
        client_id: s.client_id,
        client_secret: s.client_secret,
        role_claim: s.roles.claim,
        admin_value: s.roles.admin_value,
        clerk_value: s.roles.clerk_value,
        password_login: s.password_login,
    })
}

/// Read the single sign-on settings
///
/// The municipality's OpenID provider for staff; the client secret is shown as ********. 404 when single sign-on is not set up.
#[utoipa::path(get, path = "/api/v1/admin/sso", tag = "admin",
    responses((status = 200, body = SsoView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "Single sign-on is not set up")))]
pub async fn settings(State(app): State<App>, Admin(claims): Admin) -> Result<Json<SsoView>> {
    let settings = usecases::sso::settings(&app, &claims)
        .await?
        .ok_or(Error::NotFound("single sign-on settings"))?;
    Ok(Json(view(&app, &claims, settings).await?))
}

/// Set up or change single sign-on
///
/// Staff then log in with "Inloggen met <provider_name>"; the e-mail address in the ID token must be a clerk's of this municipality, the role comes from `role_claim`. With `password_login` false the password login refuses this municipality's staff (403).
#[utoipa::path(put, path = "/api/v1/admin/sso", tag = "admin", request_body = SsoBody,
    responses((status = 200, body = SsoView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn change(
    State(app): State<App>,
    Admin(claims): Admin,
    Json(body): Json<SsoBody>,
) -> Result<Json<SsoView>> {
    let input = SsoInput {
        provider_name: body.provider_name,
        issuer_url: body.issuer_url,
        client_id: body.client_id,
        client_secret: body.client_secret,
        role_claim: body.role_claim,
        admin_value: body.admin_value,
        clerk_value: body.clerk_value,
        password_login: body.password_login,
    };
    let saved = usecases::sso::change(&app, &claims, input).await?;
    Ok(Json(view(&app, &claims, saved).await?))
}

/// Switch single sign-on off
///
/// Password login works again for everyone.
#[utoipa::path(delete, path = "/api/v1/admin/sso", tag = "admin",
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn remove(State(app): State<App>, Admin(claims): Admin) -> Result<StatusCode> {
    usecases::sso::remove(&app, &claims).await?;
    Ok(StatusCode::NO_CONTENT)
}
