//! Signalling for Videoloket's video rooms: room tokens and the WebSocket on which a
//! client joins a room and negotiates its peer connection with the SFU.
//!
//! The protocol is described in `docs/signaling.md`.
//!
//! # Example
//!
//! How the binary wires it into its axum app and `/metrics`:
//!
//! ```no_run
//! use signaling::{SignalingState, token::RoomTokenKeys};
//! use std::net::SocketAddr;
//!
//! # async fn demo() -> std::io::Result<()> {
//! let keys = RoomTokenKeys::load_or_create(std::path::Path::new("data"))?;
//! let sfu = sfu::Sfu::new(sfu::SfuConfig {
//!     media_port: 40000,
//!     ice_tcp: true,
//!     ..Default::default()
//! });
//! let state = SignalingState::new(keys.clone(), sfu.clone());
//!
//! // `keys` also goes to `booking`, which calls `keys.issue(&claims)`.
//! let app = axum::Router::new()
//!     .route("/metrics", axum::routing::get({
//!         let sfu = sfu.clone();
//!         move || async move { sfu.metrics_text() }
//!     }))
//!     .merge(signaling::router(state));
//!
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! // `with_connect_info` lets refused joins be logged with the client's address.
//! axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await
//! # }
//! ```

mod admission;
mod conversation;
pub mod error;
#[cfg(test)]
mod fuzz;
mod photo;
pub mod placement;
mod presence;
pub mod protocol;
mod relay;
mod session;
pub mod token;
pub mod turn;

pub use admission::RoomAdmission;
pub use error::TokenError;
pub use placement::{ClusterKey, Destination, Placement};

use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::admission::PendingJoins;
use crate::presence::Rooms;
use crate::token::RoomTokenKeys;
use crate::turn::TurnConfig;

/// Timing and limits of the signalling endpoint.
#[derive(Debug, Clone)]
pub struct SignalingConfig {
    /// How often the server pings each socket.
    pub heartbeat_interval: Duration,
    /// A socket silent for this long counts as dropped.
    pub heartbeat_timeout: Duration,
    /// How long a participant whose socket dropped keeps their place (and media path);
    /// never beyond their token's `exp`.
    pub reconnect_grace: Duration,
    /// Time allowed for the `join` message after the socket opens.
    pub join_timeout: Duration,
    /// Bad messages tolerated before the socket is closed; as many messages over a rate
    /// are refused before the socket is closed too.
    pub max_strikes: u32,
    /// Sockets from one client address that have not joined yet; more are refused (429).
    pub max_pending_per_address: usize,
    /// Messages a client may send per second, with bursts of five seconds' worth.
    pub messages_per_second: u32,
    /// ICE candidates a client may send per second (within the messages), with bursts of
    /// five seconds' worth.
    pub candidates_per_second: u32,
}

impl Default for SignalingConfig {
    fn default() -> Self {
        Self {
            heartbeat_interval: Duration::from_secs(10),
            heartbeat_timeout: Duration::from_secs(30),
            reconnect_grace: Duration::from_secs(30),
            join_timeout: Duration::from_secs(10),
            max_strikes: 5,
            max_pending_per_address: 20,
            messages_per_second: 20,
            candidates_per_second: 10,
        }
    }
}

/// Everything the WebSocket handler needs. Cheap to clone.
#[derive(Clone)]
pub struct SignalingState {
    keys: RoomTokenKeys,
    config: Arc<SignalingConfig>,
    rooms: Arc<Rooms>,
    pending: Arc<PendingJoins>,
    admission: Option<Arc<dyn RoomAdmission>>,
    turn: Option<Arc<TurnConfig>>,
    /// Where rooms run when several instances share the work; `None`: all here.
    placement: Option<Arc<dyn Placement>>,
    /// Authenticates sockets relayed between instances.
    cluster: Option<ClusterKey>,
    /// A media node behind the instances: it takes relayed sockets only.
    relayed_only: bool,
}

