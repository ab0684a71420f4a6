//! A clerk's status (issue 21 item 3): the clerk sets available or paused; calling someone in
//! and ending the call set "in a call" and "finishing" through `record`. The rules are in
//! `domain::clerk_status`; every change tells the municipality's live streams, so the team
//! and the residents' expected waits follow at once.

use crate::auth::SessionClaims;
use crate::domain::clerk_status::{self, ClerkStatus, Event, Now, Refused};
use crate::domain::ids::{ClerkId, ServiceId, TenantId};
use crate::domain::staff::StaffRole;
use crate::domain::tenant::Tenant;
use crate::domain::text::{FreeText, Lines};
use crate::error::{Conflict, Error, Result};
use crate::App;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

/// The longest pause reason, in characters.
pub const REASON_MAX: usize = 100;

/// Parses what a clerk types as the reason for a pause (optional, one line).
pub fn parse_reason(raw: Option<&str>) -> Result<Option<String>> {
    Ok(
        FreeText::optional(raw.unwrap_or(""), Lines::One, REASON_MAX)
            .map_err(|p| p.at("/reason"))?
            .map(FreeText::into_string),
    )
}

/// A clerk's status now.
pub async fn of(app: &App, tenant: TenantId, clerk: ClerkId) -> Result<Now> {
    let max = app.db.finishing_max(tenant).await?;
    let periods = app.db.current_statuses(tenant).await?;
    Ok(clerk_status::current(
        periods.iter().find(|p| p.clerk_id == clerk),
        max,
        app.clock.now(),
    ))
}

/// The logged-in clerk's status now.
pub async fn mine(app: &App, claims: &SessionClaims) -> Result<Now> {
    of(app, claims.tenant, claims.sub).await
}

/// The clerk sets their status: available, or paused with an optional reason.
pub async fn set(app: &App, claims: &SessionClaims, event: Event) -> Result<Now> {
    if matches!(event, Event::CallStarted | Event::CallEnded) {
        return Err(Error::invalid(
            "/status",
            "Kies beschikbaar of pauze.",
            "Choose available or paused.",
        ));
    }
    record(app, claims.tenant, claims.sub, event).await?;
    mine(app, claims).await
}

/// Applies `event` to the clerk's status and stores the new period. A paused clerk calling
/// someone in is refused with `Conflict::ClerkPaused`.
pub(crate) async fn record(
    app: &App,
    tenant: TenantId,
    clerk: ClerkId,
    event: Event,
) -> Result<()> {
    let max = app.db.finishing_max(tenant).await?;
    // Another change of the same clerk (a second tab) may come between reading and writing;
    // the store then refuses and this reads again.
    for _ in 0..5 {
        let now = app.clock.now();
        let periods = app.db.current_statuses(tenant).await?;
        let stored = periods.iter().find(|p| p.clerk_id == clerk);
        let current = clerk_status::current(stored, max, now);
        let next = clerk_status::transition(&current, &event).map_err(|refused| match refused {
            Refused::Paused => Error::Conflict(Conflict::ClerkPaused),
        })?;
        let Some((status, reason)) = next else {
            return Ok(());
        };
        if app
            .db
            .change_status(
                tenant,
                clerk,
                stored.map(|p| p.since),
                status,
                reason.as_deref(),
                now,
            )
            .await?
        {
            tracing::info!(%clerk, status = status.as_str(), "clerk status changed");
            app.events.publish(&app.db, tenant).await;
            return Ok(());
        }
    }
    Err(Error::Internal(
        "clerk status kept changing meanwhile".into(),
    ))
}

/// Refuses a paused clerk before they take anyone from the queue.
pub(crate) async fn ensure_may_call(app: &App, claims: &SessionClaims) -> Result<()> {
    if mine(app, claims).await?.status == ClerkStatus::Paused {
        return Err(Conflict::ClerkPaused.into());
    }
    Ok(())
}

/// How many clerks who handle `service` are at work now (not paused), for the expected wait.
pub async fn at_work_for(app: &App, tenant: TenantId, service: ServiceId) -> Result<usize> {
    let max = app.db.finishing_max(tenant).await?;
    let periods = app.db.current_statuses(tenant).await?;
    let now = app.clock.now();
    Ok(app
        .db
        .clerks(tenant)
        .await?
        .iter()
        .filter(|c| c.services.contains(&service))
        .filter(|c| {
            clerk_status::current(periods.iter().find(|p| p.clerk_id == c.id), max, now)
                .status
                .at_work()
        })
        .count())
}

/// One member of the team with their status now.
#[derive(Clone, Debug)]
pub struct Member {
    pub clerk_id: ClerkId,
    pub name: String,
    pub now: Now,
}

/// The municipality's clerks (admins included) with their status now, by name.
pub async fn team(app: &App, tenant: TenantId) -> Result<Vec<Member>> {
    let max = app.db.finishing_max(tenant).await?;
    let periods = app.db.current_statuses(tenant).await?;
    let now = app.clock.now();
    let mut members: Vec<Member> = app
        .db
        .clerks(tenant)
        .await?
        .into_iter()
        .map(|c| Member {
            now: clerk_status::current(periods.iter().find(|p| p.clerk_id == c.id), max, now),
            clerk_id: c.id,
            name: c.name,
        })
        .collect();
    members.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(members)
}

