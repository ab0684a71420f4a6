//! The resident's personal link: read, download the invite, reschedule, cancel. A wrong token
//! is a plain 404 that does not reveal whether any appointment exists.

use super::public::AppointmentView;
use super::{Json, Path};
use crate::adapters::invite::InviteMethod;
use crate::api::problem::Problem;
use crate::domain::start_time::StartTime;
use crate::error::Result;
use crate::usecases;
use crate::App;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Extension;
use serde::Deserialize;
use utoipa::ToSchema;

pub use crate::usecases::booking::unlock;

/// Read the appointment behind a personal link
///
/// A wrong or erased token is a plain 404.
#[utoipa::path(get, path = "/api/v1/personal/{token}", tag = "resident",
    responses((status = 200, body = AppointmentView), (status = 404, body = Problem)))]
pub async fn read(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<Json<AppointmentView>> {
    let u = unlock(&app, &token).await?;
    Ok(Json(AppointmentView::new(
        &u.tenant,
        &u.service,
        &u.appointment,
    )))
}

/// Download the calendar invite
///
/// The appointment as an iCalendar file (METHOD:REQUEST), the same one that was mailed.
#[utoipa::path(get, path = "/api/v1/personal/{token}/invite.ics", tag = "resident",
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = Problem)))]
pub async fn invite(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<impl IntoResponse> {
    let u = unlock(&app, &token).await?;
    let method = match u.appointment.status {
        crate::domain::appointment::AppointmentStatus::Booked => InviteMethod::Request,
        crate::domain::appointment::AppointmentStatus::Cancelled => InviteMethod::Cancel,
    };
    let people = usecases::booking::people(&app, &u.appointment).await?;
    let ics = usecases::booking::invite(
        &app,
        &u.tenant,
        &u.service,
        &u.appointment,
        &people,
        &u.token,
    )
    .to_ics(method);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                format!("text/calendar; method={}; charset=utf-8", method.as_str()),
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"afspraak.ics\"".to_string(),
            ),
        ],
        ics,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct RescheduleBody {
    /// RFC 3339, one of the offered slot starts.
    #[schema(format = DateTime)]
    pub start: String,
}

/// Move the appointment to another slot
///
/// Takes one of the offered slot starts; the invite's SEQUENCE goes up.
#[utoipa::path(post, path = "/api/v1/personal/{token}/reschedule", tag = "resident", request_body = RescheduleBody,
    responses((status = 200, body = AppointmentView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reschedule(
    State(app): State<App>,
    Path(token): Path<String>,
    Json(body): Json<RescheduleBody>,
) -> Result<Json<AppointmentView>> {
    let u = unlock(&app, &token).await?;
    let start = StartTime::parse(&body.start)?;
    let moved =
        usecases::booking::reschedule(&app, &u.tenant, &u.service, &u.appointment, &u.token, start)
            .await?;
    Ok(Json(AppointmentView::new(&u.tenant, &u.service, &moved)))
}

/// Cancel the appointment
///
/// The slot is offered again. Cancelling twice is a 409.
#[utoipa::path(post, path = "/api/v1/personal/{token}/cancel", tag = "resident",
    responses((status = 200, body = AppointmentView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<Json<AppointmentView>> {
    let u = unlock(&app, &token).await?;
    let cancelled =
        usecases::booking::cancel(&app, &u.tenant, &u.service, &u.appointment, &u.token).await?;
    Ok(Json(AppointmentView::new(
        &u.tenant, &u.service, &cancelled,
    )))
}

/// A ticket into the video room: the signed token and where to use it.
#[derive(serde::Serialize, ToSchema)]
pub struct RoomTicket {
    pub room: String,
    pub token: String,
    /// WebSocket path of the signaling endpoint on this server.
    pub signaling_path: &'static str,
    /// RFC 3339.
    pub expires_at: String,
}

impl RoomTicket {
    pub fn new(
        grant: &crate::domain::rooms::RoomGrant,
        issuer: &crate::domain::rooms::Issuer,
    ) -> Self {
        Self {
            room: grant.room.clone(),
            token: issuer.issue(grant),
            signaling_path: "/ws",
            expires_at: grant.expires.to_string(),
        }
    }
}

/// Get the resident's room token for the appointment's video call
///
/// Works from when check-in opens (the municipality's check-in window before the start) until the appointment is over. The ticket names the room and carries the token for the signalling WebSocket (see docs/signaling.md).
#[utoipa::path(post, path = "/api/v1/personal/{token}/room-token", tag = "resident",
    responses((status = 200, body = RoomTicket), (status = 404, body = Problem), (status = 409, body = Problem, description = "Too early, over or cancelled")))]
pub async fn room_token(
    State(app): State<App>,
    Extension(issuer): Extension<crate::domain::rooms::Issuer>,
    Path(token): Path<String>,
) -> Result<Json<RoomTicket>> {
    let u = unlock(&app, &token).await?;
    let grant = crate::domain::rooms::resident_grant(&u.appointment, &u.tenant, app.clock.now())?;
    Ok(Json(RoomTicket::new(&grant, &issuer)))
}
