//! Case-store deliveries that failed: the list and retrying them.

use crate::domain::ids::{ClerkId, TenantId};
use crate::domain::outbox::DeliveryState;
use crate::error::{Error, Result};
use crate::store::OutboxEntry;
use crate::App;

/// At most this many deliveries are listed at once (oldest first).
pub const DELIVERY_LIST_LIMIT: i64 = 500;

/// The municipality's deliveries in one state (`pending`, `delivered`, `failing`; default
/// failing), oldest first, at most `DELIVERY_LIST_LIMIT`.
pub async fn deliveries(
    app: &App,
    tenant: TenantId,
    state: Option<&str>,
) -> Result<Vec<OutboxEntry>> {
    let state = match state {
        None => DeliveryState::Failing,
        Some(raw) => DeliveryState::parse(raw)
            .ok_or_else(|| Error::BadRequest("state is pending, delivered or failing".into()))?,
    };
    app.db
        .deliveries_in_state(tenant, state, DELIVERY_LIST_LIMIT)
        .await
}

/// What the deliveries page shows: the failing deliveries and how many are waiting.
#[derive(Debug)]
pub struct DeliveryOverview {
    /// Oldest first, at most `DELIVERY_LIST_LIMIT`.
    pub failing: Vec<OutboxEntry>,
    pub failing_count: i64,
    /// Not sent yet (or retried and due).
    pub pending_count: i64,
    pub delivered_count: i64,
}

pub async fn delivery_overview(app: &App, tenant: TenantId) -> Result<DeliveryOverview> {
    let (pending_count, delivered_count, failing_count) = app.db.delivery_counts(tenant).await?;
    Ok(DeliveryOverview {
        failing: deliveries(app, tenant, None).await?,
        failing_count,
        pending_count,
        delivered_count,
    })
}

/// An admin's retry of one failing delivery: it is due now, and the delivery worker sends
/// it again. Anything but this municipality's failing delivery is "not found".
pub async fn retry_delivery(app: &App, tenant: TenantId, by: ClerkId, id: &str) -> Result<()> {
    let id: uuid::Uuid = id
        .parse()
        .map_err(|_| Error::NotFound("failing delivery"))?;
    app.db.retry_delivery(tenant, id, app.clock.now()).await?;
    tracing::info!(admin = %by, event = %id, "delivery retried by admin");
    Ok(())
}

/// An admin's retry of every failing delivery (for example after correcting the case store
/// settings). Returns how many are due again.
pub async fn retry_failing(app: &App, tenant: TenantId, by: ClerkId) -> Result<u64> {
    let retried = app.db.retry_all_failing(tenant, app.clock.now()).await?;
    tracing::info!(admin = %by, retried, "failing deliveries retried by admin");
    Ok(retried)
}
