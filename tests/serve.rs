//! The README's first command, as a user runs it: the binary starts on an empty data
//! directory, seeds the demo municipality, prints where to go, answers /healthz, and keeps its
//! data across a restart.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `videoloket serve` and returns it with everything it printed up to the blank line
/// after the welcome text.
fn start(data_dir: &std::path::Path, port: u16) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_videoloket"))
        .arg("serve")
        .env("VIDEOLOKET_DATA_DIR", data_dir)
        .env("VIDEOLOKET_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut printed = String::new();
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        printed.push_str(&line);
        printed.push('\n');
        if line.contains("Mail is written to") {
            break;
        }
    }
    // Keep draining, so the server never writes into a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (server, printed)
}

#[tokio::test]
async fn first_command_serves_the_demo_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let (server, printed) = start(dir.path(), port);
    assert!(
        printed.contains(&format!("{base}/api/v1/openapi.json")),
        "printed:\n{printed}"
    );
    assert!(printed.contains(&format!("{base}/voorbeeld/medewerker")));
    assert!(printed.contains("anna@voorbeeld.nl / welkom-anna"));
    assert!(printed.contains("bram@voorbeeld.nl / welkom-bram"));

    let client = reqwest::Client::new();
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(
        client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let services: serde_json::Value = client
        .get(format!("{base}/api/v1/tenants/voorbeeld/services"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(services.as_array().unwrap().len(), 3);
    let openapi: serde_json::Value = client
        .get(format!("{base}/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(openapi["paths"]["/api/v1/tenants/{slug}/appointments"]["post"].is_object());
    let metrics = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("# TYPE"),
        "prometheus text expected, got:\n{metrics}"
    );
    assert!(dir.path().join("videoloket.db").exists());
    drop(server);

    // Same data directory: the demo is not seeded twice and the keys are reused.
    let (_server, _) = start(dir.path(), port);
    let client = reqwest::Client::new(); // the old client's pooled connection died with the server
    let tenants: serde_json::Value = client
        .get(format!("{base}/api/v1/tenants"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tenants.as_array().unwrap().len(), 1);
}
