//! `/medewerker/afspraken` (issue 16): a clerk on the phone finds a caller's appointment (by
//! name, phone number, e-mail address or booking code) and moves or cancels it or sends the
//! confirmation again; or books a new one for a service they handle. The pages call
//! `booking::usecases::for_caller`, as the JSON API does, so every act is in the resident's
//! access log. The forms post to our own site only (the same-origin check of
//! `booking::api::security` guards every state-changing request); no JavaScript.

use super::{nav, to_login};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{error_summary, notice, Field};
use crate::i18n::Tx;
use crate::layout::{render, Page};
use crate::pages::picker::{self, capitalise_first, TimesForm};
use crate::pages::privacy::{choices_from_form, consent_fieldsets};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use booking::auth::{SessionClaims, Staff};
use booking::domain::appointment::{Appointment, AppointmentStatus};
use booking::domain::catalog::Service;
use booking::domain::ids::{AppointmentId, ServiceId};
use booking::domain::start_time::StartTime;
use booking::domain::tenant::Tenant;
use booking::usecases::booking::BookingRequest;
use booking::usecases::for_caller::{self, Acted};
use booking::{App, Error, Result};
use jiff::civil::Date;
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::HashMap;

pub const HERE: &str = "/medewerker/afspraken";

fn page(
    ctx: &Ctx,
    tx: &Tx,
    claims: &SessionClaims,
    tenant: &Tenant,
    title: String,
    body: Markup,
    has_errors: bool,
) -> Response {
    render(
        ctx,
        Page {
            title,
            tenant: Some(tenant),
            body,
            has_errors,
            nav: nav(tx, HERE, claims),
        },
    )
    .into_response()
}

fn service_id(raw: &str) -> Result<ServiceId> {
    raw.parse().map_err(|_| Error::NotFound("service"))
}

fn appointment_id(raw: &str) -> Result<AppointmentId> {
    raw.parse().map_err(|_| Error::NotFound("appointment"))
}

fn status_words(tx: &Tx, a: &Appointment) -> &'static str {
    match a.status {
        AppointmentStatus::Booked => tx.t("Geboekt", "Booked"),
        AppointmentStatus::Cancelled => tx.t("Afgezegd", "Cancelled"),
    }
}

