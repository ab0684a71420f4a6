//! `/medewerker/terugbellen`: the callback requests nobody handled yet, oldest first, each with
//! its earlier attempts and a form to record one: an optional note and "Bereikt" / "Niet
//! bereikt", posted (Post/Redirect/Get) to the same use case as
//! `POST /api/v1/staff/callbacks/{id}/attempts`.

use super::{nav, to_login};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::notice;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use booking::auth::Staff;
use booking::domain::callback::{CallbackId, Closed, PartOfDay};
use booking::error::Conflict;
use booking::usecases;
use booking::usecases::desk;
use booking::{App, Error};
use maud::html;

const HERE: &str = "/medewerker/terugbellen";

fn part_of_day(tx: &Tx, part: PartOfDay) -> &'static str {
    match part {
        PartOfDay::Morning => tx.t("'s ochtends (voor 12:00)", "in the morning (before 12:00)"),
        PartOfDay::Afternoon => tx.t("'s middags (voor 17:00)", "in the afternoon (before 17:00)"),
        PartOfDay::Evening => tx.t("'s avonds (voor 21:00)", "in the evening (before 21:00)"),
    }
}

/// `tel:` wants the number without spaces, dashes or brackets; an international number drops
/// the trunk "(0)".
fn tel_href(phone: &str) -> String {
    let phone = if phone.trim_start().starts_with('+') {
        phone.replace("(0)", "")
    } else {
        phone.to_string()
    };
    let digits: String = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    format!("tel:{digits}")
}

