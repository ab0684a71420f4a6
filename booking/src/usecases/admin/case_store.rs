//! Where the municipality's outcomes go: the built-in case store or a ZGW Zaken API. The
//! secret never leaves: it is stored sealed (`adapters::sealed`), shown redacted, and sending
//! the redacted value back keeps it, but only for the URL and client id it was entered for.

use crate::adapters::case_store::{CaseStoreSettings, REDACTED};
use crate::adapters::sealed::SecretsKey;
use crate::auth::SessionClaims;
use crate::error::{Error, Result};
use crate::App;

/// Said when the URL or client id changed but the secret was not entered again.
pub const SECRET_AGAIN: &str = "Vul het geheim opnieuw in: het adres of de client-id is \
    gewijzigd, en het bewaarde geheim gaat alleen naar het adres waarvoor het is ingevuld.";
/// `SECRET_AGAIN` in English.
pub const SECRET_AGAIN_ENGLISH: &str =
    "Enter the secret again: the address or client id changed, and the stored secret only goes \
    to the address it was entered for.";

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
            let old = match app.db.case_store_settings(claims.tenant).await? {
                CaseStoreSettings::Zgw(old) => old,
                CaseStoreSettings::Builtin => {
                    return Err(Error::invalid(
                        "/secret",
                        "Geef het geheim (secret) van de koppeling.",
                        "Give the secret of the connection.",
                    ));
                }
            };
            // Otherwise an admin could send the stored secret to an address of their choice.
            if base_url(&old.zaken_api) != base_url(&zgw.zaken_api)
                || base_url(&old.documenten_api) != base_url(&zgw.documenten_api)
                || old.client_id.trim() != zgw.client_id.trim()
            {
                return Err(Error::invalid(
                    "/secret",
                    SECRET_AGAIN,
                    SECRET_AGAIN_ENGLISH,
                ));
            }
            // Sealed, or in plain text from before sealing existed.
            zgw.secret = if SecretsKey::is_sealed(&old.secret) {
                app.secrets.open(&old.secret)?
            } else {
                old.secret
            };
        }
    }
    let settings = new.validate()?;
    app.db
        .save_case_store_settings(
            claims.tenant,
            &settings.sealed(&app.secrets),
            app.clock.now(),
        )
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

/// The URL as `ZgwConfig::validate` stores it.
fn base_url(raw: &str) -> &str {
    raw.trim().trim_end_matches('/')
}

/// Seals the secrets stored before sealing existed; run at start-up. Returns how many.
pub async fn seal_plain_secrets(app: &App) -> Result<usize> {
    let mut sealed = 0;
    for tenant in app.db.tenants().await? {
        let stored = app.db.case_store_settings(tenant.id).await?;
        if stored.has_plain_secret() {
            app.db
                .save_case_store_settings(tenant.id, &stored.sealed(&app.secrets), app.clock.now())
                .await?;
            sealed += 1;
        }
    }
    Ok(sealed)
}
