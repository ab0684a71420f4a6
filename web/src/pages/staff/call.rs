//! `/medewerker/gesprek/{id}`: the clerk's workspace for a call with a queue entry (issue 21):
//! the call (large video, self-view apart, the controls), the resident's details and, for an
//! appointment, the resident's choice per information source, and the outcome form, side by
//! side on a wide screen and stacked on a narrow one. The outcome can be written during the
//! call: it is kept as a draft per clerk and entry (autosaved by `clerk-call.js`, or "Concept
//! bewaren" without JavaScript), filled in again after a reload or hanging up, and recording
//! turns it into the outcome. "Geraadpleegde bronnen" offers only the sources the resident
//! left to the municipality (the use case refuses and logs any other). Opening this page
//! shows personal data, so it is written to the access log as "opened".

use super::super::call_view::call_view;
use super::{nav, to_login};
use crate::context::Ctx;
use crate::error::respond;
use crate::error::see_other;
use crate::form::Radio;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use booking::auth::Staff;
use booking::domain::consent::{Choice, InfoSource};
use booking::domain::outcome::{FollowUp, OutcomeDraft, UnfinishedOutcome, MAX_NOTES};
use booking::domain::queue::QueueEntryId;
use booking::usecases::{desk, outcome};
use booking::{App, Error};
use maud::{html, Markup};

/// The nav has no entry for a call, so no link is marked as the current page.
const NAV_CURRENT: &str = "";

fn choice_in_words(tx: &Tx, choice: Option<Choice>) -> &'static str {
    match choice {
        Some(Choice::Municipality) => {
            tx.t("Gemeente mag het opvragen", "Municipality may request it")
        }
        Some(Choice::SelfSupplied) => tx.t("Bewoner levert het zelf aan", "Resident supplies it"),
        Some(Choice::NotNeeded) => tx.t("Niet nodig", "Not needed"),
        None => tx.t(
            "Nog niet gekozen: niet opvragen",
            "Not chosen yet: do not request",
        ),
    }
}

/// The resident's choices per source, as a definition list beside the call.
fn consent_panel(tx: &Tx, sources: &[(InfoSource, Option<Choice>)]) -> Markup {
    html! {
        h2 id="consent-kop" { (tx.t("Keuzes van de bewoner", "The resident's choices")) }
        p {
            (tx.t(
                "Vraag alleen op wat de bewoner aan de gemeente overliet.",
                "Only request what the resident left to the municipality."
            ))
        }
        @if sources.is_empty() {
            p {
                (tx.t(
                    "Voor dit onderwerp zijn geen gegevensbronnen ingesteld.",
                    "No information sources are set for this service."
                ))
            }
        } @else {
            dl class="summary" id="consent-choices" {
                @for (s, choice) in sources {
                    div { dt { (s.label) } dd { (choice_in_words(tx, *choice)) } }
                }
            }
        }
    }
}

