//! Messages to residents through one outbox (issue 16 items 3 and 4, issue 20): the mail and
//! SMS for a booking, a change and a cancellation, the reminders a day and an hour before, and
//! answers to texts residents send. Each message is written in the transaction of the change
//! that causes it (`store::messages`), so a booking that fails leaves none and a booking that
//! stands always has its own; a worker sends them with retries (`domain::outbox::Backoff`) and
//! notes the result where admins see it (`/beheer/berichten`).
//!
//! Other parts of the platform send a resident something with [`enqueue`].

use crate::adapters::invite::InviteMethod;
use crate::adapters::mail::OutgoingMail;
use crate::adapters::sms::{FileSink, OutgoingSms, SmsSender};
use crate::domain::appointment::{Appointment, AppointmentStatus};
use crate::domain::catalog::Service;
use crate::domain::ids::{AppointmentId, TenantId};
use crate::domain::message::{
    dedupe_key, inbound_request, plain_error, reminders, sender_number, Channel, InboundRequest,
    MessageKind, MessageState, ReminderSettings, MAX_ATTEMPTS,
};
use crate::domain::outbox::{after_failure, Backoff, DeliveryError};
use crate::domain::tenant::{Tenant, Tone};
use crate::domain::text::{one_line, PhoneNumber};
use crate::error::{Error, Result};
use crate::store::{MessageRow, NewMessage};
use crate::App;
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// What the worker hands to the adapter, stored as JSON in `messages.payload`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "channel", rename_all = "snake_case")]
pub enum Payload {
    Mail {
        from_name: String,
        from_email: String,
        to_name: String,
        subject: String,
        body: String,
        /// "REQUEST" or "CANCEL" with the calendar text.
        invite: Option<(String, String)>,
    },
    Sms {
        body: String,
    },
}

/// Who a notice goes to.
#[derive(Clone, Debug)]
pub enum Recipient {
    Mail { name: String, email: String },
    Sms { phone: PhoneNumber },
}

/// A message another part of the platform wants to send (a callback that did not reach the
/// resident, a closing day that hits an appointment). `key` makes it once-only: the same key
/// twice sends one message.
#[derive(Clone, Debug)]
pub struct Notice {
    pub tenant: TenantId,
    pub appointment: Option<AppointmentId>,
    pub key: String,
    pub to: Recipient,
    /// Used for mail; SMS sends the body only.
    pub subject: String,
    pub body: String,
}

/// Queues a notice now; the worker sends it within a second or so, with retries.
pub async fn enqueue(app: &App, notice: Notice) -> Result<()> {
    let tenant = app.db.tenant(notice.tenant).await?;
    let message = notice_message(app, &tenant, notice);
    app.db.insert_messages(&[message]).await
}

/// The payload as stored: sealed under the platform's secrets key, since it holds the
/// resident's personal link, which is otherwise stored only as a hash.
fn sealed(app: &App, payload: &Payload) -> String {
    app.secrets
        .seal(&serde_json::to_string(payload).unwrap_or_default())
}

/// The text a stored message says (the mail's body or the SMS), for the admin's list and
/// tests; None once emptied or when it cannot be opened.
pub fn text_of(app: &App, m: &MessageRow) -> Option<String> {
    let payload: Payload = serde_json::from_str(&app.secrets.open(&m.payload).ok()?).ok()?;
    Some(match payload {
        Payload::Mail { body, .. } | Payload::Sms { body } => body,
    })
}

fn notice_message(app: &App, tenant: &Tenant, notice: Notice) -> NewMessage {
    let now = app.clock.now();
    let (channel, recipient, payload) = match notice.to {
        Recipient::Mail { name, email } => (
            Channel::Mail,
            email,
            Payload::Mail {
                from_name: tenant.name.clone(),
                from_email: tenant.contact_email.clone(),
                to_name: name,
                subject: notice.subject,
                body: notice.body,
                invite: None,
            },
        ),
        Recipient::Sms { phone } => (
            Channel::Sms,
            phone.into_string(),
            Payload::Sms { body: notice.body },
        ),
    };
    NewMessage {
        id: uuid::Uuid::new_v4(),
        tenant_id: tenant.id,
        appointment_id: notice.appointment,
        kind: MessageKind::Notice,
        channel,
        dedupe_key: format!("notice:{}:{}", notice.key, channel.as_str()),
        recipient,
        payload: sealed(app, &payload),
        appointment_start: None,
        due: now,
        created_at: now,
    }
}

