//! Clerk endpoints: log in, see the day's appointments of the own municipality only.

use super::public::AppointmentView;
use super::{Json, Path, Query};
use crate::api::problem::Problem;
use crate::auth::{self, Staff};
use crate::domain::ids::{AppointmentId, ClerkId, TenantId};
use crate::domain::staff::StaffRole;
use crate::error::{Error, Result};
use crate::App;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Extension;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    /// The municipality's slug.
    pub tenant: String,
    pub email: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct StaffView {
    pub clerk_id: ClerkId,
    pub tenant_id: TenantId,
    pub role: StaffRole,
}

/// Log in as a clerk or admin
///
/// Sets the session cookie (`videoloket_session`, HttpOnly) that the `staff` and `admin` operations need. A wrong address or password is the same 401.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "staff", request_body = LoginBody,
    responses((status = 200, body = StaffView, description = "Sets the session cookie"), (status = 401, body = Problem),
        (status = 429, body = Problem, description = "Too many attempts for this account or from this address; `Retry-After` says when to try again")))]
pub async fn login(
    State(app): State<App>,
    Json(body): Json<LoginBody>,
) -> Result<impl IntoResponse> {
    let session =
        crate::usecases::desk::login(&app, &body.tenant, &body.email, &body.password).await?;
    Ok((
        [(
            header::SET_COOKIE,
            auth::session_cookie(&session.token, app.secure_cookies()),
        )],
        Json(StaffView {
            clerk_id: session.claims.sub,
            tenant_id: session.claims.tenant,
            role: session.claims.role,
        }),
    ))
}

/// Log out
///
/// Clears the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "staff", responses((status = 204)))]
pub async fn logout() -> impl IntoResponse {
    (
        axum::http::StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, auth::clear_session_cookie())],
    )
}

/// Who is logged in
///
/// The clerk, municipality and role of the session.
#[utoipa::path(get, path = "/api/v1/staff/me", tag = "staff",
    responses((status = 200, body = StaffView), (status = 401, body = Problem)))]
pub async fn me(Staff(claims): Staff) -> Json<StaffView> {
    Json(StaffView {
        clerk_id: claims.sub,
        tenant_id: claims.tenant,
        role: claims.role,
    })
}

#[derive(Deserialize, IntoParams)]
pub struct DayQuery {
    /// Local date YYYY-MM-DD; today when left out.
    #[param(format = Date)]
    pub date: Option<String>,
}

/// List a day's appointments
///
/// The municipality's appointments on one local date (today when `date` is left out), earliest first. Opening the list is written to each resident's access log.
#[utoipa::path(get, path = "/api/v1/staff/appointments", tag = "staff", params(DayQuery),
    responses((status = 200, body = Vec<AppointmentView>), (status = 401, body = Problem),
        (status = 422, body = Problem, description = "`date` is not a date")))]
pub async fn appointments(
    State(app): State<App>,
    Staff(claims): Staff,
    Query(q): Query<DayQuery>,
) -> Result<Json<Vec<AppointmentView>>> {
    let date: Option<jiff::civil::Date> = q
        .date
        .map(|raw| {
            raw.parse().map_err(|_| {
                Error::invalid(
                    "/date",
                    "Geef een datum als JJJJ-MM-DD, bijvoorbeeld 2026-03-30.",
                    "Give a date as YYYY-MM-DD, e.g. 2026-03-30.",
                )
            })
        })
        .transpose()?;
    // Logged in the access log of every appointment listed (once a day per clerk).
    let day = crate::usecases::desk::day_list(&app, &claims, date).await?;
    Ok(Json(
        day.lines
            .iter()
            .map(|l| AppointmentView::new(&day.tenant, &l.service, &l.appointment))
            .collect(),
    ))
}

/// Open one appointment
///
/// Written to the resident's access log.
#[utoipa::path(get, path = "/api/v1/staff/appointments/{id}", tag = "staff",
    responses((status = 200, body = AppointmentView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn appointment(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<AppointmentView>> {
    let id: AppointmentId = id.parse().map_err(|_| Error::NotFound("appointment"))?;
    // Scoped by the session's tenant: another municipality's appointment is simply not found.
    // The resident sees this through the personal link; no log entry, no answer.
    let o = crate::usecases::desk::open(&app, &claims, id).await?;
    Ok(Json(AppointmentView {
        triage: o.triage,
        people: o.people,
        ..AppointmentView::new(&o.tenant, &o.service, &o.appointment)
    }))
}

/// Get the clerk's room token for an appointment's video call
///
/// Only the assigned clerk, from when the room opens. The ticket carries the token for the signalling WebSocket (see docs/signaling.md).
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/room-token", tag = "staff",
    responses((status = 200, body = super::personal::RoomTicket), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn room_token(
    State(app): State<App>,
    Extension(issuer): Extension<crate::domain::rooms::Issuer>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<super::personal::RoomTicket>> {
    let id: AppointmentId = id.parse().map_err(|_| Error::NotFound("appointment"))?;
    let grant = crate::usecases::desk::room_grant(&app, &claims, id).await?;
    Ok(Json(super::personal::RoomTicket::new(&grant, &issuer)))
}
