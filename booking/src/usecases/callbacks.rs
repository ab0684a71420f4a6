//! When residents can walk in or be called back, and a clerk's attempts to phone back. The
//! rules are pure (`domain::working_hours`, `domain::callback`); this module loads the clerks'
//! hours and the closing days around them and records attempts.

use crate::auth::SessionClaims;
use crate::domain::callback::{self, Attempt, CallbackId, CallbackRequest, Closed, Promise};
use crate::domain::catalog::ClerkSchedule;
use crate::domain::ids::{ServiceId, TenantId};
use crate::domain::tenant::{Tenant, Tone};
use crate::domain::text::{FreeText, Lines, PhoneNumber};
use crate::domain::working_hours;
use crate::error::{Conflict, Error, Result};
use crate::App;
use jiff::Timestamp;

/// How far ahead "opens next" and "next working day" look.
const LOOK_AHEAD_DAYS: i16 = 14;

/// The clerks who handle these services, with closing days as everyone's absence, for the
/// coming two weeks.
async fn schedules(
    app: &App,
    tenant: &Tenant,
    services: &[ServiceId],
) -> Result<Vec<ClerkSchedule>> {
    let today = app
        .clock
        .now()
        .to_zoned(tenant.time_zone.tz().clone())
        .date();
    let until = today
        .checked_add(jiff::Span::new().days(i64::from(LOOK_AHEAD_DAYS)))
        .unwrap_or(today);
    let closed = super::admin::closing_days::closed_periods(app, tenant, today, until).await?;
    let mut all: Vec<ClerkSchedule> = Vec::new();
    for service in services {
        for mut s in app.db.schedules_for_service(tenant.id, *service).await? {
            if all.iter().any(|seen| seen.clerk == s.clerk) {
                continue;
            }
            s.absences.extend_from_slice(&closed);
            all.push(s);
        }
    }
    Ok(all)
}

/// Whether walk-ins for the service are taken now, and else when they are next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WalkInHours {
    OpenNow,
    Closed { opens_next: Option<Timestamp> },
}

/// Walk-ins are taken while a clerk who handles the service works at this instant: within
/// their hours of today, not absent, not on a closing day.
pub async fn walk_in_hours(app: &App, tenant: &Tenant, service: ServiceId) -> Result<WalkInHours> {
    let clerks = schedules(app, tenant, &[service]).await?;
    let now = app.clock.now();
    let tz = tenant.time_zone.tz();
    Ok(
        match working_hours::next_open(&clerks, tz, now, LOOK_AHEAD_DAYS) {
            Some(stretch) if stretch.start <= now => WalkInHours::OpenNow,
            next => WalkInHours::Closed {
                opens_next: next.map(|s| s.start),
            },
        },
    )
}

/// The refusal of a walk-in outside the hours, with when it opens next in words.
pub fn walk_in_closed(tenant: &Tenant, opens_next: Option<Timestamp>) -> Error {
    Conflict::WalkInClosed {
        opens_next: opens_next.map(|at| {
            at.to_zoned(tenant.time_zone.tz().clone())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        }),
        opens_in_dutch: opens_next.map(|at| super::booking::when_in_words(tenant, at)),
        opens_in_english: opens_next.map(|at| super::booking::when_in_english(tenant, at)),
    }
    .into()
}

/// The parts of the day a resident may choose for a callback: what is left of today and the
/// next working day, where "working" means a clerk of any offered service works then.
pub async fn choices(app: &App, tenant: &Tenant) -> Result<Vec<Promise>> {
    let services: Vec<ServiceId> = super::booking::offered_services(app, tenant.id)
        .await?
        .iter()
        .map(|s| s.id)
        .collect();
    let clerks = schedules(app, tenant, &services).await?;
    let tz = tenant.time_zone.tz();
    Ok(callback::choices(app.clock.now(), tz, |date| {
        working_hours::working_day(&clerks, tz, date)
    }))
}

/// The promise for a chosen part of the day: on `date` when given, else the first choice with
/// that part. A part that is not among the choices (over, or not a working day) is refused.
pub async fn promise(
    app: &App,
    tenant: &Tenant,
    part: callback::PartOfDay,
    date: Option<jiff::civil::Date>,
) -> Result<Promise> {
    choices(app, tenant)
        .await?
        .into_iter()
        .find(|p| p.part == part && date.is_none_or(|d| d == p.date))
        .ok_or_else(|| {
            Error::invalid(
                "/part_of_day",
                "Op dit dagdeel kunnen we niet terugbellen. Kies een ander dagdeel.",
                "We cannot call back in this part of the day. Choose another one.",
            )
        })
}

