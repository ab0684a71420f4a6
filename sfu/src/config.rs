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

/// Configuration of the SFU.
///
/// Media sockets: one UDP socket per media core, on `media_port..media_port+cores-1`, carries
/// every peer connection of the calls pinned to that core (and with `ice_tcp` one TCP
/// listener on the same port numbers). A firewall needs those few ports open, however many
/// people are in calls. See `docs/signaling.md`.
#[derive(Debug, Clone)]
pub struct SfuConfig {
    /// At most this many participants per room (resident, clerk, companion).
    pub max_participants: usize,
    /// Local address the media sockets bind to. `0.0.0.0` means every non-loopback
    /// interface; tests use `127.0.0.1`.
    pub bind_ip: IpAddr,
    /// Public address to advertise when the host sits behind a 1:1 NAT (cloud VM).
    pub public_ip: Option<IpAddr>,
    /// STUN/TURN servers handed to clients in the `joined` message.
    pub ice_servers: Vec<IceServer>,
    /// Also listen for ICE over TCP (RFC 6544, passive), for clients whose UDP is blocked:
    /// one listener per core, on the port number of the core's UDP socket.
    pub ice_tcp: bool,
    /// How often per-participant transport statistics (loss, RTT) are sampled for `/metrics`.
    pub stats_interval: Duration,
    /// The first media port: core `i` receives on `media_port + i` (UDP, and TCP with
    /// `ice_tcp`). 0 takes an ephemeral port for every core (tests).
    pub media_port: u16,
    /// Number of media cores (threads, each with its own socket); `None` is one per CPU.
    pub media_cores: Option<usize>,
}

impl Default for SfuConfig {
    fn default() -> Self {
        Self {
            max_participants: 3,
            bind_ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            public_ip: None,
            ice_servers: Vec::new(),
            ice_tcp: false,
            stats_interval: Duration::from_secs(5),
            media_port: 0,
            media_cores: None,
        }
    }
}
