//! `/beheer/dashboard`: per service and ISO week the calls, ratings, waiting times, no-shows,
//! missed calls, callbacks and open complaints; a table (the figures), charts (SVG from the
//! API, with the table as their text alternative) and the same figures as CSV.

use super::{admin_page, say, AdminSession, Errors};
use crate::context::Ctx;
use crate::error::respond;
use crate::form::{error_summary_unsaved, Field};
use crate::i18n::Tx;
use axum::extract::State;
use axum::response::Response;
use booking::domain::dashboard::WeekRow;
use booking::usecases;
use booking::{App, Error};
use maud::html;

const HERE: &str = "/beheer/dashboard";

fn minutes(seconds: Option<i64>) -> String {
    seconds
        .map(|s| format!("{}:{:02}", s / 60, s % 60))
        .unwrap_or_else(|| "–".into())
}

fn decimal(tx: &Tx, value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    if tx.lang == crate::i18n::Lang::Nl {
        text.replace('.', ",")
    } else {
        text
    }
}

fn distribution(r: &WeekRow) -> String {
    let parts: Vec<String> = r
        .rating_distribution
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(i, n)| format!("{}: {n}×", i + 1))
        .collect();
    if parts.is_empty() {
        "–".into()
    } else {
        parts.join(", ")
    }
}

