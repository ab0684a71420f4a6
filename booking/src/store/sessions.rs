//! Server-side staff sessions (`auth::start_session`, the `Staff` extractor). Times are wall-clock
//! Unix seconds.

use super::Db;
use crate::domain::ids::ClerkId;
use crate::domain::staff::StaffRole;
use crate::error::{Error, Result};
use sqlx::Row;

/// A live session as stored, with the clerk's current role.
pub struct StaffSessionRow {
    pub created_at: i64,
    pub last_seen_at: i64,
    pub role: StaffRole,
}

impl Db {
    /// Two logins of one clerk in the same second get the same cookie value, hence one row.
    pub async fn insert_staff_session(
        &self,
        token_hash: &str,
        clerk: ClerkId,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO staff_sessions (token_hash, clerk_id, created_at, last_seen_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (token_hash) DO NOTHING",
        )
        .bind(token_hash)
        .bind(clerk.to_string())
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The session, while its clerk is active and the municipality not suspended: either
    /// change counts at the next request.
    pub async fn staff_session(&self, token_hash: &str) -> Result<Option<StaffSessionRow>> {
        let row = sqlx::query(
            "SELECT s.created_at, s.last_seen_at, c.role FROM staff_sessions s \
             JOIN clerks c ON c.id = s.clerk_id JOIN tenants t ON t.id = c.tenant_id \
             WHERE s.token_hash = $1 AND c.active = 1 AND t.suspended = 0",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(StaffSessionRow {
                created_at: r.try_get("created_at")?,
                last_seen_at: r.try_get("last_seen_at")?,
                role: StaffRole::parse(&r.try_get::<String, _>("role")?)
                    .ok_or_else(|| Error::Internal("corrupt clerk role".into()))?,
            })
        })
        .transpose()
    }

    pub async fn touch_staff_session(&self, token_hash: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn end_staff_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
