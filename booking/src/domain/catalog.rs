//! What a municipality offers: services and the clerks who handle them, with their hours.

use crate::domain::ids::{ClerkId, ServiceId, TenantId};
use crate::domain::party::PartyRule;
use crate::domain::slots::{Interval, WeeklyWindow};
use crate::domain::staff::StaffRole;
use serde::Serialize;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Service {
    pub id: ServiceId,
    #[serde(skip)]
    pub tenant_id: TenantId,
    pub name: String,
    pub description: String,
    pub duration_minutes: i64,
    pub buffer_minutes: i64,
    /// Whether residents can still book it. A service the municipality stopped offering
    /// keeps its appointments (and their personal links), but is not listed and not bookable.
    pub active: bool,
    /// For how many people one appointment may be (issue 16 item 8); read with the service's
    /// row, so slot searches and bookings need no second query for it.
    #[serde(skip)]
    pub party: PartyRule,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Clerk {
    pub id: ClerkId,
    #[serde(skip)]
    pub tenant_id: TenantId,
    pub name: String,
    pub email: String,
    pub role: StaffRole,
    pub services: Vec<ServiceId>,
}

/// A period a clerk is away, as stored.
#[derive(Clone, Debug)]
pub struct Absence {
    pub id: uuid::Uuid,
    pub period: Interval,
    pub reason: String,
}

/// A clerk's availability as stored: weekly windows and absences.
#[derive(Clone, Debug, Default)]
pub struct ClerkSchedule {
    pub clerk: ClerkId,
    pub hours: Vec<WeeklyWindow>,
    pub absences: Vec<Interval>,
}
