//! An independent WebRTC implementation (Python aiortc) joins through the signalling
//! protocol with a webrtc-rs peer; each decodes / receives the other's media via the SFU.
//!
//! Needs `VIDEOLOKET_PYTHON` pointing at an interpreter with `aiortc` and `websockets`
//! installed (CI: `.venv/bin/python`). Without it the test says so and returns.

mod common;

use common::{loopback_sfu_config, read_ivf, start_server, Media, TestPeer};
use signaling::token::Role;
use signaling::SignalingConfig;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aiortc_peer_and_webrtc_rs_peer_exchange_decodable_media() {
    let Ok(python) = std::env::var("VIDEOLOKET_PYTHON") else {
        println!("skipped: VIDEOLOKET_PYTHON not set");
        return;
    };
    tokio::time::timeout(Duration::from_secs(150), scenario(python))
        .await
        .expect("scenario timed out");
}

async fn scenario(python: String) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/python/aiortc_peer.py");
    let work = std::env::temp_dir().join(format!("videoloket-aiortc-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&work).expect("temp dir");
    let clip = work.join("clip.ivf");

    // Real VP8 for the Rust peer to send, encoded by libvpx through PyAV.
    let status = tokio::time::timeout(
        Duration::from_secs(60),
        Command::new(&python)
            .arg(&script)
            .args([
                "write-ivf",
                clip.to_str().expect("utf-8 path"),
                "--frames",
                "60",
            ])
            .kill_on_drop(true)
            .status(),
    )
    .await
    .expect("write-ivf timed out")
    .expect("run python");
    assert!(status.success(), "write-ivf failed: {status}");
    let frames = read_ivf(&clip);
    assert_eq!(frames.len(), 60);

    let server = start_server(loopback_sfu_config(), SignalingConfig::default()).await;
    let clerk = TestPeer::join_with(
        &server,
        "room-py",
        "clerk-1",
        &server.token("room-py", "clerk-1", Role::Clerk),
        Media::Real {
            vp8_frames: Arc::new(frames),
        },
    )
    .await
    .expect("clerk joins");

    let stderr_path = work.join("aiortc-stderr.log");
    let python_peer = Command::new(&python)
        .arg(&script)
        .args(
            std::env::var("VIDEOLOKET_AIORTC_VERBOSE")
                .ok()
                .map(|_| "--verbose"),
        )
        .args(["join", "--url", &format!("ws://{}/ws", server.addr)])
        .args(["--room", "room-py"])
        .args([
            "--token",
            &server.token("room-py", "resident-py", Role::Resident),
        ])
        .args(["--min-frames", "25", "--timeout", "60", "--linger", "2"])
        .stdout(Stdio::piped())
        // A file, not a pipe: nobody reads stderr while the peer runs, and a full pipe
        // would stall it.
        .stderr(std::fs::File::create(&stderr_path).expect("stderr file"))
        .kill_on_drop(true)
        .spawn()
        .expect("spawn python peer");

    // The Rust peer receives aiortc's VP8 (with keyframes) and Opus through the SFU.
    clerk
        .wait_for_within("aiortc's audio and video", Duration::from_secs(60), |p| {
            let f = p.from("resident-py");
            f.video_packets >= 30 && f.audio_packets >= 30 && f.vp8_keyframes >= 1
        })
        .await;

    let output = tokio::time::timeout(Duration::from_secs(70), python_peer.wait_with_output())
        .await
        .expect("python peer timed out")
        .expect("python peer output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    assert!(
        output.status.success(),
        "python peer failed: {}\nstdout: {stdout}\nSFU: {}\nstderr (tail): {}",
        output.status,
        server.state.sfu().metrics_text(),
        stderr.lines().rev().take(40).collect::<Vec<_>>().join("\n")
    );
    let report: serde_json::Value = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no JSON report from python peer:\n{stdout}\n{stderr}"));
    // aiortc decoded the Rust peer's VP8 at its real size, and its Opus.
    assert!(
        report["video_frames"].as_u64().unwrap_or(0) >= 25,
        "{report}"
    );
    assert!(
        report["audio_frames"].as_u64().unwrap_or(0) >= 25,
        "{report}"
    );
    assert_eq!(report["width"], 320, "{report}");
    assert_eq!(report["height"], 240, "{report}");

    clerk.close().await;
    let _ = std::fs::remove_dir_all(&work);
}