/// Seconds per status of one clerk in one week.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeekStatusRow {
    pub monday: Date,
    pub clerk_id: ClerkId,
    pub clerk: String,
    pub seconds: Vec<(ClerkStatus, i64)>,
}

/// Time per status per clerk and local ISO week, for the weeks from `from`'s Monday to `to`
/// (inclusive). Admins only.
pub async fn weekly(
    app: &App,
    claims: &SessionClaims,
    tenant: &Tenant,
    from: Date,
    to: Date,
) -> Result<Vec<WeekStatusRow>> {
    if claims.role != StaffRole::Admin || claims.tenant != tenant.id {
        return Err(Error::Forbidden);
    }
    let tz = tenant.time_zone.tz().clone();
    let internal = |e: jiff::Error| Error::Internal(e.to_string());
    let start: Timestamp = from.to_zoned(tz.clone()).map_err(internal)?.timestamp();
    let end: Timestamp = to
        .tomorrow()
        .map_err(internal)?
        .to_zoned(tz.clone())
        .map_err(internal)?
        .timestamp();
    let periods = app.db.status_periods_between(tenant.id, start, end).await?;
    let max = app.db.finishing_max(tenant.id).await?;
    let clerks = app.db.clerks(tenant.id).await?;
    let totals = clerk_status::weekly_totals(&periods, max, &tz, start, end, app.clock.now());
    Ok(totals
        .into_iter()
        .map(|((clerk_id, monday), by_status)| WeekStatusRow {
            monday,
            clerk_id,
            clerk: clerks
                .iter()
                .find(|c| c.id == clerk_id)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            seconds: ClerkStatus::ALL
                .into_iter()
                .map(|s| (s, by_status.get(&s).copied().unwrap_or(0)))
                .collect(),
        })
        .collect())
}

/// `weekly` over the period an admin asked for (local dates, YYYY-MM-DD): by default the 12
/// weeks up to and including this one.
pub async fn weekly_period(
    app: &App,
    claims: &SessionClaims,
    tenant: &Tenant,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<WeekStatusRow>> {
    let date = |pointer: &str, raw: &str| -> Result<Date> {
        raw.trim().parse().map_err(|_| {
            Error::invalid(
                pointer,
                "Geef een datum als JJJJ-MM-DD, bijvoorbeeld 2026-03-30.",
                "Give a date as YYYY-MM-DD, e.g. 2026-03-30.",
            )
        })
    };
    let today = app
        .clock
        .now()
        .to_zoned(tenant.time_zone.tz().clone())
        .date();
    let to = match to.filter(|s| !s.trim().is_empty()) {
        Some(raw) => date("/to", raw)?,
        None => today,
    };
    let from = match from.filter(|s| !s.trim().is_empty()) {
        Some(raw) => date("/from", raw)?,
        None => to
            .checked_sub(jiff::Span::new().weeks(11))
            .map_err(|e| Error::Internal(e.to_string()))?,
    };
    let too_long = from
        .until(to)
        .map_err(|e| Error::Internal(e.to_string()))?
        .get_days()
        > crate::usecases::admin::dashboard::MAX_DAYS;
    if to < from || too_long {
        return Err(Error::invalid(
            "/to",
            "Geef een periode van hoogstens twee jaar, met ‘van’ voor ‘tot’.",
            "Give a period of at most two years, with ‘from’ before ‘to’.",
        ));
    }
    let tz = tenant.time_zone.tz().clone();
    let monday = crate::domain::dashboard::week_start(
        from.to_zoned(tz)
            .map_err(|e| Error::Internal(e.to_string()))?
            .timestamp(),
        tenant.time_zone.tz(),
    );
    weekly(app, claims, tenant, monday, to).await
}

/// The municipality's longest after-call work.
pub async fn finishing_max(app: &App, tenant: TenantId) -> Result<SignedDuration> {
    app.db.finishing_max(tenant).await
}

/// An admin sets the longest after-call work, 0 to 60 minutes, with an audit line.
pub async fn set_finishing_max(app: &App, claims: &SessionClaims, minutes: i64) -> Result<()> {
    if claims.role != StaffRole::Admin {
        return Err(Error::Forbidden);
    }
    if !(0..=60).contains(&minutes) {
        return Err(Error::invalid(
            "/finishing_max_minutes",
            "Kies 0 tot en met 60 minuten.",
            "Choose 0 to 60 minutes.",
        ));
    }
    app.db.set_finishing_max(claims.tenant, minutes).await?;
    crate::usecases::admin::audit::record(
        app,
        claims.into(),
        crate::domain::audit::AuditAction::SettingsChanged,
        format!("maximale afrondtijd na een gesprek: {minutes} minuten"),
    )
    .await?;
    app.events.publish(&app.db, claims.tenant).await;
    Ok(())
}
