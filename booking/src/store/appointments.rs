use super::columns::{instant, parsed};
use super::Db;
use crate::domain::appointment::{Appointment, AppointmentStatus, Contact, Resident};
use crate::domain::booking_code::BookingCode;
use crate::domain::consent::Choice;
use crate::domain::email::Email;
use crate::domain::ids::{AppointmentId, ClerkId, TenantId};
use crate::domain::slots::Interval;
use crate::domain::text::PhoneNumber;
use crate::error::{Conflict, Error, Result};
use jiff::{SignedDuration, Timestamp};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

/// Everything needed to insert an appointment; `units` are the clerk units it reserves.
#[derive(Clone, Debug)]
pub struct NewAppointment {
    pub appointment: Appointment,
    pub link_hash: String,
    pub units: Vec<i64>,
}

/// An appointment as read back, in case the caller needs the raw row.
pub type AppointmentRow = Appointment;

const COLUMNS: &str = "id, tenant_id, service_id, clerk_id, starts_at, ends_at, status, sequence, \
    resident_name, resident_email, resident_phone, note, language_need, booking_code, created_at";

fn corrupt(what: &str) -> Error {
    Error::Internal(format!("stored appointment has invalid {what}"))
}

fn from_row(row: &AnyRow) -> Result<Appointment> {
    Ok(Appointment {
        id: parsed(row, "id")?,
        tenant_id: parsed(row, "tenant_id")?,
        service_id: parsed(row, "service_id")?,
        clerk_id: parsed(row, "clerk_id")?,
        start: instant(row, "starts_at")?,
        end: instant(row, "ends_at")?,
        status: AppointmentStatus::parse(&row.try_get::<String, _>("status")?)
            .ok_or_else(|| corrupt("status"))?,
        sequence: row.try_get::<i64, _>("sequence")? as u32,
        resident: Resident {
            name: row.try_get("resident_name")?,
            contact: Contact::new(
                row.try_get::<Option<String>, _>("resident_email")?
                    .map(|e| Email::parse(&e).map_err(|_| corrupt("email")))
                    .transpose()?,
                row.try_get::<Option<String>, _>("resident_phone")?
                    .map(PhoneNumber::from_stored),
            )
            .ok_or_else(|| corrupt("contact"))?,
            note: row.try_get("note")?,
            language: row.try_get("language_need")?,
        },
        code: row
            .try_get::<Option<String>, _>("booking_code")?
            .and_then(|c| BookingCode::parse(&c).ok())
            .ok_or_else(|| corrupt("booking code"))?,
        created_at: instant(row, "created_at")?,
    })
}

/// Inserts the unit reservations in one statement; a unique violation means the clerk was
/// taken by a concurrent booking.
async fn reserve(
    tx: &mut Transaction<'static, Any>,
    clerk: ClerkId,
    appointment: AppointmentId,
    units: &[i64],
) -> Result<()> {
    if units.is_empty() {
        return Err(Error::Internal(
            "an appointment must reserve clerk time".into(),
        ));
    }
    let values: Vec<String> = (0..units.len())
        .map(|i| format!("($1, ${}, $2)", i + 3))
        .collect();
    let sql = format!(
        "INSERT INTO clerk_reservations (clerk_id, unit_start, appointment_id) VALUES {}",
        values.join(", ")
    );
    let mut query = sqlx::query(&sql)
        .bind(clerk.to_string())
        .bind(appointment.to_string());
    for unit in units {
        query = query.bind(*unit);
    }
    query.execute(&mut **tx).await.map_err(|e| {
        if super::is_unique_violation(&e) {
            Error::SlotTaken
        } else {
            e.into()
        }
    })?;
    Ok(())
}

impl Db {
    /// Inserts the appointment and its reservations atomically. `Err(SlotTaken)` when any unit
    /// of the clerk is already reserved; nothing is written then.
    pub async fn insert_appointment(&self, new: &NewAppointment, now: Timestamp) -> Result<()> {
        self.insert_appointment_with_consents(new, &[], &[], now)
            .await
    }

