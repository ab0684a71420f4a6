//! Which peer connection an incoming datagram on a shared socket belongs to (sans-IO).
//!
//! Every peer connection of a core shares one UDP socket, so the source address is all a
//! media packet carries. An address becomes known from the client's first STUN binding
//! request: its USERNAME is `<our ufrag>:<their ufrag>` (RFC 8445 §7.2.2), and our ufrag is
//! unique per peer connection (and per ICE restart). From then on packets from that address
//! go to that peer connection. Addresses nobody sent from for a while are forgotten, so a
//! client whose NAT moved it elsewhere does not pin the old address for ever.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const STUN_BINDING_REQUEST: u16 = 0x0001;
const STUN_MAGIC_COOKIE: u32 = 0x2112_A442;
const STUN_HEADER_LEN: usize = 20;
const STUN_ATTR_USERNAME: u16 = 0x0006;

/// The local (receiver's) ufrag of a STUN binding request's USERNAME, if `packet` is one.
pub(crate) fn binding_request_ufrag(packet: &[u8]) -> Option<&str> {
    if packet.len() < STUN_HEADER_LEN || packet[0] & 0xC0 != 0 {
        return None;
    }
    let message_type = u16::from_be_bytes([packet[0], packet[1]]);
    let length = usize::from(u16::from_be_bytes([packet[2], packet[3]]));
    let cookie = u32::from_be_bytes([packet[4], packet[5], packet[6], packet[7]]);
    if message_type != STUN_BINDING_REQUEST
        || cookie != STUN_MAGIC_COOKIE
        || STUN_HEADER_LEN + length > packet.len()
    {
        return None;
    }
    let mut attributes = &packet[STUN_HEADER_LEN..STUN_HEADER_LEN + length];
    while attributes.len() >= 4 {
        let kind = u16::from_be_bytes([attributes[0], attributes[1]]);
        let len = usize::from(u16::from_be_bytes([attributes[2], attributes[3]]));
        let value = attributes.get(4..4 + len)?;
        if kind == STUN_ATTR_USERNAME {
            let username = std::str::from_utf8(value).ok()?;
            return username.split(':').next();
        }
        let padded = 4 + len.div_ceil(4) * 4;
        attributes = attributes.get(padded..)?;
    }
    None
}

struct Route<K> {
    peer: K,
    last_seen: Instant,
}

/// Routes datagrams to peers of type `K`: by the ICE ufrag of a binding request first, by
/// source address after that.
pub(crate) struct Demux<K> {
    by_ufrag: HashMap<String, K>,
    by_addr: HashMap<SocketAddr, Route<K>>,
    /// An address unheard of for this long is forgotten. ICE consent checks (every few
    /// seconds, RFC 7675) keep a live client's address fresh even when it sends no media.
    idle_timeout: Duration,
}

impl<K: Copy + Eq + Hash> Demux<K> {
    pub fn new(idle_timeout: Duration) -> Self {
        Self {
            by_ufrag: HashMap::new(),
            by_addr: HashMap::new(),
            idle_timeout,
        }
    }

    /// Lets binding requests for `ufrag` (our side's, as in the offer) reach `peer`. A
    /// peer keeps its earlier ufrags until it is removed, so checks of the old generation
    /// still arrive during an ICE restart.
    pub fn add_ufrag(&mut self, ufrag: &str, peer: K) {
        self.by_ufrag.insert(ufrag.to_owned(), peer);
    }

    /// The peer `packet` from `from` belongs to, if any. A binding request names its peer
    /// and (re)binds the address to it; anything else is routed by address.
    pub fn route(&mut self, from: SocketAddr, packet: &[u8], now: Instant) -> Option<K> {
        if let Some(ufrag) = binding_request_ufrag(packet) {
            if let Some(&peer) = self.by_ufrag.get(ufrag) {
                self.by_addr.insert(
                    from,
                    Route {
                        peer,
                        last_seen: now,
                    },
                );
                return Some(peer);
            }
        }
        let route = self.by_addr.get_mut(&from)?;
        route.last_seen = now;
        Some(route.peer)
    }

    /// Forgets addresses idle for longer than the idle timeout; returns how many.
    pub fn expire(&mut self, now: Instant) -> usize {
        let before = self.by_addr.len();
        let idle = self.idle_timeout;
        self.by_addr
            .retain(|_, route| now.saturating_duration_since(route.last_seen) < idle);
        before - self.by_addr.len()
    }

    /// Whether datagrams from `addr` reach a peer.
    pub fn knows(&self, addr: &SocketAddr) -> bool {
        self.by_addr.contains_key(addr)
    }

    /// Forgets every ufrag and address of `peer` (its connection closed).
    pub fn remove_peer(&mut self, peer: K) {
        self.by_ufrag.retain(|_, p| *p != peer);
        self.by_addr.retain(|_, route| route.peer != peer);
    }

