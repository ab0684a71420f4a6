//! The one mapping from [`Error`] to HTTP: RFC 9457 problem details, served as
//! `application/problem+json`. Server errors are logged here and answered in general words.
//! The words are Dutch unless the client's `Accept-Language` prefers English; the language is
//! chosen here once per request (`speak_the_clients_language`).

use crate::error::{BodyProblem, CountedBy, Error, Flood, TooMany};
use axum::extract::Request;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The languages problem details are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Dutch,
    English,
}

impl Language {
    /// The client's preference among Dutch and English by `Accept-Language` (RFC 9110 12.5.4);
    /// Dutch when it names neither.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let Some(accept) = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
        else {
            return Language::Dutch;
        };
        let mut best = (Language::Dutch, 0.0_f32);
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let language = match primary {
                "nl" => Language::Dutch,
                "en" => Language::English,
                _ => continue,
            };
            if q > best.1 {
                best = (language, q);
            }
        }
        best.0
    }

    fn say(self, dutch: impl Into<String>, english: impl Into<String>) -> String {
        match self {
            Language::Dutch => dutch.into(),
            Language::English => english.into(),
        }
    }
}

tokio::task_local! {
    static LANGUAGE: Language;
}

/// Middleware: every problem answered while handling this request is in the client's language.
pub async fn speak_the_clients_language(request: Request, next: Next) -> Response {
    let language = Language::from_headers(request.headers());
    LANGUAGE.scope(language, next.run(request)).await
}

fn current_language() -> Language {
    LANGUAGE.try_with(|l| *l).unwrap_or(Language::Dutch)
}

/// The field a body problem is about, for a sentence: `/service_id` -> `service_id`,
/// `/consents/0/choice` -> `consents/0/choice`.
fn field_in_words(pointer: &str) -> String {
    pointer.trim_start_matches('/').to_string()
}

fn body_words(problem: &BodyProblem, language: Language) -> String {
    match problem {
        BodyProblem::NotJson => language.say(
            "Stuur de gegevens als JSON (Content-Type: application/json)",
            "Send the data as JSON (Content-Type: application/json)",
        ),
        BodyProblem::NotAnObject => language.say(
            "Stuur één JSON-object met de velden van het verzoek, zoals {\"name\": \"...\"}",
            "Send one JSON object with the request's fields, like {\"name\": \"...\"}",
        ),
        BodyProblem::Missing { pointer } => {
            let field = field_in_words(pointer);
            language.say(
                format!("Vul het veld {field} in"),
                format!("Fill in {field}"),
            )
        }
        BodyProblem::WrongValue { pointer } => {
            let field = field_in_words(pointer);
            language.say(
                format!("Het veld {field} heeft niet de goede soort waarde; kijk in de API-beschrijving wat er hoort"),
                format!("{field} does not have the right kind of value; see the API description for what belongs there"),
            )
        }
    }
}

/// Words go back to a person: a control character someone sent is shown as U+FFFD, never
/// echoed raw.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

