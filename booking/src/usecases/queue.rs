//! Queue use cases: check in with the personal link, walk in, call the next resident, answer,
//! finish, and the views residents and clerks get. The rules are in `queue`; this file reads
//! and writes through `store` around them.

use crate::auth::SessionClaims;
use crate::domain::appointment::{Appointment, AppointmentStatus};
use crate::domain::callback::{CallbackId, CallbackRequest, PartOfDay};
use crate::domain::catalog::Service;
use crate::domain::ids::{AppointmentId, ServiceId, TenantId};
use crate::domain::personal_link::PersonalToken;
use crate::domain::queue::{
    self, CheckInRefused, EntryStatus, QueueEntry, QueueEntryId, Unanswered,
};
use crate::domain::rooms::{self, RoomGrant};
use crate::domain::tenant::Tenant;
use crate::domain::text::{PersonName, PhoneNumber};
use crate::error::{Conflict, CountedBy, Error, Flood, Result};
use crate::App;
use jiff::{SignedDuration, Timestamp};

/// The token a resident follows a queue entry with. It is made and checked exactly like the
/// personal link (256 random bits, only the SHA-256 stored); a checked-in appointment's entry is
/// followed with the personal link itself, so the resident has one link for everything.
pub type EntryToken = PersonalToken;

/// Tells everyone following the municipality's queue that it changed; after the change is
/// committed, so a follower who reads the queue then sees it.
async fn changed(app: &App, tenant: TenantId) {
    app.events.publish(&app.db, tenant).await;
}

/// Joins the queue with a booked appointment. Checking in twice gives the same entry; checking
/// in after leaving the queue joins it again, while check-in is still open.
pub async fn check_in(
    app: &App,
    tenant: &Tenant,
    appointment: &Appointment,
    token: &PersonalToken,
) -> Result<QueueEntry> {
    if appointment.status == AppointmentStatus::Cancelled {
        return Err(Conflict::AppointmentCancelled.into());
    }
    let existing = app.db.queue_entry_for_appointment(appointment.id).await?;
    if let Some(existing) = existing.as_ref().filter(|e| e.status != EntryStatus::Left) {
        return Ok(existing.clone());
    }
    let now = app.clock.now();
    let settings = app.db.queue_settings(tenant.id).await?;
    queue::check_in_allowed(
        appointment.start,
        settings.check_in_window,
        settings.no_show_grace,
        now,
    )
    .map_err(|refused| match refused {
        CheckInRefused::TooEarly { opens_at } => Conflict::CheckInNotOpenYet {
            opens_in_words: crate::usecases::booking::when_in_words(tenant, opens_at),
            opens_at: opens_at.to_string(),
        },
        CheckInRefused::TooLate => Conflict::CheckInClosed,
    })?;
    if let Some(left) = existing {
        // The appointment has one entry (and the personal link one token), so it is reused.
        if app.db.rejoin_queue_entry(left.id, now).await? {
            tracing::info!(entry = %left.id, "checked in again after leaving");
            changed(app, tenant.id).await;
        }
        return app.db.queue_entry(tenant.id, left.id).await;
    }
    let entry = QueueEntry {
        id: QueueEntryId::new(),
        tenant_id: tenant.id,
        service_id: appointment.service_id,
        appointment_id: Some(appointment.id),
        due_at: Some(appointment.start),
        joined_at: now,
        resident_name: appointment.resident.name.clone(),
        resident_phone: appointment.resident.phone().map(ToString::to_string),
        status: EntryStatus::Waiting,
        clerk_id: None,
        room_id: None,
        called_at: None,
        first_called_at: None,
        answered_at: None,
        done_at: None,
        requeued: false,
        by_phone_at: None,
    };
    if app.db.insert_queue_entry(&entry, &token.hash()).await? {
        tracing::info!(entry = %entry.id, appointment = %appointment.id, "checked in");
        changed(app, tenant.id).await;
        return Ok(entry);
    }
    // A concurrent check-in with the same link won; both answers show that entry.
    app.db
        .queue_entry_for_appointment(appointment.id)
        .await?
        .ok_or(Error::Internal("check-in lost its entry".into()))
}

