//! Companions and interpreters (issue 15 item 4): the resident invites a companion from the
//! personal link page, the clerk an interpreter; each gets a link of their own into that
//! appointment's call. The clerk takes someone out (the link admits no more); every join is
//! recorded for the resident's "Uw gegevens" page. The rules are in `domain::companion`.

use crate::auth::SessionClaims;
use crate::domain::appointment::{Appointment, AppointmentStatus};
use crate::domain::audit::AuditAction;
use crate::domain::catalog::Service;
use crate::domain::companion::{
    companion_grant, may_invite, CallJoin, CompanionId, CompanionLink, CompanionRole, Joiner,
    RoomSize,
};
use crate::domain::email::Email;
use crate::domain::ids::{AppointmentId, QueueEntryId};
use crate::domain::personal_link::PersonalToken;
use crate::domain::rooms::{RoomGrant, RoomRole};
use crate::domain::tenant::Tenant;
use crate::domain::text::PersonName;
use crate::error::{Conflict, Error, Result};
use crate::usecases::admin::audit::{self, By};
use crate::usecases::booking::Unlocked;
use crate::App;

/// What someone types to invite a person: a name and, if they like, an e-mail address.
#[derive(Clone, Debug, Default)]
pub struct InviteInput {
    pub name: String,
    pub email: String,
}

/// A new invitation and its link's secret (shown once; only its hash is stored).
pub struct Invited {
    pub link: CompanionLink,
    pub token: PersonalToken,
}

impl Invited {
    pub fn path(&self) -> String {
        format!("/m/{}", self.token.as_str())
    }
}

/// The resident invites a companion for their appointment.
pub async fn invite_companion(app: &App, u: &Unlocked, input: &InviteInput) -> Result<Invited> {
    invite(
        app,
        &u.tenant,
        &u.appointment,
        CompanionRole::Companion,
        input,
        None,
    )
    .await
}

/// The clerk who handles the appointment invites an interpreter.
pub async fn invite_interpreter(
    app: &App,
    claims: &SessionClaims,
    appointment: AppointmentId,
    input: &InviteInput,
) -> Result<Invited> {
    let appointment = crate::usecases::desk::appointment(app, claims, appointment).await?;
    let tenant = app.db.tenant(claims.tenant).await?;
    invite(
        app,
        &tenant,
        &appointment,
        CompanionRole::Interpreter,
        input,
        Some(claims),
    )
    .await
}

async fn invite(
    app: &App,
    tenant: &Tenant,
    appointment: &Appointment,
    role: CompanionRole,
    input: &InviteInput,
    clerk: Option<&SessionClaims>,
) -> Result<Invited> {
    // Every check before anything is written.
    let name = PersonName::parse(&input.name).map_err(|p| p.at("/name"))?;
    let email = match input.email.trim() {
        "" => None,
        raw => Some(Email::parse(raw).map_err(|e| Error::invalid_because("/email", e.words()))?),
    };
    let now = app.clock.now();
    if appointment.status == AppointmentStatus::Cancelled {
        return Err(Conflict::AppointmentCancelled.into());
    }
    if now >= appointment.end + crate::domain::rooms::OVERRUN {
        return Err(Conflict::AppointmentOver.into());
    }
    let open = app
        .db
        .companion_links(appointment.id)
        .await?
        .iter()
        .filter(|l| l.admits())
        .count();
    may_invite(app.db.room_size(tenant.id).await?, open)?;
    let token = PersonalToken::generate();
    let link = CompanionLink {
        id: CompanionId::new(),
        tenant_id: tenant.id,
        appointment_id: appointment.id,
        role,
        name: name.into_string(),
        email: email.map(|e| e.to_string()),
        created_at: now,
        removed_at: None,
    };
    app.db
        .insert_companion_link(&link, &token.hash(), clerk.map(|c| c.sub))
        .await?;
    let invited = Invited { link, token };
    if let Some(email) = &invited.link.email {
        mail_invitation(app, tenant, appointment, &invited, email).await?;
    }
    Ok(invited)
}

