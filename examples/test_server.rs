//! A throwaway server for the browser tests: the demo municipality on a temporary SQLite
//! database, the JSON API, the resident and clerk pages, and signaling with the SFU for real
//! calls, on a free loopback port. It prints
//! `listening on http://127.0.0.1:PORT` once it accepts connections.
//!
//! The clock is fixed (Monday 30 November 2026, 08:00 in Amsterdam) so the offered days and
//! times, and the words on the confirmation page, are the same on every run. Set
//! `VIDEOLOKET_TEST_NOW` (RFC 3339) to choose another moment. A test moves it forward with
//! `POST /test/clock/advance?minutes=N` (a booking must lie in the future, a rating or a
//! complaint needs a call that has started). The outcome delivery worker runs, as in the
//! platform binary, and so do the platform's security layers (origin check, login limits,
//! limits on anonymous actions, room admission).

use axum::extract::{Query, State};
use axum::routing::post;
use booking::adapters::mail::{MailConfig, Mailer};
use booking::auth::SessionKeys;
use booking::clock::Clock;
use booking::store::Db;
use booking::App;
use signaling::token::RoomTokenKeys;
use std::collections::HashMap;
use std::sync::Arc;
use videoloket::{BookedRooms, SignedRoomTokens};

async fn advance(State(clock): State<Clock>, Query(q): Query<HashMap<String, String>>) -> String {
    let minutes: i64 = q.get("minutes").and_then(|m| m.parse().ok()).unwrap_or(0);
    clock.advance(jiff::SignedDuration::from_mins(minutes));
    clock.now().to_string()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Quiet unless a developer asks (`RUST_LOG=sfu=debug`): the tests read stdout.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let dir = tempfile::tempdir()?;
    let db = Db::connect(&Db::sqlite_url(dir.path())).await?;
    booking::demo::seed_if_empty(&db).await?;
    let now =
        std::env::var("VIDEOLOKET_TEST_NOW").unwrap_or_else(|_| "2026-11-30T07:00:00Z".into());
    // VIDEOLOKET_TEST_IP: the address the pages and the SFU listen on (loopback unless a test
    // puts a browser in a network namespace that reaches the host over a veth pair, as
    // web/tests/browser/office.test.mjs does); VIDEOLOKET_ICE_TCP=1 turns ICE-TCP on.
    let ip: std::net::IpAddr = std::env::var("VIDEOLOKET_TEST_IP")
        .unwrap_or_else(|_| "127.0.0.1".into())
        .parse()?;
    let ice_tcp = std::env::var("VIDEOLOKET_ICE_TCP").is_ok_and(|v| v == "1");
    let listener = tokio::net::TcpListener::bind((ip, 0)).await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let clock = Clock::fixed(now.parse()?);
    let events = booking::adapters::live_updates::QueueEvents::start(&db).await?;
    let app = App::new(
        db,
        clock.clone(),
        Mailer::new(&MailConfig::Files(dir.path().join("mail")))?,
        SessionKeys::from_secret(b"browser tests only, not a secret"),
        base_url.clone(),
        events,
    )
    // The platform's default limits on anonymous actions, as a resident meets them.
    .with_flood_limits(&booking::limits::FloodQuotas::default());
    // A real call: signaling and the SFU on loopback, tokens signed as in production, with
    // one difference: booking runs on the fixed test clock, signaling checks tokens against
    // the real one, so a grant's window is moved to start at the real now.
    let room_keys = RoomTokenKeys::from_secret(b"browser tests only, room tokens");
    let issuer: booking::domain::rooms::Issuer =
        Arc::new(SignedRoomTokens::from_real_now(room_keys.clone()));
    // Media on ephemeral ports, one per core, as the binary by default.
    let media = sfu::Sfu::new(sfu::SfuConfig {
        bind_ip: ip,
        ice_tcp,
        // The municipality's room size (2..=4) is checked per room by signalling.
        max_participants: 4,
        ..Default::default()
    });
    // Delivers recorded outcomes as the platform binary does (on the test clock, so a failed
    // delivery waits for an admin's retry or a clock advance); polls often so a retry shows
    // up quickly in a test.
    let _outbox = booking::usecases::delivery::spawn_delivery_worker(
        app.clone(),
        booking::usecases::delivery::DeliveryConfig {
            poll_interval: std::time::Duration::from_millis(250),
            request_timeout: std::time::Duration::from_secs(5),
            ..Default::default()
        },
    );
    // Mails and texts to residents go out from the messages outbox, as in the platform binary;
    // texts as JSON files beside the mail.
    let mut messages =
        booking::usecases::messages::MessageConfig::with_sms_files(dir.path().join("sms"))?;
    messages.poll_interval = std::time::Duration::from_millis(100);
    let _messages = booking::usecases::messages::spawn_message_worker(app.clone(), messages);
    let router = booking::api::router(app.clone())
        .layer(axum::Extension(issuer))
        .merge(web::router(app.clone()))
        .merge(signaling::router({
            let state = signaling::SignalingState::new(room_keys, media)
                .with_admission(Arc::new(BookedRooms::new(app.clone())));
            match turn_from_env()? {
                Some(turn) => state.with_turn(turn),
                None => state,
            }
        }))
        .merge(
            axum::Router::new()
                .route("/test/clock/advance", post(advance))
                .with_state(clock),
        );
    // The platform's security layers (headers and CSP, the same-origin check, login limits,
    // ending sessions at logout), so the pages are tested under the real rules.
    let router = booking::api::security::end_session_on_logout(
        booking::api::security::protect(
            router,
            &booking::api::security::SiteOrigin::parse(&base_url)?,
            // The per-account burst is raised: the tests log the demo accounts in dozens of
            // times (the limit itself is proven in tests/security.rs).
            booking::api::security::LoginQuotas::with_account_burst(
                std::num::NonZeroU32::new(1000).expect("non-zero"),
            ),
        ),
        app,
    );
    // The browser tests read the resident's mail (the personal link) from here.
    println!("mail directory {}", dir.path().join("mail").display());
    println!("listening on {base_url}");
    // On SIGTERM (the harness's stop) remove the temporary directory and leave at once: open
    // event streams and WebSockets would hold up a graceful shutdown.
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let temporary = dir.path().to_path_buf();
    tokio::spawn(async move {
        terminate.recv().await;
        let _ = std::fs::remove_dir_all(&temporary);
        std::process::exit(0);
    });
    // The client address, for the per-address limits.
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await?;
    Ok(())
}

/// TURN for the browser test that starts its own coturn: VIDEOLOKET_TURN_URLS (comma list) and
/// VIDEOLOKET_TURN_SECRET, as the platform reads them; neither set: no TURN.
fn turn_from_env() -> Result<Option<signaling::turn::TurnConfig>, signaling::turn::TurnConfigError>
{
    let urls: Vec<String> = std::env::var("VIDEOLOKET_TURN_URLS")
        .unwrap_or_default()
        .split(',')
        .map(str::to_owned)
        .collect();
    let secret = std::env::var("VIDEOLOKET_TURN_SECRET")
        .ok()
        .map(|raw| signaling::turn::TurnSecret::parse(&raw))
        .transpose()?;
    signaling::turn::TurnConfig::from_settings(&urls, secret, signaling::turn::DEFAULT_LIFETIME)
}
