//! A clerk acts for a resident on the phone (issue 16): finds free times for a service they
//! handle, books for the caller, moves, cancels, sends the confirmation again and looks up
//! appointments. Each act is written to the resident's access log ("made by a clerk on the
//! phone"); another municipality's appointments, or those of a service the clerk does not
//! handle (`domain::staff::may_handle`), are "not found".

use super::booking::{self, Booked, BookingRequest};
use super::desk::ensure_handles;
use crate::auth::SessionClaims;
use crate::domain::access_log::{AccessEntry, Action, REASON_BY_PHONE, REASON_SEARCH};
use crate::domain::appointment::Appointment;
use crate::domain::booking_code::BookingCode;
use crate::domain::catalog::Service;
use crate::domain::email::Email;
use crate::domain::ids::{AppointmentId, ServiceId};
use crate::domain::personal_link::PersonalToken;
use crate::domain::slots::Slot;
use crate::domain::staff;
use crate::domain::start_time::StartTime;
use crate::domain::tenant::Tenant;
use crate::domain::text::{PersonName, PhoneNumber};
use crate::error::{Error, Result};
use crate::store::AppointmentSearch;
use crate::App;
use jiff::civil::Date;

/// The most search results shown at once.
pub const MAX_RESULTS: i64 = 20;

/// The offered services this member of staff may book for (all of them for an admin).
pub async fn services(app: &App, claims: &SessionClaims) -> Result<Vec<Service>> {
    let me = app
        .db
        .clerks(claims.tenant)
        .await?
        .into_iter()
        .find(|c| c.id == claims.sub)
        .ok_or(Error::Unauthenticated)?;
    let mut offered = booking::offered_services(app, claims.tenant).await?;
    offered.retain(|s| staff::may_handle(me.role, &me.services, s.id, false));
    Ok(offered)
}

/// An offered service the clerk handles; another is "not found".
pub async fn service(app: &App, claims: &SessionClaims, id: ServiceId) -> Result<Service> {
    let service = booking::offered_service(app, claims.tenant, id).await?;
    ensure_handles(app, claims, service.id, false, "service").await?;
    Ok(service)
}

/// Free times of a service the clerk handles, long enough for `people` people (the caller
/// included).
pub async fn slots(
    app: &App,
    claims: &SessionClaims,
    service: ServiceId,
    people: i64,
    from: Date,
    to: Date,
) -> Result<(Tenant, Service, Vec<Slot>)> {
    let service = self::service(app, claims, service).await?;
    let tenant = app.db.tenant(claims.tenant).await?;
    let slots = booking::slots_for(app, &tenant, &service, people, from, to).await?;
    Ok((tenant, service, slots))
}

/// Books for a caller. Without choices per information source the resident makes them later
/// through the personal link ("ask the resident later"). The mail goes out when an e-mail
/// address was given; the clerk reads the code aloud either way.
pub async fn book(
    app: &App,
    claims: &SessionClaims,
    service: ServiceId,
    request: BookingRequest,
) -> Result<Booked> {
    let service = self::service(app, claims, service).await?;
    let tenant = app.db.tenant(claims.tenant).await?;
    let booked = booking::book_as(app, &tenant, &service, request, Some(claims.sub)).await?;
    tracing::info!(clerk = %claims.sub, appointment = %booked.appointment.id, "booked for a caller");
    Ok(booked)
}

/// Books a follow-up appointment from the outcome of a call (issue 16 item 9): for the same
/// resident as the appointment `after` (name and contact taken from it), for a service the
/// clerk handles, at one of its free times. As a booking for a caller: the resident's access
/// log says a clerk made it, and the confirmation goes through the outbox with the booking
/// code. `after` must be an appointment the clerk may act on; another is "not found".
pub async fn follow_up(
    app: &App,
    claims: &SessionClaims,
    after: AppointmentId,
    service: ServiceId,
    start: StartTime,
) -> Result<Booked> {
    let earlier = super::desk::appointment(app, claims, after).await?;
    let request = BookingRequest {
        start,
        resident: crate::domain::appointment::Resident {
            name: earlier.resident.name.clone(),
            contact: earlier.resident.contact.clone(),
            note: None,
            // The same resident needs the same language or interpreter next time.
            language: earlier.resident.language.clone(),
        },
        consents: Vec::new(),
        triage: None,
        people: Vec::new(),
    };
    let booked = book(app, claims, service, request).await?;
    tracing::info!(clerk = %claims.sub, after = %after, appointment = %booked.appointment.id, "follow-up booked");
    Ok(booked)
}

/// What a clerk's act left: the appointment and the new personal link (shown to the clerk
/// once, to read out or send on).
pub struct Acted {
    pub tenant: Tenant,
    pub service: Service,
    pub appointment: Appointment,
    pub token: PersonalToken,
}

async fn entry_for(
    app: &App,
    claims: &SessionClaims,
    id: AppointmentId,
) -> Result<(Tenant, Service, Appointment)> {
    let appointment = super::desk::appointment(app, claims, id).await?;
    let tenant = app.db.tenant(claims.tenant).await?;
    let service = app.db.service(tenant.id, appointment.service_id).await?;
    Ok((tenant, service, appointment))
}

/// Stores the new link with the access-log entry of the act, in one transaction.
async fn remember(
    app: &App,
    claims: &SessionClaims,
    appointment: &Appointment,
    token: &PersonalToken,
    action: Action,
) -> Result<()> {
    app.db
        .add_link(
            appointment.id,
            &token.hash(),
            &AccessEntry {
                tenant_id: claims.tenant,
                appointment_id: appointment.id,
                clerk_id: Some(claims.sub),
                at: app.clock.now(),
                action,
                source: None,
                reason: REASON_BY_PHONE.into(),
            },
        )
        .await
}

