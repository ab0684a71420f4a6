//! A staff member's own account: setting a password through a one-time mailed link (the first
//! admin of a new municipality, "wachtwoord vergeten"), and changing it when logged in.

use crate::adapters::mail::OutgoingMail;
use crate::auth::{self, SessionClaims};
use crate::domain::audit::{Actor, AuditAction, AuditEntry};
use crate::domain::ids::ClerkId;
use crate::domain::personal_link::PersonalToken;
use crate::domain::tenant::Tenant;
use crate::error::{Conflict, Error, Result};
use crate::App;

/// A link to set the first password lasts three days: long enough over a weekend.
pub const FIRST_PASSWORD_LINK_SECONDS: i64 = 72 * 60 * 60;
/// A reset link lasts two hours.
pub const RESET_LINK_SECONDS: i64 = 2 * 60 * 60;

/// Why a link is sent: the words of the mail differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkPurpose {
    FirstPassword,
    Reset,
}

/// The page where a link's token is used.
pub fn link_address(app: &App, tenant: &Tenant, token: &PersonalToken) -> String {
    format!(
        "{}/{}/medewerker/wachtwoord/{}",
        app.base_url.trim_end_matches('/'),
        tenant.slug,
        token.as_str()
    )
}

/// The new link's token, hash and lifetime: `(token, (hash, created, expires))`.
pub(crate) fn new_link(app: &App, purpose: LinkPurpose) -> (PersonalToken, String, i64, i64) {
    let token = PersonalToken::generate();
    let now = app.clock.now().as_second();
    let lifetime = match purpose {
        LinkPurpose::FirstPassword => FIRST_PASSWORD_LINK_SECONDS,
        LinkPurpose::Reset => RESET_LINK_SECONDS,
    };
    let hash = token.hash();
    (token, hash, now, now + lifetime)
}

/// Mails the link. A mail failure is logged and returned; the link stays valid.
pub(crate) async fn mail_link(
    app: &App,
    tenant: &Tenant,
    (name, email): (&str, &str),
    token: &PersonalToken,
    purpose: LinkPurpose,
) -> Result<()> {
    let address = link_address(app, tenant, token);
    let (subject, body) = match purpose {
        LinkPurpose::FirstPassword => (
            format!("Uw account voor Videoloket van {}", tenant.name),
            format!(
                "Beste {name},\n\nEr is een beheerdersaccount voor u gemaakt voor Videoloket van {}.\n\
                 Kies uw wachtwoord via deze link (drie dagen geldig, één keer te gebruiken):\n\n{address}\n\n\
                 Daarna logt u in op {}/{}/medewerker met {email}.\n",
                tenant.name,
                app.base_url.trim_end_matches('/'),
                tenant.slug
            ),
        ),
        LinkPurpose::Reset => (
            format!("Nieuw wachtwoord voor Videoloket van {}", tenant.name),
            format!(
                "Beste {name},\n\nIemand vroeg een nieuw wachtwoord aan voor uw account {email}.\n\
                 Kies een nieuw wachtwoord via deze link (twee uur geldig, één keer te gebruiken):\n\n{address}\n\n\
                 Vroeg u dit niet aan? Dan kunt u deze mail negeren; uw wachtwoord blijft hetzelfde.\n"
            ),
        ),
    };
    let mail = OutgoingMail {
        from_name: format!("Videoloket {}", tenant.name),
        from_email: tenant.contact_email.clone(),
        to_name: name.to_string(),
        to_email: email.to_string(),
        subject,
        body,
        invite: None,
    };
    app.mailer.send(&mail).await.inspect_err(|e| {
        tracing::error!(error = %e, tenant = %tenant.slug, "password link mail failed");
    })
}

fn account_actor(clerk: ClerkId, name: &str) -> Actor {
    Actor {
        clerk: Some(clerk),
        name: name.to_string(),
    }
}

