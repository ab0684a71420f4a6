//! Logging in and out without JavaScript: the form posts to `/{slug}/medewerker`, which runs the
//! same login use case as `POST /api/v1/auth/login` (`booking::usecases::desk::login`), sets the same
//! session cookie and redirects (303). Mistakes re-render the form with an error summary.

use super::{safe_return, HOME, LOGIN};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::html::{esc, url};
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use booking::auth::{self, Staff};
use booking::domain::tenant::Tenant;
use booking::{App, Error};

/// Longer input is refused before the password is hashed, so a huge form costs nothing.
const MAX_EMAIL: usize = 254;
const MAX_PASSWORD: usize = 1024;

pub async fn choose_municipality(State(app): State<App>, ctx: Ctx) -> Response {
    let outcome = async {
        let tx = Tx::formal(ctx.lang);
        let back = safe_return(ctx.param("terug"))
            .map(|p| format!("?terug={}", url(p)))
            .unwrap_or_default();
        let items: String = ::booking::usecases::booking::municipalities(&app)
            .await?
            .iter()
            .map(|t| {
                format!(
                    r#"<li><a class="choice" href="/{}/medewerker{back}">{}</a></li>"#,
                    url(t.slug.as_str()),
                    esc(&t.name)
                )
            })
            .collect();
        let body = format!(
            r#"<p>{}</p><ul class="choice-list">{items}</ul>"#,
            tx.t("Kies uw gemeente.", "Choose your municipality.")
        );
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
                nav: String::new(),
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
        Ok(page(&ctx, &tenant, &typed, &[]).into_response())
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
        let errors = typed.errors(&tx);
        if !errors.is_empty() {
            let mut response = page(&ctx, &tenant, &typed, &errors).into_response();
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
                let mut response = page(&ctx, &tenant, &typed, &wrong).into_response();
                *response.status_mut() = StatusCode::UNAUTHORIZED;
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
) -> axum::response::Html<String> {
    let tx = Tx::formal(ctx.lang);
    let error_for = |field: &str| errors.iter().find(|(f, _)| *f == field).map(|(_, m)| *m);
    let summary = if errors.is_empty() {
        String::new()
    } else {
        // The wrong-password message has the id the older tests and scripts look for.
        let items: String = errors
            .iter()
            .map(|(field, message)| {
                format!(
                    r##"<li><a id="login-error" href="#{field}">{}</a></li>"##,
                    esc(message)
                )
            })
            .take(1)
            .chain(errors.iter().skip(1).map(|(field, message)| {
                format!(r##"<li><a href="#{field}">{}</a></li>"##, esc(message))
            }))
            .collect();
        format!(
            r#"<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1"><h2 id="error-summary-title">{}</h2><ul>{items}</ul></div>"#,
            tx.t("Inloggen lukte niet", "Logging in did not work")
        )
    };
    let field = |name: &'static str, label: &str, kind: &str, autocomplete: &str, value: &str| {
        let error = error_for(name);
        let (class, aria, message) = match error {
            Some(e) => (
                "field field--error",
                format!(r#" aria-describedby="{name}-error" aria-invalid="true""#),
                format!(
                    r#"<p class="field-error" id="{name}-error"><span class="visually-hidden">{}</span>{}</p>"#,
                    tx.t("Fout: ", "Error: "),
                    esc(e)
                ),
            ),
            None => ("field", String::new(), String::new()),
        };
        format!(
            r#"<div class="{class}"><label for="{name}">{label}</label>{message}<input id="{name}" name="{name}" type="{kind}" autocomplete="{autocomplete}" value="{value}" required{aria}></div>"#,
            label = esc(label),
            value = esc(value),
        )
    };
    let back = typed
        .back_to
        .as_deref()
        .map(|p| format!(r#"<input type="hidden" name="terug" value="{}">"#, esc(p)))
        .unwrap_or_default();
    let body = format!(
        r#"{summary}<form id="login-form" class="staff-form" method="post" action="/{slug}/medewerker" novalidate>
{back}{email}{password}
<p><button type="submit" class="button">{submit}</button></p>
</form>"#,
        slug = url(tenant.slug.as_str()),
        email = field(
            "email",
            tx.t("E-mailadres", "Email address"),
            "email",
            "username",
            &typed.email
        ),
        // A password is never sent back into the page.
        password = field(
            "password",
            tx.t("Wachtwoord", "Password"),
            "password",
            "current-password",
            ""
        ),
        submit = tx.t("Inloggen", "Log in"),
    );
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
            nav: String::new(),
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
