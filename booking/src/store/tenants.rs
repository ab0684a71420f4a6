use super::{flag, Db};
use crate::domain::ids::TenantId;
use crate::domain::logo::{Logo, LogoKind};
use crate::domain::tenant::{Colour, ResidentInfo, Slug, Tenant, TimeZoneName, Tone};
use crate::error::{Conflict, Error, Result};
use sqlx::Row;

const COLUMNS: &str = "id, slug, name, time_zone, tone, primary_colour, secondary_colour, \
    walk_ins_allowed, lead_time_minutes, horizon_days, retention_days, contact_email, \
    check_in_minutes, no_show_grace_minutes, phone, address, opening_hours, intro_nl, intro_en, \
    (SELECT l.updated_at FROM tenant_logos l WHERE l.tenant_id = tenants.id) AS logo_version";

fn from_row(row: &sqlx::any::AnyRow) -> Result<Tenant> {
    let corrupt = |what: &str| Error::Internal(format!("stored tenant has invalid {what}"));
    Ok(Tenant {
        id: row
            .try_get::<String, _>("id")?
            .parse()
            .map_err(|_| corrupt("id"))?,
        slug: Slug::parse(&row.try_get::<String, _>("slug")?).ok_or_else(|| corrupt("slug"))?,
        name: row.try_get("name")?,
        time_zone: TimeZoneName::parse(&row.try_get::<String, _>("time_zone")?)
            .ok_or_else(|| corrupt("time zone"))?,
        tone: Tone::parse(&row.try_get::<String, _>("tone")?).ok_or_else(|| corrupt("tone"))?,
        primary_colour: Colour::parse(&row.try_get::<String, _>("primary_colour")?)
            .map_err(|_| corrupt("colour"))?,
        secondary_colour: Colour::parse(&row.try_get::<String, _>("secondary_colour")?)
            .map_err(|_| corrupt("colour"))?,
        walk_ins_allowed: row.try_get::<i64, _>("walk_ins_allowed")? != 0,
        lead_time_minutes: row.try_get("lead_time_minutes")?,
        horizon_days: row.try_get("horizon_days")?,
        retention_days: row.try_get("retention_days")?,
        contact_email: row.try_get("contact_email")?,
        check_in_minutes: row.try_get("check_in_minutes")?,
        no_show_grace_minutes: row.try_get("no_show_grace_minutes")?,
        resident_info: ResidentInfo {
            phone: row.try_get("phone")?,
            address: row.try_get("address")?,
            opening_hours: row.try_get("opening_hours")?,
            intro_nl: row.try_get("intro_nl")?,
            intro_en: row.try_get("intro_en")?,
        },
        logo_version: row.try_get("logo_version")?,
    })
}

impl Db {
    pub async fn tenant_by_slug(&self, slug: &str) -> Result<Tenant> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM tenants WHERE slug = $1"))
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Error::NotFound("municipality"))?;
        from_row(&row)
    }

    /// The municipality at this address and whether it is suspended, in one query (every
    /// resident request starts here).
    pub async fn tenant_by_slug_with_suspension(&self, slug: &str) -> Result<(Tenant, bool)> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS}, suspended FROM tenants WHERE slug = $1"
        ))
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound("municipality"))?;
        Ok((from_row(&row)?, row.try_get::<i64, _>("suspended")? != 0))
    }

    pub async fn tenant(&self, id: TenantId) -> Result<Tenant> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM tenants WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Error::NotFound("municipality"))?;
        from_row(&row)
    }

    /// The municipalities that are not suspended, by name: the start page's list, in one
    /// query rather than one per municipality.
    pub async fn open_tenants(&self) -> Result<Vec<Tenant>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM tenants WHERE suspended = 0 ORDER BY name"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn tenants(&self) -> Result<Vec<Tenant>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM tenants ORDER BY name"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Inserts or replaces all settings of a tenant.
    pub async fn save_tenant(&self, t: &Tenant) -> Result<()> {
        sqlx::query(
            "INSERT INTO tenants (id, slug, name, time_zone, tone, primary_colour, secondary_colour, \
             walk_ins_allowed, lead_time_minutes, horizon_days, retention_days, contact_email, \
             check_in_minutes, no_show_grace_minutes, phone, address, opening_hours, intro_nl, \
             intro_en) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19) \
             ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, name = excluded.name, \
             time_zone = excluded.time_zone, tone = excluded.tone, \
             primary_colour = excluded.primary_colour, secondary_colour = excluded.secondary_colour, \
             walk_ins_allowed = excluded.walk_ins_allowed, lead_time_minutes = excluded.lead_time_minutes, \
             horizon_days = excluded.horizon_days, retention_days = excluded.retention_days, \
             contact_email = excluded.contact_email, check_in_minutes = excluded.check_in_minutes, \
             no_show_grace_minutes = excluded.no_show_grace_minutes, phone = excluded.phone, \
             address = excluded.address, opening_hours = excluded.opening_hours, \
             intro_nl = excluded.intro_nl, intro_en = excluded.intro_en",
        )
        .bind(t.id.to_string())
        .bind(t.slug.as_str())
        .bind(&t.name)
        .bind(t.time_zone.as_str())
        .bind(t.tone.as_str())
        .bind(t.primary_colour.as_str())
        .bind(t.secondary_colour.as_str())
        .bind(flag(t.walk_ins_allowed))
        .bind(t.lead_time_minutes)
        .bind(t.horizon_days)
        .bind(t.retention_days)
        .bind(&t.contact_email)
        .bind(t.check_in_minutes)
        .bind(t.no_show_grace_minutes)
        .bind(t.resident_info.phone.clone())
        .bind(&t.resident_info.address)
        .bind(&t.resident_info.opening_hours)
        .bind(&t.resident_info.intro_nl)
        .bind(&t.resident_info.intro_en)
        .execute(&self.pool)
        .await
        .map_err(|e| {
            if super::is_unique_violation(&e) {
                Error::Conflict(Conflict::SlugTaken {
                    slug: t.slug.to_string(),
                })
            } else {
                e.into()
            }
        })?;
        Ok(())
    }

    /// Stores the municipality's logo, replacing the one before.
    pub async fn save_logo(&self, tenant: TenantId, logo: &Logo, at: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO tenant_logos (tenant_id, media_type, bytes, updated_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id) DO UPDATE SET media_type = excluded.media_type, \
             bytes = excluded.bytes, updated_at = excluded.updated_at",
        )
        .bind(tenant.to_string())
        .bind(logo.kind().media_type())
        .bind(logo.bytes().to_vec())
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes the logo; `false` when there was none.
    pub async fn remove_logo(&self, tenant: TenantId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM tenant_logos WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn logo(&self, tenant: TenantId) -> Result<Option<Logo>> {
        let row = sqlx::query("SELECT media_type, bytes FROM tenant_logos WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let kind = LogoKind::parse_media_type(&row.try_get::<String, _>("media_type")?)
            .ok_or_else(|| Error::Internal("stored logo has an unknown media type".into()))?;
        Ok(Some(Logo::from_stored(kind, row.try_get("bytes")?)))
    }
}
