//! The clerk's desk: logging in, the day's appointments, the live queue as a list and the open
//! callback requests. The JSON API (`api::staff`, `api::queue`, `api::callbacks`) and the clerk
//! pages call these same functions, so a clerk who sees residents' personal data in a list is
//! written to the access log whichever way they look.

use crate::auth::{self, SessionClaims, SESSION_SECONDS};
use crate::domain::access_log::{
    AccessEntry, Action, REASON_DAY_LIST, REASON_OPENED, REASON_QUEUE,
};
use crate::domain::appointment::{Appointment, AppointmentStatus};
use crate::domain::callback::CallbackRequest;
use crate::domain::catalog::{Clerk, Service};
use crate::domain::consent::{self, Choice, InfoSource};
use crate::domain::ids::{AppointmentId, ServiceId, TenantId};
use crate::domain::outcome::ResultOption;
use crate::domain::queue::{self, EntryStatus, QueueEntry, QueueEntryId};
use crate::domain::rooms::{self, RoomGrant};
use crate::domain::staff;
use crate::domain::tenant::Tenant;
use crate::error::{Error, Result};
use crate::App;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use std::sync::LazyLock;

/// Verifying against this when the account does not exist keeps login time the same, so the
/// response time does not reveal which addresses have accounts.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| auth::hash_password("no such account").unwrap_or_default());

/// A successful login: who, and the signed session for the cookie.
#[derive(Clone, Debug)]
pub struct Session {
    pub claims: SessionClaims,
    /// The JWT for `auth::session_cookie`.
    pub token: String,
}

/// Checks a clerk's or admin's email address and password for the municipality `slug`. An
/// unknown municipality, an unknown address and a wrong password are all the same
/// `Unauthenticated`, and take the same time. A municipality that switched password login off
/// (`usecases::sso`) refuses every password with `Forbidden`.
pub async fn login(app: &App, slug: &str, email: &str, password: &str) -> Result<Session> {
    let tenant = super::booking::municipality(app, slug)
        .await
        .map_err(|_| Error::Unauthenticated)?;
    // Single sign-on only: the password is not even looked at.
    if !super::sso::password_login_allowed(app, tenant.id).await? {
        tracing::info!(tenant = %tenant.slug, "password login refused: single sign-on only");
        return Err(Error::Forbidden);
    }
    // No account has an address with a control character; PostgreSQL would refuse a NUL.
    let email = email.trim();
    let account = if email.chars().any(char::is_control) {
        None
    } else {
        app.db.clerk_login(tenant.id, email).await?
    };
    let hash = account
        .as_ref()
        .map(|(_, _, h)| h.as_str())
        .unwrap_or(DUMMY_HASH.as_str());
    let password_ok = auth::verify_password_async(password, hash).await;
    let (clerk_id, role) = match account {
        Some((id, role, _)) if password_ok => (id, role),
        _ => {
            tracing::warn!(tenant = %tenant.slug, "failed login");
            return Err(Error::Unauthenticated);
        }
    };
    let now = app.clock.now().as_second();
    let claims = SessionClaims {
        sub: clerk_id,
        tenant: tenant.id,
        role,
        iat: now,
        exp: now + SESSION_SECONDS,
        jti: uuid::Uuid::new_v4().to_string(),
    };
    let token = auth::start_session(app, &claims).await?;
    tracing::info!(tenant = %tenant.slug, clerk = %clerk_id, "logged in");
    Ok(Session { claims, token })
}

/// Where an appointment of the day stands, for the clerks' day list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayStatus {
    /// Booked, nobody checked in (yet).
    Booked,
    /// Checked in, waiting in the queue.
    Waiting,
    /// A clerk is calling the resident.
    Called,
    /// In the conversation.
    InCall,
    Done,
    Cancelled,
    /// Not checked in within the grace period, or called twice without an answer.
    NoShow,
    /// Checked in and left the queue again.
    Left,
}

impl DayStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DayStatus::Booked => "booked",
            DayStatus::Waiting => "waiting",
            DayStatus::Called => "called",
            DayStatus::InCall => "in_call",
            DayStatus::Done => "done",
            DayStatus::Cancelled => "cancelled",
            DayStatus::NoShow => "no_show",
            DayStatus::Left => "left",
        }
    }
}

