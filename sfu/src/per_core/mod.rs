//! The per-core media engine (issue 18): one thread per core, each owning one UDP socket
//! (`media_port + i`) and the rooms pinned to it, driving the sans-IO `rtc` core directly.
//!
//! This side keeps the room map the signalling layer asks about (who is in which room, on
//! which core) and turns the [`crate::Sfu`] calls into [`Command`]s for the room's core;
//! everything about packets happens in [`core_loop`].

mod core_loop;
pub(crate) mod demux;

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};
use tracing::info;

use crate::metrics::{Metrics, RoomSnapshot, RoomStats, TransportStats};
use crate::{IceCandidate, SfuConfig, SfuError, SfuEvent};
use core_loop::{Command, Core, CoreSettings, Joined};

/// The command channel of one core.
#[derive(Clone)]
struct CoreHandle {
    commands: mpsc::UnboundedSender<Command>,
}

impl CoreHandle {
    async fn ask<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, SfuError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(command(tx))
            .map_err(|_| SfuError::Closed)?;
        rx.await.map_err(|_| SfuError::Closed)
    }
}

struct RoomEntry {
    core: usize,
    participants: HashSet<String>,
    stats: Arc<RoomStats>,
    transport: Arc<Mutex<TransportStats>>,
}

/// The running cores and the rooms pinned to them.
pub(crate) struct PerCore {
    cores: Vec<CoreHandle>,
    addrs: Vec<SocketAddr>,
    rooms: Mutex<HashMap<String, RoomEntry>>,
    max_participants: usize,
}