impl std::fmt::Debug for SignalingState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignalingState")
            .field("sfu", self.rooms.sfu())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl SignalingState {
    /// State with the default [`SignalingConfig`].
    pub fn new(keys: RoomTokenKeys, sfu: sfu::Sfu) -> Self {
        Self::with_config(keys, sfu, SignalingConfig::default())
    }

    /// State with explicit timings.
    pub fn with_config(keys: RoomTokenKeys, sfu: sfu::Sfu, config: SignalingConfig) -> Self {
        Self {
            keys,
            config: Arc::new(config),
            rooms: Arc::new(Rooms::new(sfu)),
            pending: Arc::new(PendingJoins::default()),
            admission: None,
            turn: None,
            placement: None,
            cluster: None,
            relayed_only: false,
        }
    }

    /// Rooms run where `placement` says; sockets of rooms elsewhere are relayed there,
    /// authenticated with `key`, and sockets that carry `key` are taken as relayed.
    pub fn with_placement(mut self, placement: Arc<dyn Placement>, key: ClusterKey) -> Self {
        self.placement = Some(placement);
        self.cluster = Some(key);
        self
    }

    /// A media node: takes only sockets relayed by an instance holding `key` (the public
    /// reaches calls through the instances, never directly).
    pub fn relayed_only(mut self, key: ClusterKey) -> Self {
        self.cluster = Some(key);
        self.relayed_only = true;
        self
    }

    /// Ids of the rooms with anyone in them here.
    pub fn room_ids(&self) -> Vec<String> {
        self.rooms.room_ids()
    }

    /// Ends a room here that now runs on another node: its people are told to join again.
    /// Returns how many there were.
    pub async fn evict_room(&self, room: &str) -> usize {
        self.rooms.evict(room).await
    }

    /// Asks `admission` at every join whether the room still admits anyone (without it, a
    /// valid token is enough).
    pub fn with_admission(mut self, admission: Arc<dyn RoomAdmission>) -> Self {
        self.admission = Some(admission);
        self
    }

    /// Hands every joining participant fresh credentials for this TURN server in `joined`,
    /// besides the SFU's configured ICE servers.
    pub fn with_turn(mut self, turn: TurnConfig) -> Self {
        self.turn = Some(Arc::new(turn));
        self
    }

    /// The ICE servers for `participant` joining at `now_unix`: the SFU's configured ones and,
    /// with TURN, a credential minted now (so a rejoin gets a fresh one).
    pub(crate) fn ice_servers_for(&self, participant: &str, now_unix: i64) -> Vec<sfu::IceServer> {
        let mut servers = self.sfu().config().ice_servers.clone();
        if let Some(turn) = &self.turn {
            servers.push(turn.ice_server(participant, now_unix));
        }
        servers
    }

    /// Whether credentials are minted per join (TURN configured).
    pub(crate) fn mints_credentials(&self) -> bool {
        self.turn.is_some()
    }

    /// The SFU behind this endpoint.
    pub fn sfu(&self) -> &sfu::Sfu {
        self.rooms.sfu()
    }

    /// Rooms with at least one participant (connected or reconnecting). Membership is one
    /// set: the SFU holds media for exactly the room's members.
    pub fn room_count(&self) -> usize {
        self.sfu().room_count()
    }

    /// Participants over all rooms (connected or reconnecting).
    pub fn participant_count(&self) -> usize {
        self.sfu().participant_count()
    }
}

/// Largest WebSocket message the transport accepts at all; a bigger one ends the connection
/// with [`protocol::close::MESSAGE_TOO_BIG`]. The protocol's own limit
/// ([`protocol::MAX_CLIENT_MESSAGE_BYTES`]) is lower and answered with an error message.
const MAX_FRAME_BYTES: usize = 1024 * 1024;

/// The signalling routes: `GET /ws` (WebSocket upgrade). Merge into the main app.
pub fn router(state: SignalingState) -> Router {
    Router::new()
        .route("/ws", get(ws_handler))
        .with_state(state)
}

async fn ws_handler(
    State(state): State<SignalingState>,
    headers: HeaderMap,
    extensions: Extensions,
    ws: WebSocketUpgrade,
) -> Response {
    let addr = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr);
    let forwarded_for = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let relayed = state.cluster.as_ref().is_some_and(|key| {
        key.accepts(
            headers
                .get(axum::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok()),
        )
    });
    if state.relayed_only && !relayed {
        return (
            StatusCode::FORBIDDEN,
            "this media node takes sockets relayed by the platform's instances only",
        )
            .into_response();
    }
    // The peer address, not X-Forwarded-For, which a client can write itself; on a socket
    // relayed by another instance, the client's address that instance vouches for.
    let client_ip = if relayed {
        forwarded_for
            .and_then(|f| f.split(',').next())
            .and_then(|ip| ip.trim().parse().ok())
            .or(addr.map(|a| a.ip()))
    } else {
        addr.map(|a| a.ip())
    };
    let remote = session::Remote {
        described: session::describe_remote(addr, forwarded_for),
        ip: client_ip,
        relayed,
    };
    let max = state.config.max_pending_per_address;
    let Some(pending) = state.pending.admit(client_ip, max) else {
        tracing::warn!(remote = %remote.described, "refused: too many connections waiting to join");
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "too many connections waiting to join",
        )
            .into_response();
    };
    ws.max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| session::run(socket, state, remote, pending))
}
