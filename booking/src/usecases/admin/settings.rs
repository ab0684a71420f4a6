//! The municipality's settings: name, tone, colours, walk-ins, booking window, retention, and
//! what residents see of it (phone number, address, opening hours, introduction).

use super::audit::{self, By};
use super::{check_name, check_range, first, Problem};
use crate::domain::audit::AuditAction;
use crate::domain::email::Email;
use crate::domain::tenant::{Colour, ResidentInfo, Tenant, Tone};
use crate::domain::text::{FreeText, Lines, PhoneNumber};
use crate::error::{Result, Words};
use crate::App;

/// The settings form as typed (colours and tone as text, so a page can keep what was typed).
#[derive(Clone, Debug, Default)]
pub struct SettingsInput {
    pub name: String,
    pub tone: String,
    pub primary_colour: String,
    pub secondary_colour: String,
    pub walk_ins_allowed: bool,
    pub lead_time_minutes: i64,
    pub horizon_days: i64,
    pub retention_days: i64,
    pub contact_email: String,
    pub check_in_minutes: i64,
    pub no_show_grace_minutes: i64,
    /// Empty: no phone number shown.
    pub phone: String,
    pub address: String,
    pub opening_hours: String,
    pub intro_nl: String,
    pub intro_en: String,
}

impl SettingsInput {
    /// The tenant's current settings, to fill the form.
    pub fn of(t: &Tenant) -> Self {
        Self {
            name: t.name.clone(),
            tone: t.tone.as_str().into(),
            primary_colour: t.primary_colour.to_string(),
            secondary_colour: t.secondary_colour.to_string(),
            walk_ins_allowed: t.walk_ins_allowed,
            lead_time_minutes: t.lead_time_minutes,
            horizon_days: t.horizon_days,
            retention_days: t.retention_days,
            contact_email: t.contact_email.clone(),
            check_in_minutes: t.check_in_minutes,
            no_show_grace_minutes: t.no_show_grace_minutes,
            phone: t.resident_info.phone.clone().unwrap_or_default(),
            address: t.resident_info.address.clone(),
            opening_hours: t.resident_info.opening_hours.clone(),
            intro_nl: t.resident_info.intro_nl.clone(),
            intro_en: t.resident_info.intro_en.clone(),
        }
    }
}

/// The tenant with the new settings applied, or every problem.
pub fn check_settings(
    current: &Tenant,
    input: &SettingsInput,
) -> std::result::Result<Tenant, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut tenant = current.clone();
    tenant.name = check_name(&mut problems, &input.name);
    match Tone::parse(input.tone.trim()) {
        Some(tone) => tenant.tone = tone,
        None => problems.push((
            "tone",
            Words::new(
                "Kies u (formeel) of je (informeel).",
                "Choose u (formal) or je (informal).",
            ),
        )),
    }
    match Colour::parse(input.primary_colour.trim()) {
        Ok(c) => tenant.primary_colour = c,
        Err(e) => problems.push(("primary_colour", e.words())),
    }
    match Colour::parse(input.secondary_colour.trim()) {
        Ok(c) => tenant.secondary_colour = c,
        Err(e) => problems.push(("secondary_colour", e.words())),
    }
    tenant.walk_ins_allowed = input.walk_ins_allowed;
    check_range(
        &mut problems,
        "lead_time_minutes",
        input.lead_time_minutes,
        0..=7 * 24 * 60,
    );
    check_range(&mut problems, "horizon_days", input.horizon_days, 1..=365);
    check_range(
        &mut problems,
        "retention_days",
        input.retention_days,
        1..=3650,
    );
    // Check-in may not open before the clerks can prepare, and an appointment cannot wait for
    // its resident longer than a long appointment lasts.
    check_range(
        &mut problems,
        "check_in_minutes",
        input.check_in_minutes,
        0..=240,
    );
    check_range(
        &mut problems,
        "no_show_grace_minutes",
        input.no_show_grace_minutes,
        0..=120,
    );
    tenant.lead_time_minutes = input.lead_time_minutes;
    tenant.horizon_days = input.horizon_days;
    tenant.retention_days = input.retention_days;
    tenant.check_in_minutes = input.check_in_minutes;
    tenant.no_show_grace_minutes = input.no_show_grace_minutes;
    match Email::parse(&input.contact_email) {
        Ok(e) => tenant.contact_email = e.to_string(),
        Err(e) => problems.push(("contact_email", e.words())),
    }
    tenant.resident_info = check_resident_info(&mut problems, input);
    if problems.is_empty() {
        Ok(tenant)
    } else {
        Err(problems)
    }
}

/// Phone number, address, opening hours and introductions as residents will see them.
fn check_resident_info(problems: &mut Vec<Problem>, input: &SettingsInput) -> ResidentInfo {
    let phone = if input.phone.trim().is_empty() {
        None
    } else {
        match PhoneNumber::parse_for_municipality(&input.phone) {
            Ok(phone) => Some(phone.into_string()),
            Err(_) => {
                problems.push((
                    "phone",
                    Words::new(
                        "Geef een telefoonnummer, bijvoorbeeld 14 030 of 020 123 4567, of laat het veld leeg.",
                        "Give a phone number, e.g. 14 030 or 020 123 4567, or leave the field empty.",
                    ),
                ));
                None
            }
        }
    };
    let mut text = |field: &'static str, raw: &str, max: usize| {
        FreeText::optional(raw, Lines::Many, max)
            .map(|t| t.map(FreeText::into_string).unwrap_or_default())
            .unwrap_or_else(|problem| {
                problems.push((field, problem.message(field)));
                String::new()
            })
    };
    ResidentInfo {
        address: text("address", &input.address, ResidentInfo::MAX_ADDRESS),
        opening_hours: text(
            "opening_hours",
            &input.opening_hours,
            ResidentInfo::MAX_OPENING_HOURS,
        ),
        intro_nl: text("intro_nl", &input.intro_nl, ResidentInfo::MAX_INTRO),
        intro_en: text("intro_en", &input.intro_en, ResidentInfo::MAX_INTRO),
        phone,
    }
}

/// Saves the municipality's settings; nothing is saved when any field is wrong.
pub async fn update_settings(
    app: &App,
    by: impl Into<By>,
    input: &SettingsInput,
) -> Result<Tenant> {
    let by = by.into();
    let current = app.db.tenant(by.tenant).await?;
    let updated = check_settings(&current, input).map_err(first)?;
    app.db.save_tenant(&updated).await?;
    audit::record(app, by, AuditAction::SettingsChanged, &updated.name).await?;
    Ok(updated)
}
