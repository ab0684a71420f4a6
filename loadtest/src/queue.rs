//! `queue`: M clerks and N waiting walk-in residents; "call next" at a set total rate. Each
//! called resident checks their entry (must show `called`), answers, and the clerk finishes.
//! Reports call-next latency, the resident-visible latency, and lost or duplicated
//! assignments. By default residents poll, so "fan-out" is the time from the clerk's call-next
//! answer to the resident's next read showing the call; with `--live` every resident and clerk
//! follows the queue over Server-Sent Events, the resident sees the call on the stream, and the
//! report adds how soon all open streams had a fresh view after each call.

use crate::stats::{self, bump, fmt_ms, Counts, Percentiles, Samples, Table};
use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MAX_CLERKS: usize = 500;
const MAX_RESIDENTS: usize = 5_000;
const MAX_SECONDS: u64 = 300;

#[derive(Args, Debug, Clone)]
pub struct QueueArgs {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub base_url: String,
    #[arg(long, default_value = "voorbeeld")]
    pub tenant: String,
    #[arg(long, default_value = "bram@voorbeeld.nl")]
    pub admin_email: String,
    #[arg(long, default_value = "welkom-bram")]
    pub admin_password: String,
    #[arg(long, default_value_t = 200)]
    pub clerks: usize,
    /// Walk-in residents waiting before the clerks start.
    #[arg(long, default_value_t = 2000)]
    pub residents: usize,
    /// "Call next" per second over all clerks.
    #[arg(long, default_value_t = 20.0)]
    pub call_rate: f64,
    #[arg(long, default_value_t = 30)]
    pub seconds: u64,
    #[arg(long)]
    pub server_pid: Option<u32>,
    #[arg(long, default_value = "loadtest-queue.json")]
    pub json: String,
    /// Every resident and clerk follows the queue live (Server-Sent Events) instead of
    /// polling: the resident sees the call on the stream, and the report says how soon every
    /// open stream had a fresh view after each call.
    #[arg(long)]
    pub live: bool,
}

#[derive(Deserialize)]
struct IdOnly {
    id: String,
}

#[derive(Deserialize)]
struct WalkIn {
    token: String,
}

#[derive(Deserialize)]
struct StaffEntry {
    id: String,
    resident_name: String,
    status: String,
}

#[derive(Deserialize)]
struct ResidentView {
    status: String,
}

#[derive(Serialize)]
struct QueueReport {
    scenario: &'static str,
    clerks: usize,
    residents: usize,
    call_rate: f64,
    seconds: f64,
    walk_in_latency: Percentiles,
    call_next_latency: Percentiles,
    resident_sees_call_latency: Percentiles,
    answer_latency: Percentiles,
    done_latency: Percentiles,
    calls: u64,
    duplicated_assignments: u64,
    lost_assignments: u64,
    outcomes: Counts,
    errors: Counts,
    final_summary: Option<Value>,
    /// With `--live`: per call, the time from the call-next answer until 99 % (and all) of the
    /// open streams had received an event after it.
    live_streams: Option<usize>,
    live_p99_streams_updated: Option<Percentiles>,
    live_all_streams_updated: Option<Percentiles>,
    server_cpu_cores: Option<f64>,
    server_rss_mib: Option<f64>,
}

/// What the live streams saw: per stream the arrival of each event, and per resident token
/// when the stream first showed the call.
#[derive(Default)]
struct Live {
    arrivals: Vec<Arc<Mutex<Vec<Instant>>>>,
    called: Mutex<HashMap<String, Instant>>,
    /// The call-next answers, to measure each stream's next event against.
    calls: Mutex<Vec<Instant>>,
}

/// Reads one SSE stream until the run ends, noting each event's arrival (and, for a resident,
/// the first event that shows the call).
async fn follow(
    client: reqwest::Client,
    url: String,
    token: Option<String>,
    live: Arc<Live>,
    arrivals: Arc<Mutex<Vec<Instant>>>,
) {
    let Ok(mut response) = client.get(&url).send().await else {
        return;
    };
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let now = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            if !event.contains("data:") {
                continue; // a keep-alive comment
            }
            arrivals.lock().unwrap().push(now);
            if let Some(token) = &token {
                if event.contains("\"status\":\"called\"") {
                    live.called
                        .lock()
                        .unwrap()
                        .entry(token.clone())
                        .or_insert(now);
                }
            }
        }
    }
}

