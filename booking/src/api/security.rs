//! What every response and every state-changing request passes through, whichever router
//! answers it (pages, API, signaling): security headers, the same-origin check against
//! cross-site request forgery, and login rate limits. `protect` composes all three; the
//! platform binary wraps its whole router in it. See docs/security.md.

use super::MAX_BODY_BYTES;
use crate::api::problem::Problem;
use crate::error::Error;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::Router;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;

/// The site's own origin (`scheme://host[:port]`), from the base URL users open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteOrigin(String);

impl SiteOrigin {
    /// `https://loket.gemeente.nl/` -> `https://loket.gemeente.nl`. Refuses anything but an
    /// http(s) URL with a host.
    pub fn parse(base_url: &str) -> Result<Self, String> {
        let origin = origin_of(base_url.trim()).ok_or_else(|| {
            format!("the base URL {base_url:?} is not an http:// or https:// address with a host")
        })?;
        Ok(SiteOrigin(origin))
    }

    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }
}

impl fmt::Display for SiteOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The origin of a URL, lower-cased and without the scheme's default port; `None` unless it is
/// http(s) with a host.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let authority = match (scheme.as_str(), authority.as_str()) {
        ("http", a) => a.strip_suffix(":80").unwrap_or(a),
        ("https", a) => a.strip_suffix(":443").unwrap_or(a),
        _ => return None,
    };
    Some(format!("{scheme}://{authority}"))
}

/// Security headers, the same-origin check and login limits around `router`.
pub fn protect(router: Router, site: &SiteOrigin, logins: LoginQuotas) -> Router {
    // The last layer added runs first: headers go on refusals too.
    security_headers(same_origin_only(login_limits(router, logins), site), site)
}

/// Content-Security-Policy: scripts and styles only from the site's own files, no inline
/// script. `style-src-attr 'unsafe-inline'` is the one allowance: the pages set the
/// municipality's colours in a `style` attribute (`--primary`, colour swatches); inline
/// `<style>` elements stay refused. `connect-src 'self'` covers the same-host WebSocket.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
    media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// Headers on every response. `Cache-Control: no-store` on everything that does not say
/// itself that it is public (the stylesheet and scripts): personal-link pages, staff and admin
/// pages and the API never land in a shared or browser cache. HSTS only when the site is
/// served over https.
pub fn security_headers(router: Router, site: &SiteOrigin) -> Router {
    let fixed: [(HeaderName, &'static str); 5] = [
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(self), microphone=(self), geolocation=(), payment=()",
        ),
    ];
    let mut router = router.layer(SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        |response: &Response<Body>| match response.headers().get(header::CACHE_CONTROL) {
            Some(value) if value.as_bytes().starts_with(b"public") => Some(value.clone()),
            _ => Some(HeaderValue::from_static("no-store")),
        },
    ));
    // The site's policy, unless a response sandboxes itself (a municipality's logo: stricter).
    router = router.layer(SetResponseHeaderLayer::overriding(
        header::CONTENT_SECURITY_POLICY,
        |response: &Response<Body>| match response.headers().get(header::CONTENT_SECURITY_POLICY) {
            Some(own) if own.to_str().is_ok_and(|p| p.ends_with("; sandbox")) => Some(own.clone()),
            _ => Some(HeaderValue::from_static(CONTENT_SECURITY_POLICY)),
        },
    ));
    for (name, value) in fixed {
        router = router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    if site.is_https() {
        router = router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    router
}

/// Refuses state-changing requests (anything but GET, HEAD, OPTIONS) that another site sent.
pub fn same_origin_only(router: Router, site: &SiteOrigin) -> Router {
    router.layer(middleware::from_fn_with_state(
        Arc::new(site.clone()),
        refuse_cross_site,
    ))
}

async fn refuse_cross_site(
    State(site): State<Arc<SiteOrigin>>,
    request: Request,
    next: Next,
) -> axum::response::Response {
    match cross_site_refusal(&site, request.method(), request.headers()) {
        None => next.run(request).await,
        Some(detail) => {
            Problem::new(StatusCode::FORBIDDEN, "cross-site-request", detail).into_response()
        }
    }
}

/// Why a request must be refused as cross-site, or `None` when it may pass. The browser says
/// where a request comes from in `Origin` (or, failing that, `Referer`); it must be this site.
/// A request with neither is not from a browser (curl, a script): it passes only without a
/// session cookie, so a stolen-cookie-free client can use the public API and log in, while a
/// forged browser request always carries one of the two headers.
pub fn cross_site_refusal(
    site: &SiteOrigin,
    method: &Method,
    headers: &HeaderMap,
) -> Option<String> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    // Browsers label each request with where it comes from (Fetch Metadata); no page can set
    // this header. It is what tells our own form posts apart: under `Referrer-Policy:
    // no-referrer` a browser sends them with `Origin: null`.
    if let Some(fetch_site) = headers.get("sec-fetch-site") {
        if fetch_site == "same-origin" {
            return None;
        }
    }
    let claimed = match headers.get(header::ORIGIN) {
        Some(origin) => Some(origin.to_str().unwrap_or("?")),
        None => headers
            .get(header::REFERER)
            .map(|referer| referer.to_str().unwrap_or("?")),
    };
    match claimed {
        Some(from) if origin_of(from).as_deref() == Some(site.0.as_str()) => None,
        Some(from) => Some(format!(
            "This request was sent from another site ({}), so it was refused. Videoloket \
             accepts changes only from its own pages at {site}.",
            origin_of(from).unwrap_or_else(|| from.chars().take(100).collect())
        )),
        None if has_session_cookie(headers) => Some(format!(
            "This request carries a login but does not say which site sent it (no Origin or \
             Referer header), so it was refused. Programs that use a login must send \
             `Origin: {site}`."
        )),
        None => None,
    }
}

