//! The booking use cases: find free slots, book, reschedule, cancel, and tell the resident.
//! Each step loads what it needs, asks the pure slot engine, and lets the database's unique
//! reservations decide races.

use super::messages::for_change;
use crate::adapters::invite::Invite;
use crate::domain::appointment::{
    reservation_units, Appointment, AppointmentStatus, Contact, Resident,
};
use crate::domain::booking_code::BookingCode;
use crate::domain::catalog::Service;
use crate::domain::closing_days::close_for_everyone;
use crate::domain::consent::{self, Choice, InfoSource};
use crate::domain::email::Email;
use crate::domain::ids::{AppointmentId, ClerkId, ServiceId, TenantId};
use crate::domain::message::MessageKind;
use crate::domain::party::PartyRule;
use crate::domain::personal_link::PersonalToken;
use crate::domain::slots::{free_slots, ClerkAvailability, Slot, SlotRules};
use crate::domain::start_time::StartTime;
use crate::domain::tenant::Tenant;
use crate::domain::text::one_line;
use crate::domain::text::{FreeText, LanguageNeed, Lines, PersonName, PhoneNumber};
use crate::error::{Conflict, CountedBy, Error, Flood, Result};
use crate::store::NewAppointment;
use crate::App;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use rand::seq::SliceRandom;

/// The longest date range one slot query may cover.
pub const MAX_RANGE_DAYS: i64 = 62;
pub const MAX_NAME_LEN: usize = PersonName::MAX_CHARS;
pub const MAX_NOTE_LEN: usize = 1000;
pub const MAX_PHONE_LEN: usize = 20;

pub fn rules(tenant: &Tenant, service: &Service) -> SlotRules {
    SlotRules {
        duration: SignedDuration::from_mins(service.duration_minutes),
        buffer: SignedDuration::from_mins(service.buffer_minutes),
        lead_time: SignedDuration::from_mins(tenant.lead_time_minutes),
        horizon: SignedDuration::from_hours(24 * tenant.horizon_days),
    }
}

/// The rules for an appointment with `extra_people` besides the resident: each adds the
/// service's minutes per extra person to the duration (issue 16 item 8).
pub fn rules_for(
    tenant: &Tenant,
    service: &Service,
    party: &PartyRule,
    extra_people: usize,
) -> SlotRules {
    let mut rules = rules(tenant, service);
    rules.duration += party.extra_time(extra_people);
    rules
}

/// Free slots for `service` on local dates `from..=to`.
async fn compute_slots(
    app: &App,
    tenant: &Tenant,
    service: &Service,
    rules: &SlotRules,
    from: Date,
    to: Date,
) -> Result<Vec<Slot>> {
    let tz = tenant.time_zone.tz();
    // Only dates that can hold a slot (from now + lead time to now + horizon) are worth
    // computing; clamping also keeps far-off dates (year 9999) away from date arithmetic that
    // would overflow.
    let today = app.clock.now().to_zoned(tz.clone()).date();
    let first = today.yesterday().unwrap_or(today);
    let last = jiff::Span::new()
        .try_days(tenant.horizon_days.saturating_add(1))
        .and_then(|span| today.checked_add(span))
        .unwrap_or(today);
    let (from, to) = (from.max(first), to.min(last));
    if from > to {
        return Ok(Vec::new());
    }
    let schedules = app.db.schedules_for_service(tenant.id, service.id).await?;
    let ids: Vec<ClerkId> = schedules.iter().map(|s| s.clerk).collect();
    // Slots start within the local dates and keep a clerk at most one occupied span past
    // the last midnight, so busy time outside that cannot matter (a reservation begun before
    // the first midnight still has units after it). A narrow range keeps the rows read per
    // search few: the reservation read is the largest query of a search (docs/benchmarks.md).
    let range_start = from
        .to_zoned(tz.clone())
        .map_err(|e| Error::Internal(e.to_string()))?
        .timestamp();
    let range_end = to
        .tomorrow()
        .unwrap_or(to)
        .to_zoned(tz.clone())
        .map_err(|e| Error::Internal(e.to_string()))?
        .timestamp()
        + rules.duration
        + rules.buffer;
    let mut busy = app.db.busy_intervals(&ids, range_start, range_end).await?;
    let mut clerks: Vec<ClerkAvailability> = schedules
        .into_iter()
        .map(|s| ClerkAvailability {
            busy: busy.remove(&s.clerk).unwrap_or_default(),
            clerk: s.clerk,
            hours: s.hours,
            absences: s.absences,
        })
        .collect();
    let closed = super::admin::closing_days::closed_periods(app, tenant, from, to).await?;
    close_for_everyone(&mut clerks, &closed);
    Ok(free_slots(rules, tz, from, to, app.clock.now(), &clerks))
}