    /// Number of known addresses.
    #[cfg(test)]
    pub fn address_count(&self) -> usize {
        self.by_addr.len()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A STUN binding request with a USERNAME attribute (and another attribute before it,
    /// as browsers put PRIORITY and others around it).
    pub(crate) fn binding_request(username: &str) -> Vec<u8> {
        let mut attrs = Vec::new();
        // PRIORITY (0x0024), 4 bytes.
        attrs.extend_from_slice(&[0x00, 0x24, 0x00, 0x04, 1, 2, 3, 4]);
        attrs.extend_from_slice(&STUN_ATTR_USERNAME.to_be_bytes());
        attrs.extend_from_slice(&(username.len() as u16).to_be_bytes());
        attrs.extend_from_slice(username.as_bytes());
        while attrs.len() % 4 != 0 {
            attrs.push(0);
        }
        let mut packet = Vec::new();
        packet.extend_from_slice(&STUN_BINDING_REQUEST.to_be_bytes());
        packet.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
        packet.extend_from_slice(&STUN_MAGIC_COOKIE.to_be_bytes());
        packet.extend_from_slice(&[7; 12]);
        packet.extend_from_slice(&attrs);
        packet
    }

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::from(([192, 0, 2, 1], port))
    }

    const RTP: &[u8] = &[0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];

    #[test]
    fn the_username_names_our_ufrag_first() {
        assert_eq!(
            binding_request_ufrag(&binding_request("srvA:cli1")),
            Some("srvA")
        );
        assert_eq!(binding_request_ufrag(RTP), None, "RTP is not STUN");
        let mut response = binding_request("srvA:cli1");
        response[0] = 0x01; // 0x0101: binding success response
        assert_eq!(binding_request_ufrag(&response), None);
        let truncated = &binding_request("srvA:cli1")[..22];
        assert_eq!(binding_request_ufrag(truncated), None);
    }

    #[test]
    fn the_first_check_binds_the_address_then_media_follows_it() {
        let now = Instant::now();
        let mut demux = Demux::new(Duration::from_secs(30));
        demux.add_ufrag("srvA", 1u64);
        demux.add_ufrag("srvB", 2u64);

        assert_eq!(demux.route(addr(5000), RTP, now), None, "unknown address");
        assert_eq!(
            demux.route(addr(5000), &binding_request("srvB:x"), now),
            Some(2)
        );
        assert_eq!(
            demux.route(addr(6000), &binding_request("srvA:y"), now),
            Some(1)
        );
        assert_eq!(demux.route(addr(5000), RTP, now), Some(2));
        assert_eq!(demux.route(addr(6000), RTP, now), Some(1));
        // A check for an unknown ufrag from a known address follows the address.
        assert_eq!(
            demux.route(addr(6000), &binding_request("nobody:z"), now),
            Some(1)
        );
        // The same address checking with another peer's ufrag (a client reconnected with
        // a new peer connection from the same port) moves to that peer.
        assert_eq!(
            demux.route(addr(6000), &binding_request("srvB:w"), now),
            Some(2)
        );
        assert_eq!(demux.route(addr(6000), RTP, now), Some(2));
    }

    #[test]
    fn idle_addresses_expire_and_live_ones_stay() {
        let t0 = Instant::now();
        let secs = Duration::from_secs;
        let mut demux = Demux::new(secs(30));
        demux.add_ufrag("srvA", 1u64);
        demux.route(addr(5000), &binding_request("srvA:x"), t0);
        demux.route(addr(5001), &binding_request("srvA:x"), t0);
        // Only 5001 keeps sending.
        assert_eq!(demux.route(addr(5001), RTP, t0 + secs(20)), Some(1));

        assert_eq!(demux.expire(t0 + secs(29)), 0);
        assert_eq!(demux.expire(t0 + secs(31)), 1);
        assert_eq!(demux.route(addr(5000), RTP, t0 + secs(31)), None);
        assert_eq!(demux.route(addr(5001), RTP, t0 + secs(31)), Some(1));
        // The ufrag is still known: the client can come back with a new check.
        assert_eq!(
            demux.route(addr(5000), &binding_request("srvA:x"), t0 + secs(32)),
            Some(1)
        );
    }

    #[test]
    fn a_removed_peer_loses_its_ufrags_and_addresses() {
        let now = Instant::now();
        let mut demux = Demux::new(Duration::from_secs(30));
        demux.add_ufrag("gen1", 1u64);
        demux.add_ufrag("gen2", 1u64); // after an ICE restart
        demux.add_ufrag("other", 2u64);
        demux.route(addr(5000), &binding_request("gen1:x"), now);
        demux.route(addr(5001), &binding_request("gen2:x"), now);
        demux.route(addr(5002), &binding_request("other:x"), now);
        assert_eq!(demux.address_count(), 3);

        assert!(demux.knows(&addr(5000)));
        demux.remove_peer(1);
        assert_eq!(demux.address_count(), 1);
        assert!(!demux.knows(&addr(5000)) && !demux.knows(&addr(5001)));
        assert!(demux.knows(&addr(5002)));
        assert_eq!(demux.route(addr(5000), RTP, now), None);
        assert_eq!(
            demux.route(addr(5003), &binding_request("gen2:x"), now),
            None
        );
        assert_eq!(demux.route(addr(5002), RTP, now), Some(2));
    }
}
