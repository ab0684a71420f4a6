//! Logging in through the municipality's own OpenID provider: the button on the login page,
//! `GET /{slug}/medewerker/sso` (off to the provider) and `GET /{slug}/medewerker/sso/terug`
//! (back from it). The checks live in `booking::usecases::sso`; this module words the outcome.

use super::{safe_return, HOME};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::html::url;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use booking::auth::{self, request_cookie};
use booking::domain::tenant::Tenant;
use booking::usecases::sso::{self, LoginOptions, SsoRefusal, TokenProblem, STATE_COOKIE};
use booking::{App, Error};
use maud::{html, Markup};

/// The button "Inloggen met <provider>" above (or instead of) the password form.
pub fn login_choice(
    tx: &Tx,
    tenant: &Tenant,
    options: &LoginOptions,
    back_to: Option<&str>,
) -> Markup {
    let back = back_to
        .map(|p| format!("?terug={}", url(p)))
        .unwrap_or_default();
    html! {
        @if let Some(provider) = &options.provider {
            p {
                a id="sso-login" class="button" href={ "/" (url(tenant.slug.as_str())) "/medewerker/sso" (back) } {
                    (tx.t("Inloggen met ", "Log in with ")) (provider)
                }
            }
            @if options.password_login {
                p { (tx.t("Of log in met uw e-mailadres en wachtwoord:", "Or log in with your email address and password:")) }
            } @else {
                p id="password-login-off" {
                    (tx.t(
                        "Bij deze gemeente logt u alleen in via de knop hierboven, niet met een wachtwoord.",
                        "At this municipality you log in only with the button above, not with a password.",
                    ))
                }
            }
        }
    }
}

fn with_cookie(mut response: Response, cookie: &str) -> Result<Response, Error> {
    let value =
        HeaderValue::from_str(cookie).map_err(|e| Error::Internal(format!("cookie: {e}")))?;
    response.headers_mut().append(header::SET_COOKIE, value);
    Ok(response)
}

/// Off to the provider, with the state in an HttpOnly cookie.
pub async fn start(State(app): State<App>, Path(slug): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let tenant = booking::usecases::booking::municipality(&app, &slug).await?;
        let back_to = safe_return(ctx.param("terug")).map(str::to_string);
        match sso::begin(&app, &tenant, back_to).await {
            Ok(start) => {
                let response = see_other(&start.provider_url);
                with_cookie(
                    response,
                    &sso::state_cookie(&start.state, app.secure_cookies()),
                )
            }
            Err(SsoRefusal::Other(err)) => Err(err),
            Err(refusal) => Ok(refused(&ctx, &tenant, &refusal)),
        }
    }
    .await;
    respond(&ctx, outcome)
}

/// Back from the provider: on success the session cookie, and a page that goes on to the
/// clerk's pages by itself (`Refresh`) or by its link. Not a redirect: the session cookie is
/// `SameSite=Strict`, and a browser would not send it on a redirect that began at the provider.
pub async fn callback(
    State(app): State<App>,
    Path(slug): Path<String>,
    headers: axum::http::HeaderMap,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let tenant = booking::usecases::booking::municipality(&app, &slug).await?;
        let answer = sso::Callback {
            state: ctx.param("state").map(str::to_string),
            code: ctx.param("code").map(str::to_string),
            error: ctx.param("error").map(str::to_string),
        };
        let cookie_state = request_cookie(&headers, STATE_COOKIE);
        let mut keep_cookie = false;
        let response = match sso::finish(&app, &tenant, answer, cookie_state).await {
            Ok(done) => {
                let to = done.back_to.as_deref().unwrap_or(HOME).to_string();
                let tx = Tx::formal(ctx.lang);
                let body = html! {
                    p { (tx.t("U bent ingelogd.", "You are logged in.")) }
                    p { a id="sso-continue" class="button" href=(to) { (tx.t("Verder", "Continue")) } }
                };
                let page = render(
                    &ctx,
                    Page {
                        title: tx.t("Ingelogd", "Logged in").to_string(),
                        tenant: Some(&tenant),
                        body,
                        has_errors: false,
                        nav: None,
                    },
                );
                let mut response = page.into_response();
                if let Ok(refresh) = HeaderValue::from_str(&format!("0; url={to}")) {
                    response.headers_mut().insert("refresh", refresh);
                }
                with_cookie(
                    response,
                    &auth::session_cookie(&done.session.token, app.secure_cookies()),
                )?
            }
            Err(SsoRefusal::Other(err)) => return Err(err),
            Err(refusal) => {
                // A state that is not this browser's leaves its own login under way alone.
                keep_cookie = matches!(refusal, SsoRefusal::StateMismatch);
                refused(&ctx, &tenant, &refusal)
            }
        };
        if keep_cookie {
            return Ok(response);
        }
        // The login under way is over, whichever way it went.
        with_cookie(response, &sso::clear_state_cookie())
    }
    .await;
    respond(&ctx, outcome)
}

