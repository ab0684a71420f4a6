//! Clerk endpoints: log in, see the day's appointments of the own municipality only.

use super::public::AppointmentView;
use super::{Json, Path, Query};
use crate::auth::{self, SessionClaims, Staff, StaffRole, SESSION_SECONDS};
use crate::error::{Error, Problem, Result};
use crate::ids::{AppointmentId, ClerkId, TenantId};
use crate::App;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Extension;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
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

/// Verifying against this when the account does not exist keeps login time the same, so the
/// response time does not reveal which addresses have accounts.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| auth::hash_password("no such account").unwrap_or_default());

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "staff", request_body = LoginBody,
    responses((status = 200, body = StaffView, description = "Sets the session cookie"), (status = 401, body = Problem)))]
pub async fn login(
    State(app): State<App>,
    Json(body): Json<LoginBody>,
) -> Result<impl IntoResponse> {
    let tenant = app
        .db
        .tenant_by_slug(&body.tenant)
        .await
        .map_err(|_| Error::Unauthenticated)?;
    let account = app.db.clerk_login(tenant.id, &body.email).await?;
    let hash = account
        .as_ref()
        .map(|(_, _, h)| h.as_str())
        .unwrap_or(DUMMY_HASH.as_str());
    let password_ok = auth::verify_password(&body.password, hash);
    let (clerk_id, role) = match account {
        Some((id, role, _)) if password_ok => (id, role),
        _ => {
            tracing::warn!(tenant = %tenant.slug, "failed login");
            return Err(Error::Unauthenticated);
        }
    };
    let now = app.clock.now().as_second();
    let claims = SessionClaims {
        sub: clerk_id,
        tenant: tenant.id,
        role,
        iat: now,
        exp: now + SESSION_SECONDS,
    };
    let token = app.session_keys.issue(&claims)?;
    Ok((
        [(
            header::SET_COOKIE,
            auth::session_cookie(&token, app.secure_cookies()),
        )],
        Json(StaffView {
            clerk_id,
            tenant_id: tenant.id,
            role,
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "staff", responses((status = 204)))]
pub async fn logout() -> impl IntoResponse {
    (
        axum::http::StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, auth::clear_session_cookie())],
    )
}

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
    pub date: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/staff/appointments", tag = "staff", params(DayQuery),
    responses((status = 200, body = Vec<AppointmentView>), (status = 401, body = Problem)))]
pub async fn appointments(
    State(app): State<App>,
    Staff(claims): Staff,
    Query(q): Query<DayQuery>,
) -> Result<Json<Vec<AppointmentView>>> {
    let tenant = app.db.tenant(claims.tenant).await?;
    let tz = tenant.time_zone.tz().clone();
    let date: jiff::civil::Date = match q.date {
        Some(raw) => raw
            .parse()
            .map_err(|_| Error::invalid("date", "give a date as YYYY-MM-DD"))?,
        None => app.clock.now().to_zoned(tz.clone()).date(),
    };
    let start = date
        .to_zoned(tz.clone())
        .map_err(|e| Error::Internal(e.to_string()))?
        .timestamp();
    let end = date
        .tomorrow()
        .map_err(|e| Error::Internal(e.to_string()))?
        .to_zoned(tz)
        .map_err(|e| Error::Internal(e.to_string()))?
        .timestamp();
    let services = app.db.services(tenant.id).await?;
    let list = app.db.appointments_between(tenant.id, start, end).await?;
    Ok(Json(
        list.iter()
            .filter_map(|a| {
                services
                    .iter()
                    .find(|s| s.id == a.service_id)
                    .map(|s| AppointmentView::new(&tenant, s, a))
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/staff/appointments/{id}", tag = "staff",
    responses((status = 200, body = AppointmentView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn appointment(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<AppointmentView>> {
    let id: AppointmentId = id.parse().map_err(|_| Error::NotFound("appointment"))?;
    // Scoped by the session's tenant: another municipality's appointment is simply not found.
    let appointment = app.db.appointment(claims.tenant, id).await?;
    let tenant = app.db.tenant(claims.tenant).await?;
    let service = app.db.service(tenant.id, appointment.service_id).await?;
    tracing::info!(clerk = %claims.sub, appointment = %id, "clerk opened appointment");
    // The resident sees this through the personal link; no log entry, no answer.
    app.db
        .append_access(&[crate::access_log::AccessEntry {
            tenant_id: tenant.id,
            appointment_id: id,
            clerk_id: claims.sub,
            at: app.clock.now(),
            action: crate::access_log::Action::OpenedAppointment,
            source: None,
            reason: crate::access_log::REASON_OPENED.into(),
        }])
        .await?;
    Ok(Json(AppointmentView::new(&tenant, &service, &appointment)))
}

#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/room-token", tag = "staff",
    responses((status = 200, body = super::personal::RoomTicket), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn room_token(
    State(app): State<App>,
    Extension(issuer): Extension<crate::rooms::Issuer>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<super::personal::RoomTicket>> {
    let id: AppointmentId = id.parse().map_err(|_| Error::NotFound("appointment"))?;
    let appointment = app.db.appointment(claims.tenant, id).await?;
    let tenant = app.db.tenant(claims.tenant).await?;
    let name = app
        .db
        .clerks(tenant.id)
        .await?
        .into_iter()
        .find(|c| c.id == claims.sub)
        .map(|c| c.name)
        .ok_or(Error::Unauthenticated)?;
    let grant = crate::rooms::clerk_grant(
        &appointment,
        claims.sub,
        &name,
        tenant.slug.as_str(),
        app.clock.now(),
    )?;
    tracing::info!(clerk = %claims.sub, appointment = %id, "room token issued to clerk");
    Ok(Json(super::personal::RoomTicket::new(&grant, &issuer)))
}