    /// The same, with the resident's consent choices made while booking, in the same
    /// transaction: either the appointment with all its choices is stored, or nothing.
    pub async fn insert_appointment_with_consents(
        &self,
        new: &NewAppointment,
        consents: &[(String, Choice)],
        messages: &[super::messages::NewMessage],
        now: Timestamp,
    ) -> Result<()> {
        self.insert_appointment_logged(new, consents, &[], &[], messages, now, None)
            .await
    }

    /// The same, with the answers to the questions before booking, the extra people's names
    /// and an access-log entry (a clerk booked it for the resident) in the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_appointment_logged(
        &self,
        new: &NewAppointment,
        consents: &[(String, Choice)],
        triage: &[crate::domain::triage::Given],
        people: &[String],
        messages: &[super::messages::NewMessage],
        now: Timestamp,
        logged: Option<&crate::domain::access_log::AccessEntry>,
    ) -> Result<()> {
        let a = &new.appointment;
        let mut tx = self.begin_write().await?;
        // The appointment row goes first: on SQLite the first write takes the database's write
        // lock, so concurrent bookings queue here rather than failing on a lock upgrade.
        sqlx::query(
            "INSERT INTO appointments (id, tenant_id, service_id, clerk_id, starts_at, ends_at, status, \
             sequence, resident_name, resident_email, resident_phone, note, link_hash, created_at, updated_at, \
             booking_code, language_need) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16)",
        )
        .bind(a.id.to_string())
        .bind(a.tenant_id.to_string())
        .bind(a.service_id.to_string())
        .bind(a.clerk_id.to_string())
        .bind(a.start.as_second())
        .bind(a.end.as_second())
        .bind(a.status.as_str())
        .bind(i64::from(a.sequence))
        .bind(&a.resident.name)
        .bind(a.resident.email().map(|e| e.as_str().to_string()))
        .bind(a.resident.phone().map(|p| p.as_str().to_string()))
        .bind(a.resident.note.clone())
        .bind(&new.link_hash)
        .bind(now.as_second())
        .bind(a.code.as_str())
        .bind(a.resident.language.clone())
        .execute(&mut *tx)
        .await?;
        reserve(&mut tx, a.clerk_id, a.id, &new.units).await?;
        super::consent::insert_choices(&mut tx, a.tenant_id, a.id, consents, 1, now).await?;
        super::triage::insert_given(&mut tx, a.id, triage).await?;
        super::party::insert_people(&mut tx, a.id, people).await?;
        super::messages::insert_in(&mut tx, messages).await?;
        if let Some(entry) = logged {
            super::access_log::insert(&mut tx, entry).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The language or interpreter the resident of an appointment needs, as typed; `None`
    /// when none was given (or it was erased).
    pub async fn language_need(&self, appointment: AppointmentId) -> Result<Option<String>> {
        let row = sqlx::query("SELECT language_need FROM appointments WHERE id = $1")
            .bind(appointment.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(row) => row.try_get::<Option<String>, _>("language_need")?,
            None => None,
        })
    }

    /// By the first personal link or any issued later (`appointment_links`).
    pub async fn appointment_by_link(&self, link_hash: &str) -> Result<Appointment> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM appointments WHERE link_hash = $1 OR id = \
             (SELECT appointment_id FROM appointment_links WHERE link_hash = $1)"
        ))
        .bind(link_hash)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound("appointment"))?;
        from_row(&row)
    }

    /// An appointment of this tenant; another tenant's is "not found".
    pub async fn appointment(&self, tenant: TenantId, id: AppointmentId) -> Result<Appointment> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM appointments WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound("appointment"))?;
        from_row(&row)
    }

    pub async fn appointments_between(
        &self,
        tenant: TenantId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Appointment>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM appointments WHERE tenant_id = $1 AND starts_at >= $2 AND starts_at < $3 \
             ORDER BY starts_at, id"
        ))
        .bind(tenant.to_string())
        .bind(from.as_second())
        .bind(to.as_second())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Reserved time of each clerk within `[from, to)`, merged into intervals.
    pub async fn busy_intervals(
        &self,
        clerks: &[ClerkId],
        from: Timestamp,
        to: Timestamp,
    ) -> Result<HashMap<ClerkId, Vec<Interval>>> {
        let mut busy: HashMap<ClerkId, Vec<Interval>> = HashMap::new();
        if clerks.is_empty() {
            return Ok(busy);
        }
        // All clerks in one query. Sorted here, not by the database: ordering by the text
        // clerk id under the database's collation cost more than the rest of the query.
        let placeholders: Vec<String> = (0..clerks.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT clerk_id, unit_start FROM clerk_reservations \
             WHERE unit_start >= $1 AND unit_start < $2 AND clerk_id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql)
            .bind(from.as_second() - crate::domain::appointment::RESERVATION_UNIT_SECONDS)
            .bind(to.as_second());
        for clerk in clerks {
            query = query.bind(clerk.to_string());
        }
        let mut units: Vec<(ClerkId, Timestamp)> = query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| Ok((parsed(row, "clerk_id")?, instant(row, "unit_start")?)))
            .collect::<Result<_>>()?;
        // Adjacent units of a clerk merge into one interval.
        units.sort_unstable();
        for (clerk, start) in units {
            let end = start
                + SignedDuration::from_secs(crate::domain::appointment::RESERVATION_UNIT_SECONDS);
            let intervals = busy.entry(clerk).or_default();
            match intervals.last_mut() {
                Some(last) if last.end == start => last.end = end,
                _ => intervals.push(Interval::new(start, end)),
            }
        }
        Ok(busy)
    }

    /// Moves a booked appointment to a new time (and possibly clerk) atomically: the old
    /// reservations are released and the new ones taken in one transaction, so a failed
    /// move leaves the old booking intact.
    pub async fn move_appointment(
        &self,
        moved: &Appointment,
        units: &[i64],
        messages: &[super::messages::NewMessage],
        now: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE appointments SET clerk_id = $1, starts_at = $2, ends_at = $3, sequence = $4, updated_at = $5 \
             WHERE id = $6 AND status = 'booked' AND sequence = $7",
        )
        .bind(moved.clerk_id.to_string())
        .bind(moved.start.as_second())
        .bind(moved.end.as_second())
        .bind(i64::from(moved.sequence))
        .bind(now.as_second())
        .bind(moved.id.to_string())
        .bind(i64::from(moved.sequence) - 1)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(Error::Conflict(Conflict::AppointmentChangedMeanwhile));
        }
        sqlx::query("DELETE FROM clerk_reservations WHERE appointment_id = $1")
            .bind(moved.id.to_string())
            .execute(&mut *tx)
            .await?;
        reserve(&mut tx, moved.clerk_id, moved.id, units).await?;
        super::messages::write_in(&mut tx, moved.id, Some(moved.start), messages).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Cancels a booked appointment and frees its clerk time.
    pub async fn cancel_appointment(
        &self,
        id: AppointmentId,
        new_sequence: u32,
        messages: &[super::messages::NewMessage],
        now: Timestamp,
        logged: Option<&crate::domain::access_log::AccessEntry>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE appointments SET status = 'cancelled', sequence = $1, updated_at = $2 \
             WHERE id = $3 AND status = 'booked'",
        )
        .bind(i64::from(new_sequence))
        .bind(now.as_second())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(Error::Conflict(Conflict::AlreadyCancelled));
        }
        sqlx::query("DELETE FROM clerk_reservations WHERE appointment_id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        super::messages::write_in(&mut tx, id, None, messages).await?;
        if let Some(entry) = logged {
            super::access_log::insert(&mut tx, entry).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// How many booked appointments overlap per clerk; used by tests and the load test to prove
    /// no clerk is double-booked.
    pub async fn count_booked(&self, tenant: TenantId) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM appointments WHERE tenant_id = $1 AND status = 'booked'",
        )
        .bind(tenant.to_string())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }

    /// A further personal link for the appointment, with its access-log entry, in one
    /// transaction: either the resident's log says a link was issued, or none was.
    pub async fn add_link(
        &self,
        appointment: AppointmentId,
        link_hash: &str,
        entry: &crate::domain::access_log::AccessEntry,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO appointment_links (link_hash, appointment_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(link_hash)
        .bind(appointment.to_string())
        .bind(entry.at.as_second())
        .execute(&mut *tx)
        .await?;
        super::access_log::insert(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The municipality's appointment with this booking code; an erased one is not found.
    pub async fn appointment_by_code(
        &self,
        tenant: TenantId,
        code: &BookingCode,
    ) -> Result<Appointment> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM appointments WHERE tenant_id = $1 AND booking_code = $2 \
             AND erased_at IS NULL"
        ))
        .bind(tenant.to_string())
        .bind(code.as_str())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound("appointment"))?;
        from_row(&row)
    }

    /// Appointments of the municipality from `from` on (not erased) whose name contains
    /// `name`, or whose phone, e-mail or code is exactly the one given; at most `limit`,
    /// soonest first. The caller narrows them to the clerk's services.
    pub async fn search_appointments(
        &self,
        tenant: TenantId,
        from: Timestamp,
        search: &AppointmentSearch,
        limit: i64,
    ) -> Result<Vec<Appointment>> {
        let name = search
            .name
            .as_deref()
            .map(|n| format!("%{}%", n.to_lowercase().replace(['%', '_', '\\'], "")));
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM appointments WHERE tenant_id = $1 AND erased_at IS NULL \
             AND ends_at >= $2 AND ( \
               ($3 IS NOT NULL AND LOWER(resident_name) LIKE $3) \
               OR ($4 IS NOT NULL AND resident_phone = $4) \
               OR ($5 IS NOT NULL AND LOWER(resident_email) = $5) \
               OR ($6 IS NOT NULL AND booking_code = $6)) \
             ORDER BY starts_at, id LIMIT $7"
        ))
        .bind(tenant.to_string())
        .bind(from.as_second())
        .bind(name)
        .bind(search.phone.as_ref().map(|p| p.as_str().to_string()))
        .bind(search.email.as_ref().map(|e| e.as_str().to_lowercase()))
        .bind(search.code.as_ref().map(|c| c.as_str().to_string()))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Gives appointments booked before booking codes existed their code. Run at start-up
    /// after the migrations; a code already taken in the municipality is drawn again.
    pub async fn backfill_booking_codes(&self) -> Result<u64> {
        let rows = sqlx::query("SELECT id FROM appointments WHERE booking_code IS NULL")
            .fetch_all(&self.pool)
            .await?;
        let mut filled = 0;
        for row in rows {
            let id: String = row.try_get("id")?;
            for _ in 0..5 {
                match sqlx::query(
                    "UPDATE appointments SET booking_code = $1 WHERE id = $2 AND booking_code IS NULL",
                )
                .bind(BookingCode::generate().as_str())
                .bind(&id)
                .execute(&self.pool)
                .await
                {
                    Ok(_) => {
                        filled += 1;
                        break;
                    }
                    Err(e) if super::is_unique_violation(&e) => continue,
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(filled)
    }
}

/// What a clerk searched for; each part that is present may match.
#[derive(Clone, Debug, Default)]
pub struct AppointmentSearch {
    pub name: Option<String>,
    pub phone: Option<PhoneNumber>,
    pub email: Option<Email>,
    pub code: Option<BookingCode>,
}
