//! The outbox worker: claims due outcome events, hands them to the municipality's case store,
//! and notes the result (delivered, or failing with the error and the next attempt).
//!
//! Delivery is at least once: a worker that dies after the store acted but before it noted
//! so leaves a lease that runs out, and another worker delivers again. The case store adapters
//! make the repeat a no-op (see `case_store`), so every outcome takes effect exactly once.
//! Several workers (one per server instance) may run on one database; a claim is a lease, so
//! they do not deliver the same event at the same time.

use crate::adapters::case_store::{self, CaseStore};
use crate::adapters::outbound_http::OutboundHttp;
use crate::domain::outbound::OutboundRule;
use crate::domain::outbox::{after_failure, Backoff, DeliveryError};
use crate::store::ClaimedEvent;
use crate::App;
use jiff::SignedDuration;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::{JoinHandle, JoinSet};

#[derive(Clone)]
pub struct DeliveryConfig {
    /// How long an idle worker waits before looking for due events again.
    pub poll_interval: Duration,
    /// Events claimed (and delivered concurrently) per round.
    pub batch: i64,
    /// How long a claim holds; a crashed worker's events are retried after this. Always
    /// longer than `request_timeout` (see `Worker::lease`).
    pub lease: SignedDuration,
    pub backoff: Backoff,
    /// One delivery (all calls to the store for one event) must finish within this.
    pub request_timeout: Duration,
    /// Replaces every municipality's case store; for tests that count deliveries.
    pub store_override: Option<Arc<dyn CaseStore>>,
    /// Internal hosts and networks the operator allows case stores on (none by default).
    pub outbound: OutboundRule,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(1),
            batch: 32,
            lease: SignedDuration::from_mins(5),
            backoff: Backoff::default(),
            request_timeout: Duration::from_secs(30),
            store_override: None,
            outbound: OutboundRule::public_only(),
        }
    }
}

/// Starts a worker on the app's database. Abort the handle to stop it; a delivery in flight is
/// then simply retried by the next worker once its lease runs out.
pub fn spawn_delivery_worker(app: App, config: DeliveryConfig) -> JoinHandle<()> {
    let worker = Worker::new(app, config);
    tokio::spawn(async move { worker.run().await })
}

pub struct Worker {
    app: App,
    config: DeliveryConfig,
    http: OutboundHttp,
}

impl Worker {
    pub fn new(app: App, config: DeliveryConfig) -> Self {
        let http = OutboundHttp::new(config.outbound.clone(), config.request_timeout);
        Self { app, config, http }
    }

    pub async fn run(self) {
        loop {
            match self.run_once().await {
                // A full batch suggests more are due: go on without waiting.
                Ok(n) if n as i64 >= self.config.batch => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox round failed"),
            }
            tokio::time::sleep(self.config.poll_interval).await;
        }
    }

    /// One round: claim due events and deliver them concurrently. Returns how many were
    /// claimed.
    pub async fn run_once(&self) -> crate::Result<usize> {
        let token = uuid::Uuid::new_v4().to_string();
        let now = self.app.clock.now();
        let claimed = self
            .app
            .db
            .claim_due(&token, now, now + self.lease(), self.config.batch)
            .await?;
        let count = claimed.len();
        let mut stores: HashMap<crate::domain::ids::TenantId, Arc<dyn CaseStore>> = HashMap::new();
        // Dropping the set (the worker task aborted) aborts the deliveries in it too.
        let mut running = JoinSet::new();
        for event in claimed {
            let tenant = event.delivery.tenant_id;
            let store = match stores.get(&tenant) {
                Some(store) => store.clone(),
                None => {
                    // Unreadable settings fail these events like a store that is down,
                    // rather than leaving them claimed until the lease runs out.
                    let store = match self.store_for(tenant).await {
                        Ok(store) => store,
                        Err(e) => Arc::new(Unavailable(format!(
                            "cannot read the case store settings: {e}"
                        ))),
                    };
                    stores.insert(tenant, store.clone());
                    store
                }
            };
            running.spawn(deliver_one(
                self.app.clone(),
                self.config.clone(),
                store,
                event,
                token.clone(),
            ));
        }
        while let Some(done) = running.join_next().await {
            if let Err(e) = done {
                tracing::error!(error = %e, "delivery task failed");
            }
        }
        Ok(count)
    }

