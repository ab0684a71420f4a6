//! Issue 17, items 1 and 2, through the real binary on both databases: the operator creates a
//! second municipality with the CLI, its admin chooses a password through the mailed link,
//! logs in, adds a clerk, a service and hours, and a resident books there. Along the way: a
//! link counts once and not after it expired, a deactivated clerk's cookie is refused at once,
//! a password change ends the other sessions, a suspended municipality is "not available",
//! the operator API answers only its token, and the audit trail cannot be rewritten.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const OPERATOR_TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef";

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A throwaway PostgreSQL database, dropped at the end.
struct PgDb {
    admin_url: String,
    name: String,
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async move {
                    sqlx::any::install_default_drivers();
                    if let Ok(pool) = sqlx::AnyPool::connect(&url).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&pool)
                                .await;
                    }
                })
        })
        .join();
    }
}

#[derive(Clone, Copy)]
enum Store {
    Sqlite,
    Postgres,
}

fn cli(data: &Path, db_url: Option<&str>, base: &str, args: &[&str]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_videoloket"));
    command
        .arg("tenant")
        .args(args)
        .env("VIDEOLOKET_DATA_DIR", data)
        .env("VIDEOLOKET_BASE_URL", base)
        .env_remove("VIDEOLOKET_SMTP_URL")
        .env("RUST_LOG", "warn");
    match db_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    command.output().unwrap()
}

