//! A clerk's status (available, paused, in a call, finishing), the team's statuses, the queue
//! as a work list (take one resident with a reason, hand over with a note, no-show), and for
//! admins the time per status per week and the longest after-call work.

use super::queue::{parse_entry_id, staff_answer, StaffQueueEntryView};
use super::{Json, Path, Query};
use crate::api::problem::Problem;
use crate::auth::{Admin, Staff};
use crate::domain::clerk_status::{ClerkStatus, Event, Now};
use crate::domain::ids::ClerkId;
use crate::domain::queue::QueueEntryId;
use crate::domain::tenant::Tenant;
use crate::error::{Error, Result};
use crate::usecases;
use crate::usecases::worklist::HandTo;
use crate::App;
use axum::extract::State;
use axum::routing::{get, post, put};
use axum::Router;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/staff/status", get(mine).put(set))
        .route("/api/v1/staff/team", get(team))
        .route("/api/v1/staff/queue/{id}/take", post(take))
        .route("/api/v1/staff/queue/{id}/hand-over", post(hand_over))
        .route("/api/v1/staff/queue/{id}/no-show", post(no_show))
        .route("/api/v1/admin/clerk-status/weeks", get(weeks))
        .route("/api/v1/admin/clerk-status/settings", put(settings))
}

fn local(tenant: &Tenant, at: Timestamp) -> String {
    at.to_zoned(tenant.time_zone.tz().clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// A clerk's status now.
#[derive(Clone, Serialize, ToSchema)]
pub struct StatusView {
    pub status: ClerkStatus,
    /// Why the clerk paused, when they said.
    pub reason: Option<String>,
    /// Since when (local RFC 3339); absent when never set (available by default).
    pub since: Option<String>,
}

impl StatusView {
    pub(super) fn new(tenant: &Tenant, now: Now) -> Self {
        Self {
            status: now.status,
            reason: now.reason,
            since: now.since.map(|s| local(tenant, s)),
        }
    }
}

/// Read my status
///
/// `available`, `paused` (with the reason, if given), `in_call` or `finishing`, and since when. Finishing becomes available by itself after the municipality's maximum.
#[utoipa::path(get, path = "/api/v1/staff/status", tag = "queue",
    responses((status = 200, body = StatusView), (status = 401, body = Problem)))]
pub async fn mine(State(app): State<App>, Staff(claims): Staff) -> Result<Json<StatusView>> {
    let tenant = usecases::desk::municipality(&app, &claims).await?;
    let now = usecases::clerk_status::mine(&app, &claims).await?;
    Ok(Json(StatusView::new(&tenant, now)))
}

#[derive(Deserialize, ToSchema)]
pub struct StatusBody {
    /// `available` or `paused`; in a call and finishing follow the calls.
    #[schema(pattern = "^(available|paused)$")]
    pub status: String,
    /// Why, for a pause (optional, one line, at most 100 characters).
    #[schema(max_length = 100)]
    pub reason: Option<String>,
}

/// Set my status
///
/// Available or paused (with an optional reason). A paused clerk is left out of the expected wait and cannot call anyone in. Calling someone in sets `in_call`, ending the call `finishing`, which becomes `available` after the municipality's maximum.
#[utoipa::path(put, path = "/api/v1/staff/status", tag = "queue", request_body = StatusBody,
    responses((status = 200, body = StatusView), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn set(
    State(app): State<App>,
    Staff(claims): Staff,
    Json(body): Json<StatusBody>,
) -> Result<Json<StatusView>> {
    let event = match body.status.as_str() {
        "available" => Event::Available,
        "paused" => Event::Pause {
            reason: usecases::clerk_status::parse_reason(body.reason.as_deref())?,
        },
        _ => {
            return Err(Error::invalid(
                "/status",
                "Kies available (beschikbaar) of paused (pauze).",
                "Choose available or paused.",
            ))
        }
    };
    let tenant = usecases::desk::municipality(&app, &claims).await?;
    let now = usecases::clerk_status::set(&app, &claims, event).await?;
    Ok(Json(StatusView::new(&tenant, now)))
}

/// A member of the municipality's staff with their status.
#[derive(Clone, Serialize, ToSchema)]
pub struct MemberView {
    pub clerk_id: ClerkId,
    pub name: String,
    #[serde(flatten)]
    pub status: StatusView,
}

pub(super) async fn team_view(app: &App, tenant: &Tenant) -> Result<Vec<MemberView>> {
    Ok(usecases::clerk_status::team(app, tenant.id)
        .await?
        .into_iter()
        .map(|m| MemberView {
            clerk_id: m.clerk_id,
            name: m.name,
            status: StatusView::new(tenant, m.now),
        })
        .collect())
}

/// Read the team's statuses
///
/// Every clerk of the municipality with their status now; live in `GET /api/v1/staff/queue/events`.
#[utoipa::path(get, path = "/api/v1/staff/team", tag = "queue",
    responses((status = 200, body = Vec<MemberView>), (status = 401, body = Problem)))]
