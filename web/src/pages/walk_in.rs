//! `/{slug}/inloop`: join the municipality's video queue without an appointment, and `/w/{token}`:
//! where the resident stands (place, expected wait, being called) with a "leave the line"
//! button. Both work without JavaScript (forms that post and redirect, a reload link);
//! `static/walkin.js` follows the entry's Server-Sent Events and updates the words live.

use crate::context::Ctx;
use crate::error::{error_page, respond, see_other};
use crate::form::{error_summary, field_error, Field, Radio};
use crate::html::url;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use ::booking::api::security::ClientAddress;
use ::booking::domain::catalog::Service;
use ::booking::domain::queue::EntryStatus;
use ::booking::domain::tenant::Tenant;
use ::booking::error::Conflict;
use ::booking::usecases::callbacks::{self, WalkInHours};
use ::booking::usecases::queue::{self, WalkInRequest};
use ::booking::{App, Error, Result};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use jiff::Timestamp;
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct WalkInForm {
    #[serde(default)]
    pub dienst: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
}

/// The services with whether walk-ins are taken for each now.
async fn services_and_hours(app: &App, tenant: &Tenant) -> Result<Vec<(Service, WalkInHours)>> {
    let mut out = Vec::new();
    for service in ::booking::usecases::booking::offered_services(app, tenant.id).await? {
        let hours = callbacks::walk_in_hours(app, tenant, service.id).await?;
        out.push((service, hours));
    }
    Ok(out)
}

/// "maandag 30 november om 09:00" in the page's language.
fn opens_in_words(tx: &Tx, tenant: &Tenant, at: Option<Timestamp>) -> String {
    match at {
        Some(at) => tx.moment_in_words(tenant, at),
        None => tx
            .t("in de komende twee weken niet", "not in the next two weeks")
            .to_string(),
    }
}

/// The ways on when walking in is not possible: an appointment or a callback.
fn other_ways(tx: &Tx, tenant: &Tenant) -> Markup {
    let slug = url(tenant.slug.as_str());
    html! {
        ul class="actions" {
            li { a class="button" href={ "/" (slug) } { (tx.t("Een afspraak maken", "Book an appointment")) } }
            li { a class="button button--secondary" href={ "/" (slug) "/terugbellen" } { (tx.t("Vraag of we u terugbellen", "Ask us to call you back")) } }
        }
    }
}

/// The municipality does not take walk-ins: a plain 404 page that points to booking.
fn no_walk_ins(ctx: &Ctx, tenant: &Tenant) -> Response {
    let tx = Tx::new(ctx.lang, tenant.tone);
    let slug = url(tenant.slug.as_str());
    let body = html! {
        p {
            (tx.pick(
                "Bij deze gemeente kunt u niet zonder afspraak in de online wachtrij. Maak een afspraak: dan weet u zeker wanneer u aan de beurt bent.",
                "Bij deze gemeente kun je niet zonder afspraak in de online wachtrij. Maak een afspraak: dan weet je zeker wanneer je aan de beurt bent.",
                "This municipality does not take residents without an appointment in its online queue. Book an appointment: then you know for sure when it is your turn."
            ))
        }
        p { a class="button" href={ "/" (slug) } { (tx.t("Een afspraak maken", "Book an appointment")) } }
    };
    let page = render(
        ctx,
        Page {
            title: tx
                .t("Binnenlopen kan hier niet", "No walk-ins here")
                .to_string(),
            tenant: Some(tenant),
            body,
            has_errors: false,
            nav: None,
        },
    );
    ctx.finish((StatusCode::NOT_FOUND, page))
}

