//! The resident's privacy pages behind the personal link ("Uw gegevens"): the consent choices
//! per source (changeable until the call starts, with their history), the access log in plain
//! language, and erasing the appointment's personal data with a confirmation step. Also the
//! consent fieldsets the booking form shares.

use super::picker::capitalise_first;
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{self, error_for, error_summary, field_error, Radio};
use crate::html::url;
use crate::i18n::{Lang, Tx};
use crate::layout::{render, Page};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use booking::domain::access_log;
use booking::domain::appointment::AppointmentStatus;
use booking::domain::consent::{self, Choice, InfoSource};
use booking::domain::retention;
use booking::usecases;
use booking::usecases::booking::{unlock, Unlocked};
use booking::usecases::consent::Consents;
use booking::usecases::privacy;
use booking::{App, Error, Result};
use maud::{html, Markup};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/a/{token}/privacy", get(show).post(change_choices))
        .route(
            "/a/{token}/privacy/verwijderen",
            get(erase_form).post(erase),
        )
        .route("/a/verwijderd", get(erased))
}

const CHOICES: [Choice; 3] = [
    Choice::Municipality,
    Choice::SelfSupplied,
    Choice::NotNeeded,
];

/// The words for a choice, as the radio label and in the history.
pub fn choice_label(tx: &Tx, choice: Choice) -> &'static str {
    match choice {
        Choice::Municipality => tx.t(
            "De gemeente mag dit opvragen",
            "The municipality may request it",
        ),
        Choice::SelfSupplied => tx.pick(
            "Ik neem het zelf mee of stuur het zelf op",
            "Ik neem het zelf mee of stuur het zelf op",
            "I will bring or upload it myself",
        ),
        Choice::NotNeeded => tx.t("Niet nodig", "Not needed"),
    }
}

/// The id of a source's first radio: where an error summary links to.
pub fn consent_anchor(code: &str) -> String {
    format!("consent-{code}-{}", Choice::Municipality.as_str())
}

/// The choices in a submitted form: `consent-{code}` = `municipality` | `self` | `not_needed`.
/// Anything else is left out, so it shows up as a missing choice.
pub fn choices_from_form<'a>(
    sources: &[InfoSource],
    pairs: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> Vec<(String, Choice)> {
    sources
        .iter()
        .filter_map(|s| {
            let name = format!("consent-{}", s.code);
            pairs
                .clone()
                .find(|(k, _)| *k == name)
                .and_then(|(_, v)| Choice::parse(v))
                .map(|c| (s.code.clone(), c))
        })
        .collect()
}

/// One error per source without a choice, linked to the source's first radio.
pub fn missing_errors(
    tx: &Tx,
    sources: &[InfoSource],
    chosen: &[(String, Choice)],
) -> Vec<(String, String)> {
    consent::missing(sources, chosen)
        .into_iter()
        .map(|s| {
            let text = match tx.lang {
                Lang::En => format!("Choose what may happen with {}.", s.label),
                Lang::Nl => format!(
                    "{} wat er met {} mag gebeuren.",
                    tx.t("Kies", "Choose"),
                    s.label
                ),
            };
            (consent_anchor(&s.code), text)
        })
        .collect()
}

/// A fieldset per source: the label as the legend, the reason, and the three choices as large
/// radio buttons. `errors` are (anchor id, message) pairs as from `missing_errors`.
pub fn consent_fieldsets(
    tx: &Tx,
    sources: &[InfoSource],
    chosen: &[(String, Choice)],
    errors: &[(String, String)],
) -> Markup {
    html! {
        @for s in sources {
            (consent_fieldset(tx, s, chosen, errors))
        }
    }
}

