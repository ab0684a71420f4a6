//! Live queue updates: "the queue of this municipality changed", fanned out to every clerk and
//! resident following it. The event carries no data; a follower reads the queue afresh, so a
//! missed or merged event can never leave anyone with a wrong picture, only a later one.
//!
//! In process, one `tokio::sync::broadcast` channel per municipality. On PostgreSQL every
//! change is also sent with `pg_notify`, and one listener per `QueueEvents` relays the other
//! server instances' changes into the local channels, so clerks connected to different
//! instances see each other's calls. SQLite serves one instance, so in-process is enough.

use crate::domain::ids::TenantId;
use crate::store::{Db, Dialect};
use sqlx::postgres::PgListener;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// The PostgreSQL notification channel; the payload is `"<tenant id> <origin>"`.
pub const CHANNEL: &str = "videoloket_queue";

/// Followers only need to know that something changed, so a short buffer is plenty: one that
/// lags behind skips to "changed" and reads the queue once.
const CAPACITY: usize = 16;

/// Something in a municipality's queue changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueChanged {
    pub tenant: TenantId,
}

/// The per-municipality event hub of one server instance; cheap to clone.
#[derive(Clone)]
pub struct QueueEvents {
    inner: Arc<Inner>,
}

struct Inner {
    senders: Mutex<HashMap<TenantId, broadcast::Sender<QueueChanged>>>,
    /// Tells this instance's own notifications apart when they come back from PostgreSQL: the
    /// local followers already had them.
    origin: Uuid,
    relay: Mutex<Option<JoinHandle<()>>>,
    /// Counts the changes heard, of any municipality: a view read after this reached n
    /// includes every change up to n (each is counted after it was committed), so followers
    /// can share one read (`api::live`).
    heard: AtomicU64,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The relay only holds a weak reference, but it may be parked in a read on the
        // listener connection; stop it so the connection goes with the hub.
        if let Some(relay) = self.relay.get_mut().ok().and_then(Option::take) {
            relay.abort();
        }
    }
}

impl Default for QueueEvents {
    /// In-process only.
    fn default() -> Self {
        Self {
            inner: Arc::new(Inner {
                senders: Mutex::new(HashMap::new()),
                origin: Uuid::new_v4(),
                relay: Mutex::new(None),
                heard: AtomicU64::new(0),
            }),
        }
    }
}

impl QueueEvents {
    /// The hub for `db`: on PostgreSQL it listens for the other instances' changes before it
    /// returns, so nothing published after this is missed.
    pub async fn start(db: &Db) -> Result<Self, sqlx::Error> {
        let events = Self::default();
        if db.dialect == Dialect::Postgres {
            let mut listener = PgListener::connect(&db.url).await?;
            listener.listen(CHANNEL).await?;
            let relay = tokio::spawn(relay(listener, Arc::downgrade(&events.inner)));
            *events.inner.relay.lock().expect("relay lock") = Some(relay);
        }
        Ok(events)
    }

    /// How many changes this instance heard so far (see `Inner::heard`).
    pub fn heard(&self) -> u64 {
        self.inner.heard.load(Ordering::SeqCst)
    }

    /// Follows a municipality's queue from now on.
    pub fn subscribe(&self, tenant: TenantId) -> broadcast::Receiver<QueueChanged> {
        self.inner
            .senders
            .lock()
            .expect("queue events lock")
            .entry(tenant)
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe()
    }

    /// Tells every follower, on this and (on PostgreSQL) every other instance, that the queue
    /// changed. Called after the change is committed. A failed notification is logged, not
    /// returned: the change itself succeeded, and followers catch up with the next one.
    pub async fn publish(&self, db: &Db, tenant: TenantId) {
        self.inner.notify_local(tenant);
        if db.dialect == Dialect::Postgres {
            let sent = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(format!("{tenant} {}", self.inner.origin))
                .execute(&db.pool)
                .await;
            if let Err(error) = sent {
                tracing::warn!(%tenant, %error, "could not notify the other instances of a queue change");
            }
        }
    }
}

impl Inner {
    fn notify_local(&self, tenant: TenantId) {
        self.heard.fetch_add(1, Ordering::SeqCst);
        let mut senders = self.senders.lock().expect("queue events lock");
        if let Some(sender) = senders.get(&tenant) {
            if sender.send(QueueChanged { tenant }).is_err() {
                // Nobody follows this municipality any more; forget the channel so the map only
                // holds municipalities that someone watches.
                senders.remove(&tenant);
            }
        }
    }

    /// After a lost listener connection: changes may have been missed, so every follower
    /// reads afresh.
    fn notify_all(&self) {
        let tenants: Vec<TenantId> = self
            .senders
            .lock()
            .expect("queue events lock")
            .keys()
            .copied()
            .collect();
        for tenant in tenants {
            self.notify_local(tenant);
        }
    }
}

/// Relays the other instances' notifications into the local hub until the hub is dropped.
async fn relay(mut listener: PgListener, hub: Weak<Inner>) {
    loop {
        let received = listener.try_recv().await;
        let Some(hub) = hub.upgrade() else { return };
        match received {
            Ok(Some(notification)) => {
                let mut parts = notification.payload().split(' ');
                let tenant = parts.next().and_then(|t| t.parse::<TenantId>().ok());
                let origin = parts.next().and_then(|o| Uuid::parse_str(o).ok());
                match (tenant, origin) {
                    (Some(_), Some(origin)) if origin == hub.origin => {}
                    (Some(tenant), _) => hub.notify_local(tenant),
                    _ => tracing::warn!(payload = notification.payload(), "odd queue notification"),
                }
            }
            // The connection dropped and sqlx has already reconnected and listens again.
            Ok(None) => hub.notify_all(),
            Err(error) => {
                tracing::warn!(%error, "queue listener failed; retrying");
                drop(hub);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn followers_hear_only_their_municipality() {
        let events = QueueEvents::default();
        let (a, b) = (TenantId::new(), TenantId::new());
        let mut follows_a = events.subscribe(a);
        let mut follows_b = events.subscribe(b);
        events.inner.notify_local(a);
        assert_eq!(follows_a.try_recv().unwrap(), QueueChanged { tenant: a });
        assert!(follows_b.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_municipality_nobody_follows_is_forgotten() {
        let events = QueueEvents::default();
        let tenant = TenantId::new();
        drop(events.subscribe(tenant));
        events.inner.notify_local(tenant);
        assert!(events.inner.senders.lock().unwrap().is_empty());
    }
}
