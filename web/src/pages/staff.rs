//! The clerk's pages: log in, the live queue with "next resident", and the call with the
//! appointment's details beside the video and the outcome form after hanging up. The JSON API
//! does the work (login, call-next, room ticket, done, outcomes); `static/clerk.js` calls it.
//! A page that needs a session and has none sends the clerk to the login form.

use super::call_view::call_view;
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::html::esc;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use booking::auth::Staff;
use booking::queue::QueueEntryId;
use booking::{App, Error};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/medewerker", get(choose_municipality))
        .route("/{slug}/medewerker", get(login))
        .route("/medewerker/wachtrij", get(queue))
        .route("/medewerker/gesprek/{id}", get(call))
}

/// Where a clerk without a session goes: the municipalities, each with its login form.
const LOGIN: &str = "/medewerker";

pub async fn choose_municipality(State(app): State<App>, ctx: Ctx) -> Response {
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let items: String = app
            .db
            .tenants()
            .await?
            .iter()
            .map(|t| {
                format!(
                    r#"<li><a class="choice" href="/{}/medewerker">{}</a></li>"#,
                    crate::html::url(t.slug.as_str()),
                    esc(&t.name)
                )
            })
            .collect();
        let body = format!(
            r#"<p>{}</p><ul class="choice-list">{items}</ul>"#,
            tx.t("Kies uw gemeente.", "Choose your municipality.")
        );
        let title = tx
            .t("Inloggen voor medewerkers", "Log in for clerks")
            .to_string();
        Ok(ctx.finish(render(
            &ctx,
            Page {
                title,
                tenant: None,
                body,
                has_errors: false,
            },
        )))
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn login(State(app): State<App>, Path(slug): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let tenant = app.db.tenant_by_slug(&slug).await?;
        let tx = Tx::formal(ctx.lang);
        let body = login_form(&tx, tenant.slug.as_str());
        let title = tx
            .t("Inloggen voor medewerkers", "Log in for clerks")
            .to_string();
        Ok(ctx.finish(render(
            &ctx,
            Page {
                title,
                tenant: Some(&tenant),
                body,
                has_errors: false,
            },
        )))
    }
    .await;
    respond(&ctx, outcome)
}

fn login_form(tx: &Tx, slug: &str) -> String {
    format!(
        r#"<form id="login-form" class="staff-form" method="post" action="/api/v1/auth/login"
 data-tenant="{slug}" data-wrong="{wrong}" data-failed="{failed}">
<div id="login-error" class="error-summary" role="alert" tabindex="-1" hidden></div>
<div class="field"><label for="email">{email}</label>
<input id="email" name="email" type="email" autocomplete="username" required></div>
<div class="field"><label for="password">{password}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required></div>
<p><button type="submit" class="button">{submit}</button></p>
</form>
<script type="module" src="/static/clerk-login.js"></script>"#,
        slug = esc(slug),
        email = tx.t("E-mailadres", "Email address"),
        password = tx.t("Wachtwoord", "Password"),
        submit = tx.t("Inloggen", "Log in"),
        wrong = tx.t(
            "Het e-mailadres of het wachtwoord klopt niet.",
            "The email address or the password is wrong."
        ),
        failed = tx.t(
            "Inloggen lukt nu niet. Probeer het zo nog eens.",
            "Logging in is not possible right now. Please try again shortly."
        ),
    )
}

