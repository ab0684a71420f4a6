//! Documents in the conversation (issue 22). `/a/{token}/documenten`: for every information
//! source the resident said they would supply, an upload (a photo from the phone's camera or a
//! file), a preview, replace and remove, until the call starts. Works without JavaScript; with
//! it, `documents.js` shows the upload's progress. The file is checked and sealed by
//! `booking::usecases::documents`; this page carries it there and says in words what was wrong.
//!
//! Also the small blocks other pages show: the list on "Uw gegevens" (what was supplied and
//! where it went) and the clerk's list with download links (each download logged).

use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{error_summary, field_error, notice};
use crate::html::url;
use crate::i18n::{Lang, Tx};
use crate::layout::{render, Page};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use booking::auth::Staff;
use booking::domain::document::{self, DocumentKind, DocumentRecord, MAX_UPLOAD_BYTES};
use booking::domain::ids::{AppointmentId, DocumentId};
use booking::error::Words;
use booking::usecases::booking::{unlock, Unlocked};
use booking::usecases::documents::{self as docs, ResidentDocuments};
use booking::{App, Error, Result};
use maud::{html, Markup};
use serde::Deserialize;

/// Request bodies for an upload: the largest file plus the form's own bytes.
pub const MAX_BODY_BYTES: usize = MAX_UPLOAD_BYTES + 64 * 1024;

