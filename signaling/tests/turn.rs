//! TURN with time-limited credentials, against a real coturn (`turnserver`, Debian's coturn):
//!
//! - every join and every rejoin hands out a fresh credential in `joined` for the configured
//!   TURN URLs;
//! - two aiortc peers that may use relay candidates only (as a browser with
//!   `iceTransportPolicy: "relay"`) reach the SFU through coturn over TURN/TLS
//!   (`turns:...?transport=tcp`) with those credentials: each decodes the other's video and
//!   audio, each selected pair's local candidate is a relay one, and coturn's log shows the
//!   allocations and permissions for the SFU's address;
//! - a credential minted with another secret is refused by coturn (no media at all).
//!
//! coturn runs on 127.0.0.1 on free ports with a throwaway self-signed certificate (openssl),
//! its own directory and log, and is killed at the end. Needs `turnserver` and `openssl` on
//! the PATH and `VIDEOLOKET_PYTHON` (aiortc); without them the media tests say so and return.

mod common;

use common::{loopback_sfu_config, start_server_with, TestServer};
use signaling::protocol::{ClientMessage, ServerMessage};
use signaling::token::{now_unix, Role};
use signaling::turn::{TurnConfig, TurnSecret};
use signaling::SignalingConfig;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

const SECRET: &str = "coturn-test-secret-only-for-this-test";

