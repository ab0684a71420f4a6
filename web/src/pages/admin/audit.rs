//! `/beheer/logboek`: the admin audit trail, newest first: when, who, what, about what. The
//! trail is append-only; this page only reads it.

use super::{admin_page, AdminSession};
use crate::context::Ctx;
use crate::error::respond;
use crate::i18n::Tx;
use axum::extract::State;
use axum::response::Response;
use booking::usecases;
use booking::App;
use maud::html;

const HERE: &str = "/beheer/logboek";

pub async fn show(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let trail = usecases::admin::audit::trail(&app, &claims).await?;
        let zone = tenant.time_zone.tz().clone();
        let body = html! {
            p { (tx.t(
                "Wie wat veranderde in het beheer, en wanneer. Dit logboek kan niemand wijzigen of wissen.",
                "Who changed what in the administration, and when. Nobody can change or erase this log.",
            )) }
            @if trail.is_empty() {
                p { (tx.t("Nog niets vastgelegd.", "Nothing recorded yet.")) }
            } @else {
                div class="table-scroll" role="region" tabindex="0" aria-label=(tx.t("Logboek, nieuwste eerst", "Audit log, newest first")) {
                    table class="queue-table" {
                        caption { (tx.t("Logboek, nieuwste eerst", "Audit log, newest first")) }
                        thead {
                            tr {
                                th scope="col" { (tx.t("Wanneer", "When")) }
                                th scope="col" { (tx.t("Wie", "Who")) }
                                th scope="col" { (tx.t("Wat", "What")) }
                                th scope="col" { (tx.t("Waarover", "About")) }
                            }
                        }
                        tbody {
                            @for line in &trail {
                                @let (nl, en) = line.action.in_words();
                                tr {
                                    td { (line.at.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M")) }
                                    td { (line.actor.name) }
                                    th scope="row" { (tx.t(nl, en)) }
                                    td { (line.subject) }
                                }
                            }
                        }
                    }
                }
            }
        };
        Ok(admin_page(
            &ctx,
            &tenant,
            HERE,
            tx.t("Logboek", "Audit log").to_string(),
            body,
            false,
        ))
    }
    .await;
    respond(&ctx, outcome)
}
