//! A participant whose room runs on another media node: this instance connects to that node's
//! `/ws` as an instance (with the [`ClusterKey`] and the client's address) and passes the
//! participant's frames both ways until either side ends. The node runs the whole protocol
//! (admission, presence, the SFU); the browser keeps talking to the address it opened, the only
//! one an office firewall has to allow.
//!
//! Liveness is kept apart per leg: this instance pings the browser itself (the node's pings
//! are answered by the relay's own socket), and a browser gone silent is a dropped socket to
//! the node, which keeps the participant's place for the reconnect grace as it would for a
//! direct socket.

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use std::net::IpAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::{timeout, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame as UpstreamCloseFrame;
use tokio_tungstenite::tungstenite::Message as UpstreamMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tracing::{debug, info, warn};

use crate::placement::ClusterKey;
use crate::protocol::close;

pub(crate) type UpstreamSocket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A node that does not accept a connection within this counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// The node is pinged this often on every relayed socket...
const NODE_PING_EVERY: Duration = Duration::from_secs(1);

/// ...and counts as lost when nothing came back for this long: a node that hangs (or whose
/// machine vanished without closing connections) must not hold its calls hostage until TCP
/// gives up. The browsers join again and the room is placed anew once its lease has lapsed.
const NODE_SILENT_LIMIT: Duration = Duration::from_secs(4);

/// Opens the relayed socket to a node's signalling endpoint.
pub(crate) async fn connect(
    signal_url: &str,
    key: &ClusterKey,
    client_ip: Option<IpAddr>,
) -> Result<UpstreamSocket, String> {
    let mut request = signal_url
        .into_client_request()
        .map_err(|e| format!("bad node address {signal_url}: {e}"))?;
    let headers = request.headers_mut();
    headers.insert(
        "authorization",
        HeaderValue::from_str(&key.bearer()).map_err(|e| e.to_string())?,
    );
    if let Some(ip) = client_ip {
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_str(&ip.to_string()).map_err(|e| e.to_string())?,
        );
    }
    match timeout(CONNECT_TIMEOUT, tokio_tungstenite::connect_async(request)).await {
        Ok(Ok((socket, _))) => Ok(socket),
        Ok(Err(err)) => Err(err.to_string()),
        Err(_) => Err("no answer in time".into()),
    }
}

/// How the relayed socket ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Either side closed normally (the close was passed on).
    Closed,
    /// The browser went silent or its socket failed; the node was told.
    ClientGone,
    /// The node's socket broke without a close: the node is probably gone. The browser was
    /// told to join again (1012) and will be placed anew.
    NodeLost,
}

pub(crate) struct ClientSocket {
    pub tx: SplitSink<WebSocket, Message>,
    pub rx: SplitStream<WebSocket>,
}

