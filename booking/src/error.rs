//! The booking crate's one error type, mapped once to RFC 9457 problem+json responses.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    BadRequest(String),
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("the request is larger than {0} bytes")]
    TooLarge(usize),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("this time slot is no longer available")]
    SlotTaken,
    #[error("{0}")]
    Conflict(String),
    #[error("log in first")]
    Unauthenticated,
    #[error("you are not allowed to do this")]
    Forbidden,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("mail error: {0}")]
    Mail(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            message: message.into(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::SlotTaken | Error::Conflict(_) => StatusCode::CONFLICT,
            Error::Unauthenticated => StatusCode::UNAUTHORIZED,
            Error::Forbidden => StatusCode::FORBIDDEN,
            Error::Database(_) | Error::Mail(_) | Error::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Error::BadRequest(_) => "bad-request",
            Error::Invalid { .. } => "invalid-field",
            Error::TooLarge(_) => "too-large",
            Error::NotFound(_) => "not-found",
            Error::SlotTaken => "slot-taken",
            Error::Conflict(_) => "conflict",
            Error::Unauthenticated => "unauthenticated",
            Error::Forbidden => "forbidden",
            Error::Database(_) | Error::Mail(_) | Error::Internal(_) => "internal",
        }
    }

    /// True when the database refused a row because a unique key already exists: the signal
    /// that another request reserved the same clerk time first.
    pub fn is_unique_violation(err: &sqlx::Error) -> bool {
        matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
    }
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

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        // Internal details go to the log, not to the client.
        let detail = if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
            "something went wrong on our side; please try again later".to_string()
        } else {
            self.to_string()
        };
        let mut problem = Problem::new(status, self.kind(), detail);
        if let Error::Invalid { field, .. } = &self {
            problem.field = Some((*field).to_string());
        }
        problem.into_response()
    }
}
