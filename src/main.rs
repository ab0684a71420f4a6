//! `videoloket`: the whole platform in one process. Composes the crates; holds no domain logic.

use anyhow::Context;
use axum::routing::get;
use axum::Router;
use booking::adapters::mail::{MailConfig, Mailer};
use booking::adapters::sealed::SecretsKey;
use booking::api::security::end_session_on_logout;
use booking::api::security::{protect, LoginQuotas, SiteOrigin};
use booking::auth::{SessionKeys, SessionLifetimes};
use booking::domain::outbound::OutboundRule;
use booking::store::Db;
use booking::{clock::Clock, App};
use clap::{Parser, Subcommand};
use signaling::token::RoomTokenKeys;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use videoloket::{cluster, BookedRooms, SignedRoomTokens};

/// The system allocator spent about a sixth of the server's CPU in the booking load test
/// (`malloc`, `free` and their consolidation, docs/benchmarks.md); mimalloc's thread-local
/// heaps suit a request server's many small, short-lived allocations.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Municipalities on the platform (the operator's work): create, list, suspend, resume.
    Tenant(TenantArgs),
}

#[derive(clap::Args)]
struct TenantArgs {
    #[command(subcommand)]
    action: TenantAction,
    #[command(flatten)]
    db: DbArgs,
    /// The address users open, used in the first admin's link.
    #[arg(
        long,
        env = "VIDEOLOKET_BASE_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    base_url: String,
    /// SMTP URL; without it the mail is written under DATA_DIR/mail, as `serve` does.
    #[arg(long, env = "VIDEOLOKET_SMTP_URL")]
    smtp_url: Option<String>,
}