/// A clerk's attempt as typed: reached or not, and an optional note.
#[derive(Clone, Debug)]
pub struct AttemptForm {
    pub reached: bool,
    pub note: String,
}

impl AttemptForm {
    pub fn parse(reached: bool, note: Option<&str>) -> Result<Self> {
        let note = FreeText::optional(note.unwrap_or(""), Lines::Many, 1000)
            .map_err(|p| p.at("/note"))?
            .map(FreeText::into_string)
            .unwrap_or_default();
        Ok(Self { reached, note })
    }
}

/// A clerk records an attempt to phone the resident back. Reached closes the request; the
/// second attempt that does not reach the resident closes it as unreachable and leaves a
/// `callback_unreachable` notice for the message outbox (`untold_unreachable`).
pub async fn record_attempt(
    app: &App,
    claims: &SessionClaims,
    id: CallbackId,
    form: AttemptForm,
) -> Result<CallbackRequest> {
    // A callback for a service the clerk does not handle is "not found", as another tenant's.
    let request = app.db.callback(claims.tenant, id).await?;
    crate::usecases::desk::ensure_handles(app, claims, request.service_id, false, "callback")
        .await?;
    let attempt = Attempt {
        at: app.clock.now(),
        clerk: claims.sub,
        reached: form.reached,
        note: form.note,
    };
    let recorded = app
        .db
        .record_callback_attempt(claims.tenant, id, &attempt, |failed_before| {
            callback::after_attempt(attempt.reached, failed_before)
        })
        .await?;
    let Some(closed) = recorded else {
        return Err(Conflict::CallbackAlreadyHandled.into());
    };
    tracing::info!(callback = %id, reached = attempt.reached, ?closed, "callback attempt recorded");
    if closed == Some(Closed::Unreachable) {
        tell_unreachable(app, claims.tenant, id).await?;
    }
    app.events.publish(&app.db, claims.tenant).await;
    app.db.callback(claims.tenant, id).await
}

/// Texts the resident that two calls did not reach them (through the message outbox, once:
/// the key is the request's id), then marks the request as told.
async fn tell_unreachable(app: &App, tenant: TenantId, id: CallbackId) -> Result<()> {
    let request = app.db.callback(tenant, id).await?;
    let municipality = app.db.tenant(tenant).await?;
    let Ok(phone) = PhoneNumber::parse(&request.phone) else {
        tracing::warn!(callback = %id, "unreachable resident not told: the number is no mobile number");
        return Ok(());
    };
    let you = match municipality.tone {
        Tone::Je => "je",
        Tone::U => "u",
    };
    let call = municipality
        .resident_info
        .phone
        .as_deref()
        .and_then(|p| PhoneNumber::parse_for_municipality(p).ok())
        .map(|p| {
            format!(
                " Bel ons op {}, of vraag opnieuw om terugbellen.",
                p.in_words()
            )
        })
        .unwrap_or_else(|| " Vraag gerust opnieuw om terugbellen.".into());
    crate::usecases::messages::enqueue(
        app,
        crate::usecases::messages::Notice {
            tenant,
            appointment: None,
            key: format!("callback-unreachable-{id}"),
            to: crate::usecases::messages::Recipient::Sms { phone },
            subject: String::new(),
            body: format!(
                "{}: we hebben {you} twee keer gebeld maar niet bereikt.{call}",
                municipality.name
            ),
        },
    )
    .await?;
    mark_unreachable_told(app, id).await?;
    Ok(())
}

/// The attempts on a request the clerk may handle, oldest first.
pub async fn attempts(app: &App, claims: &SessionClaims, id: CallbackId) -> Result<Vec<Attempt>> {
    crate::usecases::queue::callback(app, claims, id).await?;
    app.db.callback_attempts(id).await
}

/// Requests closed as unreachable whose resident has not been told yet (a callback request
/// has a phone number and no e-mail address, so the message is an SMS).
// Recording the second failed attempt tells the resident at once (`tell_unreachable`); this
// list is what is left when that failed.
pub async fn untold_unreachable(app: &App, limit: i64) -> Result<Vec<CallbackRequest>> {
    app.db.untold_unreachable_callbacks(limit).await
}

/// The resident was told the callback could not be made; `false` when already marked.
pub async fn mark_unreachable_told(app: &App, id: CallbackId) -> Result<bool> {
    app.db.mark_unreachable_told(id, app.clock.now()).await
}