fn serve(data: &Path, db_url: Option<&str>, port: u16) -> Server {
    let token_file = data.join("operator.token");
    std::fs::write(&token_file, format!("{OPERATOR_TOKEN}\n")).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_videoloket"));
    command
        .arg("serve")
        .arg("--operator-token-file")
        .arg(&token_file)
        .env("VIDEOLOKET_DATA_DIR", data)
        .env("VIDEOLOKET_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env_remove("VIDEOLOKET_BASE_URL")
        .env_remove("VIDEOLOKET_SMTP_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped());
    match db_url {
        Some(url) => {
            // On PostgreSQL the keys every instance shares are configured, never generated.
            let (session_key, secrets_key) = (
                data.join("shared-session.key"),
                data.join("shared-secrets.key"),
            );
            std::fs::write(&session_key, "5e55104b".repeat(8)).unwrap();
            std::fs::write(&secrets_key, "5ec12e75".repeat(8)).unwrap();
            command
                .env("DATABASE_URL", url)
                .env(
                    "VIDEOLOKET_ROOM_TOKEN_SECRET",
                    "a-room-token-secret-for-this-test-only-0123456789",
                )
                .env("VIDEOLOKET_SESSION_KEY_FILE", session_key)
                .env("VIDEOLOKET_SECRETS_KEY_FILE", secrets_key)
        }
        None => command.env_remove("DATABASE_URL"),
    };
    let mut child = command.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        if line.contains("Mail is written to") {
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    server
}

/// The password link in the newest mail that holds one and was not seen before.
fn password_link(mail_dir: &Path, seen: &mut Vec<String>) -> String {
    for _ in 0..100 {
        for entry in std::fs::read_dir(mail_dir).unwrap() {
            let raw = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            // Quoted-printable: soft line breaks and an encoded '='.
            let text = raw.replace("=\r\n", "").replace("=3D", "=");
            if let Some(at) = text.find("/medewerker/wachtwoord/") {
                let token: String = text[at + "/medewerker/wachtwoord/".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                if !seen.contains(&token) {
                    seen.push(token.clone());
                    return token;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("no new password link mailed");
}

fn client(base: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("origin", base.parse().unwrap());
    reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .build()
        .unwrap()
}

async fn login(base: &str, email: &str, password: &str) -> (reqwest::Client, u16) {
    let c = client(base);
    let status = c
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"tenant": "utrecht", "email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    (c, status)
}

async fn status_of(response: reqwest::Response) -> u16 {
    response.status().as_u16()
}

async fn second_municipality(store: Store) {
    let data = tempfile::tempdir().unwrap();
    let mut _pg = None;
    let db_url = match store {
        Store::Sqlite => None,
        Store::Postgres => {
            sqlx::any::install_default_drivers();
            let admin_url = std::env::var("TEST_DATABASE_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!("videoloket_tenants_{}", uuid_like());
            let admin = sqlx::AnyPool::connect(&admin_url)
                .await
                .expect("PostgreSQL must be running for the tests (see .ci/run)");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin)
                .await
                .unwrap();
            admin.close().await;
            let (root, _) = admin_url.rsplit_once('/').unwrap();
            _pg = Some(PgDb {
                admin_url: admin_url.clone(),
                name: name.clone(),
            });
            Some(format!("{root}/{name}"))
        }
    };
    let db_url = db_url.as_deref();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");

    // The operator adds the municipality with the CLI.
    let created = cli(
        data.path(),
        db_url,
        &base,
        &[
            "create",
            "--slug",
            "utrecht",
            "--name",
            "Gemeente Utrecht",
            "--admin-email",
            "beheer@utrecht.example",
        ],
    );
    let said = String::from_utf8_lossy(&created.stdout);
    assert!(
        created.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert!(said.contains("Mailed beheer@utrecht.example"), "{said}");
    let again = cli(
        data.path(),
        db_url,
        &base,
        &[
            "create",
            "--slug",
            "utrecht",
            "--name",
            "Nog een",
            "--admin-email",
            "x@utrecht.example",
        ],
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already in use"));
    let listed = cli(data.path(), db_url, &base, &["list"]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains("utrecht")
            && listed.contains("Europe/Amsterdam")
            && listed.contains("active"),
        "{listed}"
    );

    let _server = serve(data.path(), db_url, port);
    let open_db = || async {
        let url = db_url.map(str::to_string).unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rw",
                data.path().join("videoloket.db").display()
            )
        });
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&url).await.unwrap()
    };

    // The operator API answers only its token.
    let anyone = reqwest::Client::new();
    let operator_url = format!("{base}/api/v1/operator/tenants");
    assert_eq!(
        status_of(anyone.get(&operator_url).send().await.unwrap()).await,
        401
    );
    assert_eq!(
        status_of(
            anyone
                .get(&operator_url)
                .bearer_auth("wrong-token-wrong-token-wrong-token!!")
                .send()
                .await
                .unwrap()
        )
        .await,
        401
    );
    let all: Value = anyone
        .get(&operator_url)
        .bearer_auth(OPERATOR_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .any(|t| t["slug"] == "utrecht" && t["suspended"] == false),
        "{all}"
    );

    // The first admin chooses a password through the mailed link; the link counts once.
    let mail_dir = data.path().join("mail");
    let mut seen = Vec::new();
    let token = password_link(&mail_dir, &mut seen);
    let page = anyone
        .get(format!("{base}/utrecht/medewerker/wachtwoord/{token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("beheer@utrecht.example"));
    let link = format!("{base}/api/v1/auth/password-links/{token}");
    let weak = anyone
        .post(&link)
        .json(&json!({"password": "utrecht12345"}))
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), 422, "a guessable password is refused");
    let admin_password = "paarse olifant fietst traag";
    let set = anyone
        .post(&link)
        .json(&json!({"password": admin_password}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 204);
    let twice = anyone
        .post(&link)
        .json(&json!({"password": "een heel ander wachtwoord"}))
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), 409, "a link counts once");
    assert!(twice.text().await.unwrap().contains("al gebruikt"));

    // The admin logs in and sets up a service, a clerk and hours.
    let (admin, status) = login(&base, "beheer@utrecht.example", admin_password).await;
    assert_eq!(status, 200);
    let service: Value = admin
        .post(format!("{base}/api/v1/admin/services"))
        .json(&json!({"name": "Rijbewijs verlengen", "description": "Uw rijbewijs verlengen.", "duration_minutes": 20, "buffer_minutes": 5}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let service_id = service["id"].as_str().expect("service created").to_string();
    let clerk_password = "groene kikker springt hoog";
    let clerk: Value = admin
        .post(format!("{base}/api/v1/admin/clerks"))
        .json(&json!({"name": "Carla Smit", "email": "carla@utrecht.example", "password": clerk_password,
            "role": "clerk", "services": [service_id]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let clerk_id = clerk["id"].as_str().expect("clerk created").to_string();
    let windows: Vec<Value> = (1..=7)
        .map(|d| json!({"weekday": d, "start": "00:00", "end": "24:00"}))
        .collect();
    let hours = admin
        .put(format!("{base}/api/v1/admin/clerks/{clerk_id}/hours"))
        .json(&json!({"windows": windows}))
        .send()
        .await
        .unwrap();
    assert!(
        hours.status().is_success(),
        "{}",
        hours.text().await.unwrap()
    );

    // A resident books there.
    let today = jiff::Zoned::now().date();
    let slots: Value = anyone
        .get(format!(
            "{base}/api/v1/tenants/utrecht/services/{service_id}/slots?from={today}&to={}",
            today.checked_add(jiff::Span::new().days(7)).unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let start = slots
        .as_array()
        .and_then(|s| s.first())
        .expect("slots offered")["start"]
        .clone();
    let booked = anyone
        .post(format!("{base}/api/v1/tenants/utrecht/appointments"))
        .json(&json!({"service_id": service_id, "start": start, "name": "Jan Jansen", "email": "jan@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(booked.status(), 201, "{}", booked.text().await.unwrap());

    // A deactivated clerk's cookie is refused at once, and so is the login.
    let (carla, status) = login(&base, "carla@utrecht.example", clerk_password).await;
    assert_eq!(status, 200);
    let me = format!("{base}/api/v1/staff/me");
    assert_eq!(status_of(carla.get(&me).send().await.unwrap()).await, 200);
    let active = format!("{base}/api/v1/admin/clerks/{clerk_id}/active");
    let off = admin
        .put(&active)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), 200);
    assert_eq!(status_of(carla.get(&me).send().await.unwrap()).await, 401);
    assert_eq!(
        login(&base, "carla@utrecht.example", clerk_password)
            .await
            .1,
        401
    );
    let me_admin: Value = admin.get(&me).send().await.unwrap().json().await.unwrap();
    let self_off = admin
        .put(format!(
            "{base}/api/v1/admin/clerks/{}/active",
            me_admin["clerk_id"].as_str().unwrap()
        ))
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(self_off.status(), 409, "the last active admin stays");
    let on = admin
        .put(&active)
        .json(&json!({"active": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(on.status(), 200);
    assert_eq!(
        login(&base, "carla@utrecht.example", clerk_password)
            .await
            .1,
        200
    );

    // "Wachtwoord vergeten": the same answer for a known and an unknown address; an expired
    // link is refused.
    let reset = format!("{base}/api/v1/auth/password-reset");
    for email in ["carla@utrecht.example", "niemand@utrecht.example"] {
        let asked = anyone
            .post(&reset)
            .json(&json!({"tenant": "utrecht", "email": email}))
            .send()
            .await
            .unwrap();
        assert_eq!(asked.status(), 202);
    }
    let reset_token = password_link(&mail_dir, &mut seen);
    let pool = open_db().await;
    // Two hours pass.
    sqlx::query("UPDATE password_links SET expires_at = 0 WHERE used_at IS NULL")
        .execute(&pool)
        .await
        .unwrap();
    let expired = anyone
        .post(format!("{base}/api/v1/auth/password-links/{reset_token}"))
        .json(&json!({"password": "blauwe vogel zingt zacht"}))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 409);
    assert!(expired.text().await.unwrap().contains("verlopen"));

    // Changing one's own password ends the other sessions, not this one.
    let (admin_elsewhere, _) = login(&base, "beheer@utrecht.example", admin_password).await;
    let password = format!("{base}/api/v1/staff/password");
    let wrong = admin
        .put(&password)
        .json(&json!({"current_password": "niet mijn wachtwoord", "new_password": "rode vos rent snel weg"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 422);
    let changed = admin
        .put(&password)
        .json(
            &json!({"current_password": admin_password, "new_password": "rode vos rent snel weg"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 204);
    assert_eq!(status_of(admin.get(&me).send().await.unwrap()).await, 200);
    assert_eq!(
        status_of(admin_elsewhere.get(&me).send().await.unwrap()).await,
        401
    );

    // Every change is in the audit trail, which cannot be rewritten.
    let trail: Value = admin
        .get(format!("{base}/api/v1/admin/audit"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["action"].as_str().unwrap())
        .collect();
    for expected in [
        "municipality_created",
        "password_set",
        "service_added",
        "clerk_added",
        "clerk_hours_changed",
        "clerk_deactivated",
        "clerk_reactivated",
        "password_link_sent",
        "password_changed",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing in {actions:?}"
        );
    }
    assert!(
        trail[0]["actor"] == "Beheerder Gemeente Utrecht",
        "{}",
        trail[0]
    );
    assert!(sqlx::query("UPDATE admin_audit SET subject = 'niets'")
        .execute(&pool)
        .await
        .is_err());
    assert!(sqlx::query("DELETE FROM admin_audit")
        .execute(&pool)
        .await
        .is_err());
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM admin_audit")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count as usize, actions.len());
    pool.close().await;

    // Suspended with the CLI: residents read it is not available, sessions end, logins fail.
    let suspended = cli(
        data.path(),
        db_url,
        &base,
        &["suspend", "--slug", "utrecht"],
    );
    assert!(
        suspended.status.success(),
        "{}",
        String::from_utf8_lossy(&suspended.stderr)
    );
    let services = anyone
        .get(format!("{base}/api/v1/tenants/utrecht/services"))
        .send()
        .await
        .unwrap();
    assert_eq!(services.status(), 409);
    assert!(services.text().await.unwrap().contains("niet beschikbaar"));
    let page = anyone.get(format!("{base}/utrecht")).send().await.unwrap();
    assert_eq!(page.status(), 503);
    assert!(page.text().await.unwrap().contains("niet beschikbaar"));
    assert_eq!(status_of(admin.get(&me).send().await.unwrap()).await, 401);
    assert_eq!(
        login(&base, "beheer@utrecht.example", "rode vos rent snel weg")
            .await
            .1,
        401
    );
    // Resumed through the operator API.
    let resumed = anyone
        .put(format!("{base}/api/v1/operator/tenants/utrecht/suspended"))
        .bearer_auth(OPERATOR_TOKEN)
        .json(&json!({"suspended": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(resumed.status(), 200);
    let services = anyone
        .get(format!("{base}/api/v1/tenants/utrecht/services"))
        .send()
        .await
        .unwrap();
    assert_eq!(services.status(), 200);
    assert_eq!(
        login(&base, "beheer@utrecht.example", "rode vos rent snel weg")
            .await
            .1,
        200
    );
}

fn uuid_like() -> String {
    format!(
        "{:x}{:x}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
            ^ (std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos())
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_municipality_on_sqlite() {
    second_municipality(Store::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_municipality_on_postgres() {
    second_municipality(Store::Postgres).await
}
