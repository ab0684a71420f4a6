//! Outcome endpoints: clerks record and correct a call's outcome and see its delivery to the
//! case store; admins configure result lists and the case store, and retry failing deliveries.
//!
//! Recording only writes the outcome and its outbox event (one transaction) and answers; the
//! delivery worker talks to the case store afterwards, so a slow or broken case store never
//! holds up the clerk.

use super::{Json, Path, Query};
use crate::adapters::case_store::CaseStoreSettings;
use crate::api::problem::Problem;
use crate::auth::{Admin, Staff};
use crate::domain::ids::{AppointmentId, CallbackId, ClerkId, QueueEntryId};
use crate::domain::outbox::{overall, DeliveryState};
use crate::domain::outcome::{FollowUp, Outcome, OutcomeDraft, ResultOption, Subject};
use crate::domain::tenant::Tenant;
use crate::error::{Error, Result};
use crate::store::OutboxEntry;
use crate::usecases;
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
        .route(
            "/api/v1/staff/queue/{id}/outcomes",
            get(entry_history).post(record_for_entry),
        )
        .route("/api/v1/staff/queue/{id}/case", get(entry_case))
        .route(
            "/api/v1/staff/callbacks/{id}/outcomes",
            get(callback_history).post(record_for_callback),
        )
        .route("/api/v1/staff/callbacks/{id}/case", get(callback_case))
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

/// What an outcome, delivery or case is about: exactly one of the three ids is present.
#[derive(Serialize, ToSchema)]
pub struct SubjectView {
    /// A booked appointment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appointment_id: Option<AppointmentId>,
    /// A walk-in: the queue entry without appointment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_entry_id: Option<QueueEntryId>,
    /// A callback request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_id: Option<CallbackId>,
}