/// The municipalities residents can reach, for the start page (a suspended one is left out).
pub async fn municipalities(app: &App) -> Result<Vec<Tenant>> {
    app.db.open_tenants().await
}

/// The municipality a resident reached by its address (`/voorbeeld`); unknown is "not found",
/// a suspended one `Conflict::MunicipalitySuspended` (residents read that it is not
/// available; staff cannot log in).
pub async fn municipality(app: &App, slug: &str) -> Result<Tenant> {
    // An address no municipality can have (a NUL, say) is not looked up: PostgreSQL would
    // refuse the query text instead of finding nothing.
    if slug.is_empty() || slug.len() > 100 || slug.chars().any(char::is_control) {
        return Err(Error::NotFound("municipality"));
    }
    let (tenant, suspended) = app.db.tenant_by_slug_with_suspension(slug).await?;
    if suspended {
        return Err(Conflict::MunicipalitySuspended {
            municipality: tenant.name,
        }
        .into());
    }
    Ok(tenant)
}

/// What a clerk may need for an offered service, shown to the resident when booking.
pub async fn sources(app: &App, tenant: TenantId, service: ServiceId) -> Result<Vec<InfoSource>> {
    offered_service(app, tenant, service).await?;
    app.db.service_sources(service).await
}

/// The services a resident may book, ask a callback for or walk in for: the one rule for what
/// is offered (the municipality can stop offering a service, see
/// `usecases::admin::services::set_service_offered`).
pub async fn offered_services(app: &App, tenant: TenantId) -> Result<Vec<Service>> {
    let mut services = app.db.services(tenant).await?;
    services.retain(|s| s.active);
    Ok(services)
}

/// One service a resident may book, ask a callback for or walk in for; a service the
/// municipality no longer offers is "not found", as is another municipality's.
pub async fn offered_service(app: &App, tenant: TenantId, id: ServiceId) -> Result<Service> {
    let service = app.db.service(tenant, id).await?;
    if !service.active {
        return Err(Error::NotFound("service"));
    }
    Ok(service)
}

pub async fn slots(
    app: &App,
    tenant: &Tenant,
    service: &Service,
    from: Date,
    to: Date,
) -> Result<Vec<Slot>> {
    slots_for(app, tenant, service, 1, from, to).await
}

/// Free slots for an appointment for `people` people (the resident included): long enough
/// for each extra person's minutes. More people than the service allows is refused (422).
pub async fn slots_for(
    app: &App,
    tenant: &Tenant,
    service: &Service,
    people: i64,
    from: Date,
    to: Date,
) -> Result<Vec<Slot>> {
    let party = service.party;
    let people = party.head_count(people)?;
    if to < from {
        return Err(Error::invalid(
            "/to",
            "De einddatum ligt voor de begindatum.",
            "The end date is before the start date.",
        ));
    }
    if from
        .until(to)
        .map(|s| s.get_days() as i64)
        .unwrap_or(i64::MAX)
        > MAX_RANGE_DAYS
    {
        return Err(Error::invalid(
            "/to",
            format!("Vraag hoogstens {MAX_RANGE_DAYS} dagen tegelijk op."),
            format!("Ask for at most {MAX_RANGE_DAYS} days at a time."),
        ));
    }
    let rules = rules_for(tenant, service, &party, usize::from(people) - 1);
    compute_slots(app, tenant, service, &rules, from, to).await
}

/// A booking request after parsing: nothing in here can be malformed.
#[derive(Clone, Debug)]
pub struct BookingRequest {
    /// As written; `book` checks its offset against the municipality's zone.
    pub start: StartTime,
    pub resident: Resident,
    /// The resident's choice per information source of the service, stored with the
    /// appointment; checked against the service's sources by `book`.
    pub consents: Vec<(String, Choice)>,
    /// The answers to the service's questions before booking, as carried between the steps
    /// (`0-1`, see domain/triage.rs); checked and stored by `book`.
    pub triage: Option<String>,
    /// The names of the extra people in the appointment (issue 16 item 8), as typed; checked
    /// against the service's rule by `book`.
    pub people: Vec<String>,
}

