//! `/{slug}/terugbellen`: "Bel mij terug". The resident leaves a phone number, the service and a
//! part of the day that is still possible (today or the next working day); the confirmation
//! states the promise in words ("We bellen u vandaag tussen 13:00 en 17:00").

use crate::context::Ctx;
use crate::error::see_other;
use crate::form::{error_for, error_summary, field_error, Field, Radio};
use crate::html::url;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use ::booking::api::security::ClientAddress;
use ::booking::domain::callback::{part_hours, PartOfDay, Promise};
use ::booking::domain::catalog::Service;
use ::booking::domain::tenant::Tenant;
use ::booking::usecases::callbacks;
use ::booking::usecases::queue::{self, CallbackForm};
use ::booking::{App, Error};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use jiff::civil::Date;
use maud::html;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct CallbackFields {
    #[serde(default)]
    pub dienst: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    /// `YYYY-MM-DD/part`, one of the choices.
    #[serde(default)]
    pub moment: String,
}

fn moment_value(p: &Promise) -> String {
    format!("{}/{}", p.date, p.part.as_str())
}

/// "vandaag tussen 13:00 en 17:00", "morgen tussen 09:00 en 12:00", "op dinsdag 1 december
/// tussen ..." (and in English).
pub fn promise_in_words(tx: &Tx, today: Date, date: Date, part: PartOfDay) -> String {
    let (from, until) = part_hours(part);
    let day = if date == today {
        tx.t("vandaag", "today").to_string()
    } else if today.tomorrow().ok() == Some(date) {
        tx.t("morgen", "tomorrow").to_string()
    } else {
        format!("{} {}", tx.t("op", "on"), tx.day_in_words(date))
    };
    format!(
        "{day} {} {from:02}:00 {} {until:02}:00",
        tx.t("tussen", "between"),
        tx.t("en", "and")
    )
}

fn today(app: &App, tenant: &Tenant) -> Date {
    app.clock
        .now()
        .to_zoned(tenant.time_zone.tz().clone())
        .date()
}