#[derive(Subcommand)]
enum TenantAction {
    /// Add a municipality and mail its first admin a link to choose a password.
    Create {
        /// Its address on the platform, e.g. utrecht (lowercase letters, digits, dashes).
        #[arg(long)]
        slug: String,
        /// e.g. "Gemeente Utrecht".
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin_email: String,
        /// The first admin's name; "Beheerder <name>" when not given.
        #[arg(long, default_value = "")]
        admin_name: String,
        #[arg(long, default_value = booking::usecases::operator::DEFAULT_TIME_ZONE)]
        time_zone: String,
    },
    /// List the municipalities.
    List,
    /// Suspend a municipality: residents read it is not available, logins are refused,
    /// sessions end. Nothing is deleted.
    Suspend {
        #[arg(long)]
        slug: String,
    },
    /// Resume a suspended municipality.
    Resume {
        #[arg(long)]
        slug: String,
    },
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

/// What a `serve` process does (several instances on PostgreSQL: docs/deploy.md, "Topology").
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ServeRole {
    /// Pages, API and calls in one process; on PostgreSQL it is also a media node of the
    /// registry, so that several such instances behind a load balancer put each call on one.
    All,
    /// Pages and API; call sockets are relayed to the room's media node.
    Api,
    /// Calls only, for sockets the instances relay; no pages, no API.
    Media,
}

#[derive(clap::Args, Clone)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// all: everything in one process; api: pages and API, calls on media nodes; media: calls
    /// only. api and media need PostgreSQL.
    #[arg(long, env = "VIDEOLOKET_ROLE", value_enum, default_value_t = ServeRole::All)]
    role: ServeRole,
    /// This process's name in the media-node registry (a-z, 0-9, '.', '_', '-').
    /// Default: the host name and the HTTP port.
    #[arg(long, env = "VIDEOLOKET_NODE_ID")]
    node_id: Option<booking::domain::media_nodes::NodeId>,
    /// Where the other instances reach this node's signalling, e.g. ws://10.0.0.7:8080/ws.
    /// Default: ws://HTTP_ADDR/ws.
    #[arg(long, env = "VIDEOLOKET_NODE_URL")]
    node_url: Option<String>,
    /// Calls (rooms) this media node takes at most.
    #[arg(long, env = "VIDEOLOKET_NODE_CAPACITY", default_value_t = 500)]
    node_capacity: u32,
    #[arg(long, env = "VIDEOLOKET_HTTP_ADDR", default_value = "127.0.0.1:8080")]
    http_addr: SocketAddr,
    /// The address users open, used in links and invites. Defaults to http://HTTP_ADDR.
    #[arg(long, env = "VIDEOLOKET_BASE_URL")]
    base_url: Option<String>,
    /// SMTP URL (smtp://host:port, smtps://user:pass@host). Without it, mail is written as
    /// .eml files under DATA_DIR/mail.
    #[arg(long, env = "VIDEOLOKET_SMTP_URL")]
    smtp_url: Option<String>,
    /// Do not create the demo municipality on an empty SQLite database.
    #[arg(long, env = "VIDEOLOKET_NO_DEMO", conflicts_with = "demo")]
    no_demo: bool,
    /// Create the demo municipality (with its printed logins) on an empty database, also on
    /// PostgreSQL. Without it only the SQLite default gets the demo.
    #[arg(long, env = "VIDEOLOKET_DEMO")]
    demo: bool,
    /// Media on one UDP port per core: this port and the next ones (40000 -> 40000..40000+cores-1),
    /// plus ICE-TCP on the same numbers with --ice-tcp (docs/signaling.md).
    /// Unset: ephemeral ports, one per core.
    #[arg(long, env = "VIDEOLOKET_MEDIA_PORT")]
    media_port: Option<u16>,
    /// Media cores, each a thread with its own socket (default: one per CPU).
    #[arg(long, env = "VIDEOLOKET_MEDIA_CORES")]
    media_cores: Option<usize>,
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
    /// TURN URLs handed to browsers with a fresh time-limited credential at every join,
    /// comma-separated, e.g. turns:turn.example.nl:443?transport=tcp,turn:turn.example.nl:3478.
    /// Needs the TURN secret.
    #[arg(long, env = "VIDEOLOKET_TURN_URLS", value_delimiter = ',')]
    turn_urls: Vec<String>,
    /// File holding the secret shared with coturn's `static-auth-secret` (use-auth-secret).
    #[arg(
        long,
        env = "VIDEOLOKET_TURN_SECRET_FILE",
        conflicts_with = "turn_secret"
    )]
    turn_secret_file: Option<PathBuf>,
    /// The TURN secret itself (prefer --turn-secret-file; environment only).
    #[arg(
        long = "turn-secret",
        env = "VIDEOLOKET_TURN_SECRET",
        hide = true,
        hide_env_values = true
    )]
    turn_secret: Option<String>,
    /// How long a TURN credential may open new relays, in seconds.
    #[arg(long, env = "VIDEOLOKET_TURN_CREDENTIAL_SECONDS", default_value_t = signaling::turn::DEFAULT_LIFETIME.as_secs())]
    turn_credential_seconds: u64,
    /// Also accept media over TCP (ICE-TCP) for networks that block UDP.
    #[arg(long, env = "VIDEOLOKET_ICE_TCP")]
    ice_tcp: bool,
    /// At most this many people in any video room; each municipality's room size (2 to 4,
    /// default 3: resident, clerk, one companion or interpreter) applies below it.
    #[arg(long, env = "VIDEOLOKET_MAX_PARTICIPANTS", default_value_t = 4)]
    max_participants: usize,
    /// Secret that signs room tokens (at least 32 bytes); generated once into the data
    /// directory when unset.
    #[arg(long, env = "VIDEOLOKET_ROOM_TOKEN_SECRET", hide_env_values = true)]
    room_token_secret: Option<String>,
    /// File with the key that signs staff session cookies; created (0600) when missing.
    /// Instances behind one load balancer must share it. Default: DATA_DIR/session.key.
    #[arg(long, env = "VIDEOLOKET_SESSION_KEY_FILE")]
    session_key_file: Option<PathBuf>,
    /// A clerk's session ends after this many seconds without a request.
    #[arg(long, env = "VIDEOLOKET_SESSION_IDLE_SECONDS", default_value_t = 30 * 60)]
    session_idle_seconds: u64,
    /// A clerk's session ends this many seconds after logging in, however busy.
    #[arg(long, env = "VIDEOLOKET_SESSION_MAX_SECONDS", default_value_t = 10 * 60 * 60)]
    session_max_seconds: u64,
    /// Login attempts from one client address before they are slowed to one per 2 seconds
    /// (raise it for a load test, or behind a proxy that makes every client one address).
    #[arg(
        long,
        env = "VIDEOLOKET_LOGIN_ATTEMPTS_PER_ADDRESS",
        default_value = "30"
    )]
    login_attempts_per_address: std::num::NonZeroU32,
    /// After SIGTERM or Ctrl-C: how long calls in progress may go on before the process
    /// stops anyway. No new call starts meanwhile and /readyz answers 503.
    #[arg(long, env = "VIDEOLOKET_SHUTDOWN_GRACE_SECONDS", default_value_t = 600)]
    shutdown_grace_seconds: u64,
    /// Internal hosts and networks a municipality's case store may be on, comma-separated
    /// (host names, addresses, CIDR networks such as 10.1.0.0/16). Without it the delivery
    /// worker calls public addresses only: no loopback, private, link-local or metadata address.
    #[arg(long, env = "VIDEOLOKET_CASE_STORE_ALLOW", value_parser = parse_outbound_rule)]
    case_store_allow: Option<OutboundRule>,
    /// File with the key (at least 32 bytes) that seals stored secrets such as case-store
    /// secrets; generated once as DATA_DIR/secrets.key (mode 0600) when unset.
    #[arg(long, env = "VIDEOLOKET_SECRETS_KEY_FILE")]
    secrets_key_file: Option<PathBuf>,
    /// Bookings one client address may make per hour (then one more every hour / this many).
    #[arg(long, env = "VIDEOLOKET_BOOKINGS_PER_ADDRESS", default_value = "10")]
    bookings_per_address: std::num::NonZeroU32,
    /// Walk-ins (queue sign-ups) one client address may make per hour; higher, since a
    /// municipal office's public computers share one address.
    #[arg(long, env = "VIDEOLOKET_WALK_INS_PER_ADDRESS", default_value = "60")]
    walk_ins_per_address: std::num::NonZeroU32,
    /// Callback requests one client address may make per hour.
    #[arg(long, env = "VIDEOLOKET_CALLBACKS_PER_ADDRESS", default_value = "20")]
    callbacks_per_address: std::num::NonZeroU32,
    /// Bookings, walk-ins and callback requests per e-mail address or phone number per hour
    /// (each counted apart); mails to one recipient: twice this.
    #[arg(long, env = "VIDEOLOKET_REQUESTS_PER_CONTACT", default_value = "5")]
    requests_per_contact: std::num::NonZeroU32,
    /// Live queue streams open at once on one resident's queue token.
    #[arg(long, env = "VIDEOLOKET_STREAMS_PER_TOKEN", default_value_t = 5)]
    streams_per_token: usize,
    /// Serve /metrics (room and participant counts, room ids) on this separate address, e.g.
    /// 127.0.0.1:9090; unset: no metrics at all. Never on the public HTTP address.
    #[arg(long, env = "VIDEOLOKET_METRICS_ADDR")]
    metrics_addr: Option<SocketAddr>,
    /// Log as JSON lines.
    #[arg(long, env = "VIDEOLOKET_LOG_JSON")]
    log_json: bool,
    /// A file holding the platform operator's bearer token (at least 32 bytes) for
    /// `/api/v1/operator/...`. Unset: the operator API is off.
    #[arg(long, env = "VIDEOLOKET_OPERATOR_TOKEN_FILE")]
    operator_token_file: Option<PathBuf>,
    /// The Notify API (GOV.UK Notify as NotifyNL runs it) for texts to residents, e.g.
    /// https://api.notify.nl. Unset: texts are written as JSON files to DATA_DIR/sms.
    #[arg(long, env = "VIDEOLOKET_NOTIFY_URL", requires_all = ["notify_api_key_file", "notify_sms_template_id"])]
    notify_url: Option<String>,
    /// File with the Notify API key (`<name>-<service id>-<secret key>`).
    #[arg(long, env = "VIDEOLOKET_NOTIFY_API_KEY_FILE")]
    notify_api_key_file: Option<PathBuf>,
    /// The Notify SMS template whose text is `((bericht))`.
    #[arg(long, env = "VIDEOLOKET_NOTIFY_SMS_TEMPLATE_ID")]
    notify_sms_template_id: Option<String>,
    /// Internal hosts and networks the Notify API may be on (as --case-store-allow).
    #[arg(long, env = "VIDEOLOKET_NOTIFY_ALLOW", value_parser = parse_outbound_rule)]
    notify_allow: Option<OutboundRule>,
    /// File with the bearer token configured as Notify's inbound-text callback token; turns on
    /// `POST /api/v1/tenants/{slug}/inbound-sms` ("annuleren" by text). Unset: no such route.
    #[arg(long, env = "VIDEOLOKET_NOTIFY_INBOUND_TOKEN_FILE")]
    notify_inbound_token_file: Option<PathBuf>,
    /// The phone number residents see when their municipality gave none, e.g. a regional
    /// `14 020` or a platform help line. Unset: the government's general line, 1400.
    #[arg(long, env = "VIDEOLOKET_FALLBACK_PHONE", value_parser = parse_fallback_phone)]
    fallback_phone: Option<booking::domain::text::PhoneNumber>,
}

