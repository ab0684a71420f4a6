//! `/medewerker/wachtrij`: the live queue as a work list. The page is rendered with the queue
//! as it is when opened (that opening is what the access log records,
//! `booking::usecases::desk::queue`); `static/clerk-queue.js` then fetches the page again on
//! every Server-Sent Event and swaps in the new rows, so the markup is written once, here.
//! Every action is a form, so the list works without JavaScript too: "Volgende bewoner",
//! taking one resident with a reason, marking a no-show, handing a resident over with a note.

use super::{nav, to_login};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::notice;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use booking::auth::{SessionClaims, Staff};
use booking::domain::catalog::{Clerk, Service};
use booking::domain::clerk_status::ClerkStatus;
use booking::domain::queue::{EntryStatus, QueueEntry, QueueEntryId};
use booking::domain::tenant::Tenant;
use booking::error::Conflict;
use booking::usecases;
use booking::usecases::clerk_status::Member;
use booking::usecases::desk;
use booking::usecases::worklist::{self, Handover};
use booking::{App, Error};
use jiff::Timestamp;
use maud::{html, Markup};
use serde::Deserialize;

const HERE: &str = "/medewerker/wachtrij";

/// A clerk's status in words; never colour alone.
pub fn status_in_words(tx: &Tx, status: ClerkStatus) -> &'static str {
    match status {
        ClerkStatus::Available => tx.t("Beschikbaar", "Available"),
        ClerkStatus::Paused => tx.t("Pauze", "Paused"),
        ClerkStatus::InCall => tx.t("In gesprek", "In a call"),
        ClerkStatus::Finishing => tx.t("Afronden", "Finishing"),
    }
}

/// What the rows need besides the entries.
struct Context<'a> {
    tx: &'a Tx,
    tenant: &'a Tenant,
    services: &'a [Service],
    clerks: &'a [Clerk],
    handovers: &'a [Handover],
    along: &'a std::collections::HashMap<booking::domain::ids::AppointmentId, desk::Along>,
    me: &'a SessionClaims,
    now: Timestamp,
}

impl Context<'_> {
    fn hhmm(&self, at: Timestamp) -> String {
        at.to_zoned(self.tenant.time_zone.tz().clone())
            .strftime("%H:%M")
            .to_string()
    }

    fn clerk_name(&self, id: booking::domain::ids::ClerkId) -> &str {
        self.clerks
            .iter()
            .find(|c| c.id == id)
            .map_or("", |c| c.name.as_str())
    }
}

/// The "language or interpreter" and "companion" cells: the language or interpreter the
/// resident said they need, who was invited to the call, "—" when none. Shared with today's
/// list.
pub(super) fn along_cells(tx: &Tx, along: Option<&desk::Along>) -> Markup {
    let names = |list: &[String]| (!list.is_empty()).then(|| list.join(", "));
    let language = along.and_then(|a| a.language.as_deref());
    let interpreters = along.and_then(|a| names(&a.interpreters));
    let companions = along.and_then(|a| names(&a.companions));
    html! {
        td {
            @if let Some(language) = language {
                span class="language-need" { (language) }
            }
            @if let Some(names) = &interpreters {
                @if language.is_some() { br; }
                (tx.t("Tolk", "Interpreter")) ": " (names)
            }
            @if language.is_none() && interpreters.is_none() { "—" }
        }
        td { @if let Some(names) = companions { (names) } @else { "—" } }
    }
}

