//! The municipality's admin pages under `/beheer`: settings, services, clerks and their hours,
//! the dashboard, the complaints list and the case store deliveries. Admin sessions only; a
//! clerk gets 403, no session goes to the login.
//!
//! Every page is plain HTML forms (no JavaScript): a POST that saves redirects back with a
//! message (Post/Redirect/Get); a POST with mistakes shows the form again with what was typed,
//! an error summary linking to the fields, and status 422, and saves nothing. The rules live
//! in `booking::usecases::admin`, which the JSON API calls too.

mod audit;
mod clerk_status_weeks;
mod clerks;
mod closing_days;
mod complaints;
mod dashboard;
mod deliveries;
mod finishing;
mod logo;
mod messages;
mod number_setting;
mod party;
mod questions;
mod room_size;
mod services;
mod settings;
mod sso;

use crate::context::Ctx;
use crate::form;
use crate::i18n::{Lang, Tx};
use crate::layout::{render, Page};
use crate::pages::staff_nav::staff_nav;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use booking::auth::{Admin, SessionClaims};
use booking::domain::tenant::Tenant;
use booking::{App, Error};
use maud::{html, Markup};

/// The logo's own address, for every page of the municipality.
pub fn logo_route() -> Router<App> {
    Router::new().route("/{slug}/logo", get(logo::serve))
}

pub fn routes() -> Router<App> {
    Router::new()
        .route("/beheer", get(settings::show).post(settings::save))
        .route(room_size::HERE, get(room_size::show).post(room_size::save))
        .route(finishing::HERE, get(finishing::show).post(finishing::save))
        .route(
            "/beheer/onderwerpen",
            get(services::list).post(services::create),
        )
        .route(
            "/beheer/onderwerpen/{id}",
            get(services::show).post(services::save),
        )
        .route(
            "/beheer/onderwerpen/{id}/aanbod",
            post(services::set_offered),
        )
        .route(
            "/beheer/onderwerpen/{id}/bronnen",
            post(services::save_sources),
        )
        .route(
            "/beheer/onderwerpen/{id}/resultaten",
            post(services::save_results),
        )
        .route(
            "/beheer/onderwerpen/{id}/vragen",
            get(questions::show).post(questions::add),
        )
        .route(
            "/beheer/onderwerpen/{id}/personen",
            get(party::show).post(party::save),
        )
        .route(
            "/beheer/onderwerpen/{id}/vragen/{question}/verwijderen",
            post(questions::remove),
        )
        .route(
            "/beheer/medewerkers",
            get(clerks::list).post(clerks::create),
        )
        .route("/beheer/medewerkers/{id}", post(clerks::save_clerk))
        .route("/beheer/medewerkers/{id}/actief", post(clerks::set_active))
        .route("/beheer/logboek", get(audit::show))
        .route(
            logo::HERE,
            get(logo::show)
                .post(logo::upload)
                .layer(axum::extract::DefaultBodyLimit::max(logo::MAX_BODY_BYTES)),
        )
        .route("/beheer/logo/verwijderen", post(logo::remove))
        .route(
            "/beheer/medewerkers/{id}/tijden",
            get(clerks::hours).post(clerks::save_hours),
        )
        .route(
            "/beheer/medewerkers/{id}/afwezig",
            post(clerks::add_absence),
        )
        .route(
            "/beheer/medewerkers/{id}/afwezig/{absence}/verwijderen",
            post(clerks::remove_absence),
        )
        .route(
            "/beheer/sluitingsdagen",
            get(closing_days::show).post(closing_days::add),
        )
        .route(
            "/beheer/sluitingsdagen/{id}/verwijderen",
            post(closing_days::remove),
        )
        .route(
            "/beheer/sluitingsdagen/{id}/bericht",
            post(closing_days::message),
        )
        .route("/beheer/dashboard", get(dashboard::show))
        .route("/beheer/klachten", get(complaints::list))
        .route("/beheer/klachten/{id}", post(complaints::handle))
        .route("/beheer/klachten/opmerking/{id}", post(complaints::mark))
        .route(sso::HERE, get(sso::show).post(sso::save))
        .route("/beheer/zaaksysteem", get(deliveries::show))
        .route(
            "/beheer/zaaksysteem/alles-opnieuw",
            post(deliveries::retry_all),
        )
        .route("/beheer/zaaksysteem/{id}/opnieuw", post(deliveries::retry))
        .route(messages::HERE, get(messages::show).post(messages::save))
        .route("/beheer/berichten/{id}/opnieuw", post(messages::retry))
}

/// Where someone without a session goes.
const LOGIN: &str = "/medewerker";

