//! The day-then-time picker shared by booking and rescheduling. Days are plain links; the
//! times of one day are radio buttons in a fieldset whose legend names the day, so keyboard
//! users tab once into the group and move with the arrow keys, and screen readers hear the
//! day with every time. No JavaScript.

use crate::form::Radio;
use crate::i18n::Tx;
use ::booking::domain::start_time::StartTime;
use booking::domain::catalog::Service;
use booking::domain::slots::Slot;
use booking::domain::tenant::Tenant;
use booking::usecases;
use booking::{App, Result};
use jiff::civil::Date;
use jiff::ToSpan;
use maud::{html, Markup};
use std::collections::BTreeMap;

/// The local dates with at least one free time, each with its times: from today to the end
/// of the municipality's booking horizon. `people` (the resident included) makes each time
/// long enough for everyone in the appointment.
pub async fn free_days(
    app: &App,
    tenant: &Tenant,
    service: &Service,
    people: i64,
) -> Result<BTreeMap<Date, Vec<Slot>>> {
    let tz = tenant.time_zone.tz();
    let today = app.clock.now().to_zoned(tz.clone()).date();
    let last = today
        .checked_add(tenant.horizon_days.days())
        .unwrap_or(today);
    let mut days: BTreeMap<Date, Vec<Slot>> = BTreeMap::new();
    // The slot query covers a limited range at a time.
    let mut from = today;
    while from <= last {
        let to = from
            .checked_add((usecases::booking::MAX_RANGE_DAYS - 1).days())
            .unwrap_or(last)
            .min(last);
        for slot in usecases::booking::slots_for(app, tenant, service, people, from, to).await? {
            days.entry(slot.start.to_zoned(tz.clone()).date())
                .or_default()
                .push(slot);
        }
        match to.tomorrow() {
            Ok(next) => from = next,
            Err(_) => break,
        }
    }
    Ok(days)
}

/// The free times on one local date, for `people` people (the resident included).
pub async fn free_times(
    app: &App,
    tenant: &Tenant,
    service: &Service,
    people: i64,
    day: Date,
) -> Result<Vec<Slot>> {
    usecases::booking::slots_for(app, tenant, service, people, day, day).await
}

/// The day links, grouped per ISO week under a heading: compact on a wide screen (the days of
/// a week side by side), each link still a large target. `href` gives each day's address.
pub fn days_list(
    tx: &Tx,
    days: &BTreeMap<Date, Vec<Slot>>,
    href: impl Fn(Date) -> String,
) -> Markup {
    if days.is_empty() {
        return html! {
            p {
                (tx.pick(
                    "Er zijn nu geen tijden vrij. Probeer het later opnieuw of bel de gemeente.",
                    "Er zijn nu geen tijden vrij. Probeer het later opnieuw of bel de gemeente.",
                    "There are no free times now. Please try again later or call the municipality."
                ))
            }
        };
    }
    let count = |times: usize| match (tx.lang, times) {
        (crate::i18n::Lang::Nl, 1) => "1 tijd vrij".to_string(),
        (crate::i18n::Lang::Nl, n) => format!("{n} tijden vrij"),
        (crate::i18n::Lang::En, 1) => "1 time free".to_string(),
        (crate::i18n::Lang::En, n) => format!("{n} times free"),
    };
    let mut weeks: BTreeMap<(i16, i8), Vec<(Date, usize)>> = BTreeMap::new();
    for (day, times) in days {
        let week = day.iso_week_date();
        weeks
            .entry((week.year(), week.week()))
            .or_default()
            .push((*day, times.len()));
    }
    html! {
        @for ((_, week), week_days) in &weeks {
            @let heading = format!("week-{}", week_days[0].0);
            section class="week" aria-labelledby=(heading) {
                h2 class="week-title" id=(heading) { (tx.t("Week", "Week")) " " (week) }
                ul class="choice-list week-days" {
                    @for (day, times) in week_days {
                        li {
                            a class="choice" href=(href(*day)) {
                                span class="choice-title" { (capitalise_first(&tx.day_in_words(*day))) }
                                span class="choice-text" { (count(*times)) }
                            }
                        }
                    }
                }
            }
        }
    }
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
    /// Values the next step needs too (name, value), sent along as hidden fields.
    pub carry: &'a [(&'a str, String)],
}

pub fn times_form(tx: &Tx, tenant: &Tenant, form: TimesForm<'_>) -> Markup {
    let tz = tenant.time_zone.tz();
    let legend = capitalise_first(&tx.day_in_words(form.day));
    let described = form.error.as_ref().map(|_| "start-error");
    html! {
        @if let Some(error) = &form.error {
            div class="error-summary" role="alert" { p id="start-error" { (error) } }
        }
        @if form.times.is_empty() {
            p {
                (tx.t(
                    "Op deze dag is geen tijd meer vrij.",
                    "There is no free time left on this day."
                ))
            }
        } @else {
            form method=(form.method) action=(form.action) novalidate {
                input type="hidden" name="day" value=(form.day.to_string());
                input type="hidden" name="picked" value="1";
                @for (name, value) in form.carry {
                    input type="hidden" name=(*name) value=(value);
                }
                fieldset class="times" aria-describedby=[described] {
                    legend { (legend) }
                    div class="radio-grid" {
                        @for (i, slot) in form.times.iter().enumerate() {
                            (Radio {
                                id: &format!("start-{i}"),
                                name: "start",
                                value: &StartTime::written(slot.start, tz),
                                label: &slot.start.to_zoned(tz.clone()).strftime("%H:%M").to_string(),
                                checked: false,
                                invalid: false,
                                required: true,
                                described_by: None,
                            }.render())
                        }
                    }
                }
                button type="submit" class="button" { (form.submit) }
            }
        }
        p { a href=(form.other_day_href) { (tx.t("Een andere dag kiezen", "Choose another day")) } }
    }
}

pub fn capitalise_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
