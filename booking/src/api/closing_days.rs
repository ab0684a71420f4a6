//! The municipality's closing days (public holidays preloaded, own days and part days) for its
//! admin: list, add (the answer names the appointments already booked then), remove.

use super::{Json, Path};
use crate::api::problem::Problem;
use crate::auth::Admin;
use crate::domain::appointment::Appointment;
use crate::domain::closing_days::ClosingDay;
use crate::domain::tenant::Tenant;
use crate::error::Result;
use crate::usecases;
use crate::usecases::admin::closing_days::{ClosingDayInput, ClosingDayWithAppointments};
use crate::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Router<App> {
    Router::new()
        .route(
            "/api/v1/admin/closing-days",
            get(closing_days).post(add_closing_day),
        )
        .route(
            "/api/v1/admin/closing-days/{id}",
            delete(remove_closing_day),
        )
}

#[derive(Serialize, ToSchema)]
pub struct BookedAppointment {
    #[schema(value_type = String, format = "uuid")]
    pub id: uuid::Uuid,
    /// RFC 3339, municipality's local time.
    pub start: String,
    pub resident_name: String,
    pub resident_email: Option<String>,
    pub resident_phone: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ClosingDayView {
    #[schema(value_type = String, format = "uuid")]
    pub id: uuid::Uuid,
    /// YYYY-MM-DD, the municipality's local date.
    pub date: String,
    /// HH:MM local time; absent with `to` for the whole day.
    pub from: Option<String>,
    /// HH:MM local time (24:00 is the end of the day).
    pub to: Option<String>,
    pub name: String,
    /// A preloaded public holiday.
    pub holiday: bool,
    /// Appointments still booked in this period, to move or cancel.
    pub appointments: Vec<BookedAppointment>,
}

fn hh_mm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

fn view(tenant: &Tenant, item: ClosingDayWithAppointments) -> ClosingDayView {
    let ClosingDayWithAppointments {
        day, appointments, ..
    } = item;
    let ClosingDay {
        id,
        date,
        part,
        name,
        holiday,
    } = day;
    let booked = |a: Appointment| BookedAppointment {
        id: a.id.0,
        start: a
            .start
            .to_zoned(tenant.time_zone.tz().clone())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
        resident_name: a.resident.name.clone(),
        resident_email: a.resident.email().map(ToString::to_string),
        resident_phone: a.resident.phone().map(ToString::to_string),
    };
    ClosingDayView {
        id,
        date: date.to_string(),
        from: part.map(|p| hh_mm(p.start_minute())),
        to: part.map(|p| hh_mm(p.end_minute())),
        name,
        holiday,
        appointments: appointments.into_iter().map(booked).collect(),
    }
}

/// List the closing days
///
/// The municipality's closing days from today on, earliest first: the Dutch public holidays
/// (preloaded for this year and the next two, each removable) and its own days and part days.
/// No slots are offered in a closing period.
#[utoipa::path(get, path = "/api/v1/admin/closing-days", tag = "admin",
    responses((status = 200, body = Vec<ClosingDayView>, description = "Closing days from today on (public holidays preloaded for this year and the next two), earliest first"),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn closing_days(
    State(app): State<App>,
    Admin(claims): Admin,
) -> Result<Json<Vec<ClosingDayView>>> {
    let tenant = usecases::desk::municipality(&app, &claims).await?;
    let list = usecases::admin::closing_days::closing_days(&app, &tenant).await?;
    Ok(Json(list.into_iter().map(|d| view(&tenant, d)).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ClosingDayBody {
    /// YYYY-MM-DD, today or later.
    #[schema(format = Date)]
    pub date: String,
    /// HH:MM; leave out with `to` for the whole day.
    #[schema(pattern = r"^\d{2}:\d{2}$")]
    pub from: Option<String>,
    /// HH:MM after `from` (24:00 for the end of the day).
    #[schema(pattern = r"^\d{2}:\d{2}$")]
    pub to: Option<String>,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
}

/// Add a closing day or part day
///
/// From then on no slots are offered in that period, and booking a time in it is refused. The
/// answer lists the appointments already booked in it, so they can be rescheduled or cancelled.
#[utoipa::path(post, path = "/api/v1/admin/closing-days", tag = "admin", request_body = ClosingDayBody,
    responses((status = 201, body = ClosingDayView, description = "Added; `appointments` lists those already booked in it"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add_closing_day(
    State(app): State<App>,
    Admin(claims): Admin,
    Json(body): Json<ClosingDayBody>,
) -> Result<(StatusCode, Json<ClosingDayView>)> {
    let tenant = usecases::desk::municipality(&app, &claims).await?;
    let input = ClosingDayInput {
        date: body.date,
        from: body.from.unwrap_or_default(),
        to: body.to.unwrap_or_default(),
        name: body.name,
    };
    let added =
        usecases::admin::closing_days::add_closing_day(&app, &tenant, &input, &claims).await?;
    Ok((StatusCode::CREATED, Json(view(&tenant, added))))
}

/// Remove a closing day
///
/// Its slots are offered again; a removed public holiday is not preloaded again.
#[utoipa::path(delete, path = "/api/v1/admin/closing-days/{id}", tag = "admin",
    responses((status = 204, description = "Removed; its slots are offered again"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "Not this municipality's closing day")))]
pub async fn remove_closing_day(
    State(app): State<App>,
    Admin(claims): Admin,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let tenant = usecases::desk::municipality(&app, &claims).await?;
    usecases::admin::closing_days::remove_closing_day(&app, &tenant, &id, &claims).await?;
    Ok(StatusCode::NO_CONTENT)
}
