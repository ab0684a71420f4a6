//! The municipality's administration as use cases: settings, services with their information
//! sources and result lists, clerks with their hours and absences, complaints and the
//! dashboard's period. The JSON API (`api::admin`, `api::consent`, `api::outcomes`,
//! `api::feedback`, `api::dashboard`) and the admin pages (`web`, `/beheer`) both call these,
//! so a rule holds the same way whichever door is used.
//!
//! The `check_*` functions list every problem of a form at once (for a page that shows them
//! all); the use cases refuse with the first one (for the API, which names one field).

use crate::auth::{self, StaffRole};
use crate::catalog::{Absence, Clerk, Service};
use crate::consent::{self, InfoSource};
use crate::dashboard::{self, WeekRow};
use crate::email::Email;
use crate::error::{Error, Result};
use crate::ids::{ClerkId, ServiceId, TenantId};
use crate::outbox::DeliveryState;
use crate::outcome::{self, ResultOption};
use crate::slots::{Interval, WeeklyWindow};
use crate::store::OutboxEntry;
use crate::tenant::{Colour, Tenant, Tone};
use crate::App;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

/// A field that is wrong and why, in English (the API's words; pages word it themselves).
pub type Problem = (&'static str, String);

fn first(problems: Vec<Problem>) -> Error {
    problems
        .into_iter()
        .next()
        .map(|(field, message)| Error::invalid(field, message))
        .unwrap_or_else(|| Error::Internal("no problem to report".into()))
}

fn check_range(
    problems: &mut Vec<Problem>,
    field: &'static str,
    value: i64,
    range: std::ops::RangeInclusive<i64>,
) {
    if !range.contains(&value) {
        problems.push((
            field,
            format!("must be between {} and {}", range.start(), range.end()),
        ));
    }
}

fn check_name(problems: &mut Vec<Problem>, raw: &str) -> String {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 {
        problems.push(("name", "give a name of 1 to 100 characters".into()));
    }
    name.to_string()
}

// ---- settings ----------------------------------------------------------------------------

/// The settings form as typed (colours and tone as text, so a page can keep what was typed).
#[derive(Clone, Debug, Default)]
pub struct SettingsInput {
    pub name: String,
    pub tone: String,
    pub primary_colour: String,
    pub secondary_colour: String,
    pub walk_ins_allowed: bool,
    pub lead_time_minutes: i64,
    pub horizon_days: i64,
    pub retention_days: i64,
    pub contact_email: String,
    pub check_in_minutes: i64,
    pub no_show_grace_minutes: i64,
}

impl SettingsInput {
    /// The tenant's current settings, to fill the form.
    pub fn of(t: &Tenant) -> Self {
        Self {
            name: t.name.clone(),
            tone: t.tone.as_str().into(),
            primary_colour: t.primary_colour.to_string(),
            secondary_colour: t.secondary_colour.to_string(),
            walk_ins_allowed: t.walk_ins_allowed,
            lead_time_minutes: t.lead_time_minutes,
            horizon_days: t.horizon_days,
            retention_days: t.retention_days,
            contact_email: t.contact_email.clone(),
            check_in_minutes: t.check_in_minutes,
            no_show_grace_minutes: t.no_show_grace_minutes,
        }
    }
}

/// The tenant with the new settings applied, or every problem.
pub fn check_settings(
    current: &Tenant,
    input: &SettingsInput,
) -> std::result::Result<Tenant, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut tenant = current.clone();
    tenant.name = check_name(&mut problems, &input.name);
    match Tone::parse(input.tone.trim()) {
        Some(tone) => tenant.tone = tone,
        None => problems.push(("tone", "choose u (formal) or je (informal)".into())),
    }
    match Colour::parse(input.primary_colour.trim()) {
        Ok(c) => tenant.primary_colour = c,
        Err(e) => problems.push(("primary_colour", e.to_string())),
    }
    match Colour::parse(input.secondary_colour.trim()) {
        Ok(c) => tenant.secondary_colour = c,
        Err(e) => problems.push(("secondary_colour", e.to_string())),
    }
    tenant.walk_ins_allowed = input.walk_ins_allowed;
    check_range(
        &mut problems,
        "lead_time_minutes",
        input.lead_time_minutes,
        0..=7 * 24 * 60,
    );
    check_range(&mut problems, "horizon_days", input.horizon_days, 1..=365);
    check_range(
        &mut problems,
        "retention_days",
        input.retention_days,
        1..=3650,
    );
    // Check-in may not open before the clerks can prepare, and an appointment cannot wait for
    // its resident longer than a long appointment lasts.
    check_range(
        &mut problems,
        "check_in_minutes",
        input.check_in_minutes,
        0..=240,
    );
    check_range(
        &mut problems,
        "no_show_grace_minutes",
        input.no_show_grace_minutes,
        0..=120,
    );
    tenant.lead_time_minutes = input.lead_time_minutes;
    tenant.horizon_days = input.horizon_days;
    tenant.retention_days = input.retention_days;
    tenant.check_in_minutes = input.check_in_minutes;
    tenant.no_show_grace_minutes = input.no_show_grace_minutes;
    match Email::parse(&input.contact_email) {
        Ok(e) => tenant.contact_email = e.to_string(),
        Err(e) => problems.push(("contact_email", e.to_string())),
    }
    if problems.is_empty() {
        Ok(tenant)
    } else {
        Err(problems)
    }
}

