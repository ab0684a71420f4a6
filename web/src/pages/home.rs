//! `/`: the municipalities on this platform.

use crate::context::Ctx;
use crate::error::respond;
use crate::html::url;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use booking::App;
use maud::html;

pub async fn municipalities(State(app): State<App>, ctx: Ctx) -> Response {
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let tenants = ::booking::usecases::booking::municipalities(&app).await?;
        let body = html! {
            p class="lead" {
                (tx.t(
                    "Maak een videoafspraak met uw gemeente. Kies eerst uw gemeente.",
                    "Book a video appointment with your municipality. First choose your municipality."
                ))
            }
            ul class="choice-list" {
                @for t in &tenants {
                    li { a class="choice" href={ "/" (url(t.slug.as_str())) } { (t.name) } }
                }
            }
        };
        let title = tx
            .t("Kies uw gemeente", "Choose your municipality")
            .to_string();
        Ok(render(
            &ctx,
            Page {
                title,
                tenant: None,
                body,
                has_errors: false,
                nav: None,
            },
        )
        .into_response())
    }
    .await;
    respond(&ctx, outcome)
}
