//! Public endpoints: what a resident without an account may see and do.

use super::{Json, Path, Query};
use crate::api::problem::Problem;
use crate::api::security::ClientAddress;
use crate::domain::appointment::AppointmentStatus;
use crate::domain::catalog::Service;
use crate::domain::consent::Choice;
use crate::domain::ids::{AppointmentId, ServiceId};
use crate::domain::tenant::{Colour, Tenant, Tone};
use crate::error::{Error, Result};
use crate::usecases;
use crate::usecases::booking::BookingRequest;
use crate::App;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What residents may know about a municipality.
#[derive(Serialize, ToSchema)]
pub struct TenantView {
    pub slug: String,
    pub name: String,
    pub tone: Tone,
    pub primary_colour: Colour,
    pub secondary_colour: Colour,
    pub walk_ins_allowed: bool,
    pub time_zone: String,
}

impl From<&Tenant> for TenantView {
    fn from(t: &Tenant) -> Self {
        Self {
            slug: t.slug.to_string(),
            name: t.name.clone(),
            tone: t.tone,
            primary_colour: t.primary_colour.clone(),
            secondary_colour: t.secondary_colour.clone(),
            walk_ins_allowed: t.walk_ins_allowed,
            time_zone: t.time_zone.as_str().to_string(),
        }
    }
}

/// List the municipalities
///
/// Every municipality on this platform, with the slug that names it in the other routes.
#[utoipa::path(get, path = "/api/v1/tenants", tag = "public", responses((status = 200, body = Vec<TenantView>)))]
pub async fn tenants(State(app): State<App>) -> Result<Json<Vec<TenantView>>> {
    Ok(Json(
        usecases::booking::municipalities(&app)
            .await?
            .iter()
            .map(TenantView::from)
            .collect(),
    ))
}

/// Read a municipality
///
/// Name, tone, colours, time zone and whether it takes walk-ins.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}", tag = "public",
    responses((status = 200, body = TenantView), (status = 404, body = Problem)))]
pub async fn tenant(State(app): State<App>, Path(slug): Path<String>) -> Result<Json<TenantView>> {
    Ok(Json(TenantView::from(
        &crate::usecases::booking::municipality(&app, &slug).await?,
    )))
}

/// List a municipality's services
///
/// The services offered to residents now; a stopped service is left out.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/services", tag = "public",
    responses((status = 200, body = Vec<Service>), (status = 404, body = Problem)))]
