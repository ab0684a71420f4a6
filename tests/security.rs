//! Issue #13, tried as an attacker would: the real binary on a fresh data directory, driven over
//! HTTP. Each test names the finding it proves fixed. See docs/security.md.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `videoloket serve` with everything it wrote (stdout and stderr) collected.
struct Server {
    child: Child,
    base: String,
    printed: String,
    output: Arc<Mutex<String>>,
    data: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(env: &[(&str, &str)], args: &[&str]) -> Server {
        Self::start_in(tempfile::tempdir().unwrap(), env, args)
    }

    fn start_in(data: tempfile::TempDir, env: &[(&str, &str)], args: &[&str]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_videoloket"));
        command
            .arg("serve")
            .args(args)
            .env("VIDEOLOKET_DATA_DIR", data.path())
            .env("VIDEOLOKET_HTTP_ADDR", format!("127.0.0.1:{port}"))
            .env_remove("DATABASE_URL")
            .env_remove("VIDEOLOKET_BASE_URL")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let output = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let collected = output.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                collected
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut printed = String::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            let Some(Ok(line)) = lines.next() else { break };
            printed.push_str(&line);
            printed.push('\n');
            if line.contains("Mail is written to") {
                break;
            }
        }
        output.lock().unwrap().push_str(&printed);
        let collected = output.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let mut all = collected.lock().unwrap();
                all.push_str(&line);
                all.push('\n');
            }
        });
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            printed,
            output,
            data,
        }
    }

    fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Logs in through the API as the site itself would and returns the `Cookie` header value.
