//! "Afspraak zoeken" (issue 16): a resident who lost the mail, or never had one, finds the
//! appointment with its booking code and the phone number or the date, and gets a fresh
//! personal link. Only hashes of links are stored, so the old link cannot be shown again; the
//! new one is added beside it (`appointment_links`).
//!
//! Guessing is made slow: the caller counts each attempt per client address and per code
//! (`limits`, `Flood::Finds`) before calling `find`, and every way of not matching (unknown
//! code, wrong phone number, wrong date) is the same "not found", so an answer never tells
//! which part was wrong.

use super::booking::{issue_link, Unlocked};
use crate::domain::access_log::{AccessEntry, Action, REASON_FOUND};
use crate::domain::booking_code::BookingCode;
use crate::domain::tenant::Tenant;
use crate::domain::text::PhoneNumber;
use crate::error::{CountedBy, Error, Flood, Result};
use crate::App;
use jiff::civil::Date;

/// What the resident knows besides the code.
#[derive(Clone, Debug)]
pub enum Proof {
    Phone(PhoneNumber),
    Date(Date),
}

/// A find request after parsing.
#[derive(Clone, Debug)]
pub struct FindRequest {
    pub code: BookingCode,
    pub proof: Proof,
}

impl FindRequest {
    /// `phone` or `date` (YYYY-MM-DD); when both are given the phone number counts.
    pub fn parse(code: &str, phone: Option<&str>, date: Option<&str>) -> Result<Self> {
        let code = BookingCode::parse(code).map_err(|_| {
            Error::invalid(
                "/code",
                "Deze afspraakcode klopt niet. Controleer de 8 tekens, bijvoorbeeld K7M-4QX-9P.",
                "This booking code is not right. Check the 8 characters, for example K7M-4QX-9P.",
            )
        })?;
        let phone = phone.filter(|p| !p.trim().is_empty());
        let date = date.filter(|d| !d.trim().is_empty());
        let proof = match (phone, date) {
            (Some(phone), _) => Proof::Phone(PhoneNumber::parse(phone).map_err(|p| p.at("/phone"))?),
            (None, Some(date)) => Proof::Date(date.trim().parse().map_err(|_| {
                Error::invalid(
                    "/date",
                    "Vul de datum van de afspraak in, bijvoorbeeld 2026-12-03.",
                    "Fill in the date of the appointment, for example 2026-12-03.",
                )
            })?),
            (None, None) => {
                return Err(Error::invalid(
                    "/phone",
                    "Vul het telefoonnummer in dat bij de afspraak hoort, of de datum van de afspraak.",
                    "Fill in the phone number given with the appointment, or the date of the appointment.",
                ))
            }
        };
        Ok(Self { code, proof })
    }

    /// Counts one attempt from `client` and on this code (`Error::TooMany` once over).
    pub fn count(&self, app: &App, client: Option<std::net::IpAddr>) -> Result<()> {
        app.limits.check(
            Flood::Finds,
            client,
            &[(CountedBy::Code, self.code.as_str())],
        )
    }
}

/// The appointment with a fresh personal link when code and proof match; "not found"
/// otherwise, whatever did not match. Logged in the resident's access log.
pub async fn find(app: &App, tenant: &Tenant, request: &FindRequest) -> Result<Unlocked> {
    let not_found = || Error::NotFound("appointment");
    let appointment = match app.db.appointment_by_code(tenant.id, &request.code).await {
        Ok(a) => a,
        Err(Error::NotFound(_)) => return Err(not_found()),
        Err(other) => return Err(other),
    };
    let matches = match &request.proof {
        Proof::Phone(phone) => appointment.resident.phone() == Some(phone),
        Proof::Date(date) => {
            appointment
                .start
                .to_zoned(tenant.time_zone.tz().clone())
                .date()
                == *date
        }
    };
    if !matches {
        tracing::info!(tenant = %tenant.slug, "appointment lookup did not match");
        return Err(not_found());
    }
    let token = issue_link(
        app,
        &appointment,
        AccessEntry {
            tenant_id: tenant.id,
            appointment_id: appointment.id,
            clerk_id: None,
            at: app.clock.now(),
            action: Action::FoundByResident,
            source: None,
            reason: REASON_FOUND.into(),
        },
    )
    .await?;
    let service = app.db.service(tenant.id, appointment.service_id).await?;
    tracing::info!(appointment = %appointment.id, "appointment found with its booking code");
    Ok(Unlocked {
        token,
        appointment,
        tenant: tenant.clone(),
        service,
    })
}
