//! Admin endpoints: the municipality's settings, services, clerks and their hours.

use super::{Json, Path};
use crate::auth::{self, Admin, StaffRole};
use crate::catalog::{Clerk, Service};
use crate::error::{Error, Problem, Result};
use crate::ids::{ClerkId, ServiceId};
use crate::slots::{Interval, WeeklyWindow};
use crate::tenant::{Colour, Tenant, Tone};
use crate::App;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

#[utoipa::path(get, path = "/api/v1/admin/settings", tag = "admin",
    responses((status = 200, body = Tenant), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn settings(State(app): State<App>, Admin(claims): Admin) -> Result<Json<Tenant>> {
    Ok(Json(app.db.tenant(claims.tenant).await?))
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

fn check_range(
    field: &'static str,
    value: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid(
            field,
            format!("must be between {} and {}", range.start(), range.end()),
        ))
    }
}

#[utoipa::path(put, path = "/api/v1/admin/settings", tag = "admin", request_body = SettingsBody,
    responses((status = 200, body = Tenant), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn update_settings(
    State(app): State<App>,
    Admin(claims): Admin,
    Json(body): Json<SettingsBody>,
) -> Result<Json<Tenant>> {
    let mut tenant = app.db.tenant(claims.tenant).await?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::invalid("name", "give a name of 1 to 100 characters"));
    }
    tenant.name = name.to_string();
    tenant.tone = body.tone;
    tenant.primary_colour = body.primary_colour;
    tenant.secondary_colour = body.secondary_colour;
    tenant.walk_ins_allowed = body.walk_ins_allowed;
    tenant.lead_time_minutes =
        check_range("lead_time_minutes", body.lead_time_minutes, 0..=7 * 24 * 60)?;
    tenant.horizon_days = check_range("horizon_days", body.horizon_days, 1..=365)?;
    tenant.retention_days = check_range("retention_days", body.retention_days, 1..=3650)?;
    // Check-in may not open before the clerks can prepare, and an appointment cannot wait for
    // its resident longer than a long appointment lasts.
    tenant.check_in_minutes = check_range("check_in_minutes", body.check_in_minutes, 0..=240)?;
    tenant.no_show_grace_minutes =
        check_range("no_show_grace_minutes", body.no_show_grace_minutes, 0..=120)?;
    tenant.contact_email = crate::email::Email::parse(&body.contact_email)
        .map_err(|e| Error::invalid("contact_email", e.to_string()))?
        .to_string();
    app.db.save_tenant(&tenant).await?;
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
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::invalid("name", "give a name of 1 to 100 characters"));
    }
    if body.description.chars().count() > 2000 {
        return Err(Error::invalid("description", "at most 2000 characters"));
    }
    let duration = check_range("duration_minutes", body.duration_minutes, 5..=240)?;
    let buffer = check_range("buffer_minutes", body.buffer_minutes, 0..=120)?;
    if duration % 5 != 0 || buffer % 5 != 0 {
        return Err(Error::invalid(
            "duration_minutes",
            "durations are whole multiples of 5 minutes",
        ));
    }
    let service = Service {
        id: ServiceId::new(),
        tenant_id: claims.tenant,
        name: name.to_string(),
        description: body.description.trim().to_string(),
        duration_minutes: duration,
        buffer_minutes: buffer,
    };
    app.db.save_service(&service).await?;
    Ok((StatusCode::CREATED, Json(service)))
}

#[utoipa::path(get, path = "/api/v1/admin/clerks", tag = "admin",
    responses((status = 200, body = Vec<Clerk>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn clerks(State(app): State<App>, Admin(claims): Admin) -> Result<Json<Vec<Clerk>>> {
    Ok(Json(app.db.clerks(claims.tenant).await?))
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
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::invalid("name", "give a name of 1 to 100 characters"));
    }
    let email = crate::email::Email::parse(&body.email)
        .map_err(|e| Error::invalid("email", e.to_string()))?;
    if body.password.chars().count() < 12 || body.password.len() > 200 {
        return Err(Error::invalid(
            "password",
            "a password has 12 to 200 characters",
        ));
    }
    // Only this municipality's services can be assigned.
    let own = app.db.services(claims.tenant).await?;
    if let Some(foreign) = body
        .services
        .iter()
        .find(|id| !own.iter().any(|s| s.id == **id))
    {
        return Err(Error::invalid(
            "services",
            format!("unknown service {foreign}"),
        ));
    }
    let clerk = Clerk {
        id: ClerkId::new(),
        tenant_id: claims.tenant,
        name: name.to_string(),
        email: email.to_string().to_lowercase(),
        role: body.role,
        services: body.services,
    };
    app.db
        .create_clerk(&clerk, &auth::hash_password(&body.password)?)
        .await?;
    Ok((StatusCode::CREATED, Json(clerk)))
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

fn minute_of_day(field: &'static str, raw: &str) -> Result<u16> {
    let bad = || Error::invalid(field, "give a time as HH:MM on a 5-minute boundary");
    let (h, m) = raw.split_once(':').ok_or_else(bad)?;
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let minute = h * 60 + m;
    if m >= 60 || minute > 1440 || minute % 5 != 0 {
        return Err(bad());
    }
    Ok(minute)
}

async fn own_clerk(app: &App, admin: &auth::SessionClaims, raw: &str) -> Result<ClerkId> {
    let id: ClerkId = raw.parse().map_err(|_| Error::NotFound("clerk"))?;
    if !app
        .db
        .clerks(admin.tenant)
        .await?
        .iter()
        .any(|c| c.id == id)
    {
        return Err(Error::NotFound("clerk"));
    }
    Ok(id)
}

#[utoipa::path(put, path = "/api/v1/admin/clerks/{id}/hours", tag = "admin", request_body = HoursBody,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_hours(
    State(app): State<App>,
    Admin(claims): Admin,
    Path(id): Path<String>,
    Json(body): Json<HoursBody>,
) -> Result<StatusCode> {
    let clerk = own_clerk(&app, &claims, &id).await?;
    let mut windows = Vec::with_capacity(body.windows.len());
    for w in &body.windows {
        let weekday = jiff::civil::Weekday::from_monday_one_offset(w.weekday)
            .map_err(|_| Error::invalid("weekday", "use 1 (Monday) to 7 (Sunday)"))?;
        let (start, end) = (
            minute_of_day("start", &w.start)?,
            minute_of_day("end", &w.end)?,
        );
        if start >= end {
            return Err(Error::invalid("end", "the end must be after the start"));
        }
        windows.push(WeeklyWindow {
            weekday,
            start_minute: start,
            end_minute: end,
        });
    }
    app.db.set_opening_hours(clerk, &windows).await?;
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
    let clerk = own_clerk(&app, &claims, &id).await?;
    let start: jiff::Timestamp = body
        .start
        .parse()
        .map_err(|_| Error::invalid("start", "give the time as RFC 3339"))?;
    let end: jiff::Timestamp = body
        .end
        .parse()
        .map_err(|_| Error::invalid("end", "give the time as RFC 3339"))?;
    if start >= end {
        return Err(Error::invalid("end", "the end must be after the start"));
    }
    if body.reason.chars().count() > 200 {
        return Err(Error::invalid("reason", "at most 200 characters"));
    }
    app.db
        .add_absence(clerk, Interval::new(start, end), body.reason.trim())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
