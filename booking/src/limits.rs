//! Limits on what anyone may do without an account (issue 13, finding 6): bookings, walk-ins
//! and callback requests are counted per client address and per e-mail address and phone
//! number, the mails they cause per recipient (with `governor`, as the login limits in
//! `api::security`), and live streams open at once per queue token. `App` holds one
//! `FloodLimits`; the handlers (API and pages) ask it before acting, the mail sender before
//! sending. An `App` without `with_flood_limits` counts nothing (the crate's own tests).

use crate::error::{CountedBy, Error, Flood, Result, TooMany};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How much one client may do, per hour unless said otherwise. Each limit is a burst of that
/// many, after which one more is allowed every hour / that many.
#[derive(Clone, Debug)]
pub struct FloodQuotas {
    /// Bookings from one client address.
    pub bookings_per_address: NonZeroU32,
    /// Walk-ins from one client address (higher: a municipal office's public computers share
    /// one address).
    pub walk_ins_per_address: NonZeroU32,
    /// Callback requests from one client address.
    pub callbacks_per_address: NonZeroU32,
    /// Bookings, walk-ins and callback requests (each counted apart) per e-mail address or
    /// phone number; mails to one recipient: twice this.
    pub per_contact: NonZeroU32,
    /// Live streams (`/queue-entries/{token}/events`) open at once on one token.
    pub streams_per_token: usize,
}

impl Default for FloodQuotas {
    fn default() -> Self {
        let n = |n| NonZeroU32::new(n).expect("non-zero");
        Self {
            bookings_per_address: n(10),
            walk_ins_per_address: n(60),
            callbacks_per_address: n(20),
            per_contact: n(5),
            streams_per_token: 5,
        }
    }
}

fn per_hour(n: NonZeroU32) -> Quota {
    Quota::with_period(Duration::from_secs(3600) / n.get())
        .expect("non-zero period")
        .allow_burst(n)
}

struct Limiters {
    bookings: DefaultKeyedRateLimiter<IpAddr>,
    walk_ins: DefaultKeyedRateLimiter<IpAddr>,
    callbacks: DefaultKeyedRateLimiter<IpAddr>,
    finds: DefaultKeyedRateLimiter<IpAddr>,
    /// (what, "email:..." or "phone:...").
    contacts: DefaultKeyedRateLimiter<(Flood, String)>,
    mails: DefaultKeyedRateLimiter<String>,
    streams_per_token: usize,
}

/// The counters; see the module's description.
pub struct FloodLimits {
    limiters: Option<Limiters>,
    streams: Arc<Mutex<HashMap<String, usize>>>,
}

impl FloodLimits {
    /// Counts nothing.
    pub fn unlimited() -> Self {
        Self {
            limiters: None,
            streams: Arc::default(),
        }
    }

    pub fn new(quotas: &FloodQuotas) -> Self {
        let twice = NonZeroU32::new(quotas.per_contact.get().saturating_mul(2))
            .unwrap_or(quotas.per_contact);
        Self {
            limiters: Some(Limiters {
                bookings: RateLimiter::keyed(per_hour(quotas.bookings_per_address)),
                walk_ins: RateLimiter::keyed(per_hour(quotas.walk_ins_per_address)),
                callbacks: RateLimiter::keyed(per_hour(quotas.callbacks_per_address)),
                finds: RateLimiter::keyed(per_hour(quotas.bookings_per_address)),
                contacts: RateLimiter::keyed(per_hour(quotas.per_contact)),
                mails: RateLimiter::keyed(per_hour(twice)),
                streams_per_token: quotas.streams_per_token,
            }),
            streams: Arc::default(),
        }
    }

    /// Counts one `what` from `client` (when known) for each of `contacts` (e-mail addresses
    /// and phone numbers as parsed); refuses with `Error::TooMany` once any count is over.
    pub fn check(
        &self,
        what: Flood,
        client: Option<IpAddr>,
        contacts: &[(CountedBy, &str)],
    ) -> Result<()> {
        let Some(l) = &self.limiters else {
            return Ok(());
        };
        l.tidy();
        let per_address = match what {
            Flood::Bookings => &l.bookings,
            Flood::WalkIns => &l.walk_ins,
            Flood::Callbacks => &l.callbacks,
            // Guesses at a booking code's phone number or date share the bookings' quota per
            // address; per code they get the per-contact quota (`CountedBy::Code`).
            Flood::Finds => &l.finds,
            Flood::LiveStreams => return Ok(()),
        };
        if let Some(client) = client {
            if let Err(wait) = per_address.check_key(&network_of(client)) {
                return Err(too_many(what, CountedBy::Address, wait));
            }
        }
        for (by, contact) in contacts {
            let key = format!("{by:?}:{}", contact.trim().to_lowercase());
            if let Err(wait) = l.contacts.check_key(&(what, key)) {
                return Err(too_many(what, *by, wait));
            }
        }
        Ok(())
    }

    /// Whether one more mail may go to `recipient` this hour (counts it when so).
    pub fn mail_allowed(&self, recipient: &str) -> bool {
        match &self.limiters {
            None => true,
            Some(l) => l.mails.check_key(&recipient.trim().to_lowercase()).is_ok(),
        }
    }

