//! The test server for the admin pages' browser test (`tests/browser/admin.test.mjs`): the
//! demo municipality on a temporary SQLite database with the JSON API and the pages, on a
//! free loopback port, printing `listening on http://127.0.0.1:PORT`.
//!
//! Like `test_server` the clock is fixed (Monday 30 November 2026, 08:00 in Amsterdam, or
//! `VIDEOLOKET_TEST_NOW`), but the test can move it forward with
//! `POST /test/clock/advance?minutes=N`: feedback and complaints exist only after a call has
//! started, and a booking must lie in the future, so a complaint needs time to pass. No
//! signaling: the admin pages do not call.

use axum::extract::{Query, State};
use axum::routing::post;
use booking::auth::SessionKeys;
use booking::clock::Clock;
use booking::mail::{MailConfig, Mailer};
use booking::store::Db;
use booking::App;
use std::collections::HashMap;

async fn advance(State(clock): State<Clock>, Query(q): Query<HashMap<String, String>>) -> String {
    let minutes: i64 = q.get("minutes").and_then(|m| m.parse().ok()).unwrap_or(0);
    clock.advance(jiff::SignedDuration::from_mins(minutes));
    clock.now().to_string()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let db = Db::connect(&Db::sqlite_url(dir.path())).await?;
    booking::demo::seed_if_empty(&db).await?;
    let now =
        std::env::var("VIDEOLOKET_TEST_NOW").unwrap_or_else(|_| "2026-11-30T07:00:00Z".into());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let clock = Clock::fixed(now.parse()?);
    let app = App {
        events: booking::queue_events::QueueEvents::start(&db).await?,
        db,
        clock: clock.clone(),
        mailer: Mailer::new(&MailConfig::Files(dir.path().join("mail")))?,
        session_keys: SessionKeys::from_secret(b"browser tests only, not a secret"),
        base_url: base_url.clone(),
    };
    let router = booking::api::router(app.clone())
        .merge(web::router(app))
        .merge(
            axum::Router::new()
                .route("/test/clock/advance", post(advance))
                .with_state(clock),
        );
    println!("listening on {base_url}");
    axum::serve(listener, router).await?;
    Ok(())
}
