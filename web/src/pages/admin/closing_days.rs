//! `/beheer/sluitingsdagen`: the days (or parts of days) the municipality takes no
//! appointments. The Dutch public holidays are already on the list and can be removed; own
//! days and part days are added with the form. Appointments already booked on a closing day
//! are listed with the resident's contact details, so the admin can move or cancel them.
//! The rules live in `booking::usecases::admin::closing_days`, which the JSON API
//! (`/api/v1/admin/closing-days`) calls too.

use super::{admin_page, saved_notice, say, AdminSession, Errors, FormData};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{self, Field};
use crate::i18n::Tx;
use crate::pages::picker::capitalise_first;
use axum::extract::{Path, State};
use axum::response::Response;
use booking::domain::closing_days::ClosingDay;
use booking::domain::tenant::Tenant;
use booking::usecases::admin::closing_days::{self as closing, ClosingDayInput};
use booking::{App, Result};
use maud::html;

const HERE: &str = "/beheer/sluitingsdagen";

pub async fn show(
    State(app): State<App>,
    AdminSession { tenant, .. }: AdminSession,
    ctx: Ctx,
) -> Response {
    let outcome =
        async { page(&app, &ctx, &tenant, &FormData(Vec::new()), &Vec::new()).await }.await;
    respond(&ctx, outcome)
}

pub async fn add(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let f = FormData::parse(&body);
        let input = ClosingDayInput {
            date: f.get("closing-date").into(),
            from: f.get("closing-from").into(),
            to: f.get("closing-to").into(),
            name: f.get("closing-name").into(),
        };
        let today = app
            .clock
            .now()
            .to_zoned(tenant.time_zone.tz().clone())
            .date();
        // Every mistake at once, from the same check the use case applies.
        if let Err(problems) = closing::check_closing_day(&input, today) {
            let errors: Errors = problems
                .into_iter()
                .map(|(field, message)| {
                    let (id, nl) = match field {
                        "date" if message.english.contains("today") => (
                            "closing-date",
                            "Kies een datum vanaf vandaag.",
                        ),
                        "date" => ("closing-date", "Vul een datum in, bijvoorbeeld 24-12-2026."),
                        "from" => (
                            "closing-from",
                            "Vul de begintijd in als uu:mm, of laat beide tijden leeg voor de hele dag.",
                        ),
                        "to" if message.english.contains("after") => (
                            "closing-to",
                            "De eindtijd moet na de begintijd liggen.",
                        ),
                        "to" => (
                            "closing-to",
                            "Vul de eindtijd in als uu:mm, of laat beide tijden leeg voor de hele dag.",
                        ),
                        _ => ("closing-name", "Vul een naam in van hoogstens 100 tekens."),
                    };
                    (id.to_string(), say(&tx, nl, &message.english))
                })
                .collect();
            return page(&app, &ctx, &tenant, &f, &errors).await;
        }
        let added = closing::add_closing_day(&app, &tenant, &input, &claims).await?;
        Ok(see_other(&format!(
            "{HERE}?toegevoegd={}#dag-{}",
            added.appointments.len(),
            added.day.id
        )))
    }
    .await;
    respond(&ctx, outcome)
}

/// Messages the residents booked on a closing day (each once) and says how many were reached.
pub async fn message(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let done = closing::message_residents(&app, &tenant, &id, &claims).await?;
        Ok(see_other(&format!(
            "{HERE}?bericht={}&mislukt={}#afspraken-kop",
            done.sent, done.failed
        )))
    }
    .await;
    respond(&ctx, outcome)
}

/// Removes a closing day (a public holiday too); one already gone is "not found".
pub async fn remove(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        closing::remove_closing_day(&app, &tenant, &id, &claims).await?;
        Ok(see_other(&format!("{HERE}?verwijderd=1")))
    }
    .await;
    respond(&ctx, outcome)
}

/// "Hele dag" or "12:00 - 24:00".
fn hours_in_words(tx: &Tx, day: &ClosingDay) -> String {
    match day.part {
        None => tx.t("Hele dag", "All day").to_string(),
        Some(part) => {
            let hh_mm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
            format!(
                "{} {} {}",
                hh_mm(part.start_minute()),
                tx.t("tot", "until"),
                hh_mm(part.end_minute())
            )
        }
    }
}

