//! `/{slug}/{service}`: choose a day, then a time, then fill in the details and book.
//!
//! The steps are one address with a query (`?day=`, then `?start=`), so the browser's back
//! button walks back through them. Booking itself is a POST that redirects to the
//! confirmation page (Post/Redirect/Get); errors re-render the form with the values kept.

use super::picker::{self, capitalise_first, TimesForm};
use super::privacy::{choices_from_form, consent_fieldsets, consent_intro, missing_errors};
use super::tenant_and_service;
use super::triage;
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{error_summary, Field};
use crate::html::url;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use ::booking::api::security::ClientAddress;
use ::booking::domain::catalog::Service;
use ::booking::domain::consent::InfoSource;
use ::booking::domain::start_time::StartTime;
use ::booking::domain::tenant::Tenant;
use ::booking::usecases::booking::{self, BookingRequest};
use ::booking::{App, Error, Result};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use jiff::civil::Date;
use jiff::Timestamp;
use maud::html;
use serde::Deserialize;
use std::collections::HashMap;

/// The details form as typed; every field optional so a tampered form still gets a page.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Details {
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
    /// The answers to the questions before booking, carried from the first step.
    #[serde(default)]
    pub triage: String,
    /// The consent radios, `consent-{source}` = choice; read with `privacy::choices_from_form`.
    #[serde(flatten)]
    pub rest: HashMap<String, String>,
}

fn base(tenant: &Tenant, service: &Service) -> String {
    format!("/{}/{}", url(tenant.slug.as_str()), service.id)
}

/// The answers to the questions before booking, to append to a step's address.
fn carried(triage: Option<&str>) -> String {
    triage.map_or(String::new(), |t| format!("&triage={}", url(t)))
}

