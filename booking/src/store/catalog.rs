use super::{flag, Db};
use crate::domain::catalog::{Absence, Clerk, ClerkSchedule, Service};
use crate::domain::ids::{ClerkId, ServiceId, TenantId};
use crate::domain::party::PartyRule;
use crate::domain::slots::{Interval, WeeklyWindow};
use crate::domain::staff::StaffRole;
use crate::error::{Conflict, Error, Result};
use jiff::civil::Weekday;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

/// How many services' schedules one instance keeps (`Db::schedules_for_service`).
const SCHEDULES_KEPT: usize = 10_000;

fn corrupt(what: &str) -> Error {
    Error::Internal(format!("stored row has invalid {what}"))
}

fn service_from_row(row: &AnyRow) -> Result<Service> {
    Ok(Service {
        id: row
            .try_get::<String, _>("id")?
            .parse()
            .map_err(|_| corrupt("id"))?,
        tenant_id: row
            .try_get::<String, _>("tenant_id")?
            .parse()
            .map_err(|_| corrupt("id"))?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        duration_minutes: row.try_get("duration_minutes")?,
        buffer_minutes: row.try_get("buffer_minutes")?,
        active: row.try_get::<i64, _>("active")? != 0,
        party: PartyRule::new(
            row.try_get("max_people")?,
            row.try_get("minutes_per_extra_person")?,
        )
        .map_err(|_| corrupt("party rule"))?,
    })
}

fn timestamp(seconds: i64) -> Result<Timestamp> {
    Timestamp::from_second(seconds).map_err(|_| corrupt("timestamp"))
}

impl Db {
    /// Every service of the tenant, offered or not (staff need the stopped ones for the
    /// appointments they still have); residents get `usecases::booking::offered_services`.
    pub async fn services(&self, tenant: TenantId) -> Result<Vec<Service>> {
        let rows = sqlx::query(
            "SELECT id, tenant_id, name, description, duration_minutes, buffer_minutes, active, \
             max_people, minutes_per_extra_person \
             FROM services WHERE tenant_id = $1 ORDER BY name, id",
        )
        .bind(tenant.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(service_from_row).collect()
    }

    /// A service of this tenant, offered or not; another tenant's service is "not found",
    /// never visible. Whether residents may book it is `usecases::booking::offered_service`.
    pub async fn service(&self, tenant: TenantId, id: ServiceId) -> Result<Service> {
        let row = sqlx::query(
            "SELECT id, tenant_id, name, description, duration_minutes, buffer_minutes, active, \
             max_people, minutes_per_extra_person \
             FROM services WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound("service"))?;
        service_from_row(&row)
    }

    pub async fn save_service(&self, s: &Service) -> Result<()> {
        sqlx::query(
            "INSERT INTO services (id, tenant_id, name, description, duration_minutes, buffer_minutes, active) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, \
             duration_minutes = excluded.duration_minutes, buffer_minutes = excluded.buffer_minutes",
        )
        .bind(s.id.to_string())
        .bind(s.tenant_id.to_string())
        .bind(&s.name)
        .bind(&s.description)
        .bind(s.duration_minutes)
        .bind(s.buffer_minutes)
        .bind(flag(s.active))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Starts or stops offering a service; `NotFound` unless it is this tenant's.
    pub async fn set_service_active(
        &self,
        tenant: TenantId,
        id: ServiceId,
        active: bool,
    ) -> Result<()> {
        let done = sqlx::query("UPDATE services SET active = $1 WHERE tenant_id = $2 AND id = $3")
            .bind(flag(active))
            .bind(tenant.to_string())
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound("service"));
        }
        Ok(())
    }

    pub async fn clerks(&self, tenant: TenantId) -> Result<Vec<Clerk>> {
        let rows = sqlx::query(
            "SELECT id, tenant_id, name, email, role FROM clerks WHERE tenant_id = $1 ORDER BY name",
        )
        .bind(tenant.to_string())
        .fetch_all(&self.pool)
        .await?;
        let links = sqlx::query(
            "SELECT cs.clerk_id, cs.service_id FROM clerk_services cs \
             JOIN clerks c ON c.id = cs.clerk_id WHERE c.tenant_id = $1",
        )
        .bind(tenant.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                let services = links
                    .iter()
                    .filter(|l| {
                        l.try_get::<String, _>("clerk_id").ok().as_deref() == Some(id.as_str())
                    })
                    .filter_map(|l| l.try_get::<String, _>("service_id").ok()?.parse().ok())
                    .collect();
                Ok(Clerk {
                    id: id.parse().map_err(|_| corrupt("id"))?,
                    tenant_id: tenant,
                    name: row.try_get("name")?,
                    email: row.try_get("email")?,
                    role: StaffRole::parse(&row.try_get::<String, _>("role")?)
                        .ok_or_else(|| corrupt("role"))?,
                    services,
                })
            })
            .collect()
    }

