//! Admin endpoints: the municipality's settings, services, clerks and their hours.

use super::{Json, Path};
use crate::api::problem::Problem;
use crate::auth::Admin;
use crate::domain::catalog::{Clerk, Service};
use crate::domain::ids::ServiceId;
use crate::domain::staff::StaffRole;
use crate::domain::tenant::{Colour, Tenant, Tone};
use crate::error::{Error, Result};
use crate::usecases;
use crate::App;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Read the municipality's settings
///
/// Name, tone, colours, walk-ins, check-in window, no-show grace, lead time, horizon and retention,
/// and what residents see: phone number, address, opening hours and introduction.
#[utoipa::path(get, path = "/api/v1/admin/settings", tag = "admin",
    responses((status = 200, body = Tenant), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn settings(State(app): State<App>, Admin(claims): Admin) -> Result<Json<Tenant>> {
    Ok(Json(
        crate::usecases::desk::municipality(&app, &claims).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct SettingsBody {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    pub tone: Tone,
    pub primary_colour: Colour,
    pub secondary_colour: Colour,
    pub walk_ins_allowed: bool,
    /// How long before a slot it can still be booked, 0 to 10080 (a week).
    #[schema(minimum = 0, maximum = 10080)]
    pub lead_time_minutes: i64,
    /// How far ahead slots are offered, 1 to 365 days.
    #[schema(minimum = 1, maximum = 365)]
    pub horizon_days: i64,
    /// How long residents' details are kept after the appointment, 1 to 3650 days.
    #[schema(minimum = 1, maximum = 3650)]
    pub retention_days: i64,
    #[schema(format = Email, max_length = 254)]
    pub contact_email: String,
    /// Minutes before the appointment that check-in opens, 0 to 240.
    #[schema(minimum = 0, maximum = 240)]
    pub check_in_minutes: i64,
    /// Minutes after the start that check-in stays open before a no-show, 0 to 120.
    #[schema(minimum = 0, maximum = 120)]
    pub no_show_grace_minutes: i64,
    /// The number residents call, shown on every resident page and in the mails: E.164, a
    /// Dutch number (`020 123 4567`) or a municipal short number (`14 030`). Empty or left
    /// out: none shown.
    #[serde(default)]
    #[schema(max_length = 40)]
    pub phone: String,
    /// Postal or visiting address; lines separated by `\n`.
    #[serde(default)]
    #[schema(max_length = 300)]
    pub address: String,
    /// Opening hours in the municipality's own words; lines separated by `\n`.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub opening_hours: String,
    /// The introduction on the municipality's start page, in Dutch.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub intro_nl: String,
    /// The same in English; empty shows the Dutch one.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub intro_en: String,
}

/// Change the municipality's settings
///
/// Colours must reach a contrast of 4.5:1 against white; the answer is the municipality as now stored.
#[utoipa::path(put, path = "/api/v1/admin/settings", tag = "admin", request_body = SettingsBody,
    responses((status = 200, body = Tenant), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn update_settings(
    State(app): State<App>,
    Admin(claims): Admin,
    Json(body): Json<SettingsBody>,
) -> Result<Json<Tenant>> {
    let input = usecases::admin::settings::SettingsInput {
        name: body.name,
        tone: body.tone.as_str().into(),
        primary_colour: body.primary_colour.to_string(),
        secondary_colour: body.secondary_colour.to_string(),
        walk_ins_allowed: body.walk_ins_allowed,
        lead_time_minutes: body.lead_time_minutes,
        horizon_days: body.horizon_days,
        retention_days: body.retention_days,
        contact_email: body.contact_email,
        check_in_minutes: body.check_in_minutes,
        no_show_grace_minutes: body.no_show_grace_minutes,
        phone: body.phone,
        address: body.address,
        opening_hours: body.opening_hours,
        intro_nl: body.intro_nl,
        intro_en: body.intro_en,
    };
    let tenant = usecases::admin::settings::update_settings(&app, &claims, &input).await?;
    Ok(Json(tenant))
}

#[derive(Deserialize, ToSchema)]
pub struct ServiceBody {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    #[schema(max_length = 2000)]
    pub description: String,
    /// 5 to 240, a multiple of 5 minutes.
    #[schema(minimum = 5, maximum = 240, multiple_of = 5)]
    pub duration_minutes: i64,
    /// Time kept free after each appointment: 0 to 120, a multiple of 5 minutes.
    #[schema(minimum = 0, maximum = 120, multiple_of = 5)]
    pub buffer_minutes: i64,
}

/// Add a service
///
/// A new service with its duration and buffer, offered at once.
#[utoipa::path(post, path = "/api/v1/admin/services", tag = "admin", request_body = ServiceBody,
    responses((status = 201, body = Service), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_service(
    State(app): State<App>,
    Admin(claims): Admin,
    Json(body): Json<ServiceBody>,
) -> Result<(StatusCode, Json<Service>)> {
    let input = usecases::admin::services::ServiceInput {
        name: body.name,
        description: body.description,
        duration_minutes: body.duration_minutes,
        buffer_minutes: body.buffer_minutes,
    };
    let service = usecases::admin::services::create_service(&app, &claims, &input).await?;
    Ok((StatusCode::CREATED, Json(service)))
}

/// Change a service
///
/// Name, description, duration and buffer. Existing appointments keep their times.
#[utoipa::path(put, path = "/api/v1/admin/services/{id}", tag = "admin", request_body = ServiceBody,
    responses((status = 200, body = Service), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_service(
    State(app): State<App>,
    Admin(claims): Admin,
    Path(id): Path<String>,
    Json(body): Json<ServiceBody>,
) -> Result<Json<Service>> {
    let input = usecases::admin::services::ServiceInput {
        name: body.name,
        description: body.description,
        duration_minutes: body.duration_minutes,
        buffer_minutes: body.buffer_minutes,
    };
    Ok(Json(
        usecases::admin::services::update_service(&app, &claims, &id, &input).await?,
    ))
}

/// List the clerks
///
/// Every clerk and admin of the municipality, with the services they handle.
#[utoipa::path(get, path = "/api/v1/admin/clerks", tag = "admin",
    responses((status = 200, body = Vec<Clerk>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn clerks(State(app): State<App>, Admin(claims): Admin) -> Result<Json<Vec<Clerk>>> {
    Ok(Json(
        crate::usecases::desk::clerks(&app, claims.tenant).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ClerkBody {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// 12 to 200 characters.
    #[schema(min_length = 12, max_length = 200)]
    pub password: String,
    pub role: StaffRole,
    pub services: Vec<ServiceId>,
}

/// Add a clerk or admin
///
/// An e-mail address already in use is a 409.
#[utoipa::path(post, path = "/api/v1/admin/clerks", tag = "admin", request_body = ClerkBody,
    responses((status = 201, body = Clerk), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_clerk(
    State(app): State<App>,
    Admin(claims): Admin,
    Json(body): Json<ClerkBody>,
) -> Result<(StatusCode, Json<Clerk>)> {
    let input = usecases::admin::clerks::ClerkInput {
        name: body.name,
        email: body.email,
        password: body.password,
        role: body.role,
        services: body.services,
    };
    let clerk = usecases::admin::clerks::create_clerk(&app, &claims, &input).await?;
    Ok((StatusCode::CREATED, Json(clerk)))
}

#[derive(Deserialize, ToSchema)]
pub struct ClerkChangeBody {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    pub role: StaffRole,
    /// The complete list of services the clerk handles.
    pub services: Vec<ServiceId>,
}

/// Change a clerk
///
/// Name, role and services. The last admin cannot become a clerk (409).
#[utoipa::path(put, path = "/api/v1/admin/clerks/{id}", tag = "admin", request_body = ClerkChangeBody,
    responses((status = 200, body = Clerk), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "The last admin cannot become a clerk"), (status = 422, body = Problem)))]
pub async fn update_clerk(
    State(app): State<App>,
    Admin(claims): Admin,
    Path(id): Path<String>,
    Json(body): Json<ClerkChangeBody>,
) -> Result<Json<Clerk>> {
    let change = usecases::admin::clerks::ClerkChange {
        name: body.name,
        role: body.role,
        services: body.services,
    };
    Ok(Json(
        usecases::admin::clerks::update_clerk(&app, &claims, &id, &change).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct HoursBody {
    pub windows: Vec<WindowBody>,
}

#[derive(Deserialize, ToSchema)]
pub struct WindowBody {
    /// 1 = Monday .. 7 = Sunday.
    #[schema(minimum = 1, maximum = 7)]
    pub weekday: i8,
    /// Local time HH:MM on a 5-minute boundary.
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][05]$")]
    pub start: String,
    /// Local time HH:MM on a 5-minute boundary (24:00 allowed), after `start`.
    #[schema(pattern = r"^(([01][0-9]|2[0-3]):[0-5][05]|24:00)$")]
    pub end: String,
}

/// Set a clerk's weekly hours
///
/// Replaces the weekly windows (local wall-clock times) in which the clerk takes appointments.
#[utoipa::path(put, path = "/api/v1/admin/clerks/{id}/hours", tag = "admin", request_body = HoursBody,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_hours(
    State(app): State<App>,
    Admin(claims): Admin,
    Path(id): Path<String>,
    Json(body): Json<HoursBody>,
) -> Result<StatusCode> {
    let windows: Vec<usecases::admin::clerks::WindowInput> = body
        .windows
        .into_iter()
        .map(|w| usecases::admin::clerks::WindowInput {
            weekday: w.weekday,
            start: w.start,
            end: w.end,
        })
        .collect();
    usecases::admin::clerks::set_hours(&app, &claims, &id, &windows).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct AbsenceBody {
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub start: String,
    /// RFC 3339, after `start`.
    #[schema(format = DateTime)]
    pub end: String,
    #[schema(max_length = 200)]
    pub reason: String,
}

/// Add an absence
///
/// The clerk is not offered in this period; appointments already booked stay.
#[utoipa::path(post, path = "/api/v1/admin/clerks/{id}/absences", tag = "admin", request_body = AbsenceBody,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_absence(
    State(app): State<App>,
    Admin(claims): Admin,
    Path(id): Path<String>,
    Json(body): Json<AbsenceBody>,
) -> Result<StatusCode> {
    let start: jiff::Timestamp = body.start.parse().map_err(|_| not_a_moment("/start"))?;
    let end: jiff::Timestamp = body.end.parse().map_err(|_| not_a_moment("/end"))?;
    usecases::admin::clerks::add_absence(&app, &claims, &id, start, end, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct AbsenceView {
    #[schema(value_type = String, format = "uuid")]
    pub id: uuid::Uuid,
    /// RFC 3339, municipality's local time.
    pub start: String,
    /// RFC 3339, municipality's local time.
    pub end: String,
    pub reason: String,
}

/// List a clerk's absences
///
/// Absences that have not ended, earliest first.
#[utoipa::path(get, path = "/api/v1/admin/clerks/{id}/absences", tag = "admin",
    responses((status = 200, body = Vec<AbsenceView>, description = "Absences that have not ended, earliest first"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn absences(
    State(app): State<App>,
    Admin(claims): Admin,
    Path(id): Path<String>,
) -> Result<Json<Vec<AbsenceView>>> {
    let tenant = crate::usecases::desk::municipality(&app, &claims).await?;
    let local = |t: jiff::Timestamp| {
        t.to_zoned(tenant.time_zone.tz().clone())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    };
    Ok(Json(
        usecases::admin::clerks::absences(&app, tenant.id, &id)
            .await?
            .into_iter()
            .map(|a| AbsenceView {
                id: a.id,
                start: local(a.period.start),
                end: local(a.period.end),
                reason: a.reason,
            })
            .collect(),
    ))
}

/// Remove an absence
///
/// The clerk's slots in that period are offered again.
#[utoipa::path(delete, path = "/api/v1/admin/clerks/{id}/absences/{absence}", tag = "admin",
    responses((status = 204, description = "Removed; the clerk's slots in that period are offered again"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "Not this municipality's clerk, or not this clerk's absence")))]
pub async fn remove_absence(
    State(app): State<App>,
    Admin(claims): Admin,
    Path((id, absence)): Path<(String, String)>,
) -> Result<StatusCode> {
    usecases::admin::clerks::remove_absence(&app, &claims, &id, &absence).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List every service
///
/// Also the services no longer offered (`active` false).
#[utoipa::path(get, path = "/api/v1/admin/services", tag = "admin",
    responses((status = 200, body = Vec<Service>, description = "Every service, also those no longer offered (`active` false)"),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn services(State(app): State<App>, Admin(claims): Admin) -> Result<Json<Vec<Service>>> {
    Ok(Json(
        crate::usecases::desk::services(&app, claims.tenant).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct OfferedBody {
    /// false: residents no longer see or book the service; appointments already made stay.
    /// true: offered again.
    pub active: bool,
}

/// Stop or resume offering a service
///
/// A stopped service is not found for new bookings, walk-ins and callbacks; existing appointments keep working.
#[utoipa::path(put, path = "/api/v1/admin/services/{id}/active", tag = "admin", request_body = OfferedBody,
    responses((status = 200, body = Service), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn set_offered(
    State(app): State<App>,
    Admin(claims): Admin,
    Path(id): Path<String>,
    Json(body): Json<OfferedBody>,
) -> Result<Json<Service>> {
    Ok(Json(
        usecases::admin::services::set_service_offered(&app, &claims, &id, body.active).await?,
    ))
}

fn not_a_moment(pointer: &str) -> Error {
    Error::invalid(
        pointer,
        "Geef het moment als RFC 3339, bijvoorbeeld 2026-03-30T09:00:00+02:00.",
        "Give the moment as RFC 3339, e.g. 2026-03-30T09:00:00+02:00.",
    )
}
