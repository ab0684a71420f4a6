//! The platform operator: adds municipalities, lists them, suspends and resumes them. The CLI
//! (`videoloket tenant ...`) and the operator API (`/api/v1/operator/...`, bearer token from
//! the platform's configuration) both call these. The operator is not a municipality's
//! account and never sees residents' data.

use super::accounts::{self, LinkPurpose};
use super::admin::check_name;
use crate::auth;
use crate::domain::audit::{Actor, AuditAction, AuditEntry};
use crate::domain::catalog::Clerk;
use crate::domain::email::Email;
use crate::domain::ids::{ClerkId, TenantId};
use crate::domain::staff::StaffRole;
use crate::domain::tenant::{Colour, Slug, Tenant, TimeZoneName, Tone};
use crate::error::{Error, Result};
use crate::App;

/// Paths of the platform itself, which a municipality's address would hide or be hidden by.
const RESERVED_SLUGS: [&str; 9] = [
    "a",
    "api",
    "beheer",
    "medewerker",
    "static",
    "healthz",
    "readyz",
    "metrics",
    "ws",
];

/// The time zone when none is given.
pub const DEFAULT_TIME_ZONE: &str = "Europe/Amsterdam";

/// A new municipality as the operator types it.
#[derive(Clone, Debug, Default)]
pub struct NewMunicipality {
    pub slug: String,
    pub name: String,
    pub admin_email: String,
    /// The first admin's name; "Beheerder <municipality>" when empty.
    pub admin_name: String,
    /// An IANA zone such as Europe/Amsterdam; the default when empty.
    pub time_zone: String,
}

/// What was created, and until when the first admin's link works.
#[derive(Clone, Debug)]
pub struct Created {
    pub tenant: Tenant,
    pub admin_email: String,
    pub link_expires: jiff::Timestamp,
    /// False when the mail could not be sent (the reason is in the log); the operator can
    /// send a new link with the login page's "wachtwoord vergeten" once mail works.
    pub mailed: bool,
}

/// A municipality in the operator's list.
#[derive(Clone, Debug)]
pub struct Listed {
    pub tenant: Tenant,
    pub suspended: bool,
}

/// The new municipality with the platform's defaults: formal tone, the demo's colours (both
/// readable with white text), no walk-ins, bookable from an hour ahead to 60 days, data kept
/// 90 days, check-in 15 minutes before, no-show after 15 minutes.
fn with_defaults(
    slug: Slug,
    name: String,
    time_zone: TimeZoneName,
    contact_email: String,
) -> Tenant {
    Tenant {
        id: TenantId::new(),
        slug,
        name,
        time_zone,
        tone: Tone::U,
        primary_colour: Colour::parse("#154273").expect("readable colour"),
        secondary_colour: Colour::parse("#8b4a6a").expect("readable colour"),
        walk_ins_allowed: false,
        lead_time_minutes: 60,
        horizon_days: 60,
        retention_days: 90,
        contact_email,
        check_in_minutes: 15,
        no_show_grace_minutes: 15,
        resident_info: Default::default(),
        logo_version: None,
    }
}

