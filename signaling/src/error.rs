//! The signalling crate's error type: why a room token was refused.
//!
//! Protocol problems on an open socket are not errors in this sense: they are answered
//! with an `error` message (see [`crate::protocol`]) and never leave the session.

/// Why a room token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No token was presented.
    #[error("no room token")]
    Missing,
    /// The token's `exp` has passed.
    #[error("room token has expired")]
    Expired,
    /// The token's `nbf` is still in the future (too early for the appointment).
    #[error("room token is not valid yet")]
    NotYetValid,
    /// Bad signature, malformed token or claims, wrong algorithm.
    #[error("room token is invalid: {0}")]
    Invalid(String),
    /// The token is valid, but for another room than the one asked for.
    #[error("room token is for another room")]
    WrongRoom,
}
