//! Issue 16: finding an appointment with its booking code (residents), and a clerk acting
//! for a caller (book, move, cancel, send the confirmation again, search). The use cases are
//! `usecases::find_appointment` and `usecases::for_caller`.

use super::public::{
    local_rfc3339, parse_date, parse_service, AppointmentView, BookedView, ConsentChoice,
    SlotQuery, SlotView,
};
use super::{Json, Path, Query};
use crate::api::problem::Problem;
use crate::api::security::ClientAddress;
use crate::auth::Staff;
use crate::domain::ids::AppointmentId;
use crate::domain::start_time::StartTime;
use crate::error::{Error, Result};
use crate::usecases::booking::BookingRequest;
use crate::usecases::find_appointment::{self, FindRequest};
use crate::usecases::for_caller;
use crate::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/tenants/{slug}/appointments/find", post(find))
        .route("/api/v1/staff/bookable-services", get(services))
        .route("/api/v1/staff/services/{id}/slots", get(slots))
        .route("/api/v1/staff/bookings", post(book))
        .route("/api/v1/staff/search", get(search))
        .route(
            "/api/v1/staff/appointments/{id}/reschedule",
            post(reschedule),
        )
        .route("/api/v1/staff/appointments/{id}/cancel", post(cancel))
        .route("/api/v1/staff/appointments/{id}/resend", post(resend))
        .route("/api/v1/staff/appointments/{id}/follow-up", post(follow_up))
}

#[derive(Deserialize, ToSchema)]
pub struct FindBody {
    /// The booking code, as written or read aloud: `K7M-4QX-9P` (any case, dashes and spaces
    /// optional).
    #[schema(max_length = 40)]
    pub code: String,
    /// The phone number given with the appointment; or leave it out and give `date`.
    #[schema(max_length = 40)]
    pub phone: Option<String>,
    /// The local date of the appointment, YYYY-MM-DD.
    #[schema(format = Date)]
    pub date: Option<String>,
}

/// Find an appointment with its booking code
///
/// With the booking code and the phone number given with the appointment, or the code and the date of the appointment, the answer carries a new personal link (the earlier ones keep working). Any mismatch is the same 404, whichever part was wrong. Attempts are limited per client address and per code (429 with `Retry-After`). Written to the resident's access log.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/appointments/find", tag = "public", request_body = FindBody,
    responses((status = 200, body = BookedView), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "The code is not a booking code (a typing mistake), or neither phone nor date was given"),
        (status = 429, body = Problem, description = "Too many attempts from this address or on this code; `Retry-After` says when to try again")))]