impl PerCore {
    /// Binds one socket per core on `bind_ip:port+i` (every one on an ephemeral port when
    /// `port` is 0) and starts the core threads.
    pub fn start(config: &SfuConfig, port: u16, metrics: Arc<Metrics>) -> Result<Self, SfuError> {
        let count = config
            .media_cores
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        let advertised_ip = match config.public_ip {
            Some(ip) => ip,
            None if config.bind_ip.is_unspecified() => primary_ip(config.bind_ip)?,
            None => config.bind_ip,
        };
        let mut cores = Vec::with_capacity(count);
        let mut addrs = Vec::with_capacity(count);
        for i in 0..count {
            let port = if port == 0 { 0 } else { port + i as u16 };
            let (socket, tcp, local) = bind_core(config.bind_ip, port, config.ice_tcp)?;
            let settings = CoreSettings {
                advertised: SocketAddr::new(advertised_ip, local.port()),
                ice_tcp: config.ice_tcp,
                stats_interval: config.stats_interval,
            };
            let (tx, rx) = mpsc::unbounded_channel();
            let metrics = Arc::clone(&metrics);
            std::thread::Builder::new()
                .name(format!("sfu-core-{i}"))
                .spawn(move || {
                    let runtime = match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(runtime) => runtime,
                        Err(err) => {
                            tracing::error!(%err, "media core runtime");
                            return;
                        }
                    };
                    runtime.block_on(async move {
                        let tcp = match tcp.map(tokio::net::TcpListener::from_std).transpose() {
                            Ok(tcp) => tcp,
                            Err(err) => {
                                tracing::error!(%err, "media core ICE-TCP listener");
                                return;
                            }
                        };
                        match tokio::net::UdpSocket::from_std(socket) {
                            Ok(socket) => Core::new(socket, tcp, settings, metrics).run(rx).await,
                            Err(err) => tracing::error!(%err, "media core socket"),
                        }
                    });
                })
                .map_err(|e| SfuError::NoPort(e.to_string()))?;
            info!(core = i, %local, "media core listening");
            cores.push(CoreHandle { commands: tx });
            addrs.push(local);
        }
        Ok(Self {
            cores,
            addrs,
            rooms: Mutex::new(HashMap::new()),
            max_participants: config.max_participants,
        })
    }

    /// The local address of each core's socket.
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    pub fn has_room(&self, room: &str) -> bool {
        lock(&self.rooms).contains_key(room)
    }

    pub async fn connect(
        &self,
        room_id: &str,
        participant_id: &str,
    ) -> Result<(CorePeer, mpsc::UnboundedReceiver<SfuEvent>), SfuError> {
        let (core, is_new, stats, transport) = {
            let mut rooms = lock(&self.rooms);
            if !rooms.contains_key(room_id) {
                // Pin the room to the core with the fewest rooms.
                let mut load = vec![0usize; self.cores.len()];
                for entry in rooms.values() {
                    load[entry.core] += 1;
                }
                let core = (0..load.len()).min_by_key(|&i| load[i]).unwrap_or(0);
                rooms.insert(
                    room_id.to_owned(),
                    RoomEntry {
                        core,
                        participants: HashSet::new(),
                        stats: Arc::default(),
                        transport: Arc::default(),
                    },
                );
            }
            let entry = rooms.get_mut(room_id).ok_or(SfuError::Closed)?;
            let is_new = !entry.participants.contains(participant_id);
            if is_new && entry.participants.len() >= self.max_participants {
                if entry.participants.is_empty() {
                    rooms.remove(room_id);
                }
                return Err(SfuError::RoomFull {
                    max: self.max_participants,
                });
            }
            entry.participants.insert(participant_id.to_owned());
            (
                entry.core,
                is_new,
                Arc::clone(&entry.stats),
                Arc::clone(&entry.transport),
            )
        };
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let handle = self.cores[core].clone();
        let result = handle
            .ask(|reply| Command::Connect {
                room: room_id.to_owned(),
                participant: participant_id.to_owned(),
                room_stats: stats,
                room_transport: transport,
                events: events_tx,
                reply,
            })
            .await
            .and_then(|r| r);
        match result {
            Ok(Joined { session, downlinks }) => Ok((
                CorePeer {
                    core: handle,
                    session,
                    participant: participant_id.to_owned(),
                    downlinks,
                },
                events_rx,
            )),
            Err(err) => {
                if is_new {
                    self.forget(room_id, participant_id);
                }
                Err(err)
            }
        }
    }

    fn forget(&self, room_id: &str, participant_id: &str) -> Option<usize> {
        let mut rooms = lock(&self.rooms);
        let entry = rooms.get_mut(room_id)?;
        if !entry.participants.remove(participant_id) {
            return None;
        }
        let core = entry.core;
        if entry.participants.is_empty() {
            rooms.remove(room_id);
        }
        Some(core)
    }

    pub async fn remove_participant(&self, room_id: &str, participant_id: &str) {
        let Some(core) = self.forget(room_id, participant_id) else {
            return;
        };
        let _ = self.cores[core]
            .ask(|reply| Command::Remove {
                room: room_id.to_owned(),
                participant: participant_id.to_owned(),
                reply,
            })
            .await;
    }

    pub fn participant_ids(&self, room_id: &str) -> Vec<String> {
        lock(&self.rooms)
            .get(room_id)
            .map(|r| r.participants.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub fn room_count(&self) -> usize {
        lock(&self.rooms).len()
    }

    pub fn participant_count(&self) -> usize {
        lock(&self.rooms)
            .values()
            .map(|r| r.participants.len())
            .sum()
    }

    pub fn room_participant_count(&self, room_id: &str) -> usize {
        lock(&self.rooms)
            .get(room_id)
            .map_or(0, |r| r.participants.len())
    }

    pub fn snapshots(&self) -> Vec<RoomSnapshot> {
        lock(&self.rooms)
            .iter()
            .map(|(id, r)| {
                let transport = *lock(&r.transport);
                RoomSnapshot {
                    id: id.clone(),
                    participants: r.participants.len(),
                    packets: r.stats.packets.load(Ordering::Relaxed),
                    bytes: r.stats.bytes.load(Ordering::Relaxed),
                    packets_lost: transport.packets_lost,
                    rtt_seconds: transport.rtt_seconds,
                }
            })
            .collect()
    }
}

/// A participant's peer connection on a core.
#[derive(Clone)]
pub(crate) struct CorePeer {
    core: CoreHandle,
    pub session: u64,
    pub participant: String,
    downlinks: Arc<AtomicUsize>,
}

impl CorePeer {
    pub async fn apply_answer(&self, sdp: String) -> Result<(), SfuError> {
        self.core
            .ask(|reply| Command::Answer {
                session: self.session,
                sdp,
                reply,
            })
            .await?
    }

    pub async fn add_ice_candidate(&self, candidate: IceCandidate) -> Result<(), SfuError> {
        self.core
            .ask(|reply| Command::Candidate {
                session: self.session,
                candidate,
                reply,
            })
            .await?
    }

    pub async fn negotiate(&self, restart_ice: bool) -> Result<(), SfuError> {
        self.core
            .ask(|reply| Command::Negotiate {
                session: self.session,
                restart_ice,
                reply,
            })
            .await?
    }

    pub fn downlink_count(&self) -> usize {
        self.downlinks.load(Ordering::Relaxed)
    }
}

/// Buffer asked for each direction of a core's socket (the kernel caps it at
/// `net.core.rmem_max`/`wmem_max`). One socket carries every call of the core, so the
/// default ~200 KB overflows in a few milliseconds of the thread not running.
const SOCKET_BUFFER: usize = 4 << 20;

/// Binds a core's UDP socket on `ip:port` and, with ICE-TCP, a TCP listener on the same port
/// number. An ephemeral UDP port (`port` 0) can be taken for TCP by some other socket; then
/// another ephemeral port is tried.
fn bind_core(
    ip: IpAddr,
    port: u16,
    ice_tcp: bool,
) -> Result<(UdpSocket, Option<std::net::TcpListener>, SocketAddr), SfuError> {
    const ATTEMPTS: usize = 16;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let socket = UdpSocket::bind(SocketAddr::new(ip, port))
            .map_err(|e| SfuError::NoPort(format!("{ip}:{port}: {e}")))?;
        socket
            .set_nonblocking(true)
            .map_err(|e| SfuError::NoPort(e.to_string()))?;
        let local = socket
            .local_addr()
            .map_err(|e| SfuError::NoPort(e.to_string()))?;
        if !ice_tcp {
            return Ok((with_large_buffers(socket), None, local));
        }
        match std::net::TcpListener::bind(local) {
            Ok(listener) => {
                listener
                    .set_nonblocking(true)
                    .map_err(|e| SfuError::NoPort(e.to_string()))?;
                return Ok((with_large_buffers(socket), Some(listener), local));
            }
            Err(e) if port == 0 && attempt < ATTEMPTS => {
                tracing::debug!(%local, %e, "ephemeral media port taken for TCP, trying another");
            }
            Err(e) => return Err(SfuError::NoPort(format!("{local} (TCP): {e}"))),
        }
    }
}