async fn login(server: &Server, email: &str, password: &str) -> String {
    let response = client()
        .post(server.api("/auth/login"))
        .header("origin", &server.base)
        .json(&json!({"tenant": "voorbeeld", "email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "login as {email}");
    let set_cookie = response.headers()["set-cookie"].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_string()
}

async fn services(server: &Server) -> Vec<Value> {
    client()
        .get(server.api("/tenants/voorbeeld/services"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// The demo's passport service: it asks no questions before booking (the debt service does).
async fn passport(server: &Server) -> Value {
    services(server)
        .await
        .into_iter()
        .find(|s| s["name"].as_str().unwrap_or("").starts_with("Paspoort"))
        .unwrap()
}

/// Books the first free slot of the passport service; returns the booking answer.
async fn book(server: &Server) -> Value {
    let service = passport(server).await["id"].as_str().unwrap().to_string();
    let from = jiff::Zoned::now().date();
    let to = from.checked_add(jiff::Span::new().days(14)).unwrap();
    let slots: Value = client()
        .get(server.api(&format!(
            "/tenants/voorbeeld/services/{service}/slots?from={from}&to={to}"
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let start = slots[0]["start"].as_str().expect("a free slot").to_string();
    let response = client()
        .post(server.api("/tenants/voorbeeld/appointments"))
        .json(
            &json!({"service_id": service, "start": start, "name": "Sanne Bakker",
            "email": "sanne@example.nl"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// Anna called the booked resident, written to the server's database as the queue's use cases
/// write it: on the real clock the appointment's check-in may not be open yet, and an outcome
/// is recorded only once the call started (finding 10).
async fn call_resident(server: &Server, appointment: &str) {
    use booking::domain::queue::{EntryStatus, QueueEntry, QueueEntryId};
    let db = booking::store::Db::connect(&booking::store::Db::sqlite_url(server.data.path()))
        .await
        .unwrap();
    let tenant = db.tenant_by_slug("voorbeeld").await.unwrap();
    let anna = db
        .clerks(tenant.id)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.email == "anna@voorbeeld.nl")
        .unwrap()
        .id;
    let id = appointment.parse().unwrap();
    let now = jiff::Timestamp::now();
    let entry = match db.queue_entry_for_appointment(id).await.unwrap() {
        Some(entry) => entry,
        None => {
            let a = db.appointment(tenant.id, id).await.unwrap();
            let entry = QueueEntry {
                id: QueueEntryId::new(),
                tenant_id: tenant.id,
                service_id: a.service_id,
                appointment_id: Some(id),
                due_at: Some(a.start),
                joined_at: now,
                resident_name: a.resident.name.clone(),
                resident_phone: None,
                status: EntryStatus::Waiting,
                clerk_id: None,
                room_id: None,
                called_at: None,
                first_called_at: None,
                answered_at: None,
                done_at: None,
                requeued: false,
                by_phone_at: None,
            };
            assert!(db.insert_queue_entry(&entry, "finding-10").await.unwrap());
            entry
        }
    };
    if entry.status == EntryStatus::Waiting {
        assert!(db
            .take_queue_entry(tenant.id, entry.id, anna, now)
            .await
            .unwrap());
    }
}

// ---- 7. security headers -----------------------------------------------------------------

fn assert_protected(response: &reqwest::Response, what: &str, private: bool) {
    let h = response.headers();
    let csp = h
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP"))
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("script-src 'self'"), "{what}: {csp}");
    assert!(
        !csp.contains("script-src 'self' 'unsafe-inline'"),
        "{what}: {csp}"
    );
    assert_eq!(h["referrer-policy"], "no-referrer", "{what}");
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    if private {
        assert_eq!(h["cache-control"], "no-store", "{what}");
    }
}

#[tokio::test]
async fn finding_7_every_page_class_carries_security_headers() {
    let server = Server::start(&[], &[]);
    let booked = book(&server).await;
    let token = booked["token"].as_str().unwrap();
    let admin = login(&server, "bram@voorbeeld.nl", "welkom-bram").await;
    let c = client();
    let get = |path: String, cookie: Option<&str>| {
        let mut request = c.get(format!("{}{path}", server.base));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };
    for (path, cookie, private) in [
        ("/".to_string(), None, false),
        ("/voorbeeld".to_string(), None, false),
        (format!("/a/{token}"), None, true),
        (format!("/a/{token}/video"), None, true),
        ("/a/not-a-token".to_string(), None, true),
        ("/voorbeeld/medewerker".to_string(), None, true),
        (
            "/medewerker/vandaag".to_string(),
            Some(admin.as_str()),
            true,
        ),
        ("/medewerker/vandaag".to_string(), None, true),
        ("/beheer".to_string(), Some(admin.as_str()), true),
        ("/api/v1/tenants".to_string(), None, true),
        (format!("/api/v1/personal/{token}"), None, true),
        ("/api/v1/staff/me".to_string(), Some(admin.as_str()), true),
        ("/api/v1/no-such-thing".to_string(), None, true),
        ("/healthz".to_string(), None, true),
    ] {
        let response = get(path.clone(), cookie).await.unwrap();
        assert!(
            response.status().as_u16() < 500,
            "{path}: {}",
            response.status()
        );
        assert_protected(&response, &path, private);
        assert!(
            response
                .headers()
                .get("strict-transport-security")
                .is_none(),
            "no HSTS over plain http"
        );
    }
    // The stylesheet and scripts stay cacheable (and carry the headers too).
    let css = get("/static/site.css".into(), None).await.unwrap();
    assert_protected(&css, "/static/site.css", false);
    assert!(css.headers()["cache-control"]
        .to_str()
        .unwrap()
        .starts_with("public"));
}

#[tokio::test]
async fn finding_7_hsts_when_the_base_url_is_https() {
    let server = Server::start(&[("VIDEOLOKET_BASE_URL", "https://loket.example.nl")], &[]);
    let response = client()
        .get(format!("{}/voorbeeld", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

// ---- 8. cross-site requests ----------------------------------------------------------------

async fn assert_refused_cross_site(response: reqwest::Response, what: &str) {
    assert_eq!(response.status(), 403, "{what}");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "{what}"
    );
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("another site")
            || problem["detail"]
                .as_str()
                .unwrap()
                .contains("does not say which site"),
        "{what}: {problem}"
    );
}

#[tokio::test]
async fn finding_8_state_changing_requests_from_another_site_are_refused() {
    let server = Server::start(&[], &[]);
    let admin = login(&server, "bram@voorbeeld.nl", "welkom-bram").await;
    let c = client();
    let evil = "http://evil.example";
    let before = c
        .get(server.api("/admin/services"))
        .header("cookie", &admin)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let new_service = json!({"name": "Vergunning", "description": "Een vergunning aanvragen.",
        "duration_minutes": 20, "buffer_minutes": 5});

    // A JSON post with the admin's cookie from another site.
    let r = c
        .post(server.api("/admin/services"))
        .header("cookie", &admin)
        .header("origin", evil)
        .json(&new_service)
        .send()
        .await
        .unwrap();
    assert_refused_cross_site(r, "create a service from evil.example").await;
    // A form post to an admin page.
    let r = c
        .post(format!("{}/beheer", server.base))
        .header("cookie", &admin)
        .header("origin", evil)
        .form(&[("name", "Gehackt")])
        .send()
        .await
        .unwrap();
    assert_refused_cross_site(r, "admin form from evil.example").await;
    // Body-less posts.
    for path in ["/staff/queue/call-next", "/admin/deliveries/retry-failing"] {
        let r = c
            .post(server.api(path))
            .header("cookie", &admin)
            .header("origin", evil)
            .send()
            .await
            .unwrap();
        assert_refused_cross_site(r, path).await;
    }
    // Referer counts when there is no Origin.
    let r = c
        .post(server.api("/staff/queue/call-next"))
        .header("cookie", &admin)
        .header("referer", format!("{evil}/page"))
        .send()
        .await
        .unwrap();
    assert_refused_cross_site(r, "call-next with a foreign Referer").await;
    // A login with the cookie but neither header is refused.
    let r = c
        .post(server.api("/admin/services"))
        .header("cookie", &admin)
        .json(&new_service)
        .send()
        .await
        .unwrap();
    assert_refused_cross_site(r, "cookie without Origin or Referer").await;
    // Login from another site.
    let r = c
        .post(server.api("/auth/login"))
        .header("origin", evil)
        .json(&json!({"tenant": "voorbeeld", "email": "bram@voorbeeld.nl", "password": "welkom-bram"}))
        .send()
        .await
        .unwrap();
    assert_refused_cross_site(r, "login from evil.example").await;
    let after = c
        .get(server.api("/admin/services"))
        .header("cookie", &admin)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(before, after, "nothing was created");

    // The site itself (Origin or Referer) passes; so does curl without a cookie.
    let r = c
        .post(server.api("/admin/services"))
        .header("cookie", &admin)
        .header("origin", &server.base)
        .json(&new_service)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = c
        .post(server.api("/staff/queue/call-next"))
        .header("cookie", &admin)
        .header("referer", format!("{}/medewerker/wachtrij", server.base))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 403);
    let r = c
        .post(server.api("/auth/login"))
        .json(&json!({"tenant": "voorbeeld", "email": "anna@voorbeeld.nl", "password": "welkom-anna"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "a program without a cookie may log in");
}

// ---- 12. demo seed -----------------------------------------------------------------------

#[tokio::test]
async fn finding_12_no_demo_on_postgresql_unless_asked() {
    let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
        eprintln!("TEST_DATABASE_URL not set: skipping the PostgreSQL part");
        return;
    };
    use sqlx::Connection;
    let name = format!("videoloket_demo_{}", uuid_like());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}");

    // Several instances share one PostgreSQL database: keys generated per instance would make
    // one's cookies and room tokens worthless on the next, so they are refused (issue 19).
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_videoloket"))
        .arg("serve")
        .env("VIDEOLOKET_DATA_DIR", tempfile::tempdir().unwrap().path())
        .env("VIDEOLOKET_HTTP_ADDR", "127.0.0.1:0")
        .env("DATABASE_URL", &url)
        .env_remove("VIDEOLOKET_ROOM_TOKEN_SECRET")
        .env_remove("VIDEOLOKET_SESSION_KEY_FILE")
        .env_remove("VIDEOLOKET_SECRETS_KEY_FILE")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    for key in [
        "VIDEOLOKET_ROOM_TOKEN_SECRET",
        "VIDEOLOKET_SESSION_KEY_FILE",
        "VIDEOLOKET_SECRETS_KEY_FILE",
    ] {
        assert!(said.contains(key), "names {key}: {said}");
    }
    let keys = tempfile::tempdir().unwrap();
    let (session_key, secrets_key) = (
        keys.path().join("session.key"),
        keys.path().join("secrets.key"),
    );
    std::fs::write(&session_key, "5e55104b".repeat(8)).unwrap();
    std::fs::write(&secrets_key, "5ec12e75".repeat(8)).unwrap();
    let shared = [
        ("DATABASE_URL", url.as_str()),
        (
            "VIDEOLOKET_ROOM_TOKEN_SECRET",
            "a-room-token-secret-for-this-test-only-0123456789",
        ),
        ("VIDEOLOKET_SESSION_KEY_FILE", session_key.to_str().unwrap()),
        ("VIDEOLOKET_SECRETS_KEY_FILE", secrets_key.to_str().unwrap()),
    ];

    let server = Server::start(&shared, &[]);
    assert!(
        server
            .printed
            .contains("No demo municipality on PostgreSQL"),
        "{}",
        server.printed
    );
    assert!(
        !server.printed.contains("welkom-bram"),
        "{}",
        server.printed
    );
    let tenants: Value = client()
        .get(server.api("/tenants"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tenants, json!([]), "no demo municipality created");
    drop(server);

    let server = Server::start(&shared, &["--demo"]);
    assert!(server.printed.contains("welkom-bram"), "{}", server.printed);
    assert_eq!(services(&server).await.len(), 3, "--demo seeds it");
    drop(server);

    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
}

fn uuid_like() -> String {
    format!(
        "{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

#[tokio::test]
async fn finding_12_the_sqlite_default_still_has_the_demo() {
    let server = Server::start(&[], &[]);
    assert!(server.printed.contains("bram@voorbeeld.nl / welkom-bram"));
    assert_eq!(services(&server).await.len(), 3);
}

// ---- 9. files and secrets at rest ------------------------------------------------------

#[cfg(unix)]
#[tokio::test]
async fn finding_9_database_and_keys_are_private_files() {
    use std::os::unix::fs::PermissionsExt;
    let server = Server::start(&[], &[]);
    book(&server).await; // writes, so the WAL exists too
    for name in [
        "videoloket.db",
        "videoloket.db-wal",
        "videoloket.db-shm",
        "session.key",
        "room-token.key",
        "secrets.key",
    ] {
        let file = server.data.path().join(name);
        if !file.exists() && name.contains("db-") {
            continue;
        }
        let mode = std::fs::metadata(&file)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{name} has mode {mode:o}");
    }
}

#[test]
fn finding_9_short_room_token_secrets_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_videoloket"))
        .arg("serve")
        .env("VIDEOLOKET_DATA_DIR", dir.path())
        .env("VIDEOLOKET_HTTP_ADDR", "127.0.0.1:0")
        .env_remove("DATABASE_URL")
        .env("VIDEOLOKET_ROOM_TOKEN_SECRET", "geheim")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("VIDEOLOKET_ROOM_TOKEN_SECRET is 6 bytes; it must be at least 32"),
        "{said}"
    );
}

/// Case-store settings pointing at `base`, as an admin would send them.
fn zgw_settings(base: &str, client_id: &str, secret: &str) -> Value {
    let catalog = "https://catalogi.example.nl/catalogi/api/v1";
    json!({"kind": "zgw", "zaken_api": format!("{base}/zaken/api/v1"), "client_id": client_id,
        "secret": secret, "zaaktype": format!("{catalog}/zaaktypen/1"), "rsin": "002220647",
        "roltype": format!("{catalog}/roltypen/1"), "end_statustype": format!("{catalog}/statustypen/1"),
        "resultaattypen": {"complete": format!("{catalog}/resultaattypen/1")}})
}

async fn put_case_store(server: &Server, admin: &str, settings: &Value) -> reqwest::Response {
    client()
        .put(server.api("/admin/case-store"))
        .header("cookie", admin)
        .header("origin", &server.base)
        .json(settings)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn finding_9_case_store_secrets_are_sealed_and_bound_to_their_address() {
    const SECRET: &str = "Zeer-Geheim-ZGW-Sleutel-C0FFEE";
    let server = Server::start(&[], &[]);
    let admin = login(&server, "bram@voorbeeld.nl", "welkom-bram").await;
    let settings = zgw_settings("https://openzaak.example.nl", "videoloket", SECRET);
    let saved = put_case_store(&server, &admin, &settings).await;
    assert_eq!(saved.status(), 200);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(saved["secret"], "********");

    // The redacted secret with another address: refused, the secret must be entered again.
    let moved = zgw_settings("http://attacker.example:8000", "videoloket", "********");
    let refused = put_case_store(&server, &admin, &moved).await;
    assert_eq!(refused.status(), 422);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["field"], "/secret", "{problem}");
    let same = zgw_settings("https://openzaak.example.nl", "videoloket", "********");
    assert_eq!(put_case_store(&server, &admin, &same).await.status(), 200);

    // The secret is in no file of the database (main file, WAL, shared memory).
    let mut looked = 0;
    for name in ["videoloket.db", "videoloket.db-wal", "videoloket.db-shm"] {
        let Ok(bytes) = std::fs::read(server.data.path().join(name)) else {
            continue;
        };
        looked += bytes.len();
        assert!(
            !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
            "the case-store secret is readable in {name}"
        );
    }
    assert!(looked > 0, "the database files were read");
}

// ---- 1. server-side request forgery through the case-store URL ---------------------------

#[tokio::test]
async fn finding_1_the_case_store_never_reaches_internal_addresses() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // A listener on loopback (IPv4 and, where there is one, IPv6) that counts connections.
    let trap = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = trap.local_addr().unwrap().port();
    let trap6 = tokio::net::TcpListener::bind(("::1", port)).await.ok();
    let hits = Arc::new(AtomicUsize::new(0));
    for listener in std::iter::once(trap).chain(trap6) {
        let hits = hits.clone();
        tokio::spawn(async move {
            while listener.accept().await.is_ok() {
                hits.fetch_add(1, Ordering::SeqCst);
            }
        });
    }

    let server = Server::start(&[], &[]);
    let admin = login(&server, "bram@voorbeeld.nl", "welkom-bram").await;
    let clerk = login(&server, "anna@voorbeeld.nl", "welkom-anna").await;
    let booked = book(&server).await;
    let service = booked["appointment"]["service_id"].as_str().unwrap();
    let results: Value = client()
        .get(server.api(&format!("/staff/services/{service}/results")))
        .header("cookie", &clerk)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = results[0]["code"].as_str().expect("a result code");
    let mut settings = zgw_settings("http://192.0.2.1", "videoloket", "geheim-genoeg");
    settings["resultaattypen"] = json!({code: "https://catalogi.example.nl/resultaattypen/1"});
    assert_eq!(
        put_case_store(&server, &admin, &settings).await.status(),
        200
    );
    call_resident(&server, booked["appointment"]["id"].as_str().unwrap()).await;
    let recorded = client()
        .post(server.api(&format!(
            "/staff/appointments/{}/outcomes",
            booked["appointment"]["id"].as_str().unwrap()
        )))
        .header("cookie", &clerk)
        .header("origin", &server.base)
        .json(&json!({"result": code, "notes": "", "follow_up": {"kind": "none"}, "sources": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(recorded.status(), 201);

    for (base, refused) in [
        (
            format!("http://127.0.0.1:{port}"),
            "127.0.0.1 is an internal address",
        ),
        (
            format!("http://localhost:{port}"),
            "localhost is an internal address",
        ),
        (format!("http://[::1]:{port}"), "::1 is an internal address"),
        (
            format!("http://[::ffff:127.0.0.1]:{port}"),
            "::ffff:127.0.0.1 is an internal address",
        ),
        (
            "http://169.254.169.254".to_string(),
            "169.254.169.254 is an internal address",
        ),
        (
            format!("http://0.0.0.0:{port}"),
            "0.0.0.0 is an internal address",
        ),
    ] {
        settings["zaken_api"] = json!(format!("{base}/zaken/api/v1"));
        assert_eq!(
            put_case_store(&server, &admin, &settings).await.status(),
            200
        );
        client()
            .post(server.api("/admin/deliveries/retry-failing"))
            .header("cookie", &admin)
            .header("origin", &server.base)
            .send()
            .await
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let failing: Value = client()
                .get(server.api("/admin/deliveries"))
                .header("cookie", &admin)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let error = failing[0]["last_error"].as_str().unwrap_or_default();
            if error.contains(refused) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{base}: no refusal within 60 s; last error {error:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the delivery worker connected to the loopback listener"
    );
}

// ---- 4. brute force and weak passwords ----------------------------------------------------

async fn try_login(server: &Server, email: &str, password: &str) -> reqwest::Response {
    client()
        .post(server.api("/auth/login"))
        .json(&json!({"tenant": "voorbeeld", "email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn finding_4_wrong_passwords_for_one_account_are_slowed_down() {
    let server = Server::start(&[], &[]);
    for _ in 0..5 {
        assert_eq!(
            try_login(&server, "anna@voorbeeld.nl", "raden")
                .await
                .status(),
            401
        );
    }
    let refused = try_login(&server, "anna@voorbeeld.nl", "raden").await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = refused.json().await.unwrap();
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("Too many login attempts for this account"));
    // Not even the right password gets through now; the form counts as the same account.
    assert_eq!(
        try_login(&server, "ANNA@voorbeeld.nl", "welkom-anna")
            .await
            .status(),
        429
    );
    let form = client()
        .post(format!("{}/voorbeeld/medewerker", server.base))
        .header("origin", &server.base)
        .form(&[("email", "anna@voorbeeld.nl"), ("password", "welkom-anna")])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 429);
    // Another account is not affected.
    assert_eq!(
        try_login(&server, "bram@voorbeeld.nl", "welkom-bram")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn finding_4_many_accounts_from_one_address_are_slowed_down() {
    let server = Server::start(&[], &[]);
    // 30 at once, then one per 2 s: the limit shows after about 30 attempts (a few more
    // when the attempts themselves take seconds).
    let mut attempts = 0;
    loop {
        let status = try_login(&server, &format!("gok{attempts}@voorbeeld.nl"), "raden")
            .await
            .status();
        if status == 429 {
            break;
        }
        assert_eq!(status, 401, "attempt {attempts}");
        attempts += 1;
        assert!(attempts < 45, "no limit after {attempts} attempts");
    }
    assert!(attempts >= 30, "limited after only {attempts} attempts");
    let refused = try_login(&server, "bram@voorbeeld.nl", "welkom-bram").await;
    assert_eq!(refused.status(), 429);
    let problem: Value = refused.json().await.unwrap();
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("from your network"));
}

#[tokio::test]
async fn finding_4_weak_passwords_are_refused_for_new_clerks() {
    let server = Server::start(&[], &[]);
    let admin = login(&server, "bram@voorbeeld.nl", "welkom-bram").await;
    let service = passport(&server).await["id"].clone();
    for weak in ["aaaaaaaaaaaa", "password1234", "voorbeeld1234"] {
        let r = client()
            .post(server.api("/admin/clerks"))
            .header("cookie", &admin)
            .header("origin", &server.base)
            .json(&json!({"name": "Carla Smit", "email": "carla@voorbeeld.nl",
                "password": weak, "role": "clerk", "services": [service]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{weak}");
        let problem: Value = r.json().await.unwrap();
        assert_eq!(problem["field"], "/password", "{weak}: {problem}");
    }
    let r = client()
        .post(server.api("/admin/clerks"))
        .header("cookie", &admin)
        .header("origin", &server.base)
        .json(&json!({"name": "Carla Smit", "email": "carla@voorbeeld.nl",
            "password": "paars olifant fietst traag", "role": "clerk", "services": [service]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

// ---- 2. no secrets in the log ---------------------------------------------------------------

#[tokio::test]
async fn finding_2_no_token_or_secret_reaches_the_log_even_at_trace() {
    let server = Server::start(&[("RUST_LOG", "trace")], &[]);
    open_all_day(&server).await;
    let c = client();
    let mut secrets: Vec<(String, String)> = vec![
        ("password".into(), "welkom-anna".into()),
        ("password".into(), "welkom-bram".into()),
    ];

    // A resident books, reads the appointment, asks for the invite and checks in.
    let booked = book(&server).await;
    let token = booked["token"].as_str().unwrap().to_string();
    secrets.push(("personal link".into(), token.clone()));
    for path in [
        format!("{}/a/{token}", server.base),
        server.api(&format!("/personal/{token}")),
        server.api(&format!("/personal/{token}/invite.ics")),
    ] {
        c.get(path).send().await.unwrap();
    }
    let check_in = c
        .post(server.api(&format!("/personal/{token}/check-in")))
        .send()
        .await
        .unwrap();
    if let Ok(body) = check_in.json::<Value>().await {
        if let Some(t) = body["token"].as_str() {
            secrets.push(("check-in token".into(), t.into()));
        }
    }

    // A walk-in joins the queue; a clerk logs in, calls, takes room tokens and finishes.
    let service = booked["appointment"]["service_id"].as_str().unwrap();
    let walk_in: Value = c
        .post(server.api("/tenants/voorbeeld/walk-ins"))
        .json(&json!({"service_id": service, "name": "Piet Post"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry_token = walk_in["token"]
        .as_str()
        .expect("walk-in token")
        .to_string();
    secrets.push(("queue token".into(), entry_token.clone()));
    let session = login(&server, "anna@voorbeeld.nl", "welkom-anna").await;
    secrets.push((
        "session".into(),
        session.split_once('=').unwrap().1.to_string(),
    ));
    let staff = |request: reqwest::RequestBuilder| {
        request
            .header("cookie", &session)
            .header("origin", &server.base)
    };
    let called: Value = staff(c.post(server.api("/staff/queue/call-next")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = called["id"].as_str().expect("called entry").to_string();
    for url in [
        server.api(&format!("/staff/queue/{entry}/room-token")),
        server.api(&format!("/queue-entries/{entry_token}/room-token")),
        server.api(&format!("/personal/{token}/room-token")),
        server.api(&format!(
            "/staff/appointments/{}/room-token",
            booked["appointment"]["id"].as_str().unwrap()
        )),
    ] {
        let response = staff(c.post(&url)).send().await.unwrap();
        if let Ok(body) = response.json::<Value>().await {
            if let Some(t) = body["token"].as_str() {
                secrets.push(("room token".into(), t.into()));
            }
        }
    }
    staff(c.post(server.api(&format!("/staff/queue/{entry}/done"))))
        .send()
        .await
        .unwrap();

    // The clerk records an outcome for the booked appointment, once the call started.
    call_resident(&server, booked["appointment"]["id"].as_str().unwrap()).await;
    let results: Value = staff(c.get(server.api(&format!("/staff/services/{service}/results"))))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = results[0]["code"].as_str().expect("a result code");
    let recorded = staff(c.post(server.api(&format!(
        "/staff/appointments/{}/outcomes",
        booked["appointment"]["id"].as_str().unwrap()
    ))))
    .json(&json!({"result": code, "notes": "", "follow_up": {"kind": "none"}, "sources": []}))
    .send()
    .await
    .unwrap();
    assert_eq!(recorded.status(), 201);
    staff(c.post(server.api("/auth/logout")))
        .send()
        .await
        .unwrap();

    assert!(
        secrets
            .iter()
            .filter(|(what, _)| what == "room token")
            .count()
            >= 2,
        "room tokens handed out: {secrets:?}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await; // let the log drain
                                                          // The welcome text prints the demo logins on purpose; that is not the log.
    let log: String = server
        .output()
        .lines()
        .filter(|line| !line.starts_with("  clerk ") && !line.starts_with("  admin "))
        .map(|line| format!("{line}\n"))
        .collect();
    assert!(
        log.contains("TRACE") || log.contains("DEBUG"),
        "tracing at trace level"
    );
    assert!(log.contains("mail sent to resident"), "the mail was logged");
    for (what, secret) in &secrets {
        assert!(
            !log.contains(secret.as_str()),
            "a {what} is in the log:\n{}",
            log.lines()
                .filter(|l| l.contains(secret.as_str()))
                .take(3)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

// ---- 3. revocable sessions -------------------------------------------------------------------

async fn me(server: &Server, cookie: &str) -> u16 {
    client()
        .get(server.api("/staff/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn finding_3_logout_ends_the_session_at_once() {
    let server = Server::start(&[], &[]);
    let c = client();
    // The API's logout.
    let cookie = login(&server, "anna@voorbeeld.nl", "welkom-anna").await;
    assert_eq!(me(&server, &cookie).await, 200);
    let out = c
        .post(server.api("/auth/logout"))
        .header("cookie", &cookie)
        .header("origin", &server.base)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    assert_eq!(me(&server, &cookie).await, 401, "the old cookie is dead");
    // The pages' logout.
    let cookie = login(&server, "anna@voorbeeld.nl", "welkom-anna").await;
    let out = c
        .post(format!("{}/medewerker/uitloggen", server.base))
        .header("cookie", &cookie)
        .header("origin", &server.base)
        .send()
        .await
        .unwrap();
    assert!(out.status().is_redirection());
    assert_eq!(me(&server, &cookie).await, 401, "the old cookie is dead");
    let page = c
        .get(format!("{}/medewerker/vandaag", server.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_ne!(page.status(), 200, "no clerk page with the old cookie");
}

#[tokio::test]
async fn finding_3_a_demoted_admin_loses_admin_rights_at_once() {
    let server = Server::start(&[], &[]);
    let c = client();
    let bram = login(&server, "bram@voorbeeld.nl", "welkom-bram").await;
    let service = passport(&server).await["id"].clone();
    let created: Value = c
        .post(server.api("/admin/clerks"))
        .header("cookie", &bram)
        .header("origin", &server.base)
        .json(&json!({"name": "Carla Smit", "email": "carla@voorbeeld.nl",
            "password": "paars olifant fietst traag", "role": "admin", "services": [service]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let carla_id = created["id"].as_str().expect("created").to_string();
    let carla = login(&server, "carla@voorbeeld.nl", "paars olifant fietst traag").await;
    let admin_list = |cookie: String| {
        c.get(server.api("/admin/clerks"))
            .header("cookie", cookie)
            .send()
    };
    assert_eq!(admin_list(carla.clone()).await.unwrap().status(), 200);
    let demoted = c
        .put(server.api(&format!("/admin/clerks/{carla_id}")))
        .header("cookie", &bram)
        .header("origin", &server.base)
        .json(&json!({"name": "Carla Smit", "role": "clerk", "services": [service]}))
        .send()
        .await
        .unwrap();
    assert_eq!(demoted.status(), 200);
    assert_eq!(admin_list(carla.clone()).await.unwrap().status(), 403);
    let new_admin = c
        .post(server.api("/admin/clerks"))
        .header("cookie", &carla)
        .header("origin", &server.base)
        .json(&json!({"name": "Dirk Vos", "email": "dirk@voorbeeld.nl",
            "password": "blauwe giraf zwemt snel", "role": "admin", "services": [service]}))
        .send()
        .await
        .unwrap();
    assert_eq!(new_admin.status(), 403, "no new admin from a demoted one");
    assert_eq!(me(&server, &carla).await, 200, "still a clerk");
}

#[tokio::test]
async fn finding_3_sessions_end_when_idle_and_after_their_lifetime() {
    let idle = Server::start(&[("VIDEOLOKET_SESSION_IDLE_SECONDS", "2")], &[]);
    let cookie = login(&idle, "anna@voorbeeld.nl", "welkom-anna").await;
    assert_eq!(me(&idle, &cookie).await, 200);
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(me(&idle, &cookie).await, 401, "idle too long");

    let busy = Server::start(&[("VIDEOLOKET_SESSION_MAX_SECONDS", "3")], &[]);
    let cookie = login(&busy, "anna@voorbeeld.nl", "welkom-anna").await;
    assert_eq!(me(&busy, &cookie).await, 200);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(me(&busy, &cookie).await, 200);
    tokio::time::sleep(Duration::from_millis(3000)).await;
    assert_eq!(me(&busy, &cookie).await, 401, "past the absolute lifetime");
}

// ---- 6. anonymous floods ---------------------------------------------------------------------

/// The first service's id and the starts of its free slots in the coming two weeks.
async fn free_slots(server: &Server) -> (String, Vec<String>) {
    let service = passport(server).await["id"].as_str().unwrap().to_string();
    let from = jiff::Zoned::now().date();
    let to = from.checked_add(jiff::Span::new().days(14)).unwrap();
    let slots: Value = client()
        .get(server.api(&format!(
            "/tenants/voorbeeld/services/{service}/slots?from={from}&to={to}"
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let starts = slots
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap().to_string())
        .collect();
    (service, starts)
}

/// Books the first slot still free (each booking takes a clerk's time, so the free starts
/// change after each).
async fn book_at(server: &Server, email: &str, phone: Option<&str>) -> reqwest::Response {
    let (service, starts) = free_slots(server).await;
    client()
        .post(server.api("/tenants/voorbeeld/appointments"))
        .json(
            &json!({"service_id": service, "start": starts[0], "name": "Sanne Bakker",
            "email": email, "phone": phone}),
        )
        .send()
        .await
        .unwrap()
}

/// Walk-ins are taken only while a clerk of the service works (issue 16) and this binary runs
/// on the real clock: every clerk works around the clock, and a closing day today is removed,
/// so the tests that walk in do not depend on the hour or the date they run at.
async fn open_all_day(server: &Server) {
    let admin = login(server, "bram@voorbeeld.nl", "welkom-bram").await;
    let c = client();
    let clerks: Value = c
        .get(server.api("/admin/clerks"))
        .header("cookie", &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let windows: Vec<Value> = (1..=7)
        .map(|day| json!({"weekday": day, "start": "00:00", "end": "24:00"}))
        .collect();
    for clerk in clerks.as_array().unwrap() {
        let id = clerk["id"].as_str().unwrap();
        let put = c
            .put(server.api(&format!("/admin/clerks/{id}/hours")))
            .header("cookie", &admin)
            .header("origin", &server.base)
            .json(&json!({ "windows": windows }))
            .send()
            .await
            .unwrap();
        assert!(put.status().is_success(), "hours of {id}: {}", put.status());
    }
    let today = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap())
        .date()
        .to_string();
    let days: Value = c
        .get(server.api("/admin/closing-days"))
        .header("cookie", &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for day in days.as_array().unwrap() {
        if day["date"].as_str() == Some(today.as_str()) {
            let id = day["id"].as_str().unwrap();
            c.delete(server.api(&format!("/admin/closing-days/{id}")))
                .header("cookie", &admin)
                .header("origin", &server.base)
                .send()
                .await
                .unwrap();
        }
    }
}

async fn walk_in(server: &Server, service: &str, phone: Option<&str>) -> reqwest::Response {
    client()
        .post(server.api("/tenants/voorbeeld/walk-ins"))
        .json(&json!({"service_id": service, "name": "Piet Post", "phone": phone}))
        .send()
        .await
        .unwrap()
}

async fn ask_callback(server: &Server, service: &str, phone: &str) -> reqwest::Response {
    client()
        .post(server.api("/tenants/voorbeeld/callbacks"))
        .header("accept-language", "en")
        .json(
            &json!({"service_id": service, "name": "Piet Post", "phone": phone,
            "part_of_day": "morning"}),
        )
        .send()
        .await
        .unwrap()
}

/// A 429 problem with `Retry-After` and words that say what to do; returns the words.
async fn assert_too_many(response: reqwest::Response, what: &str) -> String {
    assert_eq!(response.status(), 429, "{what}");
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 1, "{what}: Retry-After {wait}");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "{what}"
    );
    let problem: Value = response.json().await.unwrap();
    problem["detail"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn finding_6_bookings_walk_ins_and_callbacks_are_limited_per_client_address() {
    let server = Server::start(
        &[
            ("VIDEOLOKET_BOOKINGS_PER_ADDRESS", "3"),
            ("VIDEOLOKET_WALK_INS_PER_ADDRESS", "3"),
            ("VIDEOLOKET_CALLBACKS_PER_ADDRESS", "3"),
        ],
        &[],
    );
    open_all_day(&server).await;
    let (service, _) = free_slots(&server).await;
    for i in 0..3 {
        let email = format!("bewoner-{i}@example.nl");
        let response = book_at(&server, &email, None).await;
        assert_eq!(response.status(), 201, "booking {i}");
    }
    let refused = book_at(&server, "nog-een@example.nl", None).await;
    let words = assert_too_many(refused, "the fourth booking").await;
    assert!(
        words.contains("te veel afspraken") && words.contains("netwerk"),
        "{words}"
    );

    for i in 0..3 {
        assert_eq!(
            walk_in(&server, &service, None).await.status(),
            201,
            "walk-in {i}"
        );
    }
    assert_too_many(walk_in(&server, &service, None).await, "the fourth walk-in").await;

    for i in 0..3 {
        let phone = format!("06123456{i:02}");
        let response = ask_callback(&server, &service, &phone).await;
        assert_eq!(response.status(), 201, "callback {i}");
    }
    let words = assert_too_many(
        ask_callback(&server, &service, "0612345699").await,
        "the fourth callback",
    )
    .await;
    assert!(words.contains("Too many callback requests"), "{words}");
}

#[tokio::test]
async fn finding_6_one_e_mail_address_or_phone_number_is_limited_from_any_address() {
    let server = Server::start(&[("VIDEOLOKET_REQUESTS_PER_CONTACT", "2")], &[]);
    open_all_day(&server).await;
    let (service, _) = free_slots(&server).await;
    for _ in 0..2 {
        let response = book_at(&server, "doelwit@example.nl", None).await;
        assert_eq!(response.status(), 201);
    }
    // Written otherwise, the same address.
    let refused = book_at(&server, " Doelwit@Example.nl", None).await;
    let words = assert_too_many(refused, "a third booking for one e-mail address").await;
    assert!(words.contains("e-mailadres"), "{words}");
    // Another e-mail address with the same phone number twice more.
    for i in 0..2 {
        let email = format!("ander-{i}@example.nl");
        let response = book_at(&server, &email, Some("0612345678")).await;
        let status = response.status();
        if status != 201 {
            panic!("{status}: {}", response.text().await.unwrap());
        }
    }
    let refused = book_at(&server, "derde@example.nl", Some("06 1234 5678")).await;
    let words = assert_too_many(refused, "a third booking for one phone number").await;
    assert!(words.contains("telefoonnummer"), "{words}");
    for _ in 0..2 {
        assert_eq!(
            walk_in(&server, &service, Some("0687654321"))
                .await
                .status(),
            201
        );
    }
    assert_too_many(
        walk_in(&server, &service, Some("+31687654321")).await,
        "a third walk-in with one phone number",
    )
    .await;
}

#[tokio::test]
async fn finding_6_one_client_cannot_send_mail_to_addresses_of_its_choice_without_end() {
    // The default limits: 10 bookings per client address an hour.
    let server = Server::start(&[], &[]);
    let mut booked = 0;
    for i in 0..16 {
        let email = format!("slachtoffer-{i}@example.nl");
        match book_at(&server, &email, None).await.status().as_u16() {
            201 => booked += 1,
            429 => {}
            other => panic!("booking {i}: {other}"),
        }
    }
    assert_eq!(booked, 10, "bookings from one address");
    // Mails leave through the messages outbox (polled every second): wait for them to land.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::fs::read_dir(server.data.path().join("mail"))
        .map(|dir| dir.count())
        .unwrap_or(0)
        < 10
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await; // and for any mail too many
    let mails = std::fs::read_dir(server.data.path().join("mail"))
        .map(|dir| dir.count())
        .unwrap_or(0);
    assert_eq!(mails, 10, "mails sent for one client address");
}

#[tokio::test]
async fn finding_6_live_streams_on_one_token_are_limited() {
    let server = Server::start(&[("VIDEOLOKET_STREAMS_PER_TOKEN", "2")], &[]);
    open_all_day(&server).await;
    let (service, _) = free_slots(&server).await;
    let entry: Value = walk_in(&server, &service, None).await.json().await.unwrap();
    let token = entry["token"].as_str().unwrap();
    let events = server.api(&format!("/queue-entries/{token}/events"));
    let mut open = Vec::new();
    for i in 0..2 {
        let response = client().get(&events).send().await.unwrap();
        assert_eq!(response.status(), 200, "stream {i}");
        open.push(response);
    }
    let words = assert_too_many(
        client().get(&events).send().await.unwrap(),
        "a third stream on one token",
    )
    .await;
    assert!(words.contains("vensters"), "{words}");
    drop(open);
}

// ---- 11. room admission and metrics --------------------------------------------------------

#[tokio::test]
async fn finding_11_metrics_are_not_on_the_public_port() {
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let metrics_addr = format!("127.0.0.1:{metrics_port}");
    let server = Server::start(&[("VIDEOLOKET_METRICS_ADDR", &metrics_addr)], &[]);
    let public = client()
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 404);
    assert!(!public.text().await.unwrap().contains("videoloket_sfu"));
    let private = client()
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(private.status(), 200);
    assert!(private.text().await.unwrap().contains("videoloket_sfu"));
    assert!(server
        .printed
        .contains(&format!("http://{metrics_addr}/metrics")));

    // Off unless asked for.
    let plain = Server::start(&[], &[]);
    let public = client()
        .get(format!("{}/metrics", plain.base))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 404);
    assert!(!public.text().await.unwrap().contains("videoloket_sfu"));
}

/// Joins `room` with `token` on the server's signalling endpoint; returns the first message
/// the server sends and the close code, if it closed.
async fn join_room(server: &Server, room: &str, token: &str) -> (Value, Option<u16>) {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let url = format!("{}/ws", server.base.replacen("http", "ws", 1));
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let join = json!({"type": "join", "room": room, "token": token}).to_string();
    ws.send(Message::Text(join.into())).await.unwrap();
    let mut first = Value::Null;
    let mut close = None;
    while let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_secs(20), ws.next()).await
    {
        match message {
            Message::Text(text) if first.is_null() => {
                first = serde_json::from_str(&text).unwrap();
                if first["type"] == "joined" {
                    break;
                }
            }
            Message::Close(frame) => {
                close = frame.map(|f| u16::from(f.code));
                break;
            }
            _ => {}
        }
    }
    (first, close)
}

#[tokio::test]
async fn finding_11_a_finished_calls_room_token_admits_nobody() {
    let server = Server::start(&[], &[]);
    open_all_day(&server).await;
    let c = client();
    let (service, _) = free_slots(&server).await;
    let entry: Value = walk_in(&server, &service, None).await.json().await.unwrap();
    let entry_token = entry["token"].as_str().unwrap().to_string();
    let session = login(&server, "anna@voorbeeld.nl", "welkom-anna").await;
    let staff = |request: reqwest::RequestBuilder| {
        request
            .header("cookie", &session)
            .header("origin", &server.base)
    };
    let called: Value = staff(c.post(server.api("/staff/queue/call-next")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = called["id"].as_str().expect("called entry").to_string();
    let answered = c
        .post(server.api(&format!("/queue-entries/{entry_token}/answer")))
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 200);
    let ticket = |response: reqwest::Response| async move {
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        (
            body["room"].as_str().unwrap().to_string(),
            body["token"].as_str().unwrap().to_string(),
        )
    };
    let (room, clerk_token) = ticket(
        staff(c.post(server.api(&format!("/staff/queue/{id}/room-token"))))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (_, resident_token) = ticket(
        c.post(server.api(&format!("/queue-entries/{entry_token}/room-token")))
            .send()
            .await
            .unwrap(),
    )
    .await;

    // During the call the token admits.
    let (first, _) = join_room(&server, &room, &resident_token).await;
    assert_eq!(first["type"], "joined", "{first}");

    let done = staff(c.post(server.api(&format!("/staff/queue/{id}/done"))))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);

    // The call is over: neither token admits any more, though both are within their hour.
    for token in [&clerk_token, &resident_token] {
        let (first, close) = join_room(&server, &room, token).await;
        assert_eq!(first["type"], "error", "{first}");
        assert_eq!(first["code"], "unauthorized", "{first}");
        assert_eq!(close, Some(4006), "closed as an ended call");
    }
}
