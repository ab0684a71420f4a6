//! The JSON API under `/api/v1`. Every failure leaves as RFC 9457 problem+json, including
//! malformed JSON, bad paths and bad query strings (see the extractors below).

mod accounts;
mod admin;
mod callbacks;
mod clerk_status;
mod closing_days;
mod companions;
mod consent;
mod dashboard;
mod document;
mod feedback;
mod for_caller;
#[cfg(test)]
mod fuzz;
pub mod inbound_sms;
pub mod live;
pub mod operator;
mod outcomes;
mod personal;
mod privacy;
pub mod problem;
mod public;
mod queue;
pub mod security;
mod sso;
mod staff;

use crate::error::{BodyProblem, Error};
use crate::App;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts};
use axum::routing::{delete, get, post, put};
use axum::Router;
use document::SharedAnswers;
use utoipa::OpenApi;

/// JSON body whose rejections become problem+json.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Error))]
pub struct Path<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Error))]
pub struct Query<T>(pub T);

impl From<JsonRejection> for Error {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            return Error::TooLarge(MAX_BODY_BYTES);
        }
        // Well-formed JSON with a missing or mistyped field says which; the parser's own text
        // never reaches the client (`api::problem` words it).
        match rejection {
            JsonRejection::JsonDataError(e) => Error::Body(data_problem(&e)),
            _ => Error::Body(BodyProblem::NotJson),
        }
    }
}

/// Names the field a well-formed body got wrong, as a JSON pointer.
fn data_problem(rejection: &axum::extract::rejection::JsonDataError) -> BodyProblem {
    use std::error::Error as _;
    let mut source = rejection.source();
    while let Some(error) = source {
        if let Some(e) = error.downcast_ref::<serde_path_to_error::Error<serde_json::Error>>() {
            return located(e.path(), &e.inner().to_string());
        }
        source = error.source();
    }
    BodyProblem::NotAnObject
}

fn located(path: &serde_path_to_error::Path, message: &str) -> BodyProblem {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        let token = match segment {
            Segment::Seq { index } => index.to_string(),
            Segment::Map { key } => key.clone(),
            Segment::Enum { variant } => variant.clone(),
            Segment::Unknown => continue,
        };
        // RFC 6901: '~' and '/' inside a name are escaped.
        pointer.push('/');
        pointer.push_str(&token.replace('~', "~0").replace('/', "~1"));
    }
    // serde names a missing field in backticks: "missing field `service_id` at line 1 column 2".
    if let Some(rest) = message.strip_prefix("missing field `") {
        if let Some((name, _)) = rest.split_once('`') {
            pointer.push('/');
            pointer.push_str(&name.replace('~', "~0").replace('/', "~1"));
            return BodyProblem::Missing { pointer };
        }
    }
    if pointer.is_empty() {
        BodyProblem::NotAnObject
    } else {
        BodyProblem::WrongValue { pointer }
    }
}
impl From<PathRejection> for Error {
    fn from(_: PathRejection) -> Self {
        Error::NotFound("resource")
    }
}
impl From<QueryRejection> for Error {
    fn from(_: QueryRejection) -> Self {
        // The parser's text names Rust types; the query's parameters are in the API description.
        Error::BadRequest(
            "the query string does not match this address's parameters; see the API description"
                .into(),
        )
    }
}

