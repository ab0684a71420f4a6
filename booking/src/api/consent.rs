//! Consent per information source: admins list a service's sources, residents choose per
//! source through the personal link until the call starts, clerks see the choices beside the
//! call, and recording an outcome refuses (and logs) sources the resident did not allow.

use super::{Json, Path};
use crate::api::problem::Problem;
use crate::auth::{Admin, Staff};
use crate::domain::appointment::Appointment;
use crate::domain::consent::{Choice, ChoiceRecord, InfoSource};
use crate::domain::ids::{AppointmentId, ServiceId};
use crate::domain::tenant::Tenant;
use crate::error::{Error, Result};
use crate::usecases;
use crate::usecases::consent::Consents;
use crate::App;
use axum::extract::State;
use axum::routing::{get, put};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/admin/services/{id}/sources", put(set_sources))
        .route(
            "/api/v1/tenants/{slug}/services/{service}/sources",
            get(service_sources),
        )
        .route(
            "/api/v1/personal/{token}/consent",
            get(resident_consent).put(resident_choose),
        )
        .route(
            "/api/v1/staff/appointments/{id}/consent",
            get(staff_consent),
        )
}

#[derive(Deserialize, ToSchema)]
pub struct SourcesBody {
    /// The complete list; an empty list turns consent per source off for the service.
    pub sources: Vec<InfoSource>,
}

/// Set a service's information sources
///
/// What a clerk may consult for this service, each with a plain reason shown to the resident.
#[utoipa::path(put, path = "/api/v1/admin/services/{id}/sources", tag = "privacy", request_body = SourcesBody,
    responses((status = 200, body = Vec<InfoSource>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_sources(
    State(app): State<App>,
    Admin(claims): Admin,
    Path(id): Path<String>,
    Json(body): Json<SourcesBody>,
) -> Result<Json<Vec<InfoSource>>> {
    // Scoped by the session's tenant: another municipality's service is not found.
    let sources =
        crate::usecases::admin::services::set_sources(&app, &claims, &id, body.sources).await?;
    Ok(Json(sources))
}

/// List a service's information sources
///
/// Shown when booking, so the resident can choose per source.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/services/{service}/sources", tag = "privacy",
    responses((status = 200, body = Vec<InfoSource>, description = "What the clerk may need, shown when booking"),
        (status = 404, body = Problem)))]
pub async fn service_sources(
    State(app): State<App>,
    Path((slug, service)): Path<(String, String)>,
) -> Result<Json<Vec<InfoSource>>> {
    let tenant = usecases::booking::municipality(&app, &slug).await?;
    let id: ServiceId = service.parse().map_err(|_| Error::NotFound("service"))?;
    Ok(Json(usecases::booking::sources(&app, tenant.id, id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct ChoiceChange {
    pub choice: Choice,
    /// RFC 3339, municipality's local time.
    pub chosen_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct SourceConsent {
    pub code: String,
    pub label: String,
    pub reason: String,
    /// The choice in force; absent until the resident chose.
    pub choice: Option<Choice>,
    /// Every choice for this source, oldest first.
    pub history: Vec<ChoiceChange>,
}

#[derive(Serialize, ToSchema)]
pub struct ConsentView {
    pub appointment_id: AppointmentId,
    /// Whether the resident may still change the choices (until the call starts).
    pub can_change: bool,
    pub sources: Vec<SourceConsent>,
}

fn local(tenant: &Tenant, at: jiff::Timestamp) -> String {
    at.to_zoned(tenant.time_zone.tz().clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

impl ConsentView {
    fn new(tenant: &Tenant, appointment: &Appointment, c: Consents) -> Self {
        Self {
            appointment_id: appointment.id,
            can_change: c.can_change,
            sources: c
                .sources
                .into_iter()
                .map(|s| SourceConsent {
                    choice: s.choice,
                    history: s
                        .history
                        .iter()
                        .map(|r: &ChoiceRecord| ChoiceChange {
                            choice: r.choice,
                            chosen_at: local(tenant, r.chosen_at),
                        })
                        .collect(),
                    code: s.source.code,
                    label: s.source.label,
                    reason: s.source.reason,
                })
                .collect(),
        }
    }
}

async fn consent_view(
    app: &App,
    tenant: &Tenant,
    appointment: &Appointment,
) -> Result<ConsentView> {
    let c = usecases::consent::view(app, tenant, appointment).await?;
    Ok(ConsentView::new(tenant, appointment, c))
}

/// Read the resident's choices
///
/// Per information source, with the time of each change.
#[utoipa::path(get, path = "/api/v1/personal/{token}/consent", tag = "resident",
    responses((status = 200, body = ConsentView), (status = 404, body = Problem)))]
pub async fn resident_consent(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<Json<ConsentView>> {
    let u = super::personal::unlock(&app, &token).await?;
    Ok(Json(consent_view(&app, &u.tenant, &u.appointment).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SourceChoice {
    /// A source code of the appointment's service.
    pub source: String,
    pub choice: Choice,
}

#[derive(Deserialize, ToSchema)]
pub struct ChooseBody {
    /// The sources to set; sources left out keep their choice.
    pub choices: Vec<SourceChoice>,
}

/// Change the resident's choices
///
/// Until the call starts; every change is a new row.
#[utoipa::path(put, path = "/api/v1/personal/{token}/consent", tag = "resident", request_body = ChooseBody,
    responses((status = 200, body = ConsentView), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Cancelled, or the call has started"), (status = 422, body = Problem)))]
pub async fn resident_choose(
    State(app): State<App>,
    Path(token): Path<String>,
    Json(body): Json<ChooseBody>,
) -> Result<Json<ConsentView>> {
    let u = super::personal::unlock(&app, &token).await?;
    let wanted: Vec<(String, Choice)> = body
        .choices
        .into_iter()
        .map(|c| (c.source, c.choice))
        .collect();
    let c = usecases::consent::choose(&app, &u.tenant, &u.appointment, &wanted).await?;
    Ok(Json(ConsentView::new(&u.tenant, &u.appointment, c)))
}

/// Read the resident's choices (clerk)
///
/// Beside the call, so the clerk knows which sources may be consulted.
#[utoipa::path(get, path = "/api/v1/staff/appointments/{id}/consent", tag = "privacy",
    responses((status = 200, body = ConsentView, description = "The resident's choices, beside the call"),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn staff_consent(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<ConsentView>> {
    let id: AppointmentId = id.parse().map_err(|_| Error::NotFound("appointment"))?;
    let (tenant, appointment, consents) = usecases::consent::for_clerk(&app, &claims, id).await?;
    Ok(Json(ConsentView::new(&tenant, &appointment, consents)))
}
