//! The follow-up appointment from the call page (issue 16 item 9): when the clerk chooses
//! "Bewoner maakt een nieuwe afspraak" in the outcome form, a section beside it offers the free
//! times of the same service (or another the clerk handles) and books one for the same
//! resident through `usecases::for_caller::follow_up` (name and contact from the appointment,
//! the confirmation with the booking code through the outbox, "made by a clerk" in the
//! resident's access log). Plain forms: service, then day, then time.

use super::to_login;
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::html::url;
use crate::i18n::Tx;
use crate::pages::picker::{self, capitalise_first, TimesForm};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use booking::auth::{SessionClaims, Staff};
use booking::domain::appointment::Appointment;
use booking::domain::ids::ServiceId;
use booking::domain::queue::QueueEntryId;
use booking::domain::start_time::StartTime;
use booking::domain::tenant::Tenant;
use booking::usecases::{desk, for_caller};
use booking::{App, Error, Result};
use jiff::civil::Date;
use maud::{html, Markup};
use serde::Deserialize;

/// The section, when the clerk chose a new appointment as follow-up (in the kept draft) or is
/// choosing a time for it (`?vervolg=1`). `None` otherwise.
#[allow(clippy::too_many_arguments)]
pub async fn section(
    app: &App,
    ctx: &Ctx,
    tx: &Tx,
    claims: &SessionClaims,
    tenant: &Tenant,
    entry: QueueEntryId,
    appointment: &Appointment,
    chosen_in_form: bool,
) -> Result<Option<Markup>> {
    let booked_code = ctx.param("vervolg_code");
    if !chosen_in_form && ctx.param("vervolg").is_none() && booked_code.is_none() {
        return Ok(None);
    }
    let here = format!("/medewerker/gesprek/{entry}");
    let services = for_caller::services(app, claims).await?;
    let service = ctx
        .param("vervolg_dienst")
        .and_then(|s| s.parse::<ServiceId>().ok())
        .or(Some(appointment.service_id))
        .and_then(|id| services.iter().find(|s| s.id == id));
    let day = ctx
        .param("vervolg_dag")
        .and_then(|d| d.parse::<Date>().ok());
    let step = match (service, day) {
        (Some(service), Some(day)) => {
            let times = picker::free_times(app, tenant, service, 1, day).await?;
            let carried = [("dienst", service.id.to_string())];
            let back = format!("{here}?vervolg=1&vervolg_dienst={}#vervolg", service.id);
            picker::times_form(
                tx,
                tenant,
                TimesForm {
                    day,
                    times: &times,
                    method: "post",
                    action: format!("{here}/vervolg"),
                    submit: tx.t("Vervolgafspraak maken", "Book the follow-up"),
                    error: ctx.param("vervolg_fout").map(|_| {
                        tx.t(
                            "Die tijd is net bezet of niet meer vrij. Kies een andere tijd.",
                            "That time was just taken or is no longer free. Choose another time.",
                        )
                        .to_string()
                    }),
                    other_day_href: back,
                    carry: &carried,
                },
            )
        }
        (Some(service), None) => {
            let days = picker::free_days(app, tenant, service, 1).await?;
            picker::days_list(tx, &days, |day| {
                format!(
                    "{here}?vervolg=1&vervolg_dienst={}&vervolg_dag={day}#vervolg",
                    service.id
                )
            })
        }
        (None, _) => html! {},
    };
    Ok(Some(html! {
        section id="vervolg" class="follow-up" aria-labelledby="vervolg-kop" {
            h2 id="vervolg-kop" { (tx.t("Vervolgafspraak maken", "Book a follow-up appointment")) }
            @if let Some(code) = booked_code {
                (crate::form::notice(&format!(
                    "{} {code}",
                    tx.t(
                        "De vervolgafspraak is gemaakt en de bevestiging is verstuurd. Afspraakcode:",
                        "The follow-up appointment has been booked and the confirmation sent. Booking code:"
                    )
                )))
            }
            p {
                (tx.t("Voor dezelfde bewoner:", "For the same resident:")) " "
                strong { (appointment.resident.name) }
                ". "
                (tx.t(
                    "De bevestiging met de afspraakcode gaat naar hetzelfde e-mailadres of mobiele nummer.",
                    "The confirmation with the booking code goes to the same email address or mobile number."
                ))
            }
            form method="get" action={ (here) "#vervolg" } class="staff-form" novalidate {
                input type="hidden" name="vervolg" value="1";
                div class="field" {
                    label for="vervolg-dienst" { (tx.t("Onderwerp", "Service")) }
                    select id="vervolg-dienst" name="vervolg_dienst" {
                        @for s in &services {
                            option value=(s.id.to_string()) selected[service.is_some_and(|c| c.id == s.id)] { (s.name) }
                        }
                    }
                }
                p { button type="submit" class="button button--secondary" { (tx.t("Vrije dagen tonen", "Show free days")) } }
            }
            @if let (Some(service), Some(day)) = (service, day) {
                p class="lead" { (service.name) ", " (capitalise_first(&tx.day_in_words(day))) }
            }
            (step)
        }
    }))
}

/// The time form as sent.
#[derive(Debug, Default, Deserialize)]
pub struct Chosen {
    #[serde(default)]
    pub dienst: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub day: String,
}

/// `POST /medewerker/gesprek/{id}/vervolg`: books the follow-up, then back to the call page
/// with the booking code. A time just taken: the same day again with a message.
pub async fn book(
    State(app): State<App>,
    staff: std::result::Result<Staff, Error>,
    Path(id): Path<String>,
    ctx: Ctx,
    Form(chosen): Form<Chosen>,
) -> Response {
    let here = format!("/medewerker/gesprek/{}", url(&id));
    let Ok(Staff(claims)) = staff else {
        return to_login(&here);
    };
    let answer = async {
        let id: QueueEntryId = id.parse().map_err(|_| Error::NotFound("queue entry"))?;
        let entry = desk::queue_entry(&app, &claims, id).await?;
        let after = entry.appointment_id.ok_or(Error::NotFound("appointment"))?;
        let service: ServiceId = chosen
            .dienst
            .parse()
            .map_err(|_| Error::NotFound("service"))?;
        let again = format!(
            "{here}?vervolg=1&vervolg_dienst={service}&vervolg_dag={}&vervolg_fout=1#vervolg",
            url(&chosen.day)
        );
        let Ok(start) = StartTime::parse(&chosen.start) else {
            return Ok(see_other(&again));
        };
        match for_caller::follow_up(&app, &claims, after, service, start).await {
            Ok(booked) => Ok(see_other(&format!(
                "{here}?vervolg_code={}#vervolg",
                url(&booked.appointment.code.grouped())
            ))),
            Err(Error::SlotTaken) | Err(Error::Invalid { .. }) => Ok(see_other(&again)),
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, answer)
}