fn consent_fieldset(
    tx: &Tx,
    s: &InfoSource,
    chosen: &[(String, Choice)],
    errors: &[(String, String)],
) -> Markup {
    let code = &s.code;
    let error = error_for(errors, &consent_anchor(code));
    let current = chosen.iter().find(|(c, _)| c == code).map(|(_, c)| *c);
    let reason_id = format!("consent-{code}-reason");
    let error_id = format!("consent-{code}-error");
    let described = match error {
        Some(_) => format!("{reason_id} {error_id}"),
        None => reason_id.clone(),
    };
    let class = if error.is_some() {
        "consent field--error"
    } else {
        "consent"
    };
    let name = format!("consent-{code}");
    html! {
        fieldset class=(class) aria-describedby=(described) {
            legend { (s.label) }
            p class="hint" id=(reason_id) { (tx.t("Waarom?", "Why?")) " " (s.reason) }
            @if let Some(e) = error {
                (field_error(tx, &error_id, e))
            }
            div class="radio-list" {
                @for c in CHOICES {
                    (Radio {
                        id: &format!("consent-{code}-{}", c.as_str()),
                        name: &name,
                        value: c.as_str(),
                        label: choice_label(tx, c),
                        checked: current == Some(c),
                        invalid: error.is_some(),
                        required: false,
                        described_by: None,
                    }
                    .render())
                }
            }
        }
    }
}

/// The introduction above the fieldsets, in the booking form and on the privacy page.
pub fn consent_intro(tx: &Tx) -> &'static str {
    tx.pick(
        "Voor dit gesprek kan de medewerker gegevens over u nodig hebben. Kies per onderdeel wat de gemeente mag doen. U kunt dit veranderen tot het gesprek begint.",
        "Voor dit gesprek kan de medewerker gegevens over je nodig hebben. Kies per onderdeel wat de gemeente mag doen. Je kunt dit veranderen tot het gesprek begint.",
        "For this call the clerk may need information about you. Choose for each item what the municipality may do. You can change this until the call starts.",
    )
}

fn home(u: &Unlocked) -> String {
    format!("/a/{}", u.token.as_str())
}

fn title(tx: &Tx) -> String {
    tx.pick("Uw gegevens", "Je gegevens", "Your data")
        .to_string()
}

/// Section (a): the choices, as a form until the call starts, read-only afterwards; with the
/// history of every change.
fn choices_section(
    tx: &Tx,
    u: &Unlocked,
    consents: &Consents,
    chosen: &[(String, Choice)],
    errors: &[(String, String)],
) -> Markup {
    let heading = tx.pick(
        "Welke gegevens de gemeente mag opvragen",
        "Welke gegevens de gemeente mag opvragen",
        "What the municipality may request",
    );
    if consents.sources.is_empty() {
        return html! {
            h2 id="keuzes" { (heading) }
            p {
                (tx.t(
                    "Voor dit gesprek vraagt de gemeente geen extra gegevens op.",
                    "For this call the municipality does not request any extra information."
                ))
            }
        };
    }
    let sources: Vec<InfoSource> = consents.sources.iter().map(|s| s.source.clone()).collect();
    let current = if consents.can_change {
        html! {
            p { (consent_intro(tx)) }
            form method="post" action={ (home(u)) "/privacy" } novalidate {
                (consent_fieldsets(tx, &sources, chosen, errors))
                button type="submit" class="button" { (tx.t("Keuzes opslaan", "Save choices")) }
            }
        }
    } else {
        let why = if u.appointment.status == AppointmentStatus::Cancelled {
            tx.t(
                "Deze afspraak is afgezegd. De keuzes kunnen daarom niet meer veranderen.",
                "This appointment has been cancelled, so the choices can no longer change.",
            )
        } else {
            tx.pick(
                "Het gesprek is begonnen of voorbij. De medewerker gaat uit van deze keuzes, daarom kunt u ze niet meer veranderen.",
                "Het gesprek is begonnen of voorbij. De medewerker gaat uit van deze keuzes, daarom kun je ze niet meer veranderen.",
                "The call has started or is over. The clerk relies on these choices, so you can no longer change them.",
            )
        };
        html! {
            p { (why) }
            dl class="summary" id="current-choices" {
                @for s in &consents.sources {
                    div {
                        dt { (s.source.label) }
                        dd {
                            (s.choice
                                .map(|c| choice_label(tx, c))
                                .unwrap_or_else(|| tx.t("Geen keuze gemaakt", "No choice made")))
                        }
                    }
                }
            }
        }
    };
    let changes: Vec<String> = consents
        .history
        .iter()
        .filter_map(|r| {
            let s = consents
                .sources
                .iter()
                .find(|s| s.source.code == r.source_code)?;
            Some(format!(
                "{}: {} — {}",
                capitalise_first(&tx.moment_in_words(&u.tenant, r.chosen_at)),
                s.source.label,
                choice_label(tx, r.choice),
            ))
        })
        .collect();
    html! {
        h2 id="keuzes" { (heading) }
        (current)
        h3 {
            (tx.pick(
                "Alle keuzes die u maakte",
                "Alle keuzes die je maakte",
                "Every choice you made"
            ))
        }
        @if changes.is_empty() {
            p {
                (tx.pick(
                    "U heeft nog geen keuzes gemaakt.",
                    "Je hebt nog geen keuzes gemaakt.",
                    "You have not made any choices yet."
                ))
            }
        } @else {
            ul class="bullets" id="consent-history" {
                @for line in &changes {
                    li { (line) }
                }
            }
        }
    }
}