/// Per call, how long until `share` of the streams had an event after the call's answer.
fn streams_updated(live: &Live, share: f64) -> Percentiles {
    let calls = live.calls.lock().unwrap().clone();
    let streams: Vec<Vec<Instant>> = live
        .arrivals
        .iter()
        .map(|a| a.lock().unwrap().clone())
        .collect();
    let mut samples = Samples::default();
    for call in calls {
        let mut delays: Vec<Duration> = streams
            .iter()
            .filter_map(|arrivals| {
                let i = arrivals.partition_point(|t| *t < call);
                arrivals.get(i).map(|t| t.duration_since(call))
            })
            .collect();
        // A stream with no event after the call counts as not updated (the slowest).
        if delays.len() < streams.len() {
            continue;
        }
        delays.sort();
        let index = ((delays.len() as f64 * share).ceil() as usize).clamp(1, delays.len()) - 1;
        samples.push(delays[index]);
    }
    samples.percentiles()
}

#[derive(Default)]
struct Tally {
    call_next: Samples,
    sees_call: Samples,
    answer: Samples,
    done: Samples,
    outcomes: Counts,
    errors: Counts,
    assigned: HashMap<String, u64>,
    lost: u64,
}

fn client(base_url: &str) -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(stats::same_origin(base_url)?)
        .timeout(Duration::from_secs(30))
        .build()?)
}

async fn ok_json<T: for<'de> Deserialize<'de>>(r: reqwest::Response, what: &str) -> Result<T> {
    let s = r.status();
    if !s.is_success() {
        bail!("{what}: {s} {}", r.text().await.unwrap_or_default());
    }
    r.json().await.with_context(|| what.to_string())
}