/// The invitation by mail, through the message outbox (the link travels sealed).
async fn mail_invitation(
    app: &App,
    tenant: &Tenant,
    appointment: &Appointment,
    invited: &Invited,
    email: &str,
) -> Result<()> {
    let local = appointment.start.to_zoned(tenant.time_zone.tz().clone());
    let when = format!(
        "{} om {}",
        crate::domain::dates_in_words::day_month_nl(local.date()),
        local.strftime("%H:%M")
    );
    let link = format!("{}{}", app.base_url.trim_end_matches('/'), invited.path());
    let body = format!(
        "Beste {name},\n\nU bent uitgenodigd om als {role} mee te doen met een videogesprek met \
         {municipality} op {when}.\nMet deze link komt u in het gesprek (alleen voor deze \
         afspraak):\n{link}\n\nU ziet en hoort het gesprek. Kom op tijd: op de pagina test u \
         eerst uw camera en microfoon.\n",
        name = invited.link.name,
        role = invited.link.role.word_nl(),
        municipality = tenant.name,
    );
    crate::usecases::messages::enqueue(
        app,
        crate::usecases::messages::Notice {
            tenant: tenant.id,
            appointment: Some(appointment.id),
            key: format!("companion-invite-{}", invited.link.id),
            to: crate::usecases::messages::Recipient::Mail {
                name: invited.link.name.clone(),
                email: email.to_string(),
            },
            subject: format!("Uitnodiging videogesprek {}", tenant.name),
            body,
        },
    )
    .await
}

/// The invitations of the resident's appointment, removed ones too.
pub async fn for_resident(app: &App, u: &Unlocked) -> Result<Vec<CompanionLink>> {
    app.db.companion_links(u.appointment.id).await
}

/// The invitations of an appointment the clerk handles.
pub async fn for_clerk(
    app: &App,
    claims: &SessionClaims,
    appointment: AppointmentId,
) -> Result<Vec<CompanionLink>> {
    let appointment = crate::usecases::desk::appointment(app, claims, appointment).await?;
    app.db.companion_links(appointment.id).await
}

/// What a companion's link opens: their invitation and the appointment it is for.
pub struct CompanionView {
    pub link: CompanionLink,
    pub appointment: Appointment,
    pub tenant: Tenant,
    pub service: Service,
}

/// Opens a companion link. A removed link still opens (the page says they were taken out),
/// but gets no room token.
pub async fn unlock(app: &App, raw: &str) -> Result<CompanionView> {
    let token = PersonalToken::parse(raw).ok_or(Error::NotFound("companion link"))?;
    let link = app.db.companion_link_by_hash(&token.hash()).await?;
    let appointment = app
        .db
        .appointment(link.tenant_id, link.appointment_id)
        .await?;
    let tenant = app.db.tenant(link.tenant_id).await?;
    let service = app.db.service(tenant.id, appointment.service_id).await?;
    Ok(CompanionView {
        link,
        appointment,
        tenant,
        service,
    })
}

/// The companion's ticket into the call: only once a clerk called the resident in, only for
/// that appointment, never after the clerk took them out.
pub async fn room_grant(app: &App, raw: &str) -> Result<RoomGrant> {
    let view = unlock(app, raw).await?;
    let entry = app
        .db
        .queue_entry_for_appointment(view.appointment.id)
        .await?;
    companion_grant(
        &view.link,
        &view.appointment,
        entry.as_ref(),
        &view.tenant,
        app.clock.now(),
    )
}

/// The clerk takes a companion or interpreter out of the call: their link admits no more.
/// (The clerk's page then asks signalling to end their session.)
pub async fn remove(
    app: &App,
    claims: &SessionClaims,
    appointment: AppointmentId,
    id: CompanionId,
) -> Result<CompanionLink> {
    let appointment = crate::usecases::desk::appointment(app, claims, appointment).await?;
    let link = app.db.companion_link(claims.tenant, id).await?;
    if link.appointment_id != appointment.id {
        return Err(Error::NotFound("companion link"));
    }
    app.db
        .remove_companion_link(claims.tenant, id, app.clock.now())
        .await?;
    tracing::info!(clerk = %claims.sub, appointment = %appointment.id, companion = %id, "companion removed from the call");
    app.db.companion_link(claims.tenant, id).await
}

