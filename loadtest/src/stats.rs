//! Latency samples, percentiles, the summary table and the process (CPU, memory) probe.

use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// Latency samples in microseconds.
#[derive(Debug, Default, Clone)]
pub struct Samples {
    values: Vec<u64>,
}

/// Percentiles of a set of samples, in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Percentiles {
    pub count: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

impl Samples {
    pub fn push(&mut self, d: Duration) {
        self.values.push(d.as_micros().min(u64::MAX as u128) as u64);
    }
    pub fn push_us(&mut self, us: u64) {
        self.values.push(us);
    }
    pub fn extend(&mut self, other: Samples) {
        self.values.extend(other.values);
    }
    pub fn percentiles(&self) -> Percentiles {
        if self.values.is_empty() {
            return Percentiles::default();
        }
        let mut v = self.values.clone();
        v.sort_unstable();
        // Nearest-rank percentile.
        let at = |q: f64| {
            let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
            v[rank - 1] as f64 / 1000.0
        };
        Percentiles {
            count: v.len(),
            p50_ms: at(0.50),
            p95_ms: at(0.95),
            p99_ms: at(0.99),
            max_ms: *v.last().unwrap() as f64 / 1000.0,
            mean_ms: v.iter().sum::<u64>() as f64 / v.len() as f64 / 1000.0,
        }
    }
}

/// Counts by kind (errors, outcomes).
pub type Counts = BTreeMap<String, u64>;

pub fn bump(counts: &mut Counts, kind: impl Into<String>) {
    *counts.entry(kind.into()).or_default() += 1;
}

/// A two-column table printed at the end of a scenario.
#[derive(Default)]
pub struct Table {
    rows: Vec<(String, String)>,
}

impl Table {
    pub fn row(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.rows.push((key.into(), value.into()));
        self
    }
    pub fn print(&self, title: &str) {
        let width = self.rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let vwidth = self.rows.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
        let line = format!("+-{}-+-{}-+", "-".repeat(width), "-".repeat(vwidth));
        println!("\n{title}");
        println!("{line}");
        for (k, v) in &self.rows {
            println!("| {k:<width$} | {v:>vwidth$} |");
        }
        println!("{line}");
    }
}

pub fn fmt_ms(p: &Percentiles) -> String {
    format!("{:.2} / {:.2} / {:.2} ms", p.p50_ms, p.p95_ms, p.p99_ms)
}

/// CPU time and resident memory of a process, from `/proc` (Linux).
#[derive(Debug, Clone, Copy)]
pub struct ProcSample {
    /// User + system CPU time in clock ticks.
    pub cpu_ticks: u64,
    pub rss_kib: u64,
    pub at: std::time::Instant,
}

pub fn clock_ticks_per_sec() -> f64 {
    // sysconf(_SC_CLK_TCK) is 100 on every Linux this runs on; read it from getconf if present.
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

pub fn proc_sample(pid: u32) -> Option<ProcSample> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kib = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Some(ProcSample {
        cpu_ticks: utime + stime,
        rss_kib,
        at: std::time::Instant::now(),
    })
}

/// CPU use between two samples, in cores (1.0 = one core fully busy).
pub fn cores_used(a: &ProcSample, b: &ProcSample, ticks_per_sec: f64) -> f64 {
    let secs = b.at.duration_since(a.at).as_secs_f64();
    if secs <= 0.0 {
        return 0.0;
    }
    (b.cpu_ticks.saturating_sub(a.cpu_ticks)) as f64 / ticks_per_sec / secs
}

/// CPU time of this process (the load generator), to tell when it is the bottleneck.
pub fn self_sample() -> Option<ProcSample> {
    proc_sample(std::process::id())
}

/// Refuses anything that is not loopback: the load test must never leave the machine.
pub fn require_loopback(url: &str) -> anyhow::Result<()> {
    let parsed = reqwest::Url::parse(url)?;
    let host = parsed.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let ok = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    anyhow::ensure!(
        ok,
        "{url}: the load test only talks to 127.0.0.1 / ::1 / localhost"
    );
    Ok(())
}

/// The server refuses state-changing requests from another site (CSRF check on Origin); a
/// load client says it comes from the server's own origin, as the browser pages do.
pub fn same_origin(base_url: &str) -> anyhow::Result<reqwest::header::HeaderMap> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ORIGIN,
        base_url.trim_end_matches('/').parse()?,
    );
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut s = Samples::default();
        for ms in 1..=100u64 {
            s.push_us(ms * 1000);
        }
        let p = s.percentiles();
        assert_eq!(p.count, 100);
        assert_eq!(p.p50_ms, 50.0);
        assert_eq!(p.p95_ms, 95.0);
        assert_eq!(p.p99_ms, 99.0);
        assert_eq!(p.max_ms, 100.0);
    }

    #[test]
    fn only_loopback() {
        assert!(require_loopback("http://127.0.0.1:8080").is_ok());
        assert!(require_loopback("http://[::1]:8080").is_ok());
        assert!(require_loopback("http://localhost:1").is_ok());
        assert!(require_loopback("http://10.0.0.1:8080").is_err());
        assert!(require_loopback("http://example.nl").is_err());
    }
}