/// A walk-in as the resident fills it in.
#[derive(Clone, Debug)]
pub struct WalkInRequest {
    pub service_id: ServiceId,
    pub name: String,
    pub phone: Option<String>,
}

impl WalkInRequest {
    /// Counts this walk-in against the limits on anonymous actions: per client address and per
    /// phone number (`Error::TooMany` once over).
    pub fn count(&self, app: &App, client: Option<std::net::IpAddr>) -> Result<()> {
        let phone: Vec<_> = self
            .phone
            .iter()
            .map(|p| (CountedBy::Phone, p.as_str()))
            .collect();
        app.limits.check(Flood::WalkIns, client, &phone)
    }

    pub fn parse(service_id: ServiceId, name: &str, phone: Option<&str>) -> Result<Self> {
        let phone = phone
            .filter(|p| !p.trim().is_empty())
            .map(PhoneNumber::parse)
            .transpose()
            .map_err(|p| p.at("/phone"))?
            .map(PhoneNumber::into_string);
        Ok(Self {
            service_id,
            name: PersonName::parse(name)
                .map_err(|p| p.at("/name"))?
                .into_string(),
            phone,
        })
    }
}

/// Joins the queue without an appointment, where the municipality takes walk-ins. The token is
/// shown once; only its hash is kept.
pub async fn walk_in(
    app: &App,
    tenant: &Tenant,
    request: WalkInRequest,
) -> Result<(QueueEntry, EntryToken)> {
    if !tenant.walk_ins_allowed {
        return Err(Conflict::NoWalkIns {
            municipality: tenant.name.clone(),
        }
        .into());
    }
    let service =
        crate::usecases::booking::offered_service(app, tenant.id, request.service_id).await?;
    // Only while someone who handles the service works now: a walk-in at night would wait
    // for nobody.
    if let crate::usecases::callbacks::WalkInHours::Closed { opens_next } =
        crate::usecases::callbacks::walk_in_hours(app, tenant, service.id).await?
    {
        return Err(crate::usecases::callbacks::walk_in_closed(
            tenant, opens_next,
        ));
    }
    let token = EntryToken::generate();
    let entry = QueueEntry {
        id: QueueEntryId::new(),
        tenant_id: tenant.id,
        service_id: service.id,
        appointment_id: None,
        due_at: None,
        joined_at: app.clock.now(),
        resident_name: request.name,
        resident_phone: request.phone,
        status: EntryStatus::Waiting,
        clerk_id: None,
        room_id: None,
        called_at: None,
        first_called_at: None,
        answered_at: None,
        done_at: None,
        requeued: false,
        by_phone_at: None,
    };
    if !app.db.insert_queue_entry(&entry, &token.hash()).await? {
        return Err(Error::Internal("a fresh queue token collided".into()));
    }
    tracing::info!(entry = %entry.id, "walk-in joined the queue");
    changed(app, tenant.id).await;
    Ok((entry, token))
}

/// Applies the answer deadline to every call of the municipality that has run out: back to the
/// head once, then missed. Run before anyone takes from the queue, so the queue is right at
/// every look without a background timer, and on every server instance. Reads only the calls
/// whose deadline passed, not the queue; `true` when one was settled.
pub async fn settle_overdue(app: &App, tenant: &Tenant) -> Result<bool> {
    let now = app.clock.now();
    let overdue = app
        .db
        .unanswered_calls(tenant.id, now - queue::ANSWER_WITHIN)
        .await?;
    let mut settled = false;
    for entry in &overdue {
        let (Some(outcome), Some(called_at)) = (queue::unanswered(entry, now), entry.called_at)
        else {
            continue;
        };
        settled |= match outcome {
            Unanswered::BackToHead => app.db.requeue_unanswered(entry.id, called_at).await?,
            Unanswered::Missed => app.db.mark_missed(entry.id, called_at).await?,
        };
        tracing::info!(entry = %entry.id, ?outcome, "call was not answered");
    }
    if settled {
        changed(app, tenant.id).await;
    }
    Ok(settled)
}

/// Settles the calls that ran out (see `settle_overdue`), then reads everyone waiting or with
/// a clerk, for the views that show the whole queue.
pub async fn settle_unanswered(app: &App, tenant: &Tenant) -> Result<Vec<QueueEntry>> {
    settle_overdue(app, tenant).await?;
    app.db.open_queue(tenant.id).await
}