/// Moves the appointment for the caller; the mail (when there is an address) carries a new
/// personal link.
pub async fn reschedule(
    app: &App,
    claims: &SessionClaims,
    id: AppointmentId,
    start: StartTime,
) -> Result<Acted> {
    let (tenant, service, current) = entry_for(app, claims, id).await?;
    let token = PersonalToken::generate();
    let moved = booking::reschedule(app, &tenant, &service, &current, &token, start).await?;
    remember(app, claims, &moved, &token, Action::RescheduledByClerk).await?;
    Ok(Acted {
        tenant,
        service,
        appointment: moved,
        token,
    })
}

/// Cancels the appointment for the caller.
pub async fn cancel(app: &App, claims: &SessionClaims, id: AppointmentId) -> Result<Acted> {
    let (tenant, service, current) = entry_for(app, claims, id).await?;
    let token = PersonalToken::generate();
    let cancelled = booking::cancel(app, &tenant, &service, &current, &token).await?;
    remember(app, claims, &cancelled, &token, Action::CancelledByClerk).await?;
    Ok(Acted {
        tenant,
        service,
        appointment: cancelled,
        token,
    })
}

/// Sends the confirmation again with a fresh personal link (mailed when there is an e-mail
/// address; the clerk sees link and code to read out).
pub async fn resend(app: &App, claims: &SessionClaims, id: AppointmentId) -> Result<Acted> {
    let (tenant, service, appointment) = entry_for(app, claims, id).await?;
    let token = PersonalToken::generate();
    remember(app, claims, &appointment, &token, Action::ResentByClerk).await?;
    if appointment.status == crate::domain::appointment::AppointmentStatus::Booked {
        booking::resend_confirmation(app, &tenant, &service, &appointment, &token).await?;
    }
    Ok(Acted {
        tenant,
        service,
        appointment,
        token,
    })
}

/// What a clerk typed in the one search field, understood as a booking code, an e-mail
/// address, a phone number or else (part of) a name.
pub fn understand(query: &str) -> Result<AppointmentSearch> {
    let query = query.trim();
    if let Ok(code) = BookingCode::parse(query) {
        return Ok(AppointmentSearch {
            code: Some(code),
            ..Default::default()
        });
    }
    if query.contains('@') {
        if let Ok(email) = Email::parse(query) {
            return Ok(AppointmentSearch {
                email: Some(email),
                ..Default::default()
            });
        }
    }
    if let Ok(phone) = PhoneNumber::parse(query) {
        return Ok(AppointmentSearch {
            phone: Some(phone),
            ..Default::default()
        });
    }
    let name = PersonName::parse(query).map_err(|_| {
        Error::invalid(
            "/q",
            "Vul een naam, telefoonnummer, e-mailadres of afspraakcode in.",
            "Fill in a name, phone number, email address or booking code.",
        )
    })?;
    if name.as_str().chars().count() < 2 {
        return Err(Error::invalid(
            "/q",
            "Vul minstens 2 letters van de naam in.",
            "Fill in at least 2 letters of the name.",
        ));
    }
    Ok(AppointmentSearch {
        name: Some(name.into_string()),
        ..Default::default()
    })
}

/// Appointments from today on matching the search, of the services the clerk may see; each
/// one shown is written to that resident's access log.
pub async fn search(
    app: &App,
    claims: &SessionClaims,
    query: &str,
) -> Result<(Tenant, Vec<(Appointment, Service)>)> {
    let search = understand(query)?;
    let tenant = app.db.tenant(claims.tenant).await?;
    let today = super::desk::today(app, &tenant);
    let (from, _) = super::desk::day_bounds(&tenant, today)?;
    let me = app
        .db
        .clerks(claims.tenant)
        .await?
        .into_iter()
        .find(|c| c.id == claims.sub)
        .ok_or(Error::Unauthenticated)?;
    let services = app.db.services(tenant.id).await?;
    let mut found = Vec::new();
    for a in app
        .db
        .search_appointments(tenant.id, from, &search, MAX_RESULTS)
        .await?
    {
        if !staff::may_handle(me.role, &me.services, a.service_id, a.clerk_id == me.id) {
            continue;
        }
        if let Some(service) = services.iter().find(|s| s.id == a.service_id) {
            found.push((a, service.clone()));
        }
    }
    let now = app.clock.now();
    let entries: Vec<AccessEntry> = found
        .iter()
        .map(|(a, _)| AccessEntry {
            tenant_id: tenant.id,
            appointment_id: a.id,
            clerk_id: Some(claims.sub),
            at: now,
            action: Action::FoundByClerk,
            source: None,
            reason: REASON_SEARCH.into(),
        })
        .collect();
    app.db.append_access(&entries).await?;
    Ok((tenant, found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_search_field_understands_code_email_phone_and_name() {
        let code = BookingCode::generate();
        assert_eq!(understand(&code.grouped()).unwrap().code, Some(code));
        assert!(understand("jan@example.nl").unwrap().email.is_some());
        assert!(understand("06 12345678").unwrap().phone.is_some());
        assert_eq!(
            understand(" de Vries ").unwrap().name.as_deref(),
            Some("de Vries")
        );
        assert!(understand("").is_err());
        assert!(understand("j").is_err());
    }
}