/// The appointment's status of the day from the appointment, its queue entry (if the resident
/// checked in) and the clock. Pure.
pub fn day_status(
    appointment: &Appointment,
    entry: Option<&QueueEntry>,
    no_show_grace: SignedDuration,
    now: Timestamp,
) -> DayStatus {
    if appointment.status == AppointmentStatus::Cancelled {
        return DayStatus::Cancelled;
    }
    match entry.map(|e| e.status) {
        None if queue::is_no_show(appointment.start, no_show_grace, false, now) => {
            DayStatus::NoShow
        }
        None => DayStatus::Booked,
        Some(EntryStatus::Waiting) => DayStatus::Waiting,
        Some(EntryStatus::Called) => DayStatus::Called,
        Some(EntryStatus::Answered) => DayStatus::InCall,
        Some(EntryStatus::Done) => DayStatus::Done,
        Some(EntryStatus::Missed) => DayStatus::NoShow,
        Some(EntryStatus::Left) => DayStatus::Left,
    }
}

/// One appointment in the day list.
#[derive(Clone, Debug)]
pub struct DayLine {
    pub appointment: Appointment,
    pub service: Service,
    /// The clerk the appointment is booked with.
    pub clerk: Option<Clerk>,
    pub status: DayStatus,
    /// The queue entry once the resident checked in.
    pub entry: Option<QueueEntry>,
}

/// The municipality's appointments of one local day (today when `date` is `None`).
#[derive(Clone, Debug)]
pub struct DayList {
    pub tenant: Tenant,
    pub date: Date,
    pub lines: Vec<DayLine>,
}

fn internal(e: jiff::Error) -> Error {
    Error::Internal(e.to_string())
}

/// The start of `date` and of the next day in the municipality's time zone.
pub fn day_bounds(tenant: &Tenant, date: Date) -> Result<(Timestamp, Timestamp)> {
    let tz = tenant.time_zone.tz().clone();
    let from = date.to_zoned(tz.clone()).map_err(internal)?.timestamp();
    let to = date
        .tomorrow()
        .map_err(internal)?
        .to_zoned(tz)
        .map_err(internal)?
        .timestamp();
    Ok((from, to))
}

/// Today's local date in the municipality.
pub fn today(app: &App, tenant: &Tenant) -> Date {
    app.clock
        .now()
        .to_zoned(tenant.time_zone.tz().clone())
        .date()
}

/// The list entries for the appointments a clerk saw in a list. Pure.
pub fn list_view_entries(
    claims: &SessionClaims,
    appointments: &[AppointmentId],
    action: Action,
    at: Timestamp,
) -> Vec<AccessEntry> {
    let reason = match action {
        Action::ViewedQueue => REASON_QUEUE,
        _ => REASON_DAY_LIST,
    };
    appointments
        .iter()
        .map(|&appointment_id| AccessEntry {
            tenant_id: claims.tenant,
            appointment_id,
            clerk_id: Some(claims.sub),
            at,
            action,
            source: None,
            reason: reason.into(),
        })
        .collect()
}

/// Writes that the clerk saw these appointments in a list: once per clerk, appointment and
/// local day (see `Db::append_list_views`). A list is shown many times a day, so logging each
/// showing would bury the lines that matter (an appointment opened, a source consulted) for
/// the resident reading their log; once a day still says who saw their data, when and why.
async fn log_list_view(
    app: &App,
    tenant: &Tenant,
    claims: &SessionClaims,
    appointments: &[AppointmentId],
    action: Action,
) -> Result<()> {
    if appointments.is_empty() {
        return Ok(());
    }
    let now = app.clock.now();
    let entries = list_view_entries(claims, appointments, action, now);
    let added = app
        .db
        .append_list_views(&entries, today(app, tenant))
        .await?;
    tracing::info!(clerk = %claims.sub, action = action.as_str(), shown = appointments.len(), added, "list view logged");
    Ok(())
}

/// Writes that the clerk opened one appointment (its details, e-mail address, note), every
/// time: opening a resident's record is the act the access log exists for.
pub async fn log_opened(
    app: &App,
    claims: &SessionClaims,
    appointment: AppointmentId,
) -> Result<()> {
    log_read(
        app,
        claims,
        appointment,
        Action::OpenedAppointment,
        REASON_OPENED,
    )
    .await
}