    /// A place for one more live stream on `entry` (the queue entry its token opens), held
    /// until the returned slot is dropped (when the stream ends).
    pub fn open_stream(&self, entry: &str) -> Result<StreamSlot> {
        let max = match &self.limiters {
            None => usize::MAX,
            Some(l) => l.streams_per_token,
        };
        let mut open = lock(&self.streams);
        let count = open.entry(entry.to_owned()).or_default();
        if *count >= max {
            return Err(Error::TooMany(TooMany {
                what: Flood::LiveStreams,
                by: CountedBy::Token,
                retry_after: Duration::from_secs(30),
            }));
        }
        *count += 1;
        Ok(StreamSlot {
            streams: Arc::clone(&self.streams),
            key: entry.to_owned(),
        })
    }
}

impl Limiters {
    /// Keys of clients that stopped are dropped now and then, so memory stays bounded.
    fn tidy(&self) {
        if self.contacts.len() > 10_000 || self.bookings.len() > 10_000 {
            self.bookings.retain_recent();
            self.walk_ins.retain_recent();
            self.callbacks.retain_recent();
            self.finds.retain_recent();
            self.contacts.retain_recent();
            self.mails.retain_recent();
        }
    }
}

/// One open live stream's place; given back on drop.
pub struct StreamSlot {
    streams: Arc<Mutex<HashMap<String, usize>>>,
    key: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = lock(&self.streams);
        if let Some(count) = open.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// An IPv6 client controls its whole /64, so that is what is counted; IPv4 per address.
fn network_of(client: IpAddr) -> IpAddr {
    match client.to_canonical() {
        IpAddr::V6(v6) => {
            let mut octets = v6.octets();
            octets[8..].fill(0);
            IpAddr::from(octets)
        }
        v4 => v4,
    }
}

fn too_many(
    what: Flood,
    by: CountedBy,
    wait: governor::NotUntil<governor::clock::QuantaInstant>,
) -> Error {
    Error::TooMany(TooMany {
        what,
        by,
        retry_after: wait.wait_time_from(DefaultClock::default().now()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotas(n: u32) -> FloodQuotas {
        let n = NonZeroU32::new(n).unwrap();
        FloodQuotas {
            bookings_per_address: n,
            walk_ins_per_address: n,
            callbacks_per_address: n,
            per_contact: n,
            streams_per_token: 2,
        }
    }

    fn refused_by(result: Result<()>) -> Option<CountedBy> {
        match result {
            Ok(()) => None,
            Err(Error::TooMany(t)) => Some(t.by),
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn an_address_gets_its_burst_then_is_refused() {
        let limits = FloodLimits::new(&quotas(3));
        let a = Some(IpAddr::from([192, 0, 2, 1]));
        for _ in 0..3 {
            assert_eq!(refused_by(limits.check(Flood::WalkIns, a, &[])), None);
        }
        assert_eq!(
            refused_by(limits.check(Flood::WalkIns, a, &[])),
            Some(CountedBy::Address)
        );
        // Another action and another address are counted apart.
        assert_eq!(refused_by(limits.check(Flood::Callbacks, a, &[])), None);
        let b = Some(IpAddr::from([192, 0, 2, 2]));
        assert_eq!(refused_by(limits.check(Flood::WalkIns, b, &[])), None);
    }

    #[test]
    fn one_e_mail_address_is_counted_from_every_client() {
        let limits = FloodLimits::new(&quotas(2));
        let email = [(CountedBy::Email, "Sanne@Example.nl")];
        let clients = [[198, 51, 100, 1], [198, 51, 100, 2], [198, 51, 100, 3]];
        let results: Vec<_> = clients
            .iter()
            .map(|c| refused_by(limits.check(Flood::Bookings, Some(IpAddr::from(*c)), &email)))
            .collect();
        assert_eq!(results, [None, None, Some(CountedBy::Email)]);
        let other_case = [(CountedBy::Email, " sanne@example.nl")];
        assert_eq!(
            refused_by(limits.check(Flood::Bookings, None, &other_case)),
            Some(CountedBy::Email)
        );
    }

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        let limits = FloodLimits::new(&quotas(1));
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let same_64: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(
            refused_by(limits.check(Flood::Bookings, Some(one), &[])),
            None
        );
        assert_eq!(
            refused_by(limits.check(Flood::Bookings, Some(same_64), &[])),
            Some(CountedBy::Address)
        );
    }

    #[test]
    fn mails_to_one_recipient_are_bounded() {
        let limits = FloodLimits::new(&quotas(2));
        let sent = (0..10).filter(|_| limits.mail_allowed("a@b.nl")).count();
        assert_eq!(sent, 4);
        assert!(limits.mail_allowed("c@b.nl"));
    }

    #[test]
    fn streams_per_token_are_given_back_when_they_end() {
        let limits = FloodLimits::new(&quotas(1));
        let first = limits.open_stream("t").unwrap();
        let _second = limits.open_stream("t").unwrap();
        assert!(limits.open_stream("t").is_err());
        assert!(limits.open_stream("u").is_ok());
        drop(first);
        assert!(limits.open_stream("t").is_ok());
    }

    #[test]
    fn unlimited_counts_nothing() {
        let limits = FloodLimits::unlimited();
        let a = Some(IpAddr::from([192, 0, 2, 1]));
        for _ in 0..1000 {
            limits.check(Flood::Bookings, a, &[]).unwrap();
        }
        assert!((0..100).all(|_| limits.mail_allowed("a@b.nl")));
    }
}
