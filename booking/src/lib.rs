//! Booking: municipalities, services, clerks, slots, appointments, invites and the JSON API.
//!
//! Layers, inside out: plain domain types and pure functions (`slots`, `appointment`,
//! `tenant`, `catalog`), the use cases (`bookings`), and the edges (`store` for SQL, `api`
//! for HTTP, `mail` for SMTP).

pub mod adapters;
pub mod api;
pub mod auth;
pub mod clock;
pub mod demo;
pub mod domain;
pub mod error;
pub mod limits;
pub mod store;
pub mod usecases;

pub use error::{Error, Result};

use adapters::live_updates::QueueEvents;
use adapters::mail::Mailer;
use adapters::sealed::SecretsKey;
use auth::SessionKeys;
use clock::Clock;
use store::Db;

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct App {
    /// Private to the crate: handlers and pages reach the database through `usecases` only.
    pub(crate) db: Db,
    pub clock: Clock,
    pub mailer: Mailer,
    pub session_keys: SessionKeys,
    /// The address residents and clerks open, e.g. `http://127.0.0.1:8080`; used in links.
    pub base_url: String,
    /// Live queue updates for the clerks and residents connected to this instance.
    pub events: QueueEvents,
    /// Seals the secrets admins enter (case store) before they are stored.
    pub(crate) secrets: SecretsKey,
    /// Limits on anonymous bookings, walk-ins, callbacks, mails and live streams (none unless
    /// set with `with_flood_limits`).
    pub limits: std::sync::Arc<limits::FloodLimits>,
    /// The live queue views shared by this instance's streams (`api::live`).
    pub(crate) live_views: std::sync::Arc<api::live::SharedViews>,
    /// The number residents call when their municipality gave none (issue 16 item 10), so a
    /// phone number is on every resident page (`--fallback-phone`, e.g. `14 020`). Unset, the
    /// pages show the government's general line (`web::layout::PLATFORM_PHONE`).
    pub fallback_phone: Option<domain::text::PhoneNumber>,
    /// The municipalities and years whose public holidays are known to be in the closing
    /// days: a slot search asks the database only once per year, not on every request.
    pub(crate) holidays_preloaded:
        std::sync::Arc<std::sync::Mutex<std::collections::HashSet<(domain::ids::TenantId, i16)>>>,
}

impl App {
    pub fn new(
        db: Db,
        clock: Clock,
        mailer: Mailer,
        session_keys: SessionKeys,
        base_url: String,
        events: QueueEvents,
    ) -> Self {
        Self {
            db,
            clock,
            mailer,
            session_keys,
            base_url,
            events,
            // A key that dies with the process; the binary sets the configured one.
            secrets: SecretsKey::random(),
            limits: std::sync::Arc::new(limits::FloodLimits::unlimited()),
            live_views: Default::default(),
            fallback_phone: None,
            holidays_preloaded: Default::default(),
        }
    }

    /// The platform's number for municipalities without one of their own.
    pub fn with_fallback_phone(mut self, phone: domain::text::PhoneNumber) -> Self {
        self.fallback_phone = Some(phone);
        self
    }

    /// The key stored secrets are sealed with (`--secrets-key-file`).
    pub fn with_secrets_key(mut self, key: SecretsKey) -> Self {
        self.secrets = key;
        self
    }

    /// Counts anonymous actions per client, as the platform binary does (docs/security.md).
    pub fn with_flood_limits(mut self, quotas: &limits::FloodQuotas) -> Self {
        self.limits = std::sync::Arc::new(limits::FloodLimits::new(quotas));
        self
    }

    /// The store, for the crate's own tests to set up and inspect rows.
    #[cfg(feature = "test-support")]
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Cookies get `Secure` when the platform is served over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    pub fn personal_link(&self, token: &domain::personal_link::PersonalToken) -> String {
        format!(
            "{}/a/{}",
            self.base_url.trim_end_matches('/'),
            token.as_str()
        )
    }
}
