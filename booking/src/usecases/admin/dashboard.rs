//! The dashboard's period and rows.

use crate::domain::dashboard::{self, WeekRow};
use crate::domain::ids::ServiceId;
use crate::domain::tenant::Tenant;
use crate::error::{Error, Result};
use crate::App;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

/// Without dates: the 12 weeks up to and including this one.
pub const DEFAULT_WEEKS: i64 = 12;
/// A longer period is a report, not a dashboard; it would also make one request read a lot.
pub const MAX_DAYS: i32 = 732;

/// The dashboard over a period: its first Monday, last day, every ISO week label in it and
/// the rows (only weeks with activity), optionally for one service.
#[derive(Debug)]
pub struct DashboardPeriod {
    pub from: Date,
    pub to: Date,
    pub weeks: Vec<String>,
    pub rows: Vec<WeekRow>,
}

fn parse_date(pointer: &str, raw: &str) -> Result<Date> {
    raw.trim().parse().map_err(|_| {
        Error::invalid(
            pointer,
            "Geef een datum als JJJJ-MM-DD, bijvoorbeeld 2026-03-30.",
            "Give a date as YYYY-MM-DD, e.g. 2026-03-30.",
        )
    })
}

/// The dashboard rows for `from..=to` (local dates; defaults: the last 12 weeks), of one
/// service when `service` is given.
pub async fn dashboard(
    app: &App,
    tenant: &Tenant,
    from: Option<&str>,
    to: Option<&str>,
    service: Option<ServiceId>,
) -> Result<DashboardPeriod> {
    let tz = tenant.time_zone.tz().clone();
    let internal = |e: jiff::Error| Error::Internal(e.to_string());
    let now = app.clock.now();
    let today = now.to_zoned(tz.clone()).date();
    let to = match to.filter(|s| !s.trim().is_empty()) {
        Some(raw) => parse_date("/to", raw)?,
        None => today,
    };
    let from = match from.filter(|s| !s.trim().is_empty()) {
        Some(raw) => parse_date("/from", raw)?,
        None => to
            .checked_sub(jiff::Span::new().weeks(DEFAULT_WEEKS - 1))
            .map_err(internal)?,
    };
    let from = dashboard::week_start(
        from.to_zoned(tz.clone()).map_err(internal)?.timestamp(),
        &tz,
    );
    if to < from || from.until(to).map_err(internal)?.get_days() > MAX_DAYS {
        return Err(Error::invalid(
            "/to",
            format!("Geef een periode van hoogstens {MAX_DAYS} dagen, met ‘van’ voor ‘tot’."),
            format!("Give a period of at most {MAX_DAYS} days, with ‘from’ before ‘to’."),
        ));
    }
    let start: Timestamp = from.to_zoned(tz.clone()).map_err(internal)?.timestamp();
    let end: Timestamp = to
        .tomorrow()
        .map_err(internal)?
        .to_zoned(tz.clone())
        .map_err(internal)?
        .timestamp();
    let facts = app.db.dashboard_facts(tenant.id, start, end).await?;
    let grace = SignedDuration::from_mins(tenant.no_show_grace_minutes);
    let rows = dashboard::weekly(&facts, &tz, grace, now)
        .into_iter()
        .filter(|r| service.is_none_or(|s| r.service_id == s))
        .collect();
    let mut weeks = Vec::new();
    let mut monday = from;
    while monday <= to {
        let iso = monday.iso_week_date();
        weeks.push(format!("{}-W{:02}", iso.year(), iso.week()));
        monday = monday
            .checked_add(jiff::Span::new().weeks(1))
            .map_err(internal)?;
    }
    Ok(DashboardPeriod {
        from,
        to,
        weeks,
        rows,
    })
}
