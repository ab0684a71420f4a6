//! The virtual counter queue, pure: who goes first, when check-in opens, what happens to a
//! resident who does not answer, and how long the wait is expected to be. No IO here.

use crate::domain::ids::{AppointmentId, ClerkId, ServiceId, TenantId};
pub use crate::domain::ids::{CallbackId, QueueEntryId};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

/// How long a called resident has to answer before the call counts as unanswered.
pub const ANSWER_WITHIN: SignedDuration = SignedDuration::from_secs(60);

/// How many recent calls of a service the expected wait is averaged over.
pub const RECENT_CALLS: i64 = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EntryStatus {
    /// In the queue.
    Waiting,
    /// A clerk took the entry and is waiting for the resident to answer.
    Called,
    /// The resident answered; the conversation is on.
    Answered,
    /// The clerk finished.
    Done,
    /// Called twice without an answer.
    Missed,
    /// The resident left the queue.
    Left,
}

impl EntryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Called => "called",
            Self::Answered => "answered",
            Self::Done => "done",
            Self::Missed => "missed",
            Self::Left => "left",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "waiting" => Self::Waiting,
            "called" => Self::Called,
            "answered" => Self::Answered,
            "done" => Self::Done,
            "missed" => Self::Missed,
            "left" => Self::Left,
            _ => return None,
        })
    }
    /// Still in the queue or with a clerk.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Waiting | Self::Called | Self::Answered)
    }
}

/// A resident in the queue of a municipality.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueEntry {
    pub id: QueueEntryId,
    pub tenant_id: TenantId,
    pub service_id: ServiceId,
    /// The checked-in appointment; `None` for a walk-in.
    pub appointment_id: Option<AppointmentId>,
    /// The appointment's start; `None` for a walk-in.
    pub due_at: Option<Timestamp>,
    pub joined_at: Timestamp,
    pub resident_name: String,
    pub resident_phone: Option<String>,
    pub status: EntryStatus,
    pub clerk_id: Option<ClerkId>,
    pub room_id: Option<String>,
    pub called_at: Option<Timestamp>,
    pub first_called_at: Option<Timestamp>,
    pub answered_at: Option<Timestamp>,
    pub done_at: Option<Timestamp>,
    /// Went back to the head of the queue after an unanswered call (that happens once).
    pub requeued: bool,
    /// The clerk continued the conversation by phone (issue 15 item 5).
    pub by_phone_at: Option<Timestamp>,
}

impl QueueEntry {
    pub fn is_walk_in(&self) -> bool {
        self.due_at.is_none()
    }

    /// An appointment whose start has come.
    pub fn is_due(&self, now: Timestamp) -> bool {
        self.due_at.is_some_and(|due| due <= now)
    }

    /// Waiting while the appointment should already have started.
    pub fn is_late(&self, now: Timestamp) -> bool {
        self.status == EntryStatus::Waiting && self.due_at.is_some_and(|due| due < now)
    }
}

/// The queue rule, as a sort key: lower goes first.
///
/// 0. residents who did not answer a call go back to the head, in the order they were called;
/// 1. appointments that are due, in appointment order;
/// 2. walk-ins, first come, first served;
/// 3. appointments checked in early, in appointment order: served before their time only when
///    nobody else waits, and they move up to group 1 as soon as their time comes.
///
/// Ties break on the join time and then the id, so every clerk sees the same order.
fn rank(e: &QueueEntry, now: Timestamp) -> (u8, Timestamp, Timestamp, QueueEntryId) {
    match (e.requeued, e.due_at) {
        (true, _) => (
            0,
            e.first_called_at.unwrap_or(e.joined_at),
            e.joined_at,
            e.id,
        ),
        (false, Some(due)) if due <= now => (1, due, e.joined_at, e.id),
        (false, None) => (2, e.joined_at, e.joined_at, e.id),
        (false, Some(due)) => (3, due, e.joined_at, e.id),
    }
}

/// The waiting entries that `services` covers, in the order they are to be called. `None`
/// means every service (a resident's place counts everyone waiting for the same service).
pub fn queue_order<'a>(
    entries: impl IntoIterator<Item = &'a QueueEntry>,
    services: Option<&[ServiceId]>,
    now: Timestamp,
) -> Vec<&'a QueueEntry> {
    let mut waiting: Vec<&QueueEntry> = entries
        .into_iter()
        .filter(|e| e.status == EntryStatus::Waiting)
        .filter(|e| services.is_none_or(|s| s.contains(&e.service_id)))
        .collect();
    waiting.sort_by_key(|e| rank(e, now));
    waiting
}

