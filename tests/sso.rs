//! Issue 17, item 3: staff log in through the municipality's OpenID provider. The provider is
//! a real, certified one (panva's `oidc-provider`, `tests/oidc/provider.mjs`, installed by
//! `.ci/run` with `npm ci`) on loopback; the test follows its login form as a browser would,
//! with a cookie jar and no automatic redirects, so it can tamper with what travels between the
//! two. Each test runs on SQLite and on PostgreSQL.

use booking::adapters::live_updates::QueueEvents;
use booking::adapters::mail::{MailConfig, Mailer};
use booking::auth::SessionKeys;
use booking::clock::Clock;
use booking::store::Db;
use booking::App;
use reqwest::{redirect, Client, StatusCode};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SLUG: &str = booking::demo::DEMO_SLUG;

#[derive(Clone, Copy, Debug)]
enum Store {
    Sqlite,
    Postgres,
}

macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name(Store::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { super::$name(Store::Postgres).await }
        }
    )*};
}

on_both_stores!(
    clerks_and_admins_log_in_with_the_role_from_the_claim,
    refusals_are_plain_and_leave_no_session,
    an_expired_id_token_is_refused,
);

/// The provider process; killed when the test ends, however it ends.
struct Provider {
    child: Child,
    issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the provider for `redirect_uri`, or says why not (outside CI only).
fn start_provider(redirect_uri: &str) -> Option<Provider> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc");
    if !std::path::Path::new(dir).join("node_modules").is_dir() {
        if std::env::var("CI").is_ok() {
            panic!("run `npm ci` in tests/oidc (.ci/run does)");
        }
        eprintln!("skipped: tests/oidc/node_modules missing (run `npm ci` in tests/oidc)");
        return None;
    }
    let port = free_port();
    let mut child = Command::new("node")
        .current_dir(dir)
        .args(["provider.mjs", "--port", &port.to_string()])
        .args(["--redirect-uri", redirect_uri])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node must be installed for the single sign-on tests");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        match lines.next() {
            Some(Ok(line)) if line.starts_with("listening on ") => {
                let issuer = line.trim_start_matches("listening on ").to_string();
                return Some(Provider { child, issuer });
            }
            Some(Ok(_)) => continue,
            _ => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the OpenID provider did not start");
}

/// A throwaway PostgreSQL database, dropped at the end.
struct PgGuard {
    admin_url: String,
    name: String,
}

impl Drop for PgGuard {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                sqlx::any::install_default_drivers();
                if let Ok(pool) = sqlx::AnyPool::connect(&url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&pool)
                        .await;
                }
            })
        })
        .join();
    }
}

/// The platform (pages and API, as the binary merges them) on the demo municipality, with its
/// provider.
struct Platform {
    base: String,
    provider: Provider,
    _dir: tempfile::TempDir,
    _pg: Option<PgGuard>,
}

async fn platform(store: Store, clock: Clock) -> Option<Platform> {
    let dir = tempfile::tempdir().unwrap();
    let (db, pg) = match store {
        Store::Sqlite => (
            Db::connect(&Db::sqlite_url(dir.path())).await.unwrap(),
            None,
        ),
        Store::Postgres => {
            sqlx::any::install_default_drivers();
            let admin_url = std::env::var("TEST_DATABASE_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!("videoloket_sso_{}", uuid_like());
            let admin = sqlx::AnyPool::connect(&admin_url)
                .await
                .expect("PostgreSQL must be running for the tests (see .ci/run)");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin)
                .await
                .unwrap();
            admin.close().await;
            let (base, _) = admin_url.rsplit_once('/').unwrap();
            let db = Db::connect(&format!("{base}/{name}")).await.unwrap();
            (db, Some(PgGuard { admin_url, name }))
        }
    };
    booking::demo::seed_if_empty(&db).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let provider = start_provider(&format!("{base}/{SLUG}/medewerker/sso/terug"))?;
    let app = App::new(
        db.clone(),
        clock,
        Mailer::new(&MailConfig::Files(dir.path().join("mail"))).unwrap(),
        SessionKeys::from_secret(b"single sign-on tests, not secret"),
        base.clone(),
        QueueEvents::start(&db).await.unwrap(),
    );
    let router = web::router(app.clone()).merge(booking::api::router(app));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Some(Platform {
        base,
        provider,
        _dir: dir,
        _pg: pg,
    })
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{nanos:x}{}", std::process::id())
}

/// A browser: its own cookies, redirects followed by hand.
fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(response: &reqwest::Response, base: &str) -> String {
    let to = response
        .headers()
        .get("location")
        .expect("a redirect")
        .to_str()
        .unwrap();
    if to.starts_with("http") {
        to.to_string()
    } else {
        format!("{base}{to}")
    }
}

/// The admin's settings for the test provider.
fn settings(p: &Platform, client_id: &str, secret: &str, password_login: bool) -> Value {
    json!({
        "provider_name": "Voorbeeld-account",
        "issuer_url": p.provider.issuer,
        "client_id": client_id,
        "client_secret": secret,
        "role_claim": "groups",
        "admin_value": "vl-beheer",
        "clerk_value": "vl-loket",
        "password_login": password_login,
    })
}