pub async fn show(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(&format!("/medewerker/gesprek/{}", crate::html::url(&id)));
    };
    let answer = async {
        let id: QueueEntryId = id.parse().map_err(|_| Error::NotFound("queue entry"))?;
        // Logs the appointment (if any) as opened: the page shows the resident's data.
        let desk::CallView {
            tenant,
            entry,
            service,
            appointment,
            sources,
            results,
            triage,
            people,
        } = desk::call_view(&app, &claims, id).await?;
        let tx = Tx::formal(ctx.lang);
        let mut details = vec![
            (tx.t("Naam", "Name"), entry.resident_name.clone()),
            (tx.t("Onderwerp", "Service"), service.name.clone()),
        ];
        if let Some(a) = &appointment {
            details.push((
                tx.t("Afspraak", "Appointment"),
                tx.when_in_words(&tenant, a.start),
            ));
            if let Some(email) = a.resident.email() {
                details.push((tx.t("E-mail", "Email"), email.as_str().to_string()));
            }
            if let Some(phone) = a.resident.phone() {
                details.push((tx.t("Telefoon", "Phone"), phone.as_str().to_string()));
            }
            details.push((tx.t("Afspraakcode", "Booking code"), a.code.grouped()));
            if let Some(language) = &a.resident.language {
                details.push((
                    tx.t("Taal of tolk", "Language or interpreter"),
                    language.clone(),
                ));
            }
            if let Some(note) = a.resident.note.as_deref().filter(|n| !n.is_empty()) {
                details.push((
                    tx.t("Opmerking van de bewoner", "Resident's note"),
                    note.to_string(),
                ));
            }
            // Everyone the appointment is for (issue 16 item 8): the clerk helps each of them.
            if !people.is_empty() {
                details.push((
                    tx.t("Ook in deze afspraak", "Also in this appointment"),
                    people.join(", "),
                ));
            }
            // The answers to the questions before booking, as the resident saw them.
            for given in &triage {
                details.push((given.question.as_str(), given.answer.clone()));
            }
        } else {
            details.push((
                tx.t("Afspraak", "Appointment"),
                tx.t("Zonder afspraak (inloop)", "Walk-in").to_string(),
            ));
        }
        if let Some(phone) = &entry.resident_phone {
            details.push((tx.t("Telefoon", "Phone"), phone.clone()));
        }
        let kept = outcome::unfinished(&app, &claims, entry.id)
            .await?
            .unwrap_or_default();
        let notice = if ctx.param("vastgelegd").is_some() {
            Some(tx.t(
                "De uitkomst is vastgelegd.",
                "The outcome has been recorded.",
            ))
        } else if ctx.param("bewaard").is_some() {
            Some(tx.t("Het concept is bewaard.", "The draft has been saved."))
        } else {
            None
        };
        let allowed: Vec<&InfoSource> = sources
            .iter()
            .filter(|(_, c)| *c == Some(Choice::Municipality))
            .map(|(s, _)| s)
            .collect();
        // A walk-in gets the same form; without an appointment there are no consent choices,
        // so no source is offered as consulted.
        let consent = appointment.as_ref().map(|_| consent_panel(&tx, &sources));
        let outcome_form = outcome_form(
            &tx,
            &OutcomeFormView {
                results: &results,
                allowed: &allowed,
                has_sources: !sources.is_empty(),
                walk_in: appointment.is_none(),
                to: &OutcomeTargets::entry(&entry.id.to_string()),
                kept: &kept,
                notice,
            },
        );
        // Issue 16 item 9: the follow-up appointment, beside the outcome form.
        let follow_up = match &appointment {
            Some(a) => {
                let chosen = kept.follow_up == "new_appointment";
                super::follow_up::section(&app, &ctx, &tx, &claims, &tenant, entry.id, a, chosen)
                    .await?
            }
            None => None,
        };
        // Issue 22: the documents the resident supplied, each download logged.
        let documents = match &appointment {
            Some(a) => Some(crate::pages::documents::clerk_panel(
                &tx,
                a.id,
                &booking::usecases::documents::for_clerk(&app, &claims, a.id).await?,
            )),
            None => None,
        };
        let body = html! {
            div class="workspace" id="clerk-call" data-entry=(entry.id.to_string())
                data-appointment=[appointment.as_ref().map(|a| a.id.to_string())]
                data-status=(entry.status.as_str())
                data-failed=(tx.t(
                    "Het gesprek kon niet starten. Ga terug naar de wachtrij.",
                    "The call could not start. Go back to the queue."
                ))
                data-end-failed=(tx.t(
                    "Beëindigen lukte niet. Probeer het opnieuw.",
                    "Ending failed. Please try again."
                )) {
                div class="workspace-call" {
                    (call_view(&tx, tx.t("Beeld van de bewoner", "The resident's picture")))
                    (end_conversation(&tx))
                    p id="clerk-call-status" role="status" {}
                    p id="back-to-queue" hidden {
                        a class="button button--secondary" href="/medewerker/wachtrij" {
                            (tx.t("Terug naar de wachtrij", "Back to the queue"))
                        }
                    }
                    (by_phone(&tx, entry.resident_phone.as_deref()))
                    (participants(&tx, appointment.as_ref().map(|a| a.id)))
                }
                aside class="workspace-details call-details" aria-labelledby="details-kop" {
                    h2 id="details-kop" { (tx.t("Gegevens", "Details")) }
                    dl class="summary" {
                        @for (k, v) in &details {
                            div { dt { (k) } dd { (v) } }
                        }
                    }
                    @if let Some(consent) = consent {
                        (consent)
                    }
                    @if let Some(documents) = documents {
                        (documents)
                    }
                }
                div class="workspace-outcome" {
                    (outcome_form)
                    @if let Some(follow_up) = follow_up { (follow_up) }
                }
            }
            script type="module" src="/static/clerk-call.js" {}
        };
        let title = format!(
            "{} {}",
            tx.t("Gesprek met", "Call with"),
            entry.resident_name
        );
        let page = Page {
            title,
            tenant: Some(&tenant),
            body,
            has_errors: false,
            nav: nav(&tx, NAV_CURRENT, &claims),
        };
        Ok(render(&ctx, page).into_response())
    }
    .await;
    respond(&ctx, answer)
}

