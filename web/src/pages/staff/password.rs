//! Passwords without JavaScript: choosing one through a mailed one-time link
//! (`/{slug}/medewerker/wachtwoord/{token}`), asking for such a link ("wachtwoord vergeten",
//! the same answer whether the address is known), and changing one's own
//! (`/medewerker/wachtwoord`). The rules are in `booking::usecases::accounts`.

use super::{nav, to_login};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{error_summary_unsaved, notice, Field};
use crate::html::url;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use booking::auth::{self, PasswordWeakness, Staff};
use booking::domain::tenant::Tenant;
use booking::error::Conflict;
use booking::usecases::accounts;
use booking::{App, Error};
use maud::{html, Markup};

fn form_value(body: &str, name: &str) -> String {
    form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Why a new password is refused, in the page's language.
fn weakness_words(tx: &Tx, password: &str, personal: &[&str]) -> String {
    match auth::password_weakness(password, personal) {
        Some(PasswordWeakness::Length) => tx
            .t(
                "Kies een wachtwoord van 12 tot 200 tekens.",
                "Choose a password of 12 to 200 characters.",
            )
            .into(),
        _ => tx
            .t(
                "Dit wachtwoord is te makkelijk te raden. Kies een langer wachtwoord, bijvoorbeeld een paar losse woorden.",
                "This password is too easy to guess. Choose a longer one, for example a few unrelated words.",
            )
            .into(),
    }
}

fn page(
    ctx: &Ctx,
    tenant: Option<&Tenant>,
    title: &str,
    body: Markup,
    errors: bool,
    nav: Option<Markup>,
) -> Response {
    let page = render(
        ctx,
        Page {
            title: title.to_string(),
            tenant,
            body,
            has_errors: errors,
            nav,
        },
    );
    let status = if errors {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, page).into_response()
}

/// A link that was used or expired: say so, and where to get a new one.
fn spent_link(ctx: &Ctx, slug: &str, conflict: &Conflict) -> Response {
    let tx = Tx::formal(ctx.lang);
    let text = match conflict {
        Conflict::PasswordLinkExpired => tx.t("Deze link is verlopen.", "This link has expired."),
        _ => tx.t(
            "Deze link is al gebruikt. Een link werkt maar één keer.",
            "This link has already been used. A link works only once.",
        ),
    };
    let body = html! {
        p { (text) }
        p { a class="button" href={ "/" (url(slug)) "/medewerker/wachtwoord-vergeten" } {
            (tx.t("Vraag een nieuwe link aan", "Ask for a new link"))
        } }
    };
    let mut response = page(
        ctx,
        None,
        tx.t("Link werkt niet meer", "Link no longer works"),
        body,
        false,
        None,
    );
    *response.status_mut() = StatusCode::CONFLICT;
    response
}

fn set_form(
    ctx: &Ctx,
    slug: &str,
    token: &str,
    holder: &accounts::LinkHolder,
    errors: &[(String, String)],
) -> Response {
    let tx = Tx::formal(ctx.lang);
    let body = html! {
        (error_summary_unsaved(&tx, errors))
        p { (tx.t("Kies een wachtwoord voor het account ", "Choose a password for the account ")) strong { (holder.email) } "." }
        form class="staff-form" method="post" action={ "/" (url(slug)) "/medewerker/wachtwoord/" (url(token)) } novalidate {
            // For password managers: the account the new password belongs to.
            input type="hidden" name="username" autocomplete="username" value=(holder.email);
            (Field::input("password", "password", tx.t("Nieuw wachtwoord", "New password"), "")
                .hint(Some(tx.t(
                    "Minstens 12 tekens. Een paar losse woorden is sterk en goed te onthouden.",
                    "At least 12 characters. A few unrelated words are strong and easy to remember.",
                )))
                .autocomplete("new-password")
                .required()
                .render(&tx, errors))
            p { button type="submit" class="button" { (tx.t("Wachtwoord instellen", "Set password")) } }
        }
    };
    page(
        ctx,
        Some(&holder.tenant),
        tx.t("Wachtwoord kiezen", "Choose a password"),
        body,
        !errors.is_empty(),
        None,
    )
}

pub async fn link_form(
    State(app): State<App>,
    Path((slug, token)): Path<(String, String)>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        match accounts::link_holder(&app, &token).await {
            Ok(holder) if holder.tenant.slug.as_str() == slug => {
                Ok(set_form(&ctx, &slug, &token, &holder, &[]))
            }
            Ok(_) => Err(Error::NotFound("password link")),
            Err(Error::Conflict(c)) => Ok(spent_link(&ctx, &slug, &c)),
            Err(e) => Err(e),
        }
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn set_by_link(
    State(app): State<App>,
    Path((slug, token)): Path<(String, String)>,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let password = form_value(&body, "password");
        let holder = match accounts::link_holder(&app, &token).await {
            Ok(holder) if holder.tenant.slug.as_str() == slug => holder,
            Ok(_) => return Err(Error::NotFound("password link")),
            Err(Error::Conflict(c)) => return Ok(spent_link(&ctx, &slug, &c)),
            Err(e) => return Err(e),
        };
        match accounts::set_password_by_link(&app, &token, &password).await {
            Ok(_) => {
                let body = html! {
                    (notice(tx.t("Uw wachtwoord is ingesteld.", "Your password has been set.")))
                    p { a class="button" href={ "/" (url(&slug)) "/medewerker" } { (tx.t("Inloggen", "Log in")) } }
                };
                Ok(page(&ctx, Some(&holder.tenant), tx.t("Wachtwoord ingesteld", "Password set"), body, false, None))
            }
            Err(Error::Invalid { .. }) => {
                let errors = vec![("password".to_string(), weakness_words(&tx, &password, &[&holder.name, &holder.email]))];
                Ok(set_form(&ctx, &slug, &token, &holder, &errors))
            }
            Err(Error::Conflict(c)) => Ok(spent_link(&ctx, &slug, &c)),
            Err(e) => Err(e),
        }
    }
    .await;
    respond(&ctx, outcome)
}

fn forgot_page(ctx: &Ctx, tenant: &Tenant, sent: bool) -> Response {
    let tx = Tx::formal(ctx.lang);
    let body = html! {
        @if sent {
            (notice(tx.t(
                "Als dit adres een account heeft bij deze gemeente, krijgt u binnen enkele minuten een mail met een link om een nieuw wachtwoord te kiezen. De link werkt twee uur en één keer.",
                "If this address has an account with this municipality, you will receive an email with a link to choose a new password within a few minutes. The link works for two hours, once.",
            )))
        }
        p { (tx.t(
            "Vul het e-mailadres in waarmee u inlogt. U krijgt een link om een nieuw wachtwoord te kiezen.",
            "Fill in the email address you log in with. You will get a link to choose a new password.",
        )) }
        form class="staff-form" method="post" action={ "/" (url(tenant.slug.as_str())) "/medewerker/wachtwoord-vergeten" } novalidate {
            (Field::input("email", "email", tx.t("E-mailadres", "Email address"), "")
                .autocomplete("username")
                .required()
                .render(&tx, &[]))
            p { button type="submit" class="button" { (tx.t("Stuur mij een link", "Send me a link")) } }
        }
        p { a href={ "/" (url(tenant.slug.as_str())) "/medewerker" } { (tx.t("Terug naar inloggen", "Back to logging in")) } }
    };
    page(
        ctx,
        Some(tenant),
        tx.t("Wachtwoord vergeten", "Forgot password"),
        body,
        false,
        None,
    )
}

pub async fn forgot_form(State(app): State<App>, Path(slug): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let tenant = booking::usecases::booking::municipality(&app, &slug).await?;
        Ok(forgot_page(&ctx, &tenant, false))
    }
    .await;
    respond(&ctx, outcome)
}