/// Creates a municipality with its first admin, who gets a mailed one-time link (valid 72
/// hours) to choose a password; until then the account has no usable password. The public
/// holidays are preloaded. A taken slug is `Conflict::SlugTaken` and leaves nothing behind.
pub async fn create_municipality(app: &App, input: &NewMunicipality) -> Result<Created> {
    let slug = Slug::parse(input.slug.trim())
        .filter(|s| !RESERVED_SLUGS.contains(&s.as_str()) && !s.as_str().starts_with('-'))
        .ok_or_else(|| {
            Error::invalid(
                "/slug",
                "Gebruik 1 tot 63 kleine letters, cijfers en streepjes, en geen pad van het platform.",
                "Use 1 to 63 lowercase letters, digits and dashes, not a platform path.",
            )
        })?;
    let mut problems = Vec::new();
    let name = check_name(&mut problems, &input.name);
    if let Some(problem) = problems.into_iter().next() {
        return Err(Error::invalid_because(format!("/{}", problem.0), problem.1));
    }
    let email = Email::parse(&input.admin_email)
        .map_err(|e| Error::invalid_because("/admin_email", e.words()))?
        .to_string()
        .to_lowercase();
    let zone = match input.time_zone.trim() {
        "" => DEFAULT_TIME_ZONE,
        zone => zone,
    };
    let time_zone = TimeZoneName::parse(zone).ok_or_else(|| {
        Error::invalid(
            "/time_zone",
            "Geef een IANA-tijdzone, zoals Europe/Amsterdam.",
            "Give an IANA time zone such as Europe/Amsterdam.",
        )
    })?;
    let admin_name = match input.admin_name.trim() {
        "" => format!("Beheerder {name}"),
        given => {
            let mut problems = Vec::new();
            let parsed = check_name(&mut problems, given);
            if !problems.is_empty() {
                return Err(Error::invalid(
                    "/admin_name",
                    "Geef een naam van 1 tot 100 tekens.",
                    "Give a name of 1 to 100 characters.",
                ));
            }
            parsed
        }
    };
    let tenant = with_defaults(slug, name, time_zone, email.clone());
    let admin = Clerk {
        id: ClerkId::new(),
        tenant_id: tenant.id,
        name: admin_name,
        email: email.clone(),
        role: StaffRole::Admin,
        services: Vec::new(),
    };
    // A hash of 256 random bits nobody knows: no password opens the account, and a login
    // attempt takes as long as for any other account.
    let unusable =
        auth::hash_password_async(crate::domain::personal_link::PersonalToken::generate().as_str())
            .await?;
    let (token, hash, created, expires) = accounts::new_link(app, LinkPurpose::FirstPassword);
    let line = AuditEntry {
        tenant: tenant.id,
        at: app.clock.now(),
        actor: Actor::operator(),
        action: AuditAction::MunicipalityCreated,
        subject: format!(
            "{} ({}), eerste beheerder {}",
            tenant.name, tenant.slug, email
        ),
    };
    app.db
        .create_tenant_with_admin(&tenant, &admin, &unusable, (&hash, created, expires), &line)
        .await?;
    super::admin::closing_days::preload_public_holidays(app, &tenant).await?;
    let mailed = accounts::mail_link(
        app,
        &tenant,
        (&admin.name, &admin.email),
        &token,
        LinkPurpose::FirstPassword,
    )
    .await
    .is_ok();
    tracing::info!(tenant = %tenant.slug, "municipality created");
    Ok(Created {
        tenant,
        admin_email: email,
        link_expires: jiff::Timestamp::from_second(expires)
            .map_err(|e| Error::Internal(format!("link expiry: {e}")))?,
        mailed,
    })
}

/// Every municipality on the platform, by name, with whether it is suspended.
pub async fn municipalities(app: &App) -> Result<Vec<Listed>> {
    let mut listed = Vec::new();
    for tenant in app.db.tenants().await? {
        let suspended = app.db.tenant_suspended(tenant.id).await?;
        listed.push(Listed { tenant, suspended });
    }
    Ok(listed)
}

/// Suspends (residents read that it is not available, logins are refused, sessions end at
/// once) or resumes a municipality. Nothing is deleted.
pub async fn set_suspended(app: &App, slug: &str, suspended: bool) -> Result<Listed> {
    let tenant = app.db.tenant_by_slug(slug.trim()).await?;
    let line = AuditEntry {
        tenant: tenant.id,
        at: app.clock.now(),
        actor: Actor::operator(),
        action: if suspended {
            AuditAction::MunicipalitySuspended
        } else {
            AuditAction::MunicipalityResumed
        },
        subject: tenant.name.clone(),
    };
    app.db
        .set_tenant_suspended(tenant.id, suspended, &line)
        .await?;
    tracing::info!(tenant = %tenant.slug, suspended, "municipality suspension changed");
    Ok(Listed { tenant, suspended })
}