pub fn routes() -> Router<App> {
    Router::new()
        .route(
            "/a/{token}/documenten",
            get(show)
                .post(upload)
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route("/a/{token}/documenten/verwijderen", post(remove))
        .route("/a/{token}/documenten/{id}", get(serve_to_resident))
        .route(
            "/medewerker/afspraken/{appointment}/documenten/{id}",
            get(serve_to_clerk),
        )
        .route(
            "/medewerker/afspraken/{appointment}/foto",
            post(photo_from_call).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
}

fn here(u: &Unlocked) -> String {
    format!("/a/{}/documenten", u.token.as_str())
}

fn in_words(tx: &Tx, words: &Words) -> String {
    match tx.lang {
        Lang::Nl => words.dutch.clone(),
        Lang::En => words.english.clone(),
    }
}

/// "foto, 1,2 MB" / "PDF document, 80 kB".
fn describe(tx: &Tx, record: &DocumentRecord) -> String {
    let size = record.size_bytes as f64;
    let size = if size >= 1_000_000.0 {
        format!("{:.1} MB", size / 1_000_000.0)
    } else {
        format!("{} kB", (size / 1000.0).ceil() as u64)
    };
    let size = match tx.lang {
        Lang::Nl => size.replace('.', ","),
        Lang::En => size,
    };
    format!("{}, {size}", in_words(tx, &record.kind.words()))
}

fn field_id(code: &str) -> String {
    format!("bestand-{code}")
}

pub async fn show(State(app): State<App>, Path(token): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        page(&app, &ctx, &u, &[], StatusCode::OK).await
    }
    .await;
    respond(&ctx, outcome)
}

async fn page(
    app: &App,
    ctx: &Ctx,
    u: &Unlocked,
    errors: &[(String, String)],
    status: StatusCode,
) -> Result<Response> {
    let tx = Tx::new(ctx.lang, u.tenant.tone);
    let documents = docs::for_resident(app, u).await?;
    let done = match ctx.param("gedaan") {
        Some("opgeslagen") => Some(tx.pick(
            "Het bestand is opgeslagen. De medewerker kan het in het gesprek bekijken.",
            "Het bestand is opgeslagen. De medewerker kan het in het gesprek bekijken.",
            "The file has been saved. The clerk can look at it during the call.",
        )),
        Some("verwijderd") => {
            Some(tx.t("Het bestand is verwijderd.", "The file has been removed."))
        }
        _ => None,
    };
    let back = format!("/a/{}", u.token.as_str());
    let body = html! {
        (error_summary(&tx, errors))
        @if let Some(text) = done {
            (notice(text))
        }
        p { a href=(back) { (tx.pick("Terug naar uw afspraak", "Terug naar je afspraak", "Back to your appointment")) } }
        p {
            (tx.pick(
                "Hier stuurt u vooraf de papieren die u zelf aanlevert: een foto met uw telefoon of een bestand. Alleen u en de medewerkers van deze dienst kunnen ze openen.",
                "Hier stuur je vooraf de papieren die je zelf aanlevert: een foto met je telefoon of een bestand. Alleen jij en de medewerkers van deze dienst kunnen ze openen.",
                "Here you send in advance the papers you supply yourself: a photo with your phone or a file. Only you and the staff of this service can open them.",
            ))
        }
        p class="hint" {
            (tx.t(
                "Een foto (JPEG of PNG) of een PDF, hoogstens 10 MB. Foto's worden opnieuw opgeslagen zonder de plaats waar ze zijn gemaakt.",
                "A photo (JPEG or PNG) or a PDF, at most 10 MB. Photos are saved again without the place where they were taken.",
            ))
        }
        @if documents.slots.is_empty() {
            p {
                (tx.pick(
                    "U heeft bij geen enkel gegeven gekozen om het zelf aan te leveren. Dat kiest u bij uw gegevens.",
                    "Je hebt bij geen enkel gegeven gekozen om het zelf aan te leveren. Dat kies je bij je gegevens.",
                    "You did not choose to supply any information yourself. You choose that under your data.",
                ))
            }
            p { a class="button button--secondary" href={ (back) "/privacy" } { (tx.pick("Naar uw gegevens", "Naar je gegevens", "Go to your data")) } }
        }
        @if !documents.can_change && !documents.slots.is_empty() {
            p { (tx.t(
                "Het gesprek is begonnen of voorbij: u kunt geen bestanden meer toevoegen of verwijderen.",
                "The call has started or is over: you can no longer add or remove files.",
            )) }
        }
        @for slot in &documents.slots {
            (slot_section(&tx, u, &documents, slot, errors))
        }
        script type="module" src="/static/documents.js" {}
    };
    Ok((
        status,
        render(
            ctx,
            Page {
                title: tx.t("Documenten", "Documents").to_string(),
                tenant: Some(&u.tenant),
                body,
                has_errors: !errors.is_empty(),
                nav: None,
            },
        ),
    )
        .into_response())
}

fn slot_section(
    tx: &Tx,
    u: &Unlocked,
    documents: &ResidentDocuments,
    slot: &docs::Slot,
    errors: &[(String, String)],
) -> Markup {
    let code = &slot.source.code;
    let id = field_id(code);
    let heading = format!("kop-{code}");
    let error = errors
        .iter()
        .find(|(k, _)| *k == id)
        .map(|(_, m)| m.as_str());
    let error_id = format!("{id}-fout");
    let hint_id = format!("{id}-hint");
    let described = if error.is_some() {
        format!("{hint_id} {error_id}")
    } else {
        hint_id.clone()
    };
    html! {
        section class="document-slot" aria-labelledby=(heading) {
            h2 id=(heading) { (slot.source.label) }
            p { (slot.source.reason) }
            @if let Some(doc) = &slot.document {
                p {
                    (tx.t("Gegeven: ", "Supplied: "))
                    (describe(tx, doc))
                }
                @let address = format!("{}/{}", here(u), doc.id);
                @if doc.erased_at.is_none() {
                    @match doc.kind {
                        DocumentKind::Jpeg | DocumentKind::Png => {
                            p {
                                img class="document-preview" src=(address)
                                    alt=(format!("{} {}", tx.t("Voorbeeld van de foto voor", "Preview of the photo for"), slot.source.label));
                            }
                        }
                        DocumentKind::Pdf => {
                            p { a href=(address) { (tx.t("Bekijk de PDF", "View the PDF")) " (" (slot.source.label) ")" } }
                        }
                    }
                }
                @if documents.can_change {
                    form method="post" action={ (here(u)) "/verwijderen" } {
                        input type="hidden" name="source" value=(code);
                        button type="submit" class="button button--secondary" {
                            (tx.t("Verwijderen", "Remove")) span class="visually-hidden" { ": " (slot.source.label) }
                        }
                    }
                }
            }
            @if documents.can_change {
                form method="post" action=(here(u)) enctype="multipart/form-data" class="document-upload" data-upload {
                    input type="hidden" name="source" value=(code);
                    div class={ "field" @if error.is_some() { " field--error" } } {
                        label for=(id) {
                            @if slot.document.is_some() {
                                (tx.t("Kies een andere foto of een ander bestand", "Choose another photo or file"))
                            } @else {
                                (tx.t("Maak een foto of kies een bestand", "Take a photo or choose a file"))
                            }
                        }
                        p class="hint" id=(hint_id) { (tx.t("Foto (JPEG of PNG) of PDF, hoogstens 10 MB.", "Photo (JPEG or PNG) or PDF, at most 10 MB.")) }
                        @if let Some(message) = error {
                            (field_error(tx, &error_id, message))
                        }
                        input type="file" id=(id) name="file" accept="image/jpeg,image/png,application/pdf"
                            aria-describedby=(described) aria-invalid=[error.map(|_| "true")];
                    }
                    p class="upload-progress" hidden {
                        label { (tx.t("Bezig met versturen", "Sending")) " " progress max="100" value="0" {} }
                    }
                    p {
                        button type="submit" class="button" {
                            (tx.t("Versturen", "Send")) span class="visually-hidden" { ": " (slot.source.label) }
                        }
                    }
                }
            }
        }
    }
}

/// The form's fields: the source first (the form puts it before the file, so it is known even
/// when the file is too large to read), then the file with the name the browser gave it.
struct Upload {
    source: String,
    file: Vec<u8>,
    file_name: Option<String>,
}

async fn read_form(
    multipart: std::result::Result<Multipart, MultipartRejection>,
) -> (Option<String>, std::result::Result<Upload, Words>) {
    let too_large = || {
        Words::new(
            "Het bestand kon niet gelezen worden. Een bestand mag hoogstens 10 MB zijn.",
            "The file could not be read. A file may be at most 10 MB.",
        )
    };
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(_) => return (None, Err(too_large())),
    };
    let mut source = None;
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name().map(str::to_string).as_deref() {
                Some("source") => source = field.text().await.ok(),
                Some("file") => {
                    let name = field.file_name().map(str::to_string);
                    match field.bytes().await {
                        Ok(bytes) => file = Some((bytes.to_vec(), name)),
                        Err(_) => return (source, Err(too_large())),
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => return (source, Err(too_large())),
        }
    }
    let (file, file_name) = file.unwrap_or_default();
    match source.clone() {
        Some(s) => (
            source,
            Ok(Upload {
                source: s,
                file,
                file_name: file_name.filter(|n| !n.is_empty()),
            }),
        ),
        None => (None, Err(too_large())),
    }
}

pub async fn upload(
    State(app): State<App>,
    Path(token): Path<String>,
    ctx: Ctx,
    multipart: std::result::Result<Multipart, MultipartRejection>,
) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        let tx = Tx::new(ctx.lang, u.tenant.tone);
        let (source, form) = read_form(multipart).await;
        let field = field_id(source.as_deref().unwrap_or(""));
        let form = match form {
            Ok(form) => form,
            Err(words) => {
                let errors = [(field, in_words(&tx, &words))];
                return page(&app, &ctx, &u, &errors, StatusCode::PAYLOAD_TOO_LARGE).await;
            }
        };
        match docs::upload(
            &app,
            &u,
            &form.source,
            &form.file,
            form.file_name.as_deref(),
        )
        .await
        {
            Ok(_) => Ok(see_other(&format!("{}?gedaan=opgeslagen", here(&u)))),
            Err(Error::Invalid { message, .. }) => {
                let errors = [(field, in_words(&tx, &message))];
                page(&app, &ctx, &u, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}

#[derive(Deserialize)]
pub struct RemoveForm {
    source: String,
}

pub async fn remove(
    State(app): State<App>,
    Path(token): Path<String>,
    ctx: Ctx,
    Form(form): Form<RemoveForm>,
) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        docs::remove(&app, &u, &form.source).await?;
        Ok(see_other(&format!("{}?gedaan=verwijderd", here(&u))))
    }
    .await;
    respond(&ctx, outcome)
}

/// The file itself, with headers that keep the browser from running anything in it: pictures
/// inline (the preview), PDFs as a download.
fn file_response(record: &DocumentRecord, bytes: Vec<u8>) -> Response {
    let name = format!("{}.{}", record.source_code, record.kind.extension());
    let disposition = match record.kind {
        DocumentKind::Pdf => format!("attachment; filename=\"{name}\""),
        _ => format!("inline; filename=\"{name}\""),
    };
    (
        [
            (header::CONTENT_TYPE, record.kind.media_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_string(),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

pub async fn serve_to_resident(
    State(app): State<App>,
    Path((token, id)): Path<(String, String)>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        let id: DocumentId = id.parse().map_err(|_| Error::NotFound("document"))?;
        let (record, bytes) = docs::resident_copy(&app, &u, id).await?;
        Ok(file_response(&record, bytes))
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn serve_to_clerk(
    State(app): State<App>,
    staff: std::result::Result<Staff, Error>,
    Path((appointment, id)): Path<(String, String)>,
    ctx: Ctx,
) -> Response {
    let Ok(Staff(claims)) = staff else {
        return super::staff::to_login(&format!(
            "/medewerker/afspraken/{}/documenten/{}",
            url(&appointment),
            url(&id)
        ));
    };
    let outcome = async {
        let appointment: AppointmentId = appointment
            .parse()
            .map_err(|_| Error::NotFound("appointment"))?;
        let id: DocumentId = id.parse().map_err(|_| Error::NotFound("document"))?;
        let (record, bytes) = docs::clerk_copy(&app, &claims, appointment, id).await?;
        Ok(file_response(&record, bytes))
    }
    .await;
    respond(&ctx, outcome)
}

#[derive(serde::Serialize)]
struct TakenPhoto {
    id: String,
    label: String,
    kind: &'static str,
    size_bytes: u64,
}

/// Issue 22 item 2: the still the clerk's page took of the resident's video (`clerk-call.js`,
/// after the resident said yes in the call), as the request body (JPEG or PNG). Answers 201
/// with the document's id and label; refusals as the other pages answer them.
pub async fn photo_from_call(
    State(app): State<App>,
    Staff(claims): Staff,
    Path(appointment): Path<String>,
    ctx: Ctx,
    body: axum::body::Bytes,
) -> Response {
    let outcome = async {
        let appointment: AppointmentId = appointment
            .parse()
            .map_err(|_| Error::NotFound("appointment"))?;
        let record = docs::clerk_photo(&app, &claims, appointment, &body).await?;
        let taken = TakenPhoto {
            id: record.id.to_string(),
            label: record.source_label,
            kind: record.kind.as_str(),
            size_bytes: record.size_bytes,
        };
        Ok((StatusCode::CREATED, axum::Json(taken)).into_response())
    }
    .await;
    respond(&ctx, outcome)
}

/// The block on "Uw gegevens": every document supplied and where it is now.
pub fn privacy_section(tx: &Tx, u: &Unlocked, all: &[DocumentRecord]) -> Markup {
    html! {
        section aria-labelledby="documenten-kop" {
            h2 id="documenten-kop" { (tx.pick("Uw documenten", "Je documenten", "Your documents")) }
            @if all.is_empty() {
                p { (tx.pick("U heeft geen documenten gestuurd.", "Je hebt geen documenten gestuurd.", "You have not sent any documents.")) }
            } @else {
                ul class="bullets" id="supplied-documents" {
                    @for doc in all {
                        li {
                            strong { (doc.source_label) } ": " (describe(tx, doc)) ". "
                            (in_words(tx, &document::whereabouts(doc)))
                        }
                    }
                }
            }
            p { a href=(here(u)) { (tx.t("Documenten sturen of verwijderen", "Send or remove documents")) } }
        }
    }
}

/// The block on the clerk's call page: the resident's documents with a download link each.
/// Opening one is written to the resident's access log.
pub fn clerk_panel(tx: &Tx, appointment: AppointmentId, all: &[DocumentRecord]) -> Markup {
    html! {
        section class="clerk-documents" aria-labelledby="documenten-kop" {
            h2 id="documenten-kop" { (tx.t("Documenten van de bewoner", "The resident's documents")) }
            @if all.is_empty() {
                p { (tx.t("Geen documenten gestuurd.", "No documents sent.")) }
            } @else {
                ul class="bullets" id="clerk-documents" {
                    @for doc in all {
                        li {
                            @if doc.erased_at.is_none() {
                                a href={ "/medewerker/afspraken/" (appointment.to_string()) "/documenten/" (doc.id.to_string()) } {
                                    (doc.source_label) " (" (describe(tx, doc)) ")"
                                }
                            } @else {
                                (doc.source_label) " (" (describe(tx, doc)) "): " (tx.t("niet meer hier", "no longer here"))
                            }
                        }
                    }
                }
                p class="hint" { (tx.t(
                    "Elke keer dat u een document opent, ziet de bewoner dat in het overzicht van wie de gegevens bekeek.",
                    "Every time you open a document, the resident sees it in the list of who looked at their data.",
                )) }
            }
        }
    }
}
