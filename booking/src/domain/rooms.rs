//! Who may enter an appointment's video room, and when. The token format belongs to the
//! signaling crate; booking only decides the grant and asks an issuer (wired in by the binary)
//! to sign it, so booking and signaling stay independent.

use crate::domain::appointment::{Appointment, AppointmentStatus};
use crate::domain::tenant::Tenant;
use crate::error::{Conflict, Error, Result};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use std::sync::Arc;

/// A call may run over; the token stays valid this long after the planned end.
pub const OVERRUN: SignedDuration = SignedDuration::from_mins(30);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RoomRole {
    Resident,
    Clerk,
    /// Invited by the resident (`domain::companion`).
    Companion,
    /// Invited by the clerk.
    Interpreter,
}

/// What a room token grants: one participant, one room, one time window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomGrant {
    pub room: String,
    pub participant: String,
    pub role: RoomRole,
    pub display_name: String,
    pub tenant: String,
    pub not_before: Timestamp,
    pub expires: Timestamp,
}

/// Signs grants into tokens the signaling endpoint accepts.
pub trait RoomTokenIssuer: Send + Sync {
    fn issue(&self, grant: &RoomGrant) -> String;
}

pub type Issuer = Arc<dyn RoomTokenIssuer>;

/// The one room-entry rule: an appointment's room opens when check-in opens, the
/// municipality's check-in window before the start. The queue's check-in uses it too, so the
/// page, the API and the token never disagree about "may I come in yet".
pub fn entry_opens(start: Timestamp, check_in_window: SignedDuration) -> Timestamp {
    start - check_in_window
}

/// The resident's grant for a booked appointment: from the check-in window before the start
/// until 30 minutes after the planned end. Refused before the window opens (with the time it
/// opens) and for cancelled or finished appointments.
pub fn resident_grant(
    appointment: &Appointment,
    tenant: &Tenant,
    now: Timestamp,
) -> Result<RoomGrant> {
    if appointment.status == AppointmentStatus::Cancelled {
        return Err(Conflict::AppointmentCancelled.into());
    }
    let window = tenant.check_in_window();
    let opens = entry_opens(appointment.start, window);
    let closes = appointment.end + OVERRUN;
    if now < opens {
        return Err(Conflict::RoomNotOpenYet {
            opens: opens.to_string(),
            minutes: window.as_mins(),
        }
        .into());
    }
    if now >= closes {
        return Err(Conflict::AppointmentOver.into());
    }
    Ok(RoomGrant {
        room: appointment.id.to_string(),
        participant: format!("resident-{}", appointment.id),
        role: RoomRole::Resident,
        display_name: appointment.resident.name.clone(),
        tenant: tenant.slug.to_string(),
        not_before: opens,
        expires: closes,
    })
}

/// The clerk's grant: only the clerk assigned to the appointment, same window as the resident.
pub fn clerk_grant(
    appointment: &Appointment,
    clerk: crate::domain::ids::ClerkId,
    clerk_name: &str,
    tenant: &Tenant,
    now: Timestamp,
) -> Result<RoomGrant> {
    if appointment.clerk_id != clerk {
        return Err(Error::Forbidden);
    }
    let mut grant = resident_grant(appointment, tenant, now)?;
    grant.participant = clerk.to_string();
    grant.role = RoomRole::Clerk;
    grant.display_name = clerk_name.to_string();
    Ok(grant)
}

/// What a room belongs to, as the room id names it: an appointment (with its queue entry once
/// checked in) or a queue call (the entry's own room).
pub enum RoomOwner<'a> {
    Appointment {
        appointment: &'a Appointment,
        entry: Option<&'a crate::domain::queue::QueueEntry>,
    },
    QueueCall(&'a crate::domain::queue::QueueEntry),
}

/// Whether a room still admits a holder of a valid token: tokens outlive the conversation (an
/// appointment's until 30 minutes after its planned end, a queue call's for an hour), so once
/// the appointment is cancelled or its queue entry is finished (done, missed, left), or a queue
/// call is no longer called or answered, nobody enters any more.
pub fn room_admits(owner: RoomOwner<'_>) -> bool {
    use crate::domain::queue::EntryStatus;
    match owner {
        RoomOwner::Appointment { appointment, entry } => {
            appointment.status != AppointmentStatus::Cancelled
                && !entry.is_some_and(|e| {
                    matches!(
                        e.status,
                        EntryStatus::Done | EntryStatus::Missed | EntryStatus::Left
                    )
                })
        }
        RoomOwner::QueueCall(entry) => {
            matches!(entry.status, EntryStatus::Called | EntryStatus::Answered)
        }
    }
}

/// A queue call's token lasts this long from issue:
/// a queue entry has no planned end to tie it to.
pub const QUEUE_CALL: SignedDuration = SignedDuration::from_hours(1);

/// Who asks to enter a queue call's room.
pub enum QueueCaller<'a> {
    /// Whoever holds the entry's token (the personal link, or a walk-in's token).
    Resident,
    /// A logged-in clerk; only the one who called the entry gets in.
    Clerk {
        id: crate::domain::ids::ClerkId,
        name: &'a str,
    },
}

