//! `/beheer/gesprek`: how many people one video call holds (issue 15 item 4): the resident,
//! the clerk and up to two companions or interpreters; 3 by default.

use super::{admin_page, number, saved_notice, AdminSession, Errors, FormData};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{error_summary_unsaved, Field};
use crate::i18n::Tx;
use axum::extract::State;
use axum::response::Response;
use booking::domain::tenant::Tenant;
use booking::usecases::companions;
use booking::{App, Error};
use maud::html;

pub const HERE: &str = "/beheer/gesprek";

pub async fn show(
    State(app): State<App>,
    AdminSession { tenant, .. }: AdminSession,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let size = companions::room_size(&app, tenant.id).await?;
        Ok(form(&ctx, &tenant, &size.get().to_string(), &Vec::new()))
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn save(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let f = FormData::parse(&body);
        let tx = Tx::formal(ctx.lang);
        let typed = f.get("room_size");
        let raw = number(typed).unwrap_or(i64::MIN);
        match companions::set_room_size(&app, &claims, raw).await {
            Ok(_) => Ok(see_other(&format!("{HERE}?opgeslagen=1"))),
            Err(Error::Invalid { message, .. }) => {
                let errors = vec![("room_size".to_string(), tx.words(&message))];
                Ok(form(&ctx, &tenant, typed, &errors))
            }
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}

fn form(ctx: &Ctx, tenant: &Tenant, value: &str, errors: &Errors) -> Response {
    let tx = Tx::formal(ctx.lang);
    let body = html! {
        (saved_notice(ctx, "opgeslagen", tx.t("Opgeslagen.", "Saved.")).unwrap_or_default())
        (error_summary_unsaved(&tx, errors))
        p {
            (tx.t(
                "Bij een videogesprek kan de bewoner een begeleider uitnodigen, en de medewerker een tolk. Kies hoeveel mensen er samen in één gesprek mogen: 2 (alleen bewoner en medewerker), 3 of 4.",
                "In a video call the resident may invite a companion and the clerk an interpreter. Choose how many people may be in one call together: 2 (resident and clerk only), 3 or 4."
            ))
        }
        form method="post" action=(HERE) class="staff-form" novalidate {
            (Field::input("room_size", "text", tx.t("Mensen per gesprek", "People per call"), value)
                .hint(Some(tx.t("2, 3 of 4. Standaard 3.", "2, 3 or 4. Default 3.")))
                .numeric()
                .render(&tx, errors))
            p { button class="button" type="submit" { (tx.t("Opslaan", "Save")) } }
        }
    };
    admin_page(
        ctx,
        tenant,
        "/beheer",
        tx.t("Mensen per videogesprek", "People per video call")
            .to_string(),
        body,
        !errors.is_empty(),
    )
}
