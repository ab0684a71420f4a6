//! `/medewerker/vandaag`: the municipality's appointments of a day (today by default, in its
//! own time zone) as a work list: the day before and after, a search on name, booking code or
//! service, and per row the actions that fit (call in a checked-in resident with a reason,
//! mark a no-show, move or cancel for the resident through the "for a caller" pages). Showing
//! the list is written to each resident's access log (`booking::usecases::desk::day_list`).

use super::{nav, to_login};
use crate::context::Ctx;
use crate::error::respond;
use crate::html::url;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use booking::auth::Staff;
use booking::domain::appointment::AppointmentStatus;
use booking::domain::queue::EntryStatus;
use booking::usecases::desk::{self, DayLine, DayStatus};
use booking::{App, Error};
use jiff::civil::Date;
use maud::{html, Markup};

const HERE: &str = "/medewerker/vandaag";

/// The status in words; never colour alone.
pub fn status_in_words(tx: &Tx, status: DayStatus) -> &'static str {
    match status {
        DayStatus::Booked => tx.t("Geboekt", "Booked"),
        DayStatus::Waiting => tx.t("Ingecheckt, wacht", "Checked in, waiting"),
        DayStatus::Called => tx.t("Wordt opgeroepen", "Being called"),
        DayStatus::InCall => tx.t("In gesprek", "In the call"),
        DayStatus::Done => tx.t("Afgerond", "Done"),
        DayStatus::Cancelled => tx.t("Afgezegd", "Cancelled"),
        DayStatus::NoShow => tx.t("Niet gekomen", "Did not show up"),
        DayStatus::Left => tx.t("Heeft de wachtrij verlaten", "Left the queue"),
    }
}

/// A line matches the search when its name, booking code or service contains it.
fn matches(line: &DayLine, search: &str) -> bool {
    let search = search.trim().to_lowercase();
    search.is_empty()
        || line
            .appointment
            .resident
            .name
            .to_lowercase()
            .contains(&search)
        || line
            .appointment
            .code
            .as_str()
            .to_lowercase()
            .contains(&search.replace([' ', '-'], ""))
        || line.service.name.to_lowercase().contains(&search)
}

fn actions(tx: &Tx, line: &DayLine, me: booking::domain::ids::ClerkId) -> Markup {
    let a = &line.appointment;
    let name = a.resident.name.as_str();
    let waiting = line
        .entry
        .as_ref()
        .filter(|e| e.status == EntryStatus::Waiting);
    let mine = line.entry.as_ref().filter(|e| {
        e.clerk_id == Some(me) && e.status.is_open() && e.status != EntryStatus::Waiting
    });
    html! {
        @if let Some(e) = mine {
            a class="button" href={ "/medewerker/gesprek/" (e.id) } {
                (tx.t("Openen", "Open")) span class="visually-hidden" { " (" (name) ")" }
            }
        }
        @if let Some(e) = waiting {
            form method="post" action={ "/medewerker/wachtrij/" (e.id) "/nemen" } class="take-form" {
                label for={ "reden-" (e.id) } {
                    (tx.t("Reden", "Reason")) span class="visually-hidden" { " (" (name) ")" }
                }
                input type="text" id={ "reden-" (e.id) } name="reden" required maxlength="500" autocomplete="off";
                button type="submit" class="button" {
                    (tx.t("Oproepen", "Call in")) span class="visually-hidden" { " (" (name) ")" }
                }
            }
            form method="post" action={ "/medewerker/wachtrij/" (e.id) "/niet-gekomen" } {
                button type="submit" class="button button--secondary" {
                    (tx.t("Niet gekomen", "No-show")) span class="visually-hidden" { " (" (name) ")" }
                }
            }
        }
        @if a.status == AppointmentStatus::Booked && line.entry.is_none() {
            a class="button button--secondary" href={ "/medewerker/afspraken?q=" (url(a.code.as_str())) } {
                (tx.t("Openen", "Open")) span class="visually-hidden" { " (" (name) ")" }
            }
            a class="button button--secondary" href={ "/medewerker/afspraken/" (a.id) "/verzetten" } {
                (tx.t("Verzetten", "Move")) span class="visually-hidden" { " (" (name) ")" }
            }
            form method="post" action={ "/medewerker/afspraken/" (a.id) "/afzeggen" } {
                button type="submit" class="button button--secondary" {
                    (tx.t("Afzeggen", "Cancel")) span class="visually-hidden" { " (" (name) ")" }
                }
            }
        }
    }
}

