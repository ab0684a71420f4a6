//! `/beheer/klachten`: the open complaints, oldest first, each with a form to mark it handled
//! with a note; the handled ones below.

use super::{admin_page, saved_notice, AdminSession, Errors, FormData};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{error_summary_unsaved, Field};
use crate::i18n::Tx;
use axum::extract::{Path, State};
use axum::response::Response;
use booking::domain::feedback::Feedback;
use booking::domain::tenant::Tenant;
use booking::error::Conflict;
use booking::usecases;
use booking::{App, Error, Result};
use maud::html;

const HERE: &str = "/beheer/klachten";

pub async fn list(
    State(app): State<App>,
    AdminSession { tenant, .. }: AdminSession,
    ctx: Ctx,
) -> Response {
    let outcome = async { page(&app, &ctx, &tenant, None, ("", ""), &Vec::new()).await }.await;
    respond(&ctx, outcome)
}

pub async fn handle(
    State(app): State<App>,
    AdminSession { claims, tenant }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let f = FormData::parse(&body);
        let note = f.get("note");
        let answer = f.get("answer");
        match usecases::admin::complaints::handle_complaint(
            &app, tenant.id, claims.sub, &id, note, answer,
        )
        .await
        {
            Ok(()) => Ok(see_other(&format!("{HERE}?afgehandeld=1"))),
            Err(Error::Invalid { field, message }) => {
                let field = if field == "/answer" { "answer" } else { "note" };
                let words = match tx.lang {
                    crate::i18n::Lang::Nl => message.dutch,
                    crate::i18n::Lang::En => message.english,
                };
                let errors = vec![(format!("{field}-{id}"), words)];
                page(&app, &ctx, &tenant, Some(&id), (note, answer), &errors).await
            }
            // Handled meanwhile (another admin, or the form sent twice): the list shows it.
            Err(Error::Conflict(Conflict::ComplaintAlreadyHandled)) => {
                Ok(see_other(&format!("{HERE}?afgehandeld=1")))
            }
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}

/// Puts a comment on the complaints list.
pub async fn mark(
    State(app): State<App>,
    AdminSession { claims, .. }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        usecases::admin::complaints::mark_complaint(&app, claims.tenant, &id).await?;
        Ok(see_other(&format!("{HERE}?klacht=1")))
    }
    .await;
    respond(&ctx, outcome)
}

