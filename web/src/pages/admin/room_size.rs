//! `/beheer/gesprek`: how many people one video call holds (issue 15 item 4): the resident,
//! the clerk and up to two companions or interpreters; 3 by default.

use super::number_setting::NumberSetting;
use super::{number, AdminSession, FormData};
use crate::context::Ctx;
use crate::error::respond;
use axum::extract::State;
use axum::response::Response;
use booking::usecases::companions;
use booking::App;

pub const HERE: &str = "/beheer/gesprek";

const PAGE: NumberSetting = NumberSetting {
    here: HERE,
    field: "room_size",
    title: ("Mensen per videogesprek", "People per video call"),
    explanation: (
        "Bij een videogesprek kan de bewoner een begeleider uitnodigen, en de medewerker een tolk. Kies hoeveel mensen er samen in één gesprek mogen: 2 (alleen bewoner en medewerker), 3 of 4.",
        "In a video call the resident may invite a companion and the clerk an interpreter. Choose how many people may be in one call together: 2 (resident and clerk only), 3 or 4.",
    ),
    label: ("Mensen per gesprek", "People per call"),
    hint: ("2, 3 of 4. Standaard 3.", "2, 3 or 4. Default 3."),
};

pub async fn show(
    State(app): State<App>,
    AdminSession { tenant, .. }: AdminSession,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let size = companions::room_size(&app, tenant.id).await?;
        Ok(PAGE.form(&ctx, &tenant, &size.get().to_string(), &Vec::new()))
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
        let saved = companions::set_room_size(&app, &claims, raw)
            .await
            .map(|_| ());
        PAGE.after_save(&ctx, &tenant, typed, saved)
    }
    .await;
    respond(&ctx, outcome)
}
