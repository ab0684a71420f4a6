//! The rules, pure: parsed types and functions of their inputs and the time they are given. No
//! database, HTTP or runtime here (no sqlx, axum or tokio), so every rule is unit-tested alone.

pub mod access_log;
pub mod appointment;
pub mod audit;
pub mod booking_code;
pub mod callback;
pub mod catalog;
pub mod clerk_status;
pub mod closing_days;
pub mod consent;
pub mod dashboard;
pub mod dates_in_words;
pub mod document;
pub mod email;
pub mod feedback;
pub mod ids;
pub mod logo;
pub mod media_nodes;
pub mod message;
pub mod outbound;
pub mod outbox;
pub mod outcome;
pub mod party;
pub mod personal_link;
pub mod queue;
pub mod retention;
pub mod rooms;
pub mod slots;
pub mod sso;
pub mod staff;
pub mod start_time;
pub mod tenant;
pub mod text;
pub mod triage;
pub mod working_hours;
// Issue 15 item 4: companions and interpreters in the call.
pub mod companion;
