//! The binary refuses TURN settings it cannot use, before it touches the database, and says
//! which setting is missing; the secret never appears in what it prints.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `videoloket serve` with `env`; it must exit (not serve). Returns stderr.
fn refused(env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_videoloket"))
        .arg("serve")
        .env("VIDEOLOKET_DATA_DIR", dir.path())
        .env("VIDEOLOKET_HTTP_ADDR", "127.0.0.1:0")
        .env_remove("DATABASE_URL")
        .env_remove("VIDEOLOKET_TURN_URLS")
        .env_remove("VIDEOLOKET_TURN_SECRET")
        .env_remove("VIDEOLOKET_TURN_SECRET_FILE")
        // A symbolised backtrace of the refusal takes long in a debug build.
        .env("RUST_BACKTRACE", "0")
        .env("RUST_LIB_BACKTRACE", "0")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("videoloket serve started with unusable TURN settings {env:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success());
    assert!(
        !dir.path().join("videoloket.db").exists(),
        "the database was created before the TURN settings were checked"
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn turn_urls_without_a_secret_are_refused_with_what_to_set() {
    let stderr = refused(&[(
        "VIDEOLOKET_TURN_URLS",
        "turns:turn.example.nl:443?transport=tcp",
    )]);
    assert!(stderr.contains("no TURN secret"), "{stderr}");
    assert!(stderr.contains("VIDEOLOKET_TURN_SECRET"), "{stderr}");
}

#[test]
fn a_turn_secret_without_urls_or_an_empty_secret_file_is_refused() {
    let stderr = refused(&[("VIDEOLOKET_TURN_SECRET", "a-secret-never-printed")]);
    assert!(stderr.contains("VIDEOLOKET_TURN_URLS"), "{stderr}");
    assert!(!stderr.contains("a-secret-never-printed"), "{stderr}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("turn.secret");
    std::fs::write(&file, "\n").unwrap();
    let stderr = refused(&[
        ("VIDEOLOKET_TURN_URLS", "turn:turn.example.nl:3478"),
        ("VIDEOLOKET_TURN_SECRET_FILE", file.to_str().unwrap()),
    ]);
    assert!(stderr.contains("the TURN secret is empty"), "{stderr}");
}

#[test]
fn a_stun_url_among_the_turn_urls_is_refused() {
    let stderr = refused(&[
        ("VIDEOLOKET_TURN_URLS", "stun:stun.example.nl:3478"),
        ("VIDEOLOKET_TURN_SECRET", "a-secret-never-printed"),
    ]);
    assert!(stderr.contains("not a TURN URL"), "{stderr}");
    assert!(!stderr.contains("a-secret-never-printed"), "{stderr}");
}