/// "Verder per telefoon" (issue 15 item 5): the video call did not work out; the clerk phones
/// the resident, the entry is done and marked, and the resident's page says the clerk calls.
fn by_phone(tx: &Tx, phone: Option<&str>) -> Markup {
    let done = match phone {
        Some(phone) => format!(
            "{} {phone}.",
            tx.t(
                "Vastgelegd: verder per telefoon. Bel de bewoner nu op",
                "Recorded: continued by phone. Call the resident now on"
            )
        ),
        None => tx
            .t(
                "Vastgelegd: verder per telefoon. De bewoner gaf geen nummer; de bewoner ziet het nummer van de gemeente.",
                "Recorded: continued by phone. The resident gave no number; they see the municipality's number."
            )
            .to_string(),
    };
    html! {
        p id="by-phone" hidden data-done=(done) {
            button type="button" id="by-phone-button" class="button button--secondary call-button" {
                (tx.t("Verder per telefoon", "Continue by phone"))
            }
        }
    }
}

/// "Gesprek beëindigen": ends the conversation for both (the queue entry is done, the room
/// admits nobody any more), then the outcome form. Leaving the room ("Ophangen") is not this:
/// the clerk and the resident can go back in until the clerk ends it.
fn end_conversation(tx: &Tx) -> Markup {
    html! {
        p id="end-conversation" hidden {
            button type="button" id="end-button" class="button button--secondary call-button"
                aria-haspopup="dialog" {
                (tx.t("Gesprek beëindigen", "End the conversation"))
            }
        }
        dialog id="end-dialog" class="confirm-dialog" aria-labelledby="end-dialog-kop"
            aria-describedby="end-dialog-uitleg" {
            h2 id="end-dialog-kop" {
                (tx.t(
                    "Weet u zeker dat u het gesprek wilt beëindigen?",
                    "Are you sure you want to end the conversation?"
                ))
            }
            p id="end-dialog-uitleg" {
                (tx.t(
                    "De bewoner kan daarna niet meer terug in dit gesprek. Daarna legt u de uitkomst vast.",
                    "The resident cannot come back into this conversation afterwards. Then you record the outcome."
                ))
            }
            ul class="actions" {
                li {
                    button type="button" id="confirm-end" class="button button--danger call-button" {
                        (tx.t("Ja, gesprek beëindigen", "Yes, end the conversation"))
                    }
                }
                li {
                    button type="button" id="cancel-end" class="button button--secondary call-button" {
                        (tx.t("Nee, terug", "No, go back"))
                    }
                }
            }
        }
    }
}

/// Where the outcome form sends what it holds.
pub(super) struct OutcomeTargets {
    /// The form's POST without JavaScript that records.
    pub record: String,
    /// The form's POST that keeps a draft; none where drafts are not kept (a callback).
    pub keep: Option<String>,
    /// The JSON API `clerk-call.js` records through.
    pub api: String,
}

impl OutcomeTargets {
    fn entry(entry: &str) -> Self {
        let base = format!("/medewerker/gesprek/{entry}");
        Self {
            record: format!("{base}/uitkomst"),
            keep: Some(format!("{base}/concept")),
            api: format!("/api/v1/staff/queue/{entry}/outcomes"),
        }
    }
}

/// What the outcome form shows: the service's results, the sources the resident allowed, and
/// what the clerk kept of it so far.
pub(super) struct OutcomeFormView<'a> {
    pub results: &'a [booking::domain::outcome::ResultOption],
    pub allowed: &'a [&'a InfoSource],
    pub has_sources: bool,
    /// A walk-in or callback: no appointment, so no consent choices to consult sources by.
    pub walk_in: bool,
    pub to: &'a OutcomeTargets,
    pub kept: &'a UnfinishedOutcome,
    pub notice: Option<&'a str>,
}

