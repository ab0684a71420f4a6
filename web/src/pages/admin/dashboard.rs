//! `/beheer/dashboard`: per service and ISO week the calls, ratings, waiting times, no-shows,
//! missed calls, callbacks and open complaints; a table (the figures), charts (SVG from the
//! API, with the table as their text alternative) and the same figures as CSV.

use super::{admin_page, error_summary, say, AdminSession, Errors};
use crate::context::Ctx;
use crate::error::respond;
use crate::html::esc;
use crate::i18n::Tx;
use axum::extract::State;
use axum::response::Response;
use booking::domain::dashboard::WeekRow;
use booking::usecases;
use booking::{App, Error};

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
    AdminSession(claims): AdminSession,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let tenant = ::booking::usecases::desk::municipality(&app, &claims).await?;
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
                let id = if field == "from" { "van" } else { "tot" };
                errors.push((
                    id.into(),
                    say(
                        &tx,
                        "Vul de periode in als twee datums (van voor tot), hoogstens twee jaar.",
                        &message,
                    ),
                ));
                usecases::admin::dashboard::dashboard(&app, &tenant, None, None, chosen.map(|s| s.id)).await?
            }
            Err(other) => return Err(other),
        };
        let name_of = |r: &WeekRow| {
            services
                .iter()
                .find(|s| s.id == r.service_id)
                .map(|s| s.name.clone())
                .unwrap_or_default()
        };
        let rows: String = period
            .rows
            .iter()
            .map(|r| {
                format!(
                    "<tr><th scope=\"row\">{service}</th><td>{week}</td><td>{calls}</td><td>{avg}</td><td>{dist}</td><td>{p50}</td><td>{p90}</td><td>{no_show}</td><td>{missed}</td><td>{callbacks}</td><td>{complaints}</td></tr>",
                    service = esc(&name_of(r)),
                    week = esc(&r.week),
                    calls = r.calls,
                    avg = r
                        .average_rating
                        .map(|a| format!("{} ({} {})", decimal(&tx, a, 1), r.ratings, tx.t("cijfers", "ratings")))
                        .unwrap_or_else(|| "–".into()),
                    dist = distribution(r),
                    p50 = minutes(r.wait_p50_seconds),
                    p90 = minutes(r.wait_p90_seconds),
                    no_show = r
                        .no_show_rate
                        .map(|x| format!("{}% ({} {} {})", decimal(&tx, x * 100.0, 0), r.no_shows, tx.t("van", "of"), r.appointments_due))
                        .unwrap_or_else(|| "–".into()),
                    missed = r.missed_calls,
                    callbacks = if r.callbacks == 0 {
                        "–".to_string()
                    } else {
                        format!("{} {} {}", r.callbacks_on_time, tx.t("van", "of"), r.callbacks)
                    },
                    complaints = r.complaints_open,
                )
            })
            .collect();
        let table = if period.rows.is_empty() {
            format!(
                r#"<p id="geen-gegevens">{}</p>"#,
                tx.t(
                    "Er zijn in deze periode nog geen gesprekken, afspraken, cijfers of terugbelverzoeken.",
                    "There are no calls, appointments, ratings or callbacks in this period yet."
                )
            )
        } else {
            format!(
                r#"<div class="table-scroll" tabindex="0" role="region" aria-labelledby="cijfers-kop"><table class="queue-table dashboard-table">
<caption id="cijfers-kop">{caption}</caption>
<thead><tr><th scope="col">{service}</th><th scope="col">{week}</th><th scope="col">{calls}</th><th scope="col">{avg}</th><th scope="col">{dist}</th><th scope="col">{p50}</th><th scope="col">{p90}</th><th scope="col">{no_show}</th><th scope="col">{missed}</th><th scope="col">{callbacks}</th><th scope="col">{complaints}</th></tr></thead>
<tbody>{rows}</tbody></table></div>"#,
                caption = tx.t("Cijfers per onderwerp en week", "Figures per service and week"),
                service = tx.t("Onderwerp", "Service"),
                week = tx.t("Week", "Week"),
                calls = tx.t("Gesprekken", "Calls"),
                avg = tx.t("Gemiddeld cijfer", "Average rating"),
                dist = tx.t("Verdeling cijfers", "Rating distribution"),
                p50 = tx.t("Wachttijd mediaan (min:sec)", "Waiting time median (min:sec)"),
                p90 = tx.t("Wachttijd 90% (min:sec)", "Waiting time 90% (min:sec)"),
                no_show = tx.t("Niet verschenen", "No-shows"),
                missed = tx.t("Gemiste oproepen", "Missed calls"),
                callbacks = tx.t("Teruggebeld binnen een dag", "Called back within a day"),
                complaints = tx.t("Open klachten", "Open complaints"),
            )
        };
        // The same period and filter for the charts and the CSV.
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("from", &period.from.to_string());
        query.append_pair("to", &period.to.to_string());
        if let Some(s) = chosen {
            query.append_pair("service", &s.id.to_string());
        }
        let query = query.finish();
        let charts: String = [
            ("calls", tx.t("Grafiek van het aantal gesprekken per week, per onderwerp.", "Chart of the number of calls per week, per service.")),
            ("average_rating", tx.t("Grafiek van het gemiddelde cijfer per week, per onderwerp.", "Chart of the average rating per week, per service.")),
            ("wait_p50", tx.t("Grafiek van de wachttijd (mediaan, in minuten) per week, per onderwerp.", "Chart of the waiting time (median, in minutes) per week, per service.")),
            ("no_show_rate", tx.t("Grafiek van het percentage niet verschenen per week, per onderwerp.", "Chart of the no-show percentage per week, per service.")),
        ]
        .iter()
        .map(|(metric, alt)| {
            format!(
                r#"<figure class="chart"><img src="/api/v1/admin/dashboard/charts/{metric}?{q}" width="720" height="360" alt="{alt} {more}"></figure>"#,
                q = esc(&query),
                alt = esc(alt),
                more = tx.t("De cijfers staan in de tabel.", "The figures are in the table."),
            )
        })
        .collect();
        let options: String = std::iter::once(format!(
            r#"<option value="">{}</option>"#,
            tx.t("Alle onderwerpen", "All services")
        ))
        .chain(services.iter().map(|s| {
            let selected = if chosen.is_some_and(|c| c.id == s.id) {
                " selected"
            } else {
                ""
            };
            format!(r#"<option value="{}"{selected}>{}</option>"#, s.id, esc(&s.name))
        }))
        .collect();
        let date_field = |id: &str, label: &str, value: String| {
            let error = super::error_for(&errors, id);
            format!(
                r#"<div class="field{cls}"><label for="{id}">{label}</label>{err}<input type="date" id="{id}" name="{id}" value="{v}"{aria}></div>"#,
                cls = if error.is_some() { " field--error" } else { "" },
                err = error
                    .map(|e| format!(r#"<p class="field-error" id="{id}-error">{}</p>"#, esc(e)))
                    .unwrap_or_default(),
                aria = if error.is_some() {
                    format!(r#" aria-invalid="true" aria-describedby="{id}-error""#)
                } else {
                    String::new()
                },
                v = esc(&value),
                label = esc(label),
            )
        };
        let body = format!(
            r#"{summary}<form method="get" action="{HERE}" class="staff-form dashboard-filter">
<div class="field"><label for="onderwerp">{service_label}</label><select id="onderwerp" name="onderwerp">{options}</select></div>
{from}{to}
<p><button type="submit" class="button">{show}</button></p>
</form>
<p>{period_text}</p>
{table}
<p><a class="button button--secondary" href="/api/v1/admin/dashboard.csv?{q}" download>{csv}</a></p>
<h2>{charts_h}</h2>
{charts}"#,
            summary = error_summary(&tx, &errors),
            service_label = tx.t("Onderwerp", "Service"),
            from = date_field("van", tx.t("Van", "From"), from_typed.map(str::to_string).unwrap_or_else(|| period.from.to_string())),
            to = date_field("tot", tx.t("Tot en met", "Up to and including"), to_typed.map(str::to_string).unwrap_or_else(|| period.to.to_string())),
            show = tx.t("Toon", "Show"),
            period_text = esc(&format!(
                "{} {} {} {}.",
                tx.t("Periode: van maandag", "Period: from Monday"),
                period.from,
                tx.t("tot en met", "up to and including"),
                period.to
            )),
            q = esc(&query),
            csv = tx.t("Download CSV", "Download CSV"),
            charts_h = tx.t("Grafieken", "Charts"),
        );
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