/// Section (b): who looked at the data, in plain sentences.
async fn access_section(app: &App, tx: &Tx, u: &Unlocked) -> Result<Markup> {
    let entries = privacy::access_log(app, u).await?;
    let tz = u.tenant.time_zone.tz();
    let sentences: Vec<String> = entries
        .iter()
        .map(|e| match tx.lang {
            Lang::Nl => access_log::sentence(e, tz, u.tenant.tone),
            Lang::En => access_log::sentence_en(e, tz),
        })
        .collect();
    Ok(html! {
        h2 id="bekeken" {
            (tx.pick(
                "Wie heeft uw gegevens bekeken",
                "Wie heeft je gegevens bekeken",
                "Who looked at your data"
            ))
        }
        p {
            (tx.pick(
                "Elke keer dat een medewerker van de gemeente uw afspraak of uw gegevens bekijkt, ziet u dat hier.",
                "Elke keer dat een medewerker van de gemeente je afspraak of je gegevens bekijkt, zie je dat hier.",
                "Every time a member of the municipality's staff looks at your appointment or your data, you see it here."
            ))
        }
        @if sentences.is_empty() {
            p {
                (tx.pick(
                    "Nog niemand van de gemeente heeft uw gegevens bekeken.",
                    "Nog niemand van de gemeente heeft je gegevens bekeken.",
                    "Nobody at the municipality has looked at your data yet."
                ))
            }
        } @else {
            ul class="bullets" id="access-log" {
                @for sentence in &sentences {
                    li { (sentence) }
                }
            }
        }
    })
}

/// Section (c): erasing, or why it cannot be done yet.
fn erase_section(app: &App, tx: &Tx, u: &Unlocked) -> Markup {
    let heading = tx.t("Mijn gegevens verwijderen", "Erase my data");
    html! {
        h2 id="verwijderen" { (heading) }
        @if privacy::may_erase(app, u).is_ok() {
            p {
                (tx.pick(
                    "U kunt uw naam, e-mailadres, telefoonnummer en opmerking laten verwijderen. Daarna werkt deze link niet meer.",
                    "Je kunt je naam, e-mailadres, telefoonnummer en opmerking laten verwijderen. Daarna werkt deze link niet meer.",
                    "You can have your name, email address, phone number and note erased. After that this link no longer works."
                ))
            }
            p { a class="button button--secondary" href={ (home(u)) "/privacy/verwijderen" } { (heading) } }
        } @else {
            p {
                (tx.pick(
                    "Dit kan na het gesprek, of nadat u de afspraak heeft afgezegd. Tot dan heeft de medewerker uw naam en e-mailadres nodig voor het gesprek.",
                    "Dit kan na het gesprek, of nadat je de afspraak hebt afgezegd. Tot dan heeft de medewerker je naam en e-mailadres nodig voor het gesprek.",
                    "You can do this after the call, or after cancelling the appointment. Until then the clerk needs your name and email address for the call."
                ))
            }
        }
    }
}