/// The outcome form beside the call: the result (from the service's list), the sources
/// consulted (only those the resident allowed), notes and what happens next, filled with the
/// kept draft. "Concept bewaren" keeps it without JavaScript; with JavaScript it is kept as the
/// clerk types.
pub(super) fn outcome_form(tx: &Tx, view: &OutcomeFormView<'_>) -> Markup {
    let radio = |id: &str, name: &str, value: &str, label: &str, checked: bool| {
        Radio {
            id,
            name,
            value,
            label,
            checked,
            invalid: false,
            required: false,
            described_by: None,
        }
        .render()
    };
    let kept = view.kept;
    let to = view.to;
    html! {
        form id="outcome-form" class="outcome-form" method="post"
            action=(to.keep.as_deref().unwrap_or(&to.record))
            aria-labelledby="outcome-kop"
            data-record=(to.api)
            data-saved=(tx.t(
                "De uitkomst is vastgelegd.",
                "The outcome has been recorded."
            ))
            data-failed=(tx.t(
                "Vastleggen lukte niet. Kies een resultaat en probeer het opnieuw.",
                "Recording failed. Choose a result and try again."
            ))
            data-kept=(tx.t("Concept bewaard", "Draft saved"))
            data-keep-failed=(tx.t(
                "Het concept kon niet worden bewaard. Probeer het opnieuw.",
                "The draft could not be saved. Please try again."
            )) {
            h2 id="outcome-kop" { (tx.t("Uitkomst van het gesprek", "Outcome of the call")) }
            @if to.keep.is_some() {
                p class="hint" {
                    (tx.t(
                        "U kunt dit tijdens het gesprek invullen. Het wordt als concept bewaard, ook na ophangen.",
                        "You can fill this in during the call. It is kept as a draft, also after hanging up."
                    ))
                }
            }
            @if let Some(notice) = view.notice {
                (crate::form::notice(notice))
            }
            fieldset {
                legend { (tx.t("Resultaat", "Result")) }
                div class="radio-list" {
                    @for (i, r) in view.results.iter().enumerate() {
                        (radio(&format!("result-{i}"), "result", &r.code, &r.label, kept.result == r.code))
                    }
                }
            }
            @if !view.allowed.is_empty() {
                fieldset id="sources-consulted" {
                    legend { (tx.t("Geraadpleegde bronnen", "Sources consulted")) }
                    p class="hint" {
                        (tx.t(
                            "Alleen de bronnen die de bewoner aan de gemeente overliet.",
                            "Only the sources the resident left to the municipality."
                        ))
                    }
                    div class="radio-list" {
                        @for (i, s) in view.allowed.iter().enumerate() {
                            div class="radio" {
                                input type="checkbox" id={ "source-" (i) } name="sources" value=(s.label)
                                    checked[kept.sources.contains(&s.label)];
                                label for={ "source-" (i) } { (s.label) }
                            }
                        }
                    }
                }
            } @else if view.walk_in {
                p id="no-sources" {
                    (tx.t(
                        "Zonder afspraak heeft de bewoner geen gegevensbron aan de gemeente overgelaten; u legt er dus geen als geraadpleegd vast.",
                        "Without an appointment the resident left no information source to the municipality, so you record none as consulted."
                    ))
                }
            } @else if view.has_sources {
                p id="no-sources" {
                    (tx.t(
                        "De bewoner heeft geen gegevensbron aan de gemeente overgelaten; u kunt er dus geen als geraadpleegd vastleggen.",
                        "The resident left no information source to the municipality, so you cannot record any as consulted."
                    ))
                }
            }
            fieldset {
                legend { (tx.t("Vervolg", "Follow-up")) }
                div class="radio-list" {
                    (radio("follow-none", "follow_up", "none", tx.t("Geen vervolg nodig", "No follow-up needed"), kept.follow_up != "new_appointment"))
                    (radio(
                        "follow-new",
                        "follow_up",
                        "new_appointment",
                        tx.t("Bewoner maakt een nieuwe afspraak", "Resident books a new appointment"),
                        kept.follow_up == "new_appointment",
                    ))
                }
            }
            div class="field" {
                label for="notes" { (tx.t("Aantekeningen", "Notes")) }
                textarea id="notes" name="notes" rows="8" maxlength=(MAX_NOTES) { (kept.notes) }
            }
            ul class="actions button-row" {
                li {
                    button type="submit" id="record-outcome" class="button" formaction=(to.record) {
                        (tx.t("Uitkomst vastleggen", "Record outcome"))
                    }
                }
                @if to.keep.is_some() {
                    li {
                        button type="submit" id="keep-draft" class="button button--secondary" {
                            (tx.t("Concept bewaren", "Save draft"))
                        }
                    }
                }
            }
            p id="draft-status" class="hint" role="status" {}
            div id="outcome-status" role="status" {}
        }
    }
}

