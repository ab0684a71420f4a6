//! Feedback after the call through the personal link, and the complaints follow-up list for
//! the municipality's admins.

use super::{Json, Path, Query};
use crate::api::problem::Problem;
use crate::auth::Admin;
use crate::domain::feedback::Feedback;
use crate::domain::ids::{AppointmentId, ClerkId, ServiceId};
use crate::domain::tenant::Tenant;
use crate::error::{Error, Result};
use crate::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/personal/{token}/feedback", get(read).post(give))
        .route("/api/v1/admin/comments", get(comments))
        .route(
            "/api/v1/admin/comments/{id}/complaint",
            post(mark_complaint),
        )
        .route("/api/v1/admin/complaints", get(complaints))
        .route("/api/v1/admin/complaints/{id}/handled", post(handled))
}

fn local(tenant: &Tenant, at: jiff::Timestamp) -> String {
    at.to_zoned(tenant.time_zone.tz().clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackView {
    #[schema(value_type = String, format = "uuid")]
    pub id: Uuid,
    pub appointment_id: AppointmentId,
    pub service_id: ServiceId,
    pub rating: u8,
    pub comment: String,
    pub complaint: bool,
    /// RFC 3339, municipality's local time.
    pub given_at: String,
    pub handled_at: Option<String>,
    pub handled_by: Option<ClerkId>,
    pub handled_note: Option<String>,
    /// The municipality's answer to the complaint, as the resident received it.
    pub answer: Option<String>,
}

impl FeedbackView {
    fn new(tenant: &Tenant, f: &Feedback) -> Self {
        Self {
            id: f.id,
            appointment_id: f.appointment_id,
            service_id: f.service_id,
            rating: f.rating,
            comment: f.comment.clone(),
            complaint: f.complaint,
            given_at: local(tenant, f.given_at),
            handled_at: f.handled_at.map(|t| local(tenant, t)),
            handled_by: f.handled_by,
            handled_note: f.handled_note.clone(),
            answer: f.answer.clone(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct FeedbackBody {
    /// 1 (very bad) to 10 (excellent).
    #[schema(minimum = 1, maximum = 10)]
    pub rating: i64,
    /// Required (not blank) for a complaint.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub comment: String,
    /// Mark the comment as a complaint: the municipality follows it up.
    #[serde(default)]
    pub complaint: bool,
}

/// Rate the call
///
/// After the call started: a rating 1-10, an optional comment and whether it is a complaint. Once per appointment.
#[utoipa::path(post, path = "/api/v1/personal/{token}/feedback", tag = "resident", request_body = FeedbackBody,
    responses((status = 201, body = FeedbackView), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Before the call started (no clerk called yet and before the start), cancelled, or already given"), (status = 422, body = Problem)))]
pub async fn give(
    State(app): State<App>,
    Path(token): Path<String>,
    Json(body): Json<FeedbackBody>,
) -> Result<(StatusCode, Json<FeedbackView>)> {
    let u = super::personal::unlock(&app, &token).await?;
    let given =
        crate::usecases::feedback::give(&app, &u, body.rating, &body.comment, body.complaint)
            .await?;
    Ok((
        StatusCode::CREATED,
        Json(FeedbackView::new(&u.tenant, &given)),
    ))
}

/// Read the given feedback
///
/// 404 when none was given yet.
#[utoipa::path(get, path = "/api/v1/personal/{token}/feedback", tag = "resident",
    responses((status = 200, body = FeedbackView), (status = 404, body = Problem, description = "No feedback yet, or a wrong link")))]
pub async fn read(State(app): State<App>, Path(token): Path<String>) -> Result<Json<FeedbackView>> {
    let u = super::personal::unlock(&app, &token).await?;
    let given = crate::usecases::feedback::given(&app, &u)
        .await?
        .ok_or(Error::NotFound("feedback"))?;
    Ok(Json(FeedbackView::new(&u.tenant, &given)))
}

/// List comments
///
/// Feedback with a comment, newest first.
#[utoipa::path(get, path = "/api/v1/admin/comments", tag = "feedback",
    responses((status = 200, body = Vec<FeedbackView>, description = "Feedback with a comment, newest first"),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn comments(
    State(app): State<App>,
    Admin(claims): Admin,
) -> Result<Json<Vec<FeedbackView>>> {
    let tenant = crate::usecases::desk::municipality(&app, &claims).await?;
    let list = crate::usecases::admin::complaints::comments(&app, tenant.id).await?;
    Ok(Json(
        list.iter().map(|f| FeedbackView::new(&tenant, f)).collect(),
    ))
}

/// Mark a comment as a complaint
///
/// It goes on the complaints list.
#[utoipa::path(post, path = "/api/v1/admin/comments/{id}/complaint", tag = "feedback",
    responses((status = 204, description = "On the complaints list"), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn mark_complaint(
    State(app): State<App>,
    Admin(claims): Admin,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    crate::usecases::admin::complaints::mark_complaint(&app, claims.tenant, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct ComplaintsQuery {
    /// `all` includes the handled complaints; by default only the open ones.
    #[param(pattern = "^(open|all)$")]
    pub state: Option<String>,
}

/// List complaints
///
/// Oldest first; only the open ones unless `state` is `all`.
#[utoipa::path(get, path = "/api/v1/admin/complaints", tag = "feedback", params(ComplaintsQuery),
    responses((status = 200, body = Vec<FeedbackView>, description = "Oldest first"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn complaints(
    State(app): State<App>,
    Admin(claims): Admin,
    Query(q): Query<ComplaintsQuery>,
) -> Result<Json<Vec<FeedbackView>>> {
    let all = match q.state.as_deref() {
        None | Some("open") => false,
        Some("all") => true,
        Some(_) => return Err(Error::BadRequest("state is open or all".into())),
    };
    let tenant = crate::usecases::desk::municipality(&app, &claims).await?;
    let list = crate::usecases::admin::complaints::complaints(&app, tenant.id, all).await?;
    Ok(Json(
        list.iter().map(|f| FeedbackView::new(&tenant, f)).collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct HandledBody {
    /// How the complaint was handled, for the record.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub note: String,
    /// The answer for the resident: mailed to them and shown on their personal link page.
    /// Empty or left out: no answer (for example when the resident was phoned).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub answer: String,
}

/// Mark a complaint handled
///
/// With a note on what was done; it leaves the open list.
#[utoipa::path(post, path = "/api/v1/admin/complaints/{id}/handled", tag = "feedback", request_body = HandledBody,
    responses((status = 204, description = "Off the open list"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn handled(
    State(app): State<App>,
    Admin(claims): Admin,
    Path(id): Path<String>,
    Json(body): Json<HandledBody>,
) -> Result<StatusCode> {
    crate::usecases::admin::complaints::handle_complaint(
        &app,
        claims.tenant,
        claims.sub,
        &id,
        &body.note,
        &body.answer,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
