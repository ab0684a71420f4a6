//! The queue as a clerk's work list (issue 21 item 2, issue 16 item 9): take one particular
//! resident out of order with a reason, hand a resident to a colleague or to another service's
//! queue with a note, and mark a waiting resident as a no-show. Each act is written to
//! `queue_entry_events` with the clerk and the reason or note; the default order stays
//! `domain::queue::queue_order`.

use crate::auth::SessionClaims;
use crate::domain::clerk_status::Event;
use crate::domain::ids::{ClerkId, ServiceId};
use crate::domain::queue::{EntryStatus, QueueEntry, QueueEntryId};
use crate::domain::text::{FreeText, Lines};
use crate::error::{Conflict, Error, Result};
use crate::store::EntryEvent;
pub use crate::store::Handover;
use crate::App;

/// The longest reason or hand-over note, in characters.
pub const NOTE_MAX: usize = 500;

fn note(raw: &str, pointer: &str, required: bool) -> Result<String> {
    let parsed = if required {
        Some(FreeText::parse(raw, Lines::Many, NOTE_MAX).map_err(|p| p.at(pointer))?)
    } else {
        FreeText::optional(raw, Lines::Many, NOTE_MAX).map_err(|p| p.at(pointer))?
    };
    Ok(parsed.map(FreeText::into_string).unwrap_or_default())
}

/// Takes one particular waiting resident, out of the default order, saying why. Two clerks
/// taking the same resident at once: the database lets one win (`Db::take_queue_entry`), the
/// other gets `Conflict::TakenByColleague`.
pub async fn take(
    app: &App,
    claims: &SessionClaims,
    id: QueueEntryId,
    reason: &str,
) -> Result<QueueEntry> {
    let reason = note(reason, "/reason", true)?;
    let tenant = app.db.tenant(claims.tenant).await?;
    crate::usecases::queue::settle_unanswered(app, &tenant).await?;
    let entry = crate::usecases::desk::queue_entry(app, claims, id).await?;
    crate::usecases::clerk_status::ensure_may_call(app, claims).await?;
    let now = app.clock.now();
    if !app
        .db
        .take_queue_entry(tenant.id, id, claims.sub, now)
        .await?
    {
        let again = app.db.queue_entry(tenant.id, id).await?;
        return Err(Error::Conflict(match again.clerk_id {
            Some(other) if other != claims.sub && again.status.is_open() => {
                Conflict::TakenByColleague
            }
            _ => Conflict::NoLongerWaiting,
        }));
    }
    app.db
        .append_entry_event(&EntryEvent {
            tenant_id: tenant.id,
            entry_id: entry.id,
            clerk_id: claims.sub,
            kind: "taken",
            note: reason,
            to_clerk: None,
            to_service: None,
            at: now,
        })
        .await?;
    tracing::info!(entry = %id, clerk = %claims.sub, "took a resident out of order");
    crate::usecases::clerk_status::record(app, tenant.id, claims.sub, Event::CallStarted).await?;
    app.events.publish(&app.db, tenant.id).await;
    app.db.queue_entry(tenant.id, id).await
}

/// Where a resident is handed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandTo {
    Colleague(ClerkId),
    Service(ServiceId),
}

impl HandTo {
    /// Where a hand-over goes, from the ids a form or request gives: exactly one of a
    /// colleague and a service.
    pub fn parse(to_clerk: Option<&str>, to_service: Option<&str>) -> Result<Self> {
        let id = |raw: &str, pointer: &str| -> Result<uuid::Uuid> {
            raw.trim().parse().map_err(|_| {
                Error::invalid(
                    pointer,
                    "Kies een collega of een wachtrij uit de lijst.",
                    "Choose a colleague or a queue from the list.",
                )
            })
        };
        match (
            to_clerk.filter(|s| !s.trim().is_empty()),
            to_service.filter(|s| !s.trim().is_empty()),
        ) {
            (Some(c), None) => Ok(Self::Colleague(ClerkId(id(c, "/to_clerk")?))),
            (None, Some(s)) => Ok(Self::Service(ServiceId(id(s, "/to_service")?))),
            _ => Err(Error::invalid(
                "/to_clerk",
                "Kies een collega óf een andere wachtrij.",
                "Choose a colleague or another queue, not both.",
            )),
        }
    }
}

