//! The resident's privacy pages behind the personal link: the consent choices per source,
//! the access log in plain language, and erasing the appointment's personal data.

use axum::Router;
use booking::App;

pub fn routes() -> Router<App> {
    Router::new()
}
