//! The one mapping from [`Error`] to HTTP: RFC 9457 problem details, served as
//! `application/problem+json`. Server errors are logged here and answered in general words.

use crate::error::Error;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

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
}

impl Problem {
    pub fn new(status: StatusCode, kind: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("https://videoloket.nl/problems/{kind}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            field: None,
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
        Error::BadRequest(_) => StatusCode::BAD_REQUEST,
        Error::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::SlotTaken | Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Unauthenticated => StatusCode::UNAUTHORIZED,
        Error::Forbidden => StatusCode::FORBIDDEN,
        Error::Storage(_) | Error::Mail(_) | Error::Internal(_) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

fn kind(err: &Error) -> &'static str {
    match err {
        Error::BadRequest(_) => "bad-request",
        Error::Invalid { .. } => "invalid-field",
        Error::TooLarge(_) => "too-large",
        Error::NotFound(_) => "not-found",
        Error::SlotTaken => "slot-taken",
        Error::Conflict(_) => "conflict",
        Error::Unauthenticated => "unauthenticated",
        Error::Forbidden => "forbidden",
        Error::Storage(_) | Error::Mail(_) | Error::Internal(_) => "internal",
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = status(&self);
        // Internal details go to the log, not to the client.
        let detail = if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
            "something went wrong on our side; please try again later".to_string()
        } else {
            self.to_string()
        };
        let mut problem = Problem::new(status, kind(&self), detail);
        if let Error::Invalid { field, .. } = &self {
            problem.field = Some((*field).to_string());
        }
        problem.into_response()
    }
}
