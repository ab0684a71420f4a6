//! `sfu-server`: the signalling endpoint and the SFU alone, without the platform (no
//! database, no pages), so the `calls` scenario can measure the media engine alone.

use anyhow::{Context, Result};
use clap::Args;
use signaling::token::RoomTokenKeys;
use signaling::{SignalingConfig, SignalingState};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

#[derive(Args, Debug, Clone)]
pub struct SfuServerArgs {
    /// Where the signalling WebSocket (`/ws`) listens (loopback only).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Room token secret, as the platform's.
    #[arg(long, env = "VIDEOLOKET_ROOM_TOKEN_SECRET", hide_env_values = true)]
    pub secret: String,
    /// Media on this UDP port and the next ones, one per core (default: ephemeral ports).
    #[arg(long, default_value_t = 0)]
    pub media_port: u16,
    /// Number of media cores (default: one per CPU).
    #[arg(long)]
    pub media_cores: Option<usize>,
}

pub async fn run(args: SfuServerArgs) -> Result<()> {
    crate::stats::require_loopback(&format!("http://{}", args.listen))?;
    let sfu = sfu::Sfu::try_new(sfu::SfuConfig {
        bind_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        media_port: args.media_port,
        media_cores: args.media_cores,
        ..Default::default()
    })
    .context("starting the SFU")?;
    println!("media on {:?}", sfu.media_addrs());
    let state = SignalingState::with_config(
        RoomTokenKeys::from_secret(args.secret.as_bytes()),
        sfu,
        SignalingConfig::default(),
    );
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("signalling on ws://{}/ws", args.listen);
    axum::serve(
        listener,
        signaling::router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