/// What happens to a called entry nobody answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unanswered {
    /// Back to the head of the queue; the first time.
    BackToHead,
    /// Given up on; the second time.
    Missed,
}

/// `None` while the call may still be answered (or was answered, or is not a call).
pub fn unanswered(entry: &QueueEntry, now: Timestamp) -> Option<Unanswered> {
    let called_at = entry.called_at?;
    if entry.status != EntryStatus::Called || now < called_at + ANSWER_WITHIN {
        return None;
    }
    Some(if entry.requeued {
        Unanswered::Missed
    } else {
        Unanswered::BackToHead
    })
}

/// Why a resident cannot check in now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckInRefused {
    /// Check-in opens at this instant.
    TooEarly { opens_at: Timestamp },
    /// The appointment's grace period is over: it counts as a no-show.
    TooLate,
}

/// Check-in opens `window` before the start and closes `grace` after it.
pub fn check_in_allowed(
    start: Timestamp,
    window: SignedDuration,
    grace: SignedDuration,
    now: Timestamp,
) -> Result<(), CheckInRefused> {
    let opens_at = crate::domain::rooms::entry_opens(start, window);
    if now < opens_at {
        Err(CheckInRefused::TooEarly { opens_at })
    } else if now > start + grace {
        Err(CheckInRefused::TooLate)
    } else {
        Ok(())
    }
}

/// A booked appointment nobody checked in for becomes a no-show once the grace period is over.
pub fn is_no_show(
    start: Timestamp,
    grace: SignedDuration,
    checked_in: bool,
    now: Timestamp,
) -> bool {
    !checked_in && now > start + grace
}

