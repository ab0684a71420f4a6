//! The dashboard's table of time per clerk status per week (issue 21 item 3): hours
//! available, paused, in a call and finishing, per clerk and ISO week of the dashboard's
//! chosen period (the last 12 weeks by default).

use crate::i18n::Tx;
use booking::auth::SessionClaims;
use booking::domain::clerk_status::ClerkStatus;
use booking::domain::tenant::Tenant;
use booking::usecases::clerk_status;
use booking::{App, Error};
use maud::{html, Markup};

/// Seconds as hours and minutes, e.g. `2:05`.
fn hours(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

pub async fn table(
    app: &App,
    tx: &Tx,
    claims: &SessionClaims,
    tenant: &Tenant,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Result<Markup, Error> {
    // From the Monday of `from`'s week, as the API's `weeks` does.
    let (from, to) = (from.to_string(), to.to_string());
    let rows =
        clerk_status::weekly_period(app, claims, tenant, Some(from.as_str()), Some(to.as_str()))
            .await?;
    let of = |r: &clerk_status::WeekStatusRow, s: ClerkStatus| {
        hours(
            r.seconds
                .iter()
                .find(|(x, _)| *x == s)
                .map_or(0, |(_, n)| *n),
        )
    };
    Ok(html! {
        h2 id="status-kop" { (tx.t("Tijd per status per week", "Time per status per week")) }
        @if rows.is_empty() {
            p id="geen-statussen" { (tx.t("Nog geen statussen vastgelegd in deze periode.", "No statuses recorded in this period yet.")) }
        } @else {
            p { (tx.t("In uren en minuten. Afronden telt tot het ingestelde maximum; daarna telt de tijd als beschikbaar.",
                "In hours and minutes. Finishing counts up to the set maximum; after that the time counts as available.")) }
            div class="table-scroll" tabindex="0" role="region" aria-labelledby="status-kop" {
                table class="queue-table" id="status-per-week" aria-labelledby="status-kop" {
                    thead { tr {
                        th scope="col" { (tx.t("Week vanaf", "Week from")) }
                        th scope="col" { (tx.t("Medewerker", "Clerk")) }
                        th scope="col" { (tx.t("Beschikbaar", "Available")) }
                        th scope="col" { (tx.t("Pauze", "Paused")) }
                        th scope="col" { (tx.t("In gesprek", "In a call")) }
                        th scope="col" { (tx.t("Afronden", "Finishing")) }
                    } }
                    tbody {
                        @for r in &rows {
                            tr {
                                td { (r.monday.to_string()) }
                                th scope="row" { (r.clerk) }
                                td { (of(r, ClerkStatus::Available)) }
                                td { (of(r, ClerkStatus::Paused)) }
                                td { (of(r, ClerkStatus::InCall)) }
                                td { (of(r, ClerkStatus::Finishing)) }
                            }
                        }
                    }
                }
            }
        }
    })
}