/// The grant for a queue call: room = the entry's room, only while the entry is called or
/// answered (a waiting, finished or missed entry has no call to enter).
pub fn queue_grant(
    entry: &crate::domain::queue::QueueEntry,
    caller: QueueCaller<'_>,
    tenant_slug: &str,
    now: Timestamp,
) -> Result<RoomGrant> {
    use crate::domain::queue::EntryStatus;
    let room = match (&entry.status, &entry.room_id) {
        (EntryStatus::Called | EntryStatus::Answered, Some(room)) => room.clone(),
        _ => return Err(Conflict::NoClerkCalling.into()),
    };
    let (participant, role, display_name) = match caller {
        QueueCaller::Resident => (
            format!("resident-{}", entry.id),
            RoomRole::Resident,
            entry.resident_name.clone(),
        ),
        QueueCaller::Clerk { id, name } => {
            if entry.clerk_id != Some(id) {
                return Err(Error::Forbidden);
            }
            (id.to_string(), RoomRole::Clerk, name.to_string())
        }
    };
    Ok(RoomGrant {
        room,
        participant,
        role,
        display_name,
        tenant: tenant_slug.to_string(),
        not_before: now,
        expires: now + QUEUE_CALL,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::appointment::Resident;
    use crate::domain::ids::*;

    fn tenant(check_in_minutes: i64) -> Tenant {
        Tenant {
            check_in_minutes,
            ..crate::demo::demo_tenant()
        }
    }

    fn appointment() -> Appointment {
        let start: Timestamp = "2026-03-30T07:00:00Z".parse().unwrap();
        Appointment {
            id: AppointmentId::new(),
            tenant_id: TenantId::new(),
            service_id: ServiceId::new(),
            clerk_id: ClerkId::new(),
            start,
            end: start + SignedDuration::from_mins(20),
            status: AppointmentStatus::Booked,
            sequence: 0,
            resident: Resident {
                name: "Jan".into(),
                contact: crate::domain::appointment::Contact::Email(
                    crate::domain::email::Email::parse("jan@example.nl").unwrap(),
                ),
                note: None,
                language: None,
            },
            code: crate::domain::booking_code::BookingCode::generate(),
            created_at: start - SignedDuration::from_hours(48),
        }
    }

    #[test]
    fn resident_window_opens_with_check_in_and_closes_after_overrun() {
        let a = appointment();
        let t = tenant(15);
        assert!(matches!(
            resident_grant(&a, &t, a.start - SignedDuration::from_mins(16)),
            Err(Error::Conflict(Conflict::RoomNotOpenYet {
                minutes: 15,
                ..
            }))
        ));
        let grant = resident_grant(&a, &t, a.start - SignedDuration::from_mins(15)).unwrap();
        assert_eq!(grant.room, a.id.to_string());
        assert_eq!(grant.role, RoomRole::Resident);
        assert_eq!(grant.not_before, a.start - SignedDuration::from_mins(15));
        assert_eq!(grant.expires, a.end + OVERRUN);
        assert!(resident_grant(&a, &t, a.end + OVERRUN).is_err());
        let mut cancelled = a.clone();
        cancelled.status = AppointmentStatus::Cancelled;
        assert!(resident_grant(&cancelled, &t, a.start).is_err());
    }

    #[test]
    fn the_room_opens_when_check_in_opens() {
        // A municipality with a 30-minute check-in window: check-in and the room agree.
        let a = appointment();
        let t = tenant(30);
        let at = a.start - SignedDuration::from_mins(30);
        assert!(resident_grant(&a, &t, at).is_ok());
        assert!(crate::domain::queue::check_in_allowed(
            a.start,
            t.check_in_window(),
            SignedDuration::from_mins(10),
            at
        )
        .is_ok());
        assert!(resident_grant(&a, &t, at - SignedDuration::from_secs(1)).is_err());
    }

    #[test]
    fn only_the_assigned_clerk_gets_a_grant() {
        let a = appointment();
        assert!(matches!(
            clerk_grant(&a, ClerkId::new(), "B", &tenant(15), a.start),
            Err(Error::Forbidden)
        ));
        let grant = clerk_grant(&a, a.clerk_id, "Anna", &tenant(15), a.start).unwrap();
        assert_eq!(
            (grant.role, grant.participant),
            (RoomRole::Clerk, a.clerk_id.to_string())
        );
    }

    fn queue_entry(status: crate::domain::queue::EntryStatus) -> crate::domain::queue::QueueEntry {
        let at: Timestamp = "2026-03-30T07:00:00Z".parse().unwrap();
        crate::domain::queue::QueueEntry {
            id: crate::domain::queue::QueueEntryId::new(),
            tenant_id: TenantId::new(),
            service_id: ServiceId::new(),
            appointment_id: None,
            due_at: None,
            joined_at: at,
            resident_name: "Jan".into(),
            resident_phone: None,
            status,
            clerk_id: None,
            room_id: None,
            called_at: None,
            first_called_at: None,
            answered_at: None,
            done_at: None,
            requeued: false,
            by_phone_at: None,
        }
    }

    #[test]
    fn a_room_stops_admitting_once_the_conversation_is_done() {
        use crate::domain::queue::EntryStatus::*;
        let booked = appointment();
        let admits = |a: &Appointment, e: Option<crate::domain::queue::EntryStatus>| {
            let entry = e.map(queue_entry);
            room_admits(RoomOwner::Appointment {
                appointment: a,
                entry: entry.as_ref(),
            })
        };
        assert!(admits(&booked, None));
        for open in [Waiting, Called, Answered] {
            assert!(admits(&booked, Some(open)), "{open:?}");
        }
        for over in [Done, Missed, Left] {
            assert!(!admits(&booked, Some(over)), "{over:?}");
        }
        let mut cancelled = appointment();
        cancelled.status = AppointmentStatus::Cancelled;
        assert!(!admits(&cancelled, None));

        for (status, admitted) in [
            (Waiting, false),
            (Called, true),
            (Answered, true),
            (Done, false),
            (Missed, false),
            (Left, false),
        ] {
            assert_eq!(
                room_admits(RoomOwner::QueueCall(&queue_entry(status))),
                admitted,
                "{status:?}"
            );
        }
    }
}
