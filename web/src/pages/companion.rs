//! Companions and interpreters (issue 15 item 4). `/a/{token}/meenemen`: the resident invites
//! someone into the call (name, optional e-mail) and gets their link. `/m/{token}`: the
//! companion's own page, with the same device check as the resident, then the call
//! (`static/companion.js`). Also the "who was in the call" section of "Uw gegevens".

use super::call_view::resident_call_view;
use super::personal::{unlock, Unlocked};
use super::video::device_check;
use crate::context::Ctx;
use crate::error::respond;
use crate::form::{self, Field};
use crate::i18n::{Lang, Tx};
use crate::layout::{render, Page};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use booking::domain::appointment::AppointmentStatus;
use booking::domain::companion::{self, CompanionLink, CompanionRole};
use booking::usecases::companions::{self as companions_uc, InviteInput, Invited};
use booking::{App, Error, Result};
use maud::{html, Markup};
use serde::Deserialize;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/a/{token}/meenemen", get(invite_form).post(invite))
        .route("/m/{token}", get(companion_page))
}

fn role_word(tx: &Tx, role: CompanionRole) -> &'static str {
    match tx.lang {
        Lang::Nl => role.word_nl(),
        Lang::En => role.word_en(),
    }
}

/// What a companion sees and hears: said where the resident invites and on "Uw gegevens".
pub fn sees_and_hears(tx: &Tx) -> &'static str {
    tx.pick(
        "Een begeleider of tolk ziet en hoort het hele gesprek, ook wat u over uw gegevens vertelt.",
        "Een begeleider of tolk ziet en hoort het hele gesprek, ook wat je over je gegevens vertelt.",
        "A companion or interpreter sees and hears the whole conversation, including what you say about your data.",
    )
}

#[derive(Deserialize, Default)]
pub struct InviteForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

async fn invite_form(State(app): State<App>, Path(token): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        invite_page(&app, &ctx, &u, &InviteForm::default(), &[], None).await
    }
    .await;
    respond(&ctx, outcome)
}

async fn invite(
    State(app): State<App>,
    Path(token): Path<String>,
    ctx: Ctx,
    Form(typed): Form<InviteForm>,
) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        let tx = Tx::new(ctx.lang, u.tenant.tone);
        let input = InviteInput {
            name: typed.name.clone(),
            email: typed.email.clone(),
        };
        match companions_uc::invite_companion(&app, &u, &input).await {
            Ok(invited) => {
                invite_page(&app, &ctx, &u, &InviteForm::default(), &[], Some(&invited)).await
            }
            Err(Error::Invalid { field, message }) => {
                let id = if field == "/email" { "email" } else { "name" };
                // The field as the form labels it, not its key.
                let label = match id {
                    "email" => tx.t("E-mailadres", "Email address"),
                    _ => tx.t("Naam", "Name"),
                };
                let words = tx
                    .words(&message)
                    .replace(&format!("‘{id}’"), &format!("‘{label}’"));
                let errors = vec![(id.to_string(), words)];
                invite_page(&app, &ctx, &u, &typed, &errors, None).await
            }
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}