/// Request bodies are small forms; anything bigger is refused before parsing.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Videoloket API",
        version = "1",
        description = "Book and manage video appointments with a municipality."
    ),
    paths(
        public::tenants,
        public::tenant,
        public::services,
        public::slots,
        public::questions,
        public::book,
        personal::read,
        personal::invite,
        personal::reschedule,
        personal::cancel,
        personal::room_token,
        companions::invite,
        companions::for_resident,
        companions::room_token,
        companions::for_clerk,
        companions::invite_interpreter,
        companions::remove,
        companions::room_size,
        companions::set_room_size,
        staff::login,
        staff::logout,
        staff::me,
        staff::appointments,
        staff::appointment,
        staff::room_token,
        admin::settings,
        admin::update_settings,
        admin::create_service,
        admin::update_service,
        admin::clerks,
        admin::create_clerk,
        admin::update_clerk,
        admin::set_hours,
        admin::add_absence,
        admin::absences,
        admin::remove_absence,
        admin::services,
        admin::set_offered,
        closing_days::closing_days,
        closing_days::add_closing_day,
        closing_days::remove_closing_day,
        accounts::request_reset,
        accounts::set_password,
        accounts::change_password,
        accounts::set_active,
        accounts::audit,
        queue::check_in,
        queue::walk_in,
        queue::entry,
        queue::answer,
        queue::live_queue,
        queue::call_next,
        queue::call,
        queue::done,
        queue::by_phone,
        queue::summary,
        queue::leave,
        queue::resident_room_token,
        queue::clerk_room_token,
        live::staff_events,
        live::entry_events,
        callbacks::request,
        callbacks::open,
        callbacks::done,
        callbacks::attempt,
        for_caller::find,
        for_caller::services,
        for_caller::slots,
        for_caller::book,
        for_caller::search,
        for_caller::reschedule,
        for_caller::cancel,
        for_caller::resend,
        for_caller::follow_up,
        outcomes::history,
        outcomes::record,
        outcomes::case,
        outcomes::entry_history,
        outcomes::record_for_entry,
        outcomes::entry_case,
        outcomes::callback_history,
        outcomes::record_for_callback,
        outcomes::callback_case,
        outcomes::results,
        outcomes::set_results,
        outcomes::case_store,
        outcomes::set_case_store,
        outcomes::deliveries,
        outcomes::retry,
        outcomes::retry_failing,
        consent::set_sources,
        consent::service_sources,
        consent::resident_consent,
        consent::resident_choose,
        consent::staff_consent,
        privacy::access_log,
        privacy::erase,
        feedback::give,
        feedback::read,
        feedback::comments,
        feedback::mark_complaint,
        feedback::complaints,
        feedback::handled,
        dashboard::json,
        dashboard::csv,
        dashboard::chart,
        sso::settings,
        sso::change,
        sso::remove,
        clerk_status::mine,
        clerk_status::set,
        clerk_status::team,
        clerk_status::take,
        clerk_status::hand_over,
        clerk_status::no_show,
        clerk_status::weeks,
        clerk_status::settings,
    ),
    components(schemas(crate::api::problem::Problem)),
    modifiers(&SharedAnswers),
    tags(
        (name = "public", description = "A resident without an account: municipalities, services, free slots, booking. \
            Journey 1 (book) starts here; see docs/api.md."),
        (name = "resident", description = "What the holder of a personal link (the `token` from the booking) may see and do."),
        (name = "queue", description = "The counter queue and calls without an appointment. Journey 2 (queue call): \
            `POST /tenants/{slug}/walk-ins` -> the clerk's `POST /staff/queue/call-next` -> the resident's \
            `POST /queue-entries/{token}/answer` -> `POST /queue-entries/{token}/room-token` and \
            `POST /staff/queue/{id}/room-token`."),
        (name = "staff", description = "A clerk's login and day. Log in with `POST /auth/login`; the session cookie opens the `staff` and `admin` operations."),
        (name = "outcomes", description = "Journey 3 (outcome): what the clerk records after the call, and its delivery to the case store."),
        (name = "privacy", description = "Information sources and the resident's choices per source."),
        (name = "feedback", description = "Ratings, comments and complaints after the call."),
        (name = "admin", description = "The municipality's settings, services and clerks (admins only)."),
        (name = "dashboard", description = "Figures per service and ISO week (admins only)."),
    )
)]
pub struct ApiDoc;