pub async fn show(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let services = ::booking::usecases::desk::services(&app, tenant.id).await?;
        let chosen = ctx
            .param("onderwerp")
            .and_then(|raw| services.iter().find(|s| s.id.to_string() == raw));
        let (from_typed, to_typed) = (ctx.param("van"), ctx.param("tot"));
        let mut errors: Errors = Vec::new();
        let period = match usecases::admin::dashboard::dashboard(
            &app,
            &tenant,
            from_typed,
            to_typed,
            chosen.map(|s| s.id),
        )
        .await
        {
            Ok(p) => p,
            Err(Error::Invalid { field, message }) => {
                let id = if field == "/from" { "van" } else { "tot" };
                errors.push((
                    id.into(),
                    say(
                        &tx,
                        "Vul de periode in als twee datums (van voor tot), hoogstens twee jaar.",
                        &message.english,
                    ),
                ));
                usecases::admin::dashboard::dashboard(&app, &tenant, None, None, chosen.map(|s| s.id)).await?
            }
            Err(other) => return Err(other),
        };
        // The status table covers the same period as the figures.
        let statuses =
            super::clerk_status_weeks::table(&app, &tx, &claims, &tenant, period.from, period.to)
                .await?;
        let name_of = |r: &WeekRow| {
            services
                .iter()
                .find(|s| s.id == r.service_id)
                .map(|s| s.name.clone())
                .unwrap_or_default()
        };
        let average = |r: &WeekRow| {
            r.average_rating
                .map(|a| format!("{} ({} {})", decimal(&tx, a, 1), r.ratings, tx.t("cijfers", "ratings")))
                .unwrap_or_else(|| "–".into())
        };
        let no_shows = |r: &WeekRow| {
            r.no_show_rate
                .map(|x| format!("{}% ({} {} {})", decimal(&tx, x * 100.0, 0), r.no_shows, tx.t("van", "of"), r.appointments_due))
                .unwrap_or_else(|| "–".into())
        };
        let callbacks = |r: &WeekRow| {
            if r.callbacks == 0 {
                "–".to_string()
            } else {
                format!("{} {} {}", r.callbacks_on_time, tx.t("van", "of"), r.callbacks)
            }
        };
        let table = html! {
            @if period.rows.is_empty() {
                p id="geen-gegevens" {
                    (tx.t(
                        "Er zijn in deze periode nog geen gesprekken, afspraken, cijfers of terugbelverzoeken.",
                        "There are no calls, appointments, ratings or callbacks in this period yet."
                    ))
                }
            } @else {
                div class="table-scroll" tabindex="0" role="region" aria-labelledby="cijfers-kop" {
                    table class="queue-table dashboard-table" {
                        caption id="cijfers-kop" { (tx.t("Cijfers per onderwerp en week", "Figures per service and week")) }
                        thead {
                            tr {
                                th scope="col" { (tx.t("Onderwerp", "Service")) }
                                th scope="col" { (tx.t("Week", "Week")) }
                                th scope="col" { (tx.t("Gesprekken", "Calls")) }
                                th scope="col" { (tx.t("Gemiddeld cijfer", "Average rating")) }
                                th scope="col" { (tx.t("Verdeling cijfers", "Rating distribution")) }
                                th scope="col" { (tx.t("Wachttijd mediaan (min:sec)", "Waiting time median (min:sec)")) }
                                th scope="col" { (tx.t("Wachttijd 90% (min:sec)", "Waiting time 90% (min:sec)")) }
                                th scope="col" { (tx.t("Niet verschenen", "No-shows")) }
                                th scope="col" { (tx.t("Gemiste oproepen", "Missed calls")) }
                                th scope="col" { (tx.t("Teruggebeld binnen een dag", "Called back within a day")) }
                                th scope="col" { (tx.t("Open klachten", "Open complaints")) }
                            }
                        }
                        tbody {
                            @for r in &period.rows {
                                tr {
                                    th scope="row" { (name_of(r)) }
                                    td { (r.week) }
                                    td { (r.calls) }
                                    td { (average(r)) }
                                    td { (distribution(r)) }
                                    td { (minutes(r.wait_p50_seconds)) }
                                    td { (minutes(r.wait_p90_seconds)) }
                                    td { (no_shows(r)) }
                                    td { (r.missed_calls) }
                                    td { (callbacks(r)) }
                                    td { (r.complaints_open) }
                                }
                            }
                        }
                    }
                }
            }
        };
        // The same period and filter for the charts and the CSV.
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("from", &period.from.to_string());
        query.append_pair("to", &period.to.to_string());
        if let Some(s) = chosen {
            query.append_pair("service", &s.id.to_string());
        }
        let query = query.finish();
        let charts = [
            ("calls", tx.t("Grafiek van het aantal gesprekken per week, per onderwerp.", "Chart of the number of calls per week, per service.")),
            ("average_rating", tx.t("Grafiek van het gemiddelde cijfer per week, per onderwerp.", "Chart of the average rating per week, per service.")),
            ("wait_p50", tx.t("Grafiek van de wachttijd (mediaan, in minuten) per week, per onderwerp.", "Chart of the waiting time (median, in minutes) per week, per service.")),
            ("no_show_rate", tx.t("Grafiek van het percentage niet verschenen per week, per onderwerp.", "Chart of the no-show percentage per week, per service.")),
        ];
        let more = tx.t("De cijfers staan in de tabel.", "The figures are in the table.");
        let from = from_typed.map(str::to_string).unwrap_or_else(|| period.from.to_string());
        let to = to_typed.map(str::to_string).unwrap_or_else(|| period.to.to_string());
        let body = html! {
            (error_summary_unsaved(&tx, &errors))
            form method="get" action=(HERE) class="staff-form dashboard-filter" {
                div class="field" {
                    label for="onderwerp" { (tx.t("Onderwerp", "Service")) }
                    select id="onderwerp" name="onderwerp" {
                        option value="" { (tx.t("Alle onderwerpen", "All services")) }
                        @for s in &services {
                            option value=(s.id.to_string()) selected[chosen.is_some_and(|c| c.id == s.id)] { (s.name) }
                        }
                    }
                }
                (Field::input("van", "date", tx.t("Van", "From"), &from).render(&tx, &errors))
                (Field::input("tot", "date", tx.t("Tot en met", "Up to and including"), &to).render(&tx, &errors))
                p { button type="submit" class="button" { (tx.t("Toon", "Show")) } }
            }
            p {
                (tx.t("Periode: van maandag", "Period: from Monday")) " " (period.from.to_string()) " "
                (tx.t("tot en met", "up to and including")) " " (period.to.to_string()) "."
            }
            (table)
            p {
                a class="button button--secondary" href={ "/api/v1/admin/dashboard.csv?" (query) } download {
                    (tx.t("Download CSV", "Download CSV"))
                }
            }
            (statuses)
            h2 { (tx.t("Grafieken", "Charts")) }
            @for (metric, alt) in charts {
                figure class="chart" {
                    img src={ "/api/v1/admin/dashboard/charts/" (metric) "?" (query) } width="720" height="360"
                        alt={ (alt) " " (more) };
                }
            }
        };
        let mut page = admin_page(
            &ctx,
            &tenant,
            HERE,
            tx.t("Dashboard", "Dashboard").to_string(),
            body,
            !errors.is_empty(),
        );
        if errors.is_empty() {
            *page.status_mut() = axum::http::StatusCode::OK;
        }
        Ok(page)
    }
    .await;
    respond(&ctx, outcome)
}