/// Writes one read of a resident's data (every time, like opening the appointment): called by
/// the use case that reads, before it answers, so no read reaches a clerk unlogged.
pub(crate) async fn log_read(
    app: &App,
    claims: &SessionClaims,
    appointment: AppointmentId,
    action: Action,
    reason: &str,
) -> Result<()> {
    tracing::info!(clerk = %claims.sub, %appointment, action = action.as_str(), "clerk read a resident's data");
    app.db
        .append_access(&[AccessEntry {
            tenant_id: claims.tenant,
            appointment_id: appointment,
            clerk_id: Some(claims.sub),
            at: app.clock.now(),
            action,
            source: None,
            reason: reason.into(),
        }])
        .await
}

/// Whether the logged-in member of staff may see and act on a record of `service` (see
/// `staff::may_handle`); "not found" otherwise, as for another municipality's records, so a
/// clerk does not even learn that it exists. Role and services are read from the store, so a
/// change by an admin counts at once.
pub(crate) async fn ensure_handles(
    app: &App,
    claims: &SessionClaims,
    service: ServiceId,
    booked_with_them: bool,
    what: &'static str,
) -> Result<()> {
    let me = app
        .db
        .clerks(claims.tenant)
        .await?
        .into_iter()
        .find(|c| c.id == claims.sub)
        .ok_or(Error::Unauthenticated)?;
    if staff::may_handle(me.role, &me.services, service, booked_with_them) {
        Ok(())
    } else {
        tracing::info!(clerk = %claims.sub, what, "record of a service the clerk does not handle");
        Err(Error::NotFound(what))
    }
}

/// A queue entry the logged-in member of staff may act on (their services, or their call);
/// another's is "not found". Not logged: the callers log what they show.
pub async fn queue_entry(
    app: &App,
    claims: &SessionClaims,
    id: QueueEntryId,
) -> Result<QueueEntry> {
    let entry = app.db.queue_entry(claims.tenant, id).await?;
    let theirs = entry.clerk_id == Some(claims.sub);
    ensure_handles(app, claims, entry.service_id, theirs, "queue entry").await?;
    Ok(entry)
}

/// The municipality of a logged-in clerk or admin.
pub async fn municipality(app: &App, claims: &SessionClaims) -> Result<Tenant> {
    app.db.tenant(claims.tenant).await
}

/// A municipality by its id, for views that follow one (live updates) or act on a record
/// that names it (a queue entry).
pub async fn municipality_by_id(app: &App, id: TenantId) -> Result<Tenant> {
    app.db.tenant(id).await
}

/// All the municipality's services, offered or not, to name them in lists.
pub async fn services(app: &App, tenant: TenantId) -> Result<Vec<Service>> {
    app.db.services(tenant).await
}

/// The municipality's clerks and admins.
pub async fn clerks(app: &App, tenant: TenantId) -> Result<Vec<Clerk>> {
    app.db.clerks(tenant).await
}

/// One appointment as a clerk opens it, with its service; written to the access log.
pub struct Opened {
    pub tenant: Tenant,
    pub service: Service,
    pub appointment: Appointment,
    /// The resident's answers to the questions before booking.
    pub triage: Vec<crate::domain::triage::Given>,
    /// The other people in the appointment (issue 16 item 8).
    pub people: Vec<String>,
}

/// A clerk opens an appointment of their municipality (another's is "not found"). The
/// resident sees this in the access log.
pub async fn open(app: &App, claims: &SessionClaims, id: AppointmentId) -> Result<Opened> {
    let appointment = appointment(app, claims, id).await?;
    let tenant = app.db.tenant(claims.tenant).await?;
    let service = app.db.service(tenant.id, appointment.service_id).await?;
    let triage = app.db.triage_given(id).await?;
    let people = app.db.appointment_people(id).await?;
    log_opened(app, claims, id).await?;
    Ok(Opened {
        tenant,
        service,
        appointment,
        triage,
        people,
    })
}

/// An appointment the logged-in member of staff may act on (their services, or booked with
/// them), without an access-log entry: for steps that log themselves (recording an outcome,
/// reading the outcomes or the choices) or show no personal data (a room token). Another's is
/// "not found".
pub async fn appointment(
    app: &App,
    claims: &SessionClaims,
    id: AppointmentId,
) -> Result<Appointment> {
    let appointment = app.db.appointment(claims.tenant, id).await?;
    let theirs = appointment.clerk_id == claims.sub;
    ensure_handles(app, claims, appointment.service_id, theirs, "appointment").await?;
    Ok(appointment)
}