    /// The login record of an active clerk: id, role and password hash, by tenant and email.
    /// A deactivated clerk has none, so logging in fails as for an unknown address.
    pub async fn clerk_login(
        &self,
        tenant: TenantId,
        email: &str,
    ) -> Result<Option<(ClerkId, StaffRole, String)>> {
        let row = sqlx::query(
            "SELECT id, role, password_hash FROM clerks WHERE tenant_id = $1 AND email = $2 AND active = 1",
        )
        .bind(tenant.to_string())
        .bind(email.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok((
                r.try_get::<String, _>("id")?
                    .parse()
                    .map_err(|_| corrupt("id"))?,
                StaffRole::parse(&r.try_get::<String, _>("role")?)
                    .ok_or_else(|| corrupt("role"))?,
                r.try_get("password_hash")?,
            ))
        })
        .transpose()
    }

    /// Creates a clerk with the services they handle, in one transaction.
    pub async fn create_clerk(&self, clerk: &Clerk, password_hash: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO clerks (id, tenant_id, name, email, role, password_hash) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(clerk.id.to_string())
            .bind(clerk.tenant_id.to_string())
            .bind(&clerk.name)
            .bind(clerk.email.trim().to_lowercase())
            .bind(clerk.role.as_str())
            .bind(password_hash)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                if super::is_unique_violation(&e) {
                    Error::Conflict(Conflict::ClerkEmailTaken)
                } else {
                    e.into()
                }
            })?;
        for service in &clerk.services {
            sqlx::query("INSERT INTO clerk_services (clerk_id, service_id) VALUES ($1, $2)")
                .bind(clerk.id.to_string())
                .bind(service.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Changes a clerk's name, role and services (not the e-mail address: that is the login),
    /// in one transaction. Scoped by tenant: another municipality's clerk is not found.
    pub async fn update_clerk(&self, clerk: &Clerk) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("UPDATE clerks SET name = $1, role = $2 WHERE id = $3 AND tenant_id = $4")
                .bind(&clerk.name)
                .bind(clerk.role.as_str())
                .bind(clerk.id.to_string())
                .bind(clerk.tenant_id.to_string())
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound("clerk"));
        }
        sqlx::query("DELETE FROM clerk_services WHERE clerk_id = $1")
            .bind(clerk.id.to_string())
            .execute(&mut *tx)
            .await?;
        for service in &clerk.services {
            sqlx::query("INSERT INTO clerk_services (clerk_id, service_id) VALUES ($1, $2)")
                .bind(clerk.id.to_string())
                .bind(service.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a clerk's weekly hours.
    pub async fn set_opening_hours(&self, clerk: ClerkId, hours: &[WeeklyWindow]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM opening_hours WHERE clerk_id = $1")
            .bind(clerk.to_string())
            .execute(&mut *tx)
            .await?;
        for w in hours {
            sqlx::query("INSERT INTO opening_hours (clerk_id, weekday, start_minute, end_minute) VALUES ($1, $2, $3, $4)")
                .bind(clerk.to_string())
                .bind(i64::from(w.weekday.to_monday_one_offset()))
                .bind(i64::from(w.start_minute))
                .bind(i64::from(w.end_minute))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Adds an absence; returns its id.
    pub async fn add_absence(
        &self,
        clerk: ClerkId,
        period: Interval,
        reason: &str,
    ) -> Result<uuid::Uuid> {
        let id = uuid::Uuid::new_v4();
        sqlx::query("INSERT INTO clerk_absences (id, clerk_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, $4, $5)")
            .bind(id.to_string())
            .bind(clerk.to_string())
            .bind(period.start.as_second())
            .bind(period.end.as_second())
            .bind(reason)
            .execute(&self.pool)
            .await?;
        Ok(id)
    }

    /// Removes one absence of a clerk of this tenant; `NotFound` for any other.
    pub async fn remove_absence(
        &self,
        tenant: TenantId,
        clerk: ClerkId,
        absence: uuid::Uuid,
    ) -> Result<()> {
        let done = sqlx::query(
            "DELETE FROM clerk_absences WHERE id = $1 AND clerk_id = $2 \
             AND clerk_id IN (SELECT id FROM clerks WHERE tenant_id = $3)",
        )
        .bind(absence.to_string())
        .bind(clerk.to_string())
        .bind(tenant.to_string())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound("absence"));
        }
        Ok(())
    }

    /// Hours and absences of every clerk of the tenant who handles `service`. Every slot
    /// search and booking asks this, so the answer is kept per service and used again while
    /// the database's schedule generation (bumped by triggers on the clerks, their services,
    /// hours and absences; migration 0039) has not moved: one one-row read instead of the
    /// hundreds of rows of a large municipality (docs/benchmarks.md, issue 20).
    pub async fn schedules_for_service(
        &self,
        tenant: TenantId,
        service: ServiceId,
    ) -> Result<Vec<ClerkSchedule>> {
        // Read before loading: a change committed meanwhile makes the stored copy newer than
        // its label, never older, so the next request loads again at worst.
        let generation: i64 =
            sqlx::query("SELECT generation FROM schedule_generation WHERE id = 1")
                .fetch_one(&self.pool)
                .await?
                .try_get("generation")?;
        let key = (tenant, service);
        if let Some((seen, schedules)) = self.schedules.lock().expect("schedules lock").get(&key) {
            if *seen == generation {
                return Ok(schedules.as_ref().clone());
            }
        }
        let schedules = self.load_schedules_for_service(tenant, service).await?;
        let mut cache = self.schedules.lock().expect("schedules lock");
        if cache.len() >= SCHEDULES_KEPT {
            // Services of a whole platform fit; past that, start again rather than grow.
            cache.clear();
        }
        cache.insert(key, (generation, std::sync::Arc::new(schedules.clone())));
        Ok(schedules)
    }

    async fn load_schedules_for_service(
        &self,
        tenant: TenantId,
        service: ServiceId,
    ) -> Result<Vec<ClerkSchedule>> {
        // One round trip for the clerks, their hours and their absences: every slot search
        // and every booking asks this, so its cost is per request (the load test showed
        // round trips dominating). A clerk without hours still gets a row (kind 0, NULLs).
        let rows = sqlx::query(
            "SELECT c.id AS clerk_id, 0 AS kind, h.weekday AS a, h.start_minute AS b, h.end_minute AS c \
             FROM clerks c JOIN clerk_services cs ON cs.clerk_id = c.id \
             LEFT JOIN opening_hours h ON h.clerk_id = c.id \
             WHERE c.tenant_id = $1 AND cs.service_id = $2 AND c.active = 1 \
             UNION ALL \
             SELECT c.id, 1, 0, ab.starts_at, ab.ends_at \
             FROM clerks c JOIN clerk_services cs ON cs.clerk_id = c.id \
             JOIN clerk_absences ab ON ab.clerk_id = c.id \
             WHERE c.tenant_id = $1 AND cs.service_id = $2 AND c.active = 1 \
             ORDER BY 1, 2, 3, 4",
        )
        .bind(tenant.to_string())
        .bind(service.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut schedules: Vec<ClerkSchedule> = Vec::new();
        for row in &rows {
            let clerk: ClerkId = row
                .try_get::<String, _>("clerk_id")?
                .parse()
                .map_err(|_| corrupt("id"))?;
            if schedules.last().is_none_or(|s| s.clerk != clerk) {
                schedules.push(ClerkSchedule {
                    clerk,
                    ..Default::default()
                });
            }
            let schedule = schedules.last_mut().expect("pushed above");
            let (a, b, c) = (
                row.try_get::<Option<i64>, _>("a")?,
                row.try_get::<Option<i64>, _>("b")?,
                row.try_get::<Option<i64>, _>("c")?,
            );
            match (row.try_get::<i64, _>("kind")?, a, b, c) {
                (0, Some(weekday), Some(start), Some(end)) => schedule.hours.push(WeeklyWindow {
                    weekday: Weekday::from_monday_one_offset(weekday as i8)
                        .map_err(|_| corrupt("weekday"))?,
                    start_minute: start as u16,
                    end_minute: end as u16,
                }),
                (0, None, None, None) => {}
                (1, _, Some(start), Some(end)) => schedule
                    .absences
                    .push(Interval::new(timestamp(start)?, timestamp(end)?)),
                _ => return Err(corrupt("schedule row")),
            }
        }
        Ok(schedules)
    }

    /// One clerk's weekly hours, Monday first, by start.
    pub async fn opening_hours(&self, clerk: ClerkId) -> Result<Vec<WeeklyWindow>> {
        let rows = sqlx::query(
            "SELECT weekday, start_minute, end_minute FROM opening_hours WHERE clerk_id = $1 \
             ORDER BY weekday, start_minute",
        )
        .bind(clerk.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|h| {
                let weekday: i64 = h.try_get("weekday")?;
                Ok(WeeklyWindow {
                    weekday: Weekday::from_monday_one_offset(weekday as i8)
                        .map_err(|_| corrupt("weekday"))?,
                    start_minute: h.try_get::<i64, _>("start_minute")? as u16,
                    end_minute: h.try_get::<i64, _>("end_minute")? as u16,
                })
            })
            .collect()
    }

    /// One clerk's absences ending after `after`, earliest first, with their reasons.
    pub async fn absences(&self, clerk: ClerkId, after: Timestamp) -> Result<Vec<Absence>> {
        let rows = sqlx::query(
            "SELECT id, starts_at, ends_at, reason FROM clerk_absences \
             WHERE clerk_id = $1 AND ends_at > $2 ORDER BY starts_at, id",
        )
        .bind(clerk.to_string())
        .bind(after.as_second())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|a| {
                Ok(Absence {
                    id: a
                        .try_get::<String, _>("id")?
                        .parse()
                        .map_err(|_| corrupt("id"))?,
                    period: Interval::new(
                        timestamp(a.try_get("starts_at")?)?,
                        timestamp(a.try_get("ends_at")?)?,
                    ),
                    reason: a.try_get("reason")?,
                })
            })
            .collect()
    }
}
