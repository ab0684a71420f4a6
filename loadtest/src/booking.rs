//! `booking`: N concurrent virtual residents search a day's slots and book one; a share of them
//! aim at the same (first) slot of the day on purpose. Afterwards the database is checked for
//! double-booked clerks, and `pgbench` runs against the same PostgreSQL as the baseline.

use crate::stats::{self, bump, fmt_ms, Counts, Percentiles, Samples, Table};
use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use jiff::civil::{Date, Weekday};
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Hard upper bounds, whatever the command line says.
const MAX_RESIDENTS: usize = 2_000;
const MAX_SECONDS: u64 = 600;
const MAX_CLERKS: usize = 1_000;

#[derive(Args, Debug, Clone)]
pub struct BookingArgs {
    /// The platform, e.g. http://127.0.0.1:8080 (loopback only).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub base_url: String,
    /// Municipality slug.
    #[arg(long, default_value = "voorbeeld")]
    pub tenant: String,
    #[arg(long, default_value = "bram@voorbeeld.nl")]
    pub admin_email: String,
    #[arg(long, default_value = "welkom-bram")]
    pub admin_password: String,
    /// Clerks to add for the run (each Mon-Fri 09:00-17:00, handling the load-test service).
    #[arg(long, default_value_t = 100)]
    pub clerks: usize,
    /// Concurrent virtual residents.
    #[arg(long, default_value_t = 50)]
    pub residents: usize,
    /// How long residents keep booking, in seconds.
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
    /// Stop after this many successful bookings.
    #[arg(long, default_value_t = 200_000)]
    pub max_bookings: u64,
    /// Percentage of residents' attempts that all go for the first free slot of their day.
    #[arg(long, default_value_t = 20)]
    pub collide_percent: u32,
    /// Days ahead (from tomorrow) residents pick from; keep within the tenant's horizon.
    #[arg(long, default_value_t = 45)]
    pub days: i64,
    /// Service length in minutes (buffer 0): a dense 15-minute grid gives many slots.
    #[arg(long, default_value_t = 15)]
    pub service_minutes: i64,
    /// The platform's database, to check afterwards for double bookings
    /// (`sqlite:///path/videoloket.db` or `postgres://postgres@127.0.0.1:5432/db`).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Run `pgbench -b simple-update` with the same client count on this (throwaway) database
    /// of the same PostgreSQL server, after the booking phase.
    #[arg(long)]
    pub pgbench_db: Option<String>,
    /// pgbench scale factor for `pgbench -i`.
    #[arg(long, default_value_t = 10)]
    pub pgbench_scale: u32,
    /// PID of the platform process, to report its CPU and memory.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Where to write the JSON report.
    #[arg(long, default_value = "loadtest-booking.json")]
    pub json: String,
}

#[derive(Deserialize)]
struct IdOnly {
    id: String,
}

#[derive(Deserialize, Clone)]
struct SlotView {
    start: String,
}

#[derive(Default)]
struct Tally {
    book_latency: Samples,
    search_latency: Samples,
    attempt_latency: Samples,
    outcomes: Counts,
    errors: Counts,
}

#[derive(Serialize)]
pub struct BookingReport {
    pub scenario: &'static str,
    pub database: String,
    pub residents: usize,
    pub clerks_added: usize,
    pub collide_percent: u32,
    pub seconds: f64,
    pub bookings: u64,
    pub bookings_per_sec: f64,
    pub attempts: u64,
    pub book_latency: Percentiles,
    pub search_latency: Percentiles,
    pub attempt_latency: Percentiles,
    pub outcomes: Counts,
    pub errors: Counts,
    pub server_cpu_cores: Option<f64>,
    pub server_rss_mib: Option<f64>,
    pub loadtest_cpu_cores: Option<f64>,
    pub db_check: Option<DbCheck>,
    pub pgbench: Option<PgbenchResult>,
    pub bookings_per_pgbench_tps: Option<f64>,
}

#[derive(Serialize, Clone)]
pub struct DbCheck {
    pub booked_rows_for_service: i64,
    pub bookings_acknowledged: u64,
    pub double_booked_pairs: i64,
    pub reservation_rows: i64,
    pub expected_reservation_rows: i64,
}

