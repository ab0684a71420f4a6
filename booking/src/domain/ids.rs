//! Identifier newtypes: a `ServiceId` can never be passed where a `ClerkId` is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::Custom("uuid".into())))
                    .into()
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}

uuid_id!(
    /// A municipality.
    TenantId
);
uuid_id!(
    /// A service a municipality offers (passport, moving house, ...).
    ServiceId
);
uuid_id!(
    /// A clerk or admin account.
    ClerkId
);
uuid_id!(
    /// One booked video appointment.
    AppointmentId
);
uuid_id!(
    /// One place in the counter queue.
    QueueEntryId
);
uuid_id!(
    /// A resident's request to be phoned back.
    CallbackId
);
uuid_id!(
    /// A question asked before booking a service (domain/triage.rs).
    TriageQuestionId
);
uuid_id!(
    /// A document a resident supplied for an appointment (issue 22).
    DocumentId
);