impl BookingRequest {
    /// Counts this booking against the limits on anonymous actions: per client address, per
    /// e-mail address and per phone number (`Error::TooMany` once over).
    pub fn count(&self, app: &App, client: Option<std::net::IpAddr>) -> Result<()> {
        let mut contacts = Vec::new();
        if let Some(email) = self.resident.email() {
            contacts.push((CountedBy::Email, email.as_str()));
        }
        if let Some(phone) = self.resident.phone() {
            contacts.push((CountedBy::Phone, phone.as_str()));
        }
        app.limits.check(Flood::Bookings, client, &contacts)
    }

    /// `email` may be left blank when `phone` is given (issue 16): one of the two is needed
    /// to reach the resident.
    pub fn parse(
        start: &str,
        name: &str,
        email: &str,
        phone: Option<&str>,
        note: Option<&str>,
    ) -> Result<Self> {
        let start = StartTime::parse(start)?;
        let name = PersonName::parse(name).map_err(|p| p.at("/name"))?;
        let email = Some(email)
            .filter(|e| !e.trim().is_empty())
            .map(Email::parse)
            .transpose()
            .map_err(|e| Error::invalid_because("/email", e.words()))?;
        let phone = phone
            .filter(|p| !p.trim().is_empty())
            .map(PhoneNumber::parse)
            .transpose()
            .map_err(|p| p.at("/phone"))?;
        let contact = Contact::new(email, phone).ok_or_else(|| {
            Error::invalid(
                "/email",
                "Vul een e-mailadres of een mobiel nummer in. Dan kunnen we de bevestiging sturen.",
                "Fill in an email address or a mobile number, so we can send the confirmation.",
            )
        })?;
        let note = FreeText::optional(note.unwrap_or(""), Lines::Many, MAX_NOTE_LEN)
            .map_err(|p| p.at("/note"))?
            .map(FreeText::into_string);
        Ok(Self {
            start,
            resident: Resident {
                name: name.into_string(),
                contact,
                note,
                language: None,
            },
            consents: Vec::new(),
            triage: None,
            people: Vec::new(),
        })
    }

    /// The same request with the resident's choices per information source.
    pub fn with_consents(mut self, consents: Vec<(String, Choice)>) -> Self {
        self.consents = consents;
        self
    }

    /// The same request with the names of the extra people (blank ones left out).
    pub fn with_people(mut self, people: Vec<String>) -> Self {
        self.people = people;
        self
    }

    /// The same request with the language or interpreter the resident needs, as typed (blank
    /// is none). Longer than 80 characters, over more than one line or with a control
    /// character is a 422 at `/language`.
    pub fn with_language(mut self, language: Option<&str>) -> Result<Self> {
        self.resident.language = LanguageNeed::optional(language.unwrap_or(""))
            .map_err(|p| p.at("/language"))?
            .map(LanguageNeed::into_string);
        Ok(self)
    }

    /// The same request with the answers to the questions before booking.
    pub fn with_triage(mut self, triage: Option<String>) -> Self {
        self.triage = triage.filter(|t| !t.trim().is_empty());
        self
    }
}