/// The municipality's open entries as the clerks see them: waiting ones in calling order, then
/// those with a clerk. Not logged here: `desk::queue` logs a clerk opening the list, while the
/// live updates that follow read this too.
pub async fn clerk_queue(app: &App, tenant: &Tenant) -> Result<Vec<QueueEntry>> {
    let open = settle_unanswered(app, tenant).await?;
    let now = app.clock.now();
    let waiting: Vec<QueueEntry> = queue::queue_order(&open, None, now)
        .into_iter()
        .cloned()
        .collect();
    Ok(waiting
        .into_iter()
        .chain(
            open.iter()
                .filter(|e| e.status != EntryStatus::Waiting)
                .cloned(),
        )
        .collect())
}

async fn clerk_services(app: &App, claims: &SessionClaims) -> Result<Vec<ServiceId>> {
    Ok(app
        .db
        .clerks(claims.tenant)
        .await?
        .into_iter()
        .find(|c| c.id == claims.sub)
        .ok_or(Error::Unauthenticated)?
        .services)
}

/// How many candidates one round of `call_next` reads: enough that clerks calling at the same
/// moment each find one not yet taken.
const CANDIDATES_PER_ROUND: i64 = 8;

/// Gives the clerk the first resident in queue order for the clerk's services. When another
/// clerk takes that resident at the same moment, the database refuses the second taker, who
/// moves on to the next candidate. `None` when nobody waits for this clerk.
pub async fn call_next(app: &App, claims: &SessionClaims) -> Result<Option<QueueEntry>> {
    let tenant = app.db.tenant(claims.tenant).await?;
    let services = clerk_services(app, claims).await?;
    crate::usecases::clerk_status::ensure_may_call(app, claims).await?;
    // Each round asks the database for the next few candidates in queue order (not the
    // whole queue). A round only ends without a winner when every candidate was taken by
    // others meanwhile; rounds are cheap, so there are enough for many clerks calling at once.
    for _ in 0..25 {
        settle_overdue(app, &tenant).await?;
        let now = app.clock.now();
        // Residents a colleague handed to this clerk come first; those handed to another
        // clerk wait for that clerk. Otherwise the one ordering rule decides (in SQL).
        let handovers = crate::usecases::worklist::handovers(app, tenant.id).await?;
        let mut mine = Vec::new();
        for h in handovers.iter().filter(|h| h.to_clerk == Some(claims.sub)) {
            let entry = app.db.queue_entry(tenant.id, h.entry_id).await?;
            if entry.status == EntryStatus::Waiting {
                mine.push(entry);
            }
        }
        let handed_to_other = |e: &QueueEntry| {
            handovers
                .iter()
                .any(|h| h.entry_id == e.id && h.to_clerk.is_some_and(|to| to != claims.sub))
        };
        // Enough rows that those handed to others cannot crowd out the rest.
        let limit = CANDIDATES_PER_ROUND + handovers.len() as i64;
        let rest: Vec<QueueEntry> = app
            .db
            .queue_candidates(tenant.id, &services, now, limit)
            .await?
            .into_iter()
            .filter(|e| !handed_to_other(e) && !mine.iter().any(|m: &QueueEntry| m.id == e.id))
            .collect();
        let candidates: Vec<QueueEntry> = mine.into_iter().chain(rest).collect();
        if candidates.is_empty() {
            return Ok(None);
        }
        for candidate in candidates {
            if app
                .db
                .take_queue_entry(tenant.id, candidate.id, claims.sub, now)
                .await?
            {
                tracing::info!(entry = %candidate.id, clerk = %claims.sub, "called next");
                crate::usecases::clerk_status::record(
                    app,
                    tenant.id,
                    claims.sub,
                    crate::domain::clerk_status::Event::CallStarted,
                )
                .await?;
                changed(app, tenant.id).await;
                return app.db.queue_entry(tenant.id, candidate.id).await.map(Some);
            }
        }
    }
    Err(Conflict::EveryoneTakenMeanwhile.into())
}