/// Saves the municipality's settings; nothing is saved when any field is wrong.
pub async fn update_settings(app: &App, tenant: TenantId, input: &SettingsInput) -> Result<Tenant> {
    let current = app.db.tenant(tenant).await?;
    let updated = check_settings(&current, input).map_err(first)?;
    app.db.save_tenant(&updated).await?;
    Ok(updated)
}

// ---- services ----------------------------------------------------------------------------

#[derive(Clone, Debug, Default)]
pub struct ServiceInput {
    pub name: String,
    pub description: String,
    /// Multiple of 5 minutes, 5 to 240.
    pub duration_minutes: i64,
    /// Multiple of 5 minutes, 0 to 120.
    pub buffer_minutes: i64,
}

pub fn check_service(
    tenant: TenantId,
    input: &ServiceInput,
) -> std::result::Result<Service, Vec<Problem>> {
    let mut problems = Vec::new();
    let name = check_name(&mut problems, &input.name);
    if input.description.chars().count() > 2000 {
        problems.push(("description", "at most 2000 characters".into()));
    }
    let before = problems.len();
    check_range(
        &mut problems,
        "duration_minutes",
        input.duration_minutes,
        5..=240,
    );
    if problems.len() == before && input.duration_minutes % 5 != 0 {
        problems.push((
            "duration_minutes",
            "durations are whole multiples of 5 minutes".into(),
        ));
    }
    let before = problems.len();
    check_range(
        &mut problems,
        "buffer_minutes",
        input.buffer_minutes,
        0..=120,
    );
    if problems.len() == before && input.buffer_minutes % 5 != 0 {
        problems.push((
            "buffer_minutes",
            "durations are whole multiples of 5 minutes".into(),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Service {
        id: ServiceId::new(),
        tenant_id: tenant,
        name,
        description: input.description.trim().to_string(),
        duration_minutes: input.duration_minutes,
        buffer_minutes: input.buffer_minutes,
        active: true,
    })
}

pub async fn create_service(app: &App, tenant: TenantId, input: &ServiceInput) -> Result<Service> {
    let service = check_service(tenant, input).map_err(first)?;
    app.db.save_service(&service).await?;
    Ok(service)
}

/// Changes a service's name, explanation, duration and buffer. Appointments already booked
/// keep the time they reserved; new bookings use the new duration.
pub async fn update_service(
    app: &App,
    tenant: TenantId,
    service: &str,
    input: &ServiceInput,
) -> Result<Service> {
    let current = own_service(app, tenant, service).await?;
    let updated = Service {
        id: current.id,
        active: current.active,
        ..check_service(tenant, input).map_err(first)?
    };
    app.db.save_service(&updated).await?;
    Ok(updated)
}

/// Stops (`offered: false`) or resumes offering a service. Residents no longer see or book a
/// stopped service; appointments already made for it stay, with their personal links.
pub async fn set_service_offered(
    app: &App,
    tenant: TenantId,
    service: &str,
    offered: bool,
) -> Result<Service> {
    let current = own_service(app, tenant, service).await?;
    app.db
        .set_service_active(tenant, current.id, offered)
        .await?;
    Ok(Service {
        active: offered,
        ..current
    })
}

/// One of the municipality's own services (offered or not); another municipality's is
/// "not found".
pub async fn own_service(app: &App, tenant: TenantId, raw: &str) -> Result<Service> {
    let id: ServiceId = raw.parse().map_err(|_| Error::NotFound("service"))?;
    app.db.service(tenant, id).await
}

/// Replaces a service's information sources (an empty list turns consent per source off).
pub async fn set_sources(
    app: &App,
    tenant: TenantId,
    service: &str,
    sources: Vec<InfoSource>,
) -> Result<Vec<InfoSource>> {
    let service = own_service(app, tenant, service).await?;
    let sources = consent::parse_source_list(sources)?;
    app.db.set_service_sources(service.id, &sources).await?;
    Ok(sources)
}

/// Replaces a service's result list (at least one result).
pub async fn set_results(
    app: &App,
    tenant: TenantId,
    service: &str,
    results: Vec<ResultOption>,
) -> Result<Vec<ResultOption>> {
    let service = own_service(app, tenant, service).await?;
    let results = outcome::parse_result_list(results)?;
    app.db.set_service_results(service.id, &results).await?;
    Ok(results)
}

// ---- clerks ------------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub struct ClerkInput {
    pub name: String,
    pub email: String,
    /// 12 to 200 characters, not easy to guess (`auth::password_weakness`).
    pub password: String,
    pub role: StaffRole,
    pub services: Vec<ServiceId>,
}

pub fn check_clerk(
    tenant: TenantId,
    own_services: &[Service],
    input: &ClerkInput,
) -> std::result::Result<Clerk, Vec<Problem>> {
    let mut problems = Vec::new();
    let name = check_name(&mut problems, &input.name);
    let email = match Email::parse(&input.email) {
        Ok(e) => e.to_string().to_lowercase(),
        Err(e) => {
            problems.push(("email", e.to_string()));
            String::new()
        }
    };
    if let Some(why) = auth::password_weakness(&input.password, &[&input.name, &input.email]) {
        problems.push(("password", why));
    }
    // Only this municipality's services can be assigned.
    if let Some(foreign) = input
        .services
        .iter()
        .find(|id| !own_services.iter().any(|s| s.id == **id))
    {
        problems.push(("services", format!("unknown service {foreign}")));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Clerk {
        id: ClerkId::new(),
        tenant_id: tenant,
        name,
        email,
        role: input.role,
        services: input.services.clone(),
    })
}

/// Adds a clerk (or admin). An e-mail address already in use is a conflict.
pub async fn create_clerk(app: &App, tenant: TenantId, input: &ClerkInput) -> Result<Clerk> {
    let own = app.db.services(tenant).await?;
    let clerk = check_clerk(tenant, &own, input).map_err(first)?;
    app.db
        .create_clerk(&clerk, &auth::hash_password_async(&input.password).await?)
        .await?;
    Ok(clerk)
}

/// What an admin may change of a clerk: name, role and services (the e-mail address is the
/// login and stays).
#[derive(Clone, Debug)]
pub struct ClerkChange {
    pub name: String,
    pub role: StaffRole,
    pub services: Vec<ServiceId>,
}

pub fn check_clerk_change(
    own_services: &[Service],
    change: &ClerkChange,
) -> std::result::Result<(), Vec<Problem>> {
    let mut problems = Vec::new();
    check_name(&mut problems, &change.name);
    if let Some(foreign) = change
        .services
        .iter()
        .find(|id| !own_services.iter().any(|s| s.id == **id))
    {
        problems.push(("services", format!("unknown service {foreign}")));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Changes a clerk's name, role and services. The municipality keeps at least one admin, so
/// the last one cannot become a clerk (409).
pub async fn update_clerk(
    app: &App,
    tenant: TenantId,
    clerk: &str,
    change: &ClerkChange,
) -> Result<Clerk> {
    let current = own_clerk(app, tenant, clerk).await?;
    let own = app.db.services(tenant).await?;
    check_clerk_change(&own, change).map_err(first)?;
    if current.role == StaffRole::Admin && change.role != StaffRole::Admin {
        let admins = app
            .db
            .clerks(tenant)
            .await?
            .iter()
            .filter(|c| c.role == StaffRole::Admin)
            .count();
        if admins <= 1 {
            return Err(Error::Conflict(
                "the municipality needs at least one admin".into(),
            ));
        }
    }
    let mut services = change.services.clone();
    services.sort_by_key(|s| s.to_string());
    services.dedup();
    let updated = Clerk {
        name: change.name.trim().to_string(),
        role: change.role,
        services,
        ..current
    };
    app.db.update_clerk(&updated).await?;
    Ok(updated)
}

/// One of the municipality's own clerks; another municipality's is "not found".
pub async fn own_clerk(app: &App, tenant: TenantId, raw: &str) -> Result<Clerk> {
    let id: ClerkId = raw.parse().map_err(|_| Error::NotFound("clerk"))?;
    app.db
        .clerks(tenant)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(Error::NotFound("clerk"))
}

/// One weekly window as typed: weekday 1 (Monday) to 7, local times `HH:MM`.
#[derive(Clone, Debug)]
pub struct WindowInput {
    pub weekday: i8,
    pub start: String,
    pub end: String,
}

/// Minutes since midnight of `HH:MM` on a 5-minute boundary (24:00 allowed).
pub fn minute_of_day(field: &'static str, raw: &str) -> Result<u16> {
    let bad = || Error::invalid(field, "give a time as HH:MM on a 5-minute boundary");
    let (h, m) = raw.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m >= 60 || h > 24 {
        return Err(bad());
    }
    let minute = h * 60 + m;
    if minute > 1440 || minute % 5 != 0 {
        return Err(bad());
    }
    Ok(minute)
}

/// Checks a week of windows: each window's weekday, times, and end after start.
pub fn check_hours(windows: &[WindowInput]) -> Result<Vec<WeeklyWindow>> {
    let mut out = Vec::with_capacity(windows.len());
    for w in windows {
        let weekday = jiff::civil::Weekday::from_monday_one_offset(w.weekday)
            .map_err(|_| Error::invalid("weekday", "use 1 (Monday) to 7 (Sunday)"))?;
        let (start, end) = (
            minute_of_day("start", &w.start)?,
            minute_of_day("end", &w.end)?,
        );
        if start >= end {
            return Err(Error::invalid("end", "the end must be after the start"));
        }
        out.push(WeeklyWindow {
            weekday,
            start_minute: start,
            end_minute: end,
        });
    }
    Ok(out)
}

/// Replaces a clerk's weekly opening hours.
pub async fn set_hours(
    app: &App,
    tenant: TenantId,
    clerk: &str,
    windows: &[WindowInput],
) -> Result<Vec<WeeklyWindow>> {
    let clerk = own_clerk(app, tenant, clerk).await?;
    let windows = check_hours(windows)?;
    app.db.set_opening_hours(clerk.id, &windows).await?;
    Ok(windows)
}

/// Adds a period a clerk is away; their slots in it are no longer offered. Returns its id.
pub async fn add_absence(
    app: &App,
    tenant: TenantId,
    clerk: &str,
    start: Timestamp,
    end: Timestamp,
    reason: &str,
) -> Result<uuid::Uuid> {
    let clerk = own_clerk(app, tenant, clerk).await?;
    if start >= end {
        return Err(Error::invalid("end", "the end must be after the start"));
    }
    if reason.chars().count() > 200 {
        return Err(Error::invalid("reason", "at most 200 characters"));
    }
    app.db
        .add_absence(clerk.id, Interval::new(start, end), reason.trim())
        .await
}

/// A clerk's absences that have not ended yet, earliest first.
pub async fn absences(app: &App, tenant: TenantId, clerk: &str) -> Result<Vec<Absence>> {
    let clerk = own_clerk(app, tenant, clerk).await?;
    app.db.absences(clerk.id, app.clock.now()).await
}

/// Removes an absence: the clerk's slots in that period are offered again. Another
/// municipality's clerk or absence, or another clerk's absence, is "not found".
pub async fn remove_absence(app: &App, tenant: TenantId, clerk: &str, absence: &str) -> Result<()> {
    let clerk = own_clerk(app, tenant, clerk).await?;
    let absence: uuid::Uuid = absence.parse().map_err(|_| Error::NotFound("absence"))?;
    app.db.remove_absence(tenant, clerk.id, absence).await
}

// ---- case store deliveries ---------------------------------------------------------------

/// At most this many deliveries are listed at once (oldest first).
pub const DELIVERY_LIST_LIMIT: i64 = 500;

/// The municipality's deliveries in one state (`pending`, `delivered`, `failing`; default
/// failing), oldest first, at most `DELIVERY_LIST_LIMIT`.
pub async fn deliveries(
    app: &App,
    tenant: TenantId,
    state: Option<&str>,
) -> Result<Vec<OutboxEntry>> {
    let state = match state {
        None => DeliveryState::Failing,
        Some(raw) => DeliveryState::parse(raw)
            .ok_or_else(|| Error::BadRequest("state is pending, delivered or failing".into()))?,
    };
    app.db
        .deliveries_in_state(tenant, state, DELIVERY_LIST_LIMIT)
        .await
}

/// What the deliveries page shows: the failing deliveries and how many are waiting.
#[derive(Debug)]
pub struct DeliveryOverview {
    /// Oldest first, at most `DELIVERY_LIST_LIMIT`.
    pub failing: Vec<OutboxEntry>,
    pub failing_count: i64,
    /// Not sent yet (or retried and due).
    pub pending_count: i64,
    pub delivered_count: i64,
}

pub async fn delivery_overview(app: &App, tenant: TenantId) -> Result<DeliveryOverview> {
    let (pending_count, delivered_count, failing_count) = app.db.delivery_counts(tenant).await?;
    Ok(DeliveryOverview {
        failing: deliveries(app, tenant, None).await?,
        failing_count,
        pending_count,
        delivered_count,
    })
}

/// An admin's retry of one failing delivery: it is due now, and the delivery worker sends
/// it again. Anything but this municipality's failing delivery is "not found".
pub async fn retry_delivery(app: &App, tenant: TenantId, by: ClerkId, id: &str) -> Result<()> {
    let id: uuid::Uuid = id
        .parse()
        .map_err(|_| Error::NotFound("failing delivery"))?;
    app.db.retry_delivery(tenant, id, app.clock.now()).await?;
    tracing::info!(admin = %by, event = %id, "delivery retried by admin");
    Ok(())
}

/// An admin's retry of every failing delivery (for example after correcting the case store
/// settings). Returns how many are due again.
pub async fn retry_failing(app: &App, tenant: TenantId, by: ClerkId) -> Result<u64> {
    let retried = app.db.retry_all_failing(tenant, app.clock.now()).await?;
    tracing::info!(admin = %by, retried, "failing deliveries retried by admin");
    Ok(retried)
}

// ---- complaints --------------------------------------------------------------------------

/// Closes an open complaint with a note on how it was handled.
pub async fn handle_complaint(
    app: &App,
    tenant: TenantId,
    by: ClerkId,
    complaint: &str,
    note: &str,
) -> Result<()> {
    let note = crate::feedback::parse_note(note)?;
    let id: uuid::Uuid = complaint
        .parse()
        .map_err(|_| Error::NotFound("complaint"))?;
    app.db
        .handle_complaint(tenant, id, by, &note, app.clock.now())
        .await
}

/// Puts a resident's comment on the complaints list, to be followed up like a complaint.
pub async fn mark_complaint(app: &App, tenant: TenantId, comment: &str) -> Result<()> {
    let id: uuid::Uuid = comment.parse().map_err(|_| Error::NotFound("comment"))?;
    app.db.mark_complaint(tenant, id).await
}

// ---- dashboard ---------------------------------------------------------------------------

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

fn parse_date(field: &'static str, raw: &str) -> Result<Date> {
    raw.trim()
        .parse()
        .map_err(|_| Error::invalid(field, "give a date as YYYY-MM-DD"))
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
        Some(raw) => parse_date("to", raw)?,
        None => today,
    };
    let from = match from.filter(|s| !s.trim().is_empty()) {
        Some(raw) => parse_date("from", raw)?,
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
            "to",
            format!("give a period of at most {MAX_DAYS} days, from before to"),
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
