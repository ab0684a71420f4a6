//! Staff accounts: "wachtwoord vergeten", setting a password through a mailed link, changing
//! one's own password, deactivating clerks, and the admin audit trail.

use super::{Json, Path};
use crate::api::problem::Problem;
use crate::auth::{self, Admin, Staff};
use crate::domain::audit::AuditEntry;
use crate::domain::ids::ClerkId;
use crate::error::{Error, Result};
use crate::usecases;
use crate::App;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post, put};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/auth/password-reset", post(request_reset))
        .route("/api/v1/auth/password-links/{token}", post(set_password))
        .route("/api/v1/staff/password", put(change_password))
        .route("/api/v1/admin/clerks/{id}/active", put(set_active))
        .route("/api/v1/admin/audit", get(audit))
}

#[derive(Deserialize, ToSchema)]
pub struct ResetBody {
    /// The municipality's slug.
    pub tenant: String,
    pub email: String,
}

/// Ask for a password link ("wachtwoord vergeten")
///
/// Mails a one-time link (two hours) to set a new password when the address is an active account of the municipality. The answer is the same 202 whether it is or not; limited like logins.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "staff", request_body = ResetBody,
    responses((status = 202, description = "Mailed if the account exists"),
        (status = 429, body = Problem, description = "Too many attempts; `Retry-After` says when to try again")))]
pub async fn request_reset(
    State(app): State<App>,
    Json(body): Json<ResetBody>,
) -> Result<StatusCode> {
    usecases::accounts::request_reset(&app, &body.tenant, &body.email).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, ToSchema)]
pub struct NewPasswordBody {
    /// 12 to 200 characters, not easy to guess.
    #[schema(min_length = 12, max_length = 200)]
    pub password: String,
}

/// Set a password through a mailed link
///
/// The token from the mailed link counts once and until it expires; every session of the account ends.
#[utoipa::path(post, path = "/api/v1/auth/password-links/{token}", tag = "staff", request_body = NewPasswordBody,
    params(("token" = String, Path, description = "The token from the mailed link")),
    responses((status = 204, description = "Password set; log in with it"), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "The link was used or has expired"),
        (status = 422, body = Problem, description = "The password is too short or too easy to guess")))]
pub async fn set_password(
    State(app): State<App>,
    Path(token): Path<String>,
    Json(body): Json<NewPasswordBody>,
) -> Result<StatusCode> {
    usecases::accounts::set_password_by_link(&app, &token, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ChangePasswordBody {
    pub current_password: String,
    /// 12 to 200 characters, not easy to guess.
    #[schema(min_length = 12, max_length = 200)]
    pub new_password: String,
}

/// Change one's own password
///
/// Needs the current password. The clerk's other sessions end; this one stays.
#[utoipa::path(put, path = "/api/v1/staff/password", tag = "staff", request_body = ChangePasswordBody,
    responses((status = 204), (status = 401, body = Problem),
        (status = 422, body = Problem, description = "Wrong current password, or a new one too easy to guess")))]
pub async fn change_password(
    State(app): State<App>,
    Staff(claims): Staff,
    headers: HeaderMap,
    Json(body): Json<ChangePasswordBody>,
) -> Result<StatusCode> {
    let token =
        auth::request_cookie(&headers, auth::SESSION_COOKIE).ok_or(Error::Unauthenticated)?;
    usecases::accounts::change_password(
        &app,
        &claims,
        token,
        &body.current_password,
        &body.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ActiveBody {
    /// false: the clerk's sessions end at once and they cannot log in; true: active again.
    pub active: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ActiveView {
    pub clerk_id: ClerkId,
    pub active: bool,
}

/// Deactivate or reactivate a clerk
///
/// A deactivated clerk's sessions end at once, they cannot log in and are offered to no resident. The last active admin cannot be deactivated, nor one's own account (409).
#[utoipa::path(put, path = "/api/v1/admin/clerks/{id}/active", tag = "admin", request_body = ActiveBody,
    params(("id" = String, Path, description = "The clerk's id")),
    responses((status = 200, body = ActiveView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "The last active admin, or oneself")))]
pub async fn set_active(
    State(app): State<App>,
    Admin(claims): Admin,
    Path(id): Path<String>,
    Json(body): Json<ActiveBody>,
) -> Result<Json<ActiveView>> {
    let clerk = usecases::admin::clerks::set_clerk_active(&app, &claims, &id, body.active).await?;
    Ok(Json(ActiveView {
        clerk_id: clerk.id,
        active: body.active,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AuditLine {
    /// RFC 3339, UTC.
    pub at: String,
    /// The clerk who acted; absent for the platform operator.
    pub actor_id: Option<ClerkId>,
    pub actor: String,
    /// What was changed, e.g. `settings_changed`, `clerk_deactivated`.
    pub action: String,
    /// What it was about: a name, a date.
    pub subject: String,
}

impl From<AuditEntry> for AuditLine {
    fn from(e: AuditEntry) -> Self {
        Self {
            at: e.at.to_string(),
            actor_id: e.actor.clerk,
            actor: e.actor.name,
            action: e.action.as_str().to_string(),
            subject: e.subject,
        }
    }
}

/// Read the admin audit trail
///
/// Who changed what, and when: settings, services, clerks, case store, closing days, deactivation, passwords. Newest first, at most 500 lines. The trail cannot be changed.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin",
    responses((status = 200, body = Vec<AuditLine>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn audit(State(app): State<App>, Admin(claims): Admin) -> Result<Json<Vec<AuditLine>>> {
    let trail = usecases::admin::audit::trail(&app, &claims).await?;
    Ok(Json(trail.into_iter().map(AuditLine::from).collect()))
}