/// Bram (an admin) logs in with his password and saves `body` as the SSO settings.
async fn set_up_sso(p: &Platform, body: &Value) -> Value {
    let admin = browser();
    let login = admin
        .post(format!("{}/api/v1/auth/login", p.base))
        .json(&json!({"tenant": SLUG, "email": "bram@voorbeeld.nl", "password": "welkom-bram"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let saved = admin
        .put(format!("{}/api/v1/admin/sso", p.base))
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        saved.status(),
        StatusCode::OK,
        "{}",
        saved.text().await.unwrap()
    );
    saved.json().await.unwrap()
}

/// Starts at the login page's button and logs in at the provider as `login`, with the
/// authorization request changed by `edit`. Returns the address the provider sends the browser
/// back to (our callback, with code and state), not yet opened.
async fn at_provider(
    p: &Platform,
    browser: &Client,
    login: &str,
    edit: impl Fn(String) -> String,
) -> String {
    let start = browser
        .get(format!("{}/{SLUG}/medewerker/sso", p.base))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let cookie = start
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("videoloket_sso="))
        .expect("the state cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    let authorize = location(&start, &p.base);
    assert!(authorize.starts_with(&p.provider.issuer), "{authorize}");
    for part in [
        "code_challenge_method=S256",
        "code_challenge=",
        "nonce=",
        "state=",
    ] {
        assert!(authorize.contains(part), "{part} in {authorize}");
    }
    let mut next = edit(authorize);
    // Through the provider's redirects to its login form.
    let form = loop {
        let r = browser.get(&next).send().await.unwrap();
        if r.status().is_redirection() {
            next = location(&r, &p.provider.issuer);
            continue;
        }
        assert_eq!(r.status(), StatusCode::OK);
        break r.text().await.unwrap();
    };
    let action = form
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the provider's login form");
    let action = if action.starts_with("http") {
        action.to_string()
    } else {
        format!("{}{action}", p.provider.issuer)
    };
    let mut r = browser
        .post(action)
        .form(&[("prompt", "login"), ("login", login), ("password", "x")])
        .send()
        .await
        .unwrap();
    loop {
        assert!(r.status().is_redirection(), "{}", r.status());
        let to = location(&r, &p.provider.issuer);
        if to.starts_with(&p.base) {
            return to;
        }
        r = browser.get(&to).send().await.unwrap();
    }
}

/// Opens the callback; returns the status and the page.
async fn back_from_provider(browser: &Client, callback: &str) -> (StatusCode, String) {
    let r = browser.get(callback).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Who the browser's session says it is, if it has one.
async fn me(p: &Platform, browser: &Client) -> Option<Value> {
    let r = browser
        .get(format!("{}/api/v1/staff/me", p.base))
        .send()
        .await
        .unwrap();
    if r.status() != StatusCode::OK {
        return None;
    }
    r.json().await.ok()
}

async fn sso_login(p: &Platform, login: &str) -> (Client, StatusCode, String) {
    let b = browser();
    let callback = at_provider(p, &b, login, |u| u).await;
    let (status, page) = back_from_provider(&b, &callback).await;
    (b, status, page)
}

async fn clerks_and_admins_log_in_with_the_role_from_the_claim(store: Store) {
    let Some(p) = platform(store, Clock::System).await else {
        return;
    };
    let saved = set_up_sso(
        &p,
        &settings(&p, "videoloket", "videoloket-test-secret", true),
    )
    .await;
    assert_eq!(saved["client_secret"], "********", "never shown back");
    assert!(!saved.to_string().contains("videoloket-test-secret"));
    assert_eq!(
        saved["redirect_uri"],
        format!("{}/{SLUG}/medewerker/sso/terug", p.base)
    );

    // The login page offers the provider beside the password form.
    let page = browser()
        .get(format!("{}/{SLUG}/medewerker", p.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Inloggen met Voorbeeld-account"), "{page}");
    assert!(page.contains("id=\"login-form\""));

    // Anna is a clerk by the claim, Bram an admin (his address differs in case only).
    let (anna, status, page) = sso_login(&p, "anna").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("U bent ingelogd"));
    assert_eq!(me(&p, &anna).await.unwrap()["role"], "clerk");
    let (bram, status, _) = sso_login(&p, "bram").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me(&p, &bram).await.unwrap()["role"], "admin");
    // The clerk pages open with the session from the provider.
    let today = anna
        .get(format!("{}/medewerker/vandaag", p.base))
        .send()
        .await
        .unwrap();
    assert_eq!(today.status(), StatusCode::OK);

    // The provider made Anna an admin: the claim counts, also for her earlier session.
    let (anna_admin, status, _) = sso_login(&p, "anna-beheer").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me(&p, &anna_admin).await.unwrap()["role"], "admin");
    assert_eq!(me(&p, &anna).await.unwrap()["role"], "admin");

    // Password login switched off: the API and the form refuse the password, the page shows
    // only the button, and the provider still lets staff in.
    set_up_sso(&p, &settings(&p, "videoloket", "********", false)).await;
    let api = browser()
        .post(format!("{}/api/v1/auth/login", p.base))
        .json(&json!({"tenant": SLUG, "email": "bram@voorbeeld.nl", "password": "welkom-bram"}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    assert!(api
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("application/problem+json"));
    let form = browser();
    let posted = form
        .post(format!("{}/{SLUG}/medewerker", p.base))
        .form(&[("email", "bram@voorbeeld.nl"), ("password", "welkom-bram")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::FORBIDDEN);
    let page = posted.text().await.unwrap();
    assert!(
        page.contains("Inloggen met een wachtwoord staat uit"),
        "{page}"
    );
    assert!(!page.contains("id=\"login-form\""));
    assert!(
        me(&p, &form).await.is_none(),
        "no session from a refused password"
    );
    let (_, status, _) = sso_login(&p, "bram").await;
    assert_eq!(status, StatusCode::OK);
}

async fn refusals_are_plain_and_leave_no_session(store: Store) {
    let Some(p) = platform(store, Clock::System).await else {
        return;
    };
    set_up_sso(
        &p,
        &settings(&p, "videoloket", "videoloket-test-secret", true),
    )
    .await;

    // A state changed on the way back is refused, and the real one still works, once.
    let b = browser();
    let callback = at_provider(&p, &b, "anna", |u| u).await;
    let (head, state) = callback.split_once("state=").unwrap();
    let state = state.split('&').next().unwrap();
    let mut forged = state.to_string();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    let tampered = callback.replacen(&format!("state={state}"), &format!("state={forged}"), 1);
    assert!(tampered.starts_with(head));
    let (status, page) = back_from_provider(&b, &tampered).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("Deze inlogpoging is verlopen, al gebruikt"),
        "{page}"
    );
    assert!(me(&p, &b).await.is_none());
    // Another browser (without the state cookie) cannot finish this login either.
    let (status, _) = back_from_provider(&browser(), &callback).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = back_from_provider(&b, &callback).await;
    assert_eq!(status, StatusCode::OK, "the untampered answer still counts");
    // A replay, even with the state cookie forged along, finds the login already taken.
    let replay = Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
        .get(&callback)
        .header("cookie", format!("videoloket_sso={state}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);

    // A code the provider issued to another application: its token endpoint refuses it for
    // ours, so no ID token for another audience is ever accepted.
    let b = browser();
    let callback = at_provider(&p, &b, "anna", |u| {
        u.replace("client_id=videoloket", "client_id=ander")
    })
    .await;
    let (status, page) = back_from_provider(&b, &callback).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(page.contains("weigerde de inlogcode"), "{page}");
    assert!(me(&p, &b).await.is_none());

    // The municipality configured with another client id than the provider knows for this
    // secret: the provider refuses the exchange.
    set_up_sso(&p, &settings(&p, "ander", "videoloket-test-secret", true)).await;
    let b = browser();
    let callback = at_provider(&p, &b, "anna", |u| u).await;
    let (status, page) = back_from_provider(&b, &callback).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(me(&p, &b).await.is_none());
    set_up_sso(
        &p,
        &settings(&p, "videoloket", "videoloket-test-secret", true),
    )
    .await;

    // Someone the municipality does not know, and someone without a role.
    let (b, status, page) = sso_login(&p, "onbekend").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        page.contains("geen medewerker met het e-mailadres onbekend@voorbeeld.nl"),
        "{page}"
    );
    assert!(me(&p, &b).await.is_none());
    let (b, status, page) = sso_login(&p, "anna-zonder-rol").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("geen rol voor het videoloket"), "{page}");
    assert!(me(&p, &b).await.is_none());

    // Without single sign-on the button's address says so plainly.
    let admin = browser();
    admin
        .post(format!("{}/api/v1/auth/login", p.base))
        .json(&json!({"tenant": SLUG, "email": "bram@voorbeeld.nl", "password": "welkom-bram"}))
        .send()
        .await
        .unwrap();
    let removed = admin
        .delete(format!("{}/api/v1/admin/sso", p.base))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let r = browser()
        .get(format!("{}/{SLUG}/medewerker/sso", p.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

async fn an_expired_id_token_is_refused(store: Store) {
    // The platform's clock runs two hours ahead of the provider's; its ID tokens last an hour.
    let ahead = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(2);
    let Some(p) = platform(store, Clock::fixed(ahead)).await else {
        return;
    };
    set_up_sso(
        &p,
        &settings(&p, "videoloket", "videoloket-test-secret", true),
    )
    .await;
    let (b, status, page) = sso_login(&p, "anna").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(
        page.contains("inlogbewijs van uw organisatie is verlopen"),
        "{page}"
    );
    assert!(me(&p, &b).await.is_none());
}
