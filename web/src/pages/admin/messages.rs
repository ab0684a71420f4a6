//! `/beheer/berichten`: the mails and texts Videoloket sends residents (confirmations, changes,
//! cancellations, reminders, answers to texts), each with its state in words (waiting, sent,
//! failed, not needed), attempts and last error; the reminder settings (a day before, an hour
//! before: on or off); "Opnieuw versturen" for a failed one. The rules live in
//! `booking::usecases::messages`.

use super::{admin_page, saved_notice, AdminSession, FormData};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::i18n::Tx;
use axum::extract::{Path, State};
use axum::response::Response;
use booking::domain::message::{MessageState, ReminderSettings};
use booking::domain::tenant::Tenant;
use booking::usecases::messages;
use booking::{App, Error, Result};
use maud::html;

pub const HERE: &str = "/beheer/berichten";

pub async fn show(
    State(app): State<App>,
    AdminSession { tenant, .. }: AdminSession,
    ctx: Ctx,
) -> Response {
    let outcome = page(&app, &ctx, &tenant).await;
    respond(&ctx, outcome)
}

pub async fn save(
    State(app): State<App>,
    AdminSession { claims, .. }: AdminSession,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let f = FormData::parse(&body);
        let settings = ReminderSettings {
            day_before: f.has("day_before"),
            hour_before: f.has("hour_before"),
        };
        messages::save_reminder_settings(&app, &claims, settings).await?;
        Ok(see_other(&format!("{HERE}?opgeslagen=1")))
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn retry(
    State(app): State<App>,
    AdminSession { tenant, .. }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        match messages::retry(&app, tenant.id, &id).await {
            Ok(()) | Err(Error::NotFound(_)) => Ok(see_other(&format!("{HERE}?opnieuw=1"))),
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}

fn state_words(tx: &Tx, state: MessageState) -> &'static str {
    match state {
        MessageState::Queued => tx.t("Wacht op verzending", "Waiting to be sent"),
        MessageState::Sent => tx.t("Verzonden", "Sent"),
        MessageState::Failed => tx.t("Mislukt", "Failed"),
        MessageState::Dropped => tx.t(
            "Niet verzonden: niet meer nodig",
            "Not sent: no longer needed",
        ),
    }
}

async fn page(app: &App, ctx: &Ctx, tenant: &Tenant) -> Result<Response> {
    let tx = Tx::formal(ctx.lang);
    let settings = messages::reminder_settings(app, tenant.id).await?;
    let list = messages::list(app, tenant.id).await?;
    let saved = saved_notice(
        ctx,
        "opgeslagen",
        tx.t(
            "De instellingen zijn opgeslagen.",
            "The settings were saved.",
        ),
    );
    let retried = saved_notice(
        ctx,
        "opnieuw",
        tx.t(
            "Het bericht wordt opnieuw verstuurd.",
            "The message is being sent again.",
        ),
    );
    let body = html! {
        (saved.unwrap_or_default())
        (retried.unwrap_or_default())
        p {
            (tx.t(
                "Videoloket stuurt bewoners een e-mail (en een sms als zij een telefoonnummer gaven) bij het maken, verzetten en afzeggen van een afspraak, en een herinnering vooraf. Lukt verzenden niet, dan probeert Videoloket het later vanzelf opnieuw.",
                "Videoloket sends residents an e-mail (and a text when they gave a phone number) when an appointment is made, moved or cancelled, and a reminder beforehand. When sending fails, Videoloket tries again by itself later."
            ))
        }
        h2 id="herinneringen-kop" { (tx.t("Herinneringen", "Reminders")) }
        form method="post" action=(HERE) {
            fieldset {
                legend { (tx.t("Welke herinneringen krijgen bewoners?", "Which reminders do residents get?")) }
                div class="checkbox" {
                    input type="checkbox" id="day_before" name="day_before" value="1" checked[settings.day_before];
                    label for="day_before" { (tx.t("Een dag van tevoren", "One day before")) }
                }
                div class="checkbox" {
                    input type="checkbox" id="hour_before" name="hour_before" value="1" checked[settings.hour_before];
                    label for="hour_before" { (tx.t("Een uur van tevoren", "One hour before")) }
                }
            }
            p { button type="submit" class="button" { (tx.t("Opslaan", "Save")) } }
        }
        h2 id="berichten-kop" { (tx.t("Verstuurde en wachtende berichten", "Sent and waiting messages")) }
        @if list.is_empty() {
            p { (tx.t("Er zijn nog geen berichten.", "There are no messages yet.")) }
        } @else {
            p { (tx.t("De nieuwste staat bovenaan.", "The newest is at the top.")) }
            div class="table-scroll" role="region" tabindex="0" aria-labelledby="berichten-kop" {
                table {
                    caption class="visually-hidden" { (tx.t("Berichten", "Messages")) }
                    thead {
                        tr {
                            th scope="col" { (tx.t("Gemaakt", "Created")) }
                            th scope="col" { (tx.t("Soort", "Kind")) }
                            th scope="col" { (tx.t("Via", "By")) }
                            th scope="col" { (tx.t("Stand", "State")) }
                            th scope="col" { (tx.t("Pogingen", "Attempts")) }
                            th scope="col" { (tx.t("Laatste fout", "Last error")) }
                        }
                    }
                    tbody {
                        @for m in &list {
                            tr class={ "message message--" (m.state.as_str()) } {
                                td { (tx.moment_in_words(tenant, m.created_at)) }
                                td { (m.kind.words_nl()) }
                                td { (m.channel.words_nl()) }
                                td class="state" {
                                    (state_words(&tx, m.state))
                                    @if m.state == MessageState::Queued {
                                        @if let Some(at) = m.next_attempt_at {
                                            " (" (tx.t("vanaf", "from")) " " (tx.moment_in_words(tenant, at)) ")"
                                        }
                                    }
                                }
                                td class="attempts" { (m.attempts) }
                                td {
                                    (m.last_error.as_deref().unwrap_or("–"))
                                    @if m.state == MessageState::Failed {
                                        form method="post" action={ (HERE) "/" (m.id) "/opnieuw" } {
                                            button type="submit" class="button button--secondary" {
                                                (tx.t("Opnieuw versturen", "Send again"))
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
        tx.t("Berichten", "Messages").to_string(),
        body,
        false,
    ))
}
