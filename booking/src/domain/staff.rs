//! Municipality staff: what a clerk or an admin may do is decided by their role.

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
