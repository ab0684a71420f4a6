//! Queue endpoints. Residents: check in with the personal link, walk in, follow and answer their
//! entry with its token (a wrong token is a plain 404). Clerks: the live queue, call next, call
//! one, done — scoped to the session's municipality and the clerk's services.

use super::personal::unlock;
use super::{Json, Path};
use crate::api::problem::Problem;
use crate::api::security::ClientAddress;
use crate::auth::Staff;
use crate::domain::catalog::Service;
use crate::domain::ids::{AppointmentId, ClerkId, ServiceId};
use crate::domain::queue::{EntryStatus, QueueEntry, QueueEntryId};
use crate::domain::tenant::Tenant;
use crate::error::{Error, Result};
use crate::usecases;
use crate::usecases::queue::WalkInRequest;
use crate::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn local_rfc3339(tenant: &Tenant, at: Timestamp) -> String {
    at.to_zoned(tenant.time_zone.tz().clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn service_of(services: &[Service], id: ServiceId) -> Result<&Service> {
    services
        .iter()
        .find(|s| s.id == id)
        .ok_or(Error::NotFound("service"))
}

/// A queue entry as the resident sees it.
#[derive(Serialize, ToSchema)]
pub struct QueueEntryView {
    pub status: EntryStatus,
    pub service: String,
    /// 1 means next, among everyone waiting for this service; absent unless waiting.
    pub place: Option<usize>,
    /// Expected minutes until a clerk calls; absent unless waiting.
    pub expected_wait_minutes: Option<i64>,
    /// The appointment's start for a check-in; absent for a walk-in.
    pub appointment_start: Option<String>,
    pub joined_at: String,
    /// The video room to join once called.
    pub room_id: Option<String>,
    /// The clerk continues the conversation by phone (issue 15 item 5).
    pub continued_by_phone: bool,
    /// The number the clerk calls: the resident's own, as they gave it; only once
    /// `continued_by_phone`.
    pub phone: Option<String>,
}

pub(super) async fn resident_view(
    app: &App,
    tenant: &Tenant,
    entry: &QueueEntry,
) -> Result<QueueEntryView> {
    let usecases::queue::Standing {
        entry,
        service,
        place,
    } = usecases::queue::standing(app, tenant, entry.id).await?;
    Ok(entry_view(tenant, &entry, &service, place))
}

/// The resident's view of an entry whose service and place are known (the live streams take
/// them from the shared snapshot).
pub(super) fn entry_view(
    tenant: &Tenant,
    entry: &QueueEntry,
    service: &Service,
    place: Option<usecases::queue::Place>,
) -> QueueEntryView {
    QueueEntryView {
        status: entry.status,
        service: service.name.clone(),
        place: place.map(|p| p.place),
        expected_wait_minutes: place.map(|p| (p.expected_wait.as_secs() + 59) / 60),
        appointment_start: entry.due_at.map(|d| local_rfc3339(tenant, d)),
        joined_at: local_rfc3339(tenant, entry.joined_at),
        room_id: entry.room_id.clone(),
        continued_by_phone: entry.by_phone_at.is_some(),
        phone: entry.by_phone_at.and(entry.resident_phone.clone()),
    }
}

/// Check in for the appointment
///
/// Puts the appointment in the counter queue, from when check-in opens. Follow the entry at `GET /api/v1/queue-entries/{token}` with the entry's token from the answer.
#[utoipa::path(post, path = "/api/v1/personal/{token}/check-in", tag = "queue",
    responses((status = 200, body = QueueEntryView, description = "In the queue; follow it at /api/v1/queue-entries/{token}"),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "Too early (says from when), too late, or cancelled")))]