#[derive(Serialize, Clone)]
pub struct PgbenchResult {
    pub command: String,
    pub clients: usize,
    pub seconds: u64,
    pub tps: f64,
    pub latency_avg_ms: Option<f64>,
}

pub async fn run(args: BookingArgs) -> Result<()> {
    stats::require_loopback(&args.base_url)?;
    if let Some(url) = &args.database_url {
        if url.starts_with("postgres") {
            stats::require_loopback(url)?;
        }
    }
    if args.residents == 0 || args.residents > MAX_RESIDENTS {
        bail!("--residents must be 1..={MAX_RESIDENTS}");
    }
    if args.seconds == 0 || args.seconds > MAX_SECONDS {
        bail!("--seconds must be 1..={MAX_SECONDS}");
    }
    if args.clerks > MAX_CLERKS {
        bail!("--clerks must be at most {MAX_CLERKS}");
    }
    let api = format!("{}/api/v1", args.base_url.trim_end_matches('/'));
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(stats::same_origin(&args.base_url)?)
        .pool_max_idle_per_host(args.residents + 8)
        .timeout(Duration::from_secs(30))
        .build()?;

    // --- setup: a service and clerks through the admin API ---
    let setup = ProgressBar::new(args.clerks as u64 + 2)
        .with_style(ProgressStyle::with_template("setup   {bar:40} {pos}/{len} {msg}").unwrap());
    let login = client
        .post(format!("{api}/auth/login"))
        .json(&json!({"tenant": args.tenant, "email": args.admin_email, "password": args.admin_password}))
        .send()
        .await
        .context("login: is the platform running?")?;
    if !login.status().is_success() {
        bail!(
            "admin login failed: {} {}",
            login.status(),
            login.text().await?
        );
    }
    setup.inc(1);
    let run_id: u32 = rand::thread_rng().gen_range(100_000..1_000_000);
    let service: IdOnly = expect_json(
        client
            .post(format!("{api}/admin/services"))
            .json(&json!({
                "name": format!("Loadtest {run_id}"),
                "description": "created by loadtest",
                "duration_minutes": args.service_minutes,
                "buffer_minutes": 0,
            }))
            .send()
            .await?,
    )
    .await
    .context("create service")?;
    setup.inc(1);
    let clerk_ids = Arc::new(Mutex::new(Vec::new()));
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (client, api, next, clerk_ids, setup) = (
            client.clone(),
            api.clone(),
            next.clone(),
            clerk_ids.clone(),
            setup.clone(),
        );
        let (service_id, total) = (service.id.clone(), args.clerks as u64);
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<_, anyhow::Error>(());
                }
                let clerk: IdOnly = expect_json(
                    client
                        .post(format!("{api}/admin/clerks"))
                        .json(&json!({
                            "name": format!("Loadtest medewerker {i}"),
                            "email": format!("lt-{run_id}-{i}@voorbeeld.nl"),
                            "password": "loadtest-password-123",
                            "role": "clerk",
                            "services": [service_id],
                        }))
                        .send()
                        .await?,
                )
                .await
                .context("create clerk")?;
                let windows: Vec<_> = (1..=5)
                    .map(|d| json!({"weekday": d, "start": "09:00", "end": "17:00"}))
                    .collect();
                let r = client
                    .put(format!("{api}/admin/clerks/{}/hours", clerk.id))
                    .json(&json!({ "windows": windows }))
                    .send()
                    .await?;
                if !r.status().is_success() {
                    bail!("set hours: {} {}", r.status(), r.text().await?);
                }
                clerk_ids.lock().await.push(clerk.id);
                setup.inc(1);
            }
        }));
    }
    for w in workers {
        w.await??;
    }
    setup.finish_with_message("ready");

    // --- the run ---
    let today = jiff::Zoned::now().date();
    let days: Vec<Date> = (1..=args.days)
        .filter_map(|n| today.checked_add(jiff::Span::new().days(n)).ok())
        .filter(|d| !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday))
        .collect();
    if days.is_empty() {
        bail!("--days leaves no working day");
    }
    let days = Arc::new(days);
    let booked = Arc::new(AtomicU64::new(0));
    let attempts = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(std::sync::Mutex::new(Tally::default()));
    let bar = ProgressBar::new(args.seconds)
        .with_style(ProgressStyle::with_template("booking {bar:40} {pos}/{len}s {msg}").unwrap());
    let server_before = args.server_pid.and_then(stats::proc_sample);
    let self_before = stats::self_sample();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let mut residents = Vec::new();
    for r in 0..args.residents {
        let (client, api, days, booked, attempts, stop, tally) = (
            client.clone(),
            api.clone(),
            days.clone(),
            booked.clone(),
            attempts.clone(),
            stop.clone(),
            tally.clone(),
        );
        let (tenant, service_id) = (args.tenant.clone(), service.id.clone());
        let (collide, max) = (args.collide_percent, args.max_bookings);
        residents.push(tokio::spawn(async move {
            let mut local = Tally::default();
            let mut rng = rand::rngs::StdRng::from_entropy();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                n += 1;
                let day = days[rng.gen_range(0..days.len())];
                let attempt = Instant::now();
                let t = Instant::now();
                let search = client
                    .get(format!(
                        "{api}/tenants/{tenant}/services/{service_id}/slots"
                    ))
                    .query(&[("from", day.to_string()), ("to", day.to_string())])
                    .send()
                    .await;
                let slots: Vec<SlotView> = match search {
                    Ok(resp) if resp.status().is_success() => match resp.json().await {
                        Ok(s) => s,
                        Err(_) => {
                            bump(&mut local.errors, "search_bad_json");
                            continue;
                        }
                    },
                    Ok(resp) => {
                        bump(
                            &mut local.errors,
                            format!("search_http_{}", resp.status().as_u16()),
                        );
                        continue;
                    }
                    Err(e) => {
                        bump(&mut local.errors, transport_kind("search", &e));
                        continue;
                    }
                };
                local.search_latency.push(t.elapsed());
                if slots.is_empty() {
                    bump(&mut local.outcomes, "day_full");
                    continue;
                }
                let aim_first = rng.gen_range(0..100) < collide;
                let slot = if aim_first {
                    &slots[0]
                } else {
                    &slots[rng.gen_range(0..slots.len())]
                };
                attempts.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                let res = client
                    .post(format!("{api}/tenants/{tenant}/appointments"))
                    .json(&json!({
                        "service_id": service_id,
                        "start": slot.start,
                        "name": format!("Bewoner {r}-{n}"),
                        "email": format!("bewoner-{r}-{n}@example.nl"),
                    }))
                    .send()
                    .await;
                let status = match res {
                    Ok(resp) => {
                        let s = resp.status().as_u16();
                        let _ = resp.bytes().await;
                        s
                    }
                    Err(e) => {
                        bump(&mut local.errors, transport_kind("book", &e));
                        continue;
                    }
                };
                local.book_latency.push(t.elapsed());
                local.attempt_latency.push(attempt.elapsed());
                match status {
                    201 => {
                        bump(&mut local.outcomes, "booked");
                        if booked.fetch_add(1, Ordering::Relaxed) + 1 >= max {
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                    // Lost a race for the slot: the expected answer for colliding residents.
                    409 => bump(
                        &mut local.outcomes,
                        if aim_first {
                            "conflict_409_aimed"
                        } else {
                            "conflict_409_random"
                        },
                    ),
                    s => bump(&mut local.errors, format!("book_http_{s}")),
                }
            }
            let mut t = tally.lock().unwrap();
            t.book_latency.extend(local.book_latency);
            t.search_latency.extend(local.search_latency);
            t.attempt_latency.extend(local.attempt_latency);
            for (k, v) in local.outcomes {
                *t.outcomes.entry(k).or_default() += v;
            }
            for (k, v) in local.errors {
                *t.errors.entry(k).or_default() += v;
            }
        }));
    }
    let ticker = {
        let (bar, booked, stop) = (bar.clone(), booked.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(250)).await;
                let secs = started.elapsed().as_secs_f64();
                bar.set_position(secs as u64);
                let b = booked.load(Ordering::Relaxed);
                bar.set_message(format!("{b} booked, {:.0}/s", b as f64 / secs));
            }
        })
    };
    for r in residents {
        r.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let _ = ticker.await;
    bar.finish();
    let server_after = args.server_pid.and_then(stats::proc_sample);
    let self_after = stats::self_sample();
    let ticks = stats::clock_ticks_per_sec();
    let server_cpu = match (&server_before, &server_after) {
        (Some(a), Some(b)) => Some(stats::cores_used(a, b, ticks)),
        _ => None,
    };
    let loadtest_cpu = match (&self_before, &self_after) {
        (Some(a), Some(b)) => Some(stats::cores_used(a, b, ticks)),
        _ => None,
    };
    let tally = std::mem::take(&mut *tally.lock().unwrap());
    let bookings = booked.load(Ordering::Relaxed);

    // --- the database check ---
    let db_check = match &args.database_url {
        Some(url) => Some(
            check_database(url, &service.id, bookings, args.service_minutes)
                .await
                .context("database check")?,
        ),
        None => None,
    };

    // --- the baseline ---
    let pgbench = match &args.pgbench_db {
        Some(db) => Some(run_pgbench(db, args.residents, args.seconds, args.pgbench_scale).await?),
        None => None,
    };

    let bookings_per_sec = bookings as f64 / elapsed;
    let report = BookingReport {
        scenario: "booking",
        database: args
            .database_url
            .as_deref()
            .map(|u| u.split(':').next().unwrap_or("").to_string())
            .unwrap_or_else(|| "unknown".into()),
        residents: args.residents,
        clerks_added: args.clerks,
        collide_percent: args.collide_percent,
        seconds: elapsed,
        bookings,
        bookings_per_sec,
        attempts: attempts.load(Ordering::Relaxed),
        book_latency: tally.book_latency.percentiles(),
        search_latency: tally.search_latency.percentiles(),
        attempt_latency: tally.attempt_latency.percentiles(),
        outcomes: tally.outcomes.clone(),
        errors: tally.errors.clone(),
        server_cpu_cores: server_cpu,
        server_rss_mib: server_after.map(|s| s.rss_kib as f64 / 1024.0),
        loadtest_cpu_cores: loadtest_cpu,
        db_check: db_check.clone(),
        bookings_per_pgbench_tps: pgbench.as_ref().map(|p| bookings_per_sec / p.tps),
        pgbench: pgbench.clone(),
    };

    let mut table = Table::default();
    table
        .row("database", report.database.clone())
        .row("residents (concurrent)", args.residents.to_string())
        .row("clerks added", args.clerks.to_string())
        .row("duration", format!("{elapsed:.1} s"))
        .row("bookings", bookings.to_string())
        .row("bookings/s", format!("{bookings_per_sec:.1}"))
        .row("booking POST p50/p95/p99", fmt_ms(&report.book_latency))
        .row("slot search p50/p95/p99", fmt_ms(&report.search_latency))
        .row("search+book p50/p95/p99", fmt_ms(&report.attempt_latency));
    for (k, v) in &report.outcomes {
        table.row(format!("outcome {k}"), v.to_string());
    }
    if report.errors.is_empty() {
        table.row("errors", "0");
    }
    for (k, v) in &report.errors {
        table.row(format!("error {k}"), v.to_string());
    }
    if let Some(c) = server_cpu {
        table.row("server CPU (cores)", format!("{c:.2}"));
    }
    if let Some(m) = report.server_rss_mib {
        table.row("server RSS", format!("{m:.0} MiB"));
    }
    if let Some(c) = loadtest_cpu {
        table.row("loadtest CPU (cores)", format!("{c:.2}"));
    }
    if let Some(c) = &db_check {
        table
            .row(
                "db: booked rows / acknowledged",
                format!(
                    "{} / {}",
                    c.booked_rows_for_service, c.bookings_acknowledged
                ),
            )
            .row("db: double-booked pairs", c.double_booked_pairs.to_string())
            .row(
                "db: reservation rows / expected",
                format!("{} / {}", c.reservation_rows, c.expected_reservation_rows),
            );
    }
    if let Some(p) = &pgbench {
        table
            .row("pgbench simple-update TPS", format!("{:.1}", p.tps))
            .row(
                "bookings/s / pgbench TPS",
                format!("{:.3}", report.bookings_per_pgbench_tps.unwrap_or(0.0)),
            );
    }
    table.print("booking scenario");
    std::fs::write(&args.json, serde_json::to_string_pretty(&report)?)?;
    println!("JSON report: {}", args.json);
    if let Some(c) = &db_check {
        if c.double_booked_pairs != 0 || c.booked_rows_for_service != c.bookings_acknowledged as i64
        {
            bail!("database check failed: double bookings or lost/phantom bookings");
        }
    }
    Ok(())
}

