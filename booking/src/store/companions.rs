//! SQL for companion links, the call's joins (append-only) and the municipality's room size.

use super::Db;
use crate::domain::companion::{CompanionId, CompanionLink, CompanionRole, RoomSize};
use crate::domain::ids::{AppointmentId, TenantId};
use crate::domain::rooms::RoomRole;
use crate::error::{Error, Result};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

const COLUMNS: &str = "id, tenant_id, appointment_id, role, name, email, created_at, removed_at";

fn from_row(row: &AnyRow) -> Result<CompanionLink> {
    let corrupt = |what: &str| Error::Internal(format!("stored companion link has invalid {what}"));
    let text = |col: &str| -> Result<String> { Ok(row.try_get::<String, _>(col)?) };
    Ok(CompanionLink {
        id: text("id")?.parse().map_err(|_| corrupt("id"))?,
        tenant_id: text("tenant_id")?.parse().map_err(|_| corrupt("tenant"))?,
        appointment_id: text("appointment_id")?
            .parse()
            .map_err(|_| corrupt("appointment"))?,
        role: CompanionRole::parse(&text("role")?).ok_or_else(|| corrupt("role"))?,
        name: text("name")?,
        email: row.try_get("email")?,
        created_at: Timestamp::from_second(row.try_get("created_at")?)
            .map_err(|_| corrupt("time"))?,
        removed_at: row
            .try_get::<Option<i64>, _>("removed_at")?
            .map(|s| Timestamp::from_second(s).map_err(|_| corrupt("time")))
            .transpose()?,
    })
}

/// A stored join: the role, the companion link for companions and interpreters, the time.
pub struct JoinRow {
    pub role: RoomRole,
    pub companion: Option<CompanionId>,
    pub at: Timestamp,
}

fn role_str(role: RoomRole) -> &'static str {
    match role {
        RoomRole::Resident => "resident",
        RoomRole::Clerk => "clerk",
        RoomRole::Companion => "companion",
        RoomRole::Interpreter => "interpreter",
    }
}

impl Db {
    pub async fn insert_companion_link(
        &self,
        link: &CompanionLink,
        token_hash: &str,
        invited_by_clerk: Option<crate::domain::ids::ClerkId>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO companion_links (id, tenant_id, appointment_id, token_hash, role, name, \
             email, invited_by_clerk, created_at, removed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)",
        )
        .bind(link.id.to_string())
        .bind(link.tenant_id.to_string())
        .bind(link.appointment_id.to_string())
        .bind(token_hash)
        .bind(link.role.as_str())
        .bind(&link.name)
        .bind(link.email.clone())
        .bind(invited_by_clerk.map(|c| c.to_string()))
        .bind(link.created_at.as_second())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn companion_link_by_hash(&self, token_hash: &str) -> Result<CompanionLink> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM companion_links WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound("companion link"))?;
        from_row(&row)
    }

    /// A link of this tenant; another tenant's is "not found".
    pub async fn companion_link(&self, tenant: TenantId, id: CompanionId) -> Result<CompanionLink> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM companion_links WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound("companion link"))?;
        from_row(&row)
    }

    /// The appointment's invitations, oldest first (removed ones too).
    pub async fn companion_links(&self, appointment: AppointmentId) -> Result<Vec<CompanionLink>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM companion_links WHERE appointment_id = $1 \
             ORDER BY created_at, id"
        ))
        .bind(appointment.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Marks the link removed (once; a second removal keeps the first time).
    pub async fn remove_companion_link(
        &self,
        tenant: TenantId,
        id: CompanionId,
        at: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE companion_links SET removed_at = $3 \
             WHERE tenant_id = $1 AND id = $2 AND removed_at IS NULL",
        )
        .bind(tenant.to_string())
        .bind(id.to_string())
        .bind(at.as_second())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn room_size(&self, tenant: TenantId) -> Result<RoomSize> {
        let size: i64 = sqlx::query("SELECT room_size FROM tenants WHERE id = $1")
            .bind(tenant.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Error::NotFound("tenant"))?
            .try_get("room_size")?;
        RoomSize::parse(size)
    }

    pub async fn set_room_size(&self, tenant: TenantId, size: RoomSize) -> Result<()> {
        sqlx::query("UPDATE tenants SET room_size = $2 WHERE id = $1")
            .bind(tenant.to_string())
            .bind(i64::from(size.get()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn insert_call_join(
        &self,
        tenant: TenantId,
        appointment: AppointmentId,
        role: RoomRole,
        companion: Option<CompanionId>,
        at: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO call_joins (id, tenant_id, appointment_id, role, companion_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(tenant.to_string())
        .bind(appointment.to_string())
        .bind(role_str(role))
        .bind(companion.map(|c| c.to_string()))
        .bind(at.as_second())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The appointment's joins, oldest first.
    pub async fn call_joins(&self, appointment: AppointmentId) -> Result<Vec<JoinRow>> {
        let rows = sqlx::query(
            "SELECT role, companion_id, at FROM call_joins WHERE appointment_id = $1 \
             ORDER BY at, id",
        )
        .bind(appointment.to_string())
        .fetch_all(&self.pool)
        .await?;
        let corrupt = |what: &str| Error::Internal(format!("stored call join has invalid {what}"));
        rows.iter()
            .map(|row| {
                let role = match row.try_get::<String, _>("role")?.as_str() {
                    "resident" => RoomRole::Resident,
                    "clerk" => RoomRole::Clerk,
                    "companion" => RoomRole::Companion,
                    "interpreter" => RoomRole::Interpreter,
                    _ => return Err(corrupt("role")),
                };
                Ok(JoinRow {
                    role,
                    companion: row
                        .try_get::<Option<String>, _>("companion_id")?
                        .map(|c| c.parse().map_err(|_| corrupt("companion")))
                        .transpose()?,
                    at: Timestamp::from_second(row.try_get("at")?).map_err(|_| corrupt("time"))?,
                })
            })
            .collect()
    }
}
