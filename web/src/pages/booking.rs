//! `/{slug}/{service}`: choose a day, then a time, then fill in the details and book.
//!
//! The steps are one address with a query (`?day=`, then `?start=`), so the browser's back
//! button walks back through them. A service for several people asks first for how many
//! (`?personen=`, issue 16 item 8), carried through the steps like the triage answers; the
//! details form then asks the other people's names. Booking itself is a POST that redirects to the
//! confirmation page (Post/Redirect/Get); errors re-render the form with the values kept.

use super::picker::{self, capitalise_first, TimesForm};
use super::privacy::{choices_from_form, consent_fieldsets, consent_intro, missing_errors};
use super::tenant_and_service;
use super::triage;
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{error_summary, Field, Radio};
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
    /// The language or interpreter the resident needs (optional).
    #[serde(default)]
    pub language: String,
    /// The answers to the questions before booking, carried from the first step.
    #[serde(default)]
    pub triage: String,
    /// For how many people (the resident included), carried from the first step; the other
    /// people's names come as `person1`, `person2`... (read from `rest`).
    #[serde(default)]
    pub personen: String,
    /// The consent radios, `consent-{source}` = choice; read with `privacy::choices_from_form`.
    #[serde(flatten)]
    pub rest: HashMap<String, String>,
}

/// The fields of the extra people's names and their labels (persons 2 to 8).
const PERSON_IDS: [&str; 7] = [
    "person1", "person2", "person3", "person4", "person5", "person6", "person7",
];
const PERSON_LABELS: [(&str, &str); 7] = [
    ("Naam van persoon 2", "Name of person 2"),
    ("Naam van persoon 3", "Name of person 3"),
    ("Naam van persoon 4", "Name of person 4"),
    ("Naam van persoon 5", "Name of person 5"),
    ("Naam van persoon 6", "Name of person 6"),
    ("Naam van persoon 7", "Name of person 7"),
    ("Naam van persoon 8", "Name of person 8"),
];

fn base(tenant: &Tenant, service: &Service) -> String {
    format!("/{}/{}", url(tenant.slug.as_str()), service.id)
}

/// What the first steps chose, carried through the next steps' addresses and forms: the
/// answers to the questions before booking and for how many people.
#[derive(Clone, Debug, Default)]
struct Carried {
    triage: Option<String>,
    people: u8,
}

impl Carried {
    fn new(triage: Option<&str>, people: u8) -> Self {
        Self {
            triage: triage.filter(|t| !t.is_empty()).map(str::to_string),
            people: people.max(1),
        }
    }

    /// As hidden fields (name, value).
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(t) = &self.triage {
            out.push(("triage", t.clone()));
        }
        if self.people > 1 {
            out.push(("personen", self.people.to_string()));
        }
        out
    }

    /// To append to a step's address that already has a query (`&triage=...&personen=2`).
    fn query(&self) -> String {
        self.fields()
            .iter()
            .map(|(k, v)| format!("&{k}={}", url(v)))
            .collect()
    }

    /// The query on its own (`?triage=...`), or nothing.
    fn query_alone(&self) -> String {
        let q = self.query();
        match q.strip_prefix('&') {
            Some(rest) => format!("?{rest}"),
            None => q,
        }
    }
}