fn has_session_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| {
            pair.trim()
                .starts_with(&format!("{}=", crate::auth::SESSION_COOKIE))
        })
}

/// The client's network address: the TCP peer, when the server was started with
/// `into_make_service_with_connect_info` (the platform binary and the browser-test server);
/// `None` otherwise. Behind a reverse proxy every client is the proxy (docs/security.md).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(peer)| peer.ip()),
        ))
    }
}

/// Login attempts, counted per account (municipality and e-mail address) and per client
/// address, whatever their outcome. After the burst, one more attempt per period.
pub struct LoginQuotas {
    pub per_account: Quota,
    pub per_address: Quota,
}

impl LoginQuotas {
    /// The default quotas, with `burst` login attempts per client address before the limit.
    pub fn with_address_burst(burst: NonZeroU32) -> Self {
        Self {
            per_address: Quota::with_period(Duration::from_secs(2))
                .expect("non-zero period")
                .allow_burst(burst),
            ..Self::default()
        }
    }
}

impl LoginQuotas {
    /// The default quotas, with `burst` attempts per account before the limit (the browser
    /// tests log the demo accounts in many times in a row).
    pub fn with_account_burst(burst: NonZeroU32) -> Self {
        Self {
            per_account: Quota::with_period(Duration::from_secs(30))
                .expect("non-zero period")
                .allow_burst(burst),
            ..Self::default()
        }
    }
}

impl Default for LoginQuotas {
    fn default() -> Self {
        Self {
            // 5 tries, then one every 30 s: about 2,900 guesses a day at most.
            per_account: Quota::with_period(Duration::from_secs(30))
                .expect("non-zero period")
                .allow_burst(NonZeroU32::new(5).expect("non-zero")),
            // An office behind one address: 30 logins at nine o'clock, then one every 2 s.
            per_address: Quota::with_period(Duration::from_secs(2))
                .expect("non-zero period")
                .allow_burst(NonZeroU32::new(30).expect("non-zero")),
        }
    }
}

struct LoginLimits {
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
}

/// Login rate limits on the API login and the clerk login form.
pub fn login_limits(router: Router, quotas: LoginQuotas) -> Router {
    let limits = Arc::new(LoginLimits {
        per_account: RateLimiter::keyed(quotas.per_account),
        per_address: RateLimiter::keyed(quotas.per_address),
    });
    router.layer(middleware::from_fn_with_state(limits, limit_logins))
}

/// Ends the server-side session whenever a response clears the session cookie (the API's and
/// the pages' logout), so a copy of the old cookie is worthless afterwards.
pub fn end_session_on_logout(router: Router, app: crate::App) -> Router {
    router.layer(middleware::from_fn_with_state(app, end_cleared_session))
}

