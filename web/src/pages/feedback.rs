//! The resident's rating after the call, `/a/{token}/beoordeling`: 1 to 10 and an optional
//! comment, which may be marked as a complaint. After sending (Post/Redirect/Get) the same
//! address thanks the resident and shows what was given; it never shows the form twice.

use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{self, error_for, error_summary, field_error, Radio};
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use booking::domain::feedback::{Feedback, MAX_COMMENT};
use booking::error::Conflict;
use booking::usecases;
use booking::usecases::booking::{unlock, Unlocked};
use booking::usecases::feedback::RatingState;
use booking::{App, Error, Result};
use maud::{html, Markup};
use serde::Deserialize;

pub fn routes() -> Router<App> {
    Router::new().route("/a/{token}/beoordeling", get(show).post(give))
}

/// The form as typed; every field optional so a tampered form still gets a page.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    pub rating: String,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub complaint: Option<String>,
}

fn home(u: &Unlocked) -> String {
    format!("/a/{}", u.token.as_str())
}

fn back_link(tx: &Tx, u: &Unlocked) -> Markup {
    html! {
        p {
            a href=(home(u)) {
                (tx.pick(
                    "Terug naar uw afspraak",
                    "Terug naar je afspraak",
                    "Back to your appointment"
                ))
            }
        }
    }
}

/// Each problem of the form at once, linked to its field.
fn form_errors(tx: &Tx, form: &RatingForm) -> (Option<i64>, Vec<(String, String)>) {
    let mut errors = Vec::new();
    let rating = form
        .rating
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|r| (1..=10).contains(r));
    if rating.is_none() {
        errors.push((
            "rating-1".to_string(),
            tx.t(
                "Kies een cijfer van 1 tot 10.",
                "Choose a number from 1 to 10.",
            )
            .to_string(),
        ));
    }
    if form.comment.chars().count() > MAX_COMMENT {
        errors.push((
            "comment".to_string(),
            tx.pick(
                "Uw opmerking mag hoogstens {max} tekens lang zijn.",
                "Je opmerking mag hoogstens {max} tekens lang zijn.",
                "Your comment can be at most {max} characters long.",
            )
            .replace("{max}", &MAX_COMMENT.to_string()),
        ));
    } else if form.complaint.is_some() && form.comment.trim().is_empty() {
        errors.push((
            "comment".to_string(),
            tx.pick(
                "Schrijf bij Opmerking wat er niet goed ging. Dan kan de gemeente op uw klacht reageren.",
                "Schrijf bij Opmerking wat er niet goed ging. Dan kan de gemeente op je klacht reageren.",
                "Write under Comment what went wrong, so the municipality can respond to your complaint.",
            )
            .to_string(),
        ));
    }
    (rating, errors)
}

