//! Clerks and admins with their services, weekly hours and absences.

use super::audit::{self, By};
use super::{check_name, first, Problem};
use crate::auth;
use crate::domain::audit::AuditAction;
use crate::domain::catalog::{Absence, Clerk, Service};
use crate::domain::email::Email;
use crate::domain::ids::{ClerkId, ServiceId, TenantId};
use crate::domain::slots::{Interval, WeeklyWindow};
use crate::domain::staff::StaffRole;
use crate::domain::text::{FreeText, Lines};
use crate::error::{Conflict, Error, Result, Words};
use crate::App;
use jiff::Timestamp;

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
            problems.push(("email", e.words()));
            String::new()
        }
    };
    if let Some(why) = auth::password_weakness(&input.password, &[&input.name, &input.email]) {
        problems.push(("password", why.words()));
    }
    // Only this municipality's services can be assigned.
    if let Some(foreign) = input
        .services
        .iter()
        .find(|id| !own_services.iter().any(|s| s.id == **id))
    {
        problems.push(("services", unknown_service(foreign)));
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
pub async fn create_clerk(app: &App, by: impl Into<By>, input: &ClerkInput) -> Result<Clerk> {
    let by = by.into();
    let own = app.db.services(by.tenant).await?;
    let clerk = check_clerk(by.tenant, &own, input).map_err(first)?;
    app.db
        .create_clerk(&clerk, &auth::hash_password_async(&input.password).await?)
        .await?;
    audit::record(app, by, AuditAction::ClerkAdded, &clerk.name).await?;
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

fn unknown_service(id: &ServiceId) -> Words {
    Words::new(
        format!("De dienst {id} is niet van deze gemeente."),
        format!("The service {id} is not one of this municipality's."),
    )
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
        problems.push(("services", unknown_service(foreign)));
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
    by: impl Into<By>,
    clerk: &str,
    change: &ClerkChange,
) -> Result<Clerk> {
    let by = by.into();
    let tenant = by.tenant;
    let current = own_clerk(app, tenant, clerk).await?;
    let own = app.db.services(tenant).await?;
    check_clerk_change(&own, change).map_err(first)?;
    if current.role == StaffRole::Admin && change.role != StaffRole::Admin {
        // Only active admins count: a deactivated one cannot log in to administer.
        let inactive = app.db.inactive_clerks(tenant).await?;
        let other_active_admins = app
            .db
            .clerks(tenant)
            .await?
            .iter()
            .filter(|c| c.role == StaffRole::Admin && c.id != current.id)
            .filter(|c| !inactive.contains(&c.id))
            .count();
        if other_active_admins == 0 {
            return Err(Conflict::LastAdmin.into());
        }
    }
    let mut services = change.services.clone();
    services.sort_by_key(|s| s.to_string());
    services.dedup();
    let updated = Clerk {
        name: check_name(&mut Vec::new(), &change.name),
        role: change.role,
        services,
        ..current
    };
    app.db.update_clerk(&updated).await?;
    audit::record(app, by, AuditAction::ClerkChanged, &updated.name).await?;
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

/// A clerk's weekly opening hours.
pub async fn hours(app: &App, clerk: &Clerk) -> Result<Vec<WeeklyWindow>> {
    app.db.opening_hours(clerk.id).await
}

/// One weekly window as typed: weekday 1 (Monday) to 7, local times `HH:MM`.
#[derive(Clone, Debug)]
pub struct WindowInput {
    pub weekday: i8,
    pub start: String,
    pub end: String,
}

/// Minutes since midnight of `HH:MM` on a 5-minute boundary (24:00 allowed).
pub fn minute_of_day(pointer: &str, raw: &str) -> Result<u16> {
    let bad = || {
        Error::invalid(
            pointer,
            "Geef een tijd als uu:mm, in stappen van 5 minuten, bijvoorbeeld 09:05.",
            "Give a time as HH:MM in steps of 5 minutes, e.g. 09:05.",
        )
    };
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
    for (i, w) in windows.iter().enumerate() {
        let at = |key: &str| format!("/windows/{i}/{key}");
        let weekday = jiff::civil::Weekday::from_monday_one_offset(w.weekday).map_err(|_| {
            Error::invalid(
                at("weekday"),
                "Geef de dag als 1 (maandag) tot en met 7 (zondag).",
                "Give the day as 1 (Monday) to 7 (Sunday).",
            )
        })?;
        let (start, end) = (
            minute_of_day(&at("start"), &w.start)?,
            minute_of_day(&at("end"), &w.end)?,
        );
        if start >= end {
            return Err(Error::invalid(
                at("end"),
                "Het einde moet na het begin liggen.",
                "The end must be after the start.",
            ));
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
    by: impl Into<By>,
    clerk: &str,
    windows: &[WindowInput],
) -> Result<Vec<WeeklyWindow>> {
    let by = by.into();
    let clerk = own_clerk(app, by.tenant, clerk).await?;
    let windows = check_hours(windows)?;
    app.db.set_opening_hours(clerk.id, &windows).await?;
    audit::record(app, by, AuditAction::ClerkHoursChanged, &clerk.name).await?;
    Ok(windows)
}

/// Adds a period a clerk is away; their slots in it are no longer offered. Returns its id.
pub async fn add_absence(
    app: &App,
    by: impl Into<By>,
    clerk: &str,
    start: Timestamp,
    end: Timestamp,
    reason: &str,
) -> Result<uuid::Uuid> {
    let by = by.into();
    let clerk = own_clerk(app, by.tenant, clerk).await?;
    if start >= end {
        return Err(Error::invalid(
            "/end",
            "Het einde moet na het begin liggen.",
            "The end must be after the start.",
        ));
    }
    let reason = FreeText::optional(reason, Lines::One, 200)
        .map_err(|p| p.at("/reason"))?
        .map(FreeText::into_string)
        .unwrap_or_default();
    let id = app
        .db
        .add_absence(clerk.id, Interval::new(start, end), &reason)
        .await?;
    audit::record(app, by, AuditAction::ClerkAbsenceAdded, &clerk.name).await?;
    Ok(id)
}

/// A clerk's absences that have not ended yet, earliest first.
pub async fn absences(app: &App, tenant: TenantId, clerk: &str) -> Result<Vec<Absence>> {
    let clerk = own_clerk(app, tenant, clerk).await?;
    absences_of(app, &clerk).await
}

/// The absences of a clerk already loaded as one of the municipality's own.
pub async fn absences_of(app: &App, clerk: &Clerk) -> Result<Vec<Absence>> {
    app.db.absences(clerk.id, app.clock.now()).await
}

/// Removes an absence: the clerk's slots in that period are offered again. Another
/// municipality's clerk or absence, or another clerk's absence, is "not found".
pub async fn remove_absence(
    app: &App,
    by: impl Into<By>,
    clerk: &str,
    absence: &str,
) -> Result<()> {
    let by = by.into();
    let clerk = own_clerk(app, by.tenant, clerk).await?;
    let absence: uuid::Uuid = absence.parse().map_err(|_| Error::NotFound("absence"))?;
    app.db.remove_absence(by.tenant, clerk.id, absence).await?;
    audit::record(app, by, AuditAction::ClerkAbsenceRemoved, &clerk.name).await
}

/// The municipality's deactivated clerks (they cannot log in and are offered to nobody).
pub async fn deactivated(app: &App, tenant: TenantId) -> Result<Vec<ClerkId>> {
    app.db.inactive_clerks(tenant).await
}

/// Deactivates (`active: false`) or reactivates a clerk. Deactivating ends the clerk's
/// sessions at once; the last active admin cannot be deactivated (409), and nobody
/// deactivates themself.
pub async fn set_clerk_active(
    app: &App,
    by: impl Into<By>,
    clerk: &str,
    active: bool,
) -> Result<Clerk> {
    let by = by.into();
    let target = own_clerk(app, by.tenant, clerk).await?;
    if !active {
        if by.clerk == Some(target.id) {
            return Err(Conflict::DeactivateSelf.into());
        }
        let inactive = app.db.inactive_clerks(by.tenant).await?;
        let other_active_admins = app
            .db
            .clerks(by.tenant)
            .await?
            .iter()
            .filter(|c| c.role == StaffRole::Admin && c.id != target.id)
            .filter(|c| !inactive.contains(&c.id))
            .count();
        if target.role == StaffRole::Admin && other_active_admins == 0 {
            return Err(Conflict::LastAdmin.into());
        }
    }
    let action = if active {
        AuditAction::ClerkReactivated
    } else {
        AuditAction::ClerkDeactivated
    };
    let line = audit::entry(app, by, action, &target.name).await?;
    app.db
        .set_clerk_active(by.tenant, target.id, active, &line)
        .await?;
    Ok(target)
}