/// The search form, the results with their actions, and the services to book for.
pub async fn show(State(app): State<App>, staff: Result<Staff, Error>, ctx: Ctx) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let tenant = booking::usecases::desk::municipality(&app, &claims).await?;
        let services = for_caller::services(&app, &claims).await?;
        let query = ctx.param("q").unwrap_or("").to_string();
        let mut errors = Vec::new();
        let mut found = None;
        if !query.trim().is_empty() {
            match for_caller::search(&app, &claims, &query).await {
                Ok((_, results)) => found = Some(results),
                Err(Error::Invalid { field, message }) => {
                    errors.push(("q".to_string(), tx.field_error(&field, &message)))
                }
                Err(other) => return Err(other),
            }
        }
        let body = html! {
            (error_summary(&tx, &errors))
            h2 { (tx.t("Afspraak zoeken", "Find an appointment")) }
            form method="get" action=(HERE) novalidate {
                (Field::input("q", "search", tx.t("Naam, telefoonnummer, e-mailadres of afspraakcode", "Name, phone number, email address or booking code"), &query)
                    .hint(Some(tx.t(
                        "Afspraken vanaf vandaag, van de onderwerpen die u behandelt. Wat u ziet komt in het logboek van de bewoner.",
                        "Appointments from today on, of the services you handle. What you see is written to the resident's access log.",
                    )))
                    .spellcheck_off()
                    .render(&tx, &errors))
                button type="submit" class="button" { (tx.t("Zoeken", "Search")) }
            }
            @if let Some(results) = &found {
                @if results.is_empty() {
                    p class="notice" id="search-results" { (tx.t("Geen afspraken gevonden.", "No appointments found.")) }
                } @else {
                    div class="table-scroll" role="region" aria-labelledby="search-caption" tabindex="0" {
                        table class="queue-table" id="search-results" {
                            caption id="search-caption" { (tx.t("Gevonden afspraken", "Appointments found")) }
                            thead {
                                tr {
                                    th scope="col" { (tx.t("Naam", "Name")) }
                                    th scope="col" { (tx.t("Wanneer", "When")) }
                                    th scope="col" { (tx.t("Onderwerp", "Service")) }
                                    th scope="col" { (tx.t("Code", "Code")) }
                                    th scope="col" { (tx.t("Status", "Status")) }
                                    th scope="col" { (tx.t("Acties", "Actions")) }
                                }
                            }
                            tbody {
                                @for (a, s) in results {
                                    tr {
                                        th scope="row" { (a.resident.name) }
                                        td { (tx.when_in_words(&tenant, a.start)) }
                                        td { (s.name) }
                                        td class="nowrap" { (a.code.grouped()) }
                                        td { (status_words(&tx, a)) }
                                        td { (actions(&tx, a)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (tx.t("Afspraak maken voor een beller", "Book for a caller")) }
            @if services.is_empty() {
                p { (tx.t("U behandelt geen onderwerpen waarvoor u kunt boeken.", "You handle no services to book for.")) }
            } @else {
                ul class="choice-list" {
                    @for s in &services {
                        li {
                            a class="choice" href={ "/medewerker/afspraak-maken/" (s.id.to_string()) } {
                                span class="choice-title" { (s.name) }
                            }
                        }
                    }
                }
            }
        };
        let title = tx.t("Afspraak maken of zoeken", "Book or find an appointment").to_string();
        let mut response = page(&ctx, &tx, &claims, &tenant, title, body, !errors.is_empty());
        if !errors.is_empty() {
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        }
        Ok(response)
    }
    .await;
    respond(&ctx, outcome)
}

fn actions(tx: &Tx, a: &Appointment) -> Markup {
    let base = format!("{HERE}/{}", a.id);
    html! {
        div class="actions" {
            @if a.status == AppointmentStatus::Booked {
                a class="button button--secondary" href={ (base) "/verzetten" } {
                    (tx.t("Verzetten", "Move")) span class="visually-hidden" { " (" (a.resident.name) ")" }
                }
                form method="post" action={ (base) "/afzeggen" } {
                    button type="submit" class="button button--secondary" {
                        (tx.t("Afzeggen", "Cancel")) span class="visually-hidden" { " (" (a.resident.name) ")" }
                    }
                }
            }
            form method="post" action={ (base) "/opnieuw-sturen" } {
                button type="submit" class="button button--secondary" {
                    (tx.t("Bevestiging opnieuw sturen", "Send confirmation again")) span class="visually-hidden" { " (" (a.resident.name) ")" }
                }
            }
        }
    }
}

/// After an act: what happened, the code to read aloud and the new personal link.
fn done_page(
    app: &App,
    ctx: &Ctx,
    tx: &Tx,
    claims: &SessionClaims,
    acted: &Acted,
    what: &str,
) -> Response {
    let a = &acted.appointment;
    let link = app.personal_link(&acted.token);
    let body = html! {
        (notice(what))
        dl class="summary" {
            div { dt { (tx.t("Naam", "Name")) } dd { (a.resident.name) } }
            div { dt { (tx.t("Onderwerp", "Service")) } dd { (acted.service.name) } }
            div { dt { (tx.t("Wanneer", "When")) } dd { (capitalise_first(&tx.when_in_words(&acted.tenant, a.start))) } }
            @if let Some(language) = &a.resident.language {
                div { dt { (tx.t("Taal of tolk", "Language or interpreter")) } dd { (language) } }
            }
            div { dt { (tx.t("Status", "Status")) } dd { (status_words(tx, a)) } }
            div { dt { (tx.t("Afspraakcode", "Booking code")) } dd class="booking-code" id="booking-code" { (a.code.grouped()) } }
            div { dt { (tx.t("Nieuwe persoonlijke link", "New personal link")) } dd class="personal-link" id="personal-link" { (link) } }
        }
        p {
            @if let Some(email) = a.resident.email() {
                (tx.t("De bevestiging met deze link is gemaild naar ", "The confirmation with this link was mailed to ")) (email.as_str()) "."
            } @else {
                (tx.t(
                    "Er is geen e-mailadres. Lees de afspraakcode voor: met de code en het telefoonnummer vindt de bewoner de afspraak terug op de website.",
                    "There is no email address. Read out the booking code: with the code and the phone number the resident finds the appointment on the website.",
                ))
            }
        }
        p { a href=(HERE) { (tx.t("Terug naar afspraak maken of zoeken", "Back to book or find")) } }
    };
    page(
        ctx,
        tx,
        claims,
        &acted.tenant,
        tx.t("Gedaan", "Done").to_string(),
        body,
        false,
    )
}

/// `/medewerker/afspraak-maken/{service}`: days, then times with the caller's details.
pub async fn book_form(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    Path(service): Path<String>,
    ctx: Ctx,
) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let service = for_caller::service(&app, &claims, service_id(&service)?).await?;
        let tenant = booking::usecases::desk::municipality(&app, &claims).await?;
        let day = ctx.param("day").and_then(|d| d.parse::<Date>().ok());
        match day {
            None => days_page(&app, &ctx, &tx, &claims, &tenant, &service).await,
            Some(day) => {
                details_page(
                    &app,
                    &ctx,
                    &tx,
                    &claims,
                    &tenant,
                    &service,
                    day,
                    &Caller::default(),
                    &[],
                    StatusCode::OK,
                )
                .await
            }
        }
    }
    .await;
    respond(&ctx, outcome)
}

async fn days_page(
    app: &App,
    ctx: &Ctx,
    tx: &Tx,
    claims: &SessionClaims,
    tenant: &Tenant,
    service: &Service,
) -> Result<Response> {
    let days = picker::free_days(app, tenant, service, 1).await?;
    let base = format!("/medewerker/afspraak-maken/{}", service.id);
    let body = html! {
        p class="lead" { (service.name) }
        p { (tx.t("Kies een dag met vrije tijden.", "Choose a day with free times.")) }
        (picker::days_list(tx, &days, |day| format!("{base}?day={day}")))
    };
    Ok(page(
        ctx,
        tx,
        claims,
        tenant,
        tx.t("Afspraak maken: kies een dag", "Book: choose a day")
            .to_string(),
        body,
        false,
    ))
}

/// The caller's details as typed; every field optional so a tampered form still gets a page.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Caller {
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub note: String,
    /// The language or interpreter the caller needs (optional).
    #[serde(default)]
    pub language: String,
    /// `later` (default) or `now`: whether the caller chose per information source now.
    #[serde(default)]
    pub consent: String,
    #[serde(flatten)]
    pub rest: HashMap<String, String>,
}

#[allow(clippy::too_many_arguments)]
async fn details_page(
    app: &App,
    ctx: &Ctx,
    tx: &Tx,
    claims: &SessionClaims,
    tenant: &Tenant,
    service: &Service,
    day: Date,
    typed: &Caller,
    errors: &[(String, String)],
    status: StatusCode,
) -> Result<Response> {
    let times = picker::free_times(app, tenant, service, 1, day).await?;
    let sources = booking::usecases::booking::sources(app, tenant.id, service.id).await?;
    let tz = tenant.time_zone.tz();
    let base = format!("/medewerker/afspraak-maken/{}", service.id);
    let chosen = choices_from_form(
        &sources,
        typed.rest.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let now_chosen = typed.consent == "now";
    let optional = tx.t(" (als de beller dat heeft)", " (if the caller has one)");
    let email_label = format!("{}{optional}", tx.t("E-mailadres", "Email address"));
    let fields = [
        Field::input(
            "name",
            "text",
            tx.t("Naam van de beller", "Caller's name"),
            &typed.name,
        ),
        Field::input(
            "phone",
            "tel",
            tx.t("Telefoonnummer", "Phone number"),
            &typed.phone,
        )
        .hint(Some(tx.t(
            "Een e-mailadres of een telefoonnummer is nodig, of allebei.",
            "An email address or a phone number is needed, or both.",
        ))),
        Field::input("email", "email", &email_label, &typed.email),
        Field::input(
            "language",
            "text",
            tx.t("Taal of tolk nodig? (niet verplicht)", "Language or interpreter needed? (optional)"),
            &typed.language,
        )
        .hint(Some(tx.t(
            "Spreekt de beller geen Nederlands, of is een tolk nodig? Bijvoorbeeld: Arabisch, tolk nodig.",
            "Does the caller not speak Dutch, or is an interpreter needed? For example: Arabic, interpreter needed.",
        ))),
        Field::textarea(
            "note",
            3,
            tx.t("Opmerking (niet verplicht)", "Note (optional)"),
            &typed.note,
        ),
    ];
    let legend = capitalise_first(&tx.day_in_words(day));
    let body = html! {
        (error_summary(tx, errors))
        p class="lead" { (service.name) }
        @if times.is_empty() {
            p { (tx.t("Op deze dag is geen tijd meer vrij.", "There is no free time left on this day.")) }
        } @else {
            form method="post" action=(base) novalidate {
                input type="hidden" name="day" value=(day.to_string());
                fieldset class="times" {
                    legend { (legend) }
                    div class="radio-grid" {
                        @for (i, slot) in times.iter().enumerate() {
                            @let value = StartTime::written(slot.start, tz);
                            (crate::form::Radio {
                                id: &format!("start-{i}"),
                                name: "start",
                                value: &value,
                                label: &slot.start.to_zoned(tz.clone()).strftime("%H:%M").to_string(),
                                checked: typed.start == value,
                                invalid: errors.iter().any(|(k, _)| k == "start"),
                                required: true,
                                described_by: None,
                            }.render())
                        }
                    }
                }
                @for field in &fields {
                    (field.render(tx, errors))
                }
                @if !sources.is_empty() {
                    fieldset {
                        legend { (tx.t("Keuzes over gegevens", "Choices about information")) }
                        (crate::form::Radio { id: "consent-later", name: "consent", value: "later", label: tx.t("Later aan de bewoner vragen, via de persoonlijke link", "Ask the resident later, through the personal link"), checked: !now_chosen, invalid: false, required: false, described_by: None }.render())
                        (crate::form::Radio { id: "consent-now", name: "consent", value: "now", label: tx.t("De beller kiest nu, aan de telefoon (hieronder)", "The caller chooses now, on the phone (below)"), checked: now_chosen, invalid: false, required: false, described_by: None }.render())
                    }
                    (consent_fieldsets(tx, &sources, &chosen, errors))
                }
                button type="submit" class="button" { (tx.t("Afspraak maken", "Book the appointment")) }
            }
        }
        p { a href=(base) { (tx.t("Een andere dag kiezen", "Choose another day")) } }
    };
    let mut response = page(
        ctx,
        tx,
        claims,
        tenant,
        tx.t("Afspraak maken voor een beller", "Book for a caller")
            .to_string(),
        body,
        !errors.is_empty(),
    );
    *response.status_mut() = status;
    Ok(response)
}

fn invalid_to_errors(tx: &Tx, err: &Error) -> Option<Vec<(String, String)>> {
    match err {
        Error::Invalid { field, message } => Some(vec![(
            field
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or("")
                .to_string(),
            tx.field_error(field, message),
        )]),
        _ => None,
    }
}

pub async fn book(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    Path(service): Path<String>,
    ctx: Ctx,
    Form(typed): Form<Caller>,
) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let service = for_caller::service(&app, &claims, service_id(&service)?).await?;
        let tenant = booking::usecases::desk::municipality(&app, &claims).await?;
        let day = typed.day.parse::<Date>().ok();
        let Some(day) = day else {
            return Ok(see_other(&format!(
                "/medewerker/afspraak-maken/{}",
                service.id
            )));
        };
        if typed.start.trim().is_empty() {
            let errors = vec![(
                "start".to_string(),
                tx.t("Kies een tijd.", "Choose a time.").to_string(),
            )];
            return details_page(
                &app,
                &ctx,
                &tx,
                &claims,
                &tenant,
                &service,
                day,
                &typed,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        let sources = booking::usecases::booking::sources(&app, tenant.id, service.id).await?;
        let consents = if typed.consent == "now" {
            choices_from_form(
                &sources,
                typed.rest.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            )
        } else {
            Vec::new()
        };
        let request = BookingRequest::parse(
            &typed.start,
            &typed.name,
            &typed.email,
            Some(&typed.phone),
            Some(&typed.note),
        )
        .and_then(|r| r.with_language(Some(&typed.language)))
        .map(|r| r.with_consents(consents));
        let result = match request {
            Ok(request) => for_caller::book(&app, &claims, service.id, request).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(booked) => {
                let acted = Acted {
                    tenant,
                    service,
                    appointment: booked.appointment,
                    token: booked.token,
                };
                Ok(done_page(
                    &app,
                    &ctx,
                    &tx,
                    &claims,
                    &acted,
                    tx.t("De afspraak is gemaakt.", "The appointment is booked."),
                ))
            }
            Err(Error::SlotTaken) => {
                let errors = vec![("start".to_string(), tx.slot_taken().to_string())];
                details_page(
                    &app,
                    &ctx,
                    &tx,
                    &claims,
                    &tenant,
                    &service,
                    day,
                    &typed,
                    &errors,
                    StatusCode::CONFLICT,
                )
                .await
            }
            Err(err) => match invalid_to_errors(&tx, &err) {
                Some(errors) => {
                    details_page(
                        &app,
                        &ctx,
                        &tx,
                        &claims,
                        &tenant,
                        &service,
                        day,
                        &typed,
                        &errors,
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await
                }
                None => Err(err),
            },
        }
    }
    .await;
    respond(&ctx, outcome)
}

/// `/medewerker/afspraken/{id}/verzetten`: days, then times; posting moves the appointment.
pub async fn reschedule_form(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let a = booking::usecases::desk::appointment(&app, &claims, appointment_id(&id)?).await?;
        let tenant = booking::usecases::desk::municipality(&app, &claims).await?;
        let service = booking::usecases::desk::services(&app, tenant.id)
            .await?
            .into_iter()
            .find(|s| s.id == a.service_id)
            .ok_or(Error::NotFound("service"))?;
        let base = format!("{HERE}/{}/verzetten", a.id);
        // A new time must fit everyone in the appointment.
        let people = booking::usecases::booking::people(&app, &a).await?.len() as i64 + 1;
        let body = match ctx.param("day").and_then(|d| d.parse::<Date>().ok()) {
            None => {
                let days = picker::free_days(&app, &tenant, &service, people).await?;
                html! {
                    p class="lead" { (a.resident.name) ", " (service.name) }
                    p { (tx.t("Nu: ", "Now: ")) (tx.when_in_words(&tenant, a.start)) }
                    (picker::days_list(&tx, &days, |day| format!("{base}?day={day}")))
                }
            }
            Some(day) => {
                let times = picker::free_times(&app, &tenant, &service, people, day).await?;
                html! {
                    p class="lead" { (a.resident.name) ", " (service.name) }
                    (picker::times_form(&tx, &tenant, TimesForm {
                        day,
                        times: &times,
                        method: "post",
                        action: base.clone(),
                        submit: tx.t("Verzetten naar deze tijd", "Move to this time"),
                        error: None,
                        other_day_href: base.clone(),
                        carry: &[],
                    }))
                }
            }
        };
        Ok(page(
            &ctx,
            &tx,
            &claims,
            &tenant,
            tx.t("Afspraak verzetten", "Move the appointment")
                .to_string(),
            body,
            false,
        ))
    }
    .await;
    respond(&ctx, outcome)
}

#[derive(Deserialize)]
pub struct Moved {
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub day: String,
}

pub async fn reschedule(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    Path(id): Path<String>,
    ctx: Ctx,
    Form(moved): Form<Moved>,
) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let id = appointment_id(&id)?;
        let back = format!("{HERE}/{id}/verzetten?day={}", moved.day);
        let Ok(start) = StartTime::parse(&moved.start) else {
            return Ok(see_other(&back));
        };
        match for_caller::reschedule(&app, &claims, id, start).await {
            Ok(acted) => Ok(done_page(
                &app,
                &ctx,
                &tx,
                &claims,
                &acted,
                tx.t("De afspraak is verzet.", "The appointment has been moved."),
            )),
            Err(Error::SlotTaken) => Ok(see_other(&back)),
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn cancel(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let acted = for_caller::cancel(&app, &claims, appointment_id(&id)?).await?;
        Ok(done_page(
            &app,
            &ctx,
            &tx,
            &claims,
            &acted,
            tx.t(
                "De afspraak is afgezegd.",
                "The appointment has been cancelled.",
            ),
        ))
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn resend(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let acted = for_caller::resend(&app, &claims, appointment_id(&id)?).await?;
        Ok(done_page(
            &app,
            &ctx,
            &tx,
            &claims,
            &acted,
            tx.t(
                "Er is een nieuwe persoonlijke link gemaakt.",
                "A new personal link has been made.",
            ),
        ))
    }
    .await;
    respond(&ctx, outcome)
}