/// The clerks whose hours, absences and the closing days allow `start`, or why the time
/// cannot be booked. Only this one start is checked (`domain::slots::clerks_free_at`, which
/// agrees with the engine), not the day's slots: whether a clerk is still free is the
/// reservation guard's to decide when the booking is inserted (`Error::SlotTaken`, 409).
async fn clerks_free_at(
    app: &App,
    tenant: &Tenant,
    service: &Service,
    rules: &SlotRules,
    start: Timestamp,
) -> Result<Vec<ClerkId>> {
    let now = app.clock.now();
    if start <= now {
        return Err(Error::invalid(
            "/start",
            "Deze tijd is al voorbij; kies een tijd in de toekomst.",
            "This time has passed; choose a time in the future.",
        ));
    }
    let tz = tenant.time_zone.tz();
    let date = start.to_zoned(tz.clone()).date();
    let mut clerks: Vec<ClerkAvailability> = app
        .db
        .schedules_for_service(tenant.id, service.id)
        .await?
        .into_iter()
        .map(|s| ClerkAvailability {
            clerk: s.clerk,
            hours: s.hours,
            absences: s.absences,
            busy: Vec::new(),
        })
        .collect();
    let closed = super::admin::closing_days::closed_periods(app, tenant, date, date).await?;
    close_for_everyone(&mut clerks, &closed);
    let free = crate::domain::slots::clerks_free_at(rules, tz, start, now, &clerks);
    if free.is_empty() {
        return Err(Error::invalid(
            "/start",
            "Op deze tijd kan deze dienst niet worden geboekt; kies een tijd uit de lijst met vrije tijden.",
            "This service cannot be booked at this time; choose a time from the list of free times.",
        ));
    }
    Ok(free)
}

pub struct Booked {
    pub appointment: Appointment,
    pub token: PersonalToken,
}

pub async fn book(
    app: &App,
    tenant: &Tenant,
    service: &Service,
    request: BookingRequest,
) -> Result<Booked> {
    book_as(app, tenant, service, request, None).await
}

/// Books for the resident, or for a caller by the clerk `by` (then the resident's access log
/// says so, written in the booking's transaction).
pub(crate) async fn book_as(
    app: &App,
    tenant: &Tenant,
    service: &Service,
    request: BookingRequest,
    by: Option<crate::domain::ids::ClerkId>,
) -> Result<Booked> {
    // Also when a caller loaded the service itself: a stopped service takes no new bookings.
    if !service.active {
        return Err(Error::NotFound("service"));
    }
    // Unknown sources are refused before anything is written.
    let start = request.start.in_zone(tenant.time_zone.tz())?;
    let sources = app.db.service_sources(service.id).await?;
    let consents = consent::at_booking(&sources, &request.consents)?;
    let triage =
        super::triage::for_booking(app, service, request.triage.as_deref(), by.is_some()).await?;
    // Too many people, or a name that is not one: refused before anything is written.
    let party = service.party;
    let people: Vec<String> = party
        .extra_people(&request.people)?
        .into_iter()
        .map(|p| p.into_string())
        .collect();
    let rules = rules_for(tenant, service, &party, people.len());
    let clerks = clerks_free_at(app, tenant, service, &rules, start).await?;
    let token = PersonalToken::generate();
    let now = app.clock.now();
    let mut appointment = Appointment {
        id: AppointmentId::new(),
        tenant_id: tenant.id,
        service_id: service.id,
        clerk_id: clerks[0],
        start,
        end: start + rules.duration,
        status: AppointmentStatus::Booked,
        sequence: 0,
        resident: request.resident,
        code: BookingCode::generate(),
        created_at: now,
    };
    let units = reservation_units(start, rules.occupied(start).end);
    let link = app.personal_link(&token);
    let messages = for_change(
        app,
        tenant,
        service,
        &appointment,
        &people,
        Some(&link),
        MessageKind::Confirmation,
    );
    // Try each free clerk in turn; the database's unique reservations decide any race. In
    // a random order: in the same order every time, the n-th booking of a popular start would
    // first fail on the n-1 clerks booked before it (the load test saw three failed inserts
    // per booking), and the first clerks would get all the work.
    let mut clerks = clerks;
    clerks.shuffle(&mut rand::thread_rng());
    let mut booked = false;
    for clerk in &clerks {
        appointment.clerk_id = *clerk;
        let new = NewAppointment {
            appointment: appointment.clone(),
            link_hash: token.hash(),
            units: units.clone(),
        };
        let logged = by.map(|clerk| crate::domain::access_log::AccessEntry {
            tenant_id: tenant.id,
            appointment_id: appointment.id,
            clerk_id: Some(clerk),
            at: now,
            action: crate::domain::access_log::Action::BookedByClerk,
            source: None,
            reason: crate::domain::access_log::REASON_BY_PHONE.into(),
        });
        match app
            .db
            .insert_appointment_logged(
                &new,
                &consents,
                &triage,
                &people,
                &messages,
                now,
                logged.as_ref(),
            )
            .await
        {
            Ok(()) => {
                booked = true;
                break;
            }
            Err(Error::SlotTaken) => continue,
            Err(other) => return Err(other),
        }
    }
    if !booked {
        return Err(Error::SlotTaken);
    }
    tracing::info!(appointment = %appointment.id, tenant = %tenant.slug, "appointment booked");
    Ok(Booked { appointment, token })
}