pub async fn show(State(app): State<App>, staff: Result<Staff, Error>, ctx: Ctx) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        let (tenant, services, open) = desk::open_callbacks(&app, &claims).await?;
        let mut attempts = Vec::new();
        for c in &open {
            attempts.push((c.id, usecases::callbacks::attempts(&app, &claims, c.id).await.unwrap_or_default()));
        }
        let tx = Tx::formal(ctx.lang);
        let now = app.clock.now();
        // The message after marking one handled; the name comes from the database, not the URL.
        let mut message = None;
        for (param, nl, en) in [
            ("afgehandeld", "Afgehandeld: het terugbelverzoek van", "Handled: the callback request of"),
            ("bereikt", "Bereikt en afgehandeld: het terugbelverzoek van", "Reached and handled: the callback request of"),
            ("niet-bereikt", "Niet bereikt; probeer het later nog een keer: het terugbelverzoek van", "Not reached; try again later: the callback request of"),
            ("onbereikbaar", "Twee keer niet bereikt; de bewoner krijgt een sms en het verzoek is gesloten: het terugbelverzoek van", "Not reached twice; the resident gets a text message and the request is closed: the callback request of"),
            ("al-afgehandeld", "Een collega had het terugbelverzoek al afgehandeld van", "A colleague had already handled the callback request of"),
        ] {
            if let Some(id) = ctx.param(param).and_then(|raw| raw.parse::<CallbackId>().ok()) {
                if let Ok(c) = ::booking::usecases::queue::callback(&app, &claims, id).await {
                    message = Some(format!("{} {}.", tx.t(nl, en), c.resident_name));
                }
            }
        }
        let body = html! {
            @if let Some(message) = &message {
                (notice(message))
            }
            @if open.is_empty() {
                p class="notice" {
                    (tx.t(
                        "Er zijn geen open terugbelverzoeken.",
                        "There are no open callback requests."
                    ))
                }
            } @else {
                div class="table-scroll" role="region" aria-labelledby="terugbellen-caption" tabindex="0" {
                    table class="queue-table" id="terugbellen" {
                        caption id="terugbellen-caption" {
                            (tx.t("Open terugbelverzoeken, oudste eerst", "Open callback requests, oldest first"))
                        }
                        thead {
                            tr {
                                th scope="col" { (tx.t("Naam", "Name")) }
                                th scope="col" { (tx.t("Telefoon", "Phone")) }
                                th scope="col" { (tx.t("Onderwerp", "Service")) }
                                th scope="col" { (tx.t("Gevraagd op", "Requested on")) }
                                th scope="col" { (tx.t("Bellen", "Call")) }
                                th scope="col" { (tx.t("Op tijd?", "On time?")) }
                                th scope="col" { (tx.t("Actie", "Action")) }
                            }
                        }
                        tbody {
                            @for c in &open {
                                @let service = services
                                    .iter()
                                    .find(|s| s.id == c.service_id)
                                    .map(|s| s.name.as_str())
                                    .unwrap_or("");
                                tr {
                                    th scope="row" { (c.resident_name) }
                                    td { a class="nowrap" href=(tel_href(&c.phone)) { (c.phone) } }
                                    td { (service) }
                                    td { (tx.when_in_words(&tenant, c.requested_at)) }
                                    td {
                                        @match c.promised {
                                            Some(window) => {
                                                @let local = window.start.to_zoned(tenant.time_zone.tz().clone());
                                                @if local.date() != now.to_zoned(tenant.time_zone.tz().clone()).date() {
                                                    (tx.day_in_words(local.date())) ", "
                                                }
                                                (part_of_day(&tx, c.part_of_day))
                                            }
                                            None => (part_of_day(&tx, c.part_of_day)),
                                        }
                                    }
                                    td {
                                        @if desk::callback_is_late(&tenant, c, now) {
                                            strong { (tx.t("Te laat", "Late")) }
                                        } @else {
                                            (tx.t("Op tijd", "On time"))
                                        }
                                    }
                                    td {
                                        @let tries = attempts.iter().find(|(id, _)| *id == c.id).map(|(_, a)| a.as_slice()).unwrap_or(&[]);
                                        @if !tries.is_empty() {
                                            ul class="attempts" {
                                                @for a in tries {
                                                    li {
                                                        (tx.moment_in_words(&tenant, a.at)) ": "
                                                        @if a.reached { (tx.t("bereikt", "reached")) } @else { (tx.t("niet bereikt", "not reached")) }
                                                        @if !a.note.is_empty() { " — " span class="multiline" { (a.note) } }
                                                    }
                                                }
                                            }
                                        }
                                        @let note_id = format!("notitie-{}", c.id);
                                        form method="post" action={ "/medewerker/terugbellen/" (c.id.to_string()) "/poging" } class="attempt-form" {
                                            label for=(note_id) {
                                                (tx.t("Notitie (niet verplicht)", "Note (optional)"))
                                                span class="visually-hidden" { " (" (c.resident_name) ")" }
                                            }
                                            textarea id=(note_id) name="notitie" rows="2" {}
                                            div class="button-row" {
                                                button type="submit" name="uitkomst" value="bereikt" class="button button--secondary" {
                                                    (tx.t("Bereikt", "Reached"))
                                                    span class="visually-hidden" { " (" (c.resident_name) ")" }
                                                }
                                                button type="submit" name="uitkomst" value="niet-bereikt" class="button button--secondary" {
                                                    (tx.t("Niet bereikt", "Not reached"))
                                                    span class="visually-hidden" { " (" (c.resident_name) ")" }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        };
        let title = tx.t("Terugbelverzoeken", "Callback requests").to_string();
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

pub async fn done(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        let id: CallbackId = id
            .parse()
            .map_err(|_| Error::NotFound("callback request"))?;
        match usecases::queue::handle_callback(&app, &claims, id).await {
            Ok(_) => Ok(see_other(&format!("{HERE}?afgehandeld={id}"))),
            // Another clerk was first: say so rather than show an error page.
            Err(Error::Conflict(Conflict::CallbackAlreadyHandled)) => {
                Ok(see_other(&format!("{HERE}?al-afgehandeld={id}")))
            }
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}

#[cfg(test)]
mod tests {
    use super::tel_href;

    #[test]
    fn phone_links_keep_digits_and_plus() {
        assert_eq!(tel_href("+31 (0)70 123-4567"), "tel:+31701234567");
        assert_eq!(tel_href("06 12345678"), "tel:0612345678");
    }
}

#[derive(serde::Deserialize)]
pub struct AttemptFields {
    #[serde(default)]
    uitkomst: String,
    #[serde(default)]
    notitie: String,
}

/// One attempt to phone back: reached, or not (the second time closes the request).
pub async fn attempt(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    Path(id): Path<String>,
    ctx: Ctx,
    axum::Form(fields): axum::Form<AttemptFields>,
) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        let id: CallbackId = id
            .parse()
            .map_err(|_| Error::NotFound("callback request"))?;
        let reached = match fields.uitkomst.as_str() {
            "bereikt" => true,
            "niet-bereikt" => false,
            _ => {
                return Err(Error::invalid(
                    "/uitkomst",
                    "Kies Bereikt of Niet bereikt.",
                    "Choose Reached or Not reached.",
                ))
            }
        };
        let form = usecases::callbacks::AttemptForm::parse(reached, Some(&fields.notitie))?;
        match usecases::callbacks::record_attempt(&app, &claims, id, form).await {
            Ok(c) => {
                let said = match c.closed {
                    // Reached: the conversation took place, so on to its outcome.
                    Some(Closed::Reached) => {
                        return Ok(see_other(&format!("{HERE}/{id}/uitkomst?bereikt=1")));
                    }
                    Some(Closed::Unreachable) => "onbereikbaar",
                    None => "niet-bereikt",
                };
                Ok(see_other(&format!("{HERE}?{said}={id}")))
            }
            Err(Error::Conflict(Conflict::CallbackAlreadyHandled)) => {
                Ok(see_other(&format!("{HERE}?al-afgehandeld={id}")))
            }
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}

/// `GET /medewerker/terugbellen/{id}/uitkomst`: after "Bereikt", the same outcome form as
/// after a video call (result, notes, follow-up), into the same outbox and case store. The
/// resident of a callback left no information source to the municipality, so none is offered.
pub async fn outcome_form(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let here = format!("{HERE}/{}/uitkomst", crate::html::url(&id));
    let Ok(Staff(claims)) = staff else {
        return to_login(&here);
    };
    let answer = async {
        let id: CallbackId = id
            .parse()
            .map_err(|_| Error::NotFound("callback request"))?;
        let request = usecases::queue::callback(&app, &claims, id).await?;
        let history = usecases::outcome::history_for_callback(&app, &claims, id).await?;
        let tenant = history.tenant.clone();
        let services = desk::services(&app, tenant.id).await?;
        let service = services
            .iter()
            .find(|s| s.id == request.service_id)
            .map(|s| s.name.clone())
            .unwrap_or_default();
        let tx = Tx::formal(ctx.lang);
        let recorded = history.outcomes.last();
        let done_text = recorded.map(|o| {
            format!(
                "{} {}: {}.",
                tx.t("De uitkomst is vastgelegd, versie", "The outcome has been recorded, version"),
                o.version,
                o.result_label
            )
        });
        let kept = booking::domain::outcome::UnfinishedOutcome::default();
        let to = super::call::OutcomeTargets {
            record: format!("{HERE}/{id}/uitkomst"),
            keep: None,
            api: format!("/api/v1/staff/callbacks/{id}/outcomes"),
        };
        let reached = ctx.param("bereikt").is_some().then(|| {
            format!(
                "{} {}.",
                tx.t(
                    "Bereikt en afgehandeld: het terugbelverzoek van",
                    "Reached and handled: the callback request of"
                ),
                request.resident_name
            )
        });
        let body = html! {
            @if let (Some(text), None) = (&reached, recorded) {
                (notice(text))
            }
            dl class="summary" {
                div { dt { (tx.t("Naam", "Name")) } dd { (request.resident_name) } }
                div { dt { (tx.t("Telefoon", "Phone")) } dd { a class="nowrap" href=(tel_href(&request.phone)) { (request.phone) } } }
                div { dt { (tx.t("Onderwerp", "Service")) } dd { (service) } }
            }
            @if recorded.is_none() {
                (super::call::outcome_form(&tx, &super::call::OutcomeFormView {
                    results: &history.results,
                    allowed: &[],
                    has_sources: false,
                    walk_in: true,
                    to: &to,
                    kept: &kept,
                    notice: None,
                }))
            } @else if let Some(notice_text) = &done_text {
                (notice(notice_text))
                p { a href=(HERE) { (tx.t("Terug naar de terugbelverzoeken", "Back to the callback requests")) } }
            }
        };
        let title = format!(
            "{} {}",
            tx.t("Uitkomst van het terugbelgesprek met", "Outcome of the callback to"),
            request.resident_name
        );
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
    respond(&ctx, answer)
}

/// `POST /medewerker/terugbellen/{id}/uitkomst`: records the callback's outcome through the
/// same use case as `POST /api/v1/staff/callbacks/{id}/outcomes`.
pub async fn record_outcome(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    Path(id): Path<String>,
    ctx: Ctx,
    body: String,
) -> Response {
    let here = format!("{HERE}/{}/uitkomst", crate::html::url(&id));
    let Ok(Staff(claims)) = staff else {
        return to_login(&here);
    };
    let answer = async {
        let id: CallbackId = id
            .parse()
            .map_err(|_| Error::NotFound("callback request"))?;
        let (result, notes, follow_up, sources) = super::call::form_fields(&body);
        let follow_up = match follow_up.as_str() {
            "new_appointment" => booking::domain::outcome::FollowUp::NewAppointment,
            _ => booking::domain::outcome::FollowUp::None,
        };
        let draft = booking::domain::outcome::OutcomeDraft {
            result,
            notes,
            follow_up,
            sources,
        };
        usecases::outcome::record_for_callback(&app, &claims, id, draft, None).await?;
        Ok(see_other(&here))
    }
    .await;
    respond(&ctx, answer)
}
