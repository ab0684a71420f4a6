//! The day-then-time picker shared by booking and rescheduling. Days are plain links; the
//! times of one day are radio buttons in a fieldset whose legend names the day, so keyboard
//! users tab once into the group and move with the arrow keys, and screen readers hear the
//! day with every time. No JavaScript.

use crate::html::esc;
use crate::i18n::Tx;
use booking::domain::catalog::Service;
use booking::domain::slots::Slot;
use booking::domain::tenant::Tenant;
use booking::usecases;
use booking::{App, Result};
use jiff::civil::Date;
use jiff::ToSpan;
use std::collections::BTreeMap;

/// How far ahead the day list looks. Four weeks keeps the list short enough to read aloud;
/// the municipality's own horizon still applies inside the slot engine.
const DAYS_AHEAD: i64 = 28;

/// The local dates with at least one free time, each with its times.
pub async fn free_days(
    app: &App,
    tenant: &Tenant,
    service: &Service,
) -> Result<BTreeMap<Date, Vec<Slot>>> {
    let tz = tenant.time_zone.tz();
    let today = app.clock.now().to_zoned(tz.clone()).date();
    let last = today.checked_add((DAYS_AHEAD - 1).days()).unwrap_or(today);
    let slots = usecases::booking::slots(app, tenant, service, today, last).await?;
    let mut days: BTreeMap<Date, Vec<Slot>> = BTreeMap::new();
    for slot in slots {
        days.entry(slot.start.to_zoned(tz.clone()).date())
            .or_default()
            .push(slot);
    }
    Ok(days)
}

/// The free times on one local date.
pub async fn free_times(
    app: &App,
    tenant: &Tenant,
    service: &Service,
    day: Date,
) -> Result<Vec<Slot>> {
    usecases::booking::slots(app, tenant, service, day, day).await
}

/// A list of day links; `href` gives each day's address.
pub fn days_list(
    tx: &Tx,
    days: &BTreeMap<Date, Vec<Slot>>,
    href: impl Fn(Date) -> String,
) -> String {
    if days.is_empty() {
        return format!(
            r#"<p>{}</p>"#,
            tx.pick(
                "Er zijn de komende vier weken geen tijden vrij. Probeer het later opnieuw of bel de gemeente.",
                "Er zijn de komende vier weken geen tijden vrij. Probeer het later opnieuw of bel de gemeente.",
                "There are no free times in the next four weeks. Please try again later or call the municipality."
            )
        );
    }
    let items: String = days
        .iter()
        .map(|(day, times)| {
            let count = match (tx.lang, times.len()) {
                (crate::i18n::Lang::Nl, 1) => "1 tijd vrij".to_string(),
                (crate::i18n::Lang::Nl, n) => format!("{n} tijden vrij"),
                (crate::i18n::Lang::En, 1) => "1 time free".to_string(),
                (crate::i18n::Lang::En, n) => format!("{n} times free"),
            };
            format!(
                r#"<li><a class="choice" href="{href}"><span class="choice-title">{day}</span><span class="choice-text">{count}</span></a></li>"#,
                href = esc(&href(*day)),
                day = esc(&capitalise_first(&tx.day_in_words(*day))),
            )
        })
        .collect();
    format!(r#"<ul class="choice-list">{items}</ul>"#)
}

/// What the times form needs besides the times.
pub struct TimesForm<'a> {
    pub day: Date,
    pub times: &'a [Slot],
    /// `get` to go on to the details form, `post` to act (reschedule).
    pub method: &'a str,
    pub action: String,
    pub submit: &'a str,
    /// A message above the times, e.g. that the chosen time was just taken.
    pub error: Option<String>,
    /// Where to choose another day.
    pub other_day_href: String,
}

pub fn times_form(tx: &Tx, tenant: &Tenant, form: TimesForm<'_>) -> String {
    let tz = tenant.time_zone.tz();
    let legend = capitalise_first(&tx.day_in_words(form.day));
    let error = form
        .error
        .as_deref()
        .map(|e| {
            format!(
                r#"<div class="error-summary" role="alert"><p id="start-error">{}</p></div>"#,
                esc(e)
            )
        })
        .unwrap_or_default();
    let described = if form.error.is_some() {
        r#" aria-describedby="start-error""#
    } else {
        ""
    };
    let body = if form.times.is_empty() {
        format!(
            "<p>{}</p>",
            tx.t(
                "Op deze dag is geen tijd meer vrij.",
                "There is no free time left on this day."
            )
        )
    } else {
        let radios: String = form
            .times
            .iter()
            .enumerate()
            .map(|(i, slot)| {
                format!(
                    r#"<div class="radio"><input type="radio" id="start-{i}" name="start" value="{value}" required><label for="start-{i}">{time}</label></div>"#,
                    value = esc(&slot.start.to_string()),
                    time = slot.start.to_zoned(tz.clone()).strftime("%H:%M"),
                )
            })
            .collect();
        format!(
            r#"<form method="{method}" action="{action}" novalidate>
<input type="hidden" name="day" value="{day}">
<input type="hidden" name="picked" value="1">
<fieldset class="times"{described}>
<legend>{legend}</legend>
<div class="radio-grid">{radios}</div>
</fieldset>
<button type="submit" class="button">{submit}</button>
</form>"#,
            method = form.method,
            day = form.day,
            action = esc(&form.action),
            legend = esc(&legend),
            submit = esc(form.submit),
        )
    };
    format!(
        r#"{error}{body}<p><a href="{other}">{other_text}</a></p>"#,
        other = esc(&form.other_day_href),
        other_text = tx.t("Een andere dag kiezen", "Choose another day"),
    )
}

pub fn capitalise_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
