//! Who gets in: `RoomAdmission`, the platform's say on whether a room still admits anyone,
//! and the bound on sockets one client address keeps open without joining (each costs a task
//! and a buffer until the join deadline, so a single client cannot pile them up).

use crate::token::RoomClaims;
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

/// Asked at every join, after the token checked out: whether the room still admits anyone.
/// A token outlives the conversation it was issued for; the platform (which knows the
/// appointments) says no once the appointment or queue call is done. This crate knows nothing
/// of appointments: the binary implements it.
pub trait RoomAdmission: Send + Sync + 'static {
    fn admits<'a>(
        &'a self,
        claims: &'a RoomClaims,
    ) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>>;

    /// How many participants the room holds at most (the municipality's setting); `None`
    /// leaves it to the SFU's `max_participants`.
    fn room_size<'a>(
        &'a self,
        _claims: &'a RoomClaims,
    ) -> Pin<Box<dyn Future<Output = Option<usize>> + Send + 'a>> {
        Box::pin(async { None })
    }

    /// Told once a participant is in the room (not on a reconnect or takeover), so the
    /// platform can record who took part when.
    fn joined<'a>(
        &'a self,
        _claims: &'a RoomClaims,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
        Box::pin(async {})
    }
}

/// Sockets that have not joined yet, per client address (`None`: address unknown).
#[derive(Default)]
pub(crate) struct PendingJoins {
    counts: Mutex<HashMap<Option<IpAddr>, usize>>,
}

/// One socket's place among its address's pending sockets; given back on drop.
pub(crate) struct PendingSlot {
    joins: Arc<PendingJoins>,
    addr: Option<IpAddr>,
}

impl PendingJoins {
    /// A place for a new socket from `addr`, unless it already has `max`.
    pub fn admit(self: &Arc<Self>, addr: Option<IpAddr>, max: usize) -> Option<PendingSlot> {
        let mut counts = lock(&self.counts);
        let count = counts.entry(addr).or_default();
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(PendingSlot {
            joins: Arc::clone(self),
            addr,
        })
    }
}

impl Drop for PendingSlot {
    fn drop(&mut self) {
        let mut counts = lock(&self.joins.counts);
        if let Some(count) = counts.get_mut(&self.addr) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.addr);
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_at_most_max_places_until_one_is_given_back() {
        let joins = Arc::new(PendingJoins::default());
        let a = Some(IpAddr::from([192, 0, 2, 1]));
        let b = Some(IpAddr::from([192, 0, 2, 2]));
        let first = joins.admit(a, 2).expect("first");
        let _second = joins.admit(a, 2).expect("second");
        assert!(joins.admit(a, 2).is_none(), "a third from the same address");
        assert!(joins.admit(b, 2).is_some(), "another address has its own");
        drop(first);
        assert!(joins.admit(a, 2).is_some(), "a place was given back");
    }
}