pub async fn show(State(app): State<App>, staff: Result<Staff, Error>, ctx: Ctx) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        // A date that does not parse is today: the navigation only ever links valid dates.
        let date: Option<Date> = ctx.param("datum").and_then(|d| d.parse().ok());
        let search = ctx.param("zoek").unwrap_or("").to_string();
        let day = desk::day_list(&app, &claims, date).await?;
        let tenant = &day.tenant;
        let tx = Tx::formal(ctx.lang);
        let tz = tenant.time_zone.tz().clone();
        let hhmm = |at: jiff::Timestamp| at.to_zoned(tz.clone()).strftime("%H:%M").to_string();
        let day_words = tx.day_in_words(day.date);
        let today = desk::today(&app, tenant);
        let lines: Vec<&DayLine> = day.lines.iter().filter(|l| matches(l, &search)).collect();
        let shown: Vec<_> = lines.iter().map(|l| l.appointment.id).collect();
        let along = desk::along(&app, &shown).await?;
        let link = |d: Date| {
            if search.is_empty() {
                format!("{HERE}?datum={d}")
            } else {
                format!("{HERE}?datum={d}&zoek={}", url(&search))
            }
        };
        let body = html! {
            nav class="day-nav" aria-label=(tx.t("Dag kiezen", "Choose a day")) {
                ul {
                    @if let Ok(before) = day.date.yesterday() {
                        li { a href=(link(before)) rel="prev" { (tx.t("Vorige dag", "Previous day")) } }
                    }
                    @if day.date != today {
                        li { a href=(link(today)) { (tx.t("Vandaag", "Today")) } }
                    }
                    @if let Ok(after) = day.date.tomorrow() {
                        li { a href=(link(after)) rel="next" { (tx.t("Volgende dag", "Next day")) } }
                    }
                }
            }
            form method="get" action=(HERE) class="worklist-search" role="search" {
                input type="hidden" name="datum" value=(day.date.to_string());
                label for="zoek" { (tx.t("Zoek op naam, boekingscode of onderwerp", "Search by name, booking code or service")) }
                input type="search" id="zoek" name="zoek" value=(search);
                button type="submit" class="button button--secondary" { (tx.t("Zoeken", "Search")) }
            }
            p class="lead" { (tx.t("Alle afspraken van", "All appointments of")) " " (day_words) "." }
            @if lines.is_empty() {
                p class="notice" {
                    @if search.is_empty() {
                        (tx.t("Er zijn op deze dag geen afspraken.", "There are no appointments on this day."))
                    } @else {
                        (tx.t("Geen afspraken gevonden die bij uw zoekopdracht passen.", "No appointments match your search."))
                    }
                }
            } @else {
                div class="table-scroll" role="region" aria-labelledby="vandaag-caption" tabindex="0" {
                    table class="queue-table worklist" id="vandaag" {
                        caption id="vandaag-caption" { (tx.t("Afspraken op", "Appointments on")) " " (day_words) }
                        thead {
                            tr {
                                th scope="col" { (tx.t("Tijd", "Time")) }
                                th scope="col" { (tx.t("Naam", "Name")) }
                                th scope="col" { (tx.t("Onderwerp", "Service")) }
                                th scope="col" { (tx.t("Soort", "Kind")) }
                                th scope="col" { (tx.t("Wacht sinds", "Waiting since")) }
                                th scope="col" { (tx.t("Taal of tolk", "Language or interpreter")) }
                                th scope="col" { (tx.t("Begeleider", "Companion")) }
                                th scope="col" { (tx.t("Medewerker", "Clerk")) }
                                th scope="col" { (tx.t("Status", "Status")) }
                                th scope="col" { (tx.t("Acties", "Actions")) }
                            }
                        }
                        tbody {
                            @for line in &lines {
                                @let waiting_since = line.entry.as_ref().filter(|e| e.status == EntryStatus::Waiting).map(|e| e.joined_at);
                                tr {
                                    td { (hhmm(line.appointment.start)) }
                                    th scope="row" { (line.appointment.resident.name) }
                                    td { (line.service.name) }
                                    td { (tx.t("Afspraak", "Appointment")) }
                                    td { @if let Some(at) = waiting_since { (hhmm(at)) } @else { "—" } }
                                    (super::queue::along_cells(&tx, along.get(&line.appointment.id)))
                                    td { (line.clerk.as_ref().map(|c| c.name.as_str()).unwrap_or("")) }
                                    td { (status_in_words(&tx, line.status)) }
                                    td class="row-actions" { (actions(&tx, line, claims.sub)) }
                                }
                            }
                        }
                    }
                }
            }
        };
        let title = tx.t("Vandaag", "Today").to_string();
        Ok(render(
            &ctx,
            Page {
                title,
                tenant: Some(tenant),
                body,
                has_errors: false,
                nav: nav(&tx, HERE, &claims),
            },
        )
        .into_response())
    }
    .await;
    respond(&ctx, outcome)
}