fn transport_kind(what: &str, e: &reqwest::Error) -> String {
    if e.is_timeout() {
        format!("{what}_timeout")
    } else if e.is_connect() {
        format!("{what}_connect")
    } else {
        format!("{what}_transport")
    }
}

async fn expect_json<T: for<'de> Deserialize<'de>>(resp: reqwest::Response) -> Result<T> {
    let status = resp.status();
    if !status.is_success() {
        bail!("{status}: {}", resp.text().await.unwrap_or_default());
    }
    Ok(resp.json().await?)
}

async fn check_database(
    url: &str,
    service_id: &str,
    acknowledged: u64,
    service_minutes: i64,
) -> Result<DbCheck> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await?;
    let booked_rows: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM appointments WHERE service_id = $1 AND status = 'booked'",
    )
    .bind(service_id)
    .fetch_one(&pool)
    .await?;
    // Independent of the reservation guard: any two booked appointments of one clerk whose
    // occupied times (duration + the service's buffer) overlap.
    let double_booked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM appointments a \
         JOIN services sa ON sa.id = a.service_id \
         JOIN appointments b ON b.clerk_id = a.clerk_id AND a.id < b.id \
         JOIN services sb ON sb.id = b.service_id \
         WHERE a.status = 'booked' AND b.status = 'booked' \
           AND a.starts_at < b.ends_at + sb.buffer_minutes * 60 \
           AND b.starts_at < a.ends_at + sa.buffer_minutes * 60",
    )
    .fetch_one(&pool)
    .await?;
    let reservations: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM clerk_reservations r JOIN appointments a ON a.id = r.appointment_id \
         WHERE a.service_id = $1",
    )
    .bind(service_id)
    .fetch_one(&pool)
    .await?;
    pool.close().await;
    Ok(DbCheck {
        booked_rows_for_service: booked_rows,
        bookings_acknowledged: acknowledged,
        double_booked_pairs: double_booked,
        reservation_rows: reservations,
        expected_reservation_rows: booked_rows * (service_minutes / 5),
    })
}

