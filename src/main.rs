//! `videoloket`: the whole platform in one process. Composes the crates; holds no domain logic.

use anyhow::Context;
use axum::routing::get;
use axum::Router;
use booking::adapters::mail::{MailConfig, Mailer};
use booking::auth::SessionKeys;
use booking::store::Db;
use booking::{clock::Clock, App};
use clap::{Parser, Subcommand};
use signaling::token::RoomTokenKeys;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use videoloket::SignedRoomTokens;

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
    /// UDP (and ICE-TCP) ports for media, e.g. 40000-40999. Unset: ephemeral ports.
    #[arg(long, env = "VIDEOLOKET_MEDIA_PORTS", value_parser = parse_port_range)]
    media_ports: Option<sfu::PortRange>,
    /// Address media sockets bind to. Defaults to the HTTP address's IP.
    #[arg(long, env = "VIDEOLOKET_MEDIA_BIND_IP")]
    media_bind_ip: Option<std::net::IpAddr>,
    /// Public IP to advertise to browsers when behind a 1:1 NAT.
    #[arg(long, env = "VIDEOLOKET_PUBLIC_IP")]
    public_ip: Option<std::net::IpAddr>,
    /// STUN/TURN URLs handed to browsers, comma-separated (turn:user:pass@host:port not supported
    /// here yet; use plain URLs).
    #[arg(long, env = "VIDEOLOKET_ICE_SERVERS", value_delimiter = ',')]
    ice_servers: Vec<String>,
    /// Also accept media over TCP (ICE-TCP) for networks that block UDP.
    #[arg(long, env = "VIDEOLOKET_ICE_TCP")]
    ice_tcp: bool,
    /// At most this many people in one video room.
    #[arg(long, env = "VIDEOLOKET_MAX_PARTICIPANTS", default_value_t = 3)]
    max_participants: usize,
    /// Secret that signs room tokens; generated once into the data directory when unset.
    #[arg(long, env = "VIDEOLOKET_ROOM_TOKEN_SECRET", hide_env_values = true)]
    room_token_secret: Option<String>,
    /// Log as JSON lines.
    #[arg(long, env = "VIDEOLOKET_LOG_JSON")]
    log_json: bool,
}

fn parse_port_range(raw: &str) -> Result<sfu::PortRange, String> {
    let (min, max) = raw.split_once('-').ok_or("give a range like 40000-40999")?;
    let range = sfu::PortRange {
        min: min.trim().parse().map_err(|_| "bad first port")?,
        max: max.trim().parse().map_err(|_| "bad last port")?,
    };
    if range.is_empty() {
        return Err("the first port must not be above the last".into());
    }
    Ok(range)
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
    let app = App::new(
        db.clone(),
        Clock::System,
        Mailer::new(&mail)?,
        SessionKeys::load_or_create(&args.db.data_dir.join("session.key"))?,
        base_url.clone(),
        booking::adapters::live_updates::QueueEvents::start(&db)
            .await
            .context("listening for queue changes")?,
    );

    let room_keys = match &args.room_token_secret {
        Some(secret) => RoomTokenKeys::from_secret(secret.as_bytes()),
        None => RoomTokenKeys::load_or_create(&args.db.data_dir)?,
    };
    let media = sfu::Sfu::new(sfu::SfuConfig {
        max_participants: args.max_participants,
        bind_ip: args.media_bind_ip.unwrap_or(args.http_addr.ip()),
        port_range: args.media_ports,
        public_ip: args.public_ip,
        ice_servers: if args.ice_servers.is_empty() {
            Vec::new()
        } else {
            vec![sfu::IceServer {
                urls: args.ice_servers.clone(),
                username: None,
                credential: None,
            }]
        },
        ice_tcp: args.ice_tcp,
        ..Default::default()
    });
    // Delivers recorded outcomes to each municipality's case store; safe to run on every
    // instance (events are claimed under a lease).
    let _outbox = booking::usecases::delivery::spawn_delivery_worker(
        app.clone(),
        booking::usecases::delivery::DeliveryConfig::default(),
    );
    // Erases personal data past each municipality's retention period; idempotent, safe on every
    // instance.
    let _retention = booking::usecases::retention::spawn_retention_worker(app.clone());
    let issuer: booking::domain::rooms::Issuer = Arc::new(SignedRoomTokens::new(room_keys.clone()));
    let metrics_sfu = media.clone();

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
        .route(
            "/metrics",
            get(move || {
                let sfu = metrics_sfu.clone();
                async move { sfu.metrics_text() }
            }),
        )
        .merge(web::router(app.clone()))
        .merge(booking::api::router(app).layer(axum::Extension(issuer)))
        .merge(signaling::router(signaling::SignalingState::new(
            room_keys, media,
        )))
        .layer(tower_http::trace::TraceLayer::new_for_http());

    let listener = tokio::net::TcpListener::bind(args.http_addr)
        .await
        .with_context(|| format!("binding {}", args.http_addr))?;
    print_welcome(&base_url, &url, &args, seeded);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
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
    println!("  Book an appointment:    {base_url}/{slug}");
    println!("  Clerks (login):         {base_url}/{slug}/medewerker");
    println!("  Admin pages:            {base_url}/beheer");
    println!("  API description:        {base_url}/api/v1/openapi.json");
    println!("  Demo municipality:      {base_url}/api/v1/tenants/{slug}");
    println!("  Its services:           {base_url}/api/v1/tenants/{slug}/services");
    println!("  Health:                 {base_url}/healthz");
    println!("  Metrics:                {base_url}/metrics");
    println!(
        "  Video signaling:        {}/ws",
        base_url.replacen("http", "ws", 1)
    );
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