pub async fn choose(
    State(app): State<App>,
    Path((slug, service)): Path<(String, String)>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let (tenant, service) = tenant_and_service(&app, &slug, &service).await?;
        let tx = Tx::new(ctx.lang, tenant.tone);
        let (carry, notes) =
            match triage::gate(&app, &ctx, &tx, &tenant, &service, &base(&tenant, &service)).await?
            {
                triage::Gate::Through { carry, notes } => (carry, notes),
                triage::Gate::Page(page) => return Ok(page),
            };
        let carry = carry.as_deref();
        let day = ctx.param("day").and_then(|d| d.parse::<Date>().ok());
        let start = ctx
            .param("start")
            .and_then(|s| StartTime::parse(s).ok())
            .and_then(|s| s.in_zone(tenant.time_zone.tz()).ok());
        match (start, day) {
            (Some(start), _) => {
                let sources =
                    ::booking::usecases::booking::sources(&app, tenant.id, service.id).await?;
                let values = Details {
                    triage: carry.unwrap_or_default().to_string(),
                    ..Details::default()
                };
                Ok(
                    details_page(&ctx, &tx, &tenant, &service, &sources, start, &values, &[])
                        .into_response(),
                )
            }
            (None, Some(day)) => {
                // Continuing without choosing a time brings the same day back with a message.
                let error = ctx.param("picked").map(|_| {
                    tx.pick("Kies een tijd.", "Kies een tijd.", "Choose a time.")
                        .to_string()
                });
                times_page(
                    &app,
                    &ctx,
                    &tx,
                    &tenant,
                    &service,
                    day,
                    error,
                    StatusCode::OK,
                    carry,
                )
                .await
            }
            (None, None) => days_page(&app, &ctx, &tx, &tenant, &service, carry, &notes).await,
        }
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn submit(
    State(app): State<App>,
    ClientAddress(client): ClientAddress,
    Path((slug, service)): Path<(String, String)>,
    ctx: Ctx,
    Form(details): Form<Details>,
) -> Response {
    let outcome = async {
        let (tenant, service) = tenant_and_service(&app, &slug, &service).await?;
        let tx = Tx::new(ctx.lang, tenant.tone);
        let Some(start) = StartTime::parse(&details.start)
            .ok()
            .and_then(|s| s.in_zone(tenant.time_zone.tz()).ok())
        else {
            return Ok(see_other(&base(&tenant, &service)));
        };
        let carry = Some(details.triage.as_str()).filter(|t| !t.is_empty());
        let day = start.to_zoned(tenant.time_zone.tz().clone()).date();
        let sources = ::booking::usecases::booking::sources(&app, tenant.id, service.id).await?;
        let consents = choices_from_form(
            &sources,
            details.rest.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
        let parsed = BookingRequest::parse(
            &details.start,
            &details.name,
            &details.email,
            Some(&details.phone),
            Some(&details.note),
        );
        // A choice per source is required in the form (the API may leave some out).
        let missing = missing_errors(&tx, &sources, &consents);
        let request = match parsed {
            Ok(request) if missing.is_empty() => request
                .with_consents(consents)
                .with_triage(carry.map(str::to_string)),
            _ => {
                let mut errors = field_errors(&tx, &details);
                errors.extend(missing);
                let mut page = details_page(
                    &ctx, &tx, &tenant, &service, &sources, start, &details, &errors,
                )
                .into_response();
                *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                return Ok(page);
            }
        };
        // Over a limit: the error page says so and when to try again.
        request.count(&app, client)?;
        match booking::book(&app, &tenant, &service, request).await {
            Ok(booked) => Ok(see_other(&format!(
                "/a/{}/bevestiging",
                booked.token.as_str()
            ))),
            Err(Error::SlotTaken) => {
                times_page(
                    &app,
                    &ctx,
                    &tx,
                    &tenant,
                    &service,
                    day,
                    Some(tx.slot_taken().to_string()),
                    StatusCode::CONFLICT,
                    carry,
                )
                .await
            }
            // The questions changed since they were answered, or were skipped: ask them.
            Err(Error::Invalid { field, .. }) if field == "/triage" => {
                Ok(see_other(&base(&tenant, &service)))
            }
            Err(Error::Invalid { field, message }) if field == "/start" => {
                let error = tx.field_error(&field, &message);
                times_page(
                    &app,
                    &ctx,
                    &tx,
                    &tenant,
                    &service,
                    day,
                    Some(error),
                    StatusCode::UNPROCESSABLE_ENTITY,
                    carry,
                )
                .await
            }
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}

/// Every field's problem at once. `BookingRequest::parse` stops at the first problem; a
/// resident should not have to send the form again for each mistake, so each field is checked
/// on its own by the same parser, with known-good values in the other fields.
fn field_errors(tx: &Tx, d: &Details) -> Vec<(String, String)> {
    const START: &str = "2000-01-01T00:00:00Z";
    const NAME: &str = "Naam";
    const EMAIL: &str = "naam@voorbeeld.nl";
    let blank = |s: &str| s.trim().is_empty();
    let checks = [
        BookingRequest::parse(START, &d.name, EMAIL, None, None),
        // An e-mail address or a mobile number (or both): neither is an error at the e-mail
        // field, a wrong one at its own field.
        if blank(&d.email) && blank(&d.phone) {
            BookingRequest::parse(START, NAME, "", None, None)
        } else if blank(&d.email) {
            BookingRequest::parse(START, NAME, EMAIL, None, None)
        } else {
            BookingRequest::parse(START, NAME, &d.email, None, None)
        },
        BookingRequest::parse(START, NAME, EMAIL, Some(&d.phone), None),
        BookingRequest::parse(START, NAME, EMAIL, None, Some(&d.note)),
    ];
    checks
        .into_iter()
        .filter_map(|check| match check {
            Err(Error::Invalid { field, message }) => {
                let key = field.trim_start_matches('/').to_string();
                let error = tx.field_error(&field, &message);
                Some((key, error))
            }
            _ => None,
        })
        .collect()
}

async fn days_page(
    app: &App,
    ctx: &Ctx,
    tx: &Tx,
    tenant: &Tenant,
    service: &Service,
    carry: Option<&str>,
    notes: &[String],
) -> Result<Response> {
    let days = picker::free_days(app, tenant, service).await?;
    let base = base(tenant, service);
    let also = carried(carry);
    let list = picker::days_list(tx, &days, |day| format!("{base}?day={day}{also}"));
    let body = html! {
        p class="lead" { (service.name) }
        (triage::notes(tx, notes))
        p {
            (tx.pick(
                "Op welke dag wilt u het gesprek? Daarna kiest u de tijd.",
                "Op welke dag wil je het gesprek? Daarna kies je de tijd.",
                "On which day would you like the call? After that you choose the time."
            ))
        }
        (list)
        p {
            a href={ "/" (url(tenant.slug.as_str())) } {
                (tx.t("Een andere dienst kiezen", "Choose another service"))
            }
        }
    };
    let title = tx.t("Kies een dag", "Choose a day").to_string();
    Ok(render(
        ctx,
        Page {
            title,
            tenant: Some(tenant),
            body,
            has_errors: false,
            nav: None,
        },
    )
    .into_response())
}

#[allow(clippy::too_many_arguments)]
async fn times_page(
    app: &App,
    ctx: &Ctx,
    tx: &Tx,
    tenant: &Tenant,
    service: &Service,
    day: Date,
    error: Option<String>,
    status: StatusCode,
    carry: Option<&str>,
) -> Result<Response> {
    let times = picker::free_times(app, tenant, service, day).await?;
    let base = base(tenant, service);
    let other_day_href = carry.map_or(base.clone(), |t| format!("{base}?triage={}", url(t)));
    let has_errors = error.is_some();
    let form = picker::times_form(
        tx,
        tenant,
        TimesForm {
            day,
            times: &times,
            method: "get",
            action: base.clone(),
            submit: tx.t("Verder", "Continue"),
            error,
            other_day_href,
            carry: carry.map(|t| ("triage", t)),
        },
    );
    let body = html! {
        p class="lead" { (service.name) }
        (form)
    };
    let title = tx.t("Kies een tijd", "Choose a time").to_string();
    Ok((
        status,
        render(
            ctx,
            Page {
                title,
                tenant: Some(tenant),
                body,
                has_errors,
                nav: None,
            },
        ),
    )
        .into_response())
}

#[allow(clippy::too_many_arguments)]
fn details_page(
    ctx: &Ctx,
    tx: &Tx,
    tenant: &Tenant,
    service: &Service,
    sources: &[InfoSource],
    start: Timestamp,
    values: &Details,
    errors: &[(String, String)],
) -> axum::response::Html<String> {
    let day = start.to_zoned(tenant.time_zone.tz().clone()).date();
    let optional = tx.t(" (niet verplicht)", " (optional)");

    let note_label = format!("{}{optional}", tx.t("Opmerking", "Note"));
    let fields = [
        Field::input("name", "text", tx.t("Naam", "Name"), &values.name).autocomplete("name"),
        Field::input(
            "email",
            "email",
            tx.t("E-mailadres", "Email address"),
            &values.email,
        )
        .hint(Some(tx.pick(
            "Vul een e-mailadres of een mobiel nummer in, of allebei. Naar uw e-mailadres sturen wij de bevestiging en de link voor het gesprek.",
            "Vul een e-mailadres of een mobiel nummer in, of allebei. Naar je e-mailadres sturen we de bevestiging en de link voor het gesprek.",
            "Fill in an email address or a mobile number, or both. We send the confirmation and the link for the call to your email address.",
        )))
        .autocomplete("email"),
        Field::input("phone", "tel", tx.t("Mobiel nummer", "Mobile number"), &values.phone)
            .hint(Some(tx.pick(
                "Geen e-mail? Dan is een mobiel nummer genoeg. U krijgt dan een afspraakcode om de afspraak terug te vinden. Wij bellen ook als het gesprek niet lukt.",
                "Geen e-mail? Dan is een mobiel nummer genoeg. Je krijgt dan een afspraakcode om de afspraak terug te vinden. We bellen ook als het gesprek niet lukt.",
                "No email? Then a mobile number is enough. You get a booking code to find the appointment again. We also call if the video call does not work.",
            )))
            .autocomplete("tel"),
        Field::textarea("note", 4, &note_label, &values.note).hint(Some(tx.pick(
            "Bijvoorbeeld: ik heb een tolk nodig, of ik wil graag dat mijn dochter meekijkt.",
            "Bijvoorbeeld: ik heb een tolk nodig, of ik wil graag dat mijn dochter meekijkt.",
            "For example: I need an interpreter, or I would like my daughter to join.",
        ))),
    ];
    let chosen = choices_from_form(
        sources,
        values.rest.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let base = base(tenant, service);
    let body = html! {
        (error_summary(tx, errors))
        div class="chosen" {
            p { strong { (service.name) } }
            p { (capitalise_first(&tx.when_in_words(tenant, start))) }
            p {
                a href={ (base) "?day=" (day.to_string()) (carried(Some(&values.triage).filter(|t| !t.is_empty()).map(|t| t.as_str()))) } {
                    (tx.t("Een andere tijd kiezen", "Choose another time"))
                }
            }
        }
        form method="post" action=(base) novalidate {
            input type="hidden" name="start" value=(StartTime::written(start, tenant.time_zone.tz()));
            @if !values.triage.is_empty() {
                input type="hidden" name="triage" value=(values.triage);
            }
            @for field in &fields {
                (field.render(tx, errors))
            }
            @if !sources.is_empty() {
                h2 { (tx.t("Gegevens voor het gesprek", "Information for the call")) }
                p { (consent_intro(tx)) }
                (consent_fieldsets(tx, sources, &chosen, errors))
            }
            button type="submit" class="button" { (tx.t("Afspraak maken", "Book the appointment")) }
        }
    };
    let title = tx
        .pick("Uw gegevens", "Je gegevens", "Your details")
        .to_string();
    render(
        ctx,
        Page {
            title,
            tenant: Some(tenant),
            body,
            has_errors: !errors.is_empty(),
            nav: None,
        },
    )
}