async fn page(
    app: &App,
    ctx: &Ctx,
    tenant: &Tenant,
    typed: &FormData,
    errors: &Errors,
) -> Result<Response> {
    let tx = Tx::formal(ctx.lang);
    let list = closing::closing_days(app, tenant).await?;
    let added = ctx.param("toegevoegd").map(|n| {
        let text = match n {
            "0" => tx.t(
                "De sluitingsdag is toegevoegd. Er stonden geen afspraken op.",
                "The closing day has been added. No appointments were booked on it.",
            ),
            "1" => tx.t(
                "De sluitingsdag is toegevoegd. Er staat al 1 afspraak op: die ziet u hieronder bij de dag. Verzet of annuleer die met de bewoner.",
                "The closing day has been added. 1 appointment was already booked on it: see it below with the day. Move or cancel it with the resident.",
            ),
            _ => tx.t(
                "De sluitingsdag is toegevoegd. Er staan al {n} afspraken op: die ziet u hieronder bij de dag. Verzet of annuleer die met de bewoners.",
                "The closing day has been added. {n} appointments were already booked on it: see them below with the day. Move or cancel them with the residents.",
            ),
        };
        form::notice(&text.replace("{n}", n))
    });
    let messaged = ctx.param("bericht").map(|sent| {
        let failed = ctx.param("mislukt").unwrap_or("0");
        let text = if failed == "0" {
            tx.t(
                "Bericht verstuurd aan {n} bewoners. Zij kiezen zelf een nieuwe tijd of bellen de gemeente.",
                "Message sent to {n} residents. They choose another time themselves or call the municipality.",
            )
        } else {
            tx.t(
                "Bericht verstuurd aan {n} bewoners. Bij {f} bewoners lukte het nu niet: probeer het later opnieuw of bel hen.",
                "Message sent to {n} residents. For {f} residents it failed for now: try again later or call them.",
            )
        };
        form::notice(&text.replace("{n}", sent).replace("{f}", failed))
    });
    let removed = saved_notice(
        ctx,
        "verwijderd",
        tx.t(
            "De sluitingsdag is verwijderd. Bewoners kunnen op die dag weer een afspraak maken.",
            "The closing day has been removed. Residents can book on that day again.",
        ),
    );
    let field =
        |id: &'static str, kind: &'static str, label: &'static str, hint: Option<&'static str>| {
            Field::input(id, kind, label, typed.get(id))
                .hint(hint)
                .render(&tx, errors)
        };
    let booked: Vec<_> = list.iter().filter(|d| !d.appointments.is_empty()).collect();
    let body = html! {
        @if let Some(notice) = added { (notice) }
        @if let Some(notice) = removed { (notice) }
        @if let Some(notice) = messaged { (notice) }
        (form::error_summary_unsaved(&tx, errors))
        p {
            (tx.t(
                "Op een sluitingsdag kunnen bewoners geen afspraak maken, bij geen enkele medewerker. De landelijke feestdagen staan er al op; verwijder een dag als de gemeente dan toch open is.",
                "On a closing day residents cannot book, with any clerk. The national public holidays are already listed; remove a day if the municipality is open after all."
            ))
        }
        @if !booked.is_empty() {
            h2 id="afspraken-kop" { (tx.t("Afspraken op een sluitingsdag", "Appointments on a closing day")) }
            p {
                (tx.t(
                    "Deze afspraken waren al gemaakt. Stuur de bewoners een bericht: dat de afspraak niet doorgaat en hoe zij een nieuwe tijd kiezen. Bewoners zonder e-mail belt u.",
                    "These appointments were booked before. Send the residents a message: that the appointment cannot go ahead and how to choose another time. Call residents without e-mail."
                ))
            }
            @for item in &booked {
                @let waiting = item.appointments.iter().filter(|a| !item.messaged.contains(&a.id)).count();
                @if waiting > 0 {
                    form method="post" action={ (HERE) "/" (item.day.id.to_string()) "/bericht" } {
                        button type="submit" class="button" {
                            (tx.t("Stuur bericht aan {n} bewoners", "Send a message to {n} residents").replace("{n}", &waiting.to_string()))
                            span class="visually-hidden" { " (" (item.day.name) ", " (item.day.date.to_string()) ")" }
                        }
                    }
                }
            }
            div class="table-scroll" role="region" tabindex="0" aria-label=(tx.t("Afspraken op een sluitingsdag", "Appointments on a closing day")) {
                table class="queue-table" {
                    caption { (tx.t("Afspraken op een sluitingsdag", "Appointments on a closing day")) }
                    thead {
                        tr {
                            th scope="col" { (tx.t("Sluitingsdag", "Closing day")) }
                            th scope="col" { (tx.t("Tijd", "Time")) }
                            th scope="col" { (tx.t("Bewoner", "Resident")) }
                            th scope="col" { (tx.t("E-mail", "E-mail")) }
                            th scope="col" { (tx.t("Telefoon", "Phone")) }
                            th scope="col" { (tx.t("Bericht", "Message")) }
                        }
                    }
                    tbody {
                        @for item in &booked {
                            @for a in &item.appointments {
                                tr {
                                    td { (item.day.name) }
                                    td { (tx.moment_in_words(tenant, a.start)) }
                                    td { (a.resident.name) }
                                    td {
                                        @if let Some(email) = a.resident.email() {
                                            a href={ "mailto:" (email.to_string()) } { (email.to_string()) }
                                        }
                                    }
                                    td { (a.resident.phone().map(ToString::to_string).unwrap_or_default()) }
                                    td {
                                        @if item.messaged.contains(&a.id) {
                                            (tx.t("Verstuurd", "Sent"))
                                        } @else {
                                            (tx.t("Nog niet", "Not yet"))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 id="lijst-kop" { (tx.t("Sluitingsdagen", "Closing days")) }
        @if list.is_empty() {
            p { (tx.t("Er zijn geen sluitingsdagen gepland.", "No closing days are planned.")) }
        } @else {
            div class="table-scroll" role="region" tabindex="0" aria-label=(tx.t("Geplande sluitingsdagen", "Planned closing days")) {
                table class="queue-table" {
                    caption { (tx.t("Geplande sluitingsdagen", "Planned closing days")) }
                    thead {
                        tr {
                            th scope="col" { (tx.t("Datum", "Date")) }
                            th scope="col" { (tx.t("Tijd", "Time")) }
                            th scope="col" { (tx.t("Naam", "Name")) }
                            th scope="col" { (tx.t("Afspraken", "Appointments")) }
                            th scope="col" { span class="visually-hidden" { (tx.t("Actie", "Action")) } }
                        }
                    }
                    tbody {
                        @for item in &list {
                            @let day = &item.day;
                            @let when = capitalise_first(&tx.day_in_words(day.date));
                            tr id={ "dag-" (day.id.to_string()) } {
                                td { (when) " " (day.date.year()) }
                                td { (hours_in_words(&tx, day)) }
                                td { (day.name) }
                                td { (item.appointments.len()) }
                                td {
                                    form method="post" action={ (HERE) "/" (day.id.to_string()) "/verwijderen" } {
                                        button type="submit" class="button button--secondary" {
                                            (tx.t("Verwijderen", "Remove"))
                                            span class="visually-hidden" { " (" (day.name) ", " (when) " " (day.date.year()) ")" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 id="toevoegen-kop" { (tx.t("Sluitingsdag toevoegen", "Add a closing day")) }
        form method="post" action=(HERE) class="staff-form" novalidate aria-labelledby="toevoegen-kop" {
            (field("closing-date", "date", tx.t("Datum", "Date"), None))
            (field("closing-from", "text", tx.t("Gesloten vanaf (niet verplicht)", "Closed from (optional)"),
                Some(tx.t("Als uu:mm, bijvoorbeeld 12:00. Laat beide tijden leeg als de gemeente de hele dag dicht is.", "As hh:mm, for example 12:00. Leave both times empty when the municipality is closed all day."))))
            (field("closing-to", "text", tx.t("Gesloten tot (niet verplicht)", "Closed until (optional)"),
                Some(tx.t("Als uu:mm, bijvoorbeeld 24:00 voor het einde van de dag.", "As hh:mm, for example 24:00 for the end of the day."))))
            (field("closing-name", "text", tx.t("Naam", "Name"),
                Some(tx.t("Bijvoorbeeld: Kerstavond. Bewoners zien dit niet.", "For example: Christmas Eve. Residents do not see this."))))
            p { button type="submit" class="button" { (tx.t("Sluitingsdag toevoegen", "Add closing day")) } }
        }
    };
    Ok(admin_page(
        ctx,
        tenant,
        HERE,
        tx.t("Sluitingsdagen", "Closing days").to_string(),
        body,
        !errors.is_empty(),
    ))
}
