//! Companions and interpreters (issue 15 item 4): someone the resident invites (a family
//! member, a friend) or an interpreter the clerk invites joins the appointment's call with a
//! link of their own, valid for that appointment only, until the clerk takes them out. The
//! room holds at most the municipality's room size (2 to 4, default 3).

use crate::domain::appointment::Appointment;
use crate::domain::ids::{AppointmentId, TenantId};
use crate::domain::queue::{EntryStatus, QueueEntry};
use crate::domain::rooms::{resident_grant, RoomGrant, RoomRole};
use crate::domain::tenant::Tenant;
use crate::error::{Conflict, Error, Result};
use jiff::Timestamp;
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// A companion link's id; also part of the participant id in the room
/// (`companion-<id>`), so the clerk's removal names the link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct CompanionId(pub Uuid);

impl CompanionId {
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }

    /// The participant id in the room.
    pub fn participant(&self) -> String {
        format!("{PARTICIPANT_PREFIX}{}", self.0)
    }

    /// The link behind a participant id, if it is a companion's.
    pub fn from_participant(participant: &str) -> Option<Self> {
        participant.strip_prefix(PARTICIPANT_PREFIX)?.parse().ok()
    }
}

impl Default for CompanionId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for CompanionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for CompanionId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

const PARTICIPANT_PREFIX: &str = "companion-";

/// Who the extra person in the call is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CompanionRole {
    /// Invited by the resident.
    Companion,
    /// Invited by the clerk.
    Interpreter,
}

impl CompanionRole {
    pub fn as_str(self) -> &'static str {
        match self {
            CompanionRole::Companion => "companion",
            CompanionRole::Interpreter => "interpreter",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "companion" => Some(CompanionRole::Companion),
            "interpreter" => Some(CompanionRole::Interpreter),
            _ => None,
        }
    }

    /// "begeleider", "tolk": shown under their picture and in the resident's log.
    pub fn word_nl(self) -> &'static str {
        match self {
            CompanionRole::Companion => "begeleider",
            CompanionRole::Interpreter => "tolk",
        }
    }

    pub fn word_en(self) -> &'static str {
        match self {
            CompanionRole::Companion => "companion",
            CompanionRole::Interpreter => "interpreter",
        }
    }

    pub fn room_role(self) -> RoomRole {
        match self {
            CompanionRole::Companion => RoomRole::Companion,
            CompanionRole::Interpreter => RoomRole::Interpreter,
        }
    }
}

/// An invitation into one appointment's call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompanionLink {
    pub id: CompanionId,
    pub tenant_id: TenantId,
    pub appointment_id: AppointmentId,
    pub role: CompanionRole,
    pub name: String,
    pub email: Option<String>,
    pub created_at: Timestamp,
    /// Set when the clerk took them out of the call; the link admits no more.
    pub removed_at: Option<Timestamp>,
}

impl CompanionLink {
    pub fn admits(&self) -> bool {
        self.removed_at.is_none()
    }
}

/// People in one call at most: the resident, the clerk and up to two more.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct RoomSize(u8);

impl RoomSize {
    pub const MIN: u8 = 2;
    pub const MAX: u8 = 4;
    pub const DEFAULT: RoomSize = RoomSize(3);