/// Passes frames between the browser and the node, the `join` first.
pub(crate) async fn pipe(
    mut client: ClientSocket,
    upstream: UpstreamSocket,
    join: String,
    heartbeat_interval: Duration,
    heartbeat_timeout: Duration,
) -> Ending {
    let (mut up_tx, mut up_rx) = upstream.split();
    if up_tx
        .send(UpstreamMessage::Text(join.into()))
        .await
        .is_err()
    {
        lost(&mut client).await;
        return Ending::NodeLost;
    }
    let mut last_heard = Instant::now();
    let mut node_heard = Instant::now();
    let mut ping =
        tokio::time::interval_at(Instant::now() + heartbeat_interval, heartbeat_interval);
    let mut node_ping = tokio::time::interval_at(Instant::now() + NODE_PING_EVERY, NODE_PING_EVERY);
    loop {
        tokio::select! {
            from_client = client.rx.next() => match from_client {
                Some(Ok(message)) => {
                    last_heard = Instant::now();
                    match message {
                        Message::Text(text) => {
                            if up_tx.send(UpstreamMessage::Text(text.as_str().into())).await.is_err() {
                                lost(&mut client).await;
                                return Ending::NodeLost;
                            }
                        }
                        Message::Binary(bytes) => {
                            if up_tx.send(UpstreamMessage::Binary(bytes)).await.is_err() {
                                lost(&mut client).await;
                                return Ending::NodeLost;
                            }
                        }
                        Message::Ping(_) | Message::Pong(_) => {}
                        Message::Close(frame) => {
                            let frame = frame.map(|f| UpstreamCloseFrame {
                                code: CloseCode::from(f.code),
                                reason: f.reason.as_str().into(),
                            });
                            let _ = up_tx.send(UpstreamMessage::Close(frame)).await;
                            return Ending::Closed;
                        }
                    }
                }
                Some(Err(_)) | None => {
                    client_gone(&mut up_tx).await;
                    return Ending::ClientGone;
                }
            },
            from_node = up_rx.next() => {
                if matches!(from_node, Some(Ok(_))) {
                    node_heard = Instant::now();
                }
                match from_node {
                Some(Ok(UpstreamMessage::Text(text))) => {
                    if !send(&mut client, Message::Text(text.as_str().into())).await {
                        client_gone(&mut up_tx).await;
                        return Ending::ClientGone;
                    }
                }
                Some(Ok(UpstreamMessage::Binary(bytes))) => {
                    if !send(&mut client, Message::Binary(bytes)).await {
                        client_gone(&mut up_tx).await;
                        return Ending::ClientGone;
                    }
                }
                Some(Ok(UpstreamMessage::Close(frame))) => {
                    let frame = frame.map(|f| CloseFrame {
                        code: u16::from(f.code),
                        reason: f.reason.as_str().into(),
                    });
                    close_client(&mut client, Message::Close(frame)).await;
                    return Ending::Closed;
                }
                // Pings are answered by the socket itself.
                Some(Ok(_)) => {}
                Some(Err(err)) => {
                    debug!(%err, "relayed socket to the media node failed");
                    lost(&mut client).await;
                    return Ending::NodeLost;
                }
                None => {
                    lost(&mut client).await;
                    return Ending::NodeLost;
                }
            }
            }
            _ = node_ping.tick() => {
                if node_heard.elapsed() > NODE_SILENT_LIMIT {
                    warn!("the media node of a relayed participant went silent");
                    lost(&mut client).await;
                    return Ending::NodeLost;
                }
                if timeout(SEND_TIMEOUT, up_tx.send(UpstreamMessage::Ping(Default::default()))).await.is_err() {
                    lost(&mut client).await;
                    return Ending::NodeLost;
                }
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > heartbeat_timeout {
                    info!("relayed participant went silent");
                    client_gone(&mut up_tx).await;
                    return Ending::ClientGone;
                }
                if !send(&mut client, Message::Ping(Default::default())).await {
                    client_gone(&mut up_tx).await;
                    return Ending::ClientGone;
                }
            }
        }
    }
}

const SEND_TIMEOUT: Duration = Duration::from_secs(5);

async fn send(client: &mut ClientSocket, message: Message) -> bool {
    matches!(
        timeout(SEND_TIMEOUT, client.tx.send(message)).await,
        Ok(Ok(()))
    )
}

/// The node is gone: the browser joins again (its page does that on 1012) and is placed anew.
async fn lost(client: &mut ClientSocket) {
    warn!("lost the media node of a relayed participant; they join again");
    let frame = CloseFrame {
        code: close::SERVICE_RESTART,
        reason: Utf8Bytes::from_static("media server lost, join again"),
    };
    close_client(client, Message::Close(Some(frame))).await;
}

/// How long to wait for the browser's close frame after ours.
const CLOSE_DRAIN_TIMEOUT: Duration = Duration::from_secs(2);

/// Sends the close and completes the closing handshake, as `session.rs` does: a socket
/// dropped with unread input is reset by the kernel, and the browser could lose the close
/// frame that tells it what to do next.
async fn close_client(client: &mut ClientSocket, close: Message) {
    if !send(client, close).await {
        return;
    }
    let drain = async {
        while let Some(Ok(message)) = client.rx.next().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    };
    let _ = timeout(CLOSE_DRAIN_TIMEOUT, drain).await;
}

/// The browser is gone: the node sees a closed socket, as if the browser's own had closed.
async fn client_gone<S>(up_tx: &mut S)
where
    S: futures::Sink<UpstreamMessage> + Unpin,
{
    let frame = UpstreamCloseFrame {
        code: CloseCode::Away,
        reason: "client gone".into(),
    };
    let _ = timeout(
        SEND_TIMEOUT,
        up_tx.send(UpstreamMessage::Close(Some(frame))),
    )
    .await;
}
