//! Services with their information sources and result lists; stopping and resuming one.

use super::audit::{self, By};
use super::{check_name, check_range, first, Problem};
use crate::domain::audit::AuditAction;
use crate::domain::catalog::Service;
use crate::domain::consent::{self, InfoSource};
use crate::domain::ids::{ServiceId, TenantId};
use crate::domain::outcome::{self, ResultOption};
use crate::domain::party::PartyRule;
use crate::domain::text::{FreeText, Lines, TextProblem};
use crate::error::{Error, Result, Words};
use crate::App;

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
    let description = match FreeText::optional(&input.description, Lines::Many, 2000) {
        Ok(text) => text.map(FreeText::into_string).unwrap_or_default(),
        Err(TextProblem::TooLong { .. }) => {
            problems.push((
                "description",
                Words::new(
                    "De beschrijving mag hoogstens 2000 tekens lang zijn.",
                    "The description can be at most 2000 characters long.",
                ),
            ));
            String::new()
        }
        Err(other) => {
            problems.push(("description", other.message("description")));
            String::new()
        }
    };
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
            Words::new(
                "Geef een duur in hele stappen van 5 minuten.",
                "Give a duration in whole steps of 5 minutes.",
            ),
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
            Words::new(
                "Geef een duur in hele stappen van 5 minuten.",
                "Give a duration in whole steps of 5 minutes.",
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Service {
        id: ServiceId::new(),
        tenant_id: tenant,
        name,
        description,
        duration_minutes: input.duration_minutes,
        buffer_minutes: input.buffer_minutes,
        active: true,
        party: PartyRule::default(),
    })
}

pub async fn create_service(app: &App, by: impl Into<By>, input: &ServiceInput) -> Result<Service> {
    let by = by.into();
    let service = check_service(by.tenant, input).map_err(first)?;
    app.db.save_service(&service).await?;
    audit::record(app, by, AuditAction::ServiceAdded, &service.name).await?;
    Ok(service)
}

/// Changes a service's name, explanation, duration and buffer. Appointments already booked
/// keep the time they reserved; new bookings use the new duration.
pub async fn update_service(
    app: &App,
    by: impl Into<By>,
    service: &str,
    input: &ServiceInput,
) -> Result<Service> {
    let by = by.into();
    let current = own_service(app, by.tenant, service).await?;
    let updated = Service {
        id: current.id,
        active: current.active,
        party: current.party,
        ..check_service(by.tenant, input).map_err(first)?
    };
    app.db.save_service(&updated).await?;
    audit::record(app, by, AuditAction::ServiceChanged, &updated.name).await?;
    Ok(updated)
}

/// Stops (`offered: false`) or resumes offering a service. Residents no longer see or book a
/// stopped service; appointments already made for it stay, with their personal links.
pub async fn set_service_offered(
    app: &App,
    by: impl Into<By>,
    service: &str,
    offered: bool,
) -> Result<Service> {
    let by = by.into();
    let current = own_service(app, by.tenant, service).await?;
    app.db
        .set_service_active(by.tenant, current.id, offered)
        .await?;
    let action = if offered {
        AuditAction::ServiceResumed
    } else {
        AuditAction::ServiceStopped
    };
    audit::record(app, by, action, &current.name).await?;
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

/// Sets the service's party rule from the admin's numbers (checked by `PartyRule::new`, the
/// problem at `/max_people` or `/minutes_per_extra_person`); written to the audit log.
/// Appointments already made keep their time; new bookings use the new rule.
pub async fn set_party_rule(
    app: &App,
    by: impl Into<By>,
    service: &str,
    max_people: i64,
    minutes_per_extra_person: i64,
) -> Result<PartyRule> {
    let by = by.into();
    let current = own_service(app, by.tenant, service).await?;
    let rule = PartyRule::new(max_people, minutes_per_extra_person)?;
    app.db.set_party_rule(by.tenant, current.id, rule).await?;
    audit::record(
        app,
        by,
        AuditAction::ServicePartyChanged,
        format!(
            "{}: hoogstens {} personen, {} minuten per extra persoon",
            current.name, rule.max_people, rule.minutes_per_extra_person
        ),
    )
    .await?;
    Ok(rule)
}

/// Replaces a service's information sources (an empty list turns consent per source off).
pub async fn set_sources(
    app: &App,
    by: impl Into<By>,
    service: &str,
    sources: Vec<InfoSource>,
) -> Result<Vec<InfoSource>> {
    let by = by.into();
    let service = own_service(app, by.tenant, service).await?;
    let sources = consent::parse_source_list(sources)?;
    app.db.set_service_sources(service.id, &sources).await?;
    audit::record(app, by, AuditAction::ServiceSourcesChanged, &service.name).await?;
    Ok(sources)
}

/// Replaces a service's result list (at least one result).
pub async fn set_results(
    app: &App,
    by: impl Into<By>,
    service: &str,
    results: Vec<ResultOption>,
) -> Result<Vec<ResultOption>> {
    let by = by.into();
    let service = own_service(app, by.tenant, service).await?;
    let results = outcome::parse_result_list(results)?;
    app.db.set_service_results(service.id, &results).await?;
    audit::record(app, by, AuditAction::ServiceResultsChanged, &service.name).await?;
    Ok(results)
}

/// A service's information sources, as the admin edits them.
pub async fn sources(app: &App, service: &Service) -> Result<Vec<InfoSource>> {
    app.db.service_sources(service.id).await
}

/// A service's result list, as the admin edits it.
pub async fn results(app: &App, service: &Service) -> Result<Vec<ResultOption>> {
    app.db.service_results(service.id).await
}
