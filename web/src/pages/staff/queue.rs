//! `/medewerker/wachtrij`: the live queue. The page is rendered with the queue as it is when
//! opened (that opening is what the access log records, `booking::usecases::desk::queue`);
//! `static/clerk-queue.js` then redraws the table from the Server-Sent Events. "Volgende
//! bewoner" is a form, so calling the next resident works without JavaScript too.

use super::{nav, to_login};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::notice;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use booking::auth::Staff;
use booking::domain::queue::{EntryStatus, QueueEntry};
use booking::usecases;
use booking::usecases::desk;
use booking::{App, Error};
use maud::{html, Markup};

const HERE: &str = "/medewerker/wachtrij";

fn rows(
    tx: &Tx,
    entries: &[QueueEntry],
    services: &[booking::domain::catalog::Service],
    now: jiff::Timestamp,
) -> Markup {
    html! {
        @for e in entries {
            @let service = services
                .iter()
                .find(|s| s.id == e.service_id)
                .map(|s| s.name.as_str())
                .unwrap_or("");
            @let status = if e.status == EntryStatus::Waiting {
                tx.t("Wacht", "Waiting")
            } else {
                tx.t("Bij een medewerker", "With a clerk")
            };
            @let minutes = now.duration_since(e.joined_at).as_secs().max(0) / 60;
            tr {
                td { (e.resident_name) }
                td { (service) }
                td { (status) }
                td { (minutes) " min." }
            }
        }
    }
}

pub async fn show(State(app): State<App>, staff: Result<Staff, Error>, ctx: Ctx) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        let (tenant, entries) = desk::queue(&app, &claims).await?;
        let services = ::booking::usecases::desk::services(&app, tenant.id).await?;
        let tx = Tx::formal(ctx.lang);
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
            @if ctx.param("niemand").is_some() {
                (notice(tx.t(
                    "Er wacht nu niemand voor uw onderwerpen.",
                    "Nobody is waiting for your services now.",
                )))
            }
            section id="wachtrij" aria-labelledby="wachtrij-kop"
                data-nobody=(tx.t(
                    "Er wacht nu niemand voor uw onderwerpen.",
                    "Nobody is waiting for your services now."
                ))
                data-empty=(tx.t("Er wacht niemand.", "Nobody is waiting."))
                data-waiting=(tx.t("Wacht", "Waiting"))
                data-with-clerk=(tx.t("Bij een medewerker", "With a clerk"))
                data-minutes=(tx.t("{minutes} min.", "{minutes} min.")) {
                form method="post" action="/medewerker/wachtrij/volgende" {
                    p { button type="submit" id="call-next" class="button" { (tx.t("Volgende bewoner", "Next resident")) } }
                }
                p id="call-next-status" role="status" {}
                h2 id="wachtrij-kop" { (heading) }
                p id="queue-count" role="status" { (count) }
                div class="table-scroll" role="region" aria-label=(tx.t("Tabel met de wachtrij", "Table of the queue")) tabindex="0" {
                    table class="queue-table" {
                        caption class="visually-hidden" { (heading) }
                        thead {
                            tr {
                                th scope="col" { (tx.t("Naam", "Name")) }
                                th scope="col" { (tx.t("Onderwerp", "Service")) }
                                th scope="col" { (tx.t("Status", "Status")) }
                                th scope="col" { (tx.t("Wacht al", "Waiting for")) }
                            }
                        }
                        tbody id="queue-rows" { (rows(&tx, &entries, &services, app.clock.now())) }
                    }
                }
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
                has_errors: false, nav: nav(&tx, HERE, &claims),
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
    respond(&ctx, outcome)
}