fn form_page(
    ctx: &Ctx,
    tx: &Tx,
    u: &Unlocked,
    values: &RatingForm,
    errors: &[(String, String)],
) -> Response {
    let rating_error = error_for(errors, "rating-1");
    let rating_label = |n: i64| match n {
        1 => tx.t("1 = heel slecht", "1 = very bad").to_string(),
        10 => tx.t("10 = uitstekend", "10 = excellent").to_string(),
        n => n.to_string(),
    };
    let (rating_class, rating_described) = if rating_error.is_some() {
        ("rating field--error", "rating-hint rating-error")
    } else {
        ("rating", "rating-hint")
    };
    let comment_error = error_for(errors, "comment");
    let (comment_class, comment_described) = if comment_error.is_some() {
        ("field field--error", "comment-hint comment-error")
    } else {
        ("field", "comment-hint")
    };
    let body = html! {
        (error_summary(tx, errors))
        form method="post" action={ (home(u)) "/beoordeling" } novalidate {
            fieldset class=(rating_class) aria-describedby=(rating_described) {
                legend { (tx.t("Hoe was het gesprek?", "How was the call?")) }
                p class="hint" id="rating-hint" {
                    (tx.t(
                        "Geef een cijfer van 1 tot 10. 1 is heel slecht, 10 is uitstekend.",
                        "Give a number from 1 to 10. 1 is very bad, 10 is excellent."
                    ))
                }
                @if let Some(e) = rating_error {
                    (field_error(tx, "rating-error", e))
                }
                div class="rating-scale" {
                    @for n in 1..=10i64 {
                        (Radio {
                            id: &format!("rating-{n}"),
                            name: "rating",
                            value: &n.to_string(),
                            label: &rating_label(n),
                            checked: values.rating.trim() == n.to_string(),
                            invalid: rating_error.is_some(),
                            required: false,
                            described_by: None,
                        }
                        .render())
                    }
                }
            }
            div class=(comment_class) {
                label for="comment" { (tx.t("Opmerking (niet verplicht)", "Comment (optional)")) }
                p class="hint" id="comment-hint" {
                    (tx.pick(
                        "Wat ging goed, wat kan beter? Schrijf geen gegevens over uw gezondheid of geld.",
                        "Wat ging goed, wat kan beter? Schrijf geen gegevens over je gezondheid of geld.",
                        "What went well, what could be better? Do not write about your health or money."
                    ))
                }
                @if let Some(e) = comment_error {
                    (field_error(tx, "comment-error", e))
                }
                textarea id="comment" name="comment" rows="5" aria-describedby=(comment_described)
                    aria-invalid=[comment_error.map(|_| "true")] { (values.comment) }
            }
            div class="checkbox" {
                input type="checkbox" id="complaint" name="complaint" value="1" checked[values.complaint.is_some()];
                label for="complaint" {
                    (tx.t(
                        "Dit is een klacht: ik wil dat de gemeente hierop reageert",
                        "This is a complaint: I want the municipality to respond"
                    ))
                }
            }
            p { button type="submit" class="button" { (tx.t("Mening versturen", "Send my opinion")) } }
        }
        (back_link(tx, u))
    };
    let title = tx
        .pick(
            "Uw mening over het gesprek",
            "Je mening over het gesprek",
            "Your opinion of the call",
        )
        .to_string();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (
        status,
        render(
            ctx,
            Page {
                title,
                tenant: Some(&u.tenant),
                body,
                has_errors: !errors.is_empty(),
                nav: None,
            },
        ),
    )
        .into_response()
}

/// What was given, after sending or on a later visit.
fn given_page(ctx: &Ctx, tx: &Tx, u: &Unlocked, f: &Feedback, just_given: bool) -> Response {
    let complaint = if f.complaint {
        tx.pick(
            "Ja. De gemeente neemt contact met u op.",
            "Ja. De gemeente neemt contact met je op.",
            "Yes. The municipality will contact you.",
        )
    } else {
        tx.t("Nee", "No")
    };
    let body = html! {
        @if just_given {
            (form::notice(tx.pick(
                "Uw mening is verstuurd. Dank u wel!",
                "Je mening is verstuurd. Dank je wel!",
                "Your opinion has been sent. Thank you!"
            )))
        } @else {
            p {
                (tx.pick(
                    "U heeft uw mening over dit gesprek al gegeven.",
                    "Je hebt je mening over dit gesprek al gegeven.",
                    "You have already given your opinion of this call."
                ))
            }
        }
        dl class="summary" id="given" {
            div {
                dt { (tx.t("Cijfer", "Rating")) }
                dd id="given-rating" { (f.rating) " " (tx.t("van de 10", "out of 10")) }
            }
            div {
                dt { (tx.t("Opmerking", "Comment")) }
                dd {
                    @if f.comment.is_empty() {
                        (tx.t("Geen opmerking", "No comment"))
                    } @else {
                        (f.comment)
                    }
                }
            }
            div {
                dt { (tx.t("Klacht", "Complaint")) }
                dd { (complaint) }
            }
        }
        (back_link(tx, u))
    };
    let title = tx
        .pick(
            "Bedankt voor uw mening",
            "Bedankt voor je mening",
            "Thank you for your opinion",
        )
        .to_string();
    render(
        ctx,
        Page {
            title,
            tenant: Some(&u.tenant),
            body,
            has_errors: false,
            nav: None,
        },
    )
    .into_response()
}