async fn page(
    app: &App,
    ctx: &Ctx,
    u: &Unlocked,
    chosen: Option<Vec<(String, Choice)>>,
    errors: &[(String, String)],
) -> Result<Response> {
    let tx = Tx::new(ctx.lang, u.tenant.tone);
    let consents = usecases::consent::view(app, &u.tenant, &u.appointment).await?;
    let chosen = chosen.unwrap_or_else(|| {
        consents
            .sources
            .iter()
            .filter_map(|s| s.choice.map(|c| (s.source.code.clone(), c)))
            .collect()
    });
    let notice = match ctx.param("gedaan") {
        Some("keuzes") => Some(tx.pick(
            "Uw keuzes zijn opgeslagen.",
            "Je keuzes zijn opgeslagen.",
            "Your choices have been saved.",
        )),
        _ => None,
    };
    let access = access_section(app, &tx, u).await?;
    let documents = usecases::documents::for_resident(app, u).await?;
    let joins = super::companion::joins_section(app, &tx, u).await?;
    let body = html! {
        (error_summary(&tx, errors))
        @if let Some(text) = notice {
            (form::notice(text))
        }
        p {
            a href=(home(u)) {
                (tx.pick(
                    "Terug naar uw afspraak",
                    "Terug naar je afspraak",
                    "Back to your appointment"
                ))
            }
        }
        (choices_section(&tx, u, &consents, &chosen, errors))
        (super::documents::privacy_section(&tx, u, &documents.all))
        (access)
        (joins)
        (erase_section(app, &tx, u))
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        render(
            ctx,
            Page {
                title: title(&tx),
                tenant: Some(&u.tenant),
                body,
                has_errors: !errors.is_empty(),
                nav: None,
            },
        ),
    )
        .into_response())
}

pub async fn show(State(app): State<App>, Path(token): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        page(&app, &ctx, &u, None, &[]).await
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn change_choices(
    State(app): State<App>,
    Path(token): Path<String>,
    ctx: Ctx,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        let tx = Tx::new(ctx.lang, u.tenant.tone);
        let sources = ::booking::usecases::consent::sources(&app, &u.appointment).await?;
        let pairs = form.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let wanted = choices_from_form(&sources, pairs);
        let errors = missing_errors(&tx, &sources, &wanted);
        if !errors.is_empty() {
            return page(&app, &ctx, &u, Some(wanted), &errors).await;
        }
        usecases::consent::choose(&app, &u.tenant, &u.appointment, &wanted).await?;
        Ok(see_other(&format!("{}/privacy?gedaan=keuzes", home(&u))))
    }
    .await;
    respond(&ctx, outcome)
}

/// The confirmation step: erasing cannot be undone.
pub async fn erase_form(State(app): State<App>, Path(token): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        privacy::may_erase(&app, &u)?;
        let tx = Tx::new(ctx.lang, u.tenant.tone);
        let home = home(&u);
        let body = html! {
            p {
                (tx.pick(
                    "Dit verwijderen wij:",
                    "Dit verwijderen we:",
                    "This is what we erase:"
                ))
            }
            ul class="bullets" {
                li { (tx.pick("uw naam", "je naam", "your name")) }
                li { (tx.pick("uw e-mailadres", "je e-mailadres", "your email address")) }
                li { (tx.pick("uw telefoonnummer", "je telefoonnummer", "your phone number")) }
                li { (tx.pick("uw opmerking", "je opmerking", "your note")) }
                li { (tx.pick("de taal of tolk die u opgaf", "de taal of tolk die je opgaf", "the language or interpreter you gave")) }
            }
            p {
                (tx.pick(
                    "Verwijderen kan niet ongedaan worden gemaakt. Daarna werkt uw persoonlijke link niet meer.",
                    "Verwijderen kan niet ongedaan worden gemaakt. Daarna werkt je persoonlijke link niet meer.",
                    "Erasing cannot be undone. After that your personal link no longer works."
                ))
            }
            form method="post" action={ (home) "/privacy/verwijderen" } {
                button type="submit" class="button button--danger" {
                    (tx.pick(
                        "Ja, mijn gegevens verwijderen",
                        "Ja, mijn gegevens verwijderen",
                        "Yes, erase my data"
                    ))
                }
            }
            p {
                a class="button button--secondary" href={ (home) "/privacy" } {
                    (tx.pick(
                        "Nee, terug naar mijn gegevens",
                        "Nee, terug naar mijn gegevens",
                        "No, back to my data"
                    ))
                }
            }
        };
        let title = tx
            .pick(
                "Wilt u uw gegevens verwijderen?",
                "Wil je je gegevens verwijderen?",
                "Do you want to erase your data?",
            )
            .to_string();
        Ok(render(
            &ctx,
            Page {
                title,
                tenant: Some(&u.tenant),
                body,
                has_errors: false, nav: None,
            },
        )
        .into_response())
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn erase(State(app): State<App>, Path(token): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        privacy::erase(&app, &u).await?;
        // The link no longer opens anything, so the statement lives at an address of its own.
        Ok(see_other(&format!(
            "/a/verwijderd?gemeente={}",
            url(u.tenant.slug.as_str())
        )))
    }
    .await;
    respond(&ctx, outcome)
}

