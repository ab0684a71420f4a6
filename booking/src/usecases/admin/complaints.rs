//! Complaints: closing one with a note, marking a comment as one.

use crate::adapters::mail::OutgoingMail;
use crate::domain::feedback::{self, Feedback};
use crate::domain::ids::{ClerkId, TenantId};
use crate::domain::tenant::Tone;
use crate::domain::text::PhoneNumber;
use crate::error::{Error, Result};
use crate::App;

/// Closes an open complaint with a note on how it was handled and, when given, an answer for
/// the resident: mailed to them and shown on their personal link page.
pub async fn handle_complaint(
    app: &App,
    tenant: TenantId,
    by: ClerkId,
    complaint: &str,
    note: &str,
    answer: &str,
) -> Result<()> {
    let note = feedback::parse_note(note)?;
    let answer = feedback::parse_answer(answer)?;
    let id: uuid::Uuid = complaint
        .parse()
        .map_err(|_| Error::NotFound("complaint"))?;
    app.db
        .handle_complaint(tenant, id, by, &note, answer.as_deref(), app.clock.now())
        .await?;
    if let Some(answer) = answer {
        mail_answer(app, tenant, id, &answer).await?;
    }
    Ok(())
}

/// Mails the answer to the resident who complained; a failed mail is logged (the answer stays
/// on the personal link page).
async fn mail_answer(app: &App, tenant: TenantId, id: uuid::Uuid, answer: &str) -> Result<()> {
    let complaint = app.db.feedback_by_id(tenant, id).await?;
    let appointment = app.db.appointment(tenant, complaint.appointment_id).await?;
    // Without an e-mail address the answer is on the personal link page only.
    let Some(to_email) = appointment.resident.email().map(ToString::to_string) else {
        return Ok(());
    };
    let municipality = app.db.tenant(tenant).await?;
    let your = match municipality.tone {
        Tone::Je => "je",
        Tone::U => "uw",
    };
    let call = municipality
        .resident_info
        .phone
        .as_deref()
        .and_then(|p| PhoneNumber::parse_for_municipality(p).ok())
        .map(|p| format!("\nBel ons / Call us: {}\n", p.in_words()))
        .unwrap_or_default();
    let mail = OutgoingMail {
        from_name: municipality.name.clone(),
        from_email: municipality.contact_email.clone(),
        to_name: appointment.resident.name.clone(),
        to_email,
        subject: format!("Antwoord op {your} klacht / Answer to your complaint"),
        body: format!(
            "Beste {name},\n\nDit is het antwoord van {tenant} op {your} klacht over het videogesprek:\n\n{answer}\n\n\
             ---\nThis is the answer of {tenant} to your complaint about the video call (above).\n{call}",
            name = appointment.resident.name.replace(['\r', '\n'], " "),
            tenant = municipality.name,
        ),
        invite: None,
    };
    if !app.limits.mail_allowed(&mail.to_email) {
        tracing::warn!(appointment = %appointment.id, "complaint answer not mailed: too many mails");
        return Ok(());
    }
    if let Err(e) = app.mailer.send(&mail).await {
        tracing::warn!(appointment = %appointment.id, error = %e, "could not mail the complaint answer");
    }
    Ok(())
}

/// Puts a resident's comment on the complaints list, to be followed up like a complaint.
pub async fn mark_complaint(app: &App, tenant: TenantId, comment: &str) -> Result<()> {
    let id: uuid::Uuid = comment.parse().map_err(|_| Error::NotFound("comment"))?;
    app.db.mark_complaint(tenant, id).await
}

/// Feedback with a comment, newest first.
pub async fn comments(app: &App, tenant: TenantId) -> Result<Vec<Feedback>> {
    app.db.comments(tenant).await
}

/// The complaints, oldest first: the open ones, or all with `all`.
pub async fn complaints(app: &App, tenant: TenantId, all: bool) -> Result<Vec<Feedback>> {
    app.db.complaints(tenant, all).await
}
