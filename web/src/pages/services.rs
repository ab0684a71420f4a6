//! `/{slug}`: the services a municipality offers by video.

use crate::context::Ctx;
use crate::error::respond;
use crate::html::{esc, url};
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use booking::App;

pub async fn choose_service(
    State(app): State<App>,
    Path(slug): Path<String>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let tenant = ::booking::usecases::booking::municipality(&app, &slug).await?;
        let tx = Tx::new(ctx.lang, tenant.tone);
        let services = booking::usecases::booking::offered_services(&app, tenant.id).await?;
        let items: String = services
            .iter()
            .map(|s| {
                format!(
                    r#"<li><a class="choice" href="/{slug}/{id}"><span class="choice-title">{name}</span><span class="choice-text">{description}</span><span class="choice-text">{minutes}</span></a></li>"#,
                    slug = url(tenant.slug.as_str()),
                    id = s.id,
                    name = esc(&s.name),
                    description = esc(&s.description),
                    minutes = tx
                        .t("Het gesprek duurt {n} minuten.", "The call takes {n} minutes.")
                        .replace("{n}", &s.duration_minutes.to_string()),
                )
            })
            .collect();
        let body = format!(
            r#"<p class="lead">{intro}</p><ul class="choice-list">{items}</ul>"#,
            intro = tx.pick(
                "Waarover wilt u met de gemeente praten?",
                "Waarover wil je met de gemeente praten?",
                "What would you like to talk to the municipality about?"
            ),
        );
        let title = tx
            .pick("Kies uw dienst", "Kies je dienst", "Choose a service")
            .to_string();
        Ok(render(&ctx, Page { title, tenant: Some(&tenant), body, has_errors: false , nav: String::new()}).into_response())
    }
    .await;
    respond(&ctx, outcome)
}