async fn run_pgbench(db: &str, clients: usize, seconds: u64, scale: u32) -> Result<PgbenchResult> {
    let common = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"];
    let spinner = ProgressBar::new_spinner().with_message(format!("pgbench -i -s {scale} {db}"));
    spinner.enable_steady_tick(Duration::from_millis(200));
    let init = tokio::process::Command::new("pgbench")
        .args(common)
        .args(["-i", "-q", "-s", &scale.to_string(), db])
        .output()
        .await
        .context("pgbench -i (is pgbench installed?)")?;
    if !init.status.success() {
        bail!(
            "pgbench -i failed: {}",
            String::from_utf8_lossy(&init.stderr)
        );
    }
    let jobs = clients.min(2).to_string();
    let args: Vec<String> = common
        .iter()
        .map(|s| s.to_string())
        .chain([
            "-b".into(),
            "simple-update".into(),
            "-c".into(),
            clients.to_string(),
            "-j".into(),
            jobs,
            "-T".into(),
            seconds.to_string(),
            db.to_string(),
        ])
        .collect();
    let command = format!("pgbench {}", args.join(" "));
    spinner.set_message(command.clone());
    let out = tokio::process::Command::new("pgbench")
        .args(&args)
        .output()
        .await?;
    spinner.finish_and_clear();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if !out.status.success() {
        bail!(
            "pgbench failed: {}{}",
            text,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let tps = text
        .lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.trim_start_matches("tps = ").split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no tps line in pgbench output")?;
    let latency_avg_ms = text
        .lines()
        .find(|l| l.starts_with("latency average = "))
        .and_then(|l| {
            l.trim_start_matches("latency average = ")
                .split_whitespace()
                .next()
        })
        .and_then(|v| v.parse().ok());
    Ok(PgbenchResult {
        command,
        clients,
        seconds,
        tps,
        latency_avg_ms,
    })
}
