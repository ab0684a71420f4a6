//! A municipality's OpenID Connect settings (`tenant_sso`) and the logins under way
//! (`sso_logins`), for `usecases::sso`.

use super::{flag, Db};
use crate::domain::ids::{ClerkId, TenantId};
use crate::domain::sso::{RoleMapping, SsoSettings};
use crate::domain::staff::StaffRole;
use crate::error::Result;
use sqlx::Row;

/// A login under way, as `begin` left it.
pub struct PendingLogin {
    pub tenant: TenantId,
    pub nonce: String,
    pub pkce_verifier: String,
    pub back_to: Option<String>,
    pub created_at: i64,
}

impl Db {
    /// The settings with the client secret as stored.
    pub async fn sso_settings(&self, tenant: TenantId) -> Result<Option<SsoSettings>> {
        let row = sqlx::query(
            "SELECT provider_name, issuer_url, client_id, client_secret, role_claim, admin_value, \
             clerk_value, password_login FROM tenant_sso WHERE tenant_id = $1",
        )
        .bind(tenant.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SsoSettings {
                provider_name: r.try_get("provider_name")?,
                issuer_url: r.try_get("issuer_url")?,
                client_id: r.try_get("client_id")?,
                client_secret: r.try_get("client_secret")?,
                roles: RoleMapping {
                    claim: r.try_get("role_claim")?,
                    admin_value: r.try_get("admin_value")?,
                    clerk_value: r.try_get("clerk_value")?,
                },
                password_login: r.try_get::<i64, _>("password_login")? != 0,
            })
        })
        .transpose()
    }

    /// Saves the settings; `settings.client_secret` is written as given (already prepared for
    /// storage by the use case).
    pub async fn save_sso_settings(
        &self,
        tenant: TenantId,
        settings: &SsoSettings,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO tenant_sso (tenant_id, provider_name, issuer_url, client_id, client_secret, \
             role_claim, admin_value, clerk_value, password_login, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (tenant_id) DO UPDATE SET provider_name = excluded.provider_name, \
             issuer_url = excluded.issuer_url, client_id = excluded.client_id, \
             client_secret = excluded.client_secret, role_claim = excluded.role_claim, \
             admin_value = excluded.admin_value, clerk_value = excluded.clerk_value, \
             password_login = excluded.password_login, updated_at = excluded.updated_at",
        )
        .bind(tenant.to_string())
        .bind(&settings.provider_name)
        .bind(&settings.issuer_url)
        .bind(&settings.client_id)
        .bind(&settings.client_secret)
        .bind(&settings.roles.claim)
        .bind(&settings.roles.admin_value)
        .bind(&settings.roles.clerk_value)
        .bind(flag(settings.password_login))
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn delete_sso_settings(&self, tenant: TenantId) -> Result<()> {
        sqlx::query("DELETE FROM tenant_sso WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a login under way and forgets those older than `stale_before`.
    pub async fn insert_sso_login(
        &self,
        state_hash: &str,
        login: &PendingLogin,
        stale_before: i64,
    ) -> Result<()> {
        sqlx::query("DELETE FROM sso_logins WHERE created_at < $1")
            .bind(stale_before)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sso_logins (state_hash, tenant_id, nonce, pkce_verifier, back_to, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(state_hash)
        .bind(login.tenant.to_string())
        .bind(&login.nonce)
        .bind(&login.pkce_verifier)
        .bind(login.back_to.as_deref())
        .bind(login.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes the login under way with this state: it can be taken only once.
    pub async fn take_sso_login(&self, state_hash: &str) -> Result<Option<PendingLogin>> {
        let row = sqlx::query(
            "DELETE FROM sso_logins WHERE state_hash = $1 \
             RETURNING tenant_id, nonce, pkce_verifier, back_to, created_at",
        )
        .bind(state_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(PendingLogin {
                tenant: r
                    .try_get::<String, _>("tenant_id")?
                    .parse()
                    .map_err(|_| crate::error::Error::Internal("corrupt sso login".into()))?,
                nonce: r.try_get("nonce")?,
                pkce_verifier: r.try_get("pkce_verifier")?,
                back_to: r.try_get("back_to")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .transpose()
    }

    /// The role the provider gives counts from this login on (and for the sessions the clerk
    /// already has, which read it from `clerks`).
    pub async fn set_clerk_role_from_provider(
        &self,
        tenant: TenantId,
        clerk: ClerkId,
        role: StaffRole,
    ) -> Result<()> {
        sqlx::query("UPDATE clerks SET role = $1 WHERE id = $2 AND tenant_id = $3")
            .bind(role.as_str())
            .bind(clerk.to_string())
            .bind(tenant.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
