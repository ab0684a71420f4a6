//! `/beheer/klachten`: the open complaints, oldest first, each with a form to mark it handled
//! with a note; the handled ones below.

use super::{
    admin_page, error_for, error_summary, saved_notice, say, AdminSession, Errors, FormData,
};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::html::esc;
use crate::i18n::Tx;
use axum::extract::{Path, State};
use axum::response::Response;
use booking::domain::feedback::Feedback;
use booking::domain::tenant::Tenant;
use booking::error::Conflict;
use booking::usecases;
use booking::{App, Error, Result};

const HERE: &str = "/beheer/klachten";

pub async fn list(
    State(app): State<App>,
    AdminSession(claims): AdminSession,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let tenant = ::booking::usecases::desk::municipality(&app, &claims).await?;
        page(&app, &ctx, &tenant, None, "", &Vec::new()).await
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn handle(
    State(app): State<App>,
    AdminSession(claims): AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let tenant = ::booking::usecases::desk::municipality(&app, &claims).await?;
        let tx = Tx::formal(ctx.lang);
        let f = FormData::parse(&body);
        let note = f.get("note");
        match usecases::admin::complaints::handle_complaint(&app, tenant.id, claims.sub, &id, note)
            .await
        {
            Ok(()) => Ok(see_other(&format!("{HERE}?afgehandeld=1"))),
            Err(Error::Invalid { message, .. }) => {
                let errors = vec![(
                    format!("note-{id}"),
                    say(
                        &tx,
                        "Schrijf in 1 tot 2000 tekens hoe de klacht is afgehandeld.",
                        &message,
                    ),
                )];
                page(&app, &ctx, &tenant, Some(&id), note, &errors).await
            }
            // Handled meanwhile (another admin, or the form sent twice): the list shows it.
            Err(Error::Conflict(Conflict::ComplaintAlreadyHandled)) => {
                Ok(see_other(&format!("{HERE}?afgehandeld=1")))
            }
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}

/// Puts a comment on the complaints list.
pub async fn mark(
    State(app): State<App>,
    AdminSession(claims): AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        usecases::admin::complaints::mark_complaint(&app, claims.tenant, &id).await?;
        Ok(see_other(&format!("{HERE}?klacht=1")))
    }
    .await;
    respond(&ctx, outcome)
}

async fn page(
    app: &App,
    ctx: &Ctx,
    tenant: &Tenant,
    typed_for: Option<&str>,
    typed: &str,
    errors: &Errors,
) -> Result<Response> {
    let tx = Tx::formal(ctx.lang);
    let all = ::booking::usecases::admin::complaints::complaints(&app, tenant.id, true).await?;
    let services = ::booking::usecases::desk::services(&app, tenant.id).await?;
    let tz = tenant.time_zone.tz().clone();
    let when = |t: jiff::Timestamp| {
        t.to_zoned(tz.clone())
            .strftime("%d-%m-%Y %H:%M")
            .to_string()
    };
    let service_name = |f: &Feedback| {
        services
            .iter()
            .find(|s| s.id == f.service_id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    };
    let (open, handled): (Vec<&Feedback>, Vec<&Feedback>) =
        all.iter().partition(|f| f.handled_at.is_none());
    let open_html: String = open
        .iter()
        .enumerate()
        .map(|(n, f)| {
            let id = f.id.to_string();
            let field = format!("note-{id}");
            let error = error_for(errors, &field);
            let value = if typed_for == Some(id.as_str()) { typed } else { "" };
            let heading = format!("complaint-{}", n + 1);
            format!(
                r#"<article class="complaint" aria-labelledby="{heading}">
<h3 id="{heading}">{title} {nr}</h3>
<dl class="summary">
<div><dt>{date_h}</dt><dd>{date}</dd></div>
<div><dt>{service_h}</dt><dd>{service}</dd></div>
<div><dt>{rating_h}</dt><dd>{rating}</dd></div>
<div><dt>{comment_h}</dt><dd>{comment}</dd></div>
</dl>
<form method="post" action="{HERE}/{id}" class="staff-form" novalidate>
<div class="field{cls}"><label for="{field}">{note_label}</label><p class="hint" id="{field}-hint">{hint}</p>{error_html}<textarea id="{field}" name="note" rows="3" aria-describedby="{field}-hint{described}"{invalid}>{value}</textarea></div>
<p><button type="submit" class="button">{submit}<span class="visually-hidden"> ({title} {nr})</span></button></p>
</form>
</article>"#,
                title = tx.t("Klacht", "Complaint"),
                nr = n + 1,
                date_h = tx.t("Gegeven op", "Given on"),
                date = when(f.given_at),
                service_h = tx.t("Onderwerp", "Service"),
                service = esc(&service_name(f)),
                rating_h = tx.t("Cijfer", "Rating"),
                rating = f.rating,
                comment_h = tx.t("Wat de bewoner schreef", "What the resident wrote"),
                comment = esc(&f.comment),
                cls = if error.is_some() { " field--error" } else { "" },
                note_label = tx.t("Hoe is de klacht afgehandeld?", "How was the complaint handled?"),
                hint = tx.t("Bijvoorbeeld: bewoner gebeld en excuses aangeboden.", "For example: called the resident and apologised."),
                error_html = error
                    .map(|e| format!(r#"<p class="field-error" id="{field}-error">{}</p>"#, esc(e)))
                    .unwrap_or_default(),
                described = if error.is_some() { format!(" {field}-error") } else { String::new() },
                invalid = if error.is_some() { r#" aria-invalid="true""# } else { "" },
                value = esc(value),
                submit = tx.t("Markeer als afgehandeld", "Mark as handled"),
            )
        })
        .collect();
    let open_html = if open.is_empty() {
        format!(
            r#"<p>{}</p>"#,
            tx.t(
                "Er zijn geen open klachten.",
                "There are no open complaints."
            )
        )
    } else {
        open_html
    };
    let handled_rows: String = handled
        .iter()
        .map(|f| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                when(f.given_at),
                esc(&service_name(f)),
                f.rating,
                esc(&f.comment),
                f.handled_at.map(when).unwrap_or_default(),
                esc(f.handled_note.as_deref().unwrap_or("")),
            )
        })
        .collect();
    let handled_html = if handled.is_empty() {
        format!(
            r#"<p>{}</p>"#,
            tx.t(
                "Er zijn nog geen afgehandelde klachten.",
                "No complaints have been handled yet."
            )
        )
    } else {
        format!(
            r#"<div class="table-scroll" tabindex="0" role="region" aria-labelledby="afgehandeld-kop"><table class="queue-table" id="afgehandeld"><caption id="afgehandeld-kop">{caption}</caption><thead><tr><th scope="col">{date}</th><th scope="col">{service}</th><th scope="col">{rating}</th><th scope="col">{comment}</th><th scope="col">{handled_at}</th><th scope="col">{note}</th></tr></thead><tbody>{handled_rows}</tbody></table></div>"#,
            caption = tx.t("Afgehandelde klachten", "Handled complaints"),
            date = tx.t("Gegeven op", "Given on"),
            service = tx.t("Onderwerp", "Service"),
            rating = tx.t("Cijfer", "Rating"),
            comment = tx.t("Wat de bewoner schreef", "What the resident wrote"),
            handled_at = tx.t("Afgehandeld op", "Handled on"),
            note = tx.t("Hoe", "How"),
        )
    };
    // Comments that are not complaints (yet): an admin may decide to follow one up.
    let comments: Vec<Feedback> = ::booking::usecases::admin::complaints::comments(&app, tenant.id)
        .await?
        .into_iter()
        .filter(|f| !f.complaint)
        .collect();
    let comment_rows: String = comments
        .iter()
        .map(|f| {
            format!(
                r#"<tr><td>{date}</td><td>{service}</td><td>{rating}</td><td>{comment}</td><td><form method="post" action="{HERE}/opmerking/{id}"><button type="submit" class="button button--secondary">{mark}<span class="visually-hidden"> ({given} {date})</span></button></form></td></tr>"#,
                date = when(f.given_at),
                service = esc(&service_name(f)),
                rating = f.rating,
                comment = esc(&f.comment),
                id = f.id,
                mark = tx.t("Als klacht opvolgen", "Follow up as a complaint"),
                given = tx.t("opmerking van", "comment of"),
            )
        })
        .collect();
    let comments_html = if comments.is_empty() {
        format!(
            r#"<p>{}</p>"#,
            tx.t(
                "Er zijn geen andere opmerkingen van bewoners.",
                "There are no other comments from residents."
            )
        )
    } else {
        format!(
            r#"<div class="table-scroll" tabindex="0" role="region" aria-labelledby="opmerkingen-kop"><table class="queue-table" id="opmerkingen"><caption id="opmerkingen-kop">{caption}</caption><thead><tr><th scope="col">{date}</th><th scope="col">{service}</th><th scope="col">{rating}</th><th scope="col">{comment}</th><th scope="col"><span class="visually-hidden">{action}</span></th></tr></thead><tbody>{comment_rows}</tbody></table></div>"#,
            caption = tx.t(
                "Opmerkingen bij een cijfer, nieuwste eerst",
                "Comments with a rating, newest first"
            ),
            date = tx.t("Gegeven op", "Given on"),
            service = tx.t("Onderwerp", "Service"),
            rating = tx.t("Cijfer", "Rating"),
            comment = tx.t("Wat de bewoner schreef", "What the resident wrote"),
            action = tx.t("Opvolgen", "Follow up"),
        )
    };
    let body = format!(
        r#"{saved}{marked}{summary}<h2>{open_h} ({open_count})</h2>
{open_html}
<h2>{handled_h}</h2>
{handled_html}
<h2>{comments_h}</h2>
<p>{comments_intro}</p>
{comments_html}"#,
        marked = saved_notice(ctx, "klacht", tx.t("De opmerking staat nu bij de open klachten.", "The comment is now among the open complaints.")),
        comments_h = tx.t("Andere opmerkingen", "Other comments"),
        comments_intro = tx.t(
            "Bewoners die een cijfer geven, kunnen er een opmerking bij schrijven zonder er een klacht van te maken. Leest u er een klacht in, volg hem dan op als klacht.",
            "Residents who give a rating may add a comment without making it a complaint. If you read a complaint in one, follow it up as a complaint."
        ),
        saved = saved_notice(
            ctx,
            "afgehandeld",
            tx.t(
                "De klacht is afgehandeld.",
                "The complaint has been handled."
            )
        ),
        summary = error_summary(&tx, errors),
        open_h = tx.t("Open klachten", "Open complaints"),
        open_count = open.len(),
        handled_h = tx.t("Afgehandeld", "Handled"),
    );
    Ok(admin_page(
        ctx,
        tenant,
        HERE,
        tx.t("Klachten", "Complaints").to_string(),
        body,
        !errors.is_empty(),
    ))
}