/// The page that says, in plain words, why the login did not go through.
fn refused(ctx: &Ctx, tenant: &Tenant, refusal: &SsoRefusal) -> Response {
    let tx = Tx::formal(ctx.lang);
    let (status, text): (StatusCode, String) = match refusal {
        SsoRefusal::NotSetUp => (
            StatusCode::NOT_FOUND,
            tx.t(
                "Deze gemeente heeft inloggen via een eigen account niet ingesteld. Log in met uw e-mailadres en wachtwoord.",
                "This municipality has not set up logging in with its own accounts. Log in with your email address and password.",
            )
            .into(),
        ),
        SsoRefusal::StateMismatch | SsoRefusal::TooLate => (
            StatusCode::BAD_REQUEST,
            tx.t(
                "Deze inlogpoging is verlopen, al gebruikt of in een ander venster begonnen. Begin opnieuw.",
                "This login attempt has expired, was already used or was started in another window. Please start again.",
            )
            .into(),
        ),
        SsoRefusal::ProviderRefused(_) => (
            StatusCode::FORBIDDEN,
            tx.t(
                "Het inloggen is bij uw organisatie afgebroken of geweigerd. Probeer het opnieuw.",
                "Logging in was cancelled or refused by your organisation. Please try again.",
            )
            .into(),
        ),
        SsoRefusal::ProviderUnreachable => (
            StatusCode::BAD_GATEWAY,
            tx.t(
                "De inlogdienst van uw organisatie is nu niet bereikbaar. Probeer het over een paar minuten opnieuw.",
                "Your organisation's login service cannot be reached right now. Please try again in a few minutes.",
            )
            .into(),
        ),
        SsoRefusal::CodeRefused => (
            StatusCode::FORBIDDEN,
            tx.t(
                "De inlogdienst van uw organisatie weigerde de inlogcode (verlopen, al gebruikt of voor een andere toepassing). Begin opnieuw; lukt het dan nog niet, vraag het uw beheerder.",
                "Your organisation's login service refused the login code (expired, already used or for another application). Please start again; if it still fails, ask your administrator.",
            )
            .into(),
        ),
        SsoRefusal::Token(problem) => (
            StatusCode::FORBIDDEN,
            match problem {
                TokenProblem::Expired => tx.t(
                    "Het inlogbewijs van uw organisatie is verlopen. Begin opnieuw.",
                    "The login proof from your organisation has expired. Please start again.",
                ),
                TokenProblem::Audience => tx.t(
                    "Het inlogbewijs van uw organisatie is voor een andere toepassing bedoeld. Vraag uw beheerder de instellingen na te kijken.",
                    "The login proof from your organisation is meant for another application. Ask your administrator to check the settings.",
                ),
                _ => tx.t(
                    "Het inlogbewijs van uw organisatie klopt niet. Begin opnieuw; lukt het dan nog niet, vraag het uw beheerder.",
                    "The login proof from your organisation is not valid. Please start again; if it still fails, ask your administrator.",
                ),
            }
            .into(),
        ),
        SsoRefusal::NoEmail => (
            StatusCode::FORBIDDEN,
            tx.t(
                "Uw organisatie gaf geen (bevestigd) e-mailadres door, dus we weten niet wie u bent. Vraag uw beheerder.",
                "Your organisation did not pass on a (verified) email address, so we do not know who you are. Ask your administrator.",
            )
            .into(),
        ),
        SsoRefusal::UnknownClerk(email) => (
            StatusCode::FORBIDDEN,
            match tx.lang {
                crate::i18n::Lang::Nl => format!(
                    "Er is bij {} geen medewerker met het e-mailadres {email}. Vraag een beheerder u toe te voegen.",
                    tenant.name
                ),
                crate::i18n::Lang::En => format!(
                    "{} has no clerk with the email address {email}. Ask an administrator to add you.",
                    tenant.name
                ),
            },
        ),
        SsoRefusal::NoRole => (
            StatusCode::FORBIDDEN,
            tx.t(
                "Uw account bij uw organisatie heeft geen rol voor het videoloket (medewerker of beheerder). Vraag uw beheerder.",
                "Your account at your organisation has no role for the video counter (clerk or administrator). Ask your administrator.",
            )
            .into(),
        ),
        SsoRefusal::Other(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            tx.t(
                "Er ging bij ons iets mis. Probeer het over een paar minuten opnieuw.",
                "Something went wrong on our side. Please try again in a few minutes.",
            )
            .into(),
        ),
    };
    let body = html! {
        p id="sso-refused" { (text) }
        p { a class="button" href={ "/" (url(tenant.slug.as_str())) "/medewerker" } { (tx.t("Terug naar inloggen", "Back to the login")) } }
    };
    let page = render(
        ctx,
        Page {
            title: tx
                .t("Inloggen lukte niet", "Logging in did not work")
                .to_string(),
            tenant: Some(tenant),
            body,
            has_errors: false,
            nav: None,
        },
    );
    (status, page).into_response()
}
