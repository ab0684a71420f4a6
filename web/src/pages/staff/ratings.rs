//! `/medewerker/beoordelingen`: the ratings and comments residents gave on the clerk's own
//! calls, newest first, without names: to learn from, not to judge one resident's words.

use super::{nav, to_login};
use crate::context::Ctx;
use crate::error::respond;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use booking::auth::Staff;
use booking::usecases::{desk, feedback};
use booking::{App, Error};
use maud::html;

pub const HERE: &str = "/medewerker/beoordelingen";

pub async fn show(State(app): State<App>, staff: Result<Staff, Error>, ctx: Ctx) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(HERE);
    };
    let outcome = async {
        let tenant = desk::municipality(&app, &claims).await?;
        let services = desk::services(&app, tenant.id).await?;
        let ratings = feedback::on_my_calls(&app, &claims).await?;
        let tx = Tx::formal(ctx.lang);
        let average = (!ratings.is_empty()).then(|| {
            let sum: u32 = ratings.iter().map(|r| u32::from(r.rating)).sum();
            f64::from(sum) / ratings.len() as f64
        });
        let body = html! {
            p { (tx.t(
                "Wat bewoners vonden van uw gesprekken. U ziet geen namen: het gaat om wat u ervan kunt leren.",
                "What residents thought of your calls. You see no names: this is to learn from.",
            )) }
            @if let Some(average) = average {
                p class="notice" {
                    (tx.t("Gemiddeld cijfer: ", "Average rating: "))
                    strong { (format!("{average:.1}").replace('.', if tx.lang == crate::i18n::Lang::Nl { "," } else { "." })) }
                    " (" (ratings.len()) " " (tx.t("beoordelingen", "ratings")) ")"
                }
                div class="table-scroll" role="region" aria-labelledby="beoordelingen-caption" tabindex="0" {
                    table class="queue-table" {
                        caption id="beoordelingen-caption" { (tx.t("Beoordelingen, nieuwste eerst", "Ratings, newest first")) }
                        thead {
                            tr {
                                th scope="col" { (tx.t("Gegeven op", "Given on")) }
                                th scope="col" { (tx.t("Onderwerp", "Service")) }
                                th scope="col" { (tx.t("Cijfer", "Rating")) }
                                th scope="col" { (tx.t("Opmerking", "Comment")) }
                            }
                        }
                        tbody {
                            @for r in &ratings {
                                tr {
                                    td { (tx.when_in_words(&tenant, r.given_at)) }
                                    td { (services.iter().find(|s| s.id == r.service_id).map(|s| s.name.as_str()).unwrap_or("")) }
                                    td { (r.rating) }
                                    td { (r.comment) }
                                }
                            }
                        }
                    }
                }
            } @else {
                p class="notice" { (tx.t(
                    "Nog geen beoordelingen op uw gesprekken.",
                    "No ratings on your calls yet.",
                )) }
            }
        };
        Ok(render(
            &ctx,
            Page {
                title: tx.t("Mijn beoordelingen", "My ratings").to_string(),
                tenant: Some(&tenant),
                body,
                has_errors: false,
                nav: nav(&tx, HERE, &claims),
            },
        )
        .into_response())
    }
    .await;
    respond(&ctx, outcome)
}
