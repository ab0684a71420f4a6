//! Outgoing mail: over SMTP when configured, otherwise as .eml files in the data directory.

use crate::adapters::invite::InviteMethod;
use crate::error::{Error, Result};
use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

/// Where mail goes.
#[derive(Clone, Debug)]
pub enum MailConfig {
    /// Write each message as an .eml file (the default, so a fresh install needs no SMTP server).
    Files(PathBuf),
    /// An SMTP URL as lettre understands it, e.g. `smtp://127.0.0.1:2525` or
    /// `smtps://user:pass@mail.example.nl`.
    Smtp(String),
}

#[derive(Clone)]
pub enum Mailer {
    Files(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// One message to a resident, optionally with a calendar invite attached.
#[derive(Clone, Debug)]
pub struct OutgoingMail {
    pub from_name: String,
    pub from_email: String,
    pub to_name: String,
    pub to_email: String,
    pub subject: String,
    pub body: String,
    pub invite: Option<(InviteMethod, String)>,
}

impl Mailer {
    pub fn new(config: &MailConfig) -> Result<Self> {
        match config {
            MailConfig::Files(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| Error::Mail(format!("cannot create {}: {e}", dir.display())))?;
                Ok(Mailer::Files(AsyncFileTransport::new(dir)))
            }
            MailConfig::Smtp(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|b| Mailer::Smtp(b.build()))
                .map_err(|e| Error::Mail(format!("bad SMTP URL: {e}"))),
        }
    }

    pub async fn send(&self, mail: &OutgoingMail) -> Result<()> {
        let message = build_message(mail)?;
        match self {
            Mailer::Files(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| Error::Mail(e.to_string())),
            Mailer::Smtp(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| Error::Mail(e.to_string())),
        }
    }
}

fn mailbox(name: &str, email: &str) -> Result<Mailbox> {
    let address = email
        .parse()
        .map_err(|e| Error::Mail(format!("bad address {email}: {e}")))?;
    Ok(Mailbox::new(Some(name.to_string()), address))
}

fn build_message(mail: &OutgoingMail) -> Result<Message> {
    let builder = Message::builder()
        .from(mailbox(&mail.from_name, &mail.from_email)?)
        .to(mailbox(&mail.to_name, &mail.to_email)?)
        .subject(mail.subject.clone());
    let text = SinglePart::plain(mail.body.clone());
    let message = match &mail.invite {
        None => builder.singlepart(text),
        Some((method, ics)) => {
            // The method parameter tells mail clients to offer "add to calendar" (RFC 6047).
            let content_type = ContentType::parse(&format!(
                "text/calendar; method={}; charset=UTF-8",
                method.as_str()
            ))
            .map_err(|e| Error::Mail(e.to_string()))?;
            let attachment =
                Attachment::new("afspraak.ics".to_string()).body(ics.clone(), content_type);
            builder.multipart(MultiPart::mixed().singlepart(text).singlepart(attachment))
        }
    };
    message.map_err(|e| Error::Mail(e.to_string()))
}
