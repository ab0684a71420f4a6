//! `/{slug}/afspraak-zoeken` (issue 16): a resident finds their appointment with the booking
//! code and the phone number or the date, and goes on to the personal page with a fresh link.
//! Every way of not matching gets the same message; attempts are limited per client address
//! and per code (the error page says how long to wait).

use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{error_summary, Field};
use crate::html::url;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use ::booking::api::security::ClientAddress;
use ::booking::domain::tenant::Tenant;
use ::booking::usecases::find_appointment::{self, FindRequest};
use ::booking::{App, Error};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use maud::html;
use serde::Deserialize;

pub fn routes() -> Router<App> {
    Router::new().route("/{slug}/afspraak-zoeken", get(form).post(submit))
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Typed {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub date: String,
}

fn page(
    ctx: &Ctx,
    tx: &Tx,
    tenant: &Tenant,
    typed: &Typed,
    errors: &[(String, String)],
    status: StatusCode,
) -> Response {
    let action = format!("/{}/afspraak-zoeken", url(tenant.slug.as_str()));
    let fields = [
        Field::input("code", "text", tx.t("Afspraakcode", "Booking code"), &typed.code)
            .hint(Some(tx.pick(
                "De code van 8 tekens uit de bevestiging, bijvoorbeeld K7M-4QX-9P.",
                "De code van 8 tekens uit de bevestiging, bijvoorbeeld K7M-4QX-9P.",
                "The 8-character code from the confirmation, for example K7M-4QX-9P.",
            )))
            .spellcheck_off()
            .autocomplete("off"),
        Field::input("phone", "tel", tx.t("Telefoonnummer", "Phone number"), &typed.phone)
            .hint(Some(tx.pick(
                "Het nummer dat u bij de afspraak gaf. Geen nummer gegeven? Vul dan hieronder de datum in.",
                "Het nummer dat je bij de afspraak gaf. Geen nummer gegeven? Vul dan hieronder de datum in.",
                "The number you gave with the appointment. No number given? Then fill in the date below.",
            )))
            .autocomplete("tel"),
        Field::input("date", "date", tx.t("Of: datum van de afspraak", "Or: date of the appointment"), &typed.date),
    ];
    let body = html! {
        (error_summary(tx, errors))
        p {
            (tx.pick(
                "Kwijt hoe u bij uw afspraak komt? Met de afspraakcode en uw telefoonnummer, of de code en de datum, vindt u hem terug. U krijgt dan een nieuwe persoonlijke link.",
                "Kwijt hoe je bij je afspraak komt? Met de afspraakcode en je telefoonnummer, of de code en de datum, vind je hem terug. Je krijgt dan een nieuwe persoonlijke link.",
                "Lost how to reach your appointment? With the booking code and your phone number, or the code and the date, you find it again. You then get a new personal link."
            ))
        }
        form method="post" action=(action) novalidate {
            @for field in &fields {
                (field.render(tx, errors))
            }
            button type="submit" class="button" { (tx.t("Afspraak zoeken", "Find appointment")) }
        }
    };
    let title = tx
        .pick(
            "Uw afspraak zoeken",
            "Je afspraak zoeken",
            "Find your appointment",
        )
        .to_string();
    let mut response = render(
        ctx,
        Page {
            title,
            tenant: Some(tenant),
            body,
            has_errors: !errors.is_empty(),
            nav: None,
        },
    )
    .into_response();
    *response.status_mut() = status;
    response
}

pub async fn form(State(app): State<App>, Path(slug): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let tenant = ::booking::usecases::booking::municipality(&app, &slug).await?;
        let tx = Tx::new(ctx.lang, tenant.tone);
        Ok(page(
            &ctx,
            &tx,
            &tenant,
            &Typed::default(),
            &[],
            StatusCode::OK,
        ))
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn submit(
    State(app): State<App>,
    ClientAddress(client): ClientAddress,
    Path(slug): Path<String>,
    ctx: Ctx,
    Form(typed): Form<Typed>,
) -> Response {
    let outcome = async {
        let tenant = ::booking::usecases::booking::municipality(&app, &slug).await?;
        let tx = Tx::new(ctx.lang, tenant.tone);
        let request = match FindRequest::parse(&typed.code, Some(&typed.phone), Some(&typed.date)) {
            Ok(request) => request,
            Err(Error::Invalid { field, message }) => {
                let key = field.trim_start_matches('/').to_string();
                let errors = vec![(key, tx.field_error(&field, &message))];
                return Ok(page(&ctx, &tx, &tenant, &typed, &errors, StatusCode::UNPROCESSABLE_ENTITY));
            }
            Err(other) => return Err(other),
        };
        // Over the limit: the error page says so and when to try again.
        request.count(&app, client)?;
        match find_appointment::find(&app, &tenant, &request).await {
            Ok(found) => Ok(see_other(&format!("/a/{}", found.token.as_str()))),
            Err(Error::NotFound(_)) => {
                // One message whatever did not match: the page never tells which part was wrong.
                let errors = vec![(
                    "code".to_string(),
                    tx.pick(
                        "Wij vinden geen afspraak met deze gegevens. Controleer de afspraakcode en het telefoonnummer of de datum.",
                        "We vinden geen afspraak met deze gegevens. Controleer de afspraakcode en het telefoonnummer of de datum.",
                        "We cannot find an appointment with these details. Check the booking code and the phone number or the date.",
                    )
                    .to_string(),
                )];
                Ok(page(&ctx, &tx, &tenant, &typed, &errors, StatusCode::NOT_FOUND))
            }
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}
