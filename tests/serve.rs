//! The README's first command, as a user runs it: the binary starts on an empty data
//! directory, seeds the demo municipality, prints where to go, answers /healthz, and keeps its
//! data across a restart.

mod common;

use futures::{SinkExt, StreamExt};
use signaling::token::{Role, RoomClaims, RoomTokenKeys};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

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
    start_with(data_dir, port, &[])
}

fn start_with(data_dir: &std::path::Path, port: u16, env: &[(&str, &str)]) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_videoloket"))
        .arg("serve")
        .envs(env.iter().copied())
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
    let metrics_port = free_port();
    let (server, printed) = start_with(
        dir.path(),
        port,
        &[(
            "VIDEOLOKET_METRICS_ADDR",
            &format!("127.0.0.1:{metrics_port}"),
        )],
    );
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
    let public_metrics = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(
        public_metrics.status(),
        404,
        "metrics are not on the public address"
    );
    let metrics = client
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
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

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the signalling socket and joins `room`; returns the socket and the first answer.
async fn join(port: u16, keys: &RoomTokenKeys, room: &str, who: &str) -> (Ws, serde_json::Value) {
    let now = signaling::token::now_unix();
    let token = keys.issue(&RoomClaims {
        room: room.into(),
        sub: who.into(),
        role: Role::Resident,
        name: who.into(),
        tenant: "voorbeeld".into(),
        nbf: now - 5,
        exp: now + 600,
    });
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/ws"))
        .await
        .unwrap();
    let join = serde_json::json!({"type": "join", "room": room, "token": token});
    ws.send(Message::Text(join.to_string().into()))
        .await
        .unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(20), ws.next())
        .await
        .expect("an answer to join")
        .expect("the socket stays open for the answer")
        .unwrap();
    let answer = serde_json::from_str(answer.to_text().unwrap()).unwrap();
    (ws, answer)
}

/// What `docs/deploy.md` promises for upgrades: on SIGTERM the instance stops taking calls
/// (readiness fails, a new call is sent elsewhere with close code 1012) but the call in
/// progress goes on, people can still join it, and the process ends once that call is over.
#[tokio::test]
async fn sigterm_lets_the_call_in_progress_end_then_stops() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let secret = "a-room-token-secret-for-this-test-only-0123456789";
    let (mut server, _) = start_with(
        dir.path(),
        port,
        &[
            ("VIDEOLOKET_ROOM_TOKEN_SECRET", secret),
            ("VIDEOLOKET_SHUTDOWN_GRACE_SECONDS", "300"),
        ],
    );
    let keys = RoomTokenKeys::from_secret(secret.as_bytes());
    // Rooms admit only for appointments that are on (issue 13): book two.
    let client = reqwest::Client::new();
    let rooms = common::book_passports(&base, 2).await;
    let (call_1, call_2) = (rooms[0].as_str(), rooms[1].as_str());
    let (mut resident, joined) = join(port, &keys, call_1, "resident-1").await;
    assert_eq!(joined["type"], "joined", "{joined}");

    let terminated = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
        if ready.status() == 503 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "/readyz kept answering {}",
            ready.status()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(
        health.status(),
        200,
        "the instance still serves while draining"
    );

    // A new call goes elsewhere; the running call still takes its clerk.
    let (mut elsewhere, refused) = join(port, &keys, call_2, "resident-2").await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["code"], "restarting", "{refused}");
    let close = loop {
        match elsewhere.next().await {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(u16::from(close.unwrap().code), 1012);
    let (mut clerk, joined) = join(port, &keys, call_1, "clerk-1").await;
    assert_eq!(joined["type"], "joined", "{joined}");
    assert_eq!(
        server.0.try_wait().unwrap(),
        None,
        "the process waits for the call"
    );

    // The call ends: both leave; the process stops by itself.
    for ws in [&mut resident, &mut clerk] {
        let leave = serde_json::json!({"type": "leave"}).to_string();
        ws.send(Message::Text(leave.into())).await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running after the call ended"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status}");
}

/// A node that hosts calls binds its media port when it starts: when the port is taken it
/// stops there with the reason, rather than starting and failing every call.
#[test]
fn a_taken_media_port_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let media_port = taken.local_addr().unwrap().port().to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_videoloket"))
        .arg("serve")
        .env("VIDEOLOKET_DATA_DIR", dir.path())
        .env("VIDEOLOKET_HTTP_ADDR", format!("127.0.0.1:{}", free_port()))
        .env("VIDEOLOKET_MEDIA_PORT", &media_port)
        .env("VIDEOLOKET_MEDIA_CORES", "1")
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server kept running on a taken media port");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!status.success(), "{stderr}");
    assert!(
        stderr.contains("VIDEOLOKET_MEDIA_PORT") && stderr.contains(&media_port),
        "{stderr}"
    );
    drop(taken);
}