fn parse_fallback_phone(raw: &str) -> Result<booking::domain::text::PhoneNumber, String> {
    booking::domain::text::PhoneNumber::parse_for_municipality(raw)
        .map_err(|_| "give a phone number such as 14 020 or 020 1234567".to_string())
}

fn parse_outbound_rule(raw: &str) -> Result<OutboundRule, String> {
    OutboundRule::parse(raw)
}

impl ServeArgs {
    fn flood_quotas(&self) -> booking::limits::FloodQuotas {
        booking::limits::FloodQuotas {
            bookings_per_address: self.bookings_per_address,
            walk_ins_per_address: self.walk_ins_per_address,
            callbacks_per_address: self.callbacks_per_address,
            per_contact: self.requests_per_contact,
            streams_per_token: self.streams_per_token,
        }
    }
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
        match &self.database_url {
            Some(url) => Ok(url.clone()),
            None => {
                private_file(&self.data_dir.join("videoloket.db"))?;
                Ok(Db::sqlite_url(&self.data_dir))
            }
        }
    }
}

/// Creates `file` empty with mode 0600 (or narrows an existing one to 0600) before SQLite
/// opens it: it holds residents' personal data. SQLite gives its -wal and -shm files the
/// database file's mode.
fn private_file(file: &std::path::Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(file)
            .with_context(|| format!("creating {}", file.display()))?;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("making {} private", file.display()))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// The demo municipality is for trying the platform on the SQLite default; on PostgreSQL (a
