//! Callback endpoints: a resident asks to be phoned back; clerks see the open requests of their
//! municipality and mark them handled.

use super::{Json, Path};
use crate::api::problem::Problem;
use crate::api::security::ClientAddress;
use crate::auth::Staff;
use crate::domain::callback::{CallbackId, CallbackRequest, Closed, PartOfDay};
use crate::domain::catalog::Service;
use crate::domain::ids::{ClerkId, ServiceId};
use crate::domain::tenant::Tenant;
use crate::error::{Error, Result};
use crate::usecases;
use crate::usecases::queue::CallbackForm;
use crate::App;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct CallbackBody {
    #[schema(
        pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub service_id: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// 6 to 15 digits; spaces, `+`, `-` and parentheses may separate them.
    #[schema(pattern = r"^[ +()-]*([0-9][ +()-]*){6,15}$")]
    pub phone: String,
    /// morning, afternoon or evening
    #[schema(pattern = r"^\s*(morning|afternoon|evening)\s*$")]
    pub part_of_day: String,
    /// The day to be called, `YYYY-MM-DD`: today or the next working day. Left out: the first
    /// of those on which the part of the day is still possible.
    #[serde(default)]
    #[schema(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub date: Option<String>,
}

/// One attempt to phone the resident back.
#[derive(Deserialize, ToSchema)]
pub struct AttemptBody {
    /// Whether the resident answered.
    pub reached: bool,
    /// What the clerk wants to remember, at most 1000 characters.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// A callback request as the resident and the clerks see it.
#[derive(Serialize, ToSchema)]
pub struct CallbackView {
    pub id: CallbackId,
    pub service_id: ServiceId,
    pub service: String,
    pub resident_name: String,
    pub phone: String,
    pub part_of_day: PartOfDay,
    pub requested_at: String,
    pub handled_at: Option<String>,
    pub handled_by: Option<ClerkId>,
    /// The window promised to the resident (local time), when one was.
    pub promised_from: Option<String>,
    pub promised_until: Option<String>,
    /// How it ended: reached, or unreachable after two attempts.
    pub closed: Option<Closed>,
}

fn local_rfc3339(tenant: &Tenant, at: jiff::Timestamp) -> String {
    at.to_zoned(tenant.time_zone.tz().clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn view(tenant: &Tenant, services: &[Service], c: &CallbackRequest) -> CallbackView {
    CallbackView {
        id: c.id,
        service_id: c.service_id,
        // A service taken out of the catalogue keeps its requests readable.
        service: services
            .iter()
            .find(|s| s.id == c.service_id)
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        resident_name: c.resident_name.clone(),
        phone: c.phone.clone(),
        part_of_day: c.part_of_day,
        requested_at: local_rfc3339(tenant, c.requested_at),
        handled_at: c.handled_at.map(|t| local_rfc3339(tenant, t)),
        handled_by: c.handled_by,
        promised_from: c.promised.map(|p| local_rfc3339(tenant, p.start)),
        promised_until: c.promised.map(|p| local_rfc3339(tenant, p.end)),
        closed: c.closed,
    }
}

/// Ask to be called back
///
/// A clerk calls the given phone number in the chosen part of the day (morning 09:00-12:00,
/// afternoon 13:00-17:00), today while that part has not ended, or on the next working day. A
/// part that is not possible is a 422 at `/part_of_day`.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/callbacks", tag = "queue", request_body = CallbackBody,
    responses((status = 201, body = CallbackView), (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem, description = "Too many callback requests from this client address or phone number; `Retry-After` says when to try again")))]
pub async fn request(
    State(app): State<App>,
    ClientAddress(client): ClientAddress,
    Path(slug): Path<String>,
    Json(body): Json<CallbackBody>,
) -> Result<(StatusCode, Json<CallbackView>)> {
    let tenant = crate::usecases::booking::municipality(&app, &slug).await?;
    let service_id = body
        .service_id
        .parse()
        .map_err(|_| Error::NotFound("service"))?;
    let mut form = CallbackForm::parse(service_id, &body.name, &body.phone, &body.part_of_day)?;
    if let Some(date) = body.date.as_deref() {
        form = form.on(date)?;
    }
    form.count(&app, client)?;
    let request = usecases::queue::request_callback(&app, &tenant, form).await?;
    let services = crate::usecases::desk::services(&app, tenant.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(view(&tenant, &services, &request)),
    ))
}

/// List the open callback requests
///
/// Oldest first.
#[utoipa::path(get, path = "/api/v1/staff/callbacks", tag = "queue",
    responses((status = 200, body = Vec<CallbackView>, description = "Open requests, oldest first"), (status = 401, body = Problem)))]
pub async fn open(State(app): State<App>, Staff(claims): Staff) -> Result<Json<Vec<CallbackView>>> {
    let (tenant, services, open) = crate::usecases::desk::open_callbacks(&app, &claims).await?;
    Ok(Json(
        open.iter().map(|c| view(&tenant, &services, c)).collect(),
    ))
}

/// Mark a callback request handled
///
/// Handling it twice is a 409.
#[utoipa::path(post, path = "/api/v1/staff/callbacks/{id}/done", tag = "queue",
    responses((status = 200, body = CallbackView), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Already handled")))]
pub async fn done(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<CallbackView>> {
    let id: CallbackId = id
        .parse()
        .map_err(|_| Error::NotFound("callback request"))?;
    let handled = usecases::queue::handle_callback(&app, &claims, id).await?;
    let tenant = crate::usecases::desk::municipality(&app, &claims).await?;
    let services = crate::usecases::desk::services(&app, tenant.id).await?;
    Ok(Json(view(&tenant, &services, &handled)))
}

/// Record an attempt to phone back
///
/// Reached closes the request; the second attempt that does not reach the resident closes it
/// as unreachable (the resident is then told by SMS). An attempt on a closed request is a 409.
#[utoipa::path(post, path = "/api/v1/staff/callbacks/{id}/attempts", tag = "queue", request_body = AttemptBody,
    responses((status = 200, body = CallbackView), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Already closed"), (status = 422, body = Problem)))]
pub async fn attempt(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
    Json(body): Json<AttemptBody>,
) -> Result<Json<CallbackView>> {
    let id: CallbackId = id
        .parse()
        .map_err(|_| Error::NotFound("callback request"))?;
    let form = usecases::callbacks::AttemptForm::parse(body.reached, body.note.as_deref())?;
    let request = usecases::callbacks::record_attempt(&app, &claims, id, form).await?;
    let tenant = crate::usecases::desk::municipality(&app, &claims).await?;
    let services = crate::usecases::desk::services(&app, tenant.id).await?;
    Ok(Json(view(&tenant, &services, &request)))
}
