//! The municipality's closing days: the Dutch public holidays, preloaded for the coming years,
//! and its own closing days and part days. The slot engine treats each as an absence of every
//! clerk (`usecases::booking`), so no slot is offered and a direct booking is refused; adding
//! one lists the appointments already booked then, for the admin to move or cancel.

use super::{first, Problem};
use crate::adapters::mail::OutgoingMail;
use crate::domain::appointment::{Appointment, AppointmentStatus};
use crate::domain::audit::AuditAction;
use crate::domain::closing_days::{dutch_public_holidays, ClosingDay, PartOfDay};
use crate::domain::ids::AppointmentId;
use crate::domain::slots::Interval;
use crate::domain::tenant::Tenant;
use crate::domain::tenant::Tone;
use crate::domain::text::PhoneNumber;
use crate::error::{Error, Result, Words};
use crate::usecases::booking;
use crate::App;
use jiff::civil::Date;
use jiff::ToSpan;

/// Public holidays are preloaded for this year and the next two: more than the longest
/// booking horizon (365 days) ahead.
pub const HOLIDAY_YEARS_AHEAD: i16 = 2;

/// The admin's list shows closing days up to this many days ahead.
pub const LIST_DAYS_AHEAD: i64 = 3 * 366;

/// A closing day as an admin types it: a date, an optional time range, a name.
#[derive(Clone, Debug, Default)]
pub struct ClosingDayInput {
    /// YYYY-MM-DD.
    pub date: String,
    /// HH:MM, or empty with `to` empty for the whole day.
    pub from: String,
    pub to: String,
    pub name: String,
}

/// "9:00", "09:00" or "12.30" as minutes after midnight; "24:00" is the end of the day.
fn minutes(raw: &str) -> Option<u16> {
    let (hours, mins) = raw.trim().split_once([':', '.'])?;
    if mins.len() != 2 || hours.is_empty() || hours.len() > 2 {
        return None;
    }
    let (hours, mins): (u16, u16) = (hours.parse().ok()?, mins.parse().ok()?);
    (mins < 60 && (hours < 24 || (hours == 24 && mins == 0))).then_some(hours * 60 + mins)
}

/// Every problem of the form at once; `today` is the municipality's local date.
pub fn check_closing_day(
    input: &ClosingDayInput,
    today: Date,
) -> std::result::Result<ClosingDay, Vec<Problem>> {
    let mut problems = Vec::new();
    let date = match input.date.trim().parse::<Date>() {
        Ok(date) if date < today => {
            problems.push((
                "date",
                Words::new(
                    "Geef een datum vanaf vandaag.",
                    "Give a date from today on.",
                ),
            ));
            None
        }
        Ok(date) => Some(date),
        Err(_) => {
            problems.push((
                "date",
                Words::new(
                    "Geef een datum als JJJJ-MM-DD, bijvoorbeeld 2026-12-24.",
                    "Give a date as YYYY-MM-DD, e.g. 2026-12-24.",
                ),
            ));
            None
        }
    };
    let part = match (input.from.trim(), input.to.trim()) {
        ("", "") => None,
        (from, to) => match (minutes(from), minutes(to)) {
            (Some(start), Some(end)) => match PartOfDay::new(start, end) {
                Some(part) => Some(part),
                None => {
                    problems.push((
                        "to",
                        Words::new(
                            "De eindtijd moet na de begintijd liggen.",
                            "The end time must be after the start time.",
                        ),
                    ));
                    None
                }
            },
            (None, _) => {
                problems.push((
                    "from",
                    Words::new(
                        "Geef een begintijd als uu:mm, of laat beide tijden leeg voor de hele dag.",
                        "Give a start time as HH:MM, or leave both times empty for the whole day.",
                    ),
                ));
                None
            }
            (_, None) => {
                problems.push((
                    "to",
                    Words::new(
                        "Geef een eindtijd als uu:mm, of laat beide tijden leeg voor de hele dag.",
                        "Give an end time as HH:MM, or leave both times empty for the whole day.",
                    ),
                ));
                None
            }
        },
    };
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        problems.push(("name", super::name_of_1_to_100()));
    }
    match date {
        Some(date) if problems.is_empty() => Ok(ClosingDay {
            id: uuid::Uuid::new_v4(),
            date,
            part,
            name: name.to_string(),
            holiday: false,
        }),
        _ => Err(problems),
    }
}

