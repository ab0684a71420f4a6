//! Case stores (zaaksystemen): where outcomes end up. One trait, one adapter per kind of
//! store; each municipality picks one in its settings (the built-in store by default).
//!
//! The contract that makes delivery exactly-once in effect: the outbox delivers each event
//! at least once (a worker can die after the store acted but before it noted so), and every
//! adapter makes a repeated delivery of the same `key` a no-op.

pub mod builtin;
pub mod zgw;

use crate::adapters::sealed::SecretsKey;
use crate::domain::ids::TenantId;
use crate::domain::outbox::DeliveryError;
use crate::domain::outcome::{Outcome, Subject};
use crate::error::{Error, Result};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use utoipa::ToSchema;

/// One outcome event on its way to the case store, with what the store needs to know about the
/// appointment.
#[derive(Clone, Debug)]
pub struct CaseDelivery {
    /// The outbox event id: the idempotency key.
    pub key: String,
    pub tenant_id: TenantId,
    /// The appointment, walk-in or callback the outcome is about.
    pub subject: Subject,
    pub service_name: String,
    pub resident_name: String,
    /// Empty when the resident gave only a phone number (always for walk-ins and callbacks).
    pub resident_email: String,
    /// When the contact began: the appointment's start, the walk-in's first call (or arrival),
    /// the callback (or its request).
    pub contact_start: Timestamp,
    /// `contact_start`'s local date in the municipality (ZGW `startdatum`).
    pub contact_date: Date,
    pub outcome: Outcome,
}

pub type DeliveryFuture<'a> = Pin<Box<dyn Future<Output = Result<(), DeliveryError>> + Send + 'a>>;

/// Where a resident's document went (issue 22).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocumentDestination {
    /// It stays with the case in our own database (the built-in case store) until the
    /// retention period; also where a store cannot take documents.
    KeptWithCase,
    /// The case store holds it now (e.g. the informatieobject's URL); our copy is erased.
    Elsewhere(String),
}

pub type DocumentFuture<'a> =
    Pin<Box<dyn Future<Output = Result<DocumentDestination, DeliveryError>> + Send + 'a>>;

/// An adapter. `deliver` must be idempotent per `delivery.key`, `deliver_document` per
/// document id.
pub trait CaseStore: Send + Sync {
    fn deliver<'a>(&'a self, delivery: &'a CaseDelivery) -> DeliveryFuture<'a>;

    /// Hands one of the appointment's documents to the store, after `deliver` of the same
    /// event succeeded (so the case exists). By default the document stays with the case here.
    fn deliver_document<'a>(
        &'a self,
        _delivery: &'a CaseDelivery,
        _document: &'a crate::domain::document::OutgoingDocument,
    ) -> DocumentFuture<'a> {
        Box::pin(async { Ok(DocumentDestination::KeptWithCase) })
    }
}

/// A municipality's choice of case store, as stored and as the admin API shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CaseStoreSettings {
    /// Cases and case events in our own database, viewable by clerks.
    #[default]
    Builtin,
    /// A ZGW Zaken API (e.g. Open Zaak).
    Zgw(Box<zgw::ZgwConfig>),
}

impl CaseStoreSettings {
    pub fn kind(&self) -> &'static str {
        match self {
            CaseStoreSettings::Builtin => "builtin",
            CaseStoreSettings::Zgw(_) => "zgw",
        }
    }

    /// Checks what an admin entered.
    pub fn validate(self) -> Result<Self> {
        match self {
            CaseStoreSettings::Builtin => Ok(self),
            CaseStoreSettings::Zgw(config) => {
                Ok(CaseStoreSettings::Zgw(Box::new(config.validate()?)))
            }
        }
    }

    /// The same settings with secrets replaced, for showing.
    pub fn redacted(&self) -> Self {
        match self {
            CaseStoreSettings::Builtin => CaseStoreSettings::Builtin,
            CaseStoreSettings::Zgw(c) => CaseStoreSettings::Zgw(Box::new(zgw::ZgwConfig {
                secret: if c.secret.is_empty() {
                    String::new()
                } else {
                    REDACTED.into()
                },
                ..(**c).clone()
            })),
        }
    }

    /// The same settings with the secret sealed, for storing.
    pub fn sealed(&self, key: &SecretsKey) -> Self {
        match self {
            CaseStoreSettings::Builtin => CaseStoreSettings::Builtin,
            CaseStoreSettings::Zgw(c) => CaseStoreSettings::Zgw(Box::new(zgw::ZgwConfig {
                secret: key.seal(&c.secret),
                ..(**c).clone()
            })),
        }
    }

    /// Stored settings with the secret opened. A secret stored before sealing existed is
    /// read as it is (and sealed when the settings are next saved or at start-up).
    pub fn opened(self, key: &SecretsKey) -> Result<Self> {
        match self {
            CaseStoreSettings::Zgw(mut c) if SecretsKey::is_sealed(&c.secret) => {
                c.secret = key.open(&c.secret)?;
                Ok(CaseStoreSettings::Zgw(c))
            }
            other => Ok(other),
        }
    }

    /// Whether the stored form still holds a secret in plain text.
    pub fn has_plain_secret(&self) -> bool {
        matches!(self, CaseStoreSettings::Zgw(c) if !SecretsKey::is_sealed(&c.secret))
    }

    /// Serialized settings for the `config` column.
    pub fn to_config(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::Internal(e.to_string()))
    }

    pub fn from_config(raw: &str) -> Result<Self> {
        serde_json::from_str(raw)
            .map_err(|e| Error::Internal(format!("stored case store settings: {e}")))
    }
}

/// What the admin API shows instead of a stored secret; sending it back keeps the secret, as
/// long as the URL and client id stay the same.
pub const REDACTED: &str = "********";

/// The adapter for a municipality's settings.
pub fn adapter(
    settings: &CaseStoreSettings,
    db: &crate::store::Db,
    http: &crate::adapters::outbound_http::OutboundHttp,
) -> Arc<dyn CaseStore> {
    match settings {
        CaseStoreSettings::Builtin => Arc::new(builtin::BuiltinCaseStore::new(db.clone())),
        CaseStoreSettings::Zgw(config) => {
            Arc::new(zgw::ZgwCaseStore::new((**config).clone(), http.clone()))
        }
    }
}