pub async fn reschedule(
    app: &App,
    tenant: &Tenant,
    service: &Service,
    current: &Appointment,
    token: &PersonalToken,
    start: StartTime,
) -> Result<Appointment> {
    current.ensure_changeable(app.clock.now())?;
    let start = start.in_zone(tenant.time_zone.tz())?;
    if start == current.start {
        return Ok(current.clone());
    }
    // The same people as booked: each extra person keeps adding the service's minutes.
    let people = app.db.appointment_people(current.id).await?;
    let party = service.party;
    let rules = rules_for(tenant, service, &party, people.len());
    let clerks = clerks_free_at(app, tenant, service, &rules, start).await?;
    let units = reservation_units(start, rules.occupied(start).end);
    let mut moved = current.clone();
    moved.start = start;
    moved.end = start + rules.duration;
    moved.sequence = current.sequence + 1;
    let now = app.clock.now();
    let link = app.personal_link(token);
    let messages = for_change(
        app,
        tenant,
        service,
        &moved,
        &people,
        Some(&link),
        MessageKind::Change,
    );
    let mut done = false;
    for clerk in &clerks {
        moved.clerk_id = *clerk;
        match app
            .db
            .move_appointment(&moved, &units, &messages, now)
            .await
        {
            Ok(()) => {
                done = true;
                break;
            }
            Err(Error::SlotTaken) => continue,
            Err(other) => return Err(other),
        }
    }
    if !done {
        return Err(Error::SlotTaken);
    }
    Ok(moved)
}

pub async fn cancel(
    app: &App,
    tenant: &Tenant,
    service: &Service,
    current: &Appointment,
    token: &PersonalToken,
) -> Result<Appointment> {
    let link = app.personal_link(token);
    cancel_with(app, tenant, service, current, Some(&link), None).await
}

/// Cancels without the personal link: the resident texted "annuleren" from the appointment's
/// number (`usecases::messages::inbound_sms`).
pub(crate) async fn cancel_without_link(
    app: &App,
    tenant: &Tenant,
    service: &Service,
    current: &Appointment,
) -> Result<Appointment> {
    // The resident's access log says how it was cancelled, in the cancel's transaction.
    let entry = crate::domain::access_log::AccessEntry {
        tenant_id: tenant.id,
        appointment_id: current.id,
        clerk_id: None,
        at: app.clock.now(),
        action: crate::domain::access_log::Action::CancelledByText,
        source: None,
        reason: crate::domain::access_log::REASON_TEXT.into(),
    };
    cancel_with(app, tenant, service, current, None, Some(&entry)).await
}

async fn cancel_with(
    app: &App,
    tenant: &Tenant,
    service: &Service,
    current: &Appointment,
    link: Option<&str>,
    logged: Option<&crate::domain::access_log::AccessEntry>,
) -> Result<Appointment> {
    current.ensure_changeable(app.clock.now())?;
    let mut cancelled = current.clone();
    cancelled.sequence += 1;
    cancelled.status = AppointmentStatus::Cancelled;
    let people = app.db.appointment_people(current.id).await?;
    let messages = for_change(
        app,
        tenant,
        service,
        &cancelled,
        &people,
        link,
        MessageKind::Cancel,
    );
    app.db
        .cancel_appointment(
            current.id,
            cancelled.sequence,
            &messages,
            app.clock.now(),
            logged,
        )
        .await?;
    Ok(cancelled)
}

/// Date and time in Dutch words, in the municipality's time zone: "maandag 30 maart 2026 om 09:00".
pub fn when_in_words(tenant: &Tenant, at: Timestamp) -> String {
    let local = at.to_zoned(tenant.time_zone.tz().clone());
    format!(
        "{} {} om {}",
        crate::domain::dates_in_words::day_nl(local.date()),
        local.year(),
        local.strftime("%H:%M")
    )
}