/// Takes one particular waiting resident, e.g. a walk-in with a question that fits this clerk.
/// An entry of a service the clerk does not handle is "not found".
pub async fn call(app: &App, claims: &SessionClaims, id: QueueEntryId) -> Result<QueueEntry> {
    let tenant = app.db.tenant(claims.tenant).await?;
    settle_overdue(app, &tenant).await?;
    crate::usecases::desk::queue_entry(app, claims, id).await?;
    crate::usecases::clerk_status::ensure_may_call(app, claims).await?;
    if !app
        .db
        .take_queue_entry(tenant.id, id, claims.sub, app.clock.now())
        .await?
    {
        return Err(Conflict::NoLongerWaiting.into());
    }
    crate::usecases::clerk_status::record(
        app,
        tenant.id,
        claims.sub,
        crate::domain::clerk_status::Event::CallStarted,
    )
    .await?;
    changed(app, tenant.id).await;
    app.db.queue_entry(tenant.id, id).await
}

/// The resident answers the call (opens the video room).
pub async fn answer(app: &App, entry: &QueueEntry) -> Result<QueueEntry> {
    let tenant = app.db.tenant(entry.tenant_id).await?;
    settle_overdue(app, &tenant).await?;
    if !app.db.answer_queue_entry(entry.id, app.clock.now()).await? {
        return Err(Conflict::NotBeingCalled.into());
    }
    changed(app, tenant.id).await;
    app.db.queue_entry(tenant.id, entry.id).await
}

/// The resident leaves the queue, while waiting or when called and not wanting to answer. The
/// people behind move up at once.
pub async fn leave(app: &App, entry: &QueueEntry) -> Result<QueueEntry> {
    let tenant = app.db.tenant(entry.tenant_id).await?;
    settle_overdue(app, &tenant).await?;
    if !app.db.leave_queue_entry(entry.id, app.clock.now()).await? {
        let now = app.db.queue_entry(tenant.id, entry.id).await?;
        return Err(Error::Conflict(match now.status {
            EntryStatus::Answered => Conflict::InConversation,
            _ => Conflict::NotInQueue,
        }));
    }
    tracing::info!(entry = %entry.id, "left the queue");
    changed(app, tenant.id).await;
    app.db.queue_entry(tenant.id, entry.id).await
}

/// The clerk is done with the resident.
pub async fn finish(app: &App, claims: &SessionClaims, id: QueueEntryId) -> Result<QueueEntry> {
    // An entry of a service the clerk does not handle is "not found", as another tenant's.
    crate::usecases::desk::queue_entry(app, claims, id).await?;
    if !app
        .db
        .finish_queue_entry(claims.tenant, id, claims.sub, app.clock.now())
        .await?
    {
        // Not found for another tenant's entry; a conflict for one that is not this clerk's call.
        app.db.queue_entry(claims.tenant, id).await?;
        return Err(Conflict::NotInCallWithYou.into());
    }
    crate::usecases::clerk_status::record(
        app,
        claims.tenant,
        claims.sub,
        crate::domain::clerk_status::Event::CallEnded,
    )
    .await?;
    changed(app, claims.tenant).await;
    app.db.queue_entry(claims.tenant, id).await
}

/// The clerk continues the conversation by phone (the video call did not connect, or was too
/// poor): the entry is done, as after "end the conversation", and marked, so the resident's
/// page says the clerk calls them. Marking twice changes nothing.
pub async fn continue_by_phone(
    app: &App,
    claims: &SessionClaims,
    id: QueueEntryId,
) -> Result<QueueEntry> {
    crate::usecases::desk::queue_entry(app, claims, id).await?;
    if !app
        .db
        .continue_queue_entry_by_phone(claims.tenant, id, claims.sub, app.clock.now())
        .await?
    {
        let entry = app.db.queue_entry(claims.tenant, id).await?;
        if entry.by_phone_at.is_some() && entry.clerk_id == Some(claims.sub) {
            return Ok(entry);
        }
        return Err(Conflict::NotInCallWithYou.into());
    }
    tracing::info!(entry = %id, "continued by phone");
    changed(app, claims.tenant).await;
    app.db.queue_entry(claims.tenant, id).await
}

/// Where a waiting resident stands: 1 is next for that service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub place: usize,
    pub expected_wait: SignedDuration,
}

