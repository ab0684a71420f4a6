//! Static configuration of the SFU, filled in by the binary from its own settings.

use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

/// A STUN or TURN server that clients should use. The SFU itself does not use these: it is
/// expected to be reachable directly (or through [`SfuConfig::public_ip`]); clients behind
/// restrictive NATs need them to reach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    /// `stun:` / `turn:` / `turns:` URLs.
    pub urls: Vec<String>,
    /// TURN user name, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// TURN credential, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// An inclusive range of ports for the SFU's media sockets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    /// First port of the range.
    pub min: u16,
    /// Last port of the range (inclusive).
    pub max: u16,
}

impl PortRange {
    /// Number of ports in the range (0 when `min > max`).
    pub fn len(&self) -> usize {
        if self.min > self.max {
            0
        } else {
            usize::from(self.max - self.min) + 1
        }
    }

    /// Whether the range holds no port at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Configuration of the SFU.
///
/// Media sockets: the `webrtc` 0.21 async layer binds its own sockets for every peer
/// connection (there is no UDP mux in this release), so each participant uses one UDP port
/// (and one TCP port when ICE-TCP is on) taken from `port_range`. A firewall therefore needs
/// the range open, not a single port. See `docs/signaling.md`.
#[derive(Debug, Clone)]
pub struct SfuConfig {
    /// At most this many participants per room (resident, clerk, companion).
    pub max_participants: usize,
    /// Local address the media sockets bind to. `0.0.0.0` means every non-loopback
    /// interface; tests use `127.0.0.1`.
    pub bind_ip: IpAddr,
    /// Ports for media sockets. `None` lets the OS pick ephemeral ports.
    pub port_range: Option<PortRange>,
    /// Public address to advertise when the host sits behind a 1:1 NAT (cloud VM).
    pub public_ip: Option<IpAddr>,
    /// STUN/TURN servers handed to clients in the `joined` message.
    pub ice_servers: Vec<IceServer>,
    /// Also listen for ICE over TCP (RFC 6544, passive), for clients whose UDP is blocked:
    /// per peer connection (port per peer) or once per core (per core).
    pub ice_tcp: bool,
    /// How long to wait for local ICE gathering before sending an offer anyway.
    pub gather_timeout: Duration,
    /// How often per-participant transport statistics (loss, RTT) are sampled for `/metrics`.
    pub stats_interval: Duration,
    /// `Some(port)` runs the per-core engine: all media on `port..port+cores-1` (UDP), one
    /// socket per core, and `port_range` is not used. `Some(0)` takes ephemeral ports
    /// (tests). `None` runs the port-per-peer engine on webrtc's async layer.
    pub media_port: Option<u16>,
    /// Number of media cores of the per-core engine; `None` is one per CPU.
    pub media_cores: Option<usize>,
}

impl Default for SfuConfig {
    fn default() -> Self {
        Self {
            max_participants: 3,
            bind_ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            port_range: None,
            public_ip: None,
            ice_servers: Vec::new(),
            ice_tcp: false,
            gather_timeout: Duration::from_secs(3),
            stats_interval: Duration::from_secs(5),
            media_port: None,
            media_cores: None,
        }
    }
}
