//! Outcome endpoints: clerks record and correct a call's outcome and see its delivery to the
//! case store; admins configure result lists and the case store, and retry failing deliveries.
//!
//! Recording only writes the outcome and its outbox event (one transaction) and answers; the
//! delivery worker talks to the case store afterwards, so a slow or broken case store never
//! holds up the clerk.

use super::{Json, Path, Query};
use crate::adapters::case_store::{CaseStoreSettings, REDACTED};
use crate::api::problem::Problem;
use crate::auth::{Admin, Staff};
use crate::domain::appointment::AppointmentStatus;
use crate::domain::ids::{AppointmentId, ClerkId, ServiceId, TenantId};
use crate::domain::outbox::{overall, DeliveryState};
use crate::domain::outcome::{self, FollowUp, Outcome, OutcomeDraft, ResultOption};
use crate::domain::tenant::Tenant;
use crate::error::{Conflict, Error, Result};
use crate::store::OutboxEntry;
use crate::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The routes of this file, merged into the API router.
pub fn routes() -> Router<App> {
    Router::new()
        .route(
            "/api/v1/staff/appointments/{id}/outcomes",
            get(history).post(record),
        )
        .route("/api/v1/staff/appointments/{id}/case", get(case))
        .route("/api/v1/staff/services/{id}/results", get(results))
        .route(
            "/api/v1/admin/services/{id}/results",
            axum::routing::put(set_results),
        )
        .route(
            "/api/v1/admin/case-store",
            get(case_store).put(set_case_store),
        )
        .route("/api/v1/admin/deliveries", get(deliveries))
        .route("/api/v1/admin/deliveries/{id}/retry", post(retry))
        .route(
            "/api/v1/admin/deliveries/retry-failing",
            post(retry_failing),
        )
}