fn row(c: &Context, e: &QueueEntry) -> Markup {
    let tx = c.tx;
    let service = c
        .services
        .iter()
        .find(|s| s.id == e.service_id)
        .map_or("", |s| s.name.as_str());
    let kind = if e.is_walk_in() {
        tx.t("Binnenloper", "Walk-in")
    } else {
        tx.t("Afspraak", "Appointment")
    };
    let status = match (e.status, e.clerk_id) {
        (EntryStatus::Waiting, _) => tx.t("Wacht", "Waiting"),
        (_, Some(clerk)) if clerk == c.me.sub => tx.t("Bij u", "With you"),
        _ => tx.t("Bij een medewerker", "With a clerk"),
    };
    let minutes = c.now.duration_since(e.joined_at).as_secs().max(0) / 60;
    let handover = c.handovers.iter().find(|h| h.entry_id == e.id);
    let for_me = handover.is_some_and(|h| h.to_clerk == Some(c.me.sub));
    let mine = e.clerk_id == Some(c.me.sub) && e.status != EntryStatus::Waiting;
    let name = e.resident_name.as_str();
    html! {
        tr data-entry=(e.id) class=[for_me.then_some("handed-to-me")] {
            th scope="row" { (name) }
            td { (service) }
            td { (kind) }
            td { @if let Some(due) = e.due_at { (c.hhmm(due)) } @else { "—" } }
            td { (c.hhmm(e.joined_at)) " (" (minutes) " min.)" }
            (along_cells(tx, e.appointment_id.and_then(|a| c.along.get(&a))))
            td {
                (status)
                @if let Some(h) = handover {
                    p class="handover-note" {
                        @if for_me {
                            (tx.t("Aan u overgedragen door", "Handed to you by")) " " (c.clerk_name(h.from_clerk))
                        } @else {
                            (tx.t("Overgedragen door", "Handed over by")) " " (c.clerk_name(h.from_clerk))
                        }
                        @if !h.note.is_empty() { ": " (h.note) }
                    }
                }
            }
            td class="row-actions" {
                @if e.status == EntryStatus::Waiting {
                    form method="post" action={ (HERE) "/" (e.id) "/nemen" } class="take-form" {
                        label for={ "reden-" (e.id) } {
                            (tx.t("Reden", "Reason")) span class="visually-hidden" { " (" (name) ")" }
                        }
                        input type="text" id={ "reden-" (e.id) } name="reden" required maxlength="500" autocomplete="off";
                        button type="submit" class="button" {
                            (tx.t("Oproepen", "Call in")) span class="visually-hidden" { " (" (name) ")" }
                        }
                    }
                    form method="post" action={ (HERE) "/" (e.id) "/niet-gekomen" } {
                        button type="submit" class="button button--secondary" {
                            (tx.t("Niet gekomen", "No-show")) span class="visually-hidden" { " (" (name) ")" }
                        }
                    }
                }
                @if let Some(appointment) = e.appointment_id {
                    a class="button button--secondary" href={ "/medewerker/afspraken/" (appointment) "/verzetten" } {
                        (tx.t("Verzetten", "Move")) span class="visually-hidden" { " (" (name) ")" }
                    }
                }
                @if mine {
                    a class="button" href={ "/medewerker/gesprek/" (e.id) } {
                        (tx.t("Openen", "Open")) span class="visually-hidden" { " (" (name) ")" }
                    }
                    (hand_over_form(c, e))
                }
            }
        }
    }
}

fn hand_over_form(c: &Context, e: &QueueEntry) -> Markup {
    let tx = c.tx;
    let colleagues = c
        .clerks
        .iter()
        .filter(|k| k.id != c.me.sub && k.services.contains(&e.service_id));
    let services = c.services.iter().filter(|s| s.id != e.service_id);
    html! {
        form method="post" action={ (HERE) "/" (e.id) "/overdragen" } class="handover-form" {
            label for={ "naar-" (e.id) } {
                (tx.t("Overdragen aan", "Hand over to")) span class="visually-hidden" { " (" (e.resident_name) ")" }
            }
            select id={ "naar-" (e.id) } name="naar" required {
                optgroup label=(tx.t("Collega", "Colleague")) {
                    @for k in colleagues { option value={ "clerk:" (k.id) } { (k.name) } }
                }
                optgroup label=(tx.t("Wachtrij van onderwerp", "Queue of service")) {
                    @for s in services { option value={ "service:" (s.id) } { (s.name) } }
                }
            }
            label for={ "notitie-" (e.id) } { (tx.t("Notitie voor de ontvanger", "Note for the receiver")) }
            textarea id={ "notitie-" (e.id) } name="notitie" maxlength="500" rows="2" {}
            button type="submit" class="button button--secondary" { (tx.t("Overdragen", "Hand over")) }
        }
    }
}