fn with_large_buffers(socket: UdpSocket) -> UdpSocket {
    let socket = socket2::Socket::from(socket);
    for (what, result) in [
        ("receive", socket.set_recv_buffer_size(SOCKET_BUFFER)),
        ("send", socket.set_send_buffer_size(SOCKET_BUFFER)),
    ] {
        if let Err(err) = result {
            tracing::warn!(%err, "could not enlarge the media socket's {what} buffer");
        }
    }
    socket.into()
}

/// The address of the interface the default route leaves from: what to advertise when
/// bound to every interface. No packet is sent.
fn primary_ip(bind_ip: IpAddr) -> Result<IpAddr, SfuError> {
    let (any, probe): (SocketAddr, SocketAddr) = if bind_ip.is_ipv4() {
        (([0, 0, 0, 0], 0).into(), ([192, 0, 2, 1], 9).into())
    } else {
        (
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
            (
                "2001:db8::1"
                    .parse::<std::net::Ipv6Addr>()
                    .unwrap_or(std::net::Ipv6Addr::LOCALHOST),
                9,
            )
                .into(),
        )
    };
    let socket = UdpSocket::bind(any).map_err(|e| SfuError::NoPort(e.to_string()))?;
    socket
        .connect(probe)
        .and_then(|_| socket.local_addr())
        .map(|a| a.ip())
        .map_err(|e| {
            SfuError::NoPort(format!(
                "cannot tell which address to advertise ({e}); set the public or bind address"
            ))
        })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::bind_core;
    use crate::SfuError;
    use std::net::{IpAddr, Ipv4Addr};

    const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    #[test]
    fn a_core_gets_udp_and_tcp_on_one_port_number() {
        let (udp, tcp, local) = bind_core(LOOPBACK, 0, true).expect("binds");
        assert_eq!(udp.local_addr().unwrap(), local);
        assert_eq!(tcp.expect("a listener").local_addr().unwrap(), local);
    }

    #[test]
    fn a_configured_port_taken_for_tcp_is_refused_naming_tcp() {
        // A free UDP port whose TCP number is taken.
        let taken = std::net::TcpListener::bind((LOOPBACK, 0)).unwrap();
        let port = taken.local_addr().unwrap().port();
        match bind_core(LOOPBACK, port, true) {
            Err(SfuError::NoPort(message)) => assert!(message.contains("(TCP)"), "{message}"),
            other => panic!("expected NoPort, got {:?}", other.map(|(_, _, a)| a)),
        }
    }
}