pub async fn check_in(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<Json<QueueEntryView>> {
    let u = unlock(&app, &token).await?;
    let entry = usecases::queue::check_in(&app, &u.tenant, &u.appointment, &u.token).await?;
    Ok(Json(resident_view(&app, &u.tenant, &entry).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct WalkInBody {
    #[schema(
        pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub service_id: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// For a callback when the video call fails: 6 to 15 digits; spaces, `+`, `-` and
    /// parentheses may separate them.
    #[schema(pattern = r"^[ +()-]*([0-9][ +()-]*){6,15}$")]
    pub phone: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct WalkInView {
    /// The secret to follow the entry with at /api/v1/queue-entries/{token}; shown once.
    pub token: String,
    pub entry: QueueEntryView,
}

/// Join the queue without an appointment
///
/// Journey 2 (queue call), step 1. The answer carries the entry's `token`: keep it to follow the place in the queue, to answer the call and to get the room token.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/walk-ins", tag = "queue", request_body = WalkInBody,
    responses((status = 201, body = WalkInView), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "The municipality takes no walk-ins, or nobody who handles the service works now (`WalkInClosed`: the detail says when walk-ins open next)"), (status = 422, body = Problem),
        (status = 429, body = Problem, description = "Too many walk-ins from this client address or phone number; `Retry-After` says when to try again")))]
pub async fn walk_in(
    State(app): State<App>,
    ClientAddress(client): ClientAddress,
    Path(slug): Path<String>,
    Json(body): Json<WalkInBody>,
) -> Result<(StatusCode, Json<WalkInView>)> {
    let tenant = crate::usecases::booking::municipality(&app, &slug).await?;
    let service_id = body
        .service_id
        .parse()
        .map_err(|_| Error::NotFound("service"))?;
    let request = WalkInRequest::parse(service_id, &body.name, body.phone.as_deref())?;
    request.count(&app, client)?;
    let (entry, token) = usecases::queue::walk_in(&app, &tenant, request).await?;
    Ok((
        StatusCode::CREATED,
        Json(WalkInView {
            token: token.as_str().to_string(),
            entry: resident_view(&app, &tenant, &entry).await?,
        }),
    ))
}

/// Read a queue entry
///
/// Place in the queue, expected wait and status (`waiting`, `called`, `answered`, `done`, `missed` or `left`); `room_id` once a clerk calls.
#[utoipa::path(get, path = "/api/v1/queue-entries/{token}", tag = "queue",
    responses((status = 200, body = QueueEntryView), (status = 404, body = Problem)))]
