//! `/beheer/logo`: the municipality's logo (PNG or SVG), shown at the top of every page of the
//! municipality. The upload is checked and rebuilt by `booking::domain::logo`; this page only
//! carries the file there and says in words what was wrong. `/{slug}/logo` serves it.

use super::{admin_page, saved_notice, AdminSession};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{error_summary_unsaved, field_error, Errors};
use crate::i18n::{Lang, Tx};
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use booking::domain::logo::MAX_UPLOAD_BYTES;
use booking::domain::tenant::Tenant;
use booking::error::Words;
use booking::{usecases, App, Error};
use maud::html;

pub const HERE: &str = "/beheer/logo";

/// Request bodies for the upload: the largest logo plus the form's own bytes.
pub const MAX_BODY_BYTES: usize = MAX_UPLOAD_BYTES + 16 * 1024;

pub async fn show(AdminSession { tenant, .. }: AdminSession, ctx: Ctx) -> Response {
    ctx.finish(page(&ctx, &tenant, &[]))
}

pub async fn upload(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    ctx: Ctx,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let file = match read_file(multipart).await {
        Ok(file) => file,
        Err(words) => return refused(&ctx, &tenant, words),
    };
    match usecases::logo::upload(&app, &claims, &file).await {
        Ok(_) => see_other(&format!("{HERE}?opgeslagen=1")),
        Err(Error::Invalid { message, .. }) => refused(&ctx, &tenant, message),
        Err(other) => respond(&ctx, Err(other)),
    }
}

pub async fn remove(
    State(app): State<App>,
    AdminSession { claims, .. }: AdminSession,
    ctx: Ctx,
) -> Response {
    let outcome = usecases::logo::remove(&app, &claims)
        .await
        .map(|()| see_other(&format!("{HERE}?verwijderd=1")));
    respond(&ctx, outcome)
}

/// `/{slug}/logo`: the stored copy, with a policy that lets nothing in it run or load, even
/// when the SVG is opened on its own.
pub async fn serve(State(app): State<App>, Path(slug): Path<String>, ctx: Ctx) -> Response {
    match usecases::logo::of_municipality(&app, &slug).await {
        Ok(logo) => (
            [
                (header::CONTENT_TYPE, logo.kind().media_type()),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'; sandbox",
                ),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                // The pages link it with ?v=<upload time>, so a new logo has a new address.
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            logo.bytes().to_vec(),
        )
            .into_response(),
        Err(err) => respond(&ctx, Err(err)),
    }
}

/// The file field of the form, whatever its name on the uploader's disk; empty when the form
/// has none (the use case then says "choose a file"). Fails only when the form itself cannot
/// be read, which is mostly a file over the body limit.
async fn read_file(
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Vec<u8>, Words> {
    let not_read = || {
        Words::new(
            "Het bestand kon niet gelezen worden. Een logo mag hoogstens 256 kB zijn.",
            "The file could not be read. A logo may be at most 256 kB.",
        )
    };
    let mut multipart = multipart.map_err(|_| not_read())?;
    while let Some(field) = multipart.next_field().await.map_err(|_| not_read())? {
        if field.name() == Some("logo") {
            return field
                .bytes()
                .await
                .map(|b| b.to_vec())
                .map_err(|_| not_read());
        }
    }
    Ok(Vec::new())
}

fn refused(ctx: &Ctx, tenant: &Tenant, words: Words) -> Response {
    let message = match ctx.lang {
        Lang::Nl => words.dutch,
        Lang::En => words.english,
    };
    ctx.finish(page(ctx, tenant, &[("logo".to_string(), message)]))
}

fn page(ctx: &Ctx, tenant: &Tenant, errors: &Errors) -> Response {
    let tx = Tx::formal(ctx.lang);
    let error = errors.first().map(|(_, m)| m.as_str());
    let described = if error.is_some() {
        "logo-hint logo-error"
    } else {
        "logo-hint"
    };
    let body = html! {
        (saved_notice(ctx, "opgeslagen", tx.t(
            "Het logo is opgeslagen. Het staat nu bovenaan elke pagina van de gemeente.",
            "The logo has been saved. It now shows at the top of every page of the municipality.",
        )).unwrap_or_default())
        (saved_notice(ctx, "verwijderd", tx.t("Het logo is verwijderd.", "The logo has been removed.")).unwrap_or_default())
        (error_summary_unsaved(&tx, errors))
        @if let Some(version) = tenant.logo_version {
            h2 { (tx.t("Het logo nu", "The logo now")) }
            p {
                img class="logo-preview" src={ "/" (tenant.slug.as_str()) "/logo?v=" (version) }
                    alt=(format!("{} {}", tx.t("Logo van", "Logo of"), tenant.name));
            }
            form method="post" action={ (HERE) "/verwijderen" } {
                button type="submit" class="button button--secondary" { (tx.t("Logo verwijderen", "Remove the logo")) }
            }
        } @else {
            p { (tx.t("De gemeente heeft nog geen logo.", "The municipality has no logo yet.")) }
        }
        h2 id="nieuw-logo" { (tx.t("Nieuw logo", "New logo")) }
        form method="post" action=(HERE) enctype="multipart/form-data" class="staff-form" aria-labelledby="nieuw-logo" {
            div class={ "field" @if error.is_some() { " field--error" } } {
                label for="logo" { (tx.t("Logo (PNG of SVG)", "Logo (PNG or SVG)")) }
                p class="hint" id="logo-hint" { (tx.t(
                    "Hoogstens 256 kB en 2000 bij 2000 beeldpunten. Het logo wordt opnieuw opgebouwd: tekst in een SVG zet u eerst om naar paden.",
                    "At most 256 kB and 2000 by 2000 pixels. The logo is rebuilt: convert text in an SVG to paths first.",
                )) }
                @if let Some(message) = error {
                    (field_error(&tx, "logo-error", message))
                }
                input type="file" id="logo" name="logo" accept="image/png,image/svg+xml"
                    aria-describedby=(described) aria-invalid=[error.map(|_| "true")];
            }
            p { button type="submit" class="button" { (tx.t("Logo opslaan", "Save the logo")) } }
        }
    };
    admin_page(
        ctx,
        tenant,
        HERE,
        tx.t("Logo", "Logo").to_string(),
        body,
        !errors.is_empty(),
    )
}
