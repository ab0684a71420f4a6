//! Wiring shared by the platform binary (`src/main.rs`) and the browser tests' test server
//! (`examples/test_server.rs`): glue between crates that do not depend on each other.

pub mod cluster;

use signaling::token::{Role, RoomClaims, RoomTokenKeys};

/// Signs booking's room grants with the signalling crate's token format. Booking and
/// signalling know nothing of each other; this is where they meet.
pub struct SignedRoomTokens {
    keys: RoomTokenKeys,
    window: Window,
}

enum Window {
    /// The grant's `not_before`..`expires`.
    AsGranted,
    /// The grant's length, starting at the real now.
    FromRealNow,
}

impl SignedRoomTokens {
    /// Tokens valid in the window booking granted.
    pub fn new(keys: RoomTokenKeys) -> Self {
        Self {
            keys,
            window: Window::AsGranted,
        }
    }

    /// For a booking that runs on a fixed test clock while signalling checks tokens against
    /// the real one: the grant's window keeps its length but starts at the real now.
    pub fn from_real_now(keys: RoomTokenKeys) -> Self {
        Self {
            keys,
            window: Window::FromRealNow,
        }
    }
}

impl booking::domain::rooms::RoomTokenIssuer for SignedRoomTokens {
    fn issue(&self, g: &booking::domain::rooms::RoomGrant) -> String {
        let (nbf, exp) = match self.window {
            Window::AsGranted => (g.not_before.as_second(), g.expires.as_second()),
            Window::FromRealNow => {
                let now = signaling::token::now_unix();
                (now, now + g.expires.duration_since(g.not_before).as_secs())
            }
        };
        self.keys.issue(&RoomClaims {
            room: g.room.clone(),
            sub: g.participant.clone(),
            role: match g.role {
                booking::domain::rooms::RoomRole::Resident => Role::Resident,
                booking::domain::rooms::RoomRole::Clerk => Role::Clerk,
                booking::domain::rooms::RoomRole::Companion => Role::Companion,
                booking::domain::rooms::RoomRole::Interpreter => Role::Interpreter,
            },
            name: g.display_name.clone(),
            tenant: g.tenant.clone(),
            nbf,
            exp,
        })
    }
}

/// Signalling asks booking, at every join, whether the room a valid token names still admits
/// anyone: not once the appointment is cancelled or finished, or the queue call done.
pub struct BookedRooms {
    app: booking::App,
}

impl BookedRooms {
    pub fn new(app: booking::App) -> Self {
        Self { app }
    }
}

impl signaling::RoomAdmission for BookedRooms {
    fn admits<'a>(
        &'a self,
        claims: &'a RoomClaims,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'a>> {
        Box::pin(async move {
            let room = booking::usecases::rooms::admits(&self.app, &claims.tenant, &claims.room);
            let participant = booking::usecases::companions::admits_participant(
                &self.app,
                &claims.tenant,
                &claims.sub,
            );
            match (room.await, participant.await) {
                (Ok(room), Ok(participant)) => room && participant,
                // Refused when it cannot be told: a retry joins once the database answers.
                (Err(error), _) | (_, Err(error)) => {
                    tracing::warn!(%error, "could not check whether the room is still open");
                    false
                }
            }
        })
    }

    fn room_size<'a>(
        &'a self,
        claims: &'a RoomClaims,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<usize>> + Send + 'a>> {
        Box::pin(async move {
            match booking::usecases::companions::room_size_of(&self.app, &claims.tenant).await {
                Ok(size) => Some(usize::from(size.get())),
                Err(error) => {
                    tracing::warn!(%error, "could not read the room size; the SFU's cap applies");
                    None
                }
            }
        })
    }

    fn joined<'a>(
        &'a self,
        claims: &'a RoomClaims,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>> {
        use booking::domain::rooms::RoomRole;
        let role = match claims.role {
            Role::Resident => RoomRole::Resident,
            Role::Clerk => RoomRole::Clerk,
            Role::Companion => RoomRole::Companion,
            Role::Interpreter => RoomRole::Interpreter,
        };
        Box::pin(async move {
            if let Err(error) = booking::usecases::companions::record_join(
                &self.app,
                &claims.tenant,
                &claims.room,
                &claims.sub,
                role,
            )
            .await
            {
                tracing::warn!(%error, room = %claims.room, "could not record who joined the call");
            }
        })
    }
}