fn team_table(tx: &Tx, tenant: &Tenant, team: &[Member]) -> Markup {
    html! {
        div class="table-scroll" role="region" aria-labelledby="team-kop" tabindex="0" {
            table class="queue-table" id="team" {
                caption id="team-kop" { (tx.t("Team", "Team")) }
                thead { tr {
                    th scope="col" { (tx.t("Medewerker", "Clerk")) }
                    th scope="col" { (tx.t("Status", "Status")) }
                    th scope="col" { (tx.t("Sinds", "Since")) }
                } }
                tbody {
                    @for m in team {
                        tr {
                            th scope="row" { (m.name) }
                            td {
                                (status_in_words(tx, m.now.status))
                                @if let Some(reason) = &m.now.reason { " (" (reason) ")" }
                            }
                            td { @if let Some(since) = m.now.since {
                                (since.to_zoned(tenant.time_zone.tz().clone()).strftime("%H:%M").to_string())
                            } @else { "—" } }
                        }
                    }
                }
            }
        }
    }
}

/// Why an action came back to the list, as a `melding` code.
fn message(tx: &Tx, code: &str) -> Option<&'static str> {
    Some(match code {
        "niemand" => tx.t(
            "Er wacht nu niemand voor uw onderwerpen.",
            "Nobody is waiting for your services now.",
        ),
        "bezet" => tx.t(
            "Een collega heeft deze inwoner net opgeroepen; kies een ander.",
            "A colleague took this resident a moment ago; choose another.",
        ),
        "pauze" => tx.t(
            "U staat op pauze. Zet uw status op beschikbaar om iemand op te roepen.",
            "You are paused. Set your status to available to call someone in.",
        ),
        "weg" => tx.t(
            "Deze inwoner wacht niet meer.",
            "This resident is no longer waiting.",
        ),
        "overgedragen" => tx.t(
            "De inwoner is overgedragen.",
            "The resident has been handed over.",
        ),
        "niet-gekomen" => tx.t(
            "De inwoner staat als niet gekomen genoteerd.",
            "The resident is marked as a no-show.",
        ),
        _ => return None,
    })
}

/// Back to the list with a message for a refusal a clerk can act on; other errors as usual.
fn back_or(ctx: &Ctx, outcome: Result<Response, Error>) -> Response {
    let code = match &outcome {
        Err(Error::Conflict(Conflict::TakenByColleague)) => Some("bezet"),
        Err(Error::Conflict(Conflict::ClerkPaused)) => Some("pauze"),
        Err(Error::Conflict(Conflict::NoLongerWaiting | Conflict::NotInCallWithYou)) => Some("weg"),
        _ => None,
    };
    match code {
        Some(code) => see_other(&format!("{HERE}?melding={code}")),
        None => respond(ctx, outcome),
    }
}