fn form_page(
    ctx: &Ctx,
    tenant: &Tenant,
    today: Date,
    services: &[Service],
    choices: &[Promise],
    form: &CallbackFields,
    errors: &[(String, String)],
) -> Response {
    let tx = Tx::new(ctx.lang, tenant.tone);
    let group = |id: &str| {
        let error = error_for(errors, id);
        (
            if error.is_some() {
                "field field--error"
            } else {
                "field"
            },
            error,
        )
    };
    let (service_class, service_error) = group("dienst");
    let (moment_class, moment_error) = group("moment");
    let body = html! {
        (error_summary(&tx, errors))
        @if choices.is_empty() {
            p class="lead" {
                (tx.pick(
                    "Terugbellen kan de komende twee weken niet. Maak een afspraak of bel ons zelf.",
                    "Terugbellen kan de komende twee weken niet. Maak een afspraak of bel ons zelf.",
                    "We cannot call back in the next two weeks. Book an appointment or phone us yourself."
                ))
            }
            p { a class="button" href={ "/" (url(tenant.slug.as_str())) } { (tx.t("Een afspraak maken", "Book an appointment")) } }
        } @else {
            p class="lead" {
                (tx.pick(
                    "Liever gebeld worden dan wachten? Laat uw nummer achter. Een medewerker belt u op het dagdeel dat u kiest.",
                    "Liever gebeld worden dan wachten? Laat je nummer achter. Een medewerker belt je op het dagdeel dat je kiest.",
                    "Rather be phoned than wait? Leave your number. A clerk will call you in the part of the day you choose."
                ))
            }
            form method="post" novalidate {
                (Field::input("phone", "tel", tx.t("Telefoonnummer", "Phone number"), &form.phone)
                    .autocomplete("tel")
                    .required()
                    .hint(Some(tx.t("Bijvoorbeeld 06 12345678.", "For example 06 12345678.")))
                    .render(&tx, errors))
                (Field::input("name", "text", tx.t("Naam", "Name"), &form.name)
                    .autocomplete("name")
                    .required()
                    .render(&tx, errors))
                fieldset class=(service_class) aria-describedby=[service_error.map(|_| "dienst-error")] {
                    legend { (tx.t("Waarover gaat het?", "What is it about?")) }
                    @if let Some(message) = service_error {
                        (field_error(&tx, "dienst-error", message))
                    }
                    @for (i, s) in services.iter().enumerate() {
                        @let id = if i == 0 { "dienst".to_string() } else { format!("dienst-{i}") };
                        (Radio {
                            id: &id,
                            name: "dienst",
                            value: &s.id.to_string(),
                            label: &s.name,
                            checked: form.dienst == s.id.to_string() || services.len() == 1,
                            invalid: service_error.is_some(),
                            required: true,
                            described_by: None,
                        }.render())
                    }
                }
                fieldset class=(moment_class) aria-describedby=[moment_error.map(|_| "moment-error")] {
                    legend { (tx.pick("Wanneer mogen we u bellen?", "Wanneer mogen we je bellen?", "When may we call you?")) }
                    @if let Some(message) = moment_error {
                        (field_error(&tx, "moment-error", message))
                    }
                    @for (i, p) in choices.iter().enumerate() {
                        @let id = if i == 0 { "moment".to_string() } else { format!("moment-{i}") };
                        @let value = moment_value(p);
                        @let label = super::picker::capitalise_first(&promise_in_words(&tx, today, p.date, p.part));
                        (Radio {
                            id: &id,
                            name: "moment",
                            value: &value,
                            label: &label,
                            checked: form.moment == value,
                            invalid: moment_error.is_some(),
                            required: true,
                            described_by: None,
                        }.render())
                    }
                }
                button type="submit" class="button" { (tx.t("Bel mij terug", "Call me back")) }
            }
        }
    };
    let page = render(
        ctx,
        Page {
            title: tx.t("Bel mij terug", "Call me back").to_string(),
            tenant: Some(tenant),
            body,
            has_errors: !errors.is_empty(),
            nav: None,
        },
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    ctx.finish((status, page))
}

pub async fn show(State(app): State<App>, Path(slug): Path<String>, ctx: Ctx) -> Response {
    let tenant = match ::booking::usecases::booking::municipality(&app, &slug).await {
        Ok(tenant) => tenant,
        Err(err) => return crate::error::error_page(&ctx, err),
    };
    let outcome = async {
        let services = ::booking::usecases::booking::offered_services(&app, tenant.id).await?;
        let choices = callbacks::choices(&app, &tenant).await?;
        let today = today(&app, &tenant);
        Ok(form_page(
            &ctx,
            &tenant,
            today,
            &services,
            &choices,
            &CallbackFields::default(),
            &[],
        ))
    }
    .await;
    crate::error::respond_for(&ctx, &tenant, outcome)
}

pub async fn submit(
    State(app): State<App>,
    ClientAddress(client): ClientAddress,
    Path(slug): Path<String>,
    ctx: Ctx,
    Form(form): Form<CallbackFields>,
) -> Response {
    let tenant = match ::booking::usecases::booking::municipality(&app, &slug).await {
        Ok(tenant) => tenant,
        Err(err) => return crate::error::error_page(&ctx, err),
    };
    let outcome = async {
        let tx = Tx::new(ctx.lang, tenant.tone);
        let services = ::booking::usecases::booking::offered_services(&app, tenant.id).await?;
        let choices = callbacks::choices(&app, &tenant).await?;
        let today = today(&app, &tenant);
        let mut errors: Vec<(String, String)> = Vec::new();
        let service = form.dienst.parse().ok();
        let any = service.unwrap_or_default();
        for (field, check) in [
            (
                "phone",
                CallbackForm::parse(any, "Naam", &form.phone, "morning"),
            ),
            (
                "name",
                CallbackForm::parse(any, &form.name, "0612345678", "morning"),
            ),
        ] {
            if let Err(Error::Invalid { message, .. }) = check {
                // The phone number is required here, unlike on the booking form.
                let words = if field == "phone" {
                    tx.pick(
                        "Vul uw telefoonnummer in, bijvoorbeeld 06 12345678.",
                        "Vul je telefoonnummer in, bijvoorbeeld 06 12345678.",
                        "Enter your phone number, for example 06 12345678.",
                    )
                    .to_string()
                } else {
                    tx.field_error(field, &message)
                };
                errors.push((field.into(), words));
            }
        }
        if service.is_none() {
            errors.push((
                "dienst".into(),
                tx.t("Kies waarover het gaat.", "Choose what it is about.")
                    .into(),
            ));
        }
        let chosen = choices.iter().find(|p| moment_value(p) == form.moment);
        if chosen.is_none() {
            errors.push((
                "moment".into(),
                tx.t(
                    "Kies een dagdeel uit de lijst.",
                    "Choose a part of the day from the list.",
                )
                .into(),
            ));
        }
        let (Some(service), Some(chosen), true) = (service, chosen, errors.is_empty()) else {
            return Ok(form_page(
                &ctx, &tenant, today, &services, &choices, &form, &errors,
            ));
        };
        let request = CallbackForm::parse(service, &form.name, &form.phone, chosen.part.as_str())?
            .on(&chosen.date.to_string())?;
        request.count(&app, client)?;
        match queue::request_callback(&app, &tenant, request).await {
            Ok(_) => Ok(see_other(&format!(
                "/{}/terugbellen/bevestiging?dag={}&deel={}",
                url(tenant.slug.as_str()),
                chosen.date,
                chosen.part.as_str()
            ))),
            // The part ended or the service went away between showing and sending: choose again.
            Err(Error::Invalid { .. } | Error::NotFound(_)) => {
                let choices = callbacks::choices(&app, &tenant).await?;
                let errors = vec![(
                    "moment".to_string(),
                    tx.t(
                        "Dit dagdeel kan niet meer. Kies een ander dagdeel.",
                        "This part of the day is no longer possible. Choose another one.",
                    )
                    .to_string(),
                )];
                Ok(form_page(
                    &ctx, &tenant, today, &services, &choices, &form, &errors,
                ))
            }
            Err(other) => Err(other),
        }
    }
    .await;
    crate::error::respond_for(&ctx, &tenant, outcome)
}

pub async fn confirmation(State(app): State<App>, Path(slug): Path<String>, ctx: Ctx) -> Response {
    let tenant = match ::booking::usecases::booking::municipality(&app, &slug).await {
        Ok(tenant) => tenant,
        Err(err) => return crate::error::error_page(&ctx, err),
    };
    let outcome = async {
        let tx = Tx::new(ctx.lang, tenant.tone);
        let date: Option<Date> = ctx.param("dag").and_then(|d| d.parse().ok());
        let part = ctx.param("deel").and_then(PartOfDay::parse);
        let (Some(date), Some(part)) = (date, part) else {
            return Err(Error::NotFound("callback request"));
        };
        let promise = promise_in_words(&tx, today(&app, &tenant), date, part);
        let body = html! {
            div class="notice" role="status" {
                p class="lead" id="belofte" {
                    (tx.pick("We bellen u ", "We bellen je ", "We will call you ")) (promise) "."
                }
            }
            p {
                (tx.pick(
                    "U wordt gebeld door een medewerker van de gemeente. Neemt u twee keer niet op? Dan sturen we u een sms.",
                    "Je wordt gebeld door een medewerker van de gemeente. Neem je twee keer niet op? Dan sturen we je een sms.",
                    "A clerk of the municipality will phone you. If you do not answer twice, we will send you a text message."
                ))
            }
            p { a class="button button--secondary" href={ "/" (url(tenant.slug.as_str())) } { (tx.t("Naar de startpagina", "Go to the start page")) } }
        };
        Ok(render(
            &ctx,
            Page {
                title: tx.t("We bellen terug", "We will call back").to_string(),
                tenant: Some(&tenant),
                body,
                has_errors: false,
                nav: None,
            },
        )
        .into_response())
    }
    .await;
    crate::error::respond_for(&ctx, &tenant, outcome)
}