/// The extra people's names as typed (`person1`...`person{n-1}`).
fn typed_people(details: &Details, people: u8) -> Vec<String> {
    (1..people)
        .map(|i| {
            details
                .rest
                .get(&format!("person{i}"))
                .cloned()
                .unwrap_or_default()
        })
        .collect()
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
        // For how many people, when the service allows more than one: asked before the days,
        // since each extra person makes the times longer.
        let party = service.party;
        let people = match ctx.param("personen").map(|p| p.trim().parse::<i64>()) {
            _ if !party.asks() => 1,
            Some(Ok(n)) if party.head_count(n).is_ok() => n as u8,
            typed => {
                // Sent without a choice (the form's `gevraagd`), or with one not on offer.
                let asked = typed.is_some() || ctx.param("gevraagd").is_some();
                let error = asked.then(|| {
                    tx.t(
                        "Kies voor hoeveel personen de afspraak is.",
                        "Choose for how many people the appointment is.",
                    )
                    .to_string()
                });
                return Ok(people_page(
                    &ctx,
                    &tx,
                    &tenant,
                    &service,
                    party.max_people,
                    carry.as_deref(),
                    &notes,
                    error,
                ));
            }
        };
        let carry = Carried::new(carry.as_deref(), people);
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
                    triage: carry.triage.clone().unwrap_or_default(),
                    personen: people.to_string(),
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
                    &carry,
                )
                .await
            }
            (None, None) => days_page(&app, &ctx, &tx, &tenant, &service, &carry, &notes).await,
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
        let people = details.personen.trim().parse::<u8>().unwrap_or(1).max(1);
        let carry = Carried::new(Some(details.triage.as_str()), people);
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
        )
        .and_then(|r| r.with_language(Some(&details.language)));
        // A choice per source is required in the form (the API may leave some out).
        let mut missing = missing_errors(&tx, &sources, &consents);
        missing.extend(people_errors(&tx, &typed_people(&details, people)));
        let request = match parsed {
            Ok(request) if missing.is_empty() => request
                .with_consents(consents)
                .with_triage(carry.triage.clone())
                .with_people(typed_people(&details, people)),
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
                    &carry,
                )
                .await
            }
            // The questions changed since they were answered, or were skipped: ask them. The
            // same when the service now allows fewer people: ask for how many again.
            Err(Error::Invalid { field, .. }) if field == "/triage" || field == "/people" => {
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
                    &carry,
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
        BookingRequest::parse(START, NAME, EMAIL, None, None)
            .and_then(|r| r.with_language(Some(&d.language))),
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

/// Each extra person's name, checked as the resident's own (`person1`...).
fn people_errors(tx: &Tx, names: &[String]) -> Vec<(String, String)> {
    names
        .iter()
        .enumerate()
        .filter_map(|(i, name)| {
            let n = i + 2;
            ::booking::domain::text::PersonName::parse(name)
                .err()
                .map(|_| {
                    (
                        format!("person{}", i + 1),
                        match tx.lang {
                            crate::i18n::Lang::Nl => {
                                format!("Vul de naam van persoon {n} in (hoogstens 100 tekens).")
                            }
                            crate::i18n::Lang::En => {
                                format!("Fill in the name of person {n} (at most 100 characters).")
                            }
                        },
                    )
                })
        })
        .collect()
}

/// "Voor hoeveel personen?": a radio per number, before the days (issue 16 item 8).
#[allow(clippy::too_many_arguments)]
fn people_page(
    ctx: &Ctx,
    tx: &Tx,
    tenant: &Tenant,
    service: &Service,
    max: u8,
    triage: Option<&str>,
    notes: &[String],
    error: Option<String>,
) -> Response {
    let base = base(tenant, service);
    let errors: Vec<(String, String)> = error
        .iter()
        .map(|e| ("personen-1".to_string(), e.clone()))
        .collect();
    let invalid = error.is_some();
    let body = html! {
        (error_summary(tx, &errors))
        p class="lead" { (service.name) }
        (triage::notes(tx, notes))
        form method="get" action=(base) novalidate {
            input type="hidden" name="gevraagd" value="1";
            @if let Some(t) = triage.filter(|t| !t.is_empty()) {
                input type="hidden" name="triage" value=(t);
            }
            fieldset class="question" aria-describedby=[invalid.then_some("personen-error")] {
                legend { (tx.t("Voor hoeveel personen?", "For how many people?")) }
                p class="field-hint" {
                    (tx.pick(
                        "Bijvoorbeeld voor uw hele gezin. Tel uzelf mee. Elke extra persoon maakt het gesprek wat langer.",
                        "Bijvoorbeeld voor je hele gezin. Tel jezelf mee. Elke extra persoon maakt het gesprek wat langer.",
                        "For example for your whole family. Count yourself too. Each extra person makes the call a little longer."
                    ))
                }
                @if let Some(e) = &error {
                    p class="field-error" id="personen-error" {
                        span class="visually-hidden" { (tx.t("Fout: ", "Error: ")) }
                        (e)
                    }
                }
                div class="radio-grid" {
                    @for n in 1..=max {
                        (Radio {
                            id: &format!("personen-{n}"),
                            name: "personen",
                            value: &n.to_string(),
                            label: &match (tx.lang, n) {
                                (crate::i18n::Lang::Nl, 1) => "1 persoon".to_string(),
                                (crate::i18n::Lang::Nl, n) => format!("{n} personen"),
                                (crate::i18n::Lang::En, 1) => "1 person".to_string(),
                                (crate::i18n::Lang::En, n) => format!("{n} people"),
                            },
                            checked: false,
                            invalid,
                            required: true,
                            described_by: None,
                        }.render())
                    }
                }
            }
            button type="submit" class="button" { (tx.t("Verder", "Continue")) }
        }
        p {
            a href={ "/" (url(tenant.slug.as_str())) } {
                (tx.t("Een andere dienst kiezen", "Choose another service"))
            }
        }
    };
    let status = if invalid {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (
        status,
        render(
            ctx,
            Page {
                title: tx
                    .t("Voor hoeveel personen?", "For how many people?")
                    .to_string(),
                tenant: Some(tenant),
                body,
                has_errors: invalid,
                nav: None,
            },
        ),
    )
        .into_response()
}

async fn days_page(
    app: &App,
    ctx: &Ctx,
    tx: &Tx,
    tenant: &Tenant,
    service: &Service,
    carry: &Carried,
    notes: &[String],
) -> Result<Response> {
    let days = picker::free_days(app, tenant, service, i64::from(carry.people)).await?;
    let base = base(tenant, service);
    let also = carry.query();
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
    carry: &Carried,
) -> Result<Response> {
    let times = picker::free_times(app, tenant, service, i64::from(carry.people), day).await?;
    let base = base(tenant, service);
    let other_day_href = format!("{base}{}", carry.query_alone());
    let has_errors = error.is_some();
    let carried = carry.fields();
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
            carry: &carried,
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
    let language_label = format!(
        "{}{optional}",
        tx.t("Taal of tolk nodig?", "Language or interpreter needed?")
    );
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
        Field::input("language", "text", &language_label, &values.language).hint(Some(tx.pick(
            "Spreekt u liever een andere taal, of heeft u een tolk nodig? Schrijf welke taal, bijvoorbeeld: Arabisch, tolk nodig. De medewerker ziet dit vóór het gesprek.",
            "Spreek je liever een andere taal, of heb je een tolk nodig? Schrijf welke taal, bijvoorbeeld: Arabisch, tolk nodig. De medewerker ziet dit vóór het gesprek.",
            "Would you rather speak another language, or do you need an interpreter? Write which language, for example: Arabic, interpreter needed. The clerk sees this before the call.",
        ))),
        Field::textarea("note", 4, &note_label, &values.note).hint(Some(tx.pick(
            "Bijvoorbeeld: ik wil graag dat mijn dochter meekijkt.",
            "Bijvoorbeeld: ik wil graag dat mijn dochter meekijkt.",
            "For example: I would like my daughter to join.",
        ))),
    ];
    let chosen = choices_from_form(
        sources,
        values.rest.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let people = values.personen.trim().parse::<u8>().unwrap_or(1).max(1);
    let carry = Carried::new(Some(values.triage.as_str()), people);
    let names = typed_people(values, people);
    let person_fields: Vec<Field> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            Field::input(
                PERSON_IDS.get(i).copied().unwrap_or("person7"),
                "text",
                PERSON_LABELS
                    .get(i)
                    .map(|(nl, en)| tx.t(nl, en))
                    .unwrap_or_default(),
                name,
            )
        })
        .collect();
    let base = base(tenant, service);
    let body = html! {
        (error_summary(tx, errors))
        div class="chosen" {
            p { strong { (service.name) } }
            p { (capitalise_first(&tx.when_in_words(tenant, start))) }
            @if people > 1 {
                p {
                    (match tx.lang {
                        crate::i18n::Lang::Nl => format!("Voor {people} personen"),
                        crate::i18n::Lang::En => format!("For {people} people"),
                    })
                }
            }
            p {
                a href={ (base) "?day=" (day.to_string()) (carry.query()) } {
                    (tx.t("Een andere tijd kiezen", "Choose another time"))
                }
            }
        }
        form method="post" action=(base) novalidate {
            input type="hidden" name="start" value=(StartTime::written(start, tenant.time_zone.tz()));
            @for (name, value) in carry.fields() {
                input type="hidden" name=(name) value=(value);
            }
            @for field in &fields {
                (field.render(tx, errors))
            }
            @if !person_fields.is_empty() {
                h2 { (tx.t("Wie komen er nog meer?", "Who else is in the appointment?")) }
                p {
                    (tx.pick(
                        "Vul de namen in van de andere personen in deze afspraak. De medewerker helpt iedereen in één gesprek.",
                        "Vul de namen in van de andere personen in deze afspraak. De medewerker helpt iedereen in één gesprek.",
                        "Fill in the names of the other people in this appointment. The clerk helps everyone in one call."
                    ))
                }
                @for field in &person_fields {
                    (field.render(tx, errors))
                }
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