pub async fn run(args: QueueArgs) -> Result<()> {
    stats::require_loopback(&args.base_url)?;
    if args.clerks == 0 || args.clerks > MAX_CLERKS {
        bail!("--clerks must be 1..={MAX_CLERKS}");
    }
    if args.residents == 0 || args.residents > MAX_RESIDENTS {
        bail!("--residents must be 1..={MAX_RESIDENTS}");
    }
    if args.seconds == 0 || args.seconds > MAX_SECONDS {
        bail!("--seconds must be 1..={MAX_SECONDS}");
    }
    if !(0.1..=1000.0).contains(&args.call_rate) {
        bail!("--call-rate must be 0.1..=1000");
    }
    let api = format!("{}/api/v1", args.base_url.trim_end_matches('/'));
    let admin = client(&args.base_url)?;
    let r = admin
        .post(format!("{api}/auth/login"))
        .json(&json!({"tenant": args.tenant, "email": args.admin_email, "password": args.admin_password}))
        .send()
        .await
        .context("login: is the platform running?")?;
    if !r.status().is_success() {
        bail!("admin login: {}", r.status());
    }
    // Walk-ins on.
    let mut settings: Value = ok_json(
        admin.get(format!("{api}/admin/settings")).send().await?,
        "get settings",
    )
    .await?;
    settings["walk_ins_allowed"] = json!(true);
    for (k, v) in [("check_in_minutes", 30), ("no_show_grace_minutes", 15)] {
        if settings.get(k).is_none() {
            settings[k] = json!(v);
        }
    }
    let r = admin
        .put(format!("{api}/admin/settings"))
        .json(&settings)
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("put settings: {} {}", r.status(), r.text().await?);
    }
    let run_id: u32 = rand::random::<u32>() % 900_000 + 100_000;
    let service: IdOnly = ok_json(
        admin
            .post(format!("{api}/admin/services"))
            .json(
                &json!({"name": format!("Loket {run_id}"), "description": "loadtest queue",
                          "duration_minutes": 15, "buffer_minutes": 0}),
            )
            .send()
            .await?,
        "create service",
    )
    .await?;

    // Clerks: create and log in, each with its own session.
    let bar = ProgressBar::new(args.clerks as u64)
        .with_style(ProgressStyle::with_template("clerks  {bar:40} {pos}/{len}").unwrap());
    let clerks = Arc::new(Mutex::new(Vec::new()));
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (admin, api, base_url, next, clerks, bar, service_id, tenant) = (
            admin.clone(),
            api.clone(),
            args.base_url.clone(),
            next.clone(),
            clerks.clone(),
            bar.clone(),
            service.id.clone(),
            args.tenant.clone(),
        );
        let total = args.clerks as u64;
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<_, anyhow::Error>(());
                }
                let email = format!("lq-{run_id}-{i}@voorbeeld.nl");
                let created: IdOnly = ok_json(
                    admin
                        .post(format!("{api}/admin/clerks"))
                        .json(&json!({"name": format!("Loket {i}"), "email": email,
                                      "password": "loadtest-password-123", "role": "clerk",
                                      "services": [service_id]}))
                        .send()
                        .await?,
                    "create clerk",
                )
                .await?;
                // Walk-ins are taken only while a clerk of the service works: these work
                // around the clock, so the run does not depend on the hour.
                let windows: Vec<Value> = (1..=7)
                    .map(|d| json!({"weekday": d, "start": "00:00", "end": "24:00"}))
                    .collect();
                let hours = admin
                    .put(format!("{api}/admin/clerks/{}/hours", created.id))
                    .json(&json!({ "windows": windows }))
                    .send()
                    .await?;
                if !hours.status().is_success() {
                    bail!("clerk hours: {}", hours.status());
                }
                let c = client(&base_url)?;
                let r = c
                    .post(format!("{api}/auth/login"))
                    .json(&json!({"tenant": tenant, "email": email, "password": "loadtest-password-123"}))
                    .send()
                    .await?;
                if !r.status().is_success() {
                    bail!("clerk login: {}", r.status());
                }
                clerks.lock().unwrap().push(c);
                bar.inc(1);
            }
        }));
    }
    for w in workers {
        w.await??;
    }
    bar.finish();
    let clerks: Vec<reqwest::Client> = std::mem::take(&mut *clerks.lock().unwrap());

    // Residents walk in.
    let public = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let bar = ProgressBar::new(args.residents as u64)
        .with_style(ProgressStyle::with_template("walk-in {bar:40} {pos}/{len}").unwrap());
    let tokens = Arc::new(Mutex::new(HashMap::<String, String>::new()));
    let walk_lat = Arc::new(Mutex::new(Samples::default()));
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..16 {
        let (public, api, next, tokens, bar, service_id, tenant, walk_lat) = (
            public.clone(),
            api.clone(),
            next.clone(),
            tokens.clone(),
            bar.clone(),
            service.id.clone(),
            args.tenant.clone(),
            walk_lat.clone(),
        );
        let total = args.residents as u64;
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<_, anyhow::Error>(());
                }
                let name = format!("Bewoner {run_id}-{i}");
                let t = Instant::now();
                let w: WalkIn = ok_json(
                    public
                        .post(format!("{api}/tenants/{tenant}/walk-ins"))
                        .json(&json!({"service_id": service_id, "name": name}))
                        .send()
                        .await?,
                    "walk in",
                )
                .await?;
                walk_lat.lock().unwrap().push(t.elapsed());
                tokens.lock().unwrap().insert(name, w.token);
                bar.inc(1);
            }
        }));
    }
    for w in workers {
        w.await??;
    }
    bar.finish();
    let tokens = Arc::new(std::mem::take(&mut *tokens.lock().unwrap()));
    // With --live: one stream per resident and per clerk, open before the first call.
    let stream_count = if args.live {
        tokens.len() + clerks.len()
    } else {
        0
    };
    let live = Arc::new(Live {
        arrivals: (0..stream_count)
            .map(|_| Arc::new(Mutex::new(Vec::new())))
            .collect(),
        ..Live::default()
    });
    let mut followers = Vec::new();
    if args.live {
        let streams = reqwest::Client::builder().build()?;
        let urls = tokens
            .values()
            .map(|token| {
                (
                    streams.clone(),
                    format!("{api}/queue-entries/{token}/events"),
                    Some(token.clone()),
                )
            })
            .chain(
                clerks
                    .iter()
                    .map(|c| (c.clone(), format!("{api}/staff/queue/events"), None)),
            );
        for ((client, url, token), arrivals) in urls.zip(live.arrivals.iter()) {
            followers.push(tokio::spawn(follow(
                client,
                url,
                token,
                live.clone(),
                arrivals.clone(),
            )));
        }
        // Every stream sends the current view first; let them all connect.
        tokio::time::sleep(Duration::from_secs(3)).await;
    }

    // The run: a dispatcher hands "call next" to idle clerks at the set rate.
    let (idle_tx, mut idle_rx) = tokio::sync::mpsc::unbounded_channel::<usize>();
    for i in 0..clerks.len() {
        idle_tx.send(i)?;
    }
    let clerks = Arc::new(clerks);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let calls = Arc::new(AtomicU64::new(0));
    let bar = ProgressBar::new(args.seconds)
        .with_style(ProgressStyle::with_template("queue   {bar:40} {pos}/{len}s {msg}").unwrap());
    let server_before = args.server_pid.and_then(stats::proc_sample);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / args.call_rate));
    let mut running = Vec::new();
    let mut empty = false;
    while Instant::now() < deadline && !empty {
        tick.tick().await;
        bar.set_position(started.elapsed().as_secs());
        bar.set_message(format!("{} calls", calls.load(Ordering::Relaxed)));
        let Ok(clerk) = idle_rx.try_recv() else {
            bump(
                &mut tally.lock().unwrap().outcomes,
                "tick_without_idle_clerk",
            );
            continue;
        };
        let live = args.live.then(|| live.clone());
        let (c, api, call_tally, tokens, idle_tx, public, calls) = (
            clerks[clerk].clone(),
            api.clone(),
            tally.clone(),
            tokens.clone(),
            idle_tx.clone(),
            public.clone(),
            calls.clone(),
        );
        running.push(tokio::spawn(async move {
            let r = one_call(&c, &public, &api, &tokens, &call_tally, live.as_deref()).await;
            match r {
                Ok(true) => {
                    calls.fetch_add(1, Ordering::Relaxed);
                }
                Ok(false) => {}
                Err(e) => bump(&mut call_tally.lock().unwrap().errors, e),
            }
            let _ = idle_tx.send(clerk);
        }));
        running.retain(|t| !t.is_finished());
        let t = tally.lock().unwrap();
        empty = t.outcomes.get("call_next_204_empty").copied().unwrap_or(0) > 0;
    }
    for t in running {
        let _ = t.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    // A moment for the last calls' events, then the streams close.
    if args.live {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    for f in &followers {
        f.abort();
    }
    let (live_p99, live_all) = if args.live {
        (
            Some(streams_updated(&live, 0.99)),
            Some(streams_updated(&live, 1.0)),
        )
    } else {
        (None, None)
    };
    bar.finish();
    let server_after = args.server_pid.and_then(stats::proc_sample);
    let summary: Option<Value> = match clerks[0]
        .get(format!("{api}/staff/queue/summary"))
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => r.json().await.ok(),
        _ => None,
    };
    let mut t = std::mem::take(&mut *tally.lock().unwrap());
    let duplicated: u64 = t.assigned.values().filter(|&&n| n > 1).map(|n| n - 1).sum();
    let report = QueueReport {
        scenario: "queue",
        clerks: args.clerks,
        residents: args.residents,
        call_rate: args.call_rate,
        seconds: elapsed,
        walk_in_latency: walk_lat.lock().unwrap().percentiles(),
        call_next_latency: t.call_next.percentiles(),
        resident_sees_call_latency: t.sees_call.percentiles(),
        answer_latency: t.answer.percentiles(),
        done_latency: t.done.percentiles(),
        calls: calls.load(Ordering::Relaxed),
        duplicated_assignments: duplicated,
        lost_assignments: t.lost,
        outcomes: std::mem::take(&mut t.outcomes),
        errors: std::mem::take(&mut t.errors),
        final_summary: summary,
        live_streams: args.live.then_some(stream_count),
        live_p99_streams_updated: live_p99,
        live_all_streams_updated: live_all,
        server_cpu_cores: match (server_before, server_after) {
            (Some(a), Some(b)) => Some(stats::cores_used(&a, &b, stats::clock_ticks_per_sec())),
            _ => None,
        },
        server_rss_mib: server_after.map(|s| s.rss_kib as f64 / 1024.0),
    };
    let mut table = Table::default();
    table
        .row(
            "clerks / waiting residents",
            format!("{} / {}", args.clerks, args.residents),
        )
        .row("call-next rate (set)", format!("{}/s", args.call_rate))
        .row("duration", format!("{elapsed:.1} s"))
        .row("completed calls", report.calls.to_string())
        .row("walk-in POST p50/p95/p99", fmt_ms(&report.walk_in_latency))
        .row("call-next p50/p95/p99", fmt_ms(&report.call_next_latency))
        .row(
            "resident sees call p50/p95/p99",
            fmt_ms(&report.resident_sees_call_latency),
        )
        .row("answer p50/p95/p99", fmt_ms(&report.answer_latency))
        .row("done p50/p95/p99", fmt_ms(&report.done_latency))
        .row("duplicated assignments", duplicated.to_string())
        .row(
            "live streams (residents + clerks)",
            report.live_streams.map_or("-".into(), |n| n.to_string()),
        )
        .row(
            "99% of streams updated after a call p50/p95/p99",
            report
                .live_p99_streams_updated
                .as_ref()
                .map_or("-".into(), fmt_ms),
        )
        .row(
            "all streams updated after a call p50/p95/p99",
            report
                .live_all_streams_updated
                .as_ref()
                .map_or("-".into(), fmt_ms),
        )
        .row("lost assignments", report.lost_assignments.to_string());
    for (k, v) in &report.outcomes {
        table.row(format!("outcome {k}"), v.to_string());
    }
    for (k, v) in &report.errors {
        table.row(format!("error {k}"), v.to_string());
    }
    if let Some(c) = report.server_cpu_cores {
        table.row("server CPU (cores)", format!("{c:.2}"));
    }
    if let Some(s) = &report.final_summary {
        table.row("final summary", s.to_string());
    }
    table.print("queue scenario");
    std::fs::write(&args.json, serde_json::to_string_pretty(&report)?)?;
    println!("JSON report: {}", args.json);
    Ok(())
}

