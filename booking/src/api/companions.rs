//! Companions and interpreters in the call (issue 15 item 4): the resident invites a companion
//! through the personal link, the clerk an interpreter and removes either; the companion's own
//! link gets a room token; the admin sets how many people one call holds.

use super::personal::RoomTicket;
use super::{Json, Path};
use crate::api::problem::Problem;
use crate::auth::{Admin, Staff};
use crate::domain::companion::{CompanionId, CompanionLink, CompanionRole};
use crate::domain::ids::AppointmentId;
use crate::error::{Error, Result};
use crate::usecases::companions::{self, InviteInput, Invited};
use crate::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Extension;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whom to invite.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    /// Their name, shown under their picture in the call.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// Where to mail the link (optional).
    #[serde(default)]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
}

/// An invitation into one appointment's call.
#[derive(Serialize, ToSchema)]
pub struct CompanionView {
    #[schema(value_type = String)]
    pub id: CompanionId,
    pub role: CompanionRole,
    pub name: String,
    pub email: Option<String>,
    /// The participant id in the room (`companion-<id>`).
    pub participant_id: String,
    /// The clerk took them out of the call; the link admits no more.
    pub removed: bool,
}

impl From<&CompanionLink> for CompanionView {
    fn from(l: &CompanionLink) -> Self {
        Self {
            id: l.id,
            role: l.role,
            name: l.name.clone(),
            email: l.email.clone(),
            participant_id: l.id.participant(),
            removed: !l.admits(),
        }
    }
}

/// A new invitation with its link, shown this once.
#[derive(Serialize, ToSchema)]
pub struct InvitedView {
    #[serde(flatten)]
    pub companion: CompanionView,
    /// The companion's own page, `/m/<token>`.
    pub link: String,
}

impl InvitedView {
    fn new(app: &App, invited: &Invited) -> Self {
        Self {
            companion: CompanionView::from(&invited.link),
            link: format!("{}{}", app.base_url.trim_end_matches('/'), invited.path()),
        }
    }
}

fn input(body: InviteBody) -> InviteInput {
    InviteInput {
        name: body.name,
        email: body.email.unwrap_or_default(),
    }
}

fn appointment_id(raw: &str) -> Result<AppointmentId> {
    raw.parse().map_err(|_| Error::NotFound("appointment"))
}

/// Invite a companion to the appointment's call
///
/// The companion gets a link of their own, for this appointment only. At most the municipality's room size less two (resident and clerk) may be invited at once.
#[utoipa::path(post, path = "/api/v1/personal/{token}/companions", tag = "resident", request_body = InviteBody,
    responses((status = 201, body = InvitedView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn invite(
    State(app): State<App>,
    Path(token): Path<String>,
    Json(body): Json<InviteBody>,
) -> Result<(StatusCode, Json<InvitedView>)> {
    let u = super::personal::unlock(&app, &token).await?;
    let invited = companions::invite_companion(&app, &u, &input(body)).await?;
    Ok((StatusCode::CREATED, Json(InvitedView::new(&app, &invited))))
}

/// The companions and interpreters invited to the resident's call
///
/// Each with name, role and whether the link still works; the links themselves are shown only once, when invited.
#[utoipa::path(get, path = "/api/v1/personal/{token}/companions", tag = "resident",
    responses((status = 200, body = Vec<CompanionView>), (status = 404, body = Problem)))]
pub async fn for_resident(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<Json<Vec<CompanionView>>> {
    let u = super::personal::unlock(&app, &token).await?;
    let links = companions::for_resident(&app, &u).await?;
    Ok(Json(links.iter().map(CompanionView::from).collect()))
}

/// Get a companion's room token
///
/// From the companion's own link, once the clerk called the resident in (409 before: ask again), until the appointment is over; never after the clerk removed them (404).
#[utoipa::path(post, path = "/api/v1/companions/{token}/room-token", tag = "resident",
    responses((status = 200, body = RoomTicket), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn room_token(
    State(app): State<App>,
    Extension(issuer): Extension<crate::domain::rooms::Issuer>,
    Path(token): Path<String>,
) -> Result<Json<RoomTicket>> {
    let grant = companions::room_grant(&app, &token).await?;
    Ok(Json(RoomTicket::new(&grant, &issuer)))
}

/// The companions and interpreters invited to an appointment's call
///
/// For the clerk who handles the appointment; another municipality's appointment is not found.
#[utoipa::path(get, path = "/api/v1/staff/appointments/{id}/companions", tag = "staff",
    responses((status = 200, body = Vec<CompanionView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn for_clerk(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<Vec<CompanionView>>> {
    let links = companions::for_clerk(&app, &claims, appointment_id(&id)?).await?;
    Ok(Json(links.iter().map(CompanionView::from).collect()))
}

/// Invite an interpreter to an appointment's call
///
/// Makes a link of its own, valid for this appointment only, within the municipality's room size; mailed when an address is given.
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/interpreters", tag = "staff", request_body = InviteBody,
    responses((status = 201, body = InvitedView), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn invite_interpreter(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
    Json(body): Json<InviteBody>,
) -> Result<(StatusCode, Json<InvitedView>)> {
    let invited =
        companions::invite_interpreter(&app, &claims, appointment_id(&id)?, &input(body)).await?;
    Ok((StatusCode::CREATED, Json(InvitedView::new(&app, &invited))))
}

/// Take a companion or interpreter out of the call
///
/// Their link admits no more. The clerk's page also sends `remove` on the signalling socket, which ends their session at once (docs/signaling.md).
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/companions/{companion}/remove", tag = "staff",
    responses((status = 200, body = CompanionView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn remove(
    State(app): State<App>,
    Staff(claims): Staff,
    Path((id, companion)): Path<(String, String)>,
) -> Result<Json<CompanionView>> {
    let companion: CompanionId = companion
        .parse()
        .map_err(|_| Error::NotFound("companion link"))?;
    let link = companions::remove(&app, &claims, appointment_id(&id)?, companion).await?;
    Ok(Json(CompanionView::from(&link)))
}

/// People in one call at most.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomSizeBody {
    /// 2 to 4 (resident, clerk and up to two companions or interpreters); 3 by default.
    #[schema(minimum = 2, maximum = 4)]
    pub room_size: i64,
}

/// Read how many people one call holds
///
/// The municipality's room size: the resident, the clerk and up to two companions or interpreters.
#[utoipa::path(get, path = "/api/v1/admin/room-size", tag = "admin",
    responses((status = 200, body = RoomSizeBody), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn room_size(State(app): State<App>, Admin(claims): Admin) -> Result<Json<RoomSizeBody>> {
    let size = companions::room_size(&app, claims.tenant).await?;
    Ok(Json(RoomSizeBody {
        room_size: i64::from(size.get()),
    }))
}

/// Change how many people one call holds
///
/// From 2 to 4. Invitations already open stay; new ones are refused once the room is full.
#[utoipa::path(put, path = "/api/v1/admin/room-size", tag = "admin", request_body = RoomSizeBody,
    responses((status = 200, body = RoomSizeBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_room_size(
    State(app): State<App>,
    Admin(claims): Admin,
    Json(body): Json<RoomSizeBody>,
) -> Result<Json<RoomSizeBody>> {
    let size = companions::set_room_size(&app, &claims, body.room_size).await?;
    Ok(Json(RoomSizeBody {
        room_size: i64::from(size.get()),
    }))
}