async fn end_cleared_session(
    State(app): State<crate::App>,
    request: Request,
    next: Next,
) -> axum::response::Response {
    let token = crate::auth::request_cookie(request.headers(), crate::auth::SESSION_COOKIE)
        .map(str::to_owned);
    let response = next.run(request).await;
    let cleared = format!("{}=;", crate::auth::SESSION_COOKIE);
    let clears = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(cleared.as_bytes()));
    if let (true, Some(token)) = (clears, token) {
        if let Err(e) = crate::auth::end_session(&app, &token).await {
            return e.into_response();
        }
    }
    response
}

/// The two ways to log in, told apart by path.
#[derive(Debug, PartialEq, Eq)]
enum LoginRoute<'a> {
    /// `POST /api/v1/auth/login` with JSON `{tenant, email, password}`.
    Api,
    /// `POST /{slug}/medewerker`, a form with `email` and `password`.
    Form { slug: &'a str },
}

impl<'a> LoginRoute<'a> {
    fn of(method: &Method, path: &'a str) -> Option<Self> {
        if *method != Method::POST {
            return None;
        }
        // A password-reset request is limited like a login: it names an account too.
        if path == "/api/v1/auth/login" || path == "/api/v1/auth/password-reset" {
            return Some(LoginRoute::Api);
        }
        match path.trim_start_matches('/').split('/').collect::<Vec<_>>()[..] {
            [slug, "medewerker"] | [slug, "medewerker", "wachtwoord-vergeten"]
                if !slug.is_empty() =>
            {
                Some(LoginRoute::Form { slug })
            }
            _ => None,
        }
    }

    /// "slug\nemail", lower-cased, from the request body; `None` when it names none.
    fn account(&self, body: &[u8]) -> Option<String> {
        let (tenant, email) = match self {
            LoginRoute::Api => {
                let json: serde_json::Value = serde_json::from_slice(body).ok()?;
                (
                    json.get("tenant")?.as_str()?.to_owned(),
                    json.get("email")?.as_str()?.to_owned(),
                )
            }
            LoginRoute::Form { slug } => (
                (*slug).to_owned(),
                form_urlencoded::parse(body)
                    .find(|(k, _)| k == "email")
                    .map(|(_, v)| v.into_owned())?,
            ),
        };
        Some(format!(
            "{}\n{}",
            tenant.trim().to_lowercase(),
            email.trim().to_lowercase()
        ))
    }
}

async fn limit_logins(
    State(limits): State<Arc<LoginLimits>>,
    request: Request,
    next: Next,
) -> axum::response::Response {
    let path = request.uri().path().to_owned();
    let Some(route) = LoginRoute::of(request.method(), &path) else {
        return next.run(request).await;
    };
    // Keys of clients that stopped trying are dropped now and then, so memory stays bounded.
    if limits.per_address.len() > 10_000 || limits.per_account.len() > 10_000 {
        limits.per_address.retain_recent();
        limits.per_account.retain_recent();
    }
    // Only behind `into_make_service_with_connect_info`; a proxy in front makes every client
    // one address (docs/security.md).
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        if let Err(wait) = limits.per_address.check_key(&peer.ip()) {
            return too_many(
                "Too many login attempts from your network. Please wait",
                wait.wait_time_from(DefaultClock::default().now()),
            );
        }
    }
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return Error::TooLarge(MAX_BODY_BYTES).into_response();
    };
    if let Some(account) = route.account(&body) {
        if let Err(wait) = limits.per_account.check_key(&account) {
            return too_many(
                "Too many login attempts for this account. Please wait",
                wait.wait_time_from(DefaultClock::default().now()),
            );
        }
    }
    next.run(Request::from_parts(parts, Body::from(body))).await
}