/// The assigned clerk's ticket into an appointment's video room.
pub async fn room_grant(app: &App, claims: &SessionClaims, id: AppointmentId) -> Result<RoomGrant> {
    let appointment = appointment(app, claims, id).await?;
    let tenant = app.db.tenant(claims.tenant).await?;
    let name = clerk_name(app, claims).await?;
    let grant = rooms::clerk_grant(&appointment, claims.sub, &name, &tenant, app.clock.now())?;
    tracing::info!(clerk = %claims.sub, appointment = %id, "room token issued to clerk");
    Ok(grant)
}

/// Who comes along to an appointment's call, for the work lists' columns "language or
/// interpreter" and "companion" (issue 21 item 4): the language or interpreter the resident
/// said they need when booking, the interpreters the clerk invited and the companions the
/// resident invited, not taken out of the call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Along {
    pub language: Option<String>,
    pub interpreters: Vec<String>,
    pub companions: Vec<String>,
}

/// `Along` per appointment on a list the clerk already sees (the queue, the day list); an
/// appointment without a language need and without anyone invited is left out.
pub async fn along(
    app: &App,
    appointments: &[AppointmentId],
) -> Result<std::collections::HashMap<AppointmentId, Along>> {
    let mut all = std::collections::HashMap::new();
    for &id in appointments {
        let mut along = Along {
            language: app.db.language_need(id).await?,
            ..Along::default()
        };
        for link in app.db.companion_links(id).await? {
            if !link.admits() {
                continue;
            }
            match link.role {
                crate::domain::companion::CompanionRole::Interpreter => {
                    along.interpreters.push(link.name)
                }
                crate::domain::companion::CompanionRole::Companion => {
                    along.companions.push(link.name)
                }
            }
        }
        if along != Along::default() {
            all.insert(id, along);
        }
    }
    Ok(all)
}

/// What the clerk's call view shows beside the video: who is calling about what, the
/// appointment if there is one (then logged as opened), the resident's choice per
/// information source, and the results the outcome form offers.
pub struct CallView {
    pub tenant: Tenant,
    pub entry: QueueEntry,
    pub service: Service,
    pub appointment: Option<Appointment>,
    pub sources: Vec<(InfoSource, Option<Choice>)>,
    pub results: Vec<ResultOption>,
    /// The resident's answers to the questions before booking (issue 16 item 7).
    pub triage: Vec<crate::domain::triage::Given>,
    /// The other people in the appointment (issue 16 item 8).
    pub people: Vec<String>,
}

