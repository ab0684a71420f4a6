//! `videoloket`: the whole platform in one process. Composes the crates; holds no domain logic.

use anyhow::Context;
use axum::routing::get;
use axum::Router;
use booking::auth::SessionKeys;
use booking::mail::{MailConfig, Mailer};
use booking::store::Db;
use booking::{clock::Clock, App};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "videoloket",
    version,
    about = "Video counter for municipalities"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the platform (the default).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
}

#[derive(clap::Args, Clone)]
struct DbArgs {
    /// Where SQLite, keys and mail files live.
    #[arg(long, env = "VIDEOLOKET_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// postgres://... for production; an SQLite file under the data directory when unset.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(clap::Args, Clone)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    #[arg(long, env = "VIDEOLOKET_HTTP_ADDR", default_value = "127.0.0.1:8080")]
    http_addr: SocketAddr,
    /// The address users open, used in links and invites. Defaults to http://HTTP_ADDR.
    #[arg(long, env = "VIDEOLOKET_BASE_URL")]
    base_url: Option<String>,
    /// SMTP URL (smtp://host:port, smtps://user:pass@host). Without it, mail is written as
    /// .eml files under DATA_DIR/mail.
    #[arg(long, env = "VIDEOLOKET_SMTP_URL")]
    smtp_url: Option<String>,
    /// Do not create the demo municipality on an empty database.
    #[arg(long, env = "VIDEOLOKET_NO_DEMO")]
    no_demo: bool,
    /// Log as JSON lines.
    #[arg(long, env = "VIDEOLOKET_LOG_JSON")]
    log_json: bool,
}

#[derive(Parser)]
struct DefaultServe {
    #[command(flatten)]
    args: ServeArgs,
}

impl DbArgs {
    fn url(&self) -> anyhow::Result<String> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating data directory {}", self.data_dir.display()))?;
        Ok(self
            .database_url
            .clone()
            .unwrap_or_else(|| Db::sqlite_url(&self.data_dir)))
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Migrate(db)) => {
            init_tracing(false);
            Db::connect(&db.url()?)
                .await
                .context("migrating database")?;
            println!("Database is up to date.");
            Ok(())
        }
        Some(Command::Serve(args)) => serve(args).await,
        // No subcommand: serve with settings from the environment and defaults.
        None => serve(DefaultServe::parse_from(["videoloket"]).args).await,
    }
}

fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,webrtc=warn,rtc=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    init_tracing(args.log_json);
    let url = args.db.url()?;
    let db = Db::connect(&url)
        .await
        .context("connecting to the database")?;
    let seeded = if args.no_demo {
        false
    } else {
        booking::demo::seed_if_empty(&db).await?
    };
    let mail = match &args.smtp_url {
        Some(url) => MailConfig::Smtp(url.clone()),
        None => MailConfig::Files(args.db.data_dir.join("mail")),
    };
    let base_url = args
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.http_addr));
    let app = App {
        db: db.clone(),
        clock: Clock::System,
        mailer: Mailer::new(&mail)?,
        session_keys: SessionKeys::load_or_create(&args.db.data_dir.join("session.key"))?,
        base_url: base_url.clone(),
    };

    let ops_db = db.clone();
    let router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/readyz",
            get(move || {
                let db = ops_db.clone();
                async move {
                    if db.ping().await {
                        (axum::http::StatusCode::OK, "ready")
                    } else {
                        (
                            axum::http::StatusCode::SERVICE_UNAVAILABLE,
                            "database unavailable",
                        )
                    }
                }
            }),
        )
        .merge(booking::api::router(app))
        .layer(tower_http::trace::TraceLayer::new_for_http());

    let listener = tokio::net::TcpListener::bind(args.http_addr)
        .await
        .with_context(|| format!("binding {}", args.http_addr))?;
    print_welcome(&base_url, &url, &args, seeded);
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

fn print_welcome(base_url: &str, db_url: &str, args: &ServeArgs, seeded: bool) {
    let store = if db_url.starts_with("sqlite:") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let slug = booking::demo::DEMO_SLUG;
    println!();
    println!("Videoloket is running on {store}. Open:");
    println!("  API description:        {base_url}/api/v1/openapi.json");
    println!("  Demo municipality:      {base_url}/api/v1/tenants/{slug}");
    println!("  Its services:           {base_url}/api/v1/tenants/{slug}/services");
    println!("  Health:                 {base_url}/healthz");
    if seeded || !args.no_demo {
        println!("Demo clerk logins (municipality '{slug}'):");
        for login in &booking::demo::DEMO_LOGINS {
            println!(
                "  {:<6} {} / {}",
                login.role.as_str(),
                login.email,
                login.password
            );
        }
    }
    if args.smtp_url.is_none() {
        println!(
            "Mail is written to {}",
            args.db.data_dir.join("mail").display()
        );
    }
    println!();
}
