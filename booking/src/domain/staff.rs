//! Municipality staff: what a clerk or an admin may do is decided by their role.

use crate::domain::ids::ServiceId;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StaffRole {
    Clerk,
    Admin,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Clerk => "clerk",
            StaffRole::Admin => "admin",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "clerk" => Some(StaffRole::Clerk),
            "admin" => Some(StaffRole::Admin),
            _ => None,
        }
    }
}

/// Whether a member of staff may see and act on a resident's record (an appointment, a queue
/// entry, a callback) of `service`: an admin on every one of the municipality's, a clerk on
/// the services they handle, and on the appointments booked with them (a service they stopped
/// handling keeps its booked appointments in their hands). Pure; the use cases answer "not
/// found" otherwise, as for another municipality's records.
pub fn may_handle(
    role: StaffRole,
    handled: &[ServiceId],
    service: ServiceId,
    booked_with_them: bool,
) -> bool {
    role == StaffRole::Admin || booked_with_them || handled.contains(&service)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clerks_handle_their_services_and_admins_all() {
        let (mine, other) = (ServiceId::new(), ServiceId::new());
        assert!(may_handle(StaffRole::Clerk, &[mine], mine, false));
        assert!(!may_handle(StaffRole::Clerk, &[mine], other, false));
        assert!(!may_handle(StaffRole::Clerk, &[], other, false));
        assert!(may_handle(StaffRole::Clerk, &[mine], other, true));
        assert!(may_handle(StaffRole::Admin, &[], other, false));
    }
}