/// The admin's session, as a handler argument. Everyone else is answered before the handler
/// runs: no session goes to the login, a clerk gets a 403 page that says why.
pub struct AdminSession {
    pub claims: SessionClaims,
    /// The admin's municipality, loaded once here for every admin page.
    pub tenant: Tenant,
}

impl FromRequestParts<App> for AdminSession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        app: &App,
    ) -> Result<Self, Response> {
        let admin = Admin::from_request_parts(parts, app).await;
        let ctx = Ctx::from_parts(parts);
        let claims = admin_only(admin, &ctx).map_err(|r| *r)?;
        match booking::usecases::desk::municipality(app, &claims).await {
            Ok(tenant) => Ok(AdminSession { claims, tenant }),
            Err(err) => Err(crate::error::error_page(&ctx, err)),
        }
    }
}

fn admin_only(admin: Result<Admin, Error>, ctx: &Ctx) -> Result<SessionClaims, Box<Response>> {
    match admin {
        Ok(Admin(claims)) => Ok(claims),
        Err(Error::Forbidden) => {
            let tx = Tx::formal(ctx.lang);
            let body = html! {
                p {
                    (tx.t(
                        "Deze pagina is alleen voor beheerders van de gemeente. U bent ingelogd als medewerker. Vraagt u een beheerder als u iets wilt laten aanpassen.",
                        "This page is for the municipality's administrators only. You are logged in as a clerk. Ask an administrator if something needs to change."
                    ))
                }
                p { a class="button" href="/medewerker/wachtrij" { (tx.t("Naar de wachtrij", "Go to the queue")) } }
            };
            let page = render(
                ctx,
                Page {
                    title: tx.t("Geen toegang", "No access").to_string(),
                    tenant: None,
                    body,
                    has_errors: false,
                    nav: Some(staff_nav(&tx, "", false)),
                },
            );
            Err(Box::new(ctx.finish((StatusCode::FORBIDDEN, page))))
        }
        Err(_) => Err(Box::new(crate::error::see_other(LOGIN))),
    }
}

/// An admin page: the staff navigation first, then the body, in the municipality's colours.
fn admin_page(
    ctx: &Ctx,
    tenant: &Tenant,
    current: &str,
    title: String,
    body: Markup,
    errors: bool,
) -> Response {
    let tx = Tx::formal(ctx.lang);
    let page = render(
        ctx,
        Page {
            title,
            tenant: Some(tenant),
            body,
            has_errors: errors,
            nav: Some(staff_nav(&tx, current, true)),
        },
    );
    let status = if errors {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, page).into_response()
}

/// A posted `application/x-www-form-urlencoded` body: every pair, repeated names kept (for
/// checkboxes).
struct FormData(Vec<(String, String)>);

impl FormData {
    fn parse(body: &str) -> Self {
        Self(
            form_urlencoded::parse(body.as_bytes())
                .into_owned()
                .collect(),
        )
    }
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

/// A whole number as typed, or `None` (the use case then names the field).
fn number(raw: &str) -> Option<i64> {
    raw.trim().parse().ok()
}

/// A form's mistakes: (field id, message in the page's language).
type Errors = Vec<(String, String)>;

/// The "saved" message after a redirect, when the query carries `key`.
fn saved_notice(ctx: &Ctx, key: &str, text: &str) -> Option<Markup> {
    ctx.param(key).map(|_| form::notice(text))
}

/// The booking crate's English message as a sentence, for English pages.
fn english(message: &str) -> String {
    let mut chars = message.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// A message in the page's language: Dutch as given, English from the booking crate.
fn say(tx: &Tx, dutch: impl Into<String>, message: &str) -> String {
    match tx.lang {
        Lang::Nl => dutch.into(),
        Lang::En => english(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_data_keeps_repeated_names_and_decodes() {
        let f = FormData::parse("services=a&name=Jan+de+Vries&services=b&walk=1&e=x%40y.nl");
        assert_eq!(f.all("services"), ["a", "b"]);
        assert_eq!(f.get("name"), "Jan de Vries");
        assert_eq!(f.get("e"), "x@y.nl");
        assert_eq!(f.get("missing"), "");
        assert!(f.has("walk"));
        assert!(!f.has("missing"));
    }

    #[test]
    fn messages_follow_the_page_language() {
        let nl = Tx::formal(Lang::Nl);
        let en = Tx::formal(Lang::En);
        assert_eq!(
            say(&nl, "Vul de naam in.", "give a name"),
            "Vul de naam in."
        );
        assert_eq!(say(&en, "Vul de naam in.", "give a name"), "Give a name.");
        assert_eq!(number(" 15 "), Some(15));
        assert_eq!(number("vijftien"), None);
    }
}