/// real installation) only when asked with `--demo`.
fn seeds_demo(db_url: &str, demo: bool, no_demo: bool) -> bool {
    demo || (db_url.starts_with("sqlite:") && !no_demo)
}

/// Several instances on one PostgreSQL database must sign and seal alike: keys generated into
/// each data directory would make one instance's cookies, room tokens and sealed secrets
/// unreadable to the next. On PostgreSQL they must come from the environment or files; `api`
/// and `media` work only there.
fn shared_keys_given(args: &ServeArgs) -> anyhow::Result<()> {
    let on_postgres = args
        .db
        .database_url
        .as_deref()
        .is_some_and(|url| url.starts_with("postgres:") || url.starts_with("postgresql:"));
    if !on_postgres {
        if args.role != ServeRole::All {
            anyhow::bail!(
                "--role {:?} needs PostgreSQL (DATABASE_URL=postgres://...): the instances find \
                 each other's media nodes there",
                args.role
            );
        }
        return Ok(());
    }
    let mut missing = Vec::new();
    if args.room_token_secret.is_none() {
        missing.push("VIDEOLOKET_ROOM_TOKEN_SECRET");
    }
    if args.role != ServeRole::Media {
        if args.session_key_file.is_none() {
            missing.push("VIDEOLOKET_SESSION_KEY_FILE");
        }
        if args.secrets_key_file.is_none() {
            missing.push("VIDEOLOKET_SECRETS_KEY_FILE");
        }
    }
    if !missing.is_empty() {
        anyhow::bail!(
            "on PostgreSQL every instance must use the same keys, so they are not generated \
             per instance: set {} (the same on every instance; docs/deploy.md)",
            missing.join(", ")
        );
    }
    Ok(())
}

/// The name the node has in the registry unless `--node-id` gives one.
fn default_node_id(http_addr: SocketAddr) -> booking::domain::media_nodes::NodeId {
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    let host: String = host
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(40)
        .collect();
    let host = if host.is_empty() {
        "node".to_owned()
    } else {
        host
    };
    format!("{host}-{}", http_addr.port())
        .parse()
        .unwrap_or_else(|_| "node".parse().expect("a plain id"))
}

/// Room tokens admit people to calls: a short secret could be guessed offline from one token.
fn room_token_keys(
    secret: Option<&str>,
    data_dir: &std::path::Path,
) -> anyhow::Result<RoomTokenKeys> {
    match secret {
        Some(secret) if secret.len() < MIN_ROOM_TOKEN_SECRET => anyhow::bail!(
            "VIDEOLOKET_ROOM_TOKEN_SECRET is {} bytes; it must be at least {MIN_ROOM_TOKEN_SECRET} \
             (for example the output of `openssl rand -hex 32`), or leave it unset to have one \
             generated into the data directory",
            secret.len()
        ),
        Some(secret) => Ok(RoomTokenKeys::from_secret(secret.as_bytes())),
        None => Ok(RoomTokenKeys::load_or_create(data_dir)?),
    }
}

const MIN_ROOM_TOKEN_SECRET: usize = 32;