/// A coturn process on loopback, killed when dropped.
struct Coturn {
    child: Child,
    dir: PathBuf,
    tls_port: u16,
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Coturn {
    fn turns_url(&self) -> String {
        format!("turns:127.0.0.1:{}?transport=tcp", self.tls_port)
    }

    fn cert(&self) -> PathBuf {
        self.dir.join("cert.pem")
    }

    fn log(&self) -> String {
        // coturn names its log file after the one given, with the date in it.
        let mut text = String::new();
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with("turn") && name.ends_with(".log") {
                    text += &std::fs::read_to_string(entry.path()).unwrap_or_default();
                }
            }
        }
        text
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

fn free_port() -> u16 {
    // TCP and UDP both free, since coturn listens on both.
    loop {
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = tcp.local_addr().expect("addr").port();
        if std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

async fn start_coturn() -> Coturn {
    let dir = std::env::temp_dir().join(format!("videoloket-coturn-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("coturn dir");
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .expect("run openssl");
    assert!(status.success(), "openssl req failed");
    let (port, tls_port) = (free_port(), free_port());
    // Relays on loopback must be allowed here (the SFU listens on 127.0.0.1); production
    // denies private ranges and allows only the SFU's address (docs/deploy-turn.md).
    let config = format!(
        "listening-ip=127.0.0.1\n\
         relay-ip=127.0.0.1\n\
         listening-port={port}\n\
         tls-listening-port={tls_port}\n\
         alt-listening-port=0\n\
         alt-tls-listening-port=0\n\
         cert={dir}/cert.pem\n\
         pkey={dir}/key.pem\n\
         use-auth-secret\n\
         static-auth-secret={SECRET}\n\
         realm=videoloket.test\n\
         fingerprint\n\
         allow-loopback-peers\n\
         no-multicast-peers\n\
         no-cli\n\
         no-dtls\n\
         verbose\n\
         log-file={dir}/turn.log\n\
         simple-log\n\
         pidfile={dir}/turn.pid\n\
         userdb={dir}/turndb\n",
        dir = dir.display()
    );
    std::fs::write(dir.join("turnserver.conf"), config).expect("write coturn config");
    let child = Command::new("turnserver")
        .arg("-c")
        .arg(dir.join("turnserver.conf"))
        .stdout(std::fs::File::create(dir.join("stdout.log")).expect("stdout file"))
        .stderr(std::fs::File::create(dir.join("stderr.log")).expect("stderr file"))
        .kill_on_drop(true)
        .spawn()
        .expect("spawn turnserver");
    let coturn = Coturn {
        child,
        dir,
        tls_port,
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while tokio::net::TcpStream::connect(("127.0.0.1", tls_port))
        .await
        .is_err()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "coturn did not listen on {tls_port}:\n{}",
            coturn.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    coturn
}

async fn server_with_turn(url: String, secret: &str) -> TestServer {
    let turn = TurnConfig::from_settings(
        &[url],
        Some(TurnSecret::parse(secret).unwrap()),
        Duration::from_secs(600),
    )
    .unwrap()
    .unwrap();
    start_server_with(loopback_sfu_config(), SignalingConfig::default(), |state| {
        state.with_turn(turn)
    })
    .await
}

fn joined_ice_servers(message: ServerMessage) -> Vec<sfu::IceServer> {
    match message {
        ServerMessage::Joined { ice_servers, .. } => ice_servers,
        other => panic!("expected joined, got {other:?}"),
    }
}

#[tokio::test]
async fn every_join_and_rejoin_gets_a_fresh_credential_for_the_turn_urls() {
    let server = server_with_turn("turns:turn.example.nl:443?transport=tcp".into(), SECRET).await;
    let token = server.token("room-t", "resident-1", Role::Resident);

    let before = now_unix();
    let mut ws = server.ws().await;
    ws.join("room-t", &token).await;
    let first = joined_ice_servers(ws.recv().await.expect("joined"));
    let after = now_unix();
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].urls, ["turns:turn.example.nl:443?transport=tcp"]);
    let username = first[0].username.clone().expect("username");
    let (expiry, participant) = username.split_once(':').expect("expiry:participant");
    let expiry: i64 = expiry.parse().expect("expiry in Unix seconds");
    assert!(
        (before + 600..=after + 600).contains(&expiry),
        "{expiry} not 600 s after {before}..{after}"
    );
    assert_eq!(participant, "resident-1");
    assert!(first[0]
        .credential
        .as_deref()
        .is_some_and(|c| !c.is_empty()));
    drop(ws);

    // The rejoin (a new socket with the same token) after the clock moved on by a second
    // gets a credential that expires later.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut ws = server.ws().await;
    ws.join("room-t", &token).await;
    let again = joined_ice_servers(ws.recv().await.expect("joined again"));
    assert_ne!(again[0].username, first[0].username);
    assert_ne!(again[0].credential, first[0].credential);
}

#[tokio::test]
async fn an_ice_restart_gets_a_fresh_credential_before_its_offer() {
    let server = server_with_turn("turns:turn.example.nl:443?transport=tcp".into(), SECRET).await;
    let token = server.token("room-r", "clerk-1", Role::Clerk);
    let mut ws = server.ws().await;
    ws.join("room-r", &token).await;
    let first = joined_ice_servers(ws.recv().await.expect("joined"));

    // An hour into a call would be realistic; a second is enough to see a new expiry.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    ws.send(&ClientMessage::RestartIce).await;
    let fresh = loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.recv())
            .await
            .expect("an answer to restart_ice within 10 s")
            .expect("socket open")
        {
            ServerMessage::IceServers { ice_servers } => break ice_servers,
            // The first offer (sent on join) and state changes may come first.
            ServerMessage::Offer { .. } | ServerMessage::ConnectionState { .. } => continue,
            other => panic!("expected ice_servers, got {other:?}"),
        }
    };
    assert_eq!(fresh.len(), 1, "{fresh:?}");
    assert_eq!(fresh[0].urls, first[0].urls);
    let expiry = |servers: &[sfu::IceServer]| -> i64 {
        let username = servers[0].username.as_deref().expect("username");
        let (expiry, participant) = username.split_once(':').expect("expiry:participant");
        assert_eq!(participant, "clerk-1");
        expiry.parse().expect("Unix seconds")
    };
    assert!(expiry(&fresh) > expiry(&first), "{fresh:?} vs {first:?}");
    assert_ne!(fresh[0].credential, first[0].credential);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_only_aiortc_peers_talk_through_coturn_over_tls() {
    let Some(python) = prerequisites() else {
        return;
    };
    tokio::time::timeout(Duration::from_secs(150), async {
        let coturn = start_coturn().await;
        let server = server_with_turn(coturn.turns_url(), SECRET).await;
        let (clerk, resident) = tokio::join!(
            run_peer(&python, &server, &coturn, "clerk-1", Role::Clerk, 60.0),
            run_peer(
                &python,
                &server,
                &coturn,
                "resident-1",
                Role::Resident,
                60.0
            ),
        );
        let log = coturn.log();
        for report in [&clerk, &resident] {
            assert_eq!(
                report.exit,
                Some(0),
                "{:?}\naiortc:\n{}\ncoturn:\n{log}",
                report.stats,
                report.stderr_tail
            );
            let stats = &report.stats;
            assert!(stats["video_frames"].as_u64() >= Some(25), "{stats}");
            assert!(stats["audio_frames"].as_u64() >= Some(25), "{stats}");
            assert_eq!(stats["width"], 320, "{stats}");
            assert_eq!(
                stats["selected_local_candidate_types"],
                serde_json::json!(["relay"]),
                "{stats}"
            );
        }
        // coturn gave out relays to both and let them send to the SFU (on loopback).
        assert!(
            log.matches("ALLOCATE processed, success").count() >= 2,
            "no allocations in coturn's log:\n{log}"
        );
        // aioice binds a channel to the SFU's address (which also grants the permission).
        assert!(
            log.matches("CHANNEL_BIND processed, success").count() >= 2,
            "no channels to the SFU in coturn's log:\n{log}"
        );
        assert!(!log.contains(SECRET), "coturn logged the secret");
    })
    .await
    .expect("TURN scenario timed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coturn_refuses_a_credential_minted_with_another_secret() {
    let Some(python) = prerequisites() else {
        return;
    };
    tokio::time::timeout(Duration::from_secs(90), async {
        let coturn = start_coturn().await;
        let server = server_with_turn(coturn.turns_url(), "not-the-secret-coturn-knows").await;
        let report = run_peer(
            &python,
            &server,
            &coturn,
            "resident-9",
            Role::Resident,
            12.0,
        )
        .await;
        // Either no media until the timeout or no relay at all (aiortc gives up gathering).
        assert_ne!(report.exit, Some(0), "{}", report.stderr_tail);
        assert_eq!(
            report.stats["video_frames"].as_u64().unwrap_or(0),
            0,
            "{report:?}"
        );
        let log = coturn.log();
        assert!(
            !log.contains("ALLOCATE processed, success"),
            "coturn allocated with a wrong credential:\n{log}"
        );
    })
    .await
    .expect("refusal scenario timed out");
}

fn prerequisites() -> Option<String> {
    let Ok(python) = std::env::var("VIDEOLOKET_PYTHON") else {
        println!("skipped: VIDEOLOKET_PYTHON not set");
        return None;
    };
    for program in ["turnserver", "openssl"] {
        if !on_path(program) {
            println!("skipped: {program} not installed");
            return None;
        }
    }
    Some(python)
}

#[derive(Debug)]
struct PeerReport {
    exit: Option<i32>,
    stats: serde_json::Value,
    stderr_tail: String,
}

async fn run_peer(
    python: &str,
    server: &TestServer,
    coturn: &Coturn,
    participant: &str,
    role: Role,
    timeout_seconds: f64,
) -> PeerReport {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/python/aiortc_peer.py");
    let output = Command::new(python)
        .arg(&script)
        .args(
            std::env::var("VIDEOLOKET_AIORTC_VERBOSE")
                .ok()
                .map(|_| "--verbose"),
        )
        .args(["join", "--url", &server.url(), "--room", "room-turn"])
        .args(["--token", &server.token("room-turn", participant, role)])
        .args(["--min-frames", "25", "--linger", "3", "--relay"])
        .args(["--timeout", &timeout_seconds.to_string()])
        .arg("--turn-ca")
        .arg(coturn.cert())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output()
        .await
        .expect("run python peer");
    let stdout = String::from_utf8_lossy(&output.stdout);
    PeerReport {
        exit: output.status.code(),
        stats: stdout
            .lines()
            .rev()
            .find_map(|l| serde_json::from_str(l).ok())
            .unwrap_or(serde_json::Value::Null),
        stderr_tail: tail(&String::from_utf8_lossy(&output.stderr)),
    }
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
