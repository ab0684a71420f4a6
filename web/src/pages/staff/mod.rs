//! The clerk's pages under `/medewerker`: log in and out, today's appointments, the live queue
//! with "next resident", the call with the appointment and the resident's consent beside the
//! video and the outcome form (written during the call), and the callback requests. Everything works
//! without JavaScript except the call itself and the live redraw of the queue.
//!
//! The pages call the same use cases as the JSON API (`booking::usecases::desk`, `booking::usecases::queue`), so
//! logging in, access logging and handling a callback behave the same either way. A page that
//! needs a session and has none sends the clerk to the login, and back after logging in.

mod call;
mod callbacks;
mod follow_up;
mod for_caller;
mod login;
mod password;
mod queue;
mod ratings;
mod sso;
mod status;
mod today;

use crate::error::see_other;
use crate::html::url;
use crate::i18n::Tx;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use booking::auth::SessionClaims;
use booking::domain::staff::StaffRole;
use booking::App;
use maud::Markup;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/medewerker", get(login::choose_municipality))
        .route("/{slug}/medewerker", get(login::form).post(login::submit))
        .route("/{slug}/medewerker/sso", get(sso::start))
        .route("/{slug}/medewerker/sso/terug", get(sso::callback))
        .route("/medewerker/uitloggen", post(login::logout))
        .route(
            "/{slug}/medewerker/wachtwoord/{token}",
            get(password::link_form).post(password::set_by_link),
        )
        .route(
            "/{slug}/medewerker/wachtwoord-vergeten",
            get(password::forgot_form).post(password::forgot),
        )
        .route(
            "/medewerker/wachtwoord",
            get(password::change_form).post(password::change),
        )
        .route("/medewerker/vandaag", get(today::show))
        .route("/medewerker/wachtrij", get(queue::show))
        .route("/medewerker/wachtrij/volgende", post(queue::call_next))
        .route("/medewerker/wachtrij/{id}/nemen", post(queue::take))
        .route(
            "/medewerker/wachtrij/{id}/niet-gekomen",
            post(queue::no_show),
        )
        .route(
            "/medewerker/wachtrij/{id}/overdragen",
            post(queue::hand_over),
        )
        .route("/medewerker/status", post(status::set))
        .route("/medewerker/gesprek/{id}", get(call::show))
        .route("/medewerker/gesprek/{id}/concept", post(call::keep_draft))
        .route("/medewerker/gesprek/{id}/uitkomst", post(call::record))
        .route("/medewerker/gesprek/{id}/vervolg", post(follow_up::book))
        .route(for_caller::HERE, get(for_caller::show))
        .route(
            "/medewerker/afspraak-maken/{service}",
            get(for_caller::book_form).post(for_caller::book),
        )
        .route(
            "/medewerker/afspraken/{id}/verzetten",
            get(for_caller::reschedule_form).post(for_caller::reschedule),
        )
        .route(
            "/medewerker/afspraken/{id}/afzeggen",
            post(for_caller::cancel),
        )
        .route(
            "/medewerker/afspraken/{id}/opnieuw-sturen",
            post(for_caller::resend),
        )
        .route("/medewerker/terugbellen", get(callbacks::show))
        .route(ratings::HERE, get(ratings::show))
        .route(
            "/medewerker/terugbellen/{id}/afgehandeld",
            post(callbacks::done),
        )
        .route(
            "/medewerker/terugbellen/{id}/poging",
            post(callbacks::attempt),
        )
        .route(
            "/medewerker/terugbellen/{id}/uitkomst",
            get(callbacks::outcome_form).post(callbacks::record_outcome),
        )
}

/// Where a clerk without a session goes: the municipalities, each with its login form.
const LOGIN: &str = "/medewerker";

/// Where a clerk lands after logging in, unless they were sent to the login from a page.
const HOME: &str = "/medewerker/vandaag";

/// The login, remembering the page to come back to.
pub(crate) fn to_login(back_to: &str) -> Response {
    see_other(&format!("{LOGIN}?terug={}", url(back_to)))
}

/// A page to return to after logging in: only our own clerk and admin pages, so the login
/// cannot be used to send someone to another site (`//evil.example`, `https://...`).
pub(crate) fn safe_return(raw: Option<&str>) -> Option<&str> {
    raw.filter(|p| {
        (p.starts_with("/medewerker/") || p.starts_with("/beheer"))
            && !p.contains("//")
            && !p.contains('\\')
            && p.chars().all(|c| c.is_ascii_graphic())
    })
}

fn is_admin(claims: &SessionClaims) -> bool {
    claims.role == StaffRole::Admin
}

/// The shared staff navigation with `current` marked.
fn nav(tx: &Tx, current: &str, claims: &SessionClaims) -> Option<Markup> {
    Some(super::staff_nav::staff_nav(tx, current, is_admin(claims)))
}

#[cfg(test)]
mod tests {
    use super::safe_return;

    #[test]
    fn only_own_pages_are_returned_to() {
        assert_eq!(
            safe_return(Some("/medewerker/wachtrij")),
            Some("/medewerker/wachtrij")
        );
        assert_eq!(safe_return(Some("/beheer")), Some("/beheer"));
        for bad in [
            "//evil.example/medewerker/",
            "https://evil.example",
            "/medewerker//evil",
            "/medewerker/\\evil",
            "/a/token",
            "/medewerker/x y",
        ] {
            assert_eq!(safe_return(Some(bad)), None, "{bad}");
        }
        assert_eq!(safe_return(None), None);
    }
}