impl From<Subject> for SubjectView {
    fn from(s: Subject) -> Self {
        Self {
            appointment_id: s.appointment(),
            queue_entry_id: s.queue_entry(),
            callback_id: s.callback(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    /// The event id; also the idempotency key sent to the case store.
    #[schema(value_type = String, format = "uuid")]
    pub id: Uuid,
    #[serde(flatten)]
    pub subject: SubjectView,
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
            subject: e.subject.into(),
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

/// The outcome history of an appointment, walk-in or callback, and where its delivery stands.
#[derive(Serialize, ToSchema)]
pub struct OutcomesView {
    #[serde(flatten)]
    pub subject: SubjectView,
    /// Worst state over all events: failing, pending or delivered; absent before any outcome.
    pub delivery: Option<DeliveryState>,
    /// Oldest first; the last one is in force.
    pub outcomes: Vec<OutcomeView>,
    pub deliveries: Vec<DeliveryView>,
    /// The results the clerk can choose from.
    pub results: Vec<ResultOption>,
}

impl OutcomesView {
    fn new(h: &usecases::outcome::History) -> Self {
        let states: Vec<DeliveryState> = h.deliveries.iter().map(|d| d.state).collect();
        Self {
            subject: h.subject.into(),
            delivery: overall(&states),
            outcomes: h
                .outcomes
                .iter()
                .map(|o| OutcomeView::new(&h.tenant, o))
                .collect(),
            deliveries: h
                .deliveries
                .iter()
                .map(|d| DeliveryView::new(&h.tenant, d))
                .collect(),
            results: h.results.clone(),
        }
    }
}

fn appointment_id(raw: &str) -> Result<AppointmentId> {
    raw.parse().map_err(|_| Error::NotFound("appointment"))
}

/// Read the outcomes of an appointment
///
/// Every version, oldest first (the last is in force), with the delivery state and the results the clerk can choose from.
#[utoipa::path(get, path = "/api/v1/staff/appointments/{id}/outcomes", tag = "outcomes",
    responses((status = 200, body = OutcomesView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn history(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<OutcomesView>> {
    let history = usecases::outcome::history(&app, &claims, appointment_id(&id)?).await?;
    Ok(Json(OutcomesView::new(&history)))
}

#[derive(Deserialize, ToSchema)]
pub struct RecordBody {
    /// A code from the service's result list.
    pub result: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub notes: String,
    pub follow_up: FollowUp,
    /// Information sources consulted.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub sources: Vec<String>,
    /// For a correction: the version being corrected (the latest the clerk saw).
    #[schema(minimum = 1)]
    pub corrects: Option<u32>,
}

/// Record or correct the outcome
///
/// Journey 3 (outcome). The result (one of the service's result list), notes, follow-up and the sources consulted. A correction is a new version: `corrects` names the latest version the clerk saw (409 when another came since). A consulted source the resident did not leave to the municipality is a 422. Delivery to the case store follows.
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/outcomes", tag = "outcomes", request_body = RecordBody,
    responses((status = 201, body = OutcomesView, description = "Recorded; delivery to the case store follows"),
        (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn record(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
    Json(body): Json<RecordBody>,
) -> Result<(StatusCode, Json<OutcomesView>)> {
    let draft = OutcomeDraft {
        result: body.result,
        notes: body.notes,
        follow_up: body.follow_up,
        sources: body.sources,
    };
    let history =
        usecases::outcome::record(&app, &claims, appointment_id(&id)?, draft, body.corrects)
            .await?;
    Ok((StatusCode::CREATED, Json(OutcomesView::new(&history))))
}

#[derive(Serialize, ToSchema)]
pub struct CaseView {
    #[schema(value_type = String, format = "uuid")]
    pub id: Uuid,
    #[serde(flatten)]
    pub subject: SubjectView,
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

/// Read the appointment's case
///
/// The case in the built-in case store, once delivered.
#[utoipa::path(get, path = "/api/v1/staff/appointments/{id}/case", tag = "outcomes",
    responses((status = 200, body = CaseView, description = "The appointment's case in the built-in case store"),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn case(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<CaseView>> {
    let (tenant, case) = usecases::outcome::case(&app, &claims, appointment_id(&id)?).await?;
    Ok(Json(CaseView::new(&tenant, case)))
}

impl CaseView {
    fn new(tenant: &Tenant, case: crate::store::BuiltinCase) -> Self {
        Self {
            id: case.id,
            subject: case.subject.into(),
            title: case.title,
            opened_at: local(tenant, case.opened_at),
            events: case
                .events
                .into_iter()
                .map(|e| CaseEventView {
                    idempotency_key: e.idempotency_key,
                    version: e.version,
                    outcome: e.payload,
                    recorded_at: local(tenant, e.recorded_at),
                    stored_at: local(tenant, e.stored_at),
                })
                .collect(),
        }
    }
}

fn entry_id(raw: &str) -> Result<QueueEntryId> {
    raw.parse().map_err(|_| Error::NotFound("queue entry"))
}

fn callback_id(raw: &str) -> Result<CallbackId> {
    raw.parse().map_err(|_| Error::NotFound("callback"))
}

fn draft_of(body: RecordBody) -> (OutcomeDraft, Option<u32>) {
    (
        OutcomeDraft {
            result: body.result,
            notes: body.notes,
            follow_up: body.follow_up,
            sources: body.sources,
        },
        body.corrects,
    )
}

/// Read the outcomes of the call with a queue entry
///
/// A walk-in's outcomes (an entry with an appointment answers with the appointment's), oldest first, with the delivery state and the results to choose from.
#[utoipa::path(get, path = "/api/v1/staff/queue/{id}/outcomes", tag = "outcomes",
    responses((status = 200, body = OutcomesView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn entry_history(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<OutcomesView>> {
    let history = usecases::outcome::history_for_entry(&app, &claims, entry_id(&id)?).await?;
    Ok(Json(OutcomesView::new(&history)))
}

/// Record or correct the outcome of a walk-in
///
/// The same form as for an appointment, into the same outbox and case store, once a clerk called the resident. A walk-in left no information source to the municipality, so `sources` must be empty (422 otherwise).
#[utoipa::path(post, path = "/api/v1/staff/queue/{id}/outcomes", tag = "outcomes", request_body = RecordBody,
    responses((status = 201, body = OutcomesView, description = "Recorded; delivery to the case store follows"),
        (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn record_for_entry(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
    Json(body): Json<RecordBody>,
) -> Result<(StatusCode, Json<OutcomesView>)> {
    let (draft, corrects) = draft_of(body);
    let history =
        usecases::outcome::record_for_entry(&app, &claims, entry_id(&id)?, draft, corrects).await?;
    Ok((StatusCode::CREATED, Json(OutcomesView::new(&history))))
}

/// Read a walk-in's case
///
/// The case in the built-in case store, once delivered.
#[utoipa::path(get, path = "/api/v1/staff/queue/{id}/case", tag = "outcomes",
    responses((status = 200, body = CaseView, description = "The walk-in's case in the built-in case store"),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn entry_case(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<CaseView>> {
    let (tenant, case) = usecases::outcome::case_for_entry(&app, &claims, entry_id(&id)?).await?;
    Ok(Json(CaseView::new(&tenant, case)))
}

/// Read the outcomes of a callback
///
/// Oldest first, with the delivery state and the results to choose from.
#[utoipa::path(get, path = "/api/v1/staff/callbacks/{id}/outcomes", tag = "outcomes",
    responses((status = 200, body = OutcomesView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn callback_history(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<OutcomesView>> {
    let history = usecases::outcome::history_for_callback(&app, &claims, callback_id(&id)?).await?;
    Ok(Json(OutcomesView::new(&history)))
}

/// Record or correct the outcome of a callback
///
/// Once an attempt reached the resident (409 before). `sources` must be empty, as for a walk-in.
#[utoipa::path(post, path = "/api/v1/staff/callbacks/{id}/outcomes", tag = "outcomes", request_body = RecordBody,
    responses((status = 201, body = OutcomesView, description = "Recorded; delivery to the case store follows"),
        (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn record_for_callback(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
    Json(body): Json<RecordBody>,
) -> Result<(StatusCode, Json<OutcomesView>)> {
    let (draft, corrects) = draft_of(body);
    let history =
        usecases::outcome::record_for_callback(&app, &claims, callback_id(&id)?, draft, corrects)
            .await?;
    Ok((StatusCode::CREATED, Json(OutcomesView::new(&history))))
}

/// Read a callback's case
///
/// The case in the built-in case store, once delivered.
#[utoipa::path(get, path = "/api/v1/staff/callbacks/{id}/case", tag = "outcomes",
    responses((status = 200, body = CaseView, description = "The callback's case in the built-in case store"),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn callback_case(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<CaseView>> {
    let (tenant, case) =
        usecases::outcome::case_for_callback(&app, &claims, callback_id(&id)?).await?;
    Ok(Json(CaseView::new(&tenant, case)))
}

/// List a service's results
///
/// The result codes a clerk may record for this service.
#[utoipa::path(get, path = "/api/v1/staff/services/{id}/results", tag = "outcomes",
    responses((status = 200, body = Vec<ResultOption>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn results(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<Vec<ResultOption>>> {
    Ok(Json(usecases::outcome::results(&app, &claims, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ResultsBody {
    pub results: Vec<ResultOption>,
}

/// Set a service's results
///
/// Replaces the list of result codes a clerk may record.
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
        crate::usecases::admin::services::set_results(&app, &claims, &id, body.results).await?,
    ))
}

/// Read the case-store settings
///
/// Built-in or a ZGW Zaken API; secrets are shown as ********.
#[utoipa::path(get, path = "/api/v1/admin/case-store", tag = "outcomes",
    responses((status = 200, body = CaseStoreSettings, description = "Secrets are shown as ********"),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn case_store(
    State(app): State<App>,
    Admin(claims): Admin,
) -> Result<Json<CaseStoreSettings>> {
    Ok(Json(
        usecases::admin::case_store::settings(&app, &claims).await?,
    ))
}

/// Change the case-store settings
///
/// Built-in or a ZGW Zaken API with its address and credentials. A secret of ********
/// keeps the stored one only while `zaken_api` and `client_id` stay the same; with a new
/// address or client id the secret must be entered again (422, field `secret`). The worker
/// calls only public addresses unless the operator allows others (`--case-store-allow`).
#[utoipa::path(put, path = "/api/v1/admin/case-store", tag = "outcomes", request_body = CaseStoreSettings,
    responses((status = 200, body = CaseStoreSettings), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn set_case_store(
    State(app): State<App>,
    Admin(claims): Admin,
    Json(body): Json<CaseStoreSettings>,
) -> Result<Json<CaseStoreSettings>> {
    // The form shows the secret redacted; sending that back means "keep the stored one"
    // (for the same address and client id).
    Ok(Json(
        usecases::admin::case_store::change(&app, &claims, body).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct DeliveriesQuery {
    /// pending, delivered or failing (the default).
    #[param(pattern = "^(pending|delivered|failing)$")]
    pub state: Option<String>,
}

/// List case-store deliveries
///
/// At most 500, oldest first, in one state (`failing` by default).
#[utoipa::path(get, path = "/api/v1/admin/deliveries", tag = "outcomes", params(DeliveriesQuery),
    responses((status = 200, body = Vec<DeliveryView>, description = "At most 500, oldest first"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn deliveries(
    State(app): State<App>,
    Admin(claims): Admin,
    Query(q): Query<DeliveriesQuery>,
) -> Result<Json<Vec<DeliveryView>>> {
    let tenant = usecases::desk::municipality(&app, &claims).await?;
    let list = usecases::admin::deliveries::deliveries(&app, tenant.id, q.state.as_deref()).await?;
    Ok(Json(
        list.iter().map(|e| DeliveryView::new(&tenant, e)).collect(),
    ))
}

/// Retry one delivery
///
/// Due now; the worker picks it up.
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

/// Retry every failing delivery
///
/// Every failing delivery is due now.
#[utoipa::path(post, path = "/api/v1/admin/deliveries/retry-failing", tag = "outcomes",
    responses((status = 200, body = Retried, description = "Every failing delivery is due now"),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn retry_failing(State(app): State<App>, Admin(claims): Admin) -> Result<Json<Retried>> {
    let retried =
        crate::usecases::admin::deliveries::retry_failing(&app, claims.tenant, claims.sub).await?;
    Ok(Json(Retried { retried }))
}