/// TURN URLs without the secret (or the other way round) would hand browsers a relay they
/// cannot use: refused at start.
fn turn_config(args: &ServeArgs) -> anyhow::Result<Option<signaling::turn::TurnConfig>> {
    use signaling::turn::{TurnConfig, TurnSecret};
    let secret = match (&args.turn_secret_file, &args.turn_secret) {
        (Some(file), _) => {
            let raw = std::fs::read_to_string(file)
                .with_context(|| format!("reading the TURN secret {}", file.display()))?;
            Some(TurnSecret::parse(&raw).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?)
        }
        (None, Some(raw)) => Some(
            TurnSecret::parse(raw).map_err(|e| anyhow::anyhow!("VIDEOLOKET_TURN_SECRET: {e}"))?,
        ),
        (None, None) => None,
    };
    TurnConfig::from_settings(
        &args.turn_urls,
        secret,
        Duration::from_secs(args.turn_credential_seconds),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
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
        Some(Command::Serve(args)) => serve(*args).await,
        Some(Command::Tenant(args)) => tenant(args).await,
        // No subcommand: serve with settings from the environment and defaults.
        None => serve(DefaultServe::parse_from(["videoloket"]).args).await,
    }
}

/// `videoloket tenant ...`: the same use cases as the operator API, on the same database.
async fn tenant(args: TenantArgs) -> anyhow::Result<()> {
    use booking::usecases::operator;
    init_tracing(false);
    let url = args.db.url()?;
    let db = Db::connect(&url)
        .await
        .context("connecting to the database")?;
    let mail = match &args.smtp_url {
        Some(url) => MailConfig::Smtp(url.clone()),
        None => MailConfig::Files(args.db.data_dir.join("mail")),
    };
    let app = App::new(
        db.clone(),
        Clock::System,
        Mailer::new(&mail)?,
        SessionKeys::load_or_create(&args.db.data_dir.join("session.key"))?,
        args.base_url.clone(),
        booking::adapters::live_updates::QueueEvents::start(&db)
            .await
            .context("listening for queue changes")?,
    );
    match &args.action {
        TenantAction::Create {
            slug,
            name,
            admin_email,
            admin_name,
            time_zone,
        } => {
            let created = operator::create_municipality(
                &app,
                &operator::NewMunicipality {
                    slug: slug.clone(),
                    name: name.clone(),
                    admin_email: admin_email.clone(),
                    admin_name: admin_name.clone(),
                    time_zone: time_zone.clone(),
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "Created {} at {}/{}.",
                created.tenant.name,
                args.base_url.trim_end_matches('/'),
                created.tenant.slug
            );
            if created.mailed {
                println!(
                    "Mailed {} a link to choose a password (valid until {}).",
                    created.admin_email, created.link_expires
                );
            } else {
                println!(
                    "The mail to {} could not be sent (see the log); once mail works, use                      'wachtwoord vergeten' on the login page.",
                    created.admin_email
                );
            }
        }
        TenantAction::List => {
            for listed in operator::municipalities(&app)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                println!(
                    "{:<24} {:<40} {:<20} {}",
                    listed.tenant.slug.as_str(),
                    listed.tenant.name,
                    listed.tenant.time_zone.as_str(),
                    if listed.suspended {
                        "suspended"
                    } else {
                        "active"
                    }
                );
            }
        }
        TenantAction::Suspend { slug } | TenantAction::Resume { slug } => {
            let suspend = matches!(args.action, TenantAction::Suspend { .. });
            let listed = operator::set_suspended(&app, slug, suspend)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{} is {}.",
                listed.tenant.name,
                if suspend { "suspended" } else { "active again" }
            );
        }
    }
    Ok(())
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
    shared_keys_given(&args)?;
    // Refuse a weak secret before touching the database.
    let room_keys = room_token_keys(args.room_token_secret.as_deref(), &args.db.data_dir)?;
    let turn = turn_config(&args)?;
    let secrets_key = match &args.secrets_key_file {
        Some(file) => SecretsKey::read(file),
        None => SecretsKey::load_or_create(&args.db.data_dir.join("secrets.key")),
    }
    .map_err(|e| anyhow::anyhow!("VIDEOLOKET_SECRETS_KEY_FILE: {e}"))?;
    let url = args.db.url()?;
    let db = Db::connect(&url)
        .await
        .context("connecting to the database")?;
    let demo = seeds_demo(&url, args.demo, args.no_demo);
    let seeded = demo && booking::demo::seed_if_empty(&db).await?;
    let mail = match &args.smtp_url {
        Some(url) => MailConfig::Smtp(url.clone()),
        None => MailConfig::Files(args.db.data_dir.join("mail")),
    };
    let base_url = args
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.http_addr));
    let site =
        SiteOrigin::parse(&base_url).map_err(|e| anyhow::anyhow!("VIDEOLOKET_BASE_URL: {e}"))?;
    let app = App::new(
        db.clone(),
        Clock::System,
        Mailer::new(&mail)?,
        SessionKeys::load_or_create(
            &args
                .session_key_file
                .clone()
                .unwrap_or_else(|| args.db.data_dir.join("session.key")),
        )?
        .with_lifetimes(SessionLifetimes {
            idle: Duration::from_secs(args.session_idle_seconds),
            absolute: Duration::from_secs(args.session_max_seconds),
        }),
        base_url.clone(),
        booking::adapters::live_updates::QueueEvents::start(&db)
            .await
            .context("listening for queue changes")?,
    )
    .with_secrets_key(secrets_key)
    .with_flood_limits(&args.flood_quotas());
    let app = match &args.fallback_phone {
        Some(phone) => app.with_fallback_phone(phone.clone()),
        None => app,
    };
    // Secrets stored before sealing existed are sealed now.
    let sealed = booking::usecases::admin::case_store::seal_plain_secrets(&app)
        .await
        .context("sealing stored secrets")?;
    if sealed > 0 {
        tracing::info!(sealed, "stored case-store secrets sealed");
    }

    let media_config = sfu::SfuConfig {
        max_participants: args.max_participants,
        bind_ip: args.media_bind_ip.unwrap_or(args.http_addr.ip()),
        media_port: args.media_port.unwrap_or(0),
        media_cores: args.media_cores,
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
    };
    // An api instance hosts no call: no media socket, no media thread. A node that hosts
    // calls binds its ports now, so a taken port stops it here and not at its first call.
    let media = if args.role == ServeRole::Api {
        sfu::Sfu::without_media(media_config)
    } else {
        sfu::Sfu::try_new(media_config)
            .map_err(|e| anyhow::anyhow!("VIDEOLOKET_MEDIA_PORT: {e}"))?
    };
    // Delivers recorded outcomes to each municipality's case store; safe to run on every
    // instance (events are claimed under a lease).
    // A media node runs calls only; the instances run the workers.
    let workers = args.role != ServeRole::Media;
    let _outbox = workers.then(|| {
        booking::usecases::delivery::spawn_delivery_worker(
            app.clone(),
            booking::usecases::delivery::DeliveryConfig {
                outbound: args.case_store_allow.clone().unwrap_or_default(),
                ..Default::default()
            },
        )
    });
    // Sends mails and texts to residents from the messages outbox, with retries; safe on every
    // instance (messages are claimed under a lease).
    let mut message_config =
        booking::usecases::messages::MessageConfig::with_sms_files(args.db.data_dir.join("sms"))
            .context("creating the SMS directory")?;
    if let (Some(url), Some(key_file), Some(template)) = (
        &args.notify_url,
        &args.notify_api_key_file,
        &args.notify_sms_template_id,
    ) {
        let raw = std::fs::read_to_string(key_file)
            .with_context(|| format!("reading the Notify API key {}", key_file.display()))?;
        let key = booking::adapters::sms::NotifyKey::parse(&raw)
            .map_err(|e| anyhow::anyhow!("VIDEOLOKET_NOTIFY_API_KEY_FILE: {e}"))?;
        message_config.sms = Arc::new(booking::adapters::sms::NotifySms {
            base_url: url.clone(),
            key,
            template_id: template.to_string(),
            http: booking::adapters::outbound_http::OutboundHttp::new(
                args.notify_allow.clone().unwrap_or_default(),
                message_config.request_timeout,
            ),
        });
    }
    let _messages = workers
        .then(|| booking::usecases::messages::spawn_message_worker(app.clone(), message_config));
    let inbound_sms = match &args.notify_inbound_token_file {
        Some(file) => {
            let raw = std::fs::read_to_string(file)
                .with_context(|| format!("reading the inbound SMS token {}", file.display()))?;
            Some(
                booking::api::inbound_sms::InboundToken::new(&raw)
                    .map_err(|e| anyhow::anyhow!("VIDEOLOKET_NOTIFY_INBOUND_TOKEN_FILE: {e}"))?,
            )
        }
        None => None,
    };
    // Erases personal data past each municipality's retention period; idempotent, safe on every
    // instance.
    let _retention =
        workers.then(|| booking::usecases::retention::spawn_retention_worker(app.clone()));
    let issuer: booking::domain::rooms::Issuer = Arc::new(SignedRoomTokens::new(room_keys.clone()));
    let metrics_sfu = media.clone();

    let operator = match &args.operator_token_file {
        Some(file) => {
            let raw = std::fs::read_to_string(file)
                .with_context(|| format!("reading the operator token {}", file.display()))?;
            Some(
                booking::api::operator::OperatorToken::new(&raw)
                    .map_err(|e| anyhow::anyhow!("VIDEOLOKET_OPERATOR_TOKEN_FILE: {e}"))?,
            )
        }
        None => None,
    };
    let on_postgres = db.dialect == booking::store::Dialect::Postgres;
    let node = cluster::NodeSettings {
        id: args
            .node_id
            .clone()
            .unwrap_or_else(|| default_node_id(args.http_addr)),
        signal_url: args
            .node_url
            .clone()
            .unwrap_or_else(|| format!("ws://{}/ws", args.http_addr)),
        capacity: args.node_capacity,
    };
    // Checked by `shared_keys_given`: on PostgreSQL the room-token secret is configured, and
    // the instances authenticate relayed sockets with a key derived from it.
    let cluster_key = args
        .room_token_secret
        .as_deref()
        .filter(|_| on_postgres)
        .map(|secret| signaling::ClusterKey::derive(secret.as_bytes()));
    let signaling_state = {
        let state = signaling::SignalingState::new(room_keys, media.clone())
            .with_admission(Arc::new(BookedRooms::new(app.clone())));
        let state = match turn {
            Some(turn) => state.with_turn(turn),
            None => state,
        };
        match (args.role, cluster_key) {
            (ServeRole::Media, Some(key)) => state.relayed_only(key),
            (ServeRole::Api, Some(key)) => {
                state.with_placement(Arc::new(cluster::PlacedRooms::new(app.clone(), None)), key)
            }
            (ServeRole::All, Some(key)) => state.with_placement(
                Arc::new(cluster::PlacedRooms::new(
                    app.clone(),
                    Some(node.id.clone()),
                )),
                key,
            ),
            (_, None) => state,
        }
    };
    // A process that hosts calls on PostgreSQL is a media node of the registry.
    let registered = on_postgres && args.role != ServeRole::Api;
    if registered && args.node_url.is_none() && args.http_addr.ip().is_unspecified() {
        tracing::warn!(
            url = %node.signal_url,
            "VIDEOLOKET_NODE_URL is not set: other instances cannot reach this node's calls at \
             an unspecified address; set it to this host's internal address"
        );
    }
    let heartbeat = registered.then(|| {
        tracing::info!(node = %node.id, url = %node.signal_url, "media node registered");
        cluster::spawn_heartbeat(app.clone(), signaling_state.clone(), node.clone())
    });
    let ops_db = db.clone();
    let ops_media = media.clone();
    let shutdown_media = media.clone();
    let sessions = app.clone();
    let router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/readyz",
            get(move || {
                let db = ops_db.clone();
                let draining = ops_media.is_draining();
                async move {
                    if draining {
                        // A load balancer sends new visitors to another instance.
                        (axum::http::StatusCode::SERVICE_UNAVAILABLE, "shutting down")
                    } else if db.ping().await {
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
        .merge(if args.role == ServeRole::Media {
            // Calls only: no pages and no API on a media node.
            Router::new()
        } else {
            Router::new()
                .merge(match operator {
                    Some(token) => booking::api::operator::router(app.clone(), token),
                    None => Router::new(),
                })
                .merge(match inbound_sms {
                    Some(token) => booking::api::inbound_sms::router(app.clone(), token),
                    None => Router::new(),
                })
                .merge(web::router(app.clone()))
                .merge(booking::api::router(app.clone()).layer(axum::Extension(issuer)))
        })
        .merge(signaling::router(signaling_state.clone()));
    let router = end_session_on_logout(
        protect(
            router,
            &site,
            LoginQuotas::with_address_burst(args.login_attempts_per_address),
        ),
        sessions,
    )
    .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(request_span));

    let listener = tokio::net::TcpListener::bind(args.http_addr)
        .await
        .with_context(|| format!("binding {}", args.http_addr))?;
    // The metrics name every municipality's rooms: only on their own address, for the
    // operator's monitoring, never on the public one.
    if let Some(metrics_addr) = args.metrics_addr {
        let metrics = tokio::net::TcpListener::bind(metrics_addr)
            .await
            .with_context(|| format!("binding the metrics address {metrics_addr}"))?;
        let router = Router::new().route(
            "/metrics",
            get(move || {
                let sfu = metrics_sfu.clone();
                async move { sfu.metrics_text() }
            }),
        );
        tokio::spawn(async move {
            if let Err(error) = axum::serve(metrics, router).await {
                tracing::error!(%error, "the metrics listener stopped");
            }
        });
    }
    print_welcome(&base_url, &url, &args, demo, seeded);
    let (drained, drained_rx) = tokio::sync::oneshot::channel();
    let grace = Duration::from_secs(args.shutdown_grace_seconds);
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        drain_calls(shutdown_media, grace).await;
        let _ = drained.send(());
    });
    tokio::select! {
        served = server.into_future() => served?,
        // Live queue streams (SSE) and lingering sockets never end by themselves: once the
        // calls are over they get a few seconds, then the process stops.
        _ = async {
            let _ = drained_rx.await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        } => {}
    }
    if let Some(heartbeat) = heartbeat {
        heartbeat.abort();
        cluster::leave(&app, &node.id).await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// Waits for SIGTERM (systemd, containers) or Ctrl-C, then lets the calls in progress finish:
/// no new call starts on this instance, and the wait ends when the last call has ended or
/// `grace` has passed.
async fn drain_calls(media: sfu::Sfu, grace: Duration) {
    stop_requested().await;
    media.start_draining();
    tracing::info!(
        calls = media.room_count(),
        grace_seconds = grace.as_secs(),
        "shutting down: no new calls; waiting for the calls in progress to end"
    );
    let deadline = tokio::time::Instant::now() + grace;
    while media.room_count() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    if media.room_count() > 0 {
        tracing::warn!(
            calls = media.room_count(),
            "shutdown grace period over: ending the calls still running"
        );
    }
}

async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = terminate.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
                return;
            }
            Err(err) => tracing::warn!(%err, "cannot listen for SIGTERM; only Ctrl-C stops"),
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// The request's route pattern (`/a/{token}`), never its path: paths and query strings carry
/// personal links and tokens, which must not reach the log.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("(no route)", |path| path.as_str());
    tracing::debug_span!("request", method = %request.method(), route)
}