/// The form's fields as sent (repeated `sources`, so not serde's urlencoded).
pub(super) fn form_fields(body: &str) -> (String, String, String, Vec<String>) {
    let (mut result, mut notes, mut follow_up, mut sources) =
        (String::new(), String::new(), String::new(), Vec::new());
    for (k, v) in form_urlencoded::parse(body.as_bytes()) {
        match k.as_ref() {
            "result" => result = v.into_owned(),
            "notes" => notes = v.into_owned(),
            "follow_up" => follow_up = v.into_owned(),
            "sources" => sources.push(v.into_owned()),
            _ => {}
        }
    }
    (result, notes, follow_up, sources)
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// `POST /medewerker/gesprek/{id}/concept`: keeps the outcome written so far. The autosave in
/// `clerk-call.js` sends the same form with `Accept: application/json` and gets 204; without
/// JavaScript the clerk is sent back to the call page, which shows the draft.
pub async fn keep_draft(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    Path(id): Path<String>,
    ctx: Ctx,
    headers: HeaderMap,
    body: String,
) -> Response {
    let here = format!("/medewerker/gesprek/{}", crate::html::url(&id));
    let Ok(Staff(claims)) = staff else {
        return to_login(&here);
    };
    let answer = async {
        let id: QueueEntryId = id.parse().map_err(|_| Error::NotFound("queue entry"))?;
        let (result, notes, follow_up, sources) = form_fields(&body);
        let unfinished = UnfinishedOutcome::parse(&result, &notes, &follow_up, sources)?;
        outcome::keep_unfinished(&app, &claims, id, &unfinished).await?;
        Ok(if wants_json(&headers) {
            StatusCode::NO_CONTENT.into_response()
        } else {
            see_other(&format!("{here}?bewaard=1#outcome-form"))
        })
    }
    .await;
    respond(&ctx, answer)
}

/// `POST /medewerker/gesprek/{id}/uitkomst`: records the outcome without JavaScript (with it,
/// `clerk-call.js` uses the JSON API). The draft is kept first, so a refusal loses nothing.
pub async fn record(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    Path(id): Path<String>,
    ctx: Ctx,
    body: String,
) -> Response {
    let here = format!("/medewerker/gesprek/{}", crate::html::url(&id));
    let Ok(Staff(claims)) = staff else {
        return to_login(&here);
    };
    let answer = async {
        let id: QueueEntryId = id.parse().map_err(|_| Error::NotFound("queue entry"))?;
        let (result, notes, follow_up, sources) = form_fields(&body);
        let unfinished = UnfinishedOutcome::parse(&result, &notes, &follow_up, sources.clone())?;
        outcome::keep_unfinished(&app, &claims, id, &unfinished).await?;
        let draft = OutcomeDraft {
            result,
            notes,
            follow_up: if unfinished.follow_up == "new_appointment" {
                FollowUp::NewAppointment
            } else {
                FollowUp::None
            },
            sources,
        };
        // The appointment's outcome, or the walk-in's: the use case tells them apart.
        outcome::record_for_entry(&app, &claims, id, draft, None).await?;
        Ok(see_other(&format!("{here}?vastgelegd=1#outcome-form")))
    }
    .await;
    respond(&ctx, answer)
}

/// Issue 15 item 4: who is in the call, with a way to take a companion or interpreter out
/// and to invite an interpreter; `static/participants.js` fills it in from the call.
fn participants(tx: &Tx, appointment: Option<booking::domain::ids::AppointmentId>) -> Markup {
    html! {
        section id="deelnemers" class="participants" aria-labelledby="deelnemers-kop" hidden
            data-appointment=[appointment.map(|a| a.to_string())]
            data-role-clerk=(tx.t("gemeente", "municipality"))
            data-role-resident=(tx.t("bewoner", "resident"))
            data-role-companion=(tx.t("begeleider", "companion"))
            data-role-interpreter=(tx.t("tolk", "interpreter"))
            data-remove=(tx.t("{name} uit het gesprek halen", "Take {name} out of the call"))
            data-confirm=(tx.t("{name} uit het gesprek halen? Diens link werkt daarna niet meer.", "Take {name} out of the call? Their link stops working."))
            data-removed=(tx.t("{name} is uit het gesprek gehaald.", "{name} was taken out of the call."))
            data-invited=(tx.t("{name} is uitgenodigd. Geef de link door.", "{name} was invited. Pass on the link."))
            data-nobody=(tx.t("Nog niemand anders.", "Nobody else yet."))
            data-failed=(tx.t("Dat lukte niet. Probeer het opnieuw.", "That did not work. Please try again.")) {
            h2 id="deelnemers-kop" { (tx.t("In het gesprek", "In the call")) }
            ul id="deelnemers-lijst" class="bullets" {}
            p id="deelnemers-status" role="status" {}
            @if appointment.is_some() {
                form id="tolk-form" novalidate {
                    h3 { (tx.t("Tolk uitnodigen", "Invite an interpreter")) }
                    p {
                        label for="tolk-naam" { (tx.t("Naam van de tolk", "Interpreter's name")) }
                        input id="tolk-naam" name="tolk-naam" class="input" type="text" autocomplete="off" required;
                    }
                    p {
                        label for="tolk-email" { (tx.t("E-mailadres (mag leeg blijven)", "Email address (optional)")) }
                        input id="tolk-email" name="tolk-email" class="input" type="email" autocomplete="off";
                    }
                    p { button type="submit" class="button button--secondary" { (tx.t("Tolk uitnodigen", "Invite an interpreter")) } }
                    p id="tolk-link" hidden {
                        label for="tolk-link-adres" { (tx.t("Link voor de tolk", "Link for the interpreter")) }
                        input id="tolk-link-adres" class="input input--wide" type="text" readonly;
                    }
                }
            }
        }
        script type="module" src="/static/participants.js" {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn source(code: &str, label: &str) -> InfoSource {
        InfoSource {
            code: code.into(),
            label: label.into(),
            reason: "r".into(),
        }
    }

    #[test]
    fn the_outcome_form_offers_only_allowed_sources() {
        let tx = Tx::formal(Lang::Nl);
        let brp = source("brp", "BRP");
        let kept = UnfinishedOutcome {
            notes: "Pasfoto <ok>".into(),
            sources: vec!["BRP".into()],
            ..Default::default()
        };
        let view = |allowed: &[&InfoSource], has_sources| {
            outcome_form(
                &tx,
                &OutcomeFormView {
                    results: &[],
                    allowed,
                    has_sources,
                    walk_in: false,
                    to: &OutcomeTargets::entry("e"),
                    kept: &kept,
                    notice: None,
                },
            )
            .into_string()
        };
        let form = view(&[&brp], true);
        // The kept draft fills the form again, escaped.
        assert!(form.contains("Pasfoto &lt;ok&gt;</textarea>"), "{form}");
        assert!(form.contains(r#"value="BRP" checked"#), "{form}");
        assert!(form.contains(r#"name="sources" value="BRP""#), "{form}");
        assert!(form.contains("Geraadpleegde bronnen"));
        let none = view(&[], true);
        assert!(!none.contains(r#"name="sources""#) && none.contains("no-sources"));
        let legacy = view(&[], false);
        assert!(!legacy.contains(r#"name="sources""#) && !legacy.contains("no-sources"));
        let panel = consent_panel(
            &tx,
            &[
                (brp.clone(), Some(Choice::Municipality)),
                (source("inkomen", "Inkomen <x>"), Some(Choice::SelfSupplied)),
                (source("wor", "WOR"), None),
            ],
        )
        .into_string();
        assert!(panel.contains("<dt>BRP</dt><dd>Gemeente mag het opvragen</dd>"));
        assert!(
            panel.contains("Inkomen &lt;x&gt;") && panel.contains("Bewoner levert het zelf aan")
        );
        assert!(panel.contains("Nog niet gekozen"));
    }
}
