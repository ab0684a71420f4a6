//! Outgoing mail: over SMTP when configured, otherwise as .eml files in the data directory.

use crate::adapters::invite::InviteMethod;
use crate::domain::text::one_line;
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

/// A display name and address for a header. The name is made one line first: a value stored
/// before text was parsed may hold CR or LF, which must never reach a header.
fn mailbox(name: &str, email: &str) -> Result<Mailbox> {
    let address = email
        .parse()
        .map_err(|_| Error::Mail(format!("bad address {:?}", one_line(email))))?;
    let name = one_line(name).trim().to_string();
    Ok(Mailbox::new((!name.is_empty()).then_some(name), address))
}

/// Builds the message, or says why it cannot: whatever is stored, building never takes the
/// request down with it.
pub fn build_message(mail: &OutgoingMail) -> Result<Message> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build_unguarded(mail)))
        .unwrap_or_else(|_| Err(Error::Mail("the message could not be built".into())))
}

fn build_unguarded(mail: &OutgoingMail) -> Result<Message> {
    let builder = Message::builder()
        .from(mailbox(&mail.from_name, &mail.from_email)?)
        .to(mailbox(&mail.to_name, &mail.to_email)?)
        .subject(one_line(&mail.subject));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(to_name: &str, from_name: &str) -> OutgoingMail {
        OutgoingMail {
            from_name: from_name.into(),
            from_email: "loket@voorbeeld.nl".into(),
            to_name: to_name.into(),
            to_email: "jan@example.nl".into(),
            subject: format!("Uw videoafspraak met {from_name}"),
            body: "Beste Jan".into(),
            invite: Some((InviteMethod::Request, "BEGIN:VCALENDAR\r\n".into())),
        }
    }

    fn headers(message: &Message) -> String {
        let raw = String::from_utf8_lossy(&message.formatted()).to_string();
        raw.split("\r\n\r\n").next().unwrap().to_string()
    }

    #[test]
    fn the_worst_valid_names_make_a_message() {
        let longest = "é".repeat(crate::domain::text::PersonName::MAX_CHARS);
        for name in [
            longest.as_str(),
            "Zoë d'Ancona-Brontë",
            "محمد العلي",
            "Anna 🌷 \"de\" <Vries>, jr.; @home",
        ] {
            let message = build_message(&mail(name, name)).unwrap();
            assert!(headers(&message).contains("To: "));
        }
    }

    #[test]
    fn stored_line_breaks_never_reach_a_header() {
        for stored in [
            "Jan\nORGANIZER:mailto:evil@example.org",
            "Jan\rBcc: evil@example.org",
            "Jan\r\nBcc: evil@example.org\u{0}",
            "\n",
        ] {
            let message = build_message(&mail(stored, stored)).expect(stored);
            let headers = headers(&message);
            assert!(
                !headers
                    .lines()
                    .any(|l| l.starts_with("Bcc") || l.starts_with("ORGANIZER")),
                "{headers}"
            );
        }
    }

    #[test]
    fn a_stored_address_that_is_not_one_is_an_error_not_a_panic() {
        let mut bad = mail("Jan", "Gemeente");
        bad.to_email = "jan\r\n@example.nl".into();
        assert!(matches!(build_message(&bad), Err(Error::Mail(_))));
    }
}