pub fn router(app: App) -> Router {
    Router::new()
        .route(
            "/api/v1/openapi.json",
            get(|| async { axum::Json(ApiDoc::openapi()) }),
        )
        .route("/api/v1/tenants", get(public::tenants))
        .route("/api/v1/tenants/{slug}", get(public::tenant))
        .route("/api/v1/tenants/{slug}/services", get(public::services))
        .route(
            "/api/v1/tenants/{slug}/services/{service}/slots",
            get(public::slots),
        )
        .route(
            "/api/v1/tenants/{slug}/services/{service}/questions",
            get(public::questions),
        )
        .route("/api/v1/tenants/{slug}/appointments", post(public::book))
        .route("/api/v1/personal/{token}", get(personal::read))
        .route("/api/v1/personal/{token}/invite.ics", get(personal::invite))
        .route(
            "/api/v1/personal/{token}/reschedule",
            post(personal::reschedule),
        )
        .route("/api/v1/personal/{token}/cancel", post(personal::cancel))
        .route(
            "/api/v1/personal/{token}/room-token",
            post(personal::room_token),
        )
        .route(
            "/api/v1/staff/appointments/{id}/room-token",
            post(staff::room_token),
        )
        .route(
            "/api/v1/personal/{token}/companions",
            get(companions::for_resident).post(companions::invite),
        )
        .route(
            "/api/v1/companions/{token}/room-token",
            post(companions::room_token),
        )
        .route(
            "/api/v1/staff/appointments/{id}/companions",
            get(companions::for_clerk),
        )
        .route(
            "/api/v1/staff/appointments/{id}/interpreters",
            post(companions::invite_interpreter),
        )
        .route(
            "/api/v1/staff/appointments/{id}/companions/{companion}/remove",
            post(companions::remove),
        )
        .route(
            "/api/v1/admin/room-size",
            get(companions::room_size).put(companions::set_room_size),
        )
        .route("/api/v1/auth/login", post(staff::login))
        .route("/api/v1/auth/logout", post(staff::logout))
        .route(
            "/api/v1/admin/sso",
            get(sso::settings).put(sso::change).delete(sso::remove),
        )
        .route("/api/v1/staff/me", get(staff::me))
        .route("/api/v1/staff/appointments", get(staff::appointments))
        .route("/api/v1/staff/appointments/{id}", get(staff::appointment))
        .route(
            "/api/v1/admin/settings",
            get(admin::settings).put(admin::update_settings),
        )
        .route(
            "/api/v1/admin/services",
            get(admin::services).post(admin::create_service),
        )
        .route(
            "/api/v1/admin/services/{id}/active",
            put(admin::set_offered),
        )
        .route("/api/v1/admin/services/{id}", put(admin::update_service))
        .route(
            "/api/v1/admin/clerks",
            get(admin::clerks).post(admin::create_clerk),
        )
        .route("/api/v1/admin/clerks/{id}", put(admin::update_clerk))
        .route("/api/v1/admin/clerks/{id}/hours", put(admin::set_hours))
        .route(
            "/api/v1/admin/clerks/{id}/absences",
            get(admin::absences).post(admin::add_absence),
        )
        .route(
            "/api/v1/admin/clerks/{id}/absences/{absence}",
            delete(admin::remove_absence),
        )
        .route("/api/v1/personal/{token}/check-in", post(queue::check_in))
        .route("/api/v1/tenants/{slug}/walk-ins", post(queue::walk_in))
        .route("/api/v1/queue-entries/{token}", get(queue::entry))
        .route("/api/v1/queue-entries/{token}/answer", post(queue::answer))
        .route("/api/v1/staff/queue", get(queue::live_queue))
        .route("/api/v1/staff/queue/call-next", post(queue::call_next))
        .route("/api/v1/staff/queue/{id}/call", post(queue::call))
        .route("/api/v1/staff/queue/{id}/done", post(queue::done))
        .route("/api/v1/staff/queue/{id}/by-phone", post(queue::by_phone))
        .route("/api/v1/staff/queue/summary", get(queue::summary))
        .route("/api/v1/staff/queue/events", get(live::staff_events))
        .route(
            "/api/v1/queue-entries/{token}/events",
            get(live::entry_events),
        )
        .route("/api/v1/queue-entries/{token}/leave", post(queue::leave))
        .route(
            "/api/v1/queue-entries/{token}/room-token",
            post(queue::resident_room_token),
        )
        .route(
            "/api/v1/staff/queue/{id}/room-token",
            post(queue::clerk_room_token),
        )
        .route("/api/v1/tenants/{slug}/callbacks", post(callbacks::request))
        .route("/api/v1/staff/callbacks", get(callbacks::open))
        .route("/api/v1/staff/callbacks/{id}/done", post(callbacks::done))
        .route(
            "/api/v1/staff/callbacks/{id}/attempts",
            post(callbacks::attempt),
        )
        .merge(outcomes::routes())
        .merge(for_caller::routes())
        .merge(consent::routes())
        .merge(privacy::routes())
        .merge(feedback::routes())
        .merge(dashboard::routes())
        .merge(closing_days::routes())
        .merge(accounts::routes())
        .merge(clerk_status::routes())
        .fallback(|| async { Error::NotFound("resource") })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            problem::answer_panic,
        ))
        .layer(axum::middleware::from_fn(
            problem::speak_the_clients_language,
        ))
        .with_state(app)
}
