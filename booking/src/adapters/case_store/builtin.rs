//! The built-in case store: cases and case events in our own database, for municipalities
//! without a zaaksysteem (or before one is connected). Clerks read them through the API.

use super::{CaseDelivery, CaseStore, DeliveryFuture};
use crate::domain::outbox::DeliveryError;
use crate::store::Db;

pub struct BuiltinCaseStore {
    db: Db,
}

impl BuiltinCaseStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

impl CaseStore for BuiltinCaseStore {
    fn deliver<'a>(&'a self, delivery: &'a CaseDelivery) -> DeliveryFuture<'a> {
        Box::pin(async move {
            // Stored time is the wall clock of the write, not the (possibly fixed) app clock:
            // it records when the case store learned of the event.
            self.db
                .store_case_event(delivery, jiff::Timestamp::now())
                .await
                // Our own database failing is never the event's fault: try again later.
                .map_err(|e| DeliveryError::Transient(e.to_string()))
        })
    }
}