fn today(app: &App, tenant: &Tenant) -> Date {
    app.clock
        .now()
        .to_zoned(tenant.time_zone.tz().clone())
        .date()
}

/// Makes sure the public holidays of this year and the coming years are in the tenant's list.
/// Each year is loaded once, so a holiday an admin removed stays removed.
pub async fn preload_public_holidays(app: &App, tenant: &Tenant) -> Result<()> {
    let year = today(app, tenant).year();
    // Once preloaded, a year stays preloaded (a removed holiday is not loaded again), so this
    // instance remembers it instead of asking on every slot search.
    let key = (tenant.id, year);
    if app
        .holidays_preloaded
        .lock()
        .expect("holidays lock")
        .contains(&key)
    {
        return Ok(());
    }
    let done = app.db.preloaded_holiday_years(tenant.id, year).await?;
    for year in (year..=year.saturating_add(HOLIDAY_YEARS_AHEAD)).filter(|y| !done.contains(y)) {
        let days: Vec<ClosingDay> = dutch_public_holidays(year)
            .into_iter()
            .map(|(date, name)| ClosingDay {
                id: uuid::Uuid::new_v4(),
                date,
                part: None,
                name: name.to_string(),
                holiday: true,
            })
            .collect();
        app.db.preload_holidays(tenant.id, year, &days).await?;
    }
    app.holidays_preloaded
        .lock()
        .expect("holidays lock")
        .insert(key);
    Ok(())
}

/// The closed periods touching local dates `from..=to`, as absolute time: what the slot
/// engine and the booking check take as everyone's absence.
pub async fn closed_periods(
    app: &App,
    tenant: &Tenant,
    from: Date,
    to: Date,
) -> Result<Vec<Interval>> {
    preload_public_holidays(app, tenant).await?;
    let tz = tenant.time_zone.tz();
    // A day either side: a period on the previous date may reach past midnight in UTC.
    let from = from.yesterday().unwrap_or(from);
    let to = to.tomorrow().unwrap_or(to);
    Ok(app
        .db
        .closing_days(tenant.id, from, to)
        .await?
        .iter()
        .filter_map(|day| day.period(tz))
        .collect())
}

/// A closing day with the appointments still booked in it.
#[derive(Clone, Debug)]
pub struct ClosingDayWithAppointments {
    pub day: ClosingDay,
    pub appointments: Vec<Appointment>,
    /// Those of `appointments` whose resident was already messaged about the closing day.
    pub messaged: Vec<AppointmentId>,
}

/// The booked (not cancelled) appointments that overlap the closing day.
async fn appointments_in(app: &App, tenant: &Tenant, day: &ClosingDay) -> Result<Vec<Appointment>> {
    let Some(period) = day.period(tenant.time_zone.tz()) else {
        return Ok(Vec::new());
    };
    // Appointments are shorter than a day, so one that overlaps started at most a day before.
    let since = period.start - jiff::SignedDuration::from_hours(24);
    let mut appointments = app
        .db
        .appointments_between(tenant.id, since, period.end)
        .await?;
    appointments.retain(|a| {
        a.status == AppointmentStatus::Booked && Interval::new(a.start, a.end).overlaps(&period)
    });
    Ok(appointments)
}

/// The tenant's closing days from today on, each with the appointments booked in it.
pub async fn closing_days(app: &App, tenant: &Tenant) -> Result<Vec<ClosingDayWithAppointments>> {
    preload_public_holidays(app, tenant).await?;
    let today = today(app, tenant);
    let last = today.checked_add(LIST_DAYS_AHEAD.days()).unwrap_or(today);
    let mut list = Vec::new();
    for day in app.db.closing_days(tenant.id, today, last).await? {
        let appointments = appointments_in(app, tenant, &day).await?;
        let messaged = if appointments.is_empty() {
            Vec::new()
        } else {
            app.db.closing_day_messaged(day.id).await?
        };
        list.push(ClosingDayWithAppointments {
            day,
            appointments,
            messaged,
        });
    }
    Ok(list)
}