/// "Monday 30 November 2026 at 09:30", for the English half of a mail.
pub fn when_in_english(tenant: &Tenant, at: Timestamp) -> String {
    at.to_zoned(tenant.time_zone.tz().clone())
        .strftime("%A %-d %B %Y at %H:%M")
        .to_string()
}

/// The one calendar invite for the appointment; the extra people are named in its description.
pub fn invite(
    app: &App,
    tenant: &Tenant,
    service: &Service,
    appointment: &Appointment,
    people: &[String],
    token: &PersonalToken,
) -> Invite {
    let with = if people.is_empty() {
        String::new()
    } else {
        let names = people
            .iter()
            .map(|n| one_line(n))
            .collect::<Vec<_>>()
            .join(", ");
        format!(" Ook in deze afspraak / Also in this appointment: {names}.")
    };
    Invite {
        uid: appointment.calendar_uid(),
        sequence: appointment.sequence,
        start: appointment.start,
        end: appointment.end,
        created: appointment.created_at,
        summary: format!("Videoafspraak {}: {}", tenant.name, service.name),
        description: format!(
            "Videoafspraak met {} over: {}. Open de link hieronder op het tijdstip van de afspraak. / \
             Video appointment; open the link below at the time of the appointment.{with}",
            tenant.name, service.name
        ),
        join_url: app.personal_link(token),
        organizer_name: tenant.name.clone(),
        organizer_email: tenant.contact_email.clone(),
        attendee_name: appointment.resident.name.clone(),
        attendee_email: appointment.resident.email().map(ToString::to_string),
    }
}

/// A further personal link for the appointment (the earlier ones keep working), stored as a
/// hash with `entry` (who issued it and why) in the resident's access log.
pub(crate) async fn issue_link(
    app: &App,
    appointment: &Appointment,
    entry: crate::domain::access_log::AccessEntry,
) -> Result<PersonalToken> {
    let token = PersonalToken::generate();
    app.db
        .add_link(appointment.id, &token.hash(), &entry)
        .await?;
    Ok(token)
}

/// The other people in the appointment (issue 16 item 8), in the order given.
pub async fn people(app: &App, appointment: &Appointment) -> Result<Vec<String>> {
    app.db.appointment_people(appointment.id).await
}

/// Sends the confirmation again through the message outbox (mail with the invite and/or the
/// text, as at booking), with `token`'s personal link. Only the confirmation: the reminders
/// are queued already. A resend is a message of its own, never taken for the first one.
pub(crate) async fn resend_confirmation(
    app: &App,
    tenant: &Tenant,
    service: &Service,
    appointment: &Appointment,
    token: &PersonalToken,
) -> Result<()> {
    let people = people(app, appointment).await?;
    let link = app.personal_link(token);
    let mut messages = for_change(
        app,
        tenant,
        service,
        appointment,
        &people,
        Some(&link),
        MessageKind::Confirmation,
    );
    messages.retain(|m| m.kind == MessageKind::Confirmation);
    for m in &mut messages {
        m.dedupe_key = format!("{}:resend-{}", m.dedupe_key, m.id);
    }
    app.db.insert_messages(&messages).await
}

/// Everything a resident's personal link opens. A token of the wrong shape never reaches the
/// database; an unknown one is a plain "not found".
pub struct Unlocked {
    pub token: PersonalToken,
    pub appointment: Appointment,
    pub tenant: Tenant,
    pub service: Service,
}

pub async fn unlock(app: &App, raw: &str) -> Result<Unlocked> {
    let token = PersonalToken::parse(raw).ok_or(Error::NotFound("appointment"))?;
    let appointment = app.db.appointment_by_link(&token.hash()).await?;
    let tenant = app.db.tenant(appointment.tenant_id).await?;
    let service = app.db.service(tenant.id, appointment.service_id).await?;
    Ok(Unlocked {
        token,
        appointment,
        tenant,
        service,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_words_in_dutch_and_english_in_the_municipalitys_zone() {
        let tenant = crate::demo::demo_tenant();
        let at: Timestamp = "2026-11-30T08:30:00Z".parse().unwrap();
        assert_eq!(
            when_in_words(&tenant, at),
            "maandag 30 november 2026 om 09:30"
        );
        assert_eq!(
            when_in_english(&tenant, at),
            "Monday 30 November 2026 at 09:30"
        );
    }
}