/// The municipality's queue at one moment, read once after a change and shared by every live
/// view of it (issue 20): 2,000 residents following one queue cost one read per change, not
/// 2,000. The same rules as `clerk_queue` and `standing`.
pub struct QueueSnapshot {
    pub tenant: Tenant,
    /// When it was read; the views' times are relative to this.
    pub now: Timestamp,
    /// Waiting residents in calling order, then those with a clerk (as `clerk_queue`).
    pub clerk_queue: Vec<QueueEntry>,
    /// Every service of the municipality (a view names the entry's service).
    pub services: Vec<Service>,
    pub open_callbacks: usize,
    places: std::collections::HashMap<QueueEntryId, Place>,
}

impl QueueSnapshot {
    /// The open entry, or `None` once it left the queue (then read it with `entry`).
    pub fn open_entry(&self, id: QueueEntryId) -> Option<&QueueEntry> {
        self.clerk_queue.iter().find(|e| e.id == id)
    }

    /// Where a waiting entry stands among everyone waiting for its service.
    pub fn place(&self, id: QueueEntryId) -> Option<Place> {
        self.places.get(&id).copied()
    }
}

/// Reads the municipality's queue once (after settling the calls that ran out) with what every
/// live view of it needs.
pub async fn snapshot(app: &App, tenant: TenantId) -> Result<QueueSnapshot> {
    let tenant = app.db.tenant(tenant).await?;
    let clerk_queue = clerk_queue(app, &tenant).await?;
    let services = app.db.services(tenant.id).await?;
    let clerks = app.db.clerks(tenant.id).await?;
    let open_callbacks = open_callback_count(app, tenant.id).await?;
    let now = app.clock.now();
    // Paused clerks do not count for the expected wait: they call nobody in.
    let finishing_max = app.db.finishing_max(tenant.id).await?;
    let statuses = app.db.current_statuses(tenant.id).await?;
    let at_work = |clerk: &crate::domain::catalog::Clerk| {
        crate::domain::clerk_status::current(
            statuses.iter().find(|p| p.clerk_id == clerk.id),
            finishing_max,
            now,
        )
        .status
        .at_work()
    };
    let mut places = std::collections::HashMap::new();
    for service in &services {
        let order = queue::queue_order(&clerk_queue, Some(&[service.id]), now);
        if order.is_empty() {
            continue;
        }
        let recent = app
            .db
            .recent_handling_times(service.id, queue::RECENT_CALLS)
            .await?;
        let handling = clerks
            .iter()
            .filter(|c| c.services.contains(&service.id) && at_work(c))
            .count();
        for (ahead, entry) in order.iter().enumerate() {
            let expected_wait = queue::expected_wait(
                ahead,
                &recent,
                SignedDuration::from_mins(service.duration_minutes),
                handling,
            );
            places.insert(
                entry.id,
                Place {
                    place: ahead + 1,
                    expected_wait,
                },
            );
        }
    }
    Ok(QueueSnapshot {
        tenant,
        now,
        clerk_queue,
        services,
        open_callbacks,
        places,
    })
}

/// An entry of the municipality's queue; another municipality's is "not found".
pub async fn entry(app: &App, tenant: TenantId, id: QueueEntryId) -> Result<QueueEntry> {
    app.db.queue_entry(tenant, id).await
}

/// The entry a resident's token (personal link or walk-in token) stands for, with its
/// municipality; an unknown token is "not found".
pub async fn entry_by_token(app: &App, raw: &str) -> Result<(Tenant, QueueEntry)> {
    let token = EntryToken::parse(raw).ok_or(Error::NotFound("queue entry"))?;
    let entry = app.db.queue_entry_by_token(&token.hash()).await?;
    let tenant = app.db.tenant(entry.tenant_id).await?;
    Ok((tenant, entry))
}

/// Where a resident stands now: the entry after settling unanswered calls, its service, and
/// the place and expected wait while waiting.
pub struct Standing {
    pub entry: QueueEntry,
    pub service: Service,
    pub place: Option<Place>,
}