fn print_welcome(base_url: &str, db_url: &str, args: &ServeArgs, demo: bool, seeded: bool) {
    let store = if db_url.starts_with("sqlite:") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let slug = booking::demo::DEMO_SLUG;
    println!();
    if args.role == ServeRole::Media {
        println!(
            "Videoloket media node on {store}: calls for sockets the instances relay to {}/ws \
             (no pages, no API). Health: {base_url}/healthz",
            base_url.replacen("http", "ws", 1)
        );
        println!();
        return;
    }
    println!("Videoloket is running on {store}. Open:");
    println!("  Book an appointment:    {base_url}/{slug}");
    println!("  Clerks (login):         {base_url}/{slug}/medewerker");
    println!("  Admin pages:            {base_url}/beheer");
    println!("  API description:        {base_url}/api/v1/openapi.json");
    println!("  Demo municipality:      {base_url}/api/v1/tenants/{slug}");
    println!("  Its services:           {base_url}/api/v1/tenants/{slug}/services");
    println!("  Health:                 {base_url}/healthz");
    match args.metrics_addr {
        Some(addr) => println!("  Metrics (operator only): http://{addr}/metrics"),
        None => {
            println!("  Metrics:                off (set VIDEOLOKET_METRICS_ADDR to serve them)")
        }
    }
    println!(
        "  Video signaling:        {}/ws",
        base_url.replacen("http", "ws", 1)
    );
    if !demo && !args.no_demo {
        println!(
            "No demo municipality on PostgreSQL: start once with --demo to create it on an \
             empty database."
        );
    }
    if demo || seeded {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_is_seeded_on_sqlite_only_unless_asked() {
        let sqlite = "sqlite://data/videoloket.db?mode=rwc";
        let postgres = "postgres://localhost/videoloket";
        assert!(seeds_demo(sqlite, false, false));
        assert!(!seeds_demo(sqlite, false, true));
        assert!(!seeds_demo(postgres, false, false));
        assert!(seeds_demo(postgres, true, false));
    }

    #[test]
    fn short_room_token_secrets_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let refusal = room_token_keys(Some("too short"), dir.path())
            .err()
            .unwrap()
            .to_string();
        assert!(refusal.contains("at least 32"), "{refusal}");
        assert!(room_token_keys(Some(&"x".repeat(32)), dir.path()).is_ok());
    }
}
