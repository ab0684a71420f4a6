//! `/medewerker/vandaag`: the municipality's appointments of today (in its own time zone), with
//! the resident, the service, the clerk and where each stands, in words. Showing the list is
//! written to each resident's access log (`booking::usecases::desk::day_list`).

use super::{nav, to_login};
use crate::context::Ctx;
use crate::error::respond;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use booking::auth::Staff;
use booking::usecases::desk::{self, DayStatus};
use booking::{App, Error};
use maud::html;

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

pub async fn show(State(app): State<App>, staff: Result<Staff, Error>, ctx: Ctx) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        let day = desk::day_list(&app, &claims, None).await?;
        let tenant = &day.tenant;
        let tx = Tx::formal(ctx.lang);
        let tz = tenant.time_zone.tz().clone();
        let day_words = tx.day_in_words(day.date);
        let body = html! {
            p class="lead" { (tx.t("Alle afspraken van", "All appointments of")) " " (day_words) "." }
            @if day.lines.is_empty() {
                p class="notice" {
                    (tx.t(
                        "Er zijn vandaag geen afspraken.",
                        "There are no appointments today."
                    ))
                }
            } @else {
                div class="table-scroll" role="region" aria-labelledby="vandaag-caption" tabindex="0" {
                    table class="queue-table" id="vandaag" {
                        caption id="vandaag-caption" { (tx.t("Afspraken op", "Appointments on")) " " (day_words) }
                        thead {
                            tr {
                                th scope="col" { (tx.t("Tijd", "Time")) }
                                th scope="col" { (tx.t("Naam", "Name")) }
                                th scope="col" { (tx.t("Onderwerp", "Service")) }
                                th scope="col" { (tx.t("Medewerker", "Clerk")) }
                                th scope="col" { (tx.t("Status", "Status")) }
                            }
                        }
                        tbody {
                            @for line in &day.lines {
                                tr {
                                    th scope="row" { (line.appointment.start.to_zoned(tz.clone()).strftime("%H:%M").to_string()) }
                                    td { (line.appointment.resident.name) }
                                    td { (line.service.name) }
                                    td { (line.clerk.as_ref().map(|c| c.name.as_str()).unwrap_or("")) }
                                    td { (status_in_words(&tx, line.status)) }
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
                has_errors: false, nav: nav(&tx, HERE, &claims),
            },
        )
        .into_response())
    }
    .await;
    respond(&ctx, outcome)
}