/// Adds a closing day or part day; the answer lists the appointments already booked then.
pub async fn add_closing_day(
    app: &App,
    tenant: &Tenant,
    input: &ClosingDayInput,
    by: impl Into<super::audit::By>,
) -> Result<ClosingDayWithAppointments> {
    let day = check_closing_day(input, today(app, tenant)).map_err(first)?;
    app.db.add_closing_day(tenant.id, &day).await?;
    let subject = format!("{} {}", day.date, day.name);
    super::audit::record(app, by.into(), AuditAction::ClosingDayAdded, subject).await?;
    let appointments = appointments_in(app, tenant, &day).await?;
    Ok(ClosingDayWithAppointments {
        day,
        appointments,
        messaged: Vec::new(),
    })
}

/// How messaging the residents of a closing day went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResidentsMessaged {
    pub sent: usize,
    /// Messaged before: not again.
    pub earlier: usize,
    /// The mail could not be sent now; pressing again tries them again.
    pub failed: usize,
}

/// Tells every resident with a booked appointment on the closing day that the appointment
/// cannot go ahead, and how to choose another time. Each resident is messaged once per
/// closing day; a mail that fails is tried again the next time.
pub async fn message_residents(
    app: &App,
    tenant: &Tenant,
    id: &str,
    by: impl Into<super::audit::By>,
) -> Result<ResidentsMessaged> {
    let day = find(app, tenant, id).await?;
    let appointments = appointments_in(app, tenant, &day).await?;
    let earlier = app.db.closing_day_messaged(day.id).await?;
    let mut result = ResidentsMessaged::default();
    for appointment in &appointments {
        if earlier.contains(&appointment.id) {
            result.earlier += 1;
            continue;
        }
        let sent = match closing_day_mail(tenant, appointment) {
            Some(mail) => {
                app.limits.mail_allowed(&mail.to_email) && app.mailer.send(&mail).await.is_ok()
            }
            // A resident with a mobile number only gets a text through the outbox.
            None => match appointment.resident.phone() {
                Some(phone) => crate::usecases::messages::enqueue(
                    app,
                    crate::usecases::messages::Notice {
                        tenant: tenant.id,
                        appointment: Some(appointment.id),
                        key: format!("closing-day-{}-{}", day.id, appointment.id),
                        to: crate::usecases::messages::Recipient::Sms {
                            phone: phone.clone(),
                        },
                        subject: String::new(),
                        body: closing_day_text(tenant, appointment),
                    },
                )
                .await
                .is_ok(),
                None => false,
            },
        };
        if sent {
            app.db
                .record_closing_day_message(day.id, appointment.id, app.clock.now().as_second())
                .await?;
            result.sent += 1;
        } else {
            tracing::warn!(appointment = %appointment.id, "closing day mail not sent");
            result.failed += 1;
        }
    }
    if result.sent > 0 {
        let subject = format!("{} {} ({})", day.date, day.name, result.sent);
        super::audit::record(app, by.into(), AuditAction::ResidentsMessaged, subject).await?;
    }
    Ok(result)
}

/// The text message for a resident without e-mail.
fn closing_day_text(tenant: &Tenant, appointment: &Appointment) -> String {
    let when = booking::when_in_words(tenant, appointment.start);
    let call = tenant
        .resident_info
        .phone
        .as_deref()
        .and_then(|p| PhoneNumber::parse_for_municipality(p).ok())
        .map(|phone| format!(" Bel {} voor een nieuwe tijd.", phone.in_words()))
        .unwrap_or_default();
    format!(
        "{}: de videoafspraak op {when} kan niet doorgaan, de gemeente is dan gesloten.{call} \
         Afspraakcode {}.",
        tenant.name, appointment.code
    )
}

