//! `/medewerker/vandaag`: the municipality's appointments of today (in its own time zone), with
//! the resident, the service, the clerk and where each stands, in words. Showing the list is
//! written to each resident's access log (`booking::usecases::desk::day_list`).

use super::{nav, to_login};
use crate::context::Ctx;
use crate::error::respond;
use crate::html::esc;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use booking::auth::Staff;
use booking::usecases::desk::{self, DayStatus};
use booking::{App, Error};

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
        let list = if day.lines.is_empty() {
            format!(
                r#"<p class="notice">{}</p>"#,
                tx.t(
                    "Er zijn vandaag geen afspraken.",
                    "There are no appointments today."
                )
            )
        } else {
            let rows: String = day
                .lines
                .iter()
                .map(|line| {
                    let a = &line.appointment;
                    format!(
                        r#"<tr><th scope="row">{time}</th><td>{name}</td><td>{service}</td><td>{clerk}</td><td>{status}</td></tr>"#,
                        time = a.start.to_zoned(tz.clone()).strftime("%H:%M"),
                        name = esc(&a.resident.name),
                        service = esc(&line.service.name),
                        clerk = esc(line.clerk.as_ref().map(|c| c.name.as_str()).unwrap_or("")),
                        status = status_in_words(&tx, line.status),
                    )
                })
                .collect();
            format!(
                r#"<div class="table-scroll" role="region" aria-labelledby="vandaag-caption" tabindex="0">
<table class="queue-table" id="vandaag">
<caption id="vandaag-caption">{caption} {day_words}</caption>
<thead><tr><th scope="col">{time}</th><th scope="col">{name}</th><th scope="col">{service}</th><th scope="col">{clerk}</th><th scope="col">{status}</th></tr></thead>
<tbody>{rows}</tbody>
</table></div>"#,
                caption = tx.t("Afspraken op", "Appointments on"),
                day_words = esc(&day_words),
                time = tx.t("Tijd", "Time"),
                name = tx.t("Naam", "Name"),
                service = tx.t("Onderwerp", "Service"),
                clerk = tx.t("Medewerker", "Clerk"),
                status = tx.t("Status", "Status"),
            )
        };
        let body = format!(
            r#"<p class="lead">{intro}</p>{list}"#,
            intro = esc(&format!(
                "{} {day_words}.",
                tx.t("Alle afspraken van", "All appointments of")
            )),
        );
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