async fn invite_page(
    app: &App,
    ctx: &Ctx,
    u: &Unlocked,
    typed: &InviteForm,
    errors: &[(String, String)],
    invited: Option<&Invited>,
) -> Result<Response> {
    let tx = Tx::new(ctx.lang, u.tenant.tone);
    let links = companions_uc::for_resident(app, u).await?;
    let size = companions_uc::room_size(app, u.tenant.id).await?;
    let open = links.iter().filter(|l| l.admits()).count();
    let cancelled = u.appointment.status == AppointmentStatus::Cancelled;
    let home = format!("/a/{}", u.token.as_str());
    let body = html! {
        (form::error_summary(&tx, errors))
        p { a href=(home) { (tx.pick("Terug naar uw afspraak", "Terug naar je afspraak", "Back to your appointment")) } }
        p {
            (tx.pick(
                "Wilt u iemand bij het gesprek hebben, bijvoorbeeld een familielid of iemand die u helpt? Die persoon krijgt een eigen link, die alleen voor deze afspraak werkt.",
                "Wil je iemand bij het gesprek hebben, bijvoorbeeld een familielid of iemand die je helpt? Die persoon krijgt een eigen link, die alleen voor deze afspraak werkt.",
                "Would you like someone with you in the call, such as a family member or someone who helps you? They get a link of their own that works for this appointment only."
            ))
        }
        p class="notice" id="ziet-en-hoort" { (sees_and_hears(&tx)) }
        @if let Some(invited) = invited {
            div class="notice" role="status" {
                p {
                    (tx.t("Uitgenodigd: ", "Invited: ")) strong { (invited.link.name) } "."
                    @if invited.link.email.is_some() {
                        " " (tx.t("De link is per e-mail verstuurd.", "The link was sent by e-mail."))
                    }
                }
                p {
                    label for="companion-link" {
                        (tx.pick("Stuur deze link zelf door:", "Stuur deze link zelf door:", "Send this link yourself:"))
                    }
                }
                input id="companion-link" class="input input--wide" type="text" readonly
                    value=(format!("{}{}", app.base_url.trim_end_matches('/'), invited.path()));
            }
        }
        @if !links.is_empty() {
            h2 { (tx.t("Uitgenodigd", "Invited")) }
            ul class="bullets" id="companions" {
                @for link in &links {
                    li {
                        (link.name) " (" (role_word(&tx, link.role)) ")"
                        @if !link.admits() {
                            " — " (tx.t("uit het gesprek gehaald", "taken out of the call"))
                        }
                    }
                }
            }
        }
        @if cancelled {
            p { (tx.t("Deze afspraak is afgezegd.", "This appointment has been cancelled.")) }
        } @else if open >= size.extra_people() {
            p {
                (tx.pick(
                    "Er kan niemand meer bij dit gesprek.",
                    "Er kan niemand meer bij dit gesprek.",
                    "Nobody else can join this call."
                ))
            }
        } @else {
            h2 { (tx.t("Iemand uitnodigen", "Invite someone")) }
            form method="post" novalidate {
                (Field::input("name", "text", tx.t("Naam", "Name"), &typed.name)
                    .autocomplete("off").required().render(&tx, errors))
                (Field::input("email", "email", tx.t("E-mailadres (mag leeg blijven)", "Email address (optional)"), &typed.email)
                    .hint(Some(tx.t("Dan sturen we de link ook per e-mail.", "Then we also send the link by e-mail.")))
                    .autocomplete("off").render(&tx, errors))
                p { button class="button" type="submit" { (tx.t("Uitnodigen", "Invite")) } }
            }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = Page {
        title: tx
            .t(
                "Iemand meenemen in het gesprek",
                "Bring someone into the call",
            )
            .to_string(),
        tenant: Some(&u.tenant),
        body,
        has_errors: !errors.is_empty(),
        nav: None,
    };
    Ok((status, render(ctx, page)).into_response())
}

/// The companion's (or interpreter's) own page.
async fn companion_page(State(app): State<App>, Path(token): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let view = companions_uc::unlock(&app, &token).await?;
        let tenant = &view.tenant;
        let tx = Tx::new(ctx.lang, tenant.tone);
        let link: &CompanionLink = &view.link;
        let cancelled = view.appointment.status == AppointmentStatus::Cancelled;
        let body = html! {
            p {
                (tx.pick("U bent uitgenodigd als ", "Je bent uitgenodigd als ", "You are invited as "))
                strong { (role_word(&tx, link.role)) }
                (tx.t(" voor het videogesprek over ", " for the video call about "))
                (view.service.name) " "
                (tx.when_in_words(tenant, view.appointment.start)) "."
            }
            p id="ziet-en-hoort" {
                (tx.pick(
                    "U ziet en hoort het hele gesprek. Wat u hoort, blijft tussen u, de bewoner en de gemeente.",
                    "Je ziet en hoort het hele gesprek. Wat je hoort, blijft tussen jou, de bewoner en de gemeente.",
                    "You see and hear the whole conversation. What you hear stays between you, the resident and the municipality."
                ))
            }
            @if !link.admits() {
                div class="notice" role="status" id="verwijderd" {
                    p { (tx.pick("U bent uit het gesprek gehaald.", "Je bent uit het gesprek gehaald.", "You were taken out of the call.")) }
                }
            } @else if cancelled {
                p { (tx.t("Deze afspraak is afgezegd.", "This appointment has been cancelled.")) }
            } @else {
                (device_check(&tx, &token))
                section id="wachten" aria-labelledby="wachten-kop" hidden
                    data-waiting=(tx.pick(
                        "Het gesprek is nog niet begonnen. Blijf op deze pagina: zodra de medewerker begint, komt u vanzelf in het gesprek.",
                        "Het gesprek is nog niet begonnen. Blijf op deze pagina: zodra de medewerker begint, kom je vanzelf in het gesprek.",
                        "The call has not started yet. Stay on this page: as soon as the clerk starts, you join by yourself."
                    ))
                    data-over=(tx.t("Het gesprek is afgelopen.", "The call has ended."))
                    data-removed=(tx.pick("U bent uit het gesprek gehaald.", "Je bent uit het gesprek gehaald.", "You were taken out of the call.")) {
                    h2 id="wachten-kop" { (tx.t("Even wachten", "Please wait")) }
                    p id="queue-status" class="queue-status" role="status" {}
                }
                (resident_call_view(&tx, tx.t("Beeld van de medewerker", "The clerk's picture")))
                script type="module" src="/static/companion.js" {}
            }
        };
        let page = Page {
            title: format!("{} – {}", tx.t("Videogesprek", "Video call"), tenant.name),
            tenant: Some(tenant),
            body,
            has_errors: false,
            nav: None,
        };
        Ok(render(&ctx, page).into_response())
    }
    .await;
    respond(&ctx, outcome)
}

/// "Uw gegevens": who came into the call when, with the invitations' names and roles.
pub async fn joins_section(app: &App, tx: &Tx, u: &Unlocked) -> Result<Markup> {
    let joins = companions_uc::joins(app, u).await?;
    let tz = u.tenant.time_zone.tz();
    let sentences: Vec<String> = joins
        .iter()
        .map(|j| match tx.lang {
            Lang::Nl => companion::join_sentence(j, tz, u.tenant.tone),
            Lang::En => companion::join_sentence_en(j, tz),
        })
        .collect();
    Ok(html! {
        h2 id="in-gesprek" { (tx.t("Wie was er bij het gesprek", "Who was in the call")) }
        p { (sees_and_hears(tx)) }
        @if sentences.is_empty() {
            p { (tx.t("Er is nog niemand in het gesprek geweest.", "Nobody has been in the call yet.")) }
        } @else {
            ul class="bullets" id="call-joins" {
                @for sentence in &sentences {
                    li { (sentence) }
                }
            }
        }
    })
}
