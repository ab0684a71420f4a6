//! Logging in and out without JavaScript: the form posts to `/{slug}/medewerker`, which runs the
//! same login use case as `POST /api/v1/auth/login` (`booking::usecases::desk::login`), sets the same
//! session cookie and redirects (303). Mistakes re-render the form with an error summary.

use super::{safe_return, HOME, LOGIN};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::Field;
use crate::html::url;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use booking::auth::{self, Staff};
use booking::domain::tenant::Tenant;
use booking::usecases::sso::{login_options, LoginOptions};
use booking::{App, Error};
use maud::html;

/// Longer input is refused before the password is hashed, so a huge form costs nothing.
const MAX_EMAIL: usize = 254;
const MAX_PASSWORD: usize = 1024;

pub async fn choose_municipality(State(app): State<App>, ctx: Ctx) -> Response {
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let back = safe_return(ctx.param("terug"))
            .map(|p| format!("?terug={}", url(p)))
            .unwrap_or_default();
        let tenants = ::booking::usecases::booking::municipalities(&app).await?;
        let body = html! {
            p { (tx.t("Kies uw gemeente.", "Choose your municipality.")) }
            ul class="choice-list" {
                @for t in &tenants {
                    li {
                        a class="choice" href={ "/" (url(t.slug.as_str())) "/medewerker" (back) } { (t.name) }
                    }
                }
            }
        };
        let title = tx
            .t("Inloggen voor medewerkers", "Log in for clerks")
            .to_string();
        Ok(render(
            &ctx,
            Page {
                title,
                tenant: None,
                body,
                has_errors: false,
                nav: None,
            },
        )
        .into_response())
    }
    .await;
    respond(&ctx, outcome)
}

/// The login form as typed.
#[derive(Debug, Default, PartialEq, Eq)]
struct Typed {
    email: String,
    password: String,
    back_to: Option<String>,
}

impl Typed {
    /// Reads the urlencoded body by hand, so a broken or tampered form still gets the page
    /// with a clear message instead of a bare 400. A field sent twice counts once (the first).
    fn parse(body: &[u8]) -> Self {
        let mut typed = Typed::default();
        let (mut email, mut password, mut back) = (None, None, None);
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "email" if email.is_none() => email = Some(v.into_owned()),
                "password" if password.is_none() => password = Some(v.into_owned()),
                "terug" if back.is_none() => back = Some(v.into_owned()),
                _ => {}
            }
        }
        typed.email = email.unwrap_or_default().trim().to_string();
        typed.password = password.unwrap_or_default();
        typed.back_to = safe_return(back.as_deref()).map(str::to_string);
        typed
    }

    /// Each field's problem, in the page's language; empty when the form can be checked.
    fn errors(&self, tx: &Tx) -> Vec<(&'static str, &'static str)> {
        let mut errors = Vec::new();
        if self.email.is_empty() {
            errors.push((
                "email",
                tx.t("Vul uw e-mailadres in.", "Fill in your email address."),
            ));
        } else if self.email.chars().count() > MAX_EMAIL {
            errors.push((
                "email",
                tx.t(
                    "Een e-mailadres is hoogstens 254 tekens lang.",
                    "An email address is at most 254 characters long.",
                ),
            ));
        }
        if self.password.is_empty() {
            errors.push((
                "password",
                tx.t("Vul uw wachtwoord in.", "Fill in your password."),
            ));
        } else if self.password.chars().count() > MAX_PASSWORD {
            errors.push((
                "password",
                tx.t(
                    "Dit wachtwoord is te lang: hoogstens 1024 tekens.",
                    "This password is too long: at most 1024 characters.",
                ),
            ));
        }
        errors
    }
}

