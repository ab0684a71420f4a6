//! `/beheer/onderwerpen/{id}/vragen`: the questions residents answer before booking a service
//! (issue 16 item 7), with per answer what happens next. Plain forms: add one question at a
//! time (up to five answers), remove one with a button.

use super::{admin_page, saved_notice, AdminSession, FormData};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{error_summary_unsaved, Field};
use crate::i18n::{Lang, Tx};
use axum::extract::{Path, State};
use axum::response::Response;
use booking::domain::catalog::Service;
use booking::domain::tenant::Tenant;
use booking::domain::triage::{AnswerInput, Question, Verdict, MAX_ANSWERS};
use booking::usecases;
use booking::{App, Error};
use maud::html;

const SERVICES: &str = "/beheer/onderwerpen";

/// The verdicts an admin can choose per answer, as (form value, Dutch, English).
const VERDICTS: [(&str, &str, &str); 4] = [
    ("continue", "Verder met afspraak maken", "Go on to book"),
    (
        "inform",
        "Verder, na een uitleg (schrijf die hieronder)",
        "Go on, after an explanation (write it below)",
    ),
    (
        "counter",
        "Dit moet aan de balie (schrijf hieronder waar)",
        "This needs the counter (write below where)",
    ),
    ("call_us", "Bel ons eerst", "Call us first"),
];