/// Whether the participant of a room token may (still) come in: a companion's link must be of
/// this municipality and not removed; everyone else is up to `rooms::admits`.
pub async fn admits_participant(app: &App, tenant_slug: &str, participant: &str) -> Result<bool> {
    let Some(id) = CompanionId::from_participant(participant) else {
        return Ok(true);
    };
    let tenant = match crate::usecases::booking::municipality(app, tenant_slug).await {
        Ok(tenant) => tenant,
        Err(Error::NotFound(_)) => return Ok(false),
        Err(other) => return Err(other),
    };
    match app.db.companion_link(tenant.id, id).await {
        Ok(link) => Ok(link.admits()),
        Err(Error::NotFound(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

/// The municipality's room size, for signalling's check at every join.
pub async fn room_size_of(app: &App, tenant_slug: &str) -> Result<RoomSize> {
    let tenant = crate::usecases::booking::municipality(app, tenant_slug).await?;
    app.db.room_size(tenant.id).await
}

/// The admin's setting: people in one call at most (2 to 4).
pub async fn room_size(app: &App, tenant: crate::domain::ids::TenantId) -> Result<RoomSize> {
    app.db.room_size(tenant).await
}

/// Saves the room size (admins; the API and page check the role), with an audit line.
pub async fn set_room_size(app: &App, by: impl Into<By>, raw: i64) -> Result<RoomSize> {
    let by = by.into();
    let size = RoomSize::parse(raw)?;
    app.db.set_room_size(by.tenant, size).await?;
    audit::record(
        app,
        by,
        AuditAction::SettingsChanged,
        format!("personen per gesprek: {}", size.get()),
    )
    .await?;
    Ok(size)
}

/// Records that a participant came into `room` (an appointment's room, or the queue call of an
/// appointment's entry). Walk-ins have no appointment to record against.
pub async fn record_join(
    app: &App,
    tenant_slug: &str,
    room: &str,
    participant: &str,
    role: RoomRole,
) -> Result<()> {
    let tenant = crate::usecases::booking::municipality(app, tenant_slug).await?;
    let appointment = if let Ok(id) = room.parse::<AppointmentId>() {
        match app.db.appointment(tenant.id, id).await {
            Ok(a) => Some(a.id),
            Err(Error::NotFound(_)) => None,
            Err(other) => return Err(other),
        }
    } else {
        None
    };
    let appointment = match appointment {
        Some(a) => Some(a),
        None => match room.parse::<QueueEntryId>() {
            Ok(id) => match app.db.queue_entry(tenant.id, id).await {
                Ok(entry) => entry.appointment_id,
                Err(Error::NotFound(_)) => None,
                Err(other) => return Err(other),
            },
            Err(_) => None,
        },
    };
    let Some(appointment) = appointment else {
        return Ok(());
    };
    app.db
        .insert_call_join(
            tenant.id,
            appointment,
            role,
            CompanionId::from_participant(participant),
            app.clock.now(),
        )
        .await
}

/// Who came into the resident's call when, oldest first; a companion by name and role.
pub async fn joins(app: &App, u: &Unlocked) -> Result<Vec<CallJoin>> {
    let links = app.db.companion_links(u.appointment.id).await?;
    let rows = app.db.call_joins(u.appointment.id).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let link = row
                .companion
                .and_then(|id| links.iter().find(|l| l.id == id));
            let who = match (row.role, link) {
                (RoomRole::Resident, _) => Joiner::Resident,
                (RoomRole::Clerk, _) => Joiner::Clerk,
                (_, Some(link)) => Joiner::Companion {
                    role: link.role,
                    name: link.name.clone(),
                },
                (RoomRole::Interpreter, None) => Joiner::Companion {
                    role: CompanionRole::Interpreter,
                    name: "?".into(),
                },
                (RoomRole::Companion, None) => Joiner::Companion {
                    role: CompanionRole::Companion,
                    name: "?".into(),
                },
            };
            CallJoin { at: row.at, who }
        })
        .collect())
}