/// The messages an appointment change causes, to be written in its transaction: the mail (with
/// the calendar invite) and, when the resident gave a phone number, the text; after a booking
/// or a move also the reminders for the (new) start. `link` is the personal link (None when the
/// change came in without it, as a cancellation by text does).
pub(crate) fn for_change(
    app: &App,
    tenant: &Tenant,
    service: &Service,
    appointment: &Appointment,
    people: &[String],
    link: Option<&str>,
    kind: MessageKind,
) -> Vec<NewMessage> {
    let now = app.clock.now();
    let mut out = Vec::new();
    let mut add =
        |kind: MessageKind, channel: Channel, recipient: String, payload: Payload, due| {
            out.push(NewMessage {
                id: uuid::Uuid::new_v4(),
                tenant_id: tenant.id,
                appointment_id: Some(appointment.id),
                kind,
                channel,
                dedupe_key: dedupe_key(
                    appointment.id,
                    kind,
                    appointment.sequence,
                    appointment.start,
                    channel,
                ),
                recipient,
                payload: sealed(app, &payload),
                appointment_start: kind.is_reminder().then_some(appointment.start),
                due,
                created_at: now,
            });
        };
    let words = Words::new(tenant, service, appointment, link);
    let email = resident_email(appointment);
    // Whoever books or moves appointments with someone else's address cannot flood them.
    if let Some(email) = &email {
        if app.limits.mail_allowed(email) {
            let (subject, body) = words.mail(kind);
            let method = match kind {
                MessageKind::Cancel => InviteMethod::Cancel,
                _ => InviteMethod::Request,
            };
            let mut invite = super::booking::invite(
                app,
                tenant,
                service,
                appointment,
                people,
                // The invite's link is replaced below; a fresh token is never stored.
                &crate::domain::personal_link::PersonalToken::generate(),
            );
            invite.join_url = link.unwrap_or(&app.base_url).to_string();
            let payload = Payload::Mail {
                from_name: tenant.name.clone(),
                from_email: tenant.contact_email.clone(),
                to_name: appointment.resident.name.clone(),
                subject,
                body,
                invite: Some((method.as_str().to_string(), invite.to_ics(method))),
            };
            add(kind, Channel::Mail, email.clone(), payload, now);
        } else {
            tracing::warn!(appointment = %appointment.id, "mail not queued: too many mails to this address this hour");
        }
    }
    let phone = resident_phone(appointment);
    if let Some(phone) = &phone {
        add(
            kind,
            Channel::Sms,
            phone.clone(),
            Payload::Sms {
                body: words.sms(kind),
            },
            now,
        );
    }
    if matches!(kind, MessageKind::Confirmation | MessageKind::Change) {
        for (reminder, due) in reminders(appointment.start, now) {
            if let Some(email) = &email {
                let (subject, body) = words.mail(reminder);
                let payload = Payload::Mail {
                    from_name: tenant.name.clone(),
                    from_email: tenant.contact_email.clone(),
                    to_name: appointment.resident.name.clone(),
                    subject,
                    body,
                    invite: None,
                };
                add(reminder, Channel::Mail, email.clone(), payload, due);
            }
            if let Some(phone) = &phone {
                add(
                    reminder,
                    Channel::Sms,
                    phone.clone(),
                    Payload::Sms {
                        body: words.sms(reminder),
                    },
                    due,
                );
            }
        }
    }
    out
}

/// The resident's address, if any (one place to change when e-mail becomes optional).
fn resident_email(appointment: &Appointment) -> Option<String> {
    appointment.resident.email().map(ToString::to_string)
}

/// The resident's number in E.164, if they gave one that parses.
fn resident_phone(appointment: &Appointment) -> Option<String> {
    appointment
        .resident
        .phone()
        .and_then(|p| PhoneNumber::parse(p.as_str()).ok())
        .map(PhoneNumber::into_string)
}

/// The words of the messages about one appointment, in the municipality's tone.
struct Words {
    tenant: String,
    service: String,
    name: String,
    when: String,
    when_en: String,
    link: Option<String>,
    you: &'static str,
    your: &'static str,
    call_us: Option<String>,
}

