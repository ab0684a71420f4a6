//! Entering a video room: whether the room a valid token names still admits anyone (the
//! signalling endpoint asks at every join, through the binary's wiring; see
//! `domain::rooms::room_admits`).

use crate::domain::ids::AppointmentId;
use crate::domain::queue::QueueEntryId;
use crate::domain::rooms::{room_admits, RoomOwner};
use crate::error::{Error, Result};
use crate::App;

/// Whether `room` of the municipality `tenant_slug` still admits a holder of a valid token.
/// An unknown municipality or room admits nobody.
pub async fn admits(app: &App, tenant_slug: &str, room: &str) -> Result<bool> {
    let tenant = match crate::usecases::booking::municipality(app, tenant_slug).await {
        Ok(tenant) => tenant,
        Err(Error::NotFound(_)) => return Ok(false),
        Err(other) => return Err(other),
    };
    if let Ok(id) = room.parse::<AppointmentId>() {
        match app.db.appointment(tenant.id, id).await {
            Ok(appointment) => {
                let entry = app.db.queue_entry_for_appointment(appointment.id).await?;
                return Ok(room_admits(RoomOwner::Appointment {
                    appointment: &appointment,
                    entry: entry.as_ref(),
                }));
            }
            Err(Error::NotFound(_)) => {}
            Err(other) => return Err(other),
        }
    }
    if let Ok(id) = room.parse::<QueueEntryId>() {
        match app.db.queue_entry(tenant.id, id).await {
            Ok(entry) => return Ok(room_admits(RoomOwner::QueueCall(&entry))),
            Err(Error::NotFound(_)) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(false)
}