pub async fn show(State(app): State<App>, staff: Result<Staff, Error>, ctx: Ctx) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        let (tenant, entries) = desk::queue(&app, &claims).await?;
        let services = desk::services(&app, tenant.id).await?;
        let clerks = desk::clerks(&app, tenant.id).await?;
        let handovers = worklist::handovers(&app, tenant.id).await?;
        let team = usecases::clerk_status::team(&app, tenant.id).await?;
        let entries = worklist::handed_first(entries, &handovers, claims.sub);
        let appointments: Vec<_> = entries.iter().filter_map(|e| e.appointment_id).collect();
        let along = desk::along(&app, &appointments).await?;
        let tx = Tx::formal(ctx.lang);
        let c = Context {
            tx: &tx,
            tenant: &tenant,
            services: &services,
            clerks: &clerks,
            handovers: &handovers,
            along: &along,
            me: &claims,
            now: app.clock.now(),
        };
        let waiting = entries
            .iter()
            .filter(|e| e.status == EntryStatus::Waiting)
            .count();
        let count = if waiting == 0 {
            tx.t("Er wacht niemand.", "Nobody is waiting.").to_string()
        } else {
            format!("{}: {waiting}", tx.t("Wacht", "Waiting"))
        };
        let heading = tx.t("Wachtrij", "Queue");
        let body = html! {
            @if let Some(text) = ctx
                .param("melding")
                .or(ctx.param("niemand").map(|_| "niemand"))
                .and_then(|m| message(&tx, m))
            {
                (notice(text))
            }
            section id="wachtrij" aria-labelledby="wachtrij-kop" {
                form method="post" action="/medewerker/wachtrij/volgende" {
                    p { button type="submit" id="call-next" class="button" { (tx.t("Volgende bewoner", "Next resident")) } }
                }
                h2 id="wachtrij-kop" { (heading) }
                p id="queue-count" role="status" { (count) }
                div class="table-scroll" role="region" aria-label=(tx.t("Tabel met de wachtrij", "Table of the queue")) tabindex="0" {
                    table class="queue-table worklist" {
                        caption class="visually-hidden" { (heading) }
                        thead {
                            tr {
                                th scope="col" { (tx.t("Naam", "Name")) }
                                th scope="col" { (tx.t("Onderwerp", "Service")) }
                                th scope="col" { (tx.t("Soort", "Kind")) }
                                th scope="col" { (tx.t("Tijd", "Time")) }
                                th scope="col" { (tx.t("Wacht sinds", "Waiting since")) }
                                th scope="col" { (tx.t("Taal of tolk", "Language or interpreter")) }
                                th scope="col" { (tx.t("Begeleider", "Companion")) }
                                th scope="col" { (tx.t("Status", "Status")) }
                                th scope="col" { (tx.t("Acties", "Actions")) }
                            }
                        }
                        tbody id="queue-rows" { @for e in &entries { (row(&c, e)) } }
                    }
                }
                div id="team-status" { (team_table(&tx, &tenant, &team)) }
            }
            script type="module" src="/static/clerk-queue.js" {}
        };
        let title = tx.t("Wachtrij", "Queue").to_string();
        Ok(render(
            &ctx,
            Page {
                title,
                tenant: Some(&tenant),
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

/// "Volgende bewoner": the same use case as `POST /api/v1/staff/queue/call-next`, then the call.
pub async fn call_next(State(app): State<App>, staff: Result<Staff, Error>, ctx: Ctx) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        Ok(match usecases::queue::call_next(&app, &claims).await? {
            Some(entry) => see_other(&format!("/medewerker/gesprek/{}", entry.id)),
            None => see_other(&format!("{HERE}?niemand=1")),
        })
    }
    .await;
    back_or(&ctx, outcome)
}

fn entry_id(raw: &str) -> Result<QueueEntryId, Error> {
    raw.parse().map_err(|_| Error::NotFound("queue entry"))
}

#[derive(Deserialize)]
pub struct TakeFields {
    #[serde(default)]
    reden: String,
}

/// Takes one resident out of the default order, with the reason; then the call.
pub async fn take(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    Path(id): Path<String>,
    ctx: Ctx,
    axum::Form(fields): axum::Form<TakeFields>,
) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        let entry = worklist::take(&app, &claims, entry_id(&id)?, &fields.reden).await?;
        Ok(see_other(&format!("/medewerker/gesprek/{}", entry.id)))
    }
    .await;
    back_or(&ctx, outcome)
}

pub async fn no_show(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        worklist::mark_no_show(&app, &claims, entry_id(&id)?).await?;
        Ok(see_other(&format!("{HERE}?melding=niet-gekomen")))
    }
    .await;
    back_or(&ctx, outcome)
}

#[derive(Deserialize)]
pub struct HandOverFields {
    #[serde(default)]
    naar: String,
    #[serde(default)]
    notitie: String,
}

pub async fn hand_over(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    Path(id): Path<String>,
    ctx: Ctx,
    axum::Form(fields): axum::Form<HandOverFields>,
) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        let (clerk, service) = match fields.naar.split_once(':') {
            Some(("clerk", id)) => (Some(id), None),
            Some(("service", id)) => (None, Some(id)),
            _ => (None, None),
        };
        let to = worklist::HandTo::parse(clerk, service)?;
        worklist::hand_over(&app, &claims, entry_id(&id)?, to, &fields.notitie).await?;
        Ok(see_other(&format!("{HERE}?melding=overgedragen")))
    }
    .await;
    back_or(&ctx, outcome)
}