pub async fn standing(app: &App, tenant: &Tenant, entry: QueueEntryId) -> Result<Standing> {
    let open = settle_unanswered(app, tenant).await?;
    // Read back after settling: the entry may just have gone back to the queue or been missed.
    let entry = match open.iter().find(|e| e.id == entry) {
        Some(e) => e.clone(),
        None => app.db.queue_entry(tenant.id, entry).await?,
    };
    let service = app.db.service(tenant.id, entry.service_id).await?;
    let place = place(app, &open, &entry, &service, app.clock.now()).await?;
    Ok(Standing {
        entry,
        service,
        place,
    })
}

/// One callback request the clerk may handle; another municipality's, or one for a service
/// the clerk does not handle, is "not found".
pub async fn callback(
    app: &App,
    claims: &SessionClaims,
    id: CallbackId,
) -> Result<CallbackRequest> {
    let request = app.db.callback(claims.tenant, id).await?;
    crate::usecases::desk::ensure_handles(app, claims, request.service_id, false, "callback")
        .await?;
    Ok(request)
}

/// How many callback requests are still open, for the clerk's live queue.
pub async fn open_callback_count(app: &App, tenant: TenantId) -> Result<usize> {
    Ok(app.db.open_callbacks(tenant).await?.len())
}

/// The ticket into a queue call's room for the clerk who called the entry.
pub async fn clerk_room_grant(
    app: &App,
    claims: &SessionClaims,
    id: QueueEntryId,
) -> Result<RoomGrant> {
    let tenant = app.db.tenant(claims.tenant).await?;
    let entry = crate::usecases::desk::queue_entry(app, claims, id).await?;
    let name = crate::usecases::desk::clerk_name(app, claims).await?;
    let caller = rooms::QueueCaller::Clerk {
        id: claims.sub,
        name: &name,
    };
    let grant = rooms::queue_grant(&entry, caller, tenant.slug.as_str(), app.clock.now())?;
    tracing::info!(clerk = %claims.sub, entry = %entry.id, "room token issued for a queue call");
    Ok(grant)
}

/// The place of a waiting entry among everyone waiting for the same service, and the expected
/// wait from the service's recent calls.
pub async fn place(
    app: &App,
    open: &[QueueEntry],
    entry: &QueueEntry,
    service: &Service,
    now: Timestamp,
) -> Result<Option<Place>> {
    let order = queue::queue_order(open, Some(&[entry.service_id]), now);
    let Some(ahead) = order.iter().position(|e| e.id == entry.id) else {
        return Ok(None);
    };
    let recent = app
        .db
        .recent_handling_times(service.id, queue::RECENT_CALLS)
        .await?;
    // Paused clerks do not count: they call nobody in.
    let clerks =
        crate::usecases::clerk_status::at_work_for(app, entry.tenant_id, service.id).await?;
    Ok(Some(Place {
        place: ahead + 1,
        expected_wait: queue::expected_wait(
            ahead,
            &recent,
            SignedDuration::from_mins(service.duration_minutes),
            clerks,
        ),
    }))
}

/// A callback request as the resident fills it in.
#[derive(Clone, Debug)]
pub struct CallbackForm {
    pub service_id: ServiceId,
    pub name: String,
    pub phone: String,
    pub part_of_day: PartOfDay,
    /// The day chosen on the page; the API may leave it out (the first day with that part).
    pub date: Option<jiff::civil::Date>,
}

impl CallbackForm {
    /// Counts this request against the limits on anonymous actions: per client address and per
    /// phone number (`Error::TooMany` once over).
    pub fn count(&self, app: &App, client: Option<std::net::IpAddr>) -> Result<()> {
        app.limits.check(
            Flood::Callbacks,
            client,
            &[(CountedBy::Phone, self.phone.as_str())],
        )
    }

    pub fn parse(
        service_id: ServiceId,
        name: &str,
        phone: &str,
        part_of_day: &str,
    ) -> Result<Self> {
        Ok(Self {
            service_id,
            name: PersonName::parse(name)
                .map_err(|p| p.at("/name"))?
                .into_string(),
            phone: PhoneNumber::parse(phone)
                .map_err(|p| p.at("/phone"))?
                .into_string(),
            part_of_day: PartOfDay::parse(part_of_day).ok_or_else(|| {
                Error::invalid(
                    "/part_of_day",
                    "Kies morning (ochtend), afternoon (middag) of evening (avond).",
                    "Choose morning, afternoon or evening.",
                )
            })?,
            date: None,
        })
    }