pub async fn call_view(app: &App, claims: &SessionClaims, id: QueueEntryId) -> Result<CallView> {
    let tenant = app.db.tenant(claims.tenant).await?;
    let entry = queue_entry(app, claims, id).await?;
    let service = app.db.service(tenant.id, entry.service_id).await?;
    let appointment = match entry.appointment_id {
        Some(a) => Some(app.db.appointment(tenant.id, a).await?),
        None => None,
    };
    let (triage, people) = match &appointment {
        Some(a) => (
            app.db.triage_given(a.id).await?,
            app.db.appointment_people(a.id).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let (sources, results) = match &appointment {
        Some(a) => {
            // The page shows the appointment's personal data: logged as opened.
            log_opened(app, claims, a.id).await?;
            let history = app.db.consent_history(tenant.id, a.id).await?;
            let sources = app
                .db
                .service_sources(service.id)
                .await?
                .into_iter()
                .map(|s| {
                    let choice = consent::current(&history, &s.code);
                    (s, choice)
                })
                .collect();
            (sources, app.db.service_results(service.id).await?)
        }
        // A walk-in gets the same outcome form: the service's results, no consent choices.
        None => (Vec::new(), app.db.service_results(service.id).await?),
    };
    Ok(CallView {
        tenant,
        entry,
        service,
        appointment,
        sources,
        results,
        triage,
        people,
    })
}

/// The logged-in clerk's name as the other participants see it.
pub async fn clerk_name(app: &App, claims: &SessionClaims) -> Result<String> {
    app.db
        .clerks(claims.tenant)
        .await?
        .into_iter()
        .find(|c| c.id == claims.sub)
        .map(|c| c.name)
        .ok_or(Error::Unauthenticated)
}

/// The day list for the clerk's municipality, logged as seen by the clerk.
pub async fn day_list(app: &App, claims: &SessionClaims, date: Option<Date>) -> Result<DayList> {
    let tenant = app.db.tenant(claims.tenant).await?;
    let date = date.unwrap_or_else(|| today(app, &tenant));
    let (from, to) = day_bounds(&tenant, date)?;
    // Apply the answer deadline first, so a call nobody answered shows as it is now.
    crate::usecases::queue::settle_overdue(app, &tenant).await?;
    let services = app.db.services(tenant.id).await?;
    let clerks = app.db.clerks(tenant.id).await?;
    let entries = app
        .db
        .queue_entries_of_appointments_between(tenant.id, from, to)
        .await?;
    let grace = app.db.queue_settings(tenant.id).await?.no_show_grace;
    let now = app.clock.now();
    let lines: Vec<DayLine> = app
        .db
        .appointments_between(tenant.id, from, to)
        .await?
        .into_iter()
        .filter_map(|a| {
            // A service taken out of the catalogue is left out, as the API always did.
            let service = services.iter().find(|s| s.id == a.service_id)?.clone();
            let entry = entries.iter().find(|e| e.appointment_id == Some(a.id));
            Some(DayLine {
                status: day_status(&a, entry, grace, now),
                entry: entry.cloned(),
                clerk: clerks.iter().find(|c| c.id == a.clerk_id).cloned(),
                service,
                appointment: a,
            })
        })
        .collect();
    let shown: Vec<AppointmentId> = lines.iter().map(|l| l.appointment.id).collect();
    log_list_view(app, &tenant, claims, &shown, Action::ViewedDayList).await?;
    Ok(DayList {
        tenant,
        date,
        lines,
    })
}

/// The live queue as a clerk opens it (page or `GET /api/v1/staff/queue`), logged for the
/// residents with an appointment. Walk-ins have no appointment and no personal link to read a
/// log with, so there is nothing to write for them. The live updates after opening are not
/// logged: they show the same residents and would log on every change of anyone's place.
pub async fn queue(app: &App, claims: &SessionClaims) -> Result<(Tenant, Vec<QueueEntry>)> {
    let tenant = app.db.tenant(claims.tenant).await?;
    let entries = crate::usecases::queue::clerk_queue(app, &tenant).await?;
    let shown: Vec<AppointmentId> = entries.iter().filter_map(|e| e.appointment_id).collect();
    log_list_view(app, &tenant, claims, &shown, Action::ViewedQueue).await?;
    Ok((tenant, entries))
}

/// The callback requests nobody handled yet, oldest first, with the services to name them.
pub async fn open_callbacks(
    app: &App,
    claims: &SessionClaims,
) -> Result<(Tenant, Vec<Service>, Vec<CallbackRequest>)> {
    let tenant = app.db.tenant(claims.tenant).await?;
    let services = app.db.services(tenant.id).await?;
    let open = app.db.open_callbacks(tenant.id).await?;
    Ok((tenant, services, open))
}

/// When a callback should have been made at the latest (`callback::deadline`), in the
/// municipality's time zone.
pub fn callback_deadline(tenant: &Tenant, request: &CallbackRequest) -> Result<Timestamp> {
    request.deadline(tenant.time_zone.tz())
}

/// Late: still open after its deadline.
pub fn callback_is_late(tenant: &Tenant, request: &CallbackRequest, now: Timestamp) -> bool {
    request.handled_at.is_none()
        && callback_deadline(tenant, request).is_ok_and(|deadline| now > deadline)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::appointment::Resident;
    use crate::domain::callback::{CallbackId, PartOfDay};
    use crate::domain::ids::{ClerkId, ServiceId, TenantId};
    use crate::domain::queue::QueueEntryId;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn appointment(status: AppointmentStatus) -> Appointment {
        Appointment {
            id: AppointmentId::new(),
            tenant_id: TenantId::new(),
            service_id: ServiceId::new(),
            clerk_id: ClerkId::new(),
            start: t("2026-11-30T09:00:00Z"),
            end: t("2026-11-30T09:20:00Z"),
            status,
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
            created_at: t("2026-11-01T09:00:00Z"),
        }
    }

    fn entry(a: &Appointment, status: EntryStatus) -> QueueEntry {
        QueueEntry {
            id: QueueEntryId::new(),
            tenant_id: a.tenant_id,
            service_id: a.service_id,
            appointment_id: Some(a.id),
            due_at: Some(a.start),
            joined_at: a.start,
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
    fn the_day_status_follows_the_appointment_the_queue_and_the_clock() {
        let grace = SignedDuration::from_mins(15);
        let before = t("2026-11-30T08:30:00Z");
        let after_grace = t("2026-11-30T09:16:00Z");
        let booked = appointment(AppointmentStatus::Booked);
        assert_eq!(day_status(&booked, None, grace, before), DayStatus::Booked);
        assert_eq!(
            day_status(&booked, None, grace, t("2026-11-30T09:15:00Z")),
            DayStatus::Booked,
            "still within the grace period"
        );
        assert_eq!(
            day_status(&booked, None, grace, after_grace),
            DayStatus::NoShow
        );
        let cases = [
            (EntryStatus::Waiting, DayStatus::Waiting),
            (EntryStatus::Called, DayStatus::Called),
            (EntryStatus::Answered, DayStatus::InCall),
            (EntryStatus::Done, DayStatus::Done),
            (EntryStatus::Missed, DayStatus::NoShow),
            (EntryStatus::Left, DayStatus::Left),
        ];
        for (status, expected) in cases {
            let e = entry(&booked, status);
            assert_eq!(day_status(&booked, Some(&e), grace, after_grace), expected);
        }
        let cancelled = appointment(AppointmentStatus::Cancelled);
        assert_eq!(
            day_status(&cancelled, None, grace, after_grace),
            DayStatus::Cancelled
        );
    }

    #[test]
    fn list_view_entries_name_the_clerk_the_action_and_why() {
        let claims = SessionClaims {
            sub: ClerkId::new(),
            tenant: TenantId::new(),
            role: crate::domain::staff::StaffRole::Clerk,
            iat: 0,
            exp: 1,
            jti: String::new(),
        };
        let ids = [AppointmentId::new(), AppointmentId::new()];
        let at = t("2026-11-30T07:00:00Z");
        let entries = list_view_entries(&claims, &ids, Action::ViewedQueue, at);
        assert_eq!(entries.len(), 2);
        assert!(entries.iter().all(|e| e.clerk_id == Some(claims.sub)
            && e.tenant_id == claims.tenant
            && e.action == Action::ViewedQueue
            && e.reason == REASON_QUEUE
            && e.at == at
            && e.source.is_none()));
        assert_eq!(entries[1].appointment_id, ids[1]);
        let day = list_view_entries(&claims, &ids[..1], Action::ViewedDayList, at);
        assert_eq!(day[0].reason, REASON_DAY_LIST);
    }

    #[test]
    fn callbacks_are_late_after_the_chosen_part_of_the_day() {
        let tenant = crate::demo::demo_tenant();
        let request = |at: &str, part| CallbackRequest {
            id: CallbackId::new(),
            tenant_id: tenant.id,
            service_id: ServiceId::new(),
            resident_name: "Jan".into(),
            phone: "0612345678".into(),
            part_of_day: part,
            requested_at: t(at),
            handled_at: None,
            handled_by: None,
            promised: None,
            closed: None,
        };
        // 09:00 Amsterdam (08:00 UTC) asking for the morning: due by 12:00 Amsterdam.
        let morning = request("2026-11-30T08:00:00Z", PartOfDay::Morning);
        assert_eq!(
            callback_deadline(&tenant, &morning).unwrap(),
            t("2026-11-30T11:00:00Z")
        );
        assert!(!callback_is_late(
            &tenant,
            &morning,
            t("2026-11-30T10:59:00Z")
        ));
        assert!(callback_is_late(
            &tenant,
            &morning,
            t("2026-11-30T11:01:00Z")
        ));
        // Asking for the morning at 14:00: tomorrow morning.
        let afternoon_ask = request("2026-11-30T13:00:00Z", PartOfDay::Morning);
        assert_eq!(
            callback_deadline(&tenant, &afternoon_ask).unwrap(),
            t("2026-12-01T11:00:00Z")
        );
        // Handled requests are never late.
        let mut handled = morning.clone();
        handled.handled_at = Some(t("2026-11-30T12:00:00Z"));
        assert!(!callback_is_late(
            &tenant,
            &handled,
            t("2026-12-02T00:00:00Z")
        ));
    }
}
