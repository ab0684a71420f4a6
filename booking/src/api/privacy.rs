//! What the resident sees of the use of their data through the personal link: the access log
//! in plain Dutch sentences; and erasing their data through that link.

use super::{Json, Path};
use crate::api::problem::Problem;
use crate::domain::access_log::{self, Action};
use crate::error::Result;
use crate::App;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/personal/{token}/access-log", get(access_log))
        .route("/api/v1/personal/{token}/erase", post(erase))
}

#[derive(Serialize, ToSchema)]
pub struct AccessLine {
    /// RFC 3339, municipality's local time.
    pub at: String,
    pub action: Action,
    /// The information source, for the source actions.
    pub source: Option<String>,
    pub reason: String,
    /// The same in one plain Dutch sentence, e.g. "Op 12 maart om 10:14 heeft een medewerker
    /// van de gemeente uw afspraak bekeken."
    pub sentence: String,
}

/// Read who looked at the appointment
///
/// The access log in plain Dutch, oldest first.
#[utoipa::path(get, path = "/api/v1/personal/{token}/access-log", tag = "resident",
    responses((status = 200, body = Vec<AccessLine>, description = "Oldest first"), (status = 404, body = Problem)))]
pub async fn access_log(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<Json<Vec<AccessLine>>> {
    let u = super::personal::unlock(&app, &token).await?;
    let tz = u.tenant.time_zone.tz().clone();
    let entries = crate::usecases::privacy::access_log(&app, &u).await?;
    Ok(Json(
        entries
            .iter()
            .map(|e| AccessLine {
                at: e
                    .at
                    .to_zoned(tz.clone())
                    .strftime("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string(),
                action: e.action,
                source: e.source.clone(),
                reason: e.reason.clone(),
                sentence: access_log::sentence(e, &tz, u.tenant.tone),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Erased {
    /// RFC 3339, municipality's local time.
    pub erased_at: String,
    /// What the municipality keeps, and why.
    pub kept: String,
}

/// Erase the resident's data
///
/// Once the appointment is no longer to come (a future one must be cancelled first): name, e-mail, phone and notes are erased and the personal link stops working.
#[utoipa::path(post, path = "/api/v1/personal/{token}/erase", tag = "resident",
    responses((status = 200, body = Erased, description = "Erased; the personal link no longer works"),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "The appointment is still to come: cancel it first")))]
pub async fn erase(State(app): State<App>, Path(token): Path<String>) -> Result<Json<Erased>> {
    let u = super::personal::unlock(&app, &token).await?;
    let erased = crate::usecases::privacy::erase(&app, &u).await?;
    Ok(Json(Erased {
        erased_at: erased
            .erased_at
            .to_zoned(u.tenant.time_zone.tz().clone())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
        kept: erased.kept.into(),
    }))
}
