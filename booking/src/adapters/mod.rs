//! The outside world the use cases talk to, other than the database: mail, calendar invites,
//! the municipality's case store, charts, and live updates between instances.

pub mod case_store;
pub mod charts;
pub mod invite;
pub mod live_updates;
pub mod mail;
pub mod outbound_http;
pub mod sealed;
pub mod sms;
