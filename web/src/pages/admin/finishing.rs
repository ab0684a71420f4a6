//! `/beheer/afronden`: the longest time a clerk stays "finishing" after a call before the
//! status turns to available by itself (issue 21 item 2); 3 minutes by default. Saved with an
//! audit line, as `PUT /api/v1/admin/clerk-status/settings`.

use super::{admin_page, number, saved_notice, AdminSession, Errors, FormData};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{error_summary_unsaved, Field};
use crate::i18n::Tx;
use axum::extract::State;
use axum::response::Response;
use booking::domain::tenant::Tenant;
use booking::usecases::clerk_status;
use booking::{App, Error};
use maud::html;

pub const HERE: &str = "/beheer/afronden";

pub async fn show(
    State(app): State<App>,
    AdminSession { tenant, .. }: AdminSession,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let max = clerk_status::finishing_max(&app, tenant.id).await?;
        Ok(form(
            &ctx,
            &tenant,
            &(max.as_secs() / 60).to_string(),
            &Vec::new(),
        ))
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
        let typed = f.get("finishing_max_minutes");
        let raw = number(typed).unwrap_or(i64::MIN);
        match clerk_status::set_finishing_max(&app, &claims, raw).await {
            Ok(()) => Ok(see_other(&format!("{HERE}?opgeslagen=1"))),
            Err(Error::Invalid { message, .. }) => {
                let errors = vec![("finishing_max_minutes".to_string(), tx.words(&message))];
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
                "Na een gesprek staat een medewerker op 'Afronden' om de uitkomst vast te leggen. Na dit aantal minuten staat de medewerker vanzelf weer op 'Beschikbaar'.",
                "After a call a clerk is 'Finishing' to record the outcome. After this many minutes the clerk is 'Available' again by itself."
            ))
        }
        form method="post" action=(HERE) class="staff-form" novalidate {
            (Field::input("finishing_max_minutes", "text", tx.t("Afronden duurt hoogstens (minuten)", "Finishing takes at most (minutes)"), value)
                .hint(Some(tx.t("0 tot en met 60. Standaard 3.", "0 to 60. Default 3.")))
                .numeric()
                .render(&tx, errors))
            p { button class="button" type="submit" { (tx.t("Opslaan", "Save")) } }
        }
    };
    admin_page(
        ctx,
        tenant,
        "/beheer",
        tx.t("Afronden na een gesprek", "Finishing after a call")
            .to_string(),
        body,
        !errors.is_empty(),
    )
}