    pub fn parse(raw: i64) -> Result<Self> {
        match u8::try_from(raw) {
            Ok(n) if (Self::MIN..=Self::MAX).contains(&n) => Ok(Self(n)),
            _ => Err(Error::invalid(
                "/room_size",
                "Kies 2, 3 of 4 mensen per gesprek.",
                "Choose 2, 3 or 4 people per call.",
            )),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// Invitations that may be open at once: everyone but the resident and the clerk.
    pub fn extra_people(self) -> usize {
        usize::from(self.0) - 2
    }
}

/// May one more person be invited, with `open` invitations still admitting?
pub fn may_invite(size: RoomSize, open: usize) -> Result<()> {
    if open >= size.extra_people() {
        return Err(Error::invalid(
            "/name",
            format!(
                "Er kunnen niet meer mensen bij dit gesprek: hoogstens {} in totaal.",
                size.get()
            ),
            format!(
                "No more people can join this call: at most {} in all.",
                size.get()
            ),
        ));
    }
    Ok(())
}

/// The companion's or interpreter's grant: the same window as the resident's, for the room the
/// call is in (the appointment's queue entry, once a clerk called it). Refused once the clerk
/// removed them, and before the call started (the page waits and asks again).
pub fn companion_grant(
    link: &CompanionLink,
    appointment: &Appointment,
    entry: Option<&QueueEntry>,
    tenant: &Tenant,
    now: Timestamp,
) -> Result<RoomGrant> {
    if !link.admits() || link.appointment_id != appointment.id {
        return Err(Error::NotFound("companion link"));
    }
    let mut grant = resident_grant(appointment, tenant, now)?;
    let room = match entry {
        Some(QueueEntry {
            status: EntryStatus::Called | EntryStatus::Answered,
            room_id: Some(room),
            ..
        }) => room.clone(),
        Some(QueueEntry {
            status: EntryStatus::Done | EntryStatus::Missed | EntryStatus::Left,
            ..
        }) => return Err(Conflict::AppointmentOver.into()),
        _ => return Err(Conflict::NoClerkCalling.into()),
    };
    grant.room = room;
    grant.participant = link.id.participant();
    grant.role = link.role.room_role();
    grant.display_name = link.name.clone();
    Ok(grant)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_size_is_two_to_four() {
        for bad in [-1, 0, 1, 5, 300] {
            assert!(RoomSize::parse(bad).is_err(), "{bad}");
        }
        for good in 2..=4 {
            assert_eq!(RoomSize::parse(good).unwrap().get() as i64, good);
        }
        assert_eq!(RoomSize::DEFAULT.extra_people(), 1);
    }

    #[test]
    fn invitations_stop_at_the_room_size() {
        let three = RoomSize::parse(3).unwrap();
        assert!(may_invite(three, 0).is_ok());
        assert!(may_invite(three, 1).is_err());
        assert!(may_invite(RoomSize::parse(2).unwrap(), 0).is_err());
        assert!(may_invite(RoomSize::parse(4).unwrap(), 1).is_ok());
    }

    #[test]
    fn participant_ids_name_the_link() {
        let id = CompanionId::new();
        assert_eq!(CompanionId::from_participant(&id.participant()), Some(id));
        assert_eq!(CompanionId::from_participant("resident-x"), None);
        assert_eq!(CompanionId::from_participant("companion-nope"), None);
    }
}

/// Someone came into an appointment's call (`call_joins`), as the resident reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallJoin {
    pub at: Timestamp,
    pub who: Joiner,
}

/// Who came in. The clerk is not named, as in the access log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Joiner {
    Resident,
    Clerk,
    Companion { role: CompanionRole, name: String },
}

/// "Anna (begeleider) kwam in het gesprek om 10:02 op 20 maart."
pub fn join_sentence(
    join: &CallJoin,
    tz: &jiff::tz::TimeZone,
    tone: crate::domain::tenant::Tone,
) -> String {
    use crate::domain::tenant::Tone;
    let local = join.at.to_zoned(tz.clone());
    let when = format!(
        "om {} op {}",
        local.strftime("%H:%M"),
        crate::domain::dates_in_words::day_month_nl(local.date())
    );
    match &join.who {
        Joiner::Resident => match tone {
            Tone::U => format!("U kwam in het gesprek {when}."),
            Tone::Je => format!("Je kwam in het gesprek {when}."),
        },
        Joiner::Clerk => format!("Een medewerker van de gemeente kwam in het gesprek {when}."),
        Joiner::Companion { role, name } => {
            format!("{name} ({}) kwam in het gesprek {when}.", role.word_nl())
        }
    }
}

pub fn join_sentence_en(join: &CallJoin, tz: &jiff::tz::TimeZone) -> String {
    let local = join.at.to_zoned(tz.clone());
    let when = format!(
        "at {} on {}",
        local.strftime("%H:%M"),
        crate::domain::dates_in_words::day_month_en(local.date())
    );
    match &join.who {
        Joiner::Resident => format!("You came into the call {when}."),
        Joiner::Clerk => format!("A member of the municipality's staff came into the call {when}."),
        Joiner::Companion { role, name } => {
            format!("{name} ({}) came into the call {when}.", role.word_en())
        }
    }
}

#[cfg(test)]
mod sentence_tests {
    use super::*;
    use crate::domain::tenant::Tone;

    #[test]
    fn a_join_reads_with_the_name_role_and_local_time() {
        let tz = jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap();
        let join = CallJoin {
            at: "2026-03-20T09:02:00Z".parse().unwrap(),
            who: Joiner::Companion {
                role: CompanionRole::Companion,
                name: "Anna".into(),
            },
        };
        assert_eq!(
            join_sentence(&join, &tz, Tone::U),
            "Anna (begeleider) kwam in het gesprek om 10:02 op 20 maart."
        );
        assert_eq!(
            join_sentence_en(&join, &tz),
            "Anna (companion) came into the call at 10:02 on 20 March."
        );
        let me = CallJoin {
            who: Joiner::Resident,
            ..join
        };
        assert_eq!(
            join_sentence(&me, &tz, Tone::Je),
            "Je kwam in het gesprek om 10:02 op 20 maart."
        );
    }
}
