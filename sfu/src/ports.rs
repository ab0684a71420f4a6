//! Picks local ports for each peer connection's media sockets.

use std::net::{IpAddr, SocketAddr, TcpListener, UdpSocket};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::config::PortRange;

/// Hands out ports from the configured range, round robin.
///
/// The `webrtc` driver binds the sockets itself and silently skips an address it cannot
/// bind, so a port is probed here first (bind and release). A port taken between the probe
/// and the driver's bind makes the peer connection fail to build, and the caller moves on to
/// the next port.
#[derive(Debug)]
pub(crate) struct PortAllocator {
    range: Option<PortRange>,
    next: AtomicUsize,
}

impl PortAllocator {
    pub fn new(range: Option<PortRange>) -> Self {
        Self {
            range,
            next: AtomicUsize::new(0),
        }
    }

    /// Ports worth trying for the next peer connection, in order. `[0]` (ephemeral) when no
    /// range is configured.
    pub fn candidates(&self, ip: IpAddr, need_tcp: bool) -> Vec<u16> {
        let Some(range) = self.range.filter(|r| !r.is_empty()) else {
            return vec![0];
        };
        let len = range.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % len;
        (0..len)
            .map(|i| range.min + ((start + i) % len) as u16)
            .filter(|port| is_free(SocketAddr::new(ip, *port), need_tcp))
            .take(4)
            .collect()
    }
}

fn is_free(addr: SocketAddr, need_tcp: bool) -> bool {
    UdpSocket::bind(addr).is_ok() && (!need_tcp || TcpListener::bind(addr).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn ephemeral_without_range_and_skips_ports_in_use() {
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        assert_eq!(PortAllocator::new(None).candidates(ip, true), vec![0]);

        let busy = UdpSocket::bind((ip, 0)).expect("bind");
        let port = busy.local_addr().expect("addr").port();
        let ports = PortAllocator::new(Some(PortRange {
            min: port,
            max: port,
        }))
        .candidates(ip, false);
        assert!(
            ports.is_empty(),
            "a port in use must not be offered: {ports:?}"
        );
    }
}
