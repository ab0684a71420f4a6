//! The resident pages: server-rendered HTML over the booking use cases, Dutch first, no
//! JavaScript needed. Every form posts and redirects (Post/Redirect/Get), so a reload never
//! books twice.

mod context;
mod error;
mod html;
mod i18n;
mod layout;
mod pages;

use axum::http::header;
use axum::routing::get;
use axum::Router;

/// The stylesheet ships inside the binary: there is no front-end build step.
const SITE_CSS: &str = include_str!("../static/site.css");

/// The resident pages. Merge with `booking::api::router`; this router sets no fallback so the
/// merge keeps the API's problem+json fallback.
pub fn router(app: booking::App) -> Router {
    Router::new()
        .route("/", get(pages::home::municipalities))
        .route(
            "/static/site.css",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                        (header::CACHE_CONTROL, "public, max-age=3600"),
                    ],
                    SITE_CSS,
                )
            }),
        )
        .route("/{slug}", get(pages::services::choose_service))
        .route(
            "/{slug}/{service}",
            get(pages::booking::choose).post(pages::booking::submit),
        )
        .route("/a/{token}", get(pages::personal::show))
        .route("/a/{token}/bevestiging", get(pages::personal::confirmation))
        .route(
            "/a/{token}/verzetten",
            get(pages::personal::reschedule_form).post(pages::personal::reschedule),
        )
        .route(
            "/a/{token}/afzeggen",
            get(pages::personal::cancel_form).post(pages::personal::cancel),
        )
        .with_state(app)
}