/// The expected wait of a resident with `ahead` people before them: each of those takes the
/// average of the recent handling times (or the service's duration while there are none),
/// shared among the clerks who handle the service.
pub fn expected_wait(
    ahead: usize,
    recent_handling: &[SignedDuration],
    service_duration: SignedDuration,
    clerks: usize,
) -> SignedDuration {
    let per_resident = if recent_handling.is_empty() {
        service_duration
    } else {
        let total: i64 = recent_handling.iter().map(|d| d.as_secs().max(0)).sum();
        SignedDuration::from_secs(total / recent_handling.len() as i64)
    };
    let clerks = clerks.max(1) as i64;
    SignedDuration::from_secs(per_resident.as_secs() * ahead as i64 / clerks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(minute: i64) -> Timestamp {
        Timestamp::from_second(1_774_000_000 + minute * 60).unwrap()
    }

    fn entry(service: ServiceId, joined: i64, due: Option<i64>) -> QueueEntry {
        QueueEntry {
            id: QueueEntryId::new(),
            tenant_id: TenantId(uuid::Uuid::nil()),
            service_id: service,
            appointment_id: due.map(|_| AppointmentId::new()),
            due_at: due.map(at),
            joined_at: at(joined),
            resident_name: "Jan".into(),
            resident_phone: None,
            status: EntryStatus::Waiting,
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

    fn names(order: &[&QueueEntry], all: &[QueueEntry]) -> Vec<usize> {
        order
            .iter()
            .map(|e| all.iter().position(|x| x.id == e.id).unwrap())
            .collect()
    }

    #[test]
    fn due_appointments_then_walk_ins_then_early_check_ins() {
        let s = ServiceId::new();
        let now = at(100);
        let entries = vec![
            entry(s, 90, None),      // 0: walk-in, came first
            entry(s, 95, Some(110)), // 1: checked in early, due later
            entry(s, 92, Some(100)), // 2: due now
            entry(s, 91, None),      // 3: walk-in, second
            entry(s, 88, Some(95)),  // 4: due earlier, so before 2
            entry(s, 99, Some(105)), // 5: early, due before 1
        ];
        let order = queue_order(&entries, None, now);
        assert_eq!(names(&order, &entries), vec![4, 2, 0, 3, 5, 1]);
        // Ten minutes later entry 1 and 5 are due too and go before the walk-ins.
        let order = queue_order(&entries, None, at(110));
        assert_eq!(names(&order, &entries), vec![4, 2, 5, 1, 0, 3]);
    }

    #[test]
    fn a_clerk_gets_only_their_services_and_only_waiting_entries() {
        let (passport, debts) = (ServiceId::new(), ServiceId::new());
        let mut entries = vec![
            entry(debts, 1, None),
            entry(passport, 2, None),
            entry(passport, 3, None),
        ];
        entries[1].status = EntryStatus::Called;
        let order = queue_order(&entries, Some(&[passport]), at(10));
        assert_eq!(names(&order, &entries), vec![2]);
        assert!(queue_order(&entries, Some(&[]), at(10)).is_empty());
    }

    #[test]
    fn an_unanswered_call_goes_back_to_the_head_once_then_is_missed() {
        let s = ServiceId::new();
        let mut e = entry(s, 0, None);
        e.status = EntryStatus::Called;
        e.called_at = Some(at(10));
        let answer_by = at(10) + ANSWER_WITHIN;
        assert_eq!(
            unanswered(&e, answer_by - SignedDuration::from_secs(1)),
            None
        );
        assert_eq!(unanswered(&e, answer_by), Some(Unanswered::BackToHead));
        e.requeued = true;
        assert_eq!(unanswered(&e, answer_by), Some(Unanswered::Missed));
        e.status = EntryStatus::Answered;
        assert_eq!(unanswered(&e, at(100)), None);

        // The requeued entry goes before a due appointment and an earlier walk-in.
        let mut back = entry(s, 5, None);
        back.requeued = true;
        back.first_called_at = Some(at(10));
        let entries = vec![entry(s, 1, None), entry(s, 2, Some(3)), back];
        let order = queue_order(&entries, None, at(12));
        assert_eq!(names(&order, &entries), vec![2, 1, 0]);
    }

    #[test]
    fn check_in_opens_before_the_start_and_closes_after_the_grace() {
        let start = at(60);
        let window = SignedDuration::from_mins(15);
        let grace = SignedDuration::from_mins(10);
        assert_eq!(
            check_in_allowed(start, window, grace, at(44)),
            Err(CheckInRefused::TooEarly { opens_at: at(45) })
        );
        assert_eq!(check_in_allowed(start, window, grace, at(45)), Ok(()));
        assert_eq!(check_in_allowed(start, window, grace, at(70)), Ok(()));
        assert_eq!(
            check_in_allowed(start, window, grace, at(71)),
            Err(CheckInRefused::TooLate)
        );
    }

    #[test]
    fn no_show_after_the_grace_unless_checked_in() {
        let grace = SignedDuration::from_mins(15);
        assert!(!is_no_show(at(0), grace, false, at(15)));
        assert!(is_no_show(at(0), grace, false, at(16)));
        assert!(!is_no_show(at(0), grace, true, at(100)));
    }

    #[test]
    fn expected_wait_uses_recent_calls_or_the_service_duration() {
        let twenty = SignedDuration::from_mins(20);
        assert_eq!(
            expected_wait(3, &[], twenty, 1),
            SignedDuration::from_mins(60)
        );
        assert_eq!(
            expected_wait(3, &[], twenty, 2),
            SignedDuration::from_mins(30)
        );
        let recent = [SignedDuration::from_mins(4), SignedDuration::from_mins(8)];
        assert_eq!(
            expected_wait(2, &recent, twenty, 1),
            SignedDuration::from_mins(12)
        );
        assert_eq!(expected_wait(0, &recent, twenty, 0), SignedDuration::ZERO);
    }

    proptest! {
        /// For any mix of entries: requeued first, then due appointments by start, then walk-ins
        /// by arrival, then early check-ins by start; nothing lost, nothing doubled.
        #[test]
        fn order_follows_the_rule(
            specs in prop::collection::vec((0i64..50, prop::option::of(0i64..100), any::<bool>()), 0..30),
            now in 0i64..100,
        ) {
            let s = ServiceId::new();
            let entries: Vec<QueueEntry> = specs.iter().map(|&(joined, due, requeued)| {
                let mut e = entry(s, joined, due);
                if requeued {
                    e.requeued = true;
                    e.first_called_at = Some(at(joined + 1));
                }
                e
            }).collect();
            let now = at(now);
            let order = queue_order(&entries, None, now);
            prop_assert_eq!(order.len(), entries.len());
            let group = |e: &QueueEntry| match (e.requeued, e.due_at) {
                (true, _) => 0,
                (false, Some(d)) if d <= now => 1,
                (false, None) => 2,
                (false, Some(_)) => 3,
            };
            for pair in order.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                prop_assert!(group(a) <= group(b));
                if group(a) == group(b) {
                    match group(a) {
                        0 => prop_assert!(a.first_called_at <= b.first_called_at),
                        1 | 3 => prop_assert!(a.due_at <= b.due_at),
                        _ => prop_assert!(a.joined_at <= b.joined_at),
                    }
                }
            }
        }
    }
}