pub async fn entry(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<Json<QueueEntryView>> {
    let (tenant, entry) = usecases::queue::entry_by_token(&app, &token).await?;
    Ok(Json(resident_view(&app, &tenant, &entry).await?))
}

/// Answer the clerk's call
///
/// Journey 2, step 3. While the entry is `called` (within 60 seconds of the call) the resident answers; the entry becomes `answered`. Then both sides fetch their room token.
#[utoipa::path(post, path = "/api/v1/queue-entries/{token}/answer", tag = "queue",
    responses((status = 200, body = QueueEntryView), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Not being called")))]
pub async fn answer(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<Json<QueueEntryView>> {
    let (tenant, entry) = usecases::queue::entry_by_token(&app, &token).await?;
    let answered = usecases::queue::answer(&app, &entry).await?;
    Ok(Json(resident_view(&app, &tenant, &answered).await?))
}

/// Leave the queue
///
/// While waiting or being called. A conversation is ended by the clerk.
#[utoipa::path(post, path = "/api/v1/queue-entries/{token}/leave", tag = "queue",
    responses((status = 200, body = QueueEntryView, description = "Left; the status is `left`"), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Not waiting or being called (a conversation is ended by the clerk)")))]
pub async fn leave(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<Json<QueueEntryView>> {
    let (tenant, entry) = usecases::queue::entry_by_token(&app, &token).await?;
    let left = usecases::queue::leave(&app, &entry).await?;
    Ok(Json(resident_view(&app, &tenant, &left).await?))
}

/// Get the resident's room token for a queue call
///
/// Journey 2, step 4 (resident). Works once a clerk calls this entry. The ticket carries the token for the signalling WebSocket (see docs/signaling.md).
#[utoipa::path(post, path = "/api/v1/queue-entries/{token}/room-token", tag = "queue",
    responses((status = 200, body = super::personal::RoomTicket), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "No clerk is calling this entry")))]
pub async fn resident_room_token(
    State(app): State<App>,
    Extension(issuer): Extension<crate::domain::rooms::Issuer>,
    Path(token): Path<String>,
) -> Result<Json<super::personal::RoomTicket>> {
    let (tenant, entry) = usecases::queue::entry_by_token(&app, &token).await?;
    let grant = crate::domain::rooms::queue_grant(
        &entry,
        crate::domain::rooms::QueueCaller::Resident,
        tenant.slug.as_str(),
        app.clock.now(),
    )?;
    Ok(Json(super::personal::RoomTicket::new(&grant, &issuer)))
}

/// Get the clerk's room token for a queue call
///
/// Journey 2, step 4 (clerk). Only the clerk who called the entry, while it is `called` or `answered`.
#[utoipa::path(post, path = "/api/v1/staff/queue/{id}/room-token", tag = "queue",
    responses((status = 200, body = super::personal::RoomTicket), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "Another clerk called this entry"), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Not being called or in a call")))]
pub async fn clerk_room_token(
    State(app): State<App>,
    Extension(issuer): Extension<crate::domain::rooms::Issuer>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<super::personal::RoomTicket>> {
    let grant = usecases::queue::clerk_room_grant(&app, &claims, parse_entry_id(&id)?).await?;
    Ok(Json(super::personal::RoomTicket::new(&grant, &issuer)))
}

/// A queue entry as a clerk sees it.
#[derive(Serialize, ToSchema)]
pub struct StaffQueueEntryView {
    pub id: QueueEntryId,
    /// The checked-in appointment (for its details and the outcome); absent for a walk-in.
    pub appointment_id: Option<AppointmentId>,
    pub status: EntryStatus,
    pub walk_in: bool,
    pub service_id: ServiceId,
    pub service: String,
    pub resident_name: String,
    pub resident_phone: Option<String>,
    pub appointment_start: Option<String>,
    /// The appointment's time has come.
    pub due: bool,
    /// Still waiting after the appointment's start.
    pub late: bool,
    /// Went back to the head after an unanswered call.
    pub requeued: bool,
    /// The clerk continued the conversation by phone.
    pub continued_by_phone: bool,
    pub joined_at: String,
    pub waiting_seconds: i64,
    pub clerk_id: Option<ClerkId>,
    pub room_id: Option<String>,
}

pub(super) fn staff_view(
    tenant: &Tenant,
    services: &[Service],
    e: &QueueEntry,
    now: Timestamp,
) -> Result<StaffQueueEntryView> {
    Ok(StaffQueueEntryView {
        id: e.id,
        appointment_id: e.appointment_id,
        status: e.status,
        walk_in: e.is_walk_in(),
        service_id: e.service_id,
        service: service_of(services, e.service_id)?.name.clone(),
        resident_name: e.resident_name.clone(),
        resident_phone: e.resident_phone.clone(),
        appointment_start: e.due_at.map(|d| local_rfc3339(tenant, d)),
        due: e.is_due(now),
        late: e.is_late(now),
        requeued: e.requeued,
        continued_by_phone: e.by_phone_at.is_some(),
        joined_at: local_rfc3339(tenant, e.joined_at),
        waiting_seconds: now.duration_since(e.joined_at).as_secs().max(0),
        clerk_id: e.clerk_id,
        room_id: e.room_id.clone(),
    })
}

/// List the queue
///
/// Waiting residents in calling order, then those with a clerk. Opening the queue is written to the access log of residents with an appointment.
#[utoipa::path(get, path = "/api/v1/staff/queue", tag = "queue",
    responses((status = 200, body = Vec<StaffQueueEntryView>, description = "Waiting residents in calling order, then those with a clerk"),
        (status = 401, body = Problem)))]
pub async fn live_queue(
    State(app): State<App>,
    Staff(claims): Staff,
) -> Result<Json<Vec<StaffQueueEntryView>>> {
    // Opening the list is logged for the residents with an appointment (see `desk::queue`).
    let (tenant, entries) = crate::usecases::desk::queue(&app, &claims).await?;
    let services = crate::usecases::desk::services(&app, tenant.id).await?;
    let now = app.clock.now();
    entries
        .iter()
        .map(|e| staff_view(&tenant, &services, e, now))
        .collect::<Result<Vec<_>>>()
        .map(Json)
}

pub(super) async fn staff_answer(
    app: &App,
    entry: &QueueEntry,
) -> Result<Json<StaffQueueEntryView>> {
    let tenant = usecases::desk::municipality_by_id(app, entry.tenant_id).await?;
    let services = usecases::desk::services(app, tenant.id).await?;
    Ok(Json(staff_view(
        &tenant,
        &services,
        entry,
        app.clock.now(),
    )?))
}

/// Call the next resident
///
/// Journey 2, step 2. Takes the first waiting resident for one of this clerk's services (no two clerks get the same one). 204 when nobody waits. The resident has 60 seconds to answer.
#[utoipa::path(post, path = "/api/v1/staff/queue/call-next", tag = "queue",
    responses((status = 200, body = StaffQueueEntryView, description = "The resident is now this clerk's"),
        (status = 204, description = "Nobody waits for this clerk's services"), (status = 401, body = Problem)))]