/// One clerk's call: call next, the resident sees it and answers, the clerk finishes.
/// `Ok(false)` when nobody waited.
async fn one_call(
    clerk: &reqwest::Client,
    public: &reqwest::Client,
    api: &str,
    tokens: &HashMap<String, String>,
    tally: &Mutex<Tally>,
    live: Option<&Live>,
) -> std::result::Result<bool, String> {
    let t = Instant::now();
    let r = clerk
        .post(format!("{api}/staff/queue/call-next"))
        .send()
        .await
        .map_err(|_| "call_next_transport".to_string())?;
    let status = r.status().as_u16();
    let called_at = Instant::now();
    tally.lock().unwrap().call_next.push(t.elapsed());
    if status == 204 {
        bump(&mut tally.lock().unwrap().outcomes, "call_next_204_empty");
        return Ok(false);
    }
    if status != 200 {
        return Err(format!("call_next_http_{status}"));
    }
    let entry: StaffEntry = r
        .json()
        .await
        .map_err(|_| "call_next_bad_json".to_string())?;
    if entry.status != "called" {
        return Err(format!("call_next_status_{}", entry.status));
    }
    *tally
        .lock()
        .unwrap()
        .assigned
        .entry(entry.id.clone())
        .or_default() += 1;
    let Some(token) = tokens.get(&entry.resident_name) else {
        return Err("call_next_unknown_resident".into());
    };
    if let Some(live) = live {
        live.calls.lock().unwrap().push(called_at);
        // The resident's stream must show the call.
        let waited = Instant::now();
        let seen = loop {
            if let Some(seen) = live.called.lock().unwrap().get(token).copied() {
                break Some(seen);
            }
            if waited.elapsed() > Duration::from_secs(5) {
                break None;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        let Some(seen) = seen else {
            tally.lock().unwrap().lost += 1;
            return Err("resident_stream_missed_call".into());
        };
        tally
            .lock()
            .unwrap()
            .sees_call
            .push(seen.saturating_duration_since(called_at));
    } else {
        resident_reads_call(public, api, token, called_at, tally).await?;
    }
    answer_and_finish(clerk, public, api, token, &entry.id, tally).await
}

/// Without --live: the resident's next read must show the call.
async fn resident_reads_call(
    public: &reqwest::Client,
    api: &str,
    token: &str,
    called_at: Instant,
    tally: &Mutex<Tally>,
) -> std::result::Result<(), String> {
    let view: ResidentView = public
        .get(format!("{api}/queue-entries/{token}"))
        .send()
        .await
        .map_err(|_| "resident_read_transport".to_string())?
        .json()
        .await
        .map_err(|_| "resident_read_bad_json".to_string())?;
    tally.lock().unwrap().sees_call.push(called_at.elapsed());
    if view.status != "called" {
        tally.lock().unwrap().lost += 1;
        return Err(format!("resident_sees_{}", view.status));
    }
    Ok(())
}

/// The resident answers and the clerk finishes.
async fn answer_and_finish(
    clerk: &reqwest::Client,
    public: &reqwest::Client,
    api: &str,
    token: &str,
    entry: &str,
    tally: &Mutex<Tally>,
) -> std::result::Result<bool, String> {
    let t = Instant::now();
    let r = public
        .post(format!("{api}/queue-entries/{token}/answer"))
        .send()
        .await
        .map_err(|_| "answer_transport".to_string())?;
    if !r.status().is_success() {
        return Err(format!("answer_http_{}", r.status().as_u16()));
    }
    tally.lock().unwrap().answer.push(t.elapsed());
    let t = Instant::now();
    let r = clerk
        .post(format!("{api}/staff/queue/{entry}/done"))
        .send()
        .await
        .map_err(|_| "done_transport".to_string())?;
    if !r.status().is_success() {
        return Err(format!("done_http_{}", r.status().as_u16()));
    }
    tally.lock().unwrap().done.push(t.elapsed());
    bump(&mut tally.lock().unwrap().outcomes, "handled");
    Ok(true)
}
