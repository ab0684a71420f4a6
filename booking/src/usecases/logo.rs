//! The municipality's logo: an admin uploads or removes it (`/beheer`), every page of the
//! municipality shows it. The upload is rebuilt by `domain::logo` before anything is stored.

use super::admin::audit::{self, By};
use crate::domain::audit::AuditAction;
use crate::domain::logo::Logo;
use crate::error::{Error, Result};
use crate::App;

/// Checks and stores a new logo; nothing is stored when the upload is refused.
pub async fn upload(app: &App, by: impl Into<By>, upload: &[u8]) -> Result<Logo> {
    let by = by.into();
    let logo = Logo::parse(upload).map_err(|why| Error::invalid_because("/logo", why.words()))?;
    let tenant = app.db.tenant(by.tenant).await?;
    app.db
        .save_logo(by.tenant, &logo, app.clock.now().as_second())
        .await?;
    audit::record(app, by, AuditAction::LogoChanged, &tenant.name).await?;
    Ok(logo)
}

/// Removes the logo; removing none is no error.
pub async fn remove(app: &App, by: impl Into<By>) -> Result<()> {
    let by = by.into();
    if app.db.remove_logo(by.tenant).await? {
        let tenant = app.db.tenant(by.tenant).await?;
        audit::record(app, by, AuditAction::LogoRemoved, &tenant.name).await?;
    }
    Ok(())
}

/// The logo of the municipality with this address, for its pages.
pub async fn of_municipality(app: &App, slug: &str) -> Result<Logo> {
    let tenant = app.db.tenant_by_slug(slug).await?;
    app.db.logo(tenant.id).await?.ok_or(Error::NotFound("logo"))
}
