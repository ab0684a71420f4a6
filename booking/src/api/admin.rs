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

#[utoipa::path(get, path = "/api/v1/admin/settings", tag = "admin",
    responses((status = 200, body = Tenant), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn settings(State(app): State<App>, Admin(claims): Admin) -> Result<Json<Tenant>> {
    Ok(Json(
        crate::usecases::desk::municipality(&app, &claims).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct SettingsBody {
    pub name: String,
    pub tone: Tone,
    pub primary_colour: Colour,
    pub secondary_colour: Colour,
    pub walk_ins_allowed: bool,
    pub lead_time_minutes: i64,
    pub horizon_days: i64,
    pub retention_days: i64,
    pub contact_email: String,
    /// Minutes before the appointment that check-in opens, 0 to 240.
    pub check_in_minutes: i64,
    /// Minutes after the start that check-in stays open before a no-show, 0 to 120.
    pub no_show_grace_minutes: i64,
}

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
    };
    let tenant = usecases::admin::settings::update_settings(&app, claims.tenant, &input).await?;
    Ok(Json(tenant))
}

#[derive(Deserialize, ToSchema)]
pub struct ServiceBody {
    pub name: String,
    pub description: String,
    /// Multiple of 5 minutes.
    pub duration_minutes: i64,
    /// Multiple of 5 minutes.
    pub buffer_minutes: i64,
}

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
    let service = usecases::admin::services::create_service(&app, claims.tenant, &input).await?;
    Ok((StatusCode::CREATED, Json(service)))
}

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
        usecases::admin::services::update_service(&app, claims.tenant, &id, &input).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/admin/clerks", tag = "admin",
    responses((status = 200, body = Vec<Clerk>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn clerks(State(app): State<App>, Admin(claims): Admin) -> Result<Json<Vec<Clerk>>> {
    Ok(Json(
        crate::usecases::desk::clerks(&app, claims.tenant).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ClerkBody {
    pub name: String,
    pub email: String,
    /// At least 12 characters.
    pub password: String,
    pub role: StaffRole,
    pub services: Vec<ServiceId>,
}

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
    let clerk = usecases::admin::clerks::create_clerk(&app, claims.tenant, &input).await?;
    Ok((StatusCode::CREATED, Json(clerk)))
}

#[derive(Deserialize, ToSchema)]
pub struct ClerkChangeBody {
    pub name: String,
    pub role: StaffRole,
    /// The complete list of services the clerk handles.
    pub services: Vec<ServiceId>,
}

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
        usecases::admin::clerks::update_clerk(&app, claims.tenant, &id, &change).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct HoursBody {
    pub windows: Vec<WindowBody>,
}

#[derive(Deserialize, ToSchema)]
pub struct WindowBody {
    /// 1 = Monday .. 7 = Sunday.
    pub weekday: i8,
    /// Local time HH:MM.
    pub start: String,
    /// Local time HH:MM (24:00 allowed).
    pub end: String,
}

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
    usecases::admin::clerks::set_hours(&app, claims.tenant, &id, &windows).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct AbsenceBody {
    /// RFC 3339.
    pub start: String,
    /// RFC 3339.
    pub end: String,
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/admin/clerks/{id}/absences", tag = "admin", request_body = AbsenceBody,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_absence(
    State(app): State<App>,
    Admin(claims): Admin,
    Path(id): Path<String>,
    Json(body): Json<AbsenceBody>,
) -> Result<StatusCode> {
    let start: jiff::Timestamp = body
        .start
        .parse()
        .map_err(|_| Error::invalid("start", "give the time as RFC 3339"))?;
    let end: jiff::Timestamp = body
        .end
        .parse()
        .map_err(|_| Error::invalid("end", "give the time as RFC 3339"))?;
    usecases::admin::clerks::add_absence(&app, claims.tenant, &id, start, end, &body.reason)
        .await?;
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

#[utoipa::path(delete, path = "/api/v1/admin/clerks/{id}/absences/{absence}", tag = "admin",
    responses((status = 204, description = "Removed; the clerk's slots in that period are offered again"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "Not this municipality's clerk, or not this clerk's absence")))]
pub async fn remove_absence(
    State(app): State<App>,
    Admin(claims): Admin,
    Path((id, absence)): Path<(String, String)>,
) -> Result<StatusCode> {
    usecases::admin::clerks::remove_absence(&app, claims.tenant, &id, &absence).await?;
    Ok(StatusCode::NO_CONTENT)
}

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
        usecases::admin::services::set_service_offered(&app, claims.tenant, &id, body.active)
            .await?,
    ))
}
