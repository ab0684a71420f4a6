//! Booking: municipalities, services, clerks, slots, appointments, invites and the JSON API.
//!
//! Layers, inside out: plain domain types and pure functions (`slots`, `appointment`,
//! `tenant`, `catalog`), the use cases (`bookings`), and the edges (`store` for SQL, `api`
//! for HTTP, `mail` for SMTP).

pub mod access_log;
pub mod administration;
pub mod api;
pub mod appointment;
pub mod auth;
pub mod bookings;
pub mod callback;
pub mod case_store;
pub mod catalog;
pub mod charts;
pub mod clock;
pub mod consent;
pub mod consenting;
pub mod dashboard;
pub mod dates_in_words;
pub mod delivery;
pub mod demo;
pub mod desk;
pub mod email;
pub mod error;
pub mod feedback;
pub mod ids;
pub mod invite;
pub mod mail;
pub mod outbox;
pub mod outcome;
pub mod personal_link;
pub mod privacy;
pub mod queue;
pub mod queue_events;
pub mod queueing;
pub mod rating;
pub mod retention;
pub mod rooms;
pub mod slots;
pub mod store;
pub mod tenant;

pub use error::{Error, Result};

use auth::SessionKeys;
use clock::Clock;
use mail::Mailer;
use queue_events::QueueEvents;
use store::Db;

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub clock: Clock,
    pub mailer: Mailer,
    pub session_keys: SessionKeys,
    /// The address residents and clerks open, e.g. `http://127.0.0.1:8080`; used in links.
    pub base_url: String,
    /// Live queue updates for the clerks and residents connected to this instance.
    pub events: QueueEvents,
}

impl App {
    /// Cookies get `Secure` when the platform is served over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    pub fn personal_link(&self, token: &personal_link::PersonalToken) -> String {
        format!(
            "{}/a/{}",
            self.base_url.trim_end_matches('/'),
            token.as_str()
        )
    }
}