fn form_page(
    ctx: &Ctx,
    tenant: &Tenant,
    services: &[(Service, WalkInHours)],
    form: &WalkInForm,
    errors: &[(String, String)],
) -> Response {
    let tx = Tx::new(ctx.lang, tenant.tone);
    let open: Vec<&Service> = services
        .iter()
        .filter(|(_, h)| *h == WalkInHours::OpenNow)
        .map(|(s, _)| s)
        .collect();
    let closed: Vec<(&Service, Option<Timestamp>)> = services
        .iter()
        .filter_map(|(s, h)| match h {
            WalkInHours::Closed { opens_next } => Some((s, *opens_next)),
            WalkInHours::OpenNow => None,
        })
        .collect();
    let service_error = crate::form::error_for(errors, "dienst");
    let body = html! {
        (error_summary(&tx, errors))
        @if open.is_empty() {
            @let first = closed.iter().filter_map(|(_, at)| *at).min();
            p class="lead" id="gesloten" {
                @if let Some(at) = first {
                    (tx.pick(
                        "Er is nu niemand aan het werk voor de online wachtrij. U kunt weer binnenlopen vanaf ",
                        "Er is nu niemand aan het werk voor de online wachtrij. Je kunt weer binnenlopen vanaf ",
                        "Nobody is working for the online queue now. You can walk in again from "
                    ))
                    strong { (tx.moment_in_words(tenant, at)) }
                    "."
                } @else {
                    (tx.pick(
                        "Er is de komende twee weken niemand aan het werk voor de online wachtrij.",
                        "Er is de komende twee weken niemand aan het werk voor de online wachtrij.",
                        "Nobody is working for the online queue in the next two weeks."
                    ))
                }
            }
            p {
                (tx.pick(
                    "U kunt ook een afspraak maken of vragen of we u terugbellen.",
                    "Je kunt ook een afspraak maken of vragen of we je terugbellen.",
                    "You can also book an appointment or ask us to call you back."
                ))
            }
            (other_ways(&tx, tenant))
        } @else {
            p class="lead" {
                (tx.pick(
                    "Wacht online op uw beurt voor een videogesprek. U ziet hoeveel mensen voor u zijn en hoe lang het ongeveer duurt.",
                    "Wacht online op je beurt voor een videogesprek. Je ziet hoeveel mensen voor je zijn en hoe lang het ongeveer duurt.",
                    "Wait online for your turn for a video call. You see how many people are ahead of you and about how long it takes."
                ))
            }
            form method="post" novalidate {
                fieldset class=(if service_error.is_some() { "field field--error" } else { "field" }) aria-describedby=[service_error.map(|_| "dienst-error")] {
                    legend { (tx.t("Waarover gaat het?", "What is it about?")) }
                    @if let Some(message) = service_error {
                        (field_error(&tx, "dienst-error", message))
                    }
                    @for (i, s) in open.iter().enumerate() {
                        @let id = if i == 0 { "dienst".to_string() } else { format!("dienst-{i}") };
                        (Radio {
                            id: &id,
                            name: "dienst",
                            value: &s.id.to_string(),
                            label: &s.name,
                            checked: form.dienst == s.id.to_string() || open.len() == 1,
                            invalid: service_error.is_some(),
                            required: true,
                            described_by: None,
                        }.render())
                    }
                }
                (Field::input("name", "text", tx.t("Naam", "Name"), &form.name)
                    .autocomplete("name")
                    .required()
                    .render(&tx, errors))
                (Field::input("phone", "tel", tx.t("Telefoonnummer (niet verplicht)", "Phone number (optional)"), &form.phone)
                    .autocomplete("tel")
                    .hint(Some(tx.pick(
                        "Zo kan de medewerker u bellen als het beeld wegvalt.",
                        "Zo kan de medewerker je bellen als het beeld wegvalt.",
                        "So the clerk can phone you if the picture drops out."
                    )))
                    .render(&tx, errors))
                button type="submit" class="button" { (tx.t("In de wachtrij", "Join the queue")) }
            }
            @if !closed.is_empty() {
                h2 { (tx.t("Nu gesloten", "Closed now")) }
                ul {
                    @for (s, at) in &closed {
                        li {
                            (s.name) ": "
                            (tx.t("binnenlopen vanaf ", "walk in from ")) (opens_in_words(&tx, tenant, *at))
                        }
                    }
                }
            }
        }
    };
    let page = render(
        ctx,
        Page {
            title: tx
                .t(
                    "Binnenlopen zonder afspraak",
                    "Walk in without an appointment",
                )
                .to_string(),
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
        if !tenant.walk_ins_allowed {
            return Ok(no_walk_ins(&ctx, &tenant));
        }
        let services = services_and_hours(&app, &tenant).await?;
        Ok(form_page(
            &ctx,
            &tenant,
            &services,
            &WalkInForm::default(),
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
    Form(form): Form<WalkInForm>,
) -> Response {
    let tenant = match ::booking::usecases::booking::municipality(&app, &slug).await {
        Ok(tenant) => tenant,
        Err(err) => return crate::error::error_page(&ctx, err),
    };
    let outcome = async {
        if !tenant.walk_ins_allowed {
            return Ok(no_walk_ins(&ctx, &tenant));
        }
        let tx = Tx::new(ctx.lang, tenant.tone);
        let mut errors: Vec<(String, String)> = Vec::new();
        let service = form.dienst.parse().ok();
        if service.is_none() {
            errors.push((
                "dienst".into(),
                tx.t("Kies waarover het gaat.", "Choose what it is about.")
                    .into(),
            ));
        }
        let phone = Some(form.phone.as_str());
        let any_service = service.unwrap_or_default();
        for (field, check) in [
            ("name", WalkInRequest::parse(any_service, &form.name, None)),
            ("phone", WalkInRequest::parse(any_service, "Naam", phone)),
        ] {
            if let Err(Error::Invalid { message, .. }) = check {
                errors.push((field.into(), tx.field_error(field, &message)));
            }
        }
        let (Some(service), true) = (service, errors.is_empty()) else {
            let services = services_and_hours(&app, &tenant).await?;
            return Ok(form_page(&ctx, &tenant, &services, &form, &errors));
        };
        let request = WalkInRequest::parse(service, &form.name, phone)?;
        request.count(&app, client)?;
        match queue::walk_in(&app, &tenant, request).await {
            Ok((_, token)) => Ok(see_other(&format!("/w/{}", token.as_str()))),
            // Closed between showing the form and sending it: the form says when it opens.
            Err(Error::Conflict(Conflict::WalkInClosed { .. })) => {
                let services = services_and_hours(&app, &tenant).await?;
                Ok(form_page(&ctx, &tenant, &services, &form, &[]))
            }
            Err(Error::NotFound(_)) => {
                let services = services_and_hours(&app, &tenant).await?;
                let errors = vec![(
                    "dienst".to_string(),
                    tx.t("Kies waarover het gaat.", "Choose what it is about.")
                        .to_string(),
                )];
                Ok(form_page(&ctx, &tenant, &services, &form, &errors))
            }
            Err(other) => Err(other),
        }
    }
    .await;
    crate::error::respond_for(&ctx, &tenant, outcome)
}

/// The words of the status line, for the page and (as data attributes) for `walkin.js`.
struct StatusWords {
    next: &'static str,
    place: &'static str,
    wait: &'static str,
    called: &'static str,
    in_call: &'static str,
    missed: &'static str,
    left: &'static str,
    done: &'static str,
}

fn status_words(tx: &Tx) -> StatusWords {
    StatusWords {
        next: tx.pick(
            "U bent de volgende.",
            "Jij bent de volgende.",
            "You are next.",
        ),
        place: tx.pick(
            "Er zijn {ahead} mensen voor u. U bent nummer {place}.",
            "Er zijn {ahead} mensen voor je. Je bent nummer {place}.",
            "There are {ahead} people ahead of you. You are number {place}.",
        ),
        wait: tx.t(
            "Verwachte wachttijd: ongeveer {minutes} minuten.",
            "Expected wait: about {minutes} minutes.",
        ),
        called: tx.pick(
            "Een medewerker roept u nu op.",
            "Een medewerker roept je nu op.",
            "A clerk is calling you now.",
        ),
        in_call: tx.pick(
            "U bent in gesprek met een medewerker.",
            "Je bent in gesprek met een medewerker.",
            "You are talking with a clerk.",
        ),
        missed: tx.pick(
            "U reageerde niet toen u werd opgeroepen. U staat niet meer in de rij.",
            "Je reageerde niet toen je werd opgeroepen. Je staat niet meer in de rij.",
            "You did not answer when you were called. You are no longer in the line.",
        ),
        left: tx.pick(
            "U hebt de rij verlaten.",
            "Je hebt de rij verlaten.",
            "You have left the line.",
        ),
        done: tx.t("Het gesprek is afgelopen.", "The call has ended."),
    }
}

fn status_text(words: &StatusWords, standing: &queue::Standing) -> String {
    match standing.entry.status {
        EntryStatus::Waiting => match standing.place {
            Some(p) => {
                let place = if p.place == 1 {
                    words.next.to_string()
                } else {
                    words
                        .place
                        .replace("{ahead}", &(p.place - 1).to_string())
                        .replace("{place}", &p.place.to_string())
                };
                format!(
                    "{place} {}",
                    words
                        .wait
                        .replace("{minutes}", &p.expected_wait.as_mins().max(1).to_string())
                )
            }
            None => words.next.to_string(),
        },
        EntryStatus::Called => words.called.to_string(),
        EntryStatus::Answered => words.in_call.to_string(),
        EntryStatus::Missed => words.missed.to_string(),
        EntryStatus::Left => words.left.to_string(),
        EntryStatus::Done => words.done.to_string(),
    }
}

pub async fn standing(State(app): State<App>, Path(token): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let (tenant, entry) = queue::entry_by_token(&app, &token).await?;
        let standing = queue::standing(&app, &tenant, entry.id).await?;
        let tx = Tx::new(ctx.lang, tenant.tone);
        let words = status_words(&tx);
        let in_line = matches!(
            standing.entry.status,
            EntryStatus::Waiting | EntryStatus::Called
        );
        let here = format!("/w/{}", url(&token));
        let body = html! {
            @if ctx.param("gedaan") == Some("verlaten") {
                (crate::form::notice(words.left))
            }
            p { (tx.t("Waarover: ", "About: ")) strong { (standing.service.name) } }
            p class="queue-status lead" id="queue-status" role="status" aria-live="polite"
                data-token=(token) data-status=(standing.entry.status.as_str())
                data-next=(words.next) data-place=(words.place) data-wait=(words.wait)
                data-called=(words.called) data-in-call=(words.in_call) data-missed=(words.missed)
                data-left=(words.left) data-done=(words.done) {
                (status_text(&words, &standing))
            }
            @if in_line || standing.entry.status == EntryStatus::Answered {
                p {
                    a class="button" id="to-video" href={ (here) "/video" } {
                        (tx.t("Naar het videogesprek", "Go to the video call"))
                    }
                }
                p {
                    (tx.pick(
                        "Daar controleren we eerst uw camera en microfoon. Daarna wacht u daar tot u aan de beurt bent.",
                        "Daar controleren we eerst je camera en microfoon. Daarna wacht je daar tot je aan de beurt bent.",
                        "There we first check your camera and microphone. Then you wait there until it is your turn."
                    ))
                }
            }
            @if in_line {
                p {
                    (tx.pick(
                        "Houd deze pagina open. Als u aan de beurt bent, ziet u dat hier.",
                        "Houd deze pagina open. Als je aan de beurt bent, zie je dat hier.",
                        "Keep this page open. When it is your turn, you will see it here."
                    ))
                }
                p id="refresh" { a href=(here) { (tx.t("Vernieuw de pagina", "Refresh the page")) } }
                form method="post" action={ (here) "/verlaten" } {
                    button type="submit" class="button button--secondary" id="leave-line" {
                        (tx.t("De rij verlaten", "Leave the line"))
                    }
                }
                script type="module" src="/static/walkin.js" {}
            } @else {
                p {
                    a class="button" href={ "/" (url(tenant.slug.as_str())) "/inloop" } {
                        (tx.t("Opnieuw in de rij", "Join the line again"))
                    }
                }
                (other_ways(&tx, &tenant))
            }
        };
        let page = render(
            &ctx,
            Page {
                title: tx.pick("Uw plek in de rij", "Je plek in de rij", "Your place in line").to_string(),
                tenant: Some(&tenant),
                body,
                has_errors: false,
                nav: None,
            },
        );
        Ok(page.into_response())
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn leave(State(app): State<App>, Path(token): Path<String>, ctx: Ctx) -> Response {
    let (_, entry) = match queue::entry_by_token(&app, &token).await {
        Ok(found) => found,
        Err(err) => return error_page(&ctx, err),
    };
    // Leaving twice, or after the call ended, shows the page as it is.
    let _ = queue::leave(&app, &entry).await;
    see_other(&format!("/w/{}?gedaan=verlaten", url(&token)))
}