pub async fn find(
    State(app): State<App>,
    ClientAddress(client): ClientAddress,
    Path(slug): Path<String>,
    Json(body): Json<FindBody>,
) -> Result<Json<BookedView>> {
    let tenant = crate::usecases::booking::municipality(&app, &slug).await?;
    let request = FindRequest::parse(&body.code, body.phone.as_deref(), body.date.as_deref())?;
    request.count(&app, client)?;
    let u = find_appointment::find(&app, &tenant, &request).await?;
    Ok(Json(BookedView {
        appointment: AppointmentView::new(&u.tenant, &u.service, &u.appointment),
        personal_link: app.personal_link(&u.token),
        token: u.token.as_str().to_string(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct BookableService {
    pub id: crate::domain::ids::ServiceId,
    pub name: String,
    pub duration_minutes: i64,
}

/// The services the clerk may book for a caller
///
/// The offered services the clerk handles (all of them for an admin).
#[utoipa::path(get, path = "/api/v1/staff/bookable-services", tag = "staff",
    responses((status = 200, body = Vec<BookableService>), (status = 401, body = Problem)))]
pub async fn services(
    State(app): State<App>,
    Staff(claims): Staff,
) -> Result<Json<Vec<BookableService>>> {
    Ok(Json(
        for_caller::services(&app, &claims)
            .await?
            .into_iter()
            .map(|s| BookableService {
                id: s.id,
                name: s.name,
                duration_minutes: s.duration_minutes,
            })
            .collect(),
    ))
}

/// Free times of a service the clerk handles
///
/// As the public slot list; another service is a 404.
#[utoipa::path(get, path = "/api/v1/staff/services/{id}/slots", tag = "staff", params(SlotQuery),
    responses((status = 200, body = Vec<SlotView>), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn slots(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
    Query(q): Query<SlotQuery>,
) -> Result<Json<Vec<SlotView>>> {
    let (from, to) = (parse_date("/from", &q.from)?, parse_date("/to", &q.to)?);
    let (tenant, _, slots) = for_caller::slots(
        &app,
        &claims,
        parse_service(&id)?,
        q.people.unwrap_or(1),
        from,
        to,
    )
    .await?;
    Ok(Json(
        slots
            .iter()
            .map(|s| SlotView {
                start: local_rfc3339(&tenant, s.start),
                end: local_rfc3339(&tenant, s.end),
                free_clerks: s.clerks.len(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct CallerBookingBody {
    #[schema(
        pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub service_id: String,
    /// RFC 3339, one of the free times.
    #[schema(format = DateTime)]
    pub start: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// One of `email` and `phone` is required.
    #[serde(default)]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[schema(max_length = 40)]
    pub phone: Option<String>,
    #[schema(max_length = 1000)]
    pub note: Option<String>,
    /// Choices the caller made on the phone; left out, the resident is asked later through the
    /// personal link.
    #[serde(default)]
    pub consents: Vec<ConsentChoice>,
    /// The names of the other people in the appointment, as in the public booking; more than
    /// the service allows is a 422 with `field` `/people`.
    #[serde(default)]
    #[schema(max_items = 7)]
    pub people: Vec<String>,
    /// The language the caller speaks or the interpreter they need, as in the public booking:
    /// one line of at most 80 characters, blank for none; otherwise a 422 with `field`
    /// `/language`.
    #[serde(default)]
    #[schema(max_length = 80, example = "Engels")]
    pub language: Option<String>,
}

/// Book for a caller
///
/// A clerk books for a resident on the phone, for a service they handle. The resident's access log says the appointment was made by a clerk on the phone. The answer carries the booking code to read aloud and the personal link (mailed when an e-mail address was given).
#[utoipa::path(post, path = "/api/v1/staff/bookings", tag = "staff", request_body = CallerBookingBody,
    responses((status = 201, body = BookedView), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn book(
    State(app): State<App>,
    Staff(claims): Staff,
    Json(body): Json<CallerBookingBody>,
) -> Result<(StatusCode, Json<BookedView>)> {
    let service = parse_service(&body.service_id)?;
    let request = BookingRequest::parse(
        &body.start,
        &body.name,
        body.email.as_deref().unwrap_or(""),
        body.phone.as_deref(),
        body.note.as_deref(),
    )?
    .with_consents(
        body.consents
            .into_iter()
            .map(|c| (c.source, c.choice))
            .collect(),
    )
    .with_people(body.people)
    .with_language(body.language.as_deref())?;
    let people = request.people.clone();
    let booked = for_caller::book(&app, &claims, service, request).await?;
    let tenant = crate::usecases::desk::municipality(&app, &claims).await?;
    let service = for_caller::service(&app, &claims, service).await?;
    Ok((
        StatusCode::CREATED,
        Json(BookedView {
            appointment: AppointmentView {
                people,
                ..AppointmentView::new(&tenant, &service, &booked.appointment)
            },
            personal_link: app.personal_link(&booked.token),
            token: booked.token.as_str().to_string(),
        }),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// A name (or part of it), phone number, e-mail address or booking code.
    pub q: String,
}

/// Find appointments for a caller
///
/// Appointments from today on of the services the clerk handles, by name, phone number, e-mail address or booking code; at most 20. Each one shown is written to that resident's access log.
#[utoipa::path(get, path = "/api/v1/staff/search", tag = "staff", params(SearchQuery),
    responses((status = 200, body = Vec<AppointmentView>), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn search(
    State(app): State<App>,
    Staff(claims): Staff,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Vec<AppointmentView>>> {
    let (tenant, found) = for_caller::search(&app, &claims, &q.q).await?;
    Ok(Json(
        found
            .iter()
            .map(|(a, s)| AppointmentView::new(&tenant, s, a))
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct RescheduleBody {
    /// RFC 3339, one of the free times.
    #[schema(format = DateTime)]
    pub start: String,
}

fn appointment_id(raw: &str) -> Result<AppointmentId> {
    raw.parse().map_err(|_| Error::NotFound("appointment"))
}

fn acted(app: &App, a: for_caller::Acted) -> BookedView {
    BookedView {
        appointment: AppointmentView::new(&a.tenant, &a.service, &a.appointment),
        personal_link: app.personal_link(&a.token),
        token: a.token.as_str().to_string(),
    }
}

/// Move an appointment for a caller
///
/// Logged in the resident's access log; the answer carries a new personal link (mailed when there is an e-mail address).
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/reschedule", tag = "staff", request_body = RescheduleBody,
    responses((status = 200, body = BookedView), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reschedule(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
    Json(body): Json<RescheduleBody>,
) -> Result<Json<BookedView>> {
    let start = StartTime::parse(&body.start)?;
    let a = for_caller::reschedule(&app, &claims, appointment_id(&id)?, start).await?;
    Ok(Json(acted(&app, a)))
}

/// Cancel an appointment for a caller
///
/// Logged in the resident's access log.
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/cancel", tag = "staff",
    responses((status = 200, body = BookedView), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<BookedView>> {
    let a = for_caller::cancel(&app, &claims, appointment_id(&id)?).await?;
    Ok(Json(acted(&app, a)))
}

/// Send the confirmation again
///
/// Issues a fresh personal link (the earlier ones keep working), sends it through the message outbox (mail and/or text, as the confirmation), and answers with it and the booking code so the clerk can read them out. Logged in the resident's access log.
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/resend", tag = "staff",
    responses((status = 200, body = BookedView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn resend(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
) -> Result<Json<BookedView>> {
    let a = for_caller::resend(&app, &claims, appointment_id(&id)?).await?;
    Ok(Json(acted(&app, a)))
}

#[derive(Deserialize, ToSchema)]
pub struct FollowUpBody {
    /// The service of the follow-up: the same or another the clerk handles.
    #[schema(
        pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub service_id: String,
    /// RFC 3339, one of the service's free times.
    #[schema(format = DateTime)]
    pub start: String,
}

/// Book a follow-up appointment
///
/// After a call: books a new appointment for the same resident as appointment `{id}` (name, e-mail and phone taken from it), as a booking for a caller: the confirmation with the booking code goes through the message outbox and the new appointment's access log says a clerk made it.
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/follow-up", tag = "staff", request_body = FollowUpBody,
    responses((status = 201, body = BookedView), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn follow_up(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(id): Path<String>,
    Json(body): Json<FollowUpBody>,
) -> Result<(StatusCode, Json<BookedView>)> {
    let after = appointment_id(&id)?;
    let service = parse_service(&body.service_id)?;
    let start = StartTime::parse(&body.start)?;
    let booked = for_caller::follow_up(&app, &claims, after, service, start).await?;
    let tenant = crate::usecases::desk::municipality(&app, &claims).await?;
    let service = for_caller::service(&app, &claims, service).await?;
    Ok((
        StatusCode::CREATED,
        Json(BookedView {
            appointment: AppointmentView::new(&tenant, &service, &booked.appointment),
            personal_link: app.personal_link(&booked.token),
            token: booked.token.as_str().to_string(),
        }),
    ))
}