pub async fn services(
    State(app): State<App>,
    Path(slug): Path<String>,
) -> Result<Json<Vec<Service>>> {
    let tenant = crate::usecases::booking::municipality(&app, &slug).await?;
    Ok(Json(
        usecases::booking::offered_services(&app, tenant.id).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct SlotQuery {
    /// First local date, YYYY-MM-DD.
    #[param(format = Date)]
    pub from: String,
    /// Last local date (inclusive), YYYY-MM-DD, at most 62 days after `from`.
    #[param(format = Date)]
    pub to: String,
    /// For how many people the appointment is (the resident included; 1 when left out). Each
    /// extra person makes the appointment longer by the service's minutes per extra person,
    /// so the slots offered are long enough; more than the service allows is a 422.
    #[param(minimum = 1, maximum = 8)]
    pub people: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct SlotView {
    /// Start, RFC 3339 with the municipality's UTC offset.
    pub start: String,
    pub end: String,
    /// How many clerks are free at this time.
    pub free_clerks: usize,
}

pub(crate) fn local_rfc3339(tenant: &Tenant, at: jiff::Timestamp) -> String {
    at.to_zoned(tenant.time_zone.tz().clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// A date query parameter; `pointer` names the parameter (`/from`).
pub(crate) fn parse_date(pointer: &str, raw: &str) -> Result<Date> {
    raw.parse().map_err(|_| {
        Error::invalid(
            pointer,
            "Geef een datum als JJJJ-MM-DD, bijvoorbeeld 2026-03-30.",
            "Give a date as YYYY-MM-DD, e.g. 2026-03-30.",
        )
    })
}

pub(crate) fn parse_service(raw: &str) -> Result<ServiceId> {
    raw.parse().map_err(|_| Error::NotFound("service"))
}

/// List the free slots of a service
///
/// Start times between `from` and `to` (local dates, inclusive) at which at least one clerk is free. Times carry the municipality's UTC offset; give one of these starts unchanged when booking.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/services/{service}/slots", tag = "public", params(SlotQuery),
    responses((status = 200, body = Vec<SlotView>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn slots(
    State(app): State<App>,
    Path((slug, service)): Path<(String, String)>,
    Query(q): Query<SlotQuery>,
) -> Result<Json<Vec<SlotView>>> {
    let tenant = crate::usecases::booking::municipality(&app, &slug).await?;
    let service =
        usecases::booking::offered_service(&app, tenant.id, parse_service(&service)?).await?;
    let (from, to) = (parse_date("/from", &q.from)?, parse_date("/to", &q.to)?);
    let people = q.people.unwrap_or(1);
    let slots = usecases::booking::slots_for(&app, &tenant, &service, people, from, to).await?;
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

/// A question before booking (issue 16 item 7), as residents see it.
#[derive(Serialize, ToSchema)]
pub struct QuestionView {
    pub id: String,
    pub text: String,
    /// In the order shown; an answer's `index` is what `triage` in the booking carries.
    pub answers: Vec<AnswerView>,
}

/// An answer and what it leads to.
#[derive(Serialize, ToSchema)]
pub struct AnswerView {
    pub index: usize,
    pub label: String,
    /// `continue` (choose a time), `inform` (choose a time after reading `text`), `counter`
    /// (not by video: come to `place`) or `call_us` (phone the municipality first).
    pub verdict: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl From<&crate::domain::triage::Question> for QuestionView {
    fn from(q: &crate::domain::triage::Question) -> Self {
        use crate::domain::triage::Verdict;
        Self {
            id: q.id.to_string(),
            text: q.text.clone(),
            answers: q
                .answers
                .iter()
                .enumerate()
                .map(|(index, a)| {
                    let (verdict, place, text) = match &a.verdict {
                        Verdict::Continue => ("continue", None, None),
                        Verdict::Counter { place } => ("counter", Some(place.clone()), None),
                        Verdict::CallUs => ("call_us", None, None),
                        Verdict::Inform { text } => ("inform", None, Some(text.clone())),
                    };
                    AnswerView {
                        index,
                        label: a.label.clone(),
                        verdict: verdict.to_string(),
                        place,
                        text,
                    }
                })
                .collect(),
        }
    }
}

/// List a service's questions before booking
///
/// The questions a resident answers before choosing a time, with what each answer leads to. An empty list: the service asks nothing. Send the chosen answers' indexes as `triage` when booking.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/services/{service}/questions", tag = "public",
    responses((status = 200, body = Vec<QuestionView>), (status = 404, body = Problem)))]
pub async fn questions(
    State(app): State<App>,
    Path((slug, service)): Path<(String, String)>,
) -> Result<Json<Vec<QuestionView>>> {
    let tenant = crate::usecases::booking::municipality(&app, &slug).await?;
    let service =
        usecases::booking::offered_service(&app, tenant.id, parse_service(&service)?).await?;
    let questions = usecases::triage::questions(&app, &service).await?;
    Ok(Json(questions.iter().map(QuestionView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct BookingBody {
    #[schema(
        pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub service_id: String,
    /// RFC 3339, one of the offered slot starts.
    #[schema(format = DateTime)]
    pub start: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// The e-mail address for the confirmation. May be left out (or empty) when `phone` is
    /// given: one of the two is required, or the answer is 422 with `field` `/email`.
    #[serde(default)]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    /// A (mobile) phone number: Dutch (`06-12345678`) or international (`+32 ...`).
    #[schema(max_length = 20, pattern = r"^[ +()-]*([0-9][ +()-]*){6,}$")]
    pub phone: Option<String>,
    #[schema(max_length = 1000)]
    pub note: Option<String>,
    /// The resident's choice per information source of the service (see
    /// `GET /api/v1/tenants/{slug}/services/{service}/sources`), stored with the appointment
    /// in the same transaction. Sources left out can be chosen later through the personal
    /// link. An unknown or repeated source is a 422 with `field` `/consents/{i}/source`, and nothing is
    /// booked.
    #[serde(default)]
    pub consents: Vec<ConsentChoice>,
    /// The answers to the service's questions before booking, when it has any: the index of
    /// the chosen answer per question in order, joined by `-` (e.g. `0-1`). Missing, or an
    /// answer that does not lead to a video call, is a 422 with `field` `/triage`.
    #[schema(max_length = 40, pattern = r"^[0-9]+(-[0-9]+)*$")]
    pub triage: Option<String>,
    /// The names of the other people in the appointment (issue 16 item 8), when the service
    /// allows more than one person: each adds the service's minutes per extra person, so give
    /// a start from the slots asked with `people` = 1 + this list's length. More people than
    /// the service allows is a 422 with `field` `/people`, and nothing is booked.
    #[serde(default)]
    #[schema(max_items = 7)]
    pub people: Vec<String>,
    /// The language the resident speaks or the interpreter they need, in their own words (issue
    /// 21): one line of at most 80 characters. The clerk sees it in the work lists, so an
    /// interpreter can be invited before the call. Left out, `null` or blank: none. Too long,
    /// more than one line or a control character is a 422 with `field` `/language`, and
    /// nothing is booked. Erased with the resident's other data.
    #[serde(default)]
    #[schema(max_length = 80, example = "Arabisch, tolk nodig")]
    pub language: Option<String>,
}

/// One choice for one information source.
#[derive(Deserialize, ToSchema)]
pub struct ConsentChoice {
    /// A source code of the service, e.g. `brp`.
    pub source: String,
    pub choice: Choice,
}

/// An appointment as the resident sees it.
#[derive(Serialize, ToSchema)]
pub struct AppointmentView {
    pub id: AppointmentId,
    pub tenant: String,
    pub service_id: ServiceId,
    pub service: String,
    pub start: String,
    pub end: String,
    /// Date and time in Dutch words.
    pub when: String,
    pub status: AppointmentStatus,
    pub sequence: u32,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub note: Option<String>,
    /// The language or interpreter the resident needs, as they typed it; `null` when none.
    #[schema(example = "Arabisch, tolk nodig")]
    pub language: Option<String>,
    /// The booking code to read aloud or find the appointment with, grouped: `K7M-4QX-9P`.
    pub booking_code: String,
    /// The answers to the service's questions before booking, for the clerk (staff view only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub triage: Vec<crate::domain::triage::Given>,
    /// The names of the other people in the appointment, besides the resident.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<String>,
}

impl AppointmentView {
    pub fn new(
        tenant: &Tenant,
        service: &Service,
        a: &crate::domain::appointment::Appointment,
    ) -> Self {
        Self {
            id: a.id,
            tenant: tenant.slug.to_string(),
            service_id: service.id,
            service: service.name.clone(),
            start: local_rfc3339(tenant, a.start),
            end: local_rfc3339(tenant, a.end),
            when: usecases::booking::when_in_words(tenant, a.start),
            status: a.status,
            sequence: a.sequence,
            name: a.resident.name.clone(),
            email: a.resident.email().map(ToString::to_string),
            phone: a.resident.phone().map(ToString::to_string),
            note: a.resident.note.clone(),
            language: a.resident.language.clone(),
            booking_code: a.code.grouped(),
            triage: Vec::new(),
            people: Vec::new(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BookedView {
    pub appointment: AppointmentView,
    /// The secret personal link; shown once, also sent by mail.
    pub personal_link: String,
    pub token: String,
}

/// Book an appointment
///
/// Journey 1 (book). Books one of the offered slot starts for the resident and mails the invite. The answer carries the secret personal link and its `token`, which the `resident` operations take; it is shown only once.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/appointments", tag = "public", request_body = BookingBody,
    responses((status = 201, body = BookedView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 429, body = Problem, description = "Too many bookings from this client address, e-mail address or phone number; `Retry-After` says when to try again"),
        (status = 422, body = Problem, description = "A field is wrong (`field` names it), including an unknown source in `consents`")))]
pub async fn book(
    State(app): State<App>,
    ClientAddress(client): ClientAddress,
    Path(slug): Path<String>,
    Json(body): Json<BookingBody>,
) -> Result<(StatusCode, Json<BookedView>)> {
    let tenant = crate::usecases::booking::municipality(&app, &slug).await?;
    let service =
        usecases::booking::offered_service(&app, tenant.id, parse_service(&body.service_id)?)
            .await?;
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
    .with_triage(body.triage)
    .with_people(body.people)
    .with_language(body.language.as_deref())?;
    request.count(&app, client)?;
    let people = request.people.clone();
    let booked = usecases::booking::book(&app, &tenant, &service, request).await?;
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