pub async fn form(
    State(app): State<App>,
    Path(slug): Path<String>,
    staff: Result<Staff, Error>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let tenant = ::booking::usecases::booking::municipality(&app, &slug).await?;
        let typed = Typed {
            back_to: safe_return(ctx.param("terug")).map(str::to_string),
            ..Typed::default()
        };
        // Already logged in for this municipality: no form needed.
        if matches!(&staff, Ok(Staff(claims)) if claims.tenant == tenant.id) {
            return Ok(see_other(typed.back_to.as_deref().unwrap_or(HOME)));
        }
        let options = login_options(&app, tenant.id).await?;
        Ok(page(&ctx, &tenant, &typed, &[], &options).into_response())
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn submit(
    State(app): State<App>,
    Path(slug): Path<String>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    let outcome = async {
        let tenant = ::booking::usecases::booking::municipality(&app, &slug).await?;
        let tx = Tx::formal(ctx.lang);
        let typed = Typed::parse(&body);
        let options = login_options(&app, tenant.id).await?;
        let errors = typed.errors(&tx);
        if !errors.is_empty() && options.password_login {
            let mut response = page(&ctx, &tenant, &typed, &errors, &options).into_response();
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(response);
        }
        match booking::usecases::desk::login(
            &app,
            tenant.slug.as_str(),
            &typed.email,
            &typed.password,
        )
        .await
        {
            Ok(session) => {
                let mut response = see_other(typed.back_to.as_deref().unwrap_or(HOME));
                let cookie = auth::session_cookie(&session.token, app.secure_cookies());
                let cookie = HeaderValue::from_str(&cookie)
                    .map_err(|e| Error::Internal(format!("session cookie: {e}")))?;
                response.headers_mut().append(header::SET_COOKIE, cookie);
                Ok(response)
            }
            Err(Error::Unauthenticated) => {
                let wrong = [(
                    "password",
                    tx.t(
                        "Het e-mailadres of het wachtwoord klopt niet.",
                        "The email address or the password is wrong.",
                    ),
                )];
                let mut response =
                    page(&ctx, &tenant, &typed, &wrong, &options).into_response();
                *response.status_mut() = StatusCode::UNAUTHORIZED;
                Ok(response)
            }
            // Single sign-on only (`booking::usecases::sso`): the page shows the button.
            Err(Error::Forbidden) => {
                let off = [(
                    "sso-login",
                    tx.t(
                        "Inloggen met een wachtwoord staat uit bij deze gemeente. Gebruik de knop hieronder.",
                        "Logging in with a password is switched off at this municipality. Use the button below.",
                    ),
                )];
                let mut response = page(&ctx, &tenant, &typed, &off, &options).into_response();
                *response.status_mut() = StatusCode::FORBIDDEN;
                Ok(response)
            }
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}

/// Clears the session cookie and goes back to the login.
pub async fn logout(ctx: Ctx) -> Response {
    let mut response = see_other(LOGIN);
    if let Ok(cookie) = HeaderValue::from_str(&auth::clear_session_cookie()) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    ctx.finish(response)
}

fn page(
    ctx: &Ctx,
    tenant: &Tenant,
    typed: &Typed,
    errors: &[(&'static str, &'static str)],
    options: &LoginOptions,
) -> axum::response::Html<String> {
    let tx = Tx::formal(ctx.lang);
    let errors: Vec<(String, String)> = errors
        .iter()
        .map(|(field, message)| (field.to_string(), message.to_string()))
        .collect();
    let body = html! {
        @if !errors.is_empty() {
            div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" {
                h2 id="error-summary-title" { (tx.t("Inloggen lukte niet", "Logging in did not work")) }
                ul {
                    @for (i, (field, message)) in errors.iter().enumerate() {
                        // The first message has the id the older tests and scripts look for.
                        li { a id=[(i == 0).then_some("login-error")] href={ "#" (field) } { (message) } }
                    }
                }
            }
        }
        (super::sso::login_choice(&tx, tenant, options, typed.back_to.as_deref()))
        @if options.password_login {
        form id="login-form" class="staff-form" method="post" action={ "/" (url(tenant.slug.as_str())) "/medewerker" } novalidate {
            @if let Some(back) = &typed.back_to {
                input type="hidden" name="terug" value=(back);
            }
            (Field::input("email", "email", tx.t("E-mailadres", "Email address"), &typed.email)
                .autocomplete("username")
                .required()
                .render(&tx, &errors))
            // A password is never sent back into the page.
            (Field::input("password", "password", tx.t("Wachtwoord", "Password"), "")
                .autocomplete("current-password")
                .required()
                .render(&tx, &errors))
            p { button type="submit" class="button" { (tx.t("Inloggen", "Log in")) } }
        }
            p { a href={ "/" (url(tenant.slug.as_str())) "/medewerker/wachtwoord-vergeten" } { (tx.t("Wachtwoord vergeten?", "Forgot your password?")) } }
        }
    };
    let title = tx
        .t("Inloggen voor medewerkers", "Log in for clerks")
        .to_string();
    render(
        ctx,
        Page {
            title,
            tenant: Some(tenant),
            body,
            has_errors: !errors.is_empty(),
            nav: None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn the_form_is_read_by_hand_and_checked_per_field() {
        let typed = Typed::parse(
            b"email=+anna%40voorbeeld.nl+&password=geheim&email=other&terug=%2Fmedewerker%2Fwachtrij&extra=1",
        );
        assert_eq!(typed.email, "anna@voorbeeld.nl");
        assert_eq!(typed.password, "geheim");
        assert_eq!(typed.back_to.as_deref(), Some("/medewerker/wachtrij"));
        let tx = Tx::formal(Lang::Nl);
        assert!(typed.errors(&tx).is_empty());

        let empty = Typed::parse(b"\xff\xfe=&&==");
        let errors = empty.errors(&tx);
        assert_eq!(
            errors,
            vec![
                ("email", "Vul uw e-mailadres in."),
                ("password", "Vul uw wachtwoord in.")
            ]
        );
        let long = Typed {
            email: "a".repeat(255),
            password: "x".repeat(1025),
            back_to: None,
        };
        let errors = long.errors(&Tx::formal(Lang::En));
        assert_eq!(errors.len(), 2);
        assert!(errors[1].1.contains("at most 1024"));
        let elsewhere = Typed::parse(b"terug=https%3A%2F%2Fevil.example");
        assert_eq!(elsewhere.back_to, None);
    }
}