fn local(tenant: &Tenant, at: jiff::Timestamp) -> String {
    at.to_zoned(tenant.time_zone.tz().clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

#[derive(Serialize, ToSchema)]
pub struct OutcomeView {
    #[schema(value_type = String, format = "uuid")]
    pub id: Uuid,
    pub version: u32,
    pub result_code: String,
    pub result_label: String,
    pub notes: String,
    pub follow_up: FollowUp,
    pub sources: Vec<String>,
    pub recorded_by: ClerkId,
    /// RFC 3339, municipality's local time.
    pub recorded_at: String,
}

impl OutcomeView {
    fn new(tenant: &Tenant, o: &Outcome) -> Self {
        Self {
            id: o.id,
            version: o.version,
            result_code: o.result_code.clone(),
            result_label: o.result_label.clone(),
            notes: o.notes.clone(),
            follow_up: o.follow_up.clone(),
            sources: o.sources.clone(),
            recorded_by: o.recorded_by,
            recorded_at: local(tenant, o.recorded_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    /// The event id; also the idempotency key sent to the case store.
    #[schema(value_type = String, format = "uuid")]
    pub id: Uuid,
    pub appointment_id: AppointmentId,
    pub version: u32,
    pub state: DeliveryState,
    pub attempts: u32,
    /// When the worker tries again; absent when delivered or waiting for an admin's retry.
    pub next_attempt_at: Option<String>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

impl DeliveryView {
    fn new(tenant: &Tenant, e: &OutboxEntry) -> Self {
        Self {
            id: e.id,
            appointment_id: e.appointment_id,
            version: e.version,
            state: e.state,
            attempts: e.attempts,
            next_attempt_at: e.next_attempt_at.map(|t| local(tenant, t)),
            last_error: e.last_error.clone(),
            created_at: local(tenant, e.created_at),
            delivered_at: e.delivered_at.map(|t| local(tenant, t)),
        }
    }
}

/// An appointment's outcome history and where its delivery stands.
#[derive(Serialize, ToSchema)]
pub struct OutcomesView {
    pub appointment_id: AppointmentId,
    /// Worst state over all events: failing, pending or delivered; absent before any outcome.
    pub delivery: Option<DeliveryState>,
    /// Oldest first; the last one is in force.
    pub outcomes: Vec<OutcomeView>,
    pub deliveries: Vec<DeliveryView>,
    /// The results the clerk can choose from.
    pub results: Vec<ResultOption>,
}

async fn outcomes_view(app: &App, tenant: &Tenant, id: AppointmentId) -> Result<OutcomesView> {
    let appointment = app.db.appointment(tenant.id, id).await?;
    let outcomes = app.db.outcomes(tenant.id, id).await?;
    let deliveries = app.db.deliveries_for_appointment(tenant.id, id).await?;
    let states: Vec<DeliveryState> = deliveries.iter().map(|d| d.state).collect();
    Ok(OutcomesView {
        appointment_id: id,
        delivery: overall(&states),
        outcomes: outcomes
            .iter()
            .map(|o| OutcomeView::new(tenant, o))
            .collect(),
        deliveries: deliveries
            .iter()
            .map(|d| DeliveryView::new(tenant, d))
            .collect(),
        results: app.db.service_results(appointment.service_id).await?,
    })
}

fn appointment_id(raw: &str) -> Result<AppointmentId> {
    raw.parse().map_err(|_| Error::NotFound("appointment"))
}

#[utoipa::path(get, path = "/api/v1/staff/appointments/{id}/outcomes", tag = "outcomes",
    responses((status = 200, body = OutcomesView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn history(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<OutcomesView>> {
    let tenant = app.db.tenant(claims.tenant).await?;
    Ok(Json(
        outcomes_view(&app, &tenant, appointment_id(&id)?).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct RecordBody {
    /// A code from the service's result list.
    pub result: String,
    #[serde(default)]
    pub notes: String,
    pub follow_up: FollowUp,
    /// Information sources consulted.
    #[serde(default)]
    pub sources: Vec<String>,
    /// For a correction: the version being corrected (the latest the clerk saw).
    pub corrects: Option<u32>,
}

#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/outcomes", tag = "outcomes", request_body = RecordBody,
    responses((status = 201, body = OutcomesView, description = "Recorded; delivery to the case store follows"),
        (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn record(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
    Json(body): Json<RecordBody>,
) -> Result<(StatusCode, Json<OutcomesView>)> {
    let id = appointment_id(&id)?;
    let tenant = app.db.tenant(claims.tenant).await?;
    let appointment = app.db.appointment(tenant.id, id).await?;
    if appointment.status == AppointmentStatus::Cancelled {
        return Err(Conflict::NothingToRecord.into());
    }
    let now = app.clock.now();
    let tz = tenant.time_zone.tz().clone();
    let results = app.db.service_results(appointment.service_id).await?;
    let draft = OutcomeDraft {
        result: body.result,
        notes: body.notes,
        follow_up: body.follow_up,
        sources: body.sources,
    };
    let valid = outcome::validate(draft, &results, now.to_zoned(tz.clone()).date())?;
    // Refused (and logged) unless the resident left each source to the municipality.
    let access = super::consent::consulted(&app, &appointment, claims.sub, &valid.sources).await?;
    let history = app.db.outcomes(tenant.id, id).await?;
    let version = outcome::next_version(&history, body.corrects, now, &tz)?;
    let recorded = Outcome {
        id: Uuid::new_v4(),
        tenant_id: tenant.id,
        appointment_id: id,
        version,
        result_code: valid.result.code,
        result_label: valid.result.label,
        notes: valid.notes,
        follow_up: valid.follow_up,
        sources: valid.sources,
        recorded_by: claims.sub,
        recorded_at: now,
    };
    let event = app.db.insert_outcome(&recorded, &access).await?;
    tracing::info!(clerk = %claims.sub, appointment = %id, version, event = %event, "outcome recorded");
    Ok((
        StatusCode::CREATED,
        Json(outcomes_view(&app, &tenant, id).await?),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct CaseView {
    #[schema(value_type = String, format = "uuid")]
    pub id: Uuid,
    pub appointment_id: AppointmentId,
    pub title: String,
    pub opened_at: String,
    pub events: Vec<CaseEventView>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseEventView {
    pub idempotency_key: String,
    pub version: u32,
    /// The outcome as delivered.
    #[schema(value_type = Object)]
    pub outcome: serde_json::Value,
    pub recorded_at: String,
    pub stored_at: String,
}

#[utoipa::path(get, path = "/api/v1/staff/appointments/{id}/case", tag = "outcomes",
    responses((status = 200, body = CaseView, description = "The appointment's case in the built-in case store"),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn case(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<CaseView>> {
    let id = appointment_id(&id)?;
    let tenant = app.db.tenant(claims.tenant).await?;
    let case = app
        .db
        .builtin_case(tenant.id, id)
        .await?
        .ok_or(Error::NotFound("case"))?;
    Ok(Json(CaseView {
        id: case.id,
        appointment_id: case.appointment_id,
        title: case.title,
        opened_at: local(&tenant, case.opened_at),
        events: case
            .events
            .into_iter()
            .map(|e| CaseEventView {
                idempotency_key: e.idempotency_key,
                version: e.version,
                outcome: e.payload,
                recorded_at: local(&tenant, e.recorded_at),
                stored_at: local(&tenant, e.stored_at),
            })
            .collect(),
    }))
}

async fn own_service(app: &App, tenant: TenantId, raw: &str) -> Result<ServiceId> {
    let id: ServiceId = raw.parse().map_err(|_| Error::NotFound("service"))?;
    app.db.service(tenant, id).await?;
    Ok(id)
}

#[utoipa::path(get, path = "/api/v1/staff/services/{id}/results", tag = "outcomes",
    responses((status = 200, body = Vec<ResultOption>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn results(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<Vec<ResultOption>>> {
    let service = own_service(&app, claims.tenant, &id).await?;
    Ok(Json(app.db.service_results(service).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ResultsBody {
    pub results: Vec<ResultOption>,
}

#[utoipa::path(put, path = "/api/v1/admin/services/{id}/results", tag = "outcomes", request_body = ResultsBody,
    responses((status = 200, body = Vec<ResultOption>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_results(
    State(app): State<App>,
    Admin(claims): Admin,
    Path(id): Path<String>,
    Json(body): Json<ResultsBody>,
) -> Result<Json<Vec<ResultOption>>> {
    Ok(Json(
        crate::usecases::admin::services::set_results(&app, claims.tenant, &id, body.results)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/admin/case-store", tag = "outcomes",
    responses((status = 200, body = CaseStoreSettings, description = "Secrets are shown as ********"),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn case_store(
    State(app): State<App>,
    Admin(claims): Admin,
) -> Result<Json<CaseStoreSettings>> {
    Ok(Json(
        app.db.case_store_settings(claims.tenant).await?.redacted(),
    ))
}

#[utoipa::path(put, path = "/api/v1/admin/case-store", tag = "outcomes", request_body = CaseStoreSettings,
    responses((status = 200, body = CaseStoreSettings), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn set_case_store(
    State(app): State<App>,
    Admin(claims): Admin,
    Json(mut body): Json<CaseStoreSettings>,
) -> Result<Json<CaseStoreSettings>> {
    // The form shows the secret redacted; sending that back means "keep the stored one".
    if let CaseStoreSettings::Zgw(new) = &mut body {
        if new.secret == REDACTED {
            match app.db.case_store_settings(claims.tenant).await? {
                CaseStoreSettings::Zgw(old) => new.secret = old.secret,
                CaseStoreSettings::Builtin => {
                    return Err(Error::invalid("secret", "give the secret"));
                }
            }
        }
    }
    let settings = body.validate()?;
    app.db
        .save_case_store_settings(claims.tenant, &settings, app.clock.now())
        .await?;
    tracing::info!(admin = %claims.sub, kind = settings.kind(), "case store changed");
    Ok(Json(settings.redacted()))
}

#[derive(Deserialize, IntoParams)]
pub struct DeliveriesQuery {
    /// pending, delivered or failing (the default).
    pub state: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/admin/deliveries", tag = "outcomes", params(DeliveriesQuery),
    responses((status = 200, body = Vec<DeliveryView>, description = "At most 500, oldest first"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn deliveries(
    State(app): State<App>,
    Admin(claims): Admin,
    Query(q): Query<DeliveriesQuery>,
) -> Result<Json<Vec<DeliveryView>>> {
    let tenant = app.db.tenant(claims.tenant).await?;
    let list =
        crate::usecases::admin::deliveries::deliveries(&app, tenant.id, q.state.as_deref()).await?;
    Ok(Json(
        list.iter().map(|e| DeliveryView::new(&tenant, e)).collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/admin/deliveries/{id}/retry", tag = "outcomes",
    responses((status = 204, description = "Due now; the worker picks it up"), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn retry(
    State(app): State<App>,
    Admin(claims): Admin,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    crate::usecases::admin::deliveries::retry_delivery(&app, claims.tenant, claims.sub, &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Retried {
    pub retried: u64,
}

#[utoipa::path(post, path = "/api/v1/admin/deliveries/retry-failing", tag = "outcomes",
    responses((status = 200, body = Retried, description = "Every failing delivery is due now"),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn retry_failing(State(app): State<App>, Admin(claims): Admin) -> Result<Json<Retried>> {
    let retried =
        crate::usecases::admin::deliveries::retry_failing(&app, claims.tenant, claims.sub).await?;
    Ok(Json(Retried { retried }))
}