    /// The day chosen with the part of the day (`YYYY-MM-DD`).
    pub fn on(mut self, date: &str) -> Result<Self> {
        self.date = Some(date.parse().map_err(|_| {
            Error::invalid(
                "/date",
                "Kies een dag uit de lijst.",
                "Choose a day from the list.",
            )
        })?);
        Ok(self)
    }
}

/// A resident asks to be phoned back instead of waiting.
pub async fn request_callback(
    app: &App,
    tenant: &Tenant,
    form: CallbackForm,
) -> Result<CallbackRequest> {
    let service =
        crate::usecases::booking::offered_service(app, tenant.id, form.service_id).await?;
    let promise =
        crate::usecases::callbacks::promise(app, tenant, form.part_of_day, form.date).await?;
    let request = CallbackRequest {
        id: CallbackId::new(),
        tenant_id: tenant.id,
        service_id: service.id,
        resident_name: form.name,
        phone: form.phone,
        part_of_day: form.part_of_day,
        requested_at: app.clock.now(),
        handled_at: None,
        handled_by: None,
        promised: Some(promise.window),
        closed: None,
    };
    app.db.insert_callback(&request).await?;
    tracing::info!(callback = %request.id, "callback requested");
    changed(app, tenant.id).await;
    Ok(request)
}

/// A clerk phoned the resident back and reached them: an attempt that closes the request.
pub async fn handle_callback(
    app: &App,
    claims: &SessionClaims,
    id: CallbackId,
) -> Result<CallbackRequest> {
    let reached = crate::usecases::callbacks::AttemptForm {
        reached: true,
        note: String::new(),
    };
    crate::usecases::callbacks::record_attempt(app, claims, id, reached).await
}

/// The municipality's queue today (local day): what is open, what was handled, who is late,
/// which appointments became no-shows, and the callbacks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DaySummary {
    pub waiting: i64,
    pub with_clerk: i64,
    pub handled: i64,
    pub missed: i64,
    /// Residents who left the queue themselves.
    pub left: i64,
    /// Waiting while their appointment should have started.
    pub late: i64,
    /// Appointments of today nobody checked in for within the grace period.
    pub no_shows: Vec<AppointmentId>,
    pub open_callbacks: i64,
    pub handled_callbacks: i64,
}

pub async fn day_summary(app: &App, tenant: &Tenant) -> Result<DaySummary> {
    let open = settle_unanswered(app, tenant).await?;
    let now = app.clock.now();
    let tz = tenant.time_zone.tz().clone();
    let internal = |e: jiff::Error| Error::Internal(e.to_string());
    let today = now.to_zoned(tz.clone()).date();
    let from = today.to_zoned(tz.clone()).map_err(internal)?.timestamp();
    let to = today
        .tomorrow()
        .map_err(internal)?
        .to_zoned(tz)
        .map_err(internal)?
        .timestamp();
    let mut summary = DaySummary {
        late: open.iter().filter(|e| e.is_late(now)).count() as i64,
        ..DaySummary::default()
    };
    for entry in &open {
        match entry.status {
            EntryStatus::Waiting => summary.waiting += 1,
            _ => summary.with_clerk += 1,
        }
    }
    for (status, n) in app.db.queue_status_counts(tenant.id, from, to).await? {
        match status {
            EntryStatus::Done => summary.handled += n,
            EntryStatus::Missed => summary.missed += n,
            EntryStatus::Left => summary.left += n,
            _ => {}
        }
    }
    let grace = app.db.queue_settings(tenant.id).await?.no_show_grace;
    summary.no_shows = app
        .db
        .appointments_without_check_in(tenant.id, from, to)
        .await?
        .into_iter()
        .filter(|(_, start)| queue::is_no_show(*start, grace, false, now))
        .map(|(id, _)| id)
        .collect();
    summary.open_callbacks = app.db.open_callbacks(tenant.id).await?.len() as i64;
    summary.handled_callbacks = app.db.handled_callbacks(tenant.id, from, to).await?;
    Ok(summary)
}