/// Always the same answer; the login limits (`api::security`) apply to this form too.
pub async fn forgot(
    State(app): State<App>,
    Path(slug): Path<String>,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let tenant = booking::usecases::booking::municipality(&app, &slug).await?;
        accounts::request_reset(&app, tenant.slug.as_str(), &form_value(&body, "email")).await?;
        Ok(forgot_page(&ctx, &tenant, true))
    }
    .await;
    respond(&ctx, outcome)
}

const CHANGE: &str = "/medewerker/wachtwoord";

fn change_page(
    ctx: &Ctx,
    claims: &auth::SessionClaims,
    errors: &[(String, String)],
    saved: bool,
) -> Response {
    let tx = Tx::formal(ctx.lang);
    let body = html! {
        @if saved {
            (notice(tx.t(
                "Uw wachtwoord is gewijzigd. U bent op andere apparaten uitgelogd.",
                "Your password has been changed. You have been logged out on other devices.",
            )))
        }
        (error_summary_unsaved(&tx, errors))
        form class="staff-form" method="post" action=(CHANGE) novalidate {
            (Field::input("current_password", "password", tx.t("Huidig wachtwoord", "Current password"), "")
                .autocomplete("current-password")
                .required()
                .render(&tx, errors))
            (Field::input("new_password", "password", tx.t("Nieuw wachtwoord", "New password"), "")
                .hint(Some(tx.t(
                    "Minstens 12 tekens. Een paar losse woorden is sterk en goed te onthouden.",
                    "At least 12 characters. A few unrelated words are strong and easy to remember.",
                )))
                .autocomplete("new-password")
                .required()
                .render(&tx, errors))
            p { button type="submit" class="button" { (tx.t("Wachtwoord wijzigen", "Change password")) } }
        }
    };
    page(
        ctx,
        None,
        tx.t("Wachtwoord wijzigen", "Change password"),
        body,
        !errors.is_empty(),
        nav(&tx, CHANGE, claims),
    )
}

pub async fn change_form(staff: Result<Staff, Error>, ctx: Ctx) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(CHANGE);
    };
    let saved = ctx.param("gewijzigd").is_some();
    ctx.finish(change_page(&ctx, &claims, &[], saved))
}

pub async fn change(
    State(app): State<App>,
    staff: Result<Staff, Error>,
    headers: HeaderMap,
    ctx: Ctx,
    body: String,
) -> Response {
    let Ok(Staff(claims)) = staff else {
        return to_login(CHANGE);
    };
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let token =
            auth::request_cookie(&headers, auth::SESSION_COOKIE).ok_or(Error::Unauthenticated)?;
        let (current, new) = (
            form_value(&body, "current_password"),
            form_value(&body, "new_password"),
        );
        match accounts::change_password(&app, &claims, token, &current, &new).await {
            Ok(()) => Ok(see_other(&format!("{CHANGE}?gewijzigd=1"))),
            Err(Error::Invalid { field, .. }) if field == "/current_password" => {
                let errors = vec![(
                    "current_password".to_string(),
                    tx.t(
                        "Dit is niet uw huidige wachtwoord.",
                        "This is not your current password.",
                    )
                    .to_string(),
                )];
                Ok(change_page(&ctx, &claims, &errors, false))
            }
            Err(Error::Invalid { .. }) => {
                let errors = vec![("new_password".to_string(), weakness_words(&tx, &new, &[]))];
                Ok(change_page(&ctx, &claims, &errors, false))
            }
            Err(e) => Err(e),
        }
    }
    .await;
    respond(&ctx, outcome)
}