fn too_many(what: &str, wait: Duration) -> axum::response::Response {
    let seconds = wait.as_secs() + 1;
    let mut response = Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too-many-logins",
        format!("{what} {seconds} seconds and try again."),
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteOrigin {
        SiteOrigin::parse("https://loket.example.nl/").unwrap()
    }

    fn headers(pairs: &[(HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn the_site_origin_is_scheme_and_host() {
        assert_eq!(site().to_string(), "https://loket.example.nl");
        assert_eq!(
            SiteOrigin::parse("HTTP://127.0.0.1:8080/x?y")
                .unwrap()
                .to_string(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            SiteOrigin::parse("https://a.nl:443").unwrap().to_string(),
            "https://a.nl"
        );
        assert!(SiteOrigin::parse("ftp://a.nl").is_err());
        assert!(SiteOrigin::parse("https://").is_err());
        assert!(SiteOrigin::parse("127.0.0.1:8080").is_err());
    }

    #[test]
    fn posts_from_the_site_pass_and_from_elsewhere_are_refused() {
        let post = Method::POST;
        let own = headers(&[(header::ORIGIN, "https://loket.example.nl")]);
        assert_eq!(cross_site_refusal(&site(), &post, &own), None);
        let evil = headers(&[(header::ORIGIN, "http://evil.example")]);
        let refusal = cross_site_refusal(&site(), &post, &evil).unwrap();
        assert!(refusal.contains("http://evil.example"), "{refusal}");
        // Look-alike hosts and the other scheme are other sites.
        for other in [
            "https://loket.example.nl.evil.example",
            "http://loket.example.nl",
            "null",
        ] {
            let h = headers(&[(header::ORIGIN, other)]);
            assert!(
                cross_site_refusal(&site(), &Method::DELETE, &h).is_some(),
                "{other}"
            );
        }
        // Our own form posts under `Referrer-Policy: no-referrer` say `Origin: null`; the
        // browser's Fetch Metadata tells them apart from another site's.
        let own_form = headers(&[
            (header::ORIGIN, "null"),
            (HeaderName::from_static("sec-fetch-site"), "same-origin"),
        ]);
        assert_eq!(cross_site_refusal(&site(), &post, &own_form), None);
        for other in ["cross-site", "same-site", "none"] {
            let forged = headers(&[
                (header::ORIGIN, "null"),
                (HeaderName::from_static("sec-fetch-site"), other),
                (header::COOKIE, "videoloket_session=abc"),
            ]);
            assert!(
                cross_site_refusal(&site(), &post, &forged).is_some(),
                "{other}"
            );
        }
        // Referer counts when Origin is absent.
        let referred = headers(&[(header::REFERER, "https://loket.example.nl/beheer?x=1")]);
        assert_eq!(cross_site_refusal(&site(), &Method::PUT, &referred), None);
        let referred = headers(&[(header::REFERER, "https://evil.example/loket.example.nl")]);
        assert!(cross_site_refusal(&site(), &Method::PATCH, &referred).is_some());
    }

    #[test]
    fn without_origin_only_requests_without_a_login_pass() {
        let anonymous = headers(&[]);
        assert_eq!(cross_site_refusal(&site(), &Method::POST, &anonymous), None);
        let logged_in = headers(&[(header::COOKIE, "lang=nl; videoloket_session=abc")]);
        assert!(cross_site_refusal(&site(), &Method::POST, &logged_in).is_some());
        // Reading is never refused.
        assert_eq!(cross_site_refusal(&site(), &Method::GET, &logged_in), None);
    }

    #[test]
    fn login_routes_and_their_accounts() {
        assert_eq!(
            LoginRoute::of(&Method::POST, "/api/v1/auth/login"),
            Some(LoginRoute::Api)
        );
        assert_eq!(
            LoginRoute::of(&Method::POST, "/voorbeeld/medewerker"),
            Some(LoginRoute::Form { slug: "voorbeeld" })
        );
        assert_eq!(LoginRoute::of(&Method::GET, "/voorbeeld/medewerker"), None);
        assert_eq!(LoginRoute::of(&Method::POST, "/medewerker/uitloggen"), None);
        assert_eq!(
            LoginRoute::Api
                .account(br#"{"tenant":"Voorbeeld","email":" Anna@x.nl","password":"p"}"#),
            Some("voorbeeld\nanna@x.nl".into())
        );
        assert_eq!(
            LoginRoute::Form { slug: "voorbeeld" }.account(b"email=anna%40x.nl&password=p"),
            Some("voorbeeld\nanna@x.nl".into())
        );
        assert_eq!(LoginRoute::Api.account(b"not json"), None);
    }
}
