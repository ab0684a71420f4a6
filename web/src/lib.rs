//! The resident and clerk pages: server-rendered HTML over the booking use cases, Dutch first.
//! Booking needs no JavaScript; the video pages (device check, queue, call, clerk's desk) use
//! small ES modules from `static/`. Every form posts and redirects (Post/Redirect/Get), so a reload never
//! books twice.

mod context;
mod error;
mod form;
mod html;
mod i18n;
mod layout;
mod pages;

use axum::http::header;
use axum::routing::get;
use axum::Router;

/// The stylesheet and the scripts ship inside the binary: there is no front-end build step.
const SITE_CSS: &str = include_str!("../static/site.css");

/// The video pages' ES modules, by file name under /static/. Plain modules the browser loads
/// as they are; the resident's booking pages need none of them.
const SCRIPTS: &[(&str, &str)] = &[
    ("call.js", include_str!("../static/call.js")),
    ("call-view.js", include_str!("../static/call-view.js")),
    ("resident.js", include_str!("../static/resident.js")),
    ("clerk-queue.js", include_str!("../static/clerk-queue.js")),
    ("clerk-call.js", include_str!("../static/clerk-call.js")),
    ("walkin.js", include_str!("../static/walkin.js")),
    ("documents.js", include_str!("../static/documents.js")),
    // Weak networks and the phone fallback (issue 15 item 5).
    ("call-quality.js", include_str!("../static/call-quality.js")),
    (
        "call-quality-view.js",
        include_str!("../static/call-quality-view.js"),
    ),
    ("companion.js", include_str!("../static/companion.js")),
    ("participants.js", include_str!("../static/participants.js")),
    // Photos of documents and the shared screen in the call (issue 22).
    (
        "call-documents.js",
        include_str!("../static/call-documents.js"),
    ),
];

fn script_routes() -> Router<booking::App> {
    SCRIPTS
        .iter()
        .fold(Router::new(), |router, (name, source)| {
            router.route(
                &format!("/static/{name}"),
                get(move || async move {
                    (
                        [
                            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                            // Short: a deploy changes the modules under the same names.
                            (header::CACHE_CONTROL, "public, max-age=300"),
                        ],
                        *source,
                    )
                }),
            )
        })
}

/// The resident pages. Merge with `booking::api::router`; this router sets no fallback so the
/// merge keeps the API's problem+json fallback.
pub fn router(app: booking::App) -> Router {
    let pages = Router::new()
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
        .merge(script_routes())
        .merge(pages::staff::routes())
        .merge(pages::admin::routes())
        .merge(pages::feedback::routes())
        .merge(pages::privacy::routes())
        .merge(pages::admin::logo_route())
        .merge(pages::find::routes())
        .merge(pages::documents::routes())
        .merge(pages::companion::routes())
        .route("/{slug}", get(pages::services::choose_service))
        .route(
            "/{slug}/inloop",
            get(pages::walk_in::show).post(pages::walk_in::submit),
        )
        .route("/w/{token}", get(pages::walk_in::standing))
        .route("/w/{token}/video", get(pages::video::walk_in))
        .route(
            "/w/{token}/verlaten",
            axum::routing::post(pages::walk_in::leave),
        )
        .route(
            "/{slug}/terugbellen",
            get(pages::callback::show).post(pages::callback::submit),
        )
        .route(
            "/{slug}/terugbellen/bevestiging",
            get(pages::callback::confirmation),
        )
        .route(
            "/{slug}/{service}",
            get(pages::booking::choose).post(pages::booking::submit),
        )
        .route("/a/{token}", get(pages::personal::show))
        .route("/a/{token}/video", get(pages::video::show))
        .route("/a/{token}/bevestiging", get(pages::personal::confirmation))
        .route(
            "/a/{token}/verzetten",
            get(pages::personal::reschedule_form).post(pages::personal::reschedule),
        )
        .route(
            "/a/{token}/afzeggen",
            get(pages::personal::cancel_form).post(pages::personal::cancel),
        );
    let fallback = context::FallbackPhone(app.fallback_phone.clone());
    with_panic_page(pages)
        .layer(axum::Extension(fallback))
        .with_state(app)
}

/// A panic in any page handler becomes the 500 page with a correlation id.
fn with_panic_page<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router.layer(tower_http::catch_panic::CatchPanicLayer::custom(
        error::panic_page,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panic_in_a_page_handler_is_a_500_page_with_a_correlation_id() {
        let pages: Router = with_panic_page(Router::new().route(
            "/a/{token}",
            get(|| async {
                // A bug: an index that is not there.
                let stored: Vec<String> = Vec::new();
                stored[0].clone()
            }),
        ));
        let response = pages
            .oneshot(Request::get("/a/x").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        let page = String::from_utf8(body.to_vec()).unwrap();
        assert!(page.contains("Er ging iets mis"), "{page}");
        assert!(!page.contains("index out of bounds"), "{page}");
        let id = page
            .split("<code>")
            .nth(1)
            .and_then(|rest| rest.split("</code>").next())
            .expect("a correlation id on the page");
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    }
}