/// Hands a resident the clerk has (called or in the call), or one who waits for a service the
/// clerk handles, to a colleague (who gets them first) or to another service's queue. The
/// resident keeps the time they joined; the note is shown to the receiver.
pub async fn hand_over(
    app: &App,
    claims: &SessionClaims,
    id: QueueEntryId,
    to: HandTo,
    raw_note: &str,
) -> Result<QueueEntry> {
    let text = note(raw_note, "/note", false)?;
    let tenant = app.db.tenant(claims.tenant).await?;
    crate::usecases::queue::settle_unanswered(app, &tenant).await?;
    let entry = crate::usecases::desk::queue_entry(app, claims, id).await?;
    let (to_clerk, to_service) = match to {
        HandTo::Colleague(colleague) => {
            let clerk = app
                .db
                .clerks(tenant.id)
                .await?
                .into_iter()
                .find(|c| c.id == colleague && c.id != claims.sub)
                .ok_or_else(|| {
                    Error::invalid(
                        "/to_clerk",
                        "Kies een collega uit de lijst.",
                        "Choose a colleague from the list.",
                    )
                })?;
            if !clerk.services.contains(&entry.service_id) {
                return Err(Error::invalid(
                    "/to_clerk",
                    "Deze collega behandelt dit onderwerp niet; kies een ander of een andere wachtrij.",
                    "This colleague does not handle this service; choose another or another queue.",
                ));
            }
            (Some(colleague), None)
        }
        HandTo::Service(service) => {
            let service = app
                .db
                .services(tenant.id)
                .await?
                .into_iter()
                .find(|s| s.id == service);
            match service {
                Some(s) if s.id != entry.service_id => (None, Some(s.id)),
                _ => {
                    return Err(Error::invalid(
                        "/to_service",
                        "Kies een ander onderwerp uit de lijst.",
                        "Choose another service from the list.",
                    ))
                }
            }
        }
    };
    let moved = match entry.status {
        EntryStatus::Called | EntryStatus::Answered if entry.clerk_id == Some(claims.sub) => {
            app.db
                .hand_back_entry(tenant.id, id, claims.sub, to_service)
                .await?
        }
        EntryStatus::Waiting => match to_service {
            Some(service) => app.db.move_waiting_entry(tenant.id, id, service).await?,
            None => true,
        },
        _ => false,
    };
    if !moved {
        return Err(Conflict::NotInCallWithYou.into());
    }
    let now = app.clock.now();
    app.db
        .append_entry_event(&EntryEvent {
            tenant_id: tenant.id,
            entry_id: id,
            clerk_id: claims.sub,
            kind: "handed_over",
            note: text,
            to_clerk,
            to_service,
            at: now,
        })
        .await?;
    tracing::info!(entry = %id, clerk = %claims.sub, ?to, "handed a resident over");
    if entry.clerk_id == Some(claims.sub) && entry.status != EntryStatus::Waiting {
        crate::usecases::clerk_status::record(app, tenant.id, claims.sub, Event::CallEnded).await?;
    }
    app.events.publish(&app.db, tenant.id).await;
    app.db.queue_entry(tenant.id, id).await
}

