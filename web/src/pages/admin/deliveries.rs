//! `/beheer/zaaksysteem`: the outcomes that did not reach the municipality's case store. Per
//! delivery the last error and when it is tried again, in words, with "Opnieuw proberen";
//! "Alles opnieuw proberen" for all of them (for example after the settings were corrected).
//! The rules live in `booking::usecases::admin` (`delivery_overview`, `retry_delivery`,
//! `retry_failing`), which the JSON API (`/api/v1/admin/deliveries`) calls too.

use super::{admin_page, saved_notice, AdminSession};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form;
use crate::i18n::Tx;
use axum::extract::{Path, State};
use axum::response::Response;
use booking::domain::tenant::Tenant;
use booking::store::OutboxEntry;
use booking::usecases;
use booking::{App, Error, Result};
use jiff::Timestamp;
use maud::html;

const HERE: &str = "/beheer/zaaksysteem";

pub async fn show(
    State(app): State<App>,
    AdminSession { tenant, .. }: AdminSession,
    ctx: Ctx,
) -> Response {
    let outcome = async { page(&app, &ctx, &tenant, None).await }.await;
    respond(&ctx, outcome)
}

/// Retries one failing delivery. One that is no longer failing (delivered or retried in the
/// meantime, or not this municipality's) is said on the page.
pub async fn retry(
    State(app): State<App>,
    AdminSession { claims, tenant }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        match usecases::admin::deliveries::retry_delivery(&app, tenant.id, claims.sub, &id).await {
            Ok(()) => Ok(see_other(&format!("{HERE}?opnieuw=1"))),
            Err(Error::NotFound(_)) => {
                let tx = Tx::formal(ctx.lang);
                let error = tx.t(
                    "Deze uitkomst staat niet meer op de lijst: hij is intussen verstuurd of al opnieuw geprobeerd. Er is niets veranderd.",
                    "This outcome is no longer on the list: it was sent or retried in the meantime. Nothing was changed.",
                );
                page(&app, &ctx, &tenant, Some(error)).await
            }
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn retry_all(
    State(app): State<App>,
    AdminSession { claims, .. }: AdminSession,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let retried =
            usecases::admin::deliveries::retry_failing(&app, claims.tenant, claims.sub).await?;
        Ok(see_other(&format!("{HERE}?alles={retried}")))
    }
    .await;
    respond(&ctx, outcome)
}

/// When the delivery is tried again, in words.
fn next_attempt(tx: &Tx, tenant: &Tenant, now: Timestamp, e: &OutboxEntry) -> String {
    match e.next_attempt_at {
        None => tx
            .t(
                "Niet vanzelf: het zaaksysteem weigerde de uitkomst. Kijk naar de fout, pas zo nodig de instellingen aan en kies dan 'Opnieuw proberen'.",
                "Not by itself: the case system refused the outcome. Look at the error, correct the settings if needed, then choose 'Try again'.",
            )
            .to_string(),
        Some(at) if at <= now => tx
            .t("Nu, zo snel mogelijk.", "Now, as soon as possible.")
            .to_string(),
        Some(at) => {
            let minutes = (at.as_second() - now.as_second() + 59) / 60;
            if minutes < 60 {
                let time = at
                    .to_zoned(tenant.time_zone.tz().clone())
                    .strftime("%H:%M")
                    .to_string();
                let text = if minutes == 1 {
                    tx.t(
                        "Vanzelf opnieuw over 1 minuut, om {time}.",
                        "Tried again by itself in 1 minute, at {time}.",
                    )
                } else {
                    tx.t(
                        "Vanzelf opnieuw over {n} minuten, om {time}.",
                        "Tried again by itself in {n} minutes, at {time}.",
                    )
                };
                text.replace("{n}", &minutes.to_string())
                    .replace("{time}", &time)
            } else {
                tx.t(
                    "Vanzelf opnieuw op {when}.",
                    "Tried again by itself on {when}.",
                )
                .replace("{when}", &tx.moment_in_words(tenant, at))
            }
        }
    }
}

async fn page(app: &App, ctx: &Ctx, tenant: &Tenant, error: Option<&str>) -> Result<Response> {
    let tx = Tx::formal(ctx.lang);
    let overview = usecases::admin::deliveries::delivery_overview(app, tenant.id).await?;
    let now = app.clock.now();
    let retried_all = ctx.param("alles").map(|n| {
        let text = match n {
            "0" => tx.t(
                "Er was niets om opnieuw te proberen.",
                "There was nothing to try again.",
            ),
            "1" => tx.t(
                "1 uitkomst wordt opnieuw naar het zaaksysteem gestuurd.",
                "1 outcome is being sent to the case system again.",
            ),
            _ => tx.t(
                "{n} uitkomsten worden opnieuw naar het zaaksysteem gestuurd.",
                "{n} outcomes are being sent to the case system again.",
            ),
        };
        form::notice(&text.replace("{n}", n))
    });
    let saved = saved_notice(
        ctx,
        "opnieuw",
        tx.t(
            "De uitkomst wordt opnieuw naar het zaaksysteem gestuurd.",
            "The outcome is being sent to the case system again.",
        ),
    );
    let body = html! {
        (saved.unwrap_or_default())
        (retried_all.unwrap_or_default())
        @if let Some(e) = error {
            div class="error-summary" role="alert" { p { (e) } }
        }
        p {
            (tx.t(
                "Na elk gesprek stuurt Videoloket de uitkomst naar het zaaksysteem van de gemeente. Lukt dat niet, dan ziet u dat hier. Als het zaaksysteem even niet bereikbaar is, probeert Videoloket het later vanzelf opnieuw. U kunt het ook meteen opnieuw laten proberen, bijvoorbeeld nadat de instellingen van het zaaksysteem zijn aangepast.",
                "After every call Videoloket sends the outcome to the municipality's case system. When that fails, you see it here. When the case system cannot be reached for a while, Videoloket tries again by itself later. You can also have it try again right away, for example after the case system's settings were corrected."
            ))
        }
        h2 id="stand-kop" { (tx.t("Stand van zaken", "Current state")) }
        ul {
            li {
                (tx.t("Niet aangekomen: {n}", "Not arrived: {n}")
                    .replace("{n}", &overview.failing_count.to_string()))
            }
            li {
                (tx.t("Wachten op verzending: {n}", "Waiting to be sent: {n}")
                    .replace("{n}", &overview.pending_count.to_string()))
            }
        }
        h2 id="lijst-kop" { (tx.t("Niet aangekomen", "Not arrived")) }
        @if overview.failing.is_empty() {
            p {
                (tx.t(
                    "Alle uitkomsten zijn aangekomen of worden nog verstuurd. Er hoeft niets te gebeuren.",
                    "Every outcome has arrived or is still being sent. Nothing needs to be done."
                ))
            }
        } @else {
            p { (tx.t("De oudste staat bovenaan.", "The oldest is at the top.")) }
            @for (n, e) in overview.failing.iter().enumerate() {
                @let heading = format!("uitkomst-{}", n + 1);
                @let title = format!("{} {}", tx.t("Uitkomst", "Outcome"), n + 1);
                article class="complaint" aria-labelledby=(heading) {
                    h3 id=(heading) { (title) }
                    dl class="summary" {
                        div { dt { (tx.t("Vastgelegd", "Recorded")) } dd { (tx.moment_in_words(tenant, e.created_at)) } }
                        div { dt { (tx.t("Versie", "Version")) } dd { (e.version) } }
                        div { dt { (tx.t("Pogingen", "Attempts")) } dd class="attempts" { (e.attempts) } }
                        div {
                            dt { (tx.t("Laatste fout", "Last error")) }
                            dd { (e.last_error.as_deref().unwrap_or(tx.t("Onbekend", "Unknown"))) }
                        }
                        div { dt { (tx.t("Volgende poging", "Next attempt")) } dd { (next_attempt(&tx, tenant, now, e)) } }
                    }
                    form method="post" action={ (HERE) "/" (e.id.to_string()) "/opnieuw" } {
                        p {
                            button type="submit" class="button button--secondary" {
                                (tx.t("Opnieuw proberen", "Try again"))
                                span class="visually-hidden" { " (" (title) ")" }
                            }
                        }
                    }
                }
            }
            form method="post" action={ (HERE) "/alles-opnieuw" } {
                p { button type="submit" class="button" { (tx.t("Alles opnieuw proberen", "Try all again")) } }
            }
        }
    };
    Ok(admin_page(
        ctx,
        tenant,
        HERE,
        tx.t("Zaaksysteem", "Case system").to_string(),
        body,
        error.is_some(),
    ))
}
