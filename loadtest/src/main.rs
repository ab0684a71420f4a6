//! Load and benchmark driver for a running Videoloket platform. Every scenario talks to
//! loopback only and is bounded in count and time; see `docs/benchmarks.md`.

mod booking;
mod calls;
mod media;
mod queue;
mod sfu_server;
mod stats;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "loadtest",
    about = "Drive a running Videoloket platform on 127.0.0.1"
)]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// Concurrent residents search slots and book; double-booking check and pgbench baseline.
    Booking(booking::BookingArgs),
    /// M clerks, N waiting walk-ins, call next at a set rate; lost/duplicated assignments.
    Queue(queue::QueueArgs),
    /// K two-party webrtc calls through the SFU, ramped; UDP relay baseline.
    Calls(calls::CallsArgs),
    /// Signalling and the SFU alone (no platform), to measure a media engine with `calls`.
    SfuServer(sfu_server::SfuServerArgs),
    /// (internal) The UDP relay baseline process the `calls` scenario starts.
    #[command(hide = true)]
    RelayServer {
        #[arg(long)]
        pairs: usize,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.scenario {
            Scenario::Booking(args) => booking::run(args).await,
            Scenario::Calls(args) => calls::run(args).await,
            Scenario::Queue(args) => queue::run(args).await,
            Scenario::SfuServer(args) => sfu_server::run(args).await,
            Scenario::RelayServer { pairs } => calls::relay_server(pairs).await,
        }
    })
}
