//! A throwaway server for the browser tests: the demo municipality on a temporary SQLite
//! database, the JSON API and the resident pages, on a free loopback port. It prints
//! `listening on http://127.0.0.1:PORT` once it accepts connections.
//!
//! The clock is fixed (Monday 30 November 2026, 08:00 in Amsterdam) so the offered days and
//! times, and the words on the confirmation page, are the same on every run. Set
//! `VIDEOLOKET_TEST_NOW` (RFC 3339) to choose another moment.

use booking::auth::SessionKeys;
use booking::clock::Clock;
use booking::mail::{MailConfig, Mailer};
use booking::store::Db;
use booking::App;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let db = Db::connect(&Db::sqlite_url(dir.path())).await?;
    booking::demo::seed_if_empty(&db).await?;
    let now =
        std::env::var("VIDEOLOKET_TEST_NOW").unwrap_or_else(|_| "2026-11-30T07:00:00Z".into());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let app = App {
        events: booking::queue_events::QueueEvents::start(&db).await?,
        db,
        clock: Clock::fixed(now.parse()?),
        mailer: Mailer::new(&MailConfig::Files(dir.path().join("mail")))?,
        session_keys: SessionKeys::from_secret(b"browser tests only, not a secret"),
        base_url: base_url.clone(),
    };
    let router = booking::api::router(app.clone()).merge(web::router(app));
    println!("listening on {base_url}");
    axum::serve(listener, router).await?;
    Ok(())
}
