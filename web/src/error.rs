//! Failures as pages a resident can act on. Details of server errors go to the log only.

use crate::context::Ctx;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use booking::api::problem::{too_many_words, Language};
use booking::domain::tenant::Tenant;
use booking::error::Conflict;
use booking::error::TooMany;
use booking::Error;
use maud::html;

pub fn error_page(ctx: &Ctx, err: Error) -> Response {
    error_page_of(ctx, None, err)
}

/// The error page of a municipality's page: its name, colours and phone number stay, so the
/// resident can phone it about what went wrong.
pub fn error_page_for(ctx: &Ctx, tenant: &Tenant, err: Error) -> Response {
    error_page_of(ctx, Some(tenant), err)
}

fn error_page_of(ctx: &Ctx, tenant: Option<&Tenant>, err: Error) -> Response {
    let tx = match tenant {
        Some(t) => Tx::new(ctx.lang, t.tone),
        None => Tx::formal(ctx.lang),
    };
    if let Error::TooMany(too_many) = &err {
        return too_many_page(ctx, tenant, &tx, too_many);
    }
    let (status, title, text) = match &err {
        Error::NotFound(_) => (
            StatusCode::NOT_FOUND,
            tx.t("Pagina niet gevonden", "Page not found"),
            tx.t(
                "Deze pagina bestaat niet (meer). Controleer de link, of begin opnieuw.",
                "This page does not exist (any more). Check the link, or start again.",
            ),
        ),
        Error::Conflict(
            Conflict::AppointmentCancelled
            | Conflict::AlreadyCancelled
            | Conflict::AppointmentStarted
            | Conflict::AppointmentOver,
        ) => (
            StatusCode::CONFLICT,
            tx.t("Dit kan niet meer", "This is no longer possible"),
            tx.t(
                "Deze afspraak is al afgezegd of al begonnen en kan niet meer worden gewijzigd.",
                "This appointment has been cancelled or has started and can no longer be changed.",
            ),
        ),
        Error::Conflict(Conflict::CallNotStarted) => (
            StatusCode::CONFLICT,
            tx.t("Het gesprek is nog niet begonnen", "The call has not started yet"),
            tx.t(
                "U kunt de uitkomst vastleggen zodra u de bewoner hebt opgeroepen.",
                "You can record the outcome once you have called the resident.",
            ),
        ),
        Error::Conflict(Conflict::MunicipalitySuspended { .. }) => (
            StatusCode::SERVICE_UNAVAILABLE,
            tx.t("Niet beschikbaar", "Not available"),
            tx.t(
                "Deze gemeente is op dit moment niet beschikbaar via Videoloket. Neem contact op met de gemeente zelf.",
                "This municipality is not available through Videoloket at the moment. Please contact the municipality itself.",
            ),
        ),
        // Other conflicts are handled on their own pages; one that reaches here was a race
        // (a colleague or another tab was first), so the page says to look again.
        Error::Conflict(_) => (
            StatusCode::CONFLICT,
            tx.t("Dit kan nu niet", "This is not possible now"),
            tx.t(
                "Iemand anders heeft dit net gewijzigd, of het kan op dit moment niet. Ga terug en laad de pagina opnieuw.",
                "Someone else has just changed this, or it is not possible right now. Go back and reload the page.",
            ),
        ),
        _ => {
            tracing::error!(error = %err, "page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                tx.t("Er ging iets mis", "Something went wrong"),
                tx.t(
                    "Er ging bij ons iets mis. Probeer het over een paar minuten opnieuw.",
                    "Something went wrong on our side. Please try again in a few minutes.",
                ),
            )
        }
    };
    let home = tenant.map_or_else(|| "/".to_string(), |t| format!("/{}", t.slug.as_str()));
    let body = html! {
        p { (text) }
        p { a class="button" href=(home) { (tx.t("Naar de startpagina", "Go to the start page")) } }
    };
    let page = render(
        ctx,
        Page {
            title: title.to_string(),
            tenant,
            body,
            has_errors: false,
            nav: None,
        },
    );
    ctx.finish((status, page))
}

/// Over a limit on anonymous actions (bookings from one network, one e-mail address...): a 429
/// page that says which and how long to wait, with `Retry-After`.
fn too_many_page(ctx: &Ctx, tenant: Option<&Tenant>, tx: &Tx, too_many: &TooMany) -> Response {
    let language = match ctx.lang {
        crate::i18n::Lang::Nl => Language::Dutch,
        crate::i18n::Lang::En => Language::English,
    };
    let body = html! {
        p role="alert" { (too_many_words(too_many, language)) }
        p { a class="button" href="/" { (tx.t("Naar de startpagina", "Go to the start page")) } }
    };
    let page = render(
        ctx,
        Page {
            title: tx.t("Even wachten", "Please wait").to_string(),
            tenant,
            body,
            has_errors: false,
            nav: None,
        },
    );
    ctx.finish((
        StatusCode::TOO_MANY_REQUESTS,
        [(
            header::RETRY_AFTER,
            too_many.retry_after_seconds().to_string(),
        )],
        page,
    ))
}

/// Turns a handler's outcome into a response: a page, or an error page in the right language.
pub fn respond(ctx: &Ctx, outcome: Result<Response, Error>) -> Response {
    match outcome {
        Ok(response) => ctx.finish(response),
        Err(err) => error_page(ctx, err),
    }
}

/// `respond` for a municipality's page: an error page keeps the municipality (and its phone).
pub fn respond_for(ctx: &Ctx, tenant: &Tenant, outcome: Result<Response, Error>) -> Response {
    match outcome {
        Ok(response) => ctx.finish(response),
        Err(err) => error_page_for(ctx, tenant, err),
    }
}

/// A 303 See Other: the "redirect" of Post/Redirect/Get.
pub fn see_other(to: &str) -> Response {
    axum::response::Redirect::to(to).into_response()
}

/// A panic in a page handler becomes an error page; the correlation id is logged beside the
/// panic and shown on the page, so a resident's report can be matched to it. There is no
/// request context here, so the page says it in Dutch and English.
pub fn panic_page(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let correlation_id = uuid::Uuid::new_v4();
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(%correlation_id, panic = message, "a page handler panicked");
    let page = html! {
        (maud::DOCTYPE)
        html lang="nl" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Er ging iets mis" }
                link rel="stylesheet" href="/static/site.css";
            }
            body {
                main {
                    h1 { "Er ging iets mis" }
                    p { "Er ging bij ons iets mis. Probeer het over een paar minuten opnieuw." }
                    p lang="en" { "Something went wrong on our side. Please try again in a few minutes." }
                    p { "Kenmerk / reference: " code { (correlation_id) } }
                    p { "Vragen? / Questions? " a href={ "tel:" (crate::layout::PLATFORM_PHONE) } { "Bel / Call " (crate::layout::PLATFORM_PHONE) } }
                    p { a class="button" href="/" { "Naar de startpagina" } }
                }
            }
        }
    };
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        axum::response::Html(page.into_string()),
    )
        .into_response()
}