async fn page(
    app: &App,
    ctx: &Ctx,
    tenant: &Tenant,
    typed_for: Option<&str>,
    (typed, typed_answer): (&str, &str),
    errors: &Errors,
) -> Result<Response> {
    let tx = Tx::formal(ctx.lang);
    let all = ::booking::usecases::admin::complaints::complaints(app, tenant.id, true).await?;
    let services = ::booking::usecases::desk::services(app, tenant.id).await?;
    let tz = tenant.time_zone.tz().clone();
    let when = |t: jiff::Timestamp| {
        t.to_zoned(tz.clone())
            .strftime("%d-%m-%Y %H:%M")
            .to_string()
    };
    let service_name = |f: &Feedback| {
        services
            .iter()
            .find(|s| s.id == f.service_id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    };
    let (open, handled): (Vec<&Feedback>, Vec<&Feedback>) =
        all.iter().partition(|f| f.handled_at.is_none());
    // Comments that are not complaints (yet): an admin may decide to follow one up.
    let comments: Vec<Feedback> = ::booking::usecases::admin::complaints::comments(app, tenant.id)
        .await?
        .into_iter()
        .filter(|f| !f.complaint)
        .collect();
    let body = html! {
        (saved_notice(
            ctx,
            "afgehandeld",
            tx.t(
                "De klacht is afgehandeld.",
                "The complaint has been handled."
            )
        ).unwrap_or_default())
        (saved_notice(ctx, "klacht", tx.t("De opmerking staat nu bij de open klachten.", "The comment is now among the open complaints.")).unwrap_or_default())
        (error_summary_unsaved(&tx, errors))
        h2 { (tx.t("Open klachten", "Open complaints")) " (" (open.len()) ")" }
        @if open.is_empty() {
            p { (tx.t("Er zijn geen open klachten.", "There are no open complaints.")) }
        }
        @for (n, f) in open.iter().enumerate() {
            @let id = f.id.to_string();
            @let field = format!("note-{id}");
            @let value = if typed_for == Some(id.as_str()) { typed } else { "" };
            @let answer_value = if typed_for == Some(id.as_str()) { typed_answer } else { "" };
            @let heading = format!("complaint-{}", n + 1);
            @let title = format!("{} {}", tx.t("Klacht", "Complaint"), n + 1);
            article class="complaint" aria-labelledby=(heading) {
                h3 id=(heading) { (title) }
                dl class="summary" {
                    div { dt { (tx.t("Gegeven op", "Given on")) } dd { (when(f.given_at)) } }
                    div { dt { (tx.t("Onderwerp", "Service")) } dd { (service_name(f)) } }
                    div { dt { (tx.t("Cijfer", "Rating")) } dd { (f.rating) } }
                    div { dt { (tx.t("Wat de bewoner schreef", "What the resident wrote")) } dd { (f.comment) } }
                }
                form method="post" action={ (HERE) "/" (id) } class="staff-form" novalidate {
                    (Field::textarea(&field, 3, tx.t("Hoe is de klacht afgehandeld?", "How was the complaint handled?"), value)
                        .name("note")
                        .hint(Some(tx.t("Bijvoorbeeld: bewoner gebeld en excuses aangeboden.", "For example: called the resident and apologised.")))
                        .render(&tx, errors))
                    (Field::textarea(&format!("answer-{id}"), 4, tx.t("Antwoord aan de bewoner (niet verplicht)", "Answer to the resident (optional)"), answer_value)
                        .name("answer")
                        .hint(Some(tx.t(
                            "De bewoner krijgt dit per e-mail en leest het op de eigen afspraakpagina. Laat leeg als u de bewoner al gebeld hebt.",
                            "The resident receives this by e-mail and reads it on their appointment page. Leave empty if you already phoned the resident.",
                        )))
                        .render(&tx, errors))
                    p {
                        button type="submit" class="button" {
                            (tx.t("Markeer als afgehandeld", "Mark as handled"))
                            span class="visually-hidden" { " (" (title) ")" }
                        }
                    }
                }
            }
        }
        h2 { (tx.t("Afgehandeld", "Handled")) }
        @if handled.is_empty() {
            p {
                (tx.t(
                    "Er zijn nog geen afgehandelde klachten.",
                    "No complaints have been handled yet."
                ))
            }
        } @else {
            div class="table-scroll" tabindex="0" role="region" aria-labelledby="afgehandeld-kop" {
                table class="queue-table" id="afgehandeld" {
                    caption id="afgehandeld-kop" { (tx.t("Afgehandelde klachten", "Handled complaints")) }
                    thead {
                        tr {
                            th scope="col" { (tx.t("Gegeven op", "Given on")) }
                            th scope="col" { (tx.t("Onderwerp", "Service")) }
                            th scope="col" { (tx.t("Cijfer", "Rating")) }
                            th scope="col" { (tx.t("Wat de bewoner schreef", "What the resident wrote")) }
                            th scope="col" { (tx.t("Afgehandeld op", "Handled on")) }
                            th scope="col" { (tx.t("Hoe", "How")) }
                        }
                    }
                    tbody {
                        @for f in &handled {
                            tr {
                                td { (when(f.given_at)) }
                                td { (service_name(f)) }
                                td { (f.rating) }
                                td { (f.comment) }
                                td { (f.handled_at.map(when).unwrap_or_default()) }
                                td {
                                    (f.handled_note.as_deref().unwrap_or(""))
                                    @if let Some(answer) = &f.answer {
                                        br;
                                        strong { (tx.t("Antwoord aan de bewoner: ", "Answer to the resident: ")) }
                                        (answer)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (tx.t("Andere opmerkingen", "Other comments")) }
        p {
            (tx.t(
                "Bewoners die een cijfer geven, kunnen er een opmerking bij schrijven zonder er een klacht van te maken. Leest u er een klacht in, volg hem dan op als klacht.",
                "Residents who give a rating may add a comment without making it a complaint. If you read a complaint in one, follow it up as a complaint."
            ))
        }
        @if comments.is_empty() {
            p {
                (tx.t(
                    "Er zijn geen andere opmerkingen van bewoners.",
                    "There are no other comments from residents."
                ))
            }
        } @else {
            div class="table-scroll" tabindex="0" role="region" aria-labelledby="opmerkingen-kop" {
                table class="queue-table" id="opmerkingen" {
                    caption id="opmerkingen-kop" {
                        (tx.t(
                            "Opmerkingen bij een cijfer, nieuwste eerst",
                            "Comments with a rating, newest first"
                        ))
                    }
                    thead {
                        tr {
                            th scope="col" { (tx.t("Gegeven op", "Given on")) }
                            th scope="col" { (tx.t("Onderwerp", "Service")) }
                            th scope="col" { (tx.t("Cijfer", "Rating")) }
                            th scope="col" { (tx.t("Wat de bewoner schreef", "What the resident wrote")) }
                            th scope="col" { span class="visually-hidden" { (tx.t("Opvolgen", "Follow up")) } }
                        }
                    }
                    tbody {
                        @for f in &comments {
                            tr {
                                td { (when(f.given_at)) }
                                td { (service_name(f)) }
                                td { (f.rating) }
                                td { (f.comment) }
                                td {
                                    form method="post" action={ (HERE) "/opmerking/" (f.id.to_string()) } {
                                        button type="submit" class="button button--secondary" {
                                            (tx.t("Als klacht opvolgen", "Follow up as a complaint"))
                                            span class="visually-hidden" {
                                                " (" (tx.t("opmerking van", "comment of")) " " (when(f.given_at)) ")"
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
    Ok(admin_page(
        ctx,
        tenant,
        HERE,
        tx.t("Klachten", "Complaints").to_string(),
        body,
        !errors.is_empty(),
    ))
}
