//! `/beheer/afronden`: the longest time a clerk stays "finishing" after a call before the
//! status turns to available by itself (issue 21 item 2); 3 minutes by default. Saved with an
//! audit line, as `PUT /api/v1/admin/clerk-status/settings`.

use super::number_setting::NumberSetting;
use super::{number, AdminSession, FormData};
use crate::context::Ctx;
use crate::error::respond;
use axum::extract::State;
use axum::response::Response;
use booking::usecases::clerk_status;
use booking::App;

pub const HERE: &str = "/beheer/afronden";

const PAGE: NumberSetting = NumberSetting {
    here: HERE,
    field: "finishing_max_minutes",
    title: ("Afronden na een gesprek", "Finishing after a call"),
    explanation: (
        "Na een gesprek staat een medewerker op 'Afronden' om de uitkomst vast te leggen. Na dit aantal minuten staat de medewerker vanzelf weer op 'Beschikbaar'.",
        "After a call a clerk is 'Finishing' to record the outcome. After this many minutes the clerk is 'Available' again by itself.",
    ),
    label: ("Afronden duurt hoogstens (minuten)", "Finishing takes at most (minutes)"),
    hint: ("0 tot en met 60. Standaard 3.", "0 to 60. Default 3."),
};

pub async fn show(
    State(app): State<App>,
    AdminSession { tenant, .. }: AdminSession,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let max = clerk_status::finishing_max(&app, tenant.id).await?;
        Ok(PAGE.form(
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
        let typed = f.get(PAGE.field);
        let raw = number(typed).unwrap_or(i64::MIN);
        let saved = clerk_status::set_finishing_max(&app, &claims, raw).await;
        PAGE.after_save(&ctx, &tenant, typed, saved)
    }
    .await;
    respond(&ctx, outcome)
}
