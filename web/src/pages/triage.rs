//! The questions before booking (issue 16 item 7), the first step of `/{slug}/{service}` when
//! the service has any. The answers are carried through the next steps as `?triage=0-1` (no
//! session is needed); an answer that stops the booking shows where to go instead.

use crate::context::Ctx;
use crate::error::see_other;
use crate::form::{error_summary, Radio};
use crate::html::url;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use ::booking::domain::catalog::Service;
use ::booking::domain::tenant::Tenant;
use ::booking::domain::text::PhoneNumber;
use ::booking::domain::triage::{self as rules, Outcome, Question};
use ::booking::usecases::triage;
use ::booking::{App, Result};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};

/// Whether the resident may go on to choose a time.
pub enum Gate {
    /// Yes: `carry` is the `triage` value to keep in the next steps' addresses (none when the
    /// service asks nothing); `notes` are texts the answers asked to show.
    Through {
        carry: Option<String>,
        notes: Vec<String>,
    },
    /// No: this page (the questions, or where to go instead) is the answer.
    Page(Response),
}

/// The gate before the days page, from the query: `answered` (the questions' form was sent),
/// else `triage` (carried from that form), else the questions.
pub async fn gate(
    app: &App,
    ctx: &Ctx,
    tx: &Tx,
    tenant: &Tenant,
    service: &Service,
    base: &str,
) -> Result<Gate> {
    let questions = triage::questions(app, service).await?;
    if questions.is_empty() {
        return Ok(Gate::Through {
            carry: None,
            notes: vec![],
        });
    }
    if ctx.param("answered").is_some() {
        let chosen: Vec<Option<usize>> = (0..questions.len())
            .map(|i| ctx.param(&format!("q{i}")).and_then(|v| v.parse().ok()))
            .collect();
        let missing: Vec<usize> = (0..questions.len())
            .filter(|&i| chosen[i].is_none_or(|c| c >= questions[i].answers.len()))
            .collect();
        if !missing.is_empty() {
            let page = questions_page(ctx, tx, tenant, service, &questions, &chosen, &missing);
            return Ok(Gate::Page(
                (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
            ));
        }
        let chosen: Vec<usize> = chosen.into_iter().flatten().collect();
        let encoded = rules::encode(&chosen);
        return Ok(Gate::Page(
            match rules::outcome(&questions, Some(&encoded)) {
                Ok(Outcome::Book { .. }) => see_other(&format!("{base}?triage={encoded}")),
                Ok(stop) => stop_page(ctx, tx, tenant, service, &stop, base).into_response(),
                Err(_) => {
                    questions_page(ctx, tx, tenant, service, &questions, &[], &[]).into_response()
                }
            },
        ));
    }
    match rules::outcome(&questions, ctx.param("triage")) {
        Ok(Outcome::Book { notes, .. }) => Ok(Gate::Through {
            carry: ctx.param("triage").map(str::to_string),
            notes,
        }),
        Ok(stop) => Ok(Gate::Page(
            stop_page(ctx, tx, tenant, service, &stop, base).into_response(),
        )),
        // Not answered yet, or an address from before the questions changed: ask (again).
        Err(_) => Ok(Gate::Page(
            questions_page(ctx, tx, tenant, service, &questions, &[], &[]).into_response(),
        )),
    }
}

/// The texts the answers asked to show, above the days.
pub fn notes(tx: &Tx, notes: &[String]) -> Markup {
    html! {
        @if !notes.is_empty() {
            div class="notice" role="note" {
                h2 { (tx.t("Goed om te weten", "Good to know")) }
                @for note in notes { p { (note) } }
            }
        }
    }
}

fn questions_page(
    ctx: &Ctx,
    tx: &Tx,
    tenant: &Tenant,
    service: &Service,
    questions: &[Question],
    chosen: &[Option<usize>],
    missing: &[usize],
) -> axum::response::Html<String> {
    let errors: Vec<(String, String)> = missing
        .iter()
        .map(|&i| {
            (
                format!("q{i}-0"),
                format!(
                    "{} {}",
                    tx.t("Kies een antwoord bij:", "Choose an answer to:"),
                    questions[i].text
                ),
            )
        })
        .collect();
    let base = format!("/{}/{}", url(tenant.slug.as_str()), service.id);
    let body = html! {
        (error_summary(tx, &errors))
        p class="lead" { (service.name) }
        p {
            (tx.pick(
                "Eerst een paar vragen. Dan weten we of dit met een videogesprek kan.",
                "Eerst een paar vragen. Dan weten we of dit met een videogesprek kan.",
                "First a few questions, so we know whether this can be done by video call."
            ))
        }
        form method="get" action=(base) novalidate {
            input type="hidden" name="answered" value="1";
            @for (i, question) in questions.iter().enumerate() {
                @let name = format!("q{i}");
                @let invalid = missing.contains(&i);
                @let error_id = format!("q{i}-error");
                fieldset class="question" aria-describedby=[invalid.then_some(error_id.as_str())] {
                    legend { (question.text) }
                    @if invalid {
                        p class="field-error" id=(error_id) {
                            span class="visually-hidden" { (tx.t("Fout: ", "Error: ")) }
                            (tx.t("Kies een antwoord.", "Choose an answer."))
                        }
                    }
                    div class="radio-grid" {
                        @for (j, answer) in question.answers.iter().enumerate() {
                            (Radio {
                                id: &format!("q{i}-{j}"),
                                name: &name,
                                value: &j.to_string(),
                                label: &answer.label,
                                checked: chosen.get(i).copied().flatten() == Some(j),
                                invalid,
                                required: true,
                                described_by: None,
                            }.render())
                        }
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
    render(
        ctx,
        Page {
            title: tx.t("Vragen vooraf", "Questions first").to_string(),
            tenant: Some(tenant),
            body,
            has_errors: !errors.is_empty(),
            nav: None,
        },
    )
}

/// Where to go instead of a video call, with the municipality's number in sight.
fn stop_page(
    ctx: &Ctx,
    tx: &Tx,
    tenant: &Tenant,
    service: &Service,
    stop: &Outcome,
    base: &str,
) -> axum::response::Html<String> {
    let phone = tenant
        .resident_info
        .phone
        .as_deref()
        .and_then(|p| PhoneNumber::parse_for_municipality(p).ok());
    let call = html! {
        @if let Some(phone) = &phone {
            p {
                (tx.t("Bel ons: ", "Call us: "))
                a class="tel-link" href={ "tel:" (phone.as_str()) } { (phone.in_words()) }
            }
        } @else {
            // A municipality that gave no number: its general number is 14 plus the area code.
            p {
                (tx.t(
                    "Bel de gemeente: 14 met daarachter het netnummer (bijvoorbeeld 14 020).",
                    "Call the municipality: 14 followed by the area code (for example 14 020)."
                ))
            }
        }
    };
    let body = html! {
        p class="lead" { (service.name) }
        @match stop {
            Outcome::Counter { place } => {
                p { (tx.pick(
                    "Volgens uw antwoorden kan dit niet met een videogesprek. Kom hiervoor naar de balie:",
                    "Volgens je antwoorden kan dit niet met een videogesprek. Kom hiervoor naar de balie:",
                    "According to your answers this cannot be done by video call. Please come to the counter:"
                )) }
                p class="notice" { (place) }
                (call)
            }
            _ => {
                p { (tx.pick(
                    "Volgens uw antwoorden kunnen we u beter eerst spreken. Bel ons, dan kijken we samen wat nodig is.",
                    "Volgens je antwoorden kunnen we je beter eerst spreken. Bel ons, dan kijken we samen wat nodig is.",
                    "According to your answers we had better talk first. Call us and we will see together what is needed."
                )) }
                (call)
            }
        }
        p { a href=(base) { (tx.t("De vragen opnieuw beantwoorden", "Answer the questions again")) } }
        p {
            a href={ "/" (url(tenant.slug.as_str())) } {
                (tx.t("Een andere dienst kiezen", "Choose another service"))
            }
        }
    };
    render(
        ctx,
        Page {
            title: tx
                .t(
                    "Dit kan niet met een videogesprek",
                    "This cannot be done by video call",
                )
                .to_string(),
            tenant: Some(tenant),
            body,
            has_errors: false,
            nav: None,
        },
    )
}
