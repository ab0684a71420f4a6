//! `/{slug}`: the services a municipality offers by video.

use crate::context::Ctx;
use crate::html::url;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use booking::App;
use maud::html;

pub async fn choose_service(
    State(app): State<App>,
    Path(slug): Path<String>,
    ctx: Ctx,
) -> Response {
    let tenant = match ::booking::usecases::booking::municipality(&app, &slug).await {
        Ok(tenant) => tenant,
        Err(err) => return crate::error::error_page(&ctx, err),
    };
    let outcome = async {
        let tx = Tx::new(ctx.lang, tenant.tone);
        let services = booking::usecases::booking::offered_services(&app, tenant.id).await?;
        let info = &tenant.resident_info;
        let intro = match ctx.lang {
            crate::i18n::Lang::En if !info.intro_en.is_empty() => Some((&info.intro_en, "en")),
            _ if !info.intro_nl.is_empty() => Some((&info.intro_nl, "nl")),
            _ => None,
        };
        let body = html! {
            @if let Some((intro, lang)) = intro {
                div class="municipality-intro" lang=(lang) {
                    @for paragraph in intro.split("\n\n") {
                        p class="multiline" { (paragraph) }
                    }
                }
            }
            p class="lead" {
                (tx.pick(
                    "Waarover wilt u met de gemeente praten?",
                    "Waarover wil je met de gemeente praten?",
                    "What would you like to talk to the municipality about?"
                ))
            }
            ul class="choice-list" {
                @for s in &services {
                    li {
                        a class="choice" href={ "/" (url(tenant.slug.as_str())) "/" (s.id.to_string()) } {
                            span class="choice-title" { (s.name) }
                            span class="choice-text" { (s.description) }
                            span class="choice-text" {
                                (tx.t("Het gesprek duurt {n} minuten.", "The call takes {n} minutes.")
                                    .replace("{n}", &s.duration_minutes.to_string()))
                            }
                        }
                    }
                }
            }
            // Issue 16: the way back to an appointment without the mail.
            p class="find-appointment" {
                a href={ "/" (url(tenant.slug.as_str())) "/afspraak-zoeken" } {
                    (tx.pick("Al een afspraak? Zoek uw afspraak met de afspraakcode", "Al een afspraak? Zoek je afspraak met de afspraakcode", "Already booked? Find your appointment with the booking code"))
                }
            }
        };
        let title = tx
            .pick("Kies uw dienst", "Kies je dienst", "Choose a service")
            .to_string();
        Ok(render(&ctx, Page { title, tenant: Some(&tenant), body, has_errors: false , nav: None }).into_response())
    }
    .await;
    crate::error::respond_for(&ctx, &tenant, outcome)
}