/// "Wachtwoord vergeten": mails a reset link when `email` is an active account of the
/// municipality `slug`. The answer is the same whether or not it is (nothing to learn), and
/// the mail goes out in the background, so neither does the time taken.
pub async fn request_reset(app: &App, slug: &str, email: &str) -> Result<()> {
    let Ok(tenant) = super::booking::municipality(app, slug).await else {
        return Ok(());
    };
    let email = email.trim();
    if email.is_empty() || email.len() > 254 || email.chars().any(char::is_control) {
        return Ok(());
    }
    let Some((clerk, _, _)) = app.db.clerk_login(tenant.id, email).await? else {
        tracing::info!(tenant = %tenant.slug, "password reset for an unknown address");
        return Ok(());
    };
    let name = app
        .db
        .clerks(tenant.id)
        .await?
        .into_iter()
        .find(|c| c.id == clerk)
        .map(|c| (c.name, c.email))
        .ok_or(Error::NotFound("clerk"))?;
    let (token, hash, created, expires) = new_link(app, LinkPurpose::Reset);
    let line = AuditEntry {
        tenant: tenant.id,
        at: app.clock.now(),
        actor: account_actor(clerk, &name.0),
        action: AuditAction::PasswordLinkSent,
        subject: format!("{} (wachtwoord vergeten)", name.0),
    };
    app.db
        .insert_password_link(clerk, (&hash, created, expires), &line)
        .await?;
    let app = app.clone();
    tokio::spawn(async move {
        let _ = mail_link(
            &app,
            &tenant,
            (&name.0, &name.1),
            &token,
            LinkPurpose::Reset,
        )
        .await;
    });
    Ok(())
}

/// Whose password a link sets, while it may still be used.
#[derive(Clone, Debug)]
pub struct LinkHolder {
    pub name: String,
    pub email: String,
    pub tenant: Tenant,
}

async fn usable_link(app: &App, raw: &str) -> Result<(String, crate::store::PasswordLinkRow)> {
    let token = PersonalToken::parse(raw).ok_or(Error::NotFound("password link"))?;
    let hash = token.hash();
    let link = app
        .db
        .password_link(&hash)
        .await?
        .ok_or(Error::NotFound("password link"))?;
    if link.used {
        return Err(Conflict::PasswordLinkUsed.into());
    }
    if link.expires_at <= app.clock.now().as_second() {
        return Err(Conflict::PasswordLinkExpired.into());
    }
    Ok((hash, link))
}

/// The account a link is for: `NotFound` for a link that never was, a conflict for a used
/// or expired one.
pub async fn link_holder(app: &App, token: &str) -> Result<LinkHolder> {
    let (_, link) = usable_link(app, token).await?;
    let tenant = app.db.tenant(link.tenant).await?;
    Ok(LinkHolder {
        name: link.name,
        email: link.email,
        tenant,
    })
}

/// Sets the password through a link, once. The password must pass `auth::password_weakness`
/// (judged also against the person's name and address). Every session of the account ends.
pub async fn set_password_by_link(app: &App, token: &str, password: &str) -> Result<LinkHolder> {
    let (hash, link) = usable_link(app, token).await?;
    if let Some(why) = auth::password_weakness(password, &[&link.name, &link.email]) {
        return Err(Error::invalid_because("/password", why.words()));
    }
    let password_hash = auth::hash_password_async(password).await?;
    let line = AuditEntry {
        tenant: link.tenant,
        at: app.clock.now(),
        actor: account_actor(link.clerk, &link.name),
        action: AuditAction::PasswordSet,
        subject: link.name.clone(),
    };
    let now = app.clock.now().as_second();
    if !app
        .db
        .use_password_link(&hash, link.clerk, &password_hash, now, &line)
        .await?
    {
        // Used by a second request at the same moment.
        return Err(Conflict::PasswordLinkUsed.into());
    }
    let tenant = app.db.tenant(link.tenant).await?;
    tracing::info!(tenant = %tenant.slug, clerk = %link.clerk, "password set through a link");
    Ok(LinkHolder {
        name: link.name,
        email: link.email,
        tenant,
    })
}

/// Changes the logged-in clerk's own password. The current password is required; the clerk's
/// other sessions end, the one in `session_token` (this browser) stays.
pub async fn change_password(
    app: &App,
    claims: &SessionClaims,
    session_token: &str,
    current: &str,
    new: &str,
) -> Result<()> {
    let me = app
        .db
        .clerks(claims.tenant)
        .await?
        .into_iter()
        .find(|c| c.id == claims.sub)
        .ok_or(Error::Unauthenticated)?;
    let stored = app.db.clerk_password_hash(me.id).await?;
    if !auth::verify_password_async(current, &stored).await {
        return Err(Error::invalid(
            "/current_password",
            "Dit is niet uw huidige wachtwoord.",
            "This is not your current password.",
        ));
    }
    if let Some(why) = auth::password_weakness(new, &[&me.name, &me.email]) {
        return Err(Error::invalid_because("/new_password", why.words()));
    }
    let password_hash = auth::hash_password_async(new).await?;
    let line = AuditEntry {
        tenant: claims.tenant,
        at: app.clock.now(),
        actor: account_actor(me.id, &me.name),
        action: AuditAction::PasswordChanged,
        subject: me.name.clone(),
    };
    app.db
        .change_password(
            me.id,
            &password_hash,
            &auth::session_key(session_token),
            &line,
        )
        .await
}