/// What was erased and what the municipality keeps by law.
pub async fn erased(State(app): State<App>, ctx: Ctx) -> Response {
    let outcome = async {
        let slug = ctx.param("gemeente").ok_or(Error::NotFound("municipality"))?;
        let tenant = ::booking::usecases::booking::municipality(&app, slug).await?;
        let tx = Tx::new(ctx.lang, tenant.tone);
        let kept = match ctx.lang {
            Lang::Nl => retention::KEPT_BY_LAW,
            Lang::En => privacy::KEPT_BY_LAW_EN,
        };
        let body = html! {
            (form::notice(tx.pick(
                "Uw naam, e-mailadres, telefoonnummer en opmerking zijn verwijderd. Uw persoonlijke link werkt niet meer.",
                "Je naam, e-mailadres, telefoonnummer en opmerking zijn verwijderd. Je persoonlijke link werkt niet meer.",
                "Your name, email address, phone number and note have been erased. Your personal link no longer works."
            )))
            h2 { (tx.t("Wat de gemeente bewaart", "What the municipality keeps")) }
            p id="kept" { (kept) }
            p {
                a class="button" href={ "/" (url(tenant.slug.as_str())) } {
                    (tx.t("Een nieuwe afspraak maken", "Book a new appointment"))
                }
            }
        };
        let title = tx
            .pick(
                "Uw gegevens zijn verwijderd",
                "Je gegevens zijn verwijderd",
                "Your data has been erased",
            )
            .to_string();
        Ok(render(
            &ctx,
            Page {
                title,
                tenant: Some(&tenant),
                body,
                has_errors: false, nav: None,
            },
        )
        .into_response())
    }
    .await;
    respond(&ctx, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use booking::domain::tenant::Tone;

    fn sources() -> Vec<InfoSource> {
        ["brp", "woonbewijs"]
            .iter()
            .map(|code| InfoSource {
                code: code.to_string(),
                label: code.to_uppercase(),
                reason: "Om te controleren.".into(),
            })
            .collect()
    }

    #[test]
    fn the_form_gives_a_choice_per_known_source_and_names_the_missing_ones() {
        let tx = Tx::new(Lang::Nl, Tone::U);
        let pairs = [
            ("name", "Jan"),
            ("consent-brp", "self"),
            ("consent-woonbewijs", "misschien"),
            ("consent-kadaster", "municipality"),
        ];
        let chosen = choices_from_form(&sources(), pairs.iter().copied());
        assert_eq!(chosen, vec![("brp".to_string(), Choice::SelfSupplied)]);
        let errors = missing_errors(&tx, &sources(), &chosen);
        assert_eq!(
            errors,
            vec![(
                "consent-woonbewijs-municipality".to_string(),
                "Kies wat er met WOONBEWIJS mag gebeuren.".to_string()
            )]
        );
    }

    #[test]
    fn fieldsets_mark_the_choice_and_the_error() {
        let tx = Tx::new(Lang::En, Tone::U);
        let html = consent_fieldsets(
            &tx,
            &sources(),
            &[("brp".to_string(), Choice::NotNeeded)],
            &[(
                "consent-woonbewijs-municipality".to_string(),
                "Choose <b>".to_string(),
            )],
        )
        .into_string();
        assert!(html.contains(
            r#"id="consent-brp-not_needed" name="consent-brp" value="not_needed" checked"#
        ));
        assert!(html
            .contains(r#"aria-describedby="consent-woonbewijs-reason consent-woonbewijs-error""#));
        assert!(html.contains("Choose &lt;b&gt;"));
        assert_eq!(html.matches("<fieldset").count(), 2);
        assert_eq!(html.matches("aria-invalid").count(), 3);
    }
}
