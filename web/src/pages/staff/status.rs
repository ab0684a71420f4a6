//! `POST /medewerker/status`: the status control in the staff navigation (available, or
//! paused with an optional reason), back to the page it was on. The same use case as
//! `PUT /api/v1/staff/status`.

use super::{safe_return, to_login};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use axum::extract::State;
use axum::response::Response;
use booking::auth::Staff;
use booking::domain::clerk_status::Event;
use booking::usecases::clerk_status;
use booking::{App, Error};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct StatusFields {
    #[serde(default)]
    status: String,
    #[serde(default)]
    reden: String,
    #[serde(default)]
    terug: String,
}

pub async fn set(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    ctx: Ctx,
    axum::Form(fields): axum::Form<StatusFields>,
) -> Response {
    let back = safe_return(Some(fields.terug.as_str()))
        .unwrap_or(super::HOME)
        .to_string();
    let Ok(Staff(claims)) = staff else {
        return to_login(&back);
    };
    let outcome = async {
        let event = match fields.status.as_str() {
            "pauze" => Event::Pause {
                reason: clerk_status::parse_reason(Some(&fields.reden))?,
            },
            _ => Event::Available,
        };
        clerk_status::set(&app, &claims, event).await?;
        Ok(see_other(&back))
    }
    .await;
    respond(&ctx, outcome)
}
