//! SQL for municipalities on the platform (create, suspend), staff accounts (active, password
//! links, passwords) and the append-only admin audit trail. Each change writes its audit line
//! in its own transaction. There is deliberately no update or delete of `admin_audit`.

use super::{flag, Db};
use crate::domain::audit::{Actor, AuditAction, AuditEntry};
use crate::domain::catalog::Clerk;
use crate::domain::ids::{ClerkId, TenantId};
use crate::domain::tenant::Tenant;
use crate::error::{Conflict, Error, Result};
use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

/// A stored password link with the account it is for.
#[derive(Clone, Debug)]
pub struct PasswordLinkRow {
    pub clerk: ClerkId,
    pub tenant: TenantId,
    pub name: String,
    pub email: String,
    pub expires_at: i64,
    pub used: bool,
}

/// Inserts an audit line on a connection, so callers log inside their own transaction.
pub(crate) async fn insert_audit(conn: &mut AnyConnection, e: &AuditEntry) -> Result<()> {
    sqlx::query(
        "INSERT INTO admin_audit (tenant_id, at, actor_id, actor_name, action, subject) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(e.tenant.to_string())
    .bind(e.at.as_second())
    .bind(e.actor.clerk.map(|c| c.to_string()))
    .bind(&e.actor.name)
    .bind(e.action.as_str())
    .bind(&e.subject)
    .execute(conn)
    .await?;
    Ok(())
}

fn unique_as(conflict: Conflict) -> impl FnOnce(sqlx::Error) -> Error {
    move |e| {
        if super::is_unique_violation(&e) {
            Error::Conflict(conflict)
        } else {
            e.into()
        }
    }
}

impl Db {
    pub async fn record_audit(&self, entry: &AuditEntry) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        insert_audit(&mut conn, entry).await
    }

    /// The municipality's audit trail, newest first, at most `limit` lines.
    pub async fn audit_trail(&self, tenant: TenantId, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT at, actor_id, actor_name, action, subject FROM admin_audit \
             WHERE tenant_id = $1 ORDER BY seq DESC LIMIT $2",
        )
        .bind(tenant.to_string())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let corrupt = |what: &str| Error::Internal(format!("stored audit line has invalid {what}"));
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    tenant,
                    at: Timestamp::from_second(r.try_get("at")?).map_err(|_| corrupt("time"))?,
                    actor: Actor {
                        clerk: r
                            .try_get::<Option<String>, _>("actor_id")?
                            .map(|id| id.parse().map_err(|_| corrupt("actor")))
                            .transpose()?,
                        name: r.try_get("actor_name")?,
                    },
                    action: AuditAction::parse(&r.try_get::<String, _>("action")?)
                        .ok_or_else(|| corrupt("action"))?,
                    subject: r.try_get("subject")?,
                })
            })
            .collect()
    }

    /// A new municipality with its first admin (who has no usable password yet) and the link
    /// to set one, in one transaction: a taken slug leaves nothing behind.
    pub async fn create_tenant_with_admin(
        &self,
        tenant: &Tenant,
        admin: &Clerk,
        unusable_hash: &str,
        link: (&str, i64, i64),
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO tenants (id, slug, name, time_zone, tone, primary_colour, secondary_colour, \
             walk_ins_allowed, lead_time_minutes, horizon_days, retention_days, contact_email, \
             check_in_minutes, no_show_grace_minutes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(tenant.id.to_string())
        .bind(tenant.slug.as_str())
        .bind(&tenant.name)
        .bind(tenant.time_zone.as_str())
        .bind(tenant.tone.as_str())
        .bind(tenant.primary_colour.as_str())
        .bind(tenant.secondary_colour.as_str())
        .bind(flag(tenant.walk_ins_allowed))
        .bind(tenant.lead_time_minutes)
        .bind(tenant.horizon_days)
        .bind(tenant.retention_days)
        .bind(&tenant.contact_email)
        .bind(tenant.check_in_minutes)
        .bind(tenant.no_show_grace_minutes)
        .execute(&mut *tx)
        .await
        .map_err(unique_as(Conflict::SlugTaken {
            slug: tenant.slug.to_string(),
        }))?;
        sqlx::query(
            "INSERT INTO clerks (id, tenant_id, name, email, role, password_hash) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(admin.id.to_string())
        .bind(tenant.id.to_string())
        .bind(&admin.name)
        .bind(admin.email.trim().to_lowercase())
        .bind(admin.role.as_str())
        .bind(unusable_hash)
        .execute(&mut *tx)
        .await?;
        insert_link(&mut tx, link, admin.id).await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the municipality is suspended.
    pub async fn tenant_suspended(&self, tenant: TenantId) -> Result<bool> {
        let row = sqlx::query("SELECT suspended FROM tenants WHERE id = $1")
            .bind(tenant.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Error::NotFound("municipality"))?;
        Ok(row.try_get::<i64, _>("suspended")? != 0)
    }

    /// Suspends or resumes a municipality; suspending ends its staff sessions at once.
    pub async fn set_tenant_suspended(
        &self,
        tenant: TenantId,
        suspended: bool,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE tenants SET suspended = $1 WHERE id = $2")
            .bind(flag(suspended))
            .bind(tenant.to_string())
            .execute(&mut *tx)
            .await?;
        if suspended {
            sqlx::query(
                "DELETE FROM staff_sessions WHERE clerk_id IN \
                 (SELECT id FROM clerks WHERE tenant_id = $1)",
            )
            .bind(tenant.to_string())
            .execute(&mut *tx)
            .await?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The municipality's deactivated clerks.
    pub async fn inactive_clerks(&self, tenant: TenantId) -> Result<Vec<ClerkId>> {
        let rows = sqlx::query("SELECT id FROM clerks WHERE tenant_id = $1 AND active = 0")
            .bind(tenant.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                r.try_get::<String, _>("id")?
                    .parse()
                    .map_err(|_| Error::Internal("stored clerk has invalid id".into()))
            })
            .collect()
    }

    /// Deactivates (ending every session of the clerk at once) or reactivates a clerk of
    /// this municipality.
    pub async fn set_clerk_active(
        &self,
        tenant: TenantId,
        clerk: ClerkId,
        active: bool,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query("UPDATE clerks SET active = $1 WHERE id = $2 AND tenant_id = $3")
            .bind(flag(active))
            .bind(clerk.to_string())
            .bind(tenant.to_string())
            .execute(&mut *tx)
            .await?;
        if changed.rows_affected() == 0 {
            return Err(Error::NotFound("clerk"));
        }
        if !active {
            sqlx::query("DELETE FROM staff_sessions WHERE clerk_id = $1")
                .bind(clerk.to_string())
                .execute(&mut *tx)
                .await?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A new password link for an account (`link` = token hash, created, expires).
    pub async fn insert_password_link(
        &self,
        clerk: ClerkId,
        link: (&str, i64, i64),
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        insert_link(&mut tx, link, clerk).await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn password_link(&self, token_hash: &str) -> Result<Option<PasswordLinkRow>> {
        let row = sqlx::query(
            "SELECT l.clerk_id, l.expires_at, l.used_at, c.tenant_id, c.name, c.email \
             FROM password_links l JOIN clerks c ON c.id = l.clerk_id \
             WHERE l.token_hash = $1 AND c.active = 1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let corrupt =
            |what: &str| Error::Internal(format!("stored password link has invalid {what}"));
        row.map(|r| {
            Ok(PasswordLinkRow {
                clerk: r
                    .try_get::<String, _>("clerk_id")?
                    .parse()
                    .map_err(|_| corrupt("clerk"))?,
                tenant: r
                    .try_get::<String, _>("tenant_id")?
                    .parse()
                    .map_err(|_| corrupt("tenant"))?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                expires_at: r.try_get("expires_at")?,
                used: r.try_get::<Option<i64>, _>("used_at")?.is_some(),
            })
        })
        .transpose()
    }

    /// Uses a password link once: marks it used, sets the password and ends the account's
    /// sessions, in one transaction. `false` when the link was used or expired meanwhile.
    pub async fn use_password_link(
        &self,
        token_hash: &str,
        clerk: ClerkId,
        password_hash: &str,
        now: i64,
        audit: &AuditEntry,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let taken = sqlx::query(
            "UPDATE password_links SET used_at = $1 \
             WHERE token_hash = $2 AND clerk_id = $3 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(token_hash)
        .bind(clerk.to_string())
        .execute(&mut *tx)
        .await?;
        if taken.rows_affected() != 1 {
            return Ok(false);
        }
        // The other links of the account are spent too: the newest password counts.
        sqlx::query(
            "UPDATE password_links SET used_at = $1 WHERE clerk_id = $2 AND used_at IS NULL",
        )
        .bind(now)
        .bind(clerk.to_string())
        .execute(&mut *tx)
        .await?;
        set_password(&mut tx, clerk, password_hash).await?;
        sqlx::query("DELETE FROM staff_sessions WHERE clerk_id = $1")
            .bind(clerk.to_string())
            .execute(&mut *tx)
            .await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A clerk's password hash (for checking the current password before a change).
    pub async fn clerk_password_hash(&self, clerk: ClerkId) -> Result<String> {
        let row = sqlx::query("SELECT password_hash FROM clerks WHERE id = $1")
            .bind(clerk.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Error::NotFound("clerk"))?;
        Ok(row.try_get("password_hash")?)
    }

    /// Sets a clerk's own new password and ends their other sessions (all but `keep`).
    pub async fn change_password(
        &self,
        clerk: ClerkId,
        password_hash: &str,
        keep: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        set_password(&mut tx, clerk, password_hash).await?;
        sqlx::query("DELETE FROM staff_sessions WHERE clerk_id = $1 AND token_hash <> $2")
            .bind(clerk.to_string())
            .bind(keep)
            .execute(&mut *tx)
            .await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn insert_link(
    conn: &mut AnyConnection,
    (token_hash, created_at, expires_at): (&str, i64, i64),
    clerk: ClerkId,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO password_links (token_hash, clerk_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(clerk.to_string())
    .bind(created_at)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

async fn set_password(conn: &mut AnyConnection, clerk: ClerkId, password_hash: &str) -> Result<()> {
    sqlx::query("UPDATE clerks SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(clerk.to_string())
        .execute(conn)
        .await?;
    Ok(())
}