impl Words {
    fn new(tenant: &Tenant, service: &Service, a: &Appointment, link: Option<&str>) -> Self {
        let (you, your) = match tenant.tone {
            Tone::Je => ("je", "je"),
            Tone::U => ("u", "uw"),
        };
        Self {
            tenant: tenant.name.clone(),
            service: service.name.clone(),
            name: one_line(&a.resident.name),
            when: super::booking::when_in_words(tenant, a.start),
            when_en: super::booking::when_in_english(tenant, a.start),
            link: link.map(str::to_string),
            you,
            your,
            call_us: municipality_phone(tenant),
        }
    }

    fn mail(&self, kind: MessageKind) -> (String, String) {
        let Words {
            tenant,
            service,
            name,
            when,
            when_en,
            you,
            your,
            ..
        } = self;
        let your_cap = capitalise(your);
        let link = self.link.as_deref().unwrap_or("");
        let (subject, body) = match kind {
            MessageKind::Cancel => (
                format!("Afspraak afgezegd: {when}"),
                format!(
                    "Beste {name},\n\n{your_cap} videoafspraak op {when} is afgezegd.\n\n---\nYour appointment on {when_en} has been cancelled.\n"
                ),
            ),
            MessageKind::ReminderDayBefore | MessageKind::ReminderHourBefore => {
                let soon = if kind == MessageKind::ReminderDayBefore { "morgen" } else { "over een uur" };
                let soon_en = if kind == MessageKind::ReminderDayBefore { "tomorrow" } else { "in one hour" };
                (
                    format!("Herinnering: {your} videoafspraak {soon}"),
                    format!(
                        "Beste {name},\n\n{your_cap} videoafspraak met {tenant} over {service} is {soon}: {when}.\n\n\
                         Open op dat moment deze link: {link}\nKan {you} niet? Met dezelfde link kunt {you} de afspraak verzetten of afzeggen.\n\n\
                         ---\nReminder: your video appointment with {tenant} ({service}) is {soon_en}, on {when_en}. Open this link at that time: {link}\n"
                    ),
                )
            }
            _ => {
                let subject = if kind == MessageKind::Change {
                    format!("Afspraak verzet: {when}")
                } else {
                    format!("{your_cap} videoafspraak: {when}")
                };
                (
                    subject,
                    format!(
                        "Beste {name},\n\n{your_cap} videoafspraak met {tenant} over {service} is op {when}.\n\n\
                         Open op dat moment deze link: {link}\nMet dezelfde link kunt {you} de afspraak verzetten of afzeggen.\n\n\
                         ---\nYour video appointment with {tenant} ({service}) is on {when_en}. Open this link at that time: {link}\n"
                    ),
                )
            }
        };
        // How to reach the municipality, in every mail, when it gave a number.
        let body = match &self.call_us {
            Some(phone) => format!("{body}\nBel ons / Call us: {phone}\n"),
            None => body,
        };
        (subject, body)
    }

    fn sms(&self, kind: MessageKind) -> String {
        let Words {
            tenant,
            when,
            when_en,
            your,
            ..
        } = self;
        let your_cap = capitalise(your);
        let link = self
            .link
            .as_deref()
            .map(|l| format!(" {l}"))
            .unwrap_or_default();
        match kind {
            MessageKind::Cancel => format!(
                "{tenant}: {your_cap} videoafspraak op {when} is afgezegd. / Your appointment on {when_en} is cancelled."
            ),
            MessageKind::ReminderDayBefore => format!(
                "{tenant}: herinnering, {your} videoafspraak is morgen, {when}.{link} Afzeggen? Stuur ANNULEREN. / Reminder: your video appointment is tomorrow. To cancel, reply CANCEL."
            ),
            MessageKind::ReminderHourBefore => format!(
                "{tenant}: {your} videoafspraak begint over een uur, {when}.{link} / Your video appointment starts in one hour."
            ),
            MessageKind::Change => format!(
                "{tenant}: {your_cap} videoafspraak is verzet naar {when}.{link} / Your appointment was moved to {when_en}."
            ),
            _ => format!(
                "{tenant}: {your_cap} videoafspraak is op {when}.{link} Afzeggen? Stuur ANNULEREN. / Your video appointment is on {when_en}. To cancel, reply CANCEL."
            ),
        }
    }
}