/// A waiting resident the clerk marks as not there (e.g. did not react on the phone either).
pub async fn mark_no_show(
    app: &App,
    claims: &SessionClaims,
    id: QueueEntryId,
) -> Result<QueueEntry> {
    let tenant = app.db.tenant(claims.tenant).await?;
    crate::usecases::desk::queue_entry(app, claims, id).await?;
    let now = app.clock.now();
    if !app.db.mark_entry_no_show(tenant.id, id, now).await? {
        return Err(Conflict::NoLongerWaiting.into());
    }
    app.db
        .append_entry_event(&EntryEvent {
            tenant_id: tenant.id,
            entry_id: id,
            clerk_id: claims.sub,
            kind: "no_show",
            note: String::new(),
            to_clerk: None,
            to_service: None,
            at: now,
        })
        .await?;
    tracing::info!(entry = %id, clerk = %claims.sub, "marked as no-show");
    app.events.publish(&app.db, tenant.id).await;
    app.db.queue_entry(tenant.id, id).await
}

/// The latest hand-over of each open entry of the clerk's municipality.
pub async fn handovers(app: &App, tenant: crate::domain::ids::TenantId) -> Result<Vec<Handover>> {
    app.db.open_handovers(tenant).await
}

/// What clerks did with one entry, oldest first: (kind, clerk, reason or note). For the
/// clerk's pages and the tests; the entry must be one the clerk may act on.
pub async fn history(
    app: &App,
    claims: &SessionClaims,
    id: QueueEntryId,
) -> Result<Vec<(String, ClerkId, String)>> {
    crate::usecases::desk::queue_entry(app, claims, id).await?;
    app.db.entry_events(claims.tenant, id).await
}

/// Puts the entries handed to `clerk` first (most recently handed last among them), keeping
/// the default order otherwise; entries handed to another clerk stay where they are.
pub fn handed_first(
    entries: Vec<QueueEntry>,
    handovers: &[Handover],
    clerk: ClerkId,
) -> Vec<QueueEntry> {
    let (mine, rest): (Vec<QueueEntry>, Vec<QueueEntry>) = entries.into_iter().partition(|e| {
        e.status == EntryStatus::Waiting
            && handovers
                .iter()
                .any(|h| h.entry_id == e.id && h.to_clerk == Some(clerk))
    });
    mine.into_iter().chain(rest).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::TenantId;

    fn entry(name: &str, joined: i64) -> QueueEntry {
        QueueEntry {
            id: QueueEntryId::new(),
            tenant_id: TenantId::new(),
            service_id: ServiceId::new(),
            appointment_id: None,
            due_at: None,
            joined_at: jiff::Timestamp::from_second(1_774_000_000 + joined).unwrap(),
            resident_name: name.into(),
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

    #[test]
    fn entries_handed_to_me_come_first_others_keep_their_order() {
        let (me, colleague) = (ClerkId::new(), ClerkId::new());
        let entries = vec![entry("a", 0), entry("b", 1), entry("c", 2), entry("d", 3)];
        let handover = |e: &QueueEntry, to| Handover {
            entry_id: e.id,
            from_clerk: colleague,
            to_clerk: Some(to),
            to_service: None,
            note: String::new(),
            at: e.joined_at,
        };
        let handovers = [handover(&entries[2], me), handover(&entries[3], colleague)];
        let names: Vec<String> = handed_first(entries, &handovers, me)
            .into_iter()
            .map(|e| e.resident_name)
            .collect();
        assert_eq!(names, ["c", "a", "b", "d"]);
    }

    #[test]
    fn a_hand_over_goes_to_a_colleague_or_a_service_not_both() {
        let c = ClerkId::new().to_string();
        let s = ServiceId::new().to_string();
        assert!(matches!(
            HandTo::parse(Some(&c), None),
            Ok(HandTo::Colleague(_))
        ));
        assert!(matches!(
            HandTo::parse(Some(""), Some(&s)),
            Ok(HandTo::Service(_))
        ));
        assert!(HandTo::parse(Some(&c), Some(&s)).is_err());
        assert!(HandTo::parse(None, None).is_err());
        assert!(HandTo::parse(Some("geen-id"), None).is_err());
    }
}