pub async fn call_next(State(app): State<App>, Staff(claims): Staff) -> Result<Response> {
    match usecases::queue::call_next(&app, &claims).await? {
        Some(entry) => Ok(staff_answer(&app, &entry).await?.into_response()),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

pub(super) fn parse_entry_id(raw: &str) -> Result<QueueEntryId> {
    raw.parse().map_err(|_| Error::NotFound("queue entry"))
}

/// Call a given resident
///
/// Calls one waiting entry out of order.
#[utoipa::path(post, path = "/api/v1/staff/queue/{id}/call", tag = "queue",
    responses((status = 200, body = StaffQueueEntryView), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "Not one of this clerk's services"), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "No longer waiting")))]
pub async fn call(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<StaffQueueEntryView>> {
    let entry = usecases::queue::call(&app, &claims, parse_entry_id(&id)?).await?;
    staff_answer(&app, &entry).await
}

/// End the conversation
///
/// The entry is done; the clerk can call the next resident.
#[utoipa::path(post, path = "/api/v1/staff/queue/{id}/done", tag = "queue",
    responses((status = 200, body = StaffQueueEntryView), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Not in a call with this clerk")))]
pub async fn done(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<StaffQueueEntryView>> {
    let entry = usecases::queue::finish(&app, &claims, parse_entry_id(&id)?).await?;
    staff_answer(&app, &entry).await
}

/// Continue by phone
///
/// The video call did not connect or was too poor: the clerk phones the resident. The entry is
/// done, as after ending the conversation, and the resident's page says the clerk calls them.
#[utoipa::path(post, path = "/api/v1/staff/queue/{id}/by-phone", tag = "queue",
    responses((status = 200, body = StaffQueueEntryView), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Not in a call with this clerk")))]
pub async fn by_phone(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<StaffQueueEntryView>> {
    let entry = usecases::queue::continue_by_phone(&app, &claims, parse_entry_id(&id)?).await?;
    staff_answer(&app, &entry).await
}

/// Today's queue in numbers, for the clerks' overview.
#[derive(Serialize, ToSchema)]
pub struct QueueSummaryView {
    pub waiting: i64,
    pub with_clerk: i64,
    pub handled: i64,
    pub missed: i64,
    /// Residents who left the queue themselves.
    pub left: i64,
    pub late: i64,
    /// Today's appointments nobody checked in for within the grace period.
    pub no_shows: Vec<AppointmentId>,
    pub open_callbacks: i64,
    pub handled_callbacks: i64,
}

/// Count the queue
///
/// Today's figures: waiting, with a clerk, handled, missed, left, late, the no-shows and the open callback requests.
#[utoipa::path(get, path = "/api/v1/staff/queue/summary", tag = "queue",
    responses((status = 200, body = QueueSummaryView), (status = 401, body = Problem)))]
pub async fn summary(
    State(app): State<App>,
    Staff(claims): Staff,
) -> Result<Json<QueueSummaryView>> {
    let tenant = crate::usecases::desk::municipality(&app, &claims).await?;
    let s = usecases::queue::day_summary(&app, &tenant).await?;
    Ok(Json(QueueSummaryView {
        waiting: s.waiting,
        with_clerk: s.with_clerk,
        handled: s.handled,
        missed: s.missed,
        left: s.left,
        late: s.late,
        no_shows: s.no_shows,
        open_callbacks: s.open_callbacks,
        handled_callbacks: s.handled_callbacks,
    }))
}
