//! The municipality's admin pages under `/beheer`: settings, services, clerks and their hours,
//! the dashboard and the complaints list. Admin sessions only; a clerk gets 403, no session
//! goes to the login.

use axum::Router;
use booking::App;

pub fn routes() -> Router<App> {
    Router::new()
}