pub async fn team(State(app): State<App>, Staff(claims): Staff) -> Result<Json<Vec<MemberView>>> {
    let tenant = usecases::desk::municipality(&app, &claims).await?;
    Ok(Json(team_view(&app, &tenant).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct TakeBody {
    /// Why this resident out of the default order (logged).
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub reason: String,
}

/// Take a particular resident
///
/// Calls one waiting resident out of the default order; the reason is logged. When two clerks take the same resident at once, one wins and the other gets 409 (`TakenByColleague`).
#[utoipa::path(post, path = "/api/v1/staff/queue/{id}/take", tag = "queue", request_body = TakeBody,
    responses((status = 200, body = StaffQueueEntryView), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Taken by a colleague, no longer waiting, or you are paused"),
        (status = 422, body = Problem)))]
pub async fn take(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
    Json(body): Json<TakeBody>,
) -> Result<Json<StaffQueueEntryView>> {
    let entry = usecases::worklist::take(&app, &claims, parse_entry_id(&id)?, &body.reason).await?;
    staff_answer(&app, &entry).await
}

#[derive(Deserialize, ToSchema)]
pub struct HandOverBody {
    /// The colleague to hand to (one of `to_clerk` and `to_service`).
    #[schema(
        pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub to_clerk: Option<String>,
    /// The service whose queue the resident joins, keeping the time they joined.
    #[schema(
        pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub to_service: Option<String>,
    /// For the receiver.
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// Hand a resident over
///
/// To a colleague (who gets them first) or to another service's queue, with a note for the receiver; the resident keeps the time they joined.
#[utoipa::path(post, path = "/api/v1/staff/queue/{id}/hand-over", tag = "queue", request_body = HandOverBody,
    responses((status = 200, body = StaffQueueEntryView), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Not waiting and not in a call with you"), (status = 422, body = Problem)))]
pub async fn hand_over(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
    Json(body): Json<HandOverBody>,
) -> Result<Json<StaffQueueEntryView>> {
    let to = HandTo::parse(body.to_clerk.as_deref(), body.to_service.as_deref())?;
    let id: QueueEntryId = parse_entry_id(&id)?;
    let entry =
        usecases::worklist::hand_over(&app, &claims, id, to, body.note.as_deref().unwrap_or(""))
            .await?;
    staff_answer(&app, &entry).await
}

/// Mark as no-show
///
/// A waiting resident who is not there: the entry becomes `missed`.
#[utoipa::path(post, path = "/api/v1/staff/queue/{id}/no-show", tag = "queue",
    responses((status = 200, body = StaffQueueEntryView), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "No longer waiting")))]
pub async fn no_show(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<StaffQueueEntryView>> {
    let entry = usecases::worklist::mark_no_show(&app, &claims, parse_entry_id(&id)?).await?;
    staff_answer(&app, &entry).await
}

#[derive(Deserialize, IntoParams)]
pub struct WeeksQuery {
    /// First local date, YYYY-MM-DD (from its week's Monday); default 11 weeks before `to`.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last local date, YYYY-MM-DD, inclusive; default today.
    #[param(format = Date)]
    pub to: Option<String>,
}

/// Seconds per status of one clerk in one ISO week.
#[derive(Serialize, ToSchema)]
pub struct WeekStatusView {
    /// The week's Monday, YYYY-MM-DD.
    pub week: String,
    pub clerk_id: ClerkId,
    pub clerk: String,
    pub available_seconds: i64,
    pub paused_seconds: i64,
    pub in_call_seconds: i64,
    pub finishing_seconds: i64,
}

/// Time per status per week
///
/// Per clerk and local ISO week: seconds available, paused, in a call and finishing (after-call work up to the maximum; beyond it counts as available).
#[utoipa::path(get, path = "/api/v1/admin/clerk-status/weeks", tag = "dashboard", params(WeeksQuery),
    responses((status = 200, body = Vec<WeekStatusView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn weeks(
    State(app): State<App>,
    Admin(claims): Admin,
    Query(q): Query<WeeksQuery>,
) -> Result<Json<Vec<WeekStatusView>>> {
    let tenant = usecases::desk::municipality(&app, &claims).await?;
    let rows = usecases::clerk_status::weekly_period(
        &app,
        &claims,
        &tenant,
        q.from.as_deref(),
        q.to.as_deref(),
    )
    .await?;
    Ok(Json(rows.into_iter().map(WeekStatusView::from).collect()))
}

impl From<usecases::clerk_status::WeekStatusRow> for WeekStatusView {
    fn from(r: usecases::clerk_status::WeekStatusRow) -> Self {
        let of = |s: ClerkStatus| {
            r.seconds
                .iter()
                .find(|(x, _)| *x == s)
                .map_or(0, |(_, n)| *n)
        };
        Self {
            week: r.monday.to_string(),
            clerk_id: r.clerk_id,
            available_seconds: of(ClerkStatus::Available),
            paused_seconds: of(ClerkStatus::Paused),
            in_call_seconds: of(ClerkStatus::InCall),
            finishing_seconds: of(ClerkStatus::Finishing),
            clerk: r.clerk,
        }
    }
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct StatusSettings {
    /// The longest after-call work, 0 to 60 minutes; then the clerk is available again.
    #[schema(minimum = 0, maximum = 60)]
    pub finishing_max_minutes: i64,
}

/// Set the longest after-call work
///
/// How long a clerk's status stays `finishing` after a call before it is `available` again, 0 to 60 minutes (default 3).
#[utoipa::path(put, path = "/api/v1/admin/clerk-status/settings", tag = "admin", request_body = StatusSettings,
    responses((status = 200, body = StatusSettings), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn settings(
    State(app): State<App>,
    Admin(claims): Admin,
    Json(body): Json<StatusSettings>,
) -> Result<Json<StatusSettings>> {
    usecases::clerk_status::set_finishing_max(&app, &claims, body.finishing_max_minutes).await?;
    let max = usecases::clerk_status::finishing_max(&app, claims.tenant).await?;
    Ok(Json(StatusSettings {
        finishing_max_minutes: max.as_secs() / 60,
    }))
}