/// A panic in a handler becomes a 500 problem; the correlation id is in the log beside the
/// panic and in the answer, so a report can be matched to it.
pub fn answer_panic(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let correlation_id = uuid::Uuid::new_v4();
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(%correlation_id, panic = message, "a request handler panicked");
    let language = current_language();
    let mut problem = Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        language.say(
            format!("Er ging bij ons iets mis; probeer het later opnieuw. Kenmerk: {correlation_id}"),
            format!("Something went wrong on our side; please try again later. Reference: {correlation_id}"),
        ),
    );
    problem.correlation_id = Some(correlation_id.to_string());
    problem.into_response()
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The request field that was wrong, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For a server error: the id under which it was logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("https://videoloket.nl/problems/{kind}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: printable(&detail.into()),
            field: None,
            correlation_id: None,
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

fn status(err: &Error) -> StatusCode {
    match err {
        Error::BadRequest(_) | Error::Body(BodyProblem::NotJson) => StatusCode::BAD_REQUEST,
        Error::Body(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::SlotTaken | Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Unauthenticated => StatusCode::UNAUTHORIZED,
        Error::Forbidden => StatusCode::FORBIDDEN,
        Error::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
        Error::Storage(_) | Error::Mail(_) | Error::Internal(_) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

fn kind(err: &Error) -> &'static str {
    match err {
        Error::BadRequest(_) | Error::Body(BodyProblem::NotJson) => "bad-request",
        Error::Body(_) => "invalid-field",
        Error::Invalid { .. } => "invalid-field",
        Error::TooLarge(_) => "too-large",
        Error::NotFound(_) => "not-found",
        Error::SlotTaken => "slot-taken",
        Error::Conflict(_) => "conflict",
        Error::Unauthenticated => "unauthenticated",
        Error::Forbidden => "forbidden",
        Error::TooMany(_) => "too-many-requests",
        Error::Storage(_) | Error::Mail(_) | Error::Internal(_) => "internal",
    }
}

/// The Dutch words for the refusals that are not about one field; `Display` has the English.
fn dutch_detail(error: &Error) -> Option<String> {
    Some(match error {
        Error::Conflict(conflict) => conflict.dutch(),
        Error::NotFound(_) => "Dit is niet gevonden. Controleer de link of het adres.".into(),
        Error::SlotTaken => "Deze tijd is niet meer vrij; kies een andere tijd.".into(),
        Error::Unauthenticated => "Log eerst in.".into(),
        Error::Forbidden => "U mag dit niet doen.".into(),
        Error::TooLarge(bytes) => format!("Het verzoek is groter dan {bytes} bytes."),
        _ => return None,
    })
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = status(&self);
        let language = current_language();
        // Internal details go to the log, not to the client.
        let mut correlation_id = None;
        let detail = if status.is_server_error() {
            let id = uuid::Uuid::new_v4();
            tracing::error!(error = %self, correlation_id = %id, "request failed");
            correlation_id = Some(id.to_string());
            language.say(
                format!("Er ging bij ons iets mis; probeer het later opnieuw. Kenmerk: {id}"),
                format!(
                    "Something went wrong on our side; please try again later. Reference: {id}"
                ),
            )
        } else if let Error::Body(problem) = &self {
            body_words(problem, language)
        } else if let Error::TooMany(too_many) = &self {
            too_many_words(too_many, language)
        } else if let Error::Invalid { message, .. } = &self {
            language.say(message.dutch.clone(), message.english.clone())
        } else if let Some(dutch) = dutch_detail(&self) {
            language.say(dutch, self.to_string())
        } else {
            self.to_string()
        };
        let mut problem = Problem::new(status, kind(&self), detail);
        problem.correlation_id = correlation_id;
        match &self {
            Error::Invalid { field, .. } => problem.field = Some(field.clone()),
            Error::Body(BodyProblem::Missing { pointer } | BodyProblem::WrongValue { pointer }) => {
                problem.field = Some(pointer.clone())
            }
            _ => {}
        }
        let mut response = problem.into_response();
        if let Error::TooMany(too_many) = &self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, too_many.retry_after_seconds().into());
        }
        response
    }
}

