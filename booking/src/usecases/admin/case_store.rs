//! Where the municipality's outcomes go: the built-in case store or a ZGW Zaken API. The
//! secret never leaves: it is shown redacted, and sending the redacted value back keeps it.

use crate::adapters::case_store::{CaseStoreSettings, REDACTED};
use crate::auth::SessionClaims;
use crate::error::{Error, Result};
use crate::App;

/// The settings with the secret redacted.
pub async fn settings(app: &App, claims: &SessionClaims) -> Result<CaseStoreSettings> {
    Ok(app.db.case_store_settings(claims.tenant).await?.redacted())
}

/// Saves new settings (the secret redacted means "keep the stored one"); returns them redacted.
pub async fn change(
    app: &App,
    claims: &SessionClaims,
    mut new: CaseStoreSettings,
) -> Result<CaseStoreSettings> {
    if let CaseStoreSettings::Zgw(zgw) = &mut new {
        if zgw.secret == REDACTED {
            match app.db.case_store_settings(claims.tenant).await? {
                CaseStoreSettings::Zgw(old) => zgw.secret = old.secret,
                CaseStoreSettings::Builtin => {
                    return Err(Error::invalid("secret", "give the secret"));
                }
            }
        }
    }
    let settings = new.validate()?;
    app.db
        .save_case_store_settings(claims.tenant, &settings, app.clock.now())
        .await?;
    tracing::info!(admin = %claims.sub, kind = settings.kind(), "case store changed");
    super::audit::record(
        app,
        claims.into(),
        crate::domain::audit::AuditAction::CaseStoreChanged,
        settings.kind(),
    )
    .await?;
    Ok(settings.redacted())
}
