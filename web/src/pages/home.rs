//! `/`: the municipalities on this platform.

use crate::context::Ctx;
use crate::error::respond;
use crate::html::{esc, url};
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use booking::App;

pub async fn municipalities(State(app): State<App>, ctx: Ctx) -> Response {
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let tenants = ::booking::usecases::booking::municipalities(&app).await?;
        let items: String = tenants
            .iter()
            .map(|t| {
                format!(
                    r#"<li><a class="choice" href="/{}">{}</a></li>"#,
                    url(t.slug.as_str()),
                    esc(&t.name)
                )
            })
            .collect();
        let body = format!(
            r#"<p class="lead">{intro}</p><ul class="choice-list">{items}</ul>"#,
            intro = tx.t(
                "Maak een videoafspraak met uw gemeente. Kies eerst uw gemeente.",
                "Book a video appointment with your municipality. First choose your municipality."
            ),
        );
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
                nav: String::new(),
            },
        )
        .into_response())
    }
    .await;
    respond(&ctx, outcome)
}