/// "Too many bookings from your network": plain words, with how long to wait.
pub fn too_many_words(t: &TooMany, language: Language) -> String {
    let seconds = t.retry_after_seconds();
    let wait = if seconds > 90 {
        let minutes = seconds.div_ceil(60);
        language.say(format!("{minutes} minuten"), format!("{minutes} minutes"))
    } else {
        language.say(format!("{seconds} seconden"), format!("{seconds} seconds"))
    };
    let (nl_what, en_what) = match t.what {
        Flood::Bookings => ("afspraken gemaakt", "bookings made"),
        Flood::WalkIns => ("aanmeldingen voor de wachtrij", "queue sign-ups"),
        Flood::Callbacks => ("terugbelverzoeken", "callback requests"),
        Flood::LiveStreams => (
            "vensters met de wachtrij open",
            "windows following the queue open",
        ),
        Flood::Finds => (
            "pogingen gedaan om een afspraak te vinden",
            "attempts made to find an appointment",
        ),
    };
    let (nl_by, en_by) = match t.by {
        CountedBy::Address => ("vanaf uw netwerk", "from your network"),
        CountedBy::Email => ("met dit e-mailadres", "with this e-mail address"),
        CountedBy::Phone => ("met dit telefoonnummer", "with this phone number"),
        CountedBy::Token => (
            "voor deze plek in de wachtrij; sluit de andere vensters",
            "for this place in the queue; close the other windows",
        ),
        CountedBy::Code => ("met deze afspraakcode", "with this booking code"),
    };
    language.say(
        format!("Er zijn te veel {nl_what} {nl_by}. Probeer het over {wait} opnieuw."),
        format!("Too many {en_what} {en_by}. Please try again in {wait}."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefers(accept: &str) -> Language {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, accept.parse().unwrap());
        Language::from_headers(&headers)
    }

    #[test]
    fn dutch_unless_english_is_preferred() {
        assert_eq!(Language::from_headers(&HeaderMap::new()), Language::Dutch);
        assert_eq!(prefers("en"), Language::English);
        assert_eq!(prefers("en-GB,en;q=0.9"), Language::English);
        assert_eq!(prefers("nl-NL,nl;q=0.9,en;q=0.8"), Language::Dutch);
        assert_eq!(prefers("de, en;q=0.5"), Language::English);
        assert_eq!(prefers("de, fr"), Language::Dutch);
        assert_eq!(prefers("en;q=0.2, nl;q=0.8"), Language::Dutch);
    }

    #[tokio::test]
    async fn a_panic_is_a_500_problem_with_a_correlation_id() {
        for panic in [
            Box::new("boom") as Box<dyn std::any::Any + Send>,
            Box::new(String::from("boom")),
        ] {
            let response = answer_panic(panic);
            assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(
                response.headers()[header::CONTENT_TYPE],
                "application/problem+json"
            );
            let body = axum::body::to_bytes(response.into_body(), 1 << 16)
                .await
                .unwrap();
            let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let id = problem["correlation_id"].as_str().unwrap();
            assert!(uuid::Uuid::parse_str(id).is_ok(), "{problem}");
            assert!(problem["detail"].as_str().unwrap().contains(id));
            assert!(!problem.to_string().contains("boom"), "{problem}");
        }
    }

    #[test]
    fn an_invalid_field_is_worded_in_the_clients_language_at_its_pointer() {
        let refusal = || Error::invalid("/sources/0/code", "Nederlands.", "English.");
        for (language, detail) in [
            (Language::Dutch, "Nederlands."),
            (Language::English, "English."),
        ] {
            let response = LANGUAGE.sync_scope(language, || refusal().into_response());
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let body = json_of(response);
            assert_eq!(body["detail"], detail);
            assert_eq!(body["field"], "/sources/0/code");
        }
    }

    #[test]
    fn conflicts_and_other_refusals_are_worded_in_the_clients_language() {
        use crate::error::Conflict;
        let refusals = || {
            [
                Error::Conflict(Conflict::AppointmentCancelled),
                Error::Conflict(Conflict::OutcomeExists { version: 2 }),
                Error::NotFound("appointment"),
                Error::SlotTaken,
                Error::Unauthenticated,
                Error::Forbidden,
            ]
        };
        let dutch: Vec<_> = refusals()
            .into_iter()
            .map(|e| {
                LANGUAGE.sync_scope(Language::Dutch, || json_of(e.into_response()))["detail"]
                    .clone()
            })
            .collect();
        let english: Vec<_> = refusals()
            .into_iter()
            .map(|e| {
                LANGUAGE.sync_scope(Language::English, || json_of(e.into_response()))["detail"]
                    .clone()
            })
            .collect();
        assert_eq!(dutch[0], "Deze afspraak is geannuleerd.");
        assert_eq!(english[0], "this appointment has been cancelled");
        assert!(dutch[1].as_str().unwrap().contains("versie 2"));
        for (nl, en) in dutch.iter().zip(&english) {
            assert_ne!(nl, en, "one wording for both languages: {nl}");
        }
    }

    fn json_of(response: Response) -> serde_json::Value {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let body = runtime
            .block_on(axum::body::to_bytes(response.into_body(), 1 << 16))
            .unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    #[test]
    fn control_characters_are_never_echoed() {
        let problem = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "x", "'a\r\nb\u{0}'");
        assert_eq!(problem.detail, "'a\u{FFFD}\u{FFFD}b\u{FFFD}'");
    }
}