fn municipality_phone(tenant: &Tenant) -> Option<String> {
    tenant
        .resident_info
        .phone
        .as_deref()
        .and_then(|p| PhoneNumber::parse_for_municipality(p).ok())
        .map(|p| p.in_words())
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The worker

#[derive(Clone)]
pub struct MessageConfig {
    /// How long an idle worker waits before looking for due messages again.
    pub poll_interval: Duration,
    pub batch: i64,
    pub backoff: Backoff,
    /// One send must finish within this; the lease is twice as long.
    pub request_timeout: Duration,
    pub sms: Arc<dyn SmsSender>,
    /// Finished messages lose their text and address after this (docs/privacy.md).
    pub keep_text_for: SignedDuration,
}

impl MessageConfig {
    /// Texts go to `<dir>` as JSON files: the default without a Notify account.
    pub fn with_sms_files(dir: std::path::PathBuf) -> std::io::Result<Self> {
        Ok(Self {
            // A cheap indexed query; short, so a confirmation follows the booking closely.
            poll_interval: Duration::from_millis(250),
            batch: 32,
            backoff: Backoff::default(),
            request_timeout: Duration::from_secs(30),
            sms: Arc::new(FileSink::new(dir)?),
            keep_text_for: SignedDuration::from_hours(24 * 30),
        })
    }
}

/// Starts a worker; abort the handle to stop it. Safe on every instance (claims are leases).
pub fn spawn_message_worker(app: App, config: MessageConfig) -> JoinHandle<()> {
    let worker = MessageWorker { app, config };
    tokio::spawn(async move { worker.run().await })
}

pub struct MessageWorker {
    pub app: App,
    pub config: MessageConfig,
}

impl MessageWorker {
    pub fn new(app: App, config: MessageConfig) -> Self {
        Self { app, config }
    }

    pub async fn run(self) {
        let mut rounds: u64 = 0;
        loop {
            if rounds.is_multiple_of(600) {
                let before = self.app.clock.now() - self.config.keep_text_for;
                if let Err(e) = self.app.db.empty_old_messages(before).await {
                    tracing::warn!(error = %e, "could not empty old messages");
                }
            }
            rounds += 1;
            match self.run_once().await {
                Ok(n) if n as i64 >= self.config.batch => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "message round failed"),
            }
            tokio::time::sleep(self.config.poll_interval).await;
        }
    }

    /// Claims the due messages and sends them one after another. Returns how many it claimed.
    pub async fn run_once(&self) -> Result<usize> {
        let token = uuid::Uuid::new_v4().to_string();
        let now = self.app.clock.now();
        let lease = SignedDuration::try_from(self.config.request_timeout * 2)
            .unwrap_or(SignedDuration::from_mins(5));
        let claimed = self
            .app
            .db
            .claim_due_messages(&token, now, now + lease, self.config.batch)
            .await?;
        let count = claimed.len();
        for message in claimed {
            if let Err(e) = self.handle(&message, &token).await {
                tracing::error!(message = %message.id, error = %e, "could not note a message");
            }
        }
        Ok(count)
    }

    async fn handle(&self, m: &MessageRow, token: &str) -> Result<()> {
        if let Some(reason) = self.no_longer_needed(m).await? {
            let now = self.app.clock.now();
            self.app
                .db
                .finish_message(&m.id, token, MessageState::Dropped, Some(reason), now)
                .await?;
            return Ok(());
        }
        let result = match tokio::time::timeout(self.config.request_timeout, self.send(m)).await {
            Ok(result) => result,
            Err(_) => Err(DeliveryError::Transient("timed out".into())),
        };
        let now = self.app.clock.now();
        match result {
            Ok(()) => {
                match m.channel {
                    Channel::Mail => {
                        tracing::info!(message = %m.id, kind = m.kind.as_str(), "mail sent to resident")
                    }
                    Channel::Sms => {
                        tracing::info!(message = %m.id, kind = m.kind.as_str(), "text sent to resident")
                    }
                }
                self.app
                    .db
                    .finish_message(&m.id, token, MessageState::Sent, None, now)
                    .await?;
            }
            Err(error) => {
                let attempt = m.attempts + 1;
                let after = after_failure(
                    &error,
                    attempt,
                    now,
                    &self.config.backoff,
                    rand::random::<f64>(),
                );
                let words = plain_error(m.channel, &after.last_error);
                tracing::warn!(message = %m.id, error = %after.last_error, attempt, "message not sent");
                match after.next_attempt_at {
                    Some(next) if attempt < MAX_ATTEMPTS => {
                        self.app
                            .db
                            .retry_message_later(&m.id, token, &words, next)
                            .await?;
                    }
                    _ => {
                        self.app
                            .db
                            .finish_message(&m.id, token, MessageState::Failed, Some(&words), now)
                            .await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// A reminder for an appointment that was cancelled, moved or has started, or that the
    /// municipality turned off, is not sent.
    async fn no_longer_needed(&self, m: &MessageRow) -> Result<Option<&'static str>> {
        let (Some(id), Some(start)) = (m.appointment_id, m.appointment_start) else {
            return Ok(None);
        };
        if !m.kind.is_reminder() {
            return Ok(None);
        }
        let appointment = match self.app.db.appointment(m.tenant_id, id).await {
            Ok(a) => a,
            Err(Error::NotFound(_)) => return Ok(Some("De afspraak bestaat niet meer.")),
            Err(e) => return Err(e),
        };
        if appointment.status != AppointmentStatus::Booked || appointment.start != start {
            return Ok(Some("De afspraak is verzet of afgezegd."));
        }
        if appointment.start <= self.app.clock.now() {
            return Ok(Some("De afspraak was al begonnen."));
        }
        if !self
            .app
            .db
            .reminder_settings(m.tenant_id)
            .await?
            .wants(m.kind)
        {
            return Ok(Some("Deze herinnering staat uit in de instellingen."));
        }
        Ok(None)
    }

    async fn send(&self, m: &MessageRow) -> std::result::Result<(), DeliveryError> {
        let payload: Payload = self
            .app
            .secrets
            .open(&m.payload)
            .ok()
            .and_then(|plain| serde_json::from_str(&plain).ok())
            .ok_or_else(|| DeliveryError::Refused("the stored message cannot be read".into()))?;
        match payload {
            Payload::Mail {
                from_name,
                from_email,
                to_name,
                subject,
                body,
                invite,
            } => {
                let invite = invite.map(|(method, ics)| {
                    let method = if method == "CANCEL" {
                        InviteMethod::Cancel
                    } else {
                        InviteMethod::Request
                    };
                    (method, ics)
                });
                let mail = OutgoingMail {
                    from_name,
                    from_email,
                    to_name,
                    to_email: m.recipient.clone(),
                    subject,
                    body,
                    invite,
                };
                self.app.mailer.send(&mail).await.map_err(|e| {
                    let text = e.to_string();
                    if text.contains("bad address") || text.contains("could not be built") {
                        DeliveryError::Refused(text)
                    } else {
                        DeliveryError::Transient(text)
                    }
                })
            }
            Payload::Sms { body } => {
                let sms = OutgoingSms {
                    phone_number: m.recipient.clone(),
                    body,
                    reference: m.id.clone(),
                };
                self.config.sms.send(&sms).await
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Admin: the messages and the reminder settings

/// At most this many messages are listed (newest first).
pub const MESSAGE_LIST_LIMIT: i64 = 300;

pub async fn list(app: &App, tenant: TenantId) -> Result<Vec<MessageRow>> {
    app.db.messages(tenant, MESSAGE_LIST_LIMIT).await
}

/// An appointment's messages (for tests and the clerk's view).
pub async fn for_appointment(app: &App, id: AppointmentId) -> Result<Vec<MessageRow>> {
    app.db.messages_for_appointment(id).await
}

/// Sends a failed message again.
pub async fn retry(app: &App, tenant: TenantId, id: &str) -> Result<()> {
    app.db.requeue_message(tenant, id, app.clock.now()).await
}

pub async fn reminder_settings(app: &App, tenant: TenantId) -> Result<ReminderSettings> {
    app.db.reminder_settings(tenant).await
}

/// Saves the municipality's reminder choices; the change is in the admin audit log, in words
/// ("dag ervoor: aan, uur ervoor: uit").
pub async fn save_reminder_settings(
    app: &App,
    by: impl Into<super::admin::audit::By>,
    settings: ReminderSettings,
) -> Result<()> {
    let by = by.into();
    app.db.save_reminder_settings(by.tenant, settings).await?;
    let on_off = |on: bool| if on { "aan" } else { "uit" };
    super::admin::audit::record(
        app,
        by,
        crate::domain::audit::AuditAction::RemindersChanged,
        format!(
            "dag ervoor: {}, uur ervoor: {}",
            on_off(settings.day_before),
            on_off(settings.hour_before)
        ),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Inbound texts

/// Notify's inbound-text callback body. Notify's documentation names the text `message`; the
/// received-text-messages API calls it `content`; both are taken.
#[derive(Clone, Debug, Deserialize)]
pub struct InboundSms {
    pub id: String,
    pub source_number: String,
    pub destination_number: String,
    #[serde(alias = "content")]
    pub message: String,
    pub date_received: String,
}

/// What became of an inbound text (the caller answers Notify the same way for each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InboundOutcome {
    /// The one upcoming appointment of that number was cancelled (its cancel SMS confirms).
    Cancelled,
    /// The resident got an answer saying what to do.
    Replied,
    /// Not from a number that ever booked here: nothing is done or sent.
    Ignored,
}

pub async fn inbound_sms(app: &App, slug: &str, sms: &InboundSms) -> Result<InboundOutcome> {
    let tenant = match super::booking::municipality(app, slug).await {
        Ok(t) => t,
        Err(Error::NotFound(_)) | Err(Error::Conflict(_)) => return Ok(InboundOutcome::Ignored),
        Err(e) => return Err(e),
    };
    let Some(phone) = sender_number(&sms.source_number) else {
        return Ok(InboundOutcome::Ignored);
    };
    if !app.db.phone_known(tenant.id, &phone).await? {
        return Ok(InboundOutcome::Ignored);
    }
    let (you, your) = match tenant.tone {
        Tone::Je => ("je", "je"),
        Tone::U => ("u", "uw"),
    };
    let call = municipality_phone(&tenant)
        .map(|p| format!(" Bel {p}. / Call {p}."))
        .unwrap_or_else(|| " / Please use the link in your confirmation.".to_string());
    let reply = match inbound_request(&sms.message) {
        InboundRequest::Cancel => {
            let upcoming = app.db.upcoming_by_phone(tenant.id, &phone, app.clock.now()).await?;
            if let [only] = upcoming.as_slice() {
                let appointment = app.db.appointment(tenant.id, *only).await?;
                let service = app.db.service(tenant.id, appointment.service_id).await?;
                super::booking::cancel_without_link(app, &tenant, &service, &appointment).await?;
                tracing::info!(appointment = %appointment.id, "appointment cancelled by text");
                return Ok(InboundOutcome::Cancelled);
            }
            if upcoming.is_empty() {
                format!(
                    "{}: we vinden geen komende afspraak bij dit nummer. Gebruik de link in {your} bevestiging of bel ons.{call} / We found no upcoming appointment for this number.",
                    tenant.name
                )
            } else {
                format!(
                    "{}: {you} heeft meer dan één afspraak. Zeg af met de link in {your} bevestiging of bel ons.{call} / You have more than one appointment: use the link in your confirmation.",
                    tenant.name
                )
            }
        }
        InboundRequest::Other => format!(
            "{}: stuur ANNULEREN om {your} afspraak af te zeggen. Voor iets anders: bel ons.{call} / Reply CANCEL to cancel your appointment.",
            tenant.name
        ),
    };
    let phone = PhoneNumber::parse(&phone).map_err(|_| Error::Internal("parsed phone".into()))?;
    let notice = Notice {
        tenant: tenant.id,
        appointment: None,
        // Notify may call back twice for one text; one answer is enough.
        key: format!("inbound-{}", one_line(&sms.id)),
        to: Recipient::Sms { phone },
        subject: String::new(),
        body: reply,
    };
    let mut message = notice_message(app, &tenant, notice);
    message.kind = MessageKind::Reply;
    app.db.insert_messages(&[message]).await?;
    Ok(InboundOutcome::Replied)
}