/// Before the call or for a cancelled appointment: why there is no form.
fn closed_page(ctx: &Ctx, tx: &Tx, u: &Unlocked, state: &RatingState) -> Response {
    let text = match state {
        RatingState::Cancelled => tx.t(
            "Deze afspraak is afgezegd. Er was geen gesprek om te beoordelen.",
            "This appointment was cancelled. There was no call to rate.",
        ),
        _ => tx.pick(
            "U kunt uw mening geven zodra het gesprek is begonnen.",
            "Je kunt je mening geven zodra het gesprek is begonnen.",
            "You can give your opinion once the call has started.",
        ),
    };
    let body = html! {
        p { (text) }
        (back_link(tx, u))
    };
    let title = tx
        .pick(
            "Uw mening over het gesprek",
            "Je mening over het gesprek",
            "Your opinion of the call",
        )
        .to_string();
    render(
        ctx,
        Page {
            title,
            tenant: Some(&u.tenant),
            body,
            has_errors: false,
            nav: None,
        },
    )
    .into_response()
}

async fn current(app: &App, ctx: &Ctx, u: &Unlocked) -> Result<Response> {
    let tx = Tx::new(ctx.lang, u.tenant.tone);
    Ok(match usecases::feedback::state(app, u).await? {
        RatingState::Open => form_page(ctx, &tx, u, &RatingForm::default(), &[]),
        RatingState::Given(f) => given_page(ctx, &tx, u, &f, ctx.param("gedaan").is_some()),
        other => closed_page(ctx, &tx, u, &other),
    })
}

pub async fn show(State(app): State<App>, Path(token): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        current(&app, &ctx, &u).await
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn give(
    State(app): State<App>,
    Path(token): Path<String>,
    ctx: Ctx,
    Form(form): Form<RatingForm>,
) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        let tx = Tx::new(ctx.lang, u.tenant.tone);
        if !usecases::feedback::state(&app, &u).await?.may_rate() {
            // Already given (a second tab, or the back button), or not possible: show why.
            return current(&app, &ctx, &u).await;
        }
        let (rating, errors) = form_errors(&tx, &form);
        let Some(rating) = rating.filter(|_| errors.is_empty()) else {
            return Ok(form_page(&ctx, &tx, &u, &form, &errors));
        };
        match usecases::feedback::give(&app, &u, rating, &form.comment, form.complaint.is_some())
            .await
        {
            Ok(_) => Ok(see_other(&format!("{}/beoordeling?gedaan=1", home(&u)))),
            // A race with another tab: the page shows what was given.
            Err(Error::Conflict(Conflict::AlreadyRated)) => current(&app, &ctx, &u).await,
            // The checks above mirror the booking crate's; should they ever differ, the
            // resident still gets the form back with the message at the field.
            Err(Error::Invalid { field, message }) => {
                let anchor = if field == "/rating" {
                    "rating-1"
                } else {
                    "comment"
                };
                let errors = vec![(anchor.to_string(), tx.words(&message))];
                Ok(form_page(&ctx, &tx, &u, &form, &errors))
            }
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use booking::domain::tenant::Tone;

    fn form(rating: &str, comment: &str, complaint: bool) -> RatingForm {
        RatingForm {
            rating: rating.into(),
            comment: comment.into(),
            complaint: complaint.then(|| "1".to_string()),
        }
    }

    #[test]
    fn every_problem_of_the_form_is_named_at_once() {
        let tx = Tx::new(crate::i18n::Lang::Nl, Tone::Je);
        assert_eq!(form_errors(&tx, &form("9", "", false)), (Some(9), vec![]));
        let (rating, errors) = form_errors(&tx, &form("", " ", true));
        assert_eq!(rating, None);
        let anchors: Vec<&str> = errors.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(anchors, vec!["rating-1", "comment"]);
        assert!(errors[1].1.contains("je klacht"), "{}", errors[1].1);
        for bad in ["0", "11", "negen", "-1"] {
            assert_eq!(form_errors(&tx, &form(bad, "", false)).0, None, "{bad}");
        }
        let long = "x".repeat(MAX_COMMENT + 1);
        let (_, errors) = form_errors(&tx, &form("5", &long, false));
        assert!(errors[0].1.contains("2000"), "{}", errors[0].1);
    }
}
