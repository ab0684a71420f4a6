//! The resident's rating after the call: 1 to 10 and an optional comment, which may be marked
//! as a complaint.

use axum::Router;
use booking::App;

pub fn routes() -> Router<App> {
    Router::new()
}