fn closing_day_mail(tenant: &Tenant, appointment: &Appointment) -> Option<OutgoingMail> {
    let to_email = appointment.resident.email()?.to_string();
    let your = match tenant.tone {
        Tone::Je => "Je",
        Tone::U => "Uw",
    };
    let when = booking::when_in_words(tenant, appointment.start);
    let when_en = booking::when_in_english(tenant, appointment.start);
    let call = tenant
        .resident_info
        .phone
        .as_deref()
        .and_then(|p| PhoneNumber::parse_for_municipality(p).ok())
        .map(|phone| phone.in_words());
    let (call_nl, call_en) = match &call {
        Some(number) => (format!(" of bel {number}"), format!(" or call {number}")),
        None => (String::new(), String::new()),
    };
    let body = format!(
        "Beste {name},\n\n{your} videoafspraak op {when} kan niet doorgaan: de gemeente is dan gesloten.\n\n\
         Kies een nieuwe tijd met de link in de bevestigingsmail{call_nl}.\n\n\
         ---\nYour video appointment on {when_en} cannot go ahead: the municipality is closed then. \
         Choose another time with the link in the confirmation mail{call_en}.\n",
        name = appointment.resident.name.replace(['\r', '\n'], " "),
    );
    Some(OutgoingMail {
        from_name: tenant.name.clone(),
        from_email: tenant.contact_email.clone(),
        to_name: appointment.resident.name.clone(),
        to_email,
        subject: format!("{your} afspraak van {when} gaat niet door"),
        body,
        invite: None,
    })
}

/// One of the municipality's closing days by its id; any other id is "not found".
async fn find(app: &App, tenant: &Tenant, id: &str) -> Result<ClosingDay> {
    let id: uuid::Uuid = id.parse().map_err(|_| Error::NotFound("closing day"))?;
    app.db
        .closing_days(tenant.id, Date::MIN, Date::MAX)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or(Error::NotFound("closing day"))
}

/// Removes a closing day, a preloaded public holiday included; an id that is not one of the
/// municipality's closing days is "not found".
pub async fn remove_closing_day(
    app: &App,
    tenant: &Tenant,
    id: &str,
    by: impl Into<super::audit::By>,
) -> Result<()> {
    let id: uuid::Uuid = id.parse().map_err(|_| Error::NotFound("closing day"))?;
    let removed = app
        .db
        .closing_days(tenant.id, Date::MIN, Date::MAX)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .map(|d| format!("{} {}", d.date, d.name))
        .unwrap_or_default();
    app.db.remove_closing_day(tenant.id, id).await?;
    super::audit::record(app, by.into(), AuditAction::ClosingDayRemoved, removed).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn input(date: &str, from: &str, to: &str, name: &str) -> ClosingDayInput {
        ClosingDayInput {
            date: date.into(),
            from: from.into(),
            to: to.into(),
            name: name.into(),
        }
    }

    #[test]
    fn a_whole_day_and_a_part_day_are_read() {
        let today = date(2026, 12, 1);
        let whole = check_closing_day(&input("2026-12-31", "", "", " Oudjaar "), today).unwrap();
        assert_eq!(whole.part, None);
        assert_eq!(whole.name, "Oudjaar");
        let part =
            check_closing_day(&input("2026-12-24", "12:00", "24:00", "Kerstavond"), today).unwrap();
        assert_eq!(part.part, PartOfDay::new(720, 1440));
        let morning = check_closing_day(&input("2026-12-24", "9:00", "12.30", "x"), today).unwrap();
        assert_eq!(morning.part, PartOfDay::new(540, 750));
    }

    #[test]
    fn every_problem_is_named_at_its_field() {
        let today = date(2026, 12, 1);
        let fields = |i: ClosingDayInput| -> Vec<&'static str> {
            check_closing_day(&i, today)
                .unwrap_err()
                .into_iter()
                .map(|(field, _)| field)
                .collect()
        };
        assert_eq!(fields(input("2026-11-30", "", "", "x")), ["date"]);
        assert_eq!(fields(input("24-12-2026", "", "", "")), ["date", "name"]);
        assert_eq!(fields(input("2026-12-24", "13:00", "", "x")), ["to"]);
        assert_eq!(fields(input("2026-12-24", "1pm", "14:00", "x")), ["from"]);
        assert_eq!(fields(input("2026-12-24", "14:00", "13:00", "x")), ["to"]);
        assert_eq!(fields(input("2026-12-24", "10:00", "24:30", "x")), ["to"]);
    }
}