pub async fn queue(State(app): State<App>, staff: Result<Staff, Error>, ctx: Ctx) -> Response {
    let Ok(Staff(claims)) = staff else {
        return see_other(LOGIN);
    };
    let outcome = async {
        let tenant = app.db.tenant(claims.tenant).await?;
        let tx = Tx::formal(ctx.lang);
        let body = format!(
            r#"<section id="wachtrij" aria-labelledby="wachtrij-kop"
 data-nobody="{nobody}" data-empty="{empty}" data-waiting="{waiting}" data-with-clerk="{with_clerk}" data-minutes="{minutes}">
<p><button type="button" id="call-next" class="button">{call_next}</button></p>
<p id="call-next-status" role="status"></p>
<h2 id="wachtrij-kop">{heading}</h2>
<p id="queue-count" role="status"></p>
<table class="queue-table">
<caption class="visually-hidden">{heading}</caption>
<thead><tr><th scope="col">{name}</th><th scope="col">{service}</th><th scope="col">{status}</th><th scope="col">{waited}</th></tr></thead>
<tbody id="queue-rows"></tbody>
</table>
</section>
<script type="module" src="/static/clerk-queue.js"></script>"#,
            call_next = tx.t("Volgende bewoner", "Next resident"),
            heading = tx.t("Wachtrij", "Queue"),
            name = tx.t("Naam", "Name"),
            service = tx.t("Onderwerp", "Service"),
            status = tx.t("Status", "Status"),
            waited = tx.t("Wacht al", "Waiting for"),
            nobody = tx.t("Er wacht nu niemand voor uw onderwerpen.", "Nobody is waiting for your services now."),
            empty = tx.t("Er wacht niemand.", "Nobody is waiting."),
            waiting = tx.t("Wacht", "Waiting"),
            with_clerk = tx.t("Bij een medewerker", "With a clerk"),
            minutes = tx.t("{minutes} min.", "{minutes} min."),
        );
        let title = tx.t("Wachtrij", "Queue").to_string();
        let page = Page { title, tenant: Some(&tenant), body, has_errors: false };
        Ok(ctx.finish(render(&ctx, page)))
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn call(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let Ok(Staff(claims)) = staff else {
        return see_other(LOGIN);
    };
    let outcome = async {
        let id: QueueEntryId = id.parse().map_err(|_| Error::NotFound("queue entry"))?;
        let tenant = app.db.tenant(claims.tenant).await?;
        let entry = app.db.queue_entry(tenant.id, id).await?;
        let service = app.db.service(tenant.id, entry.service_id).await?;
        let tx = Tx::formal(ctx.lang);
        let appointment = match entry.appointment_id {
            Some(a) => Some(app.db.appointment(tenant.id, a).await?),
            None => None,
        };
        let mut details = vec![
            (tx.t("Naam", "Name"), entry.resident_name.clone()),
            (tx.t("Onderwerp", "Service"), service.name.clone()),
        ];
        if let Some(a) = &appointment {
            details.push((tx.t("Afspraak", "Appointment"), tx.when_in_words(&tenant, a.start)));
            details.push((tx.t("E-mail", "Email"), a.resident.email.as_str().to_string()));
            if let Some(note) = a.resident.note.as_deref().filter(|n| !n.is_empty()) {
                details.push((tx.t("Opmerking van de bewoner", "Resident's note"), note.to_string()));
            }
        } else {
            details.push((tx.t("Afspraak", "Appointment"), tx.t("Zonder afspraak (inloop)", "Walk-in").to_string()));
        }
        if let Some(phone) = &entry.resident_phone {
            details.push((tx.t("Telefoon", "Phone"), phone.clone()));
        }
        let details: String = details
            .iter()
            .map(|(k, v)| format!("<div><dt>{}</dt><dd>{}</dd></div>", esc(k), esc(v)))
            .collect();
        let outcome_form = match &appointment {
            Some(a) => outcome_form(&tx, &app.db.service_results(service.id).await?, &a.id.to_string()),
            None => String::new(),
        };
        let body = format!(
            r#"<div class="call-layout" id="clerk-call" data-entry="{entry_id}" data-failed="{failed}">
<div class="call-main">{call}</div>
<aside class="call-details" aria-labelledby="details-kop">
<h2 id="details-kop">{details_heading}</h2>
<dl class="summary">{details}</dl>
</aside>
</div>
<p id="clerk-call-status" role="status"></p>
{outcome_form}
<p id="back-to-queue" hidden><a class="button button--secondary" href="/medewerker/wachtrij">{back}</a></p>
<script type="module" src="/static/clerk-call.js"></script>"#,
            entry_id = esc(&entry.id.to_string()),
            failed = tx.t("Het gesprek kon niet starten. Ga terug naar de wachtrij.", "The call could not start. Go back to the queue."),
            call = call_view(&tx, tx.t("Beeld van de bewoner", "The resident's picture")),
            details_heading = tx.t("Gegevens", "Details"),
            back = tx.t("Terug naar de wachtrij", "Back to the queue"),
        );
        let title = format!("{} {}", tx.t("Gesprek met", "Call with"), entry.resident_name);
        let page = Page { title, tenant: Some(&tenant), body, has_errors: false };
        Ok(ctx.finish(render(&ctx, page)))
    }
    .await;
    respond(&ctx, outcome)
}

/// Shown after hanging up: the result (from the service's list), notes and what happens next.
fn outcome_form(tx: &Tx, results: &[booking::outcome::ResultOption], appointment: &str) -> String {
    let options: String = results
        .iter()
        .enumerate()
        .map(|(i, r)| {
            format!(
                r#"<div class="radio"><input type="radio" id="result-{i}" name="result" value="{code}"><label for="result-{i}">{label}</label></div>"#,
                code = esc(&r.code),
                label = esc(&r.label),
            )
        })
        .collect();
    format!(
        r#"<form id="outcome-form" class="staff-form" hidden data-appointment="{appointment}" data-saved="{saved}" data-failed="{failed}">
<h2>{heading}</h2>
<fieldset><legend>{result}</legend><div class="radio-list">{options}</div></fieldset>
<fieldset><legend>{follow_up}</legend><div class="radio-list">
<div class="radio"><input type="radio" id="follow-none" name="follow_up" value="none" checked><label for="follow-none">{none}</label></div>
<div class="radio"><input type="radio" id="follow-new" name="follow_up" value="new_appointment"><label for="follow-new">{new_appointment}</label></div>
</div></fieldset>
<div class="field"><label for="notes">{notes}</label><textarea id="notes" name="notes" rows="4"></textarea></div>
<p><button type="submit" class="button">{save}</button></p>
<div id="outcome-status" role="status"></div>
</form>"#,
        appointment = esc(appointment),
        heading = tx.t("Uitkomst van het gesprek", "Outcome of the call"),
        result = tx.t("Resultaat", "Result"),
        follow_up = tx.t("Vervolg", "Follow-up"),
        none = tx.t("Geen vervolg nodig", "No follow-up needed"),
        new_appointment = tx.t(
            "Bewoner maakt een nieuwe afspraak",
            "Resident books a new appointment"
        ),
        notes = tx.t("Aantekeningen", "Notes"),
        save = tx.t("Uitkomst vastleggen", "Record outcome"),
        saved = tx.t(
            "De uitkomst is vastgelegd.",
            "The outcome has been recorded."
        ),
        failed = tx.t(
            "Vastleggen lukte niet. Kies een resultaat en probeer het opnieuw.",
            "Recording failed. Choose a result and try again."
        ),
    )
}