pub async fn show(
    State(app): State<App>,
    AdminSession { tenant, .. }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let service = usecases::admin::services::own_service(&app, tenant.id, &id).await?;
        let questions = usecases::triage::questions(&app, &service).await?;
        Ok(page(
            &ctx,
            &tenant,
            &service,
            &questions,
            &FormData(Vec::new()),
            &[],
        ))
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn add(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let service = usecases::admin::services::own_service(&app, tenant.id, &id).await?;
        let f = FormData::parse(&body);
        let keys: Vec<[String; 3]> = (0..MAX_ANSWERS)
            .map(|i| {
                [
                    format!("label{i}"),
                    format!("verdict{i}"),
                    format!("text{i}"),
                ]
            })
            .collect();
        let answers: Vec<AnswerInput> = keys
            .iter()
            .map(|[label, verdict, text]| AnswerInput {
                label: f.get(label),
                verdict: f.get(verdict),
                text: f.get(text),
            })
            .collect();
        let tx = Tx::formal(ctx.lang);
        match usecases::triage::add_question(&app, &claims, &id, f.get("text"), &answers).await {
            Ok(_) => Ok(see_other(&format!(
                "{SERVICES}/{}/vragen?toegevoegd=1",
                service.id
            ))),
            Err(Error::Invalid { field, message }) => {
                // `/answers/2/text` -> the field `text2`; `/answers` -> the first label.
                let mut parts = field.trim_start_matches('/').split('/');
                let id = match (parts.next(), parts.next(), parts.next()) {
                    (Some("answers"), Some(i), Some(part)) => format!("{part}{i}"),
                    (Some("answers"), _, _) => "label0".to_string(),
                    _ => "text".to_string(),
                };
                let words = match tx.lang {
                    Lang::Nl => message.dutch,
                    Lang::En => message.english,
                };
                let questions = usecases::triage::questions(&app, &service).await?;
                Ok(page(
                    &ctx,
                    &tenant,
                    &service,
                    &questions,
                    &f,
                    &[(id, words)],
                ))
            }
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn remove(
    State(app): State<App>,
    AdminSession { claims, .. }: AdminSession,
    Path((id, question)): Path<(String, String)>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        usecases::triage::remove_question(&app, &claims, &id, &question).await?;
        Ok(see_other(&format!("{SERVICES}/{id}/vragen?verwijderd=1")))
    }
    .await;
    respond(&ctx, outcome)
}

fn verdict_in_words(tx: &Tx, verdict: &Verdict) -> String {
    match verdict {
        Verdict::Continue => tx.t("verder met afspraak maken", "go on to book").into(),
        Verdict::Inform { text } => format!("{}: {text}", tx.t("verder na uitleg", "go on after")),
        Verdict::Counter { place } => {
            format!("{}: {place}", tx.t("naar de balie", "to the counter"))
        }
        Verdict::CallUs => tx.t("bel ons eerst", "call us first").into(),
    }
}

fn page(
    ctx: &Ctx,
    tenant: &Tenant,
    service: &Service,
    questions: &[Question],
    typed: &FormData,
    errors: &[(String, String)],
) -> Response {
    let tx = Tx::formal(ctx.lang);
    let base = format!("{SERVICES}/{}/vragen", service.id);
    let errors = errors.to_vec();
    let body = html! {
        @if let Some(n) = saved_notice(ctx, "toegevoegd", tx.t("De vraag is toegevoegd.", "The question has been added.")) { (n) }
        @if let Some(n) = saved_notice(ctx, "verwijderd", tx.t("De vraag is verwijderd.", "The question has been removed.")) { (n) }
        (error_summary_unsaved(&tx, &errors))
        p {
            (tx.t(
                "Bewoners beantwoorden deze vragen voordat ze een tijd kiezen. Per antwoord bepaalt u wat er gebeurt: verder met de afspraak, eerst een uitleg lezen, naar de balie, of eerst bellen. De medewerker ziet de antwoorden bij de afspraak.",
                "Residents answer these questions before they choose a time. Per answer you decide what happens: go on to book, read an explanation first, go to the counter, or call first. The clerk sees the answers with the appointment."
            ))
        }
        h2 id="vragen-kop" { (tx.t("Vragen", "Questions")) }
        @if questions.is_empty() {
            p { (tx.t("Dit onderwerp heeft geen vragen vooraf.", "This service has no questions before booking.")) }
        } @else {
            ol class="question-list" {
                @for q in questions {
                    li {
                        p { strong { (q.text) } }
                        ul {
                            @for a in &q.answers {
                                li { (a.label) " → " (verdict_in_words(&tx, &a.verdict)) }
                            }
                        }
                        form method="post" action={ (base) "/" (q.id) "/verwijderen" } {
                            button type="submit" class="button button--secondary"
                                aria-label=(format!("{} {}", tx.t("Verwijderen:", "Remove:"), q.text)) {
                                (tx.t("Verwijderen", "Remove"))
                            }
                        }
                    }
                }
            }
        }
        h2 id="toevoegen-kop" { (tx.t("Een vraag toevoegen", "Add a question")) }
        form method="post" action=(base) class="staff-form" novalidate aria-labelledby="toevoegen-kop" {
            (Field::input("text", "text", tx.t("Vraag", "Question"), typed.get("text"))
                .hint(Some(tx.t("Bijvoorbeeld: Verhuist u naar het buitenland?", "For example: Are you moving abroad?")))
                .render(&tx, &errors))
            @for i in 0..MAX_ANSWERS {
                @let label = format!("label{i}");
                @let verdict = format!("verdict{i}");
                @let text = format!("text{i}");
                @let chosen = typed.get(&verdict);
                fieldset class="answer" {
                    legend { (tx.t("Antwoord", "Answer")) " " (i + 1) @if i >= 2 { (tx.t(" (niet verplicht)", " (optional)")) } }
                    (Field::input(&label, "text", tx.t("Antwoord", "Answer"), typed.get(&label)).render(&tx, &errors))
                    div class="field" {
                        label for=(verdict) { (tx.t("Wat gebeurt er dan?", "What happens then?")) }
                        select id=(verdict) name=(verdict) {
                            @for (value, nl, en) in VERDICTS {
                                option value=(value) selected[chosen == value] { (tx.t(nl, en)) }
                            }
                        }
                    }
                    (Field::textarea(&text, 2, tx.t("Uitleg of waar naartoe (bij uitleg of balie)", "Explanation or where to go (for explanation or counter)"), typed.get(&text))
                        .render(&tx, &errors))
                }
            }
            p { button type="submit" class="button" { (tx.t("Vraag toevoegen", "Add question")) } }
        }
        p { a href={ (SERVICES) "/" (service.id) } { (tx.t("Terug naar het onderwerp", "Back to the service")) } }
    };
    admin_page(
        ctx,
        tenant,
        SERVICES,
        format!(
            "{} {}",
            tx.t("Vragen vooraf:", "Questions first:"),
            service.name
        ),
        body,
        !errors.is_empty(),
    )
}