    /// A worker gives up on a delivery after `request_timeout`, so with a lease longer than
    /// that no live worker is still talking to the store when its claim passes to another.
    /// Otherwise a slow first attempt of version 1 could land after version 2 was delivered.
    fn lease(&self) -> SignedDuration {
        // Twice the timeout leaves the worker time to note the result after giving up.
        let floor = SignedDuration::try_from(self.config.request_timeout * 2)
            .unwrap_or(SignedDuration::from_mins(5));
        self.config.lease.max(floor)
    }

    async fn store_for(
        &self,
        tenant: crate::domain::ids::TenantId,
    ) -> crate::Result<Arc<dyn CaseStore>> {
        if let Some(store) = &self.config.store_override {
            return Ok(store.clone());
        }
        let settings = self
            .app
            .db
            .case_store_settings(tenant)
            .await?
            .opened(&self.app.secrets)?;
        Ok(case_store::adapter(&settings, &self.app.db, &self.http))
    }
}

async fn deliver_one(
    app: App,
    config: DeliveryConfig,
    store: Arc<dyn CaseStore>,
    event: ClaimedEvent,
    token: String,
) {
    let d = &event.delivery;
    let both = async {
        store.deliver(d).await?;
        deliver_documents(&app, store.as_ref(), d).await
    };
    let result = match tokio::time::timeout(config.request_timeout, both).await {
        Ok(result) => result,
        Err(_) => Err(DeliveryError::Transient(format!(
            "the case store did not finish within {} s",
            config.request_timeout.as_secs_f64()
        ))),
    };
    let now = app.clock.now();
    let noted = match &result {
        Ok(()) => app.db.mark_delivered(&d.key, &token, now).await,
        Err(error) => {
            let after = after_failure(
                error,
                event.attempts + 1,
                now,
                &config.backoff,
                rand::random::<f64>(),
            );
            tracing::warn!(event = %d.key, subject = ?d.subject, error = %after.last_error,
                next_attempt = ?after.next_attempt_at, "outcome delivery failed");
            app.db.mark_failed(&d.key, &token, &after).await
        }
    };
    match noted {
        Ok(true) => {}
        Ok(false) => {
            tracing::info!(event = %d.key, "claim expired during delivery; another worker has it")
        }
        // Not noted: the lease runs out and the event is delivered again, harmlessly.
        Err(e) => tracing::error!(event = %d.key, error = %e, "could not note the delivery"),
    }
}

/// Issue 22: the appointment's documents not delivered yet go to the store with the event,
/// each noted as soon as the store has it. A crash between the store taking one and the note is
/// harmless: the adapter looks before it writes (ZGW: by the document's identificatie).
async fn deliver_documents(
    app: &App,
    store: &dyn CaseStore,
    d: &case_store::CaseDelivery,
) -> Result<(), DeliveryError> {
    // Documents come with an appointment only; a walk-in or callback has none.
    let Some(appointment) = d.subject.appointment() else {
        return Ok(());
    };
    let outgoing = crate::usecases::documents::undelivered(app, d.tenant_id, appointment)
        .await
        .map_err(|e| DeliveryError::Transient(format!("reading the documents: {e}")))?;
    for document in &outgoing {
        let destination = store.deliver_document(d, document).await?;
        let (to, erase) = match &destination {
            case_store::DocumentDestination::KeptWithCase => {
                (crate::domain::document::BUILTIN, false)
            }
            case_store::DocumentDestination::Elsewhere(url) => (url.as_str(), true),
        };
        app.db
            .mark_document_delivered(document.record.id, to, app.clock.now(), erase)
            .await
            .map_err(|e| DeliveryError::Transient(format!("noting a document: {e}")))?;
    }
    Ok(())
}

/// Stands in for a case store that cannot be built; every delivery fails transiently.
struct Unavailable(String);

impl CaseStore for Unavailable {
    fn deliver<'a>(&'a self, _: &'a case_store::CaseDelivery) -> case_store::DeliveryFuture<'a> {
        Box::pin(async move { Err(DeliveryError::Transient(self.0.clone())) })
    }
}
