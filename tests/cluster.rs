//! Several instances on one PostgreSQL database (issue 19), as separate processes on loopback
//! addresses: two API instances (`--role api`) and two media nodes (`--role media`).
//!
//! - A resident whose socket reaches instance A and a clerk whose socket reaches instance B
//!   meet on one media node and receive each other's media.
//! - Two instances placing the same new room at the same moment agree.
//! - Calls spread over both nodes.
//! - `kill -9` of the node hosting a call: both sides join again by themselves (as the call
//!   page does on close code 1012) and the call resumes on the other node; the gap is printed.
//! - The killed node comes back and takes new rooms. The node hosting the call hangs (SIGSTOP):
//!   the call moves again; woken up, the hung node leaves it alone.
//! - A node told to stop (SIGTERM) drains: no new room goes to it, its call goes on, and it
//!   leaves once that call is over.
//!
//! Needs PostgreSQL (`TEST_DATABASE_URL`, as `.ci/run` sets it); skipped without it.

mod common;

use loadtest::testpeer::{Closed, OnRtp, Peer, PeerOptions};
use rtc::rtp;
use signaling::protocol::ClientMessage;
use signaling::token::{Role, RoomClaims, RoomTokenKeys};
use sqlx::{Connection, PgPool};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use webrtc::media_stream::track_local::TrackLocal;

/// What the call page waits before joining again after a close it may recover from
/// (web/static/call.js): 1.5 s, or 200 to 600 ms after 1012 (join again at once).
const RECONNECT_DELAY: Duration = Duration::from_millis(1500);
const SERVICE_RESTART: u16 = 1012;

fn rejoin_delay(code: u16) -> Duration {
    if code == SERVICE_RESTART {
        Duration::from_millis(200 + u64::from(rand::random::<u16>() % 400))
    } else {
        RECONNECT_DELAY
    }
}

/// Close codes after which the page does not join again (web/static/call.js).
const FINAL_CLOSE_CODES: [u16; 8] = [1000, 4001, 4002, 4003, 4004, 4005, 4006, 4008];

struct Process {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Process {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let from = lines.len().saturating_sub(40);
        format!("--- {} ---\n{}", self.name, lines[from..].join("\n"))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Cluster {
    dir: tempfile::TempDir,
    database_url: String,
    secret: String,
    processes: Vec<Process>,
}

impl Cluster {
    fn free_addr(ip: &str) -> SocketAddr {
        std::net::TcpListener::bind((ip.parse::<IpAddr>().unwrap(), 0))
            .unwrap()
            .local_addr()
            .unwrap()
    }

    /// Starts `videoloket serve --role <role>` on `addr` and waits until it answers.
    async fn start(&mut self, name: &str, role: &str, addr: SocketAddr, extra: &[&str]) -> usize {
        let data = self.dir.path().join(name);
        std::fs::create_dir_all(&data).unwrap();
        let log = self.dir.path().join(format!("{name}.log"));
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_videoloket"))
            .args(["serve", "--role", role])
            .args(extra)
            .env("VIDEOLOKET_DATA_DIR", &data)
            .env("VIDEOLOKET_HTTP_ADDR", addr.to_string())
            .env("DATABASE_URL", &self.database_url)
            .env("VIDEOLOKET_ROOM_TOKEN_SECRET", &self.secret)
            .env(
                "VIDEOLOKET_SESSION_KEY_FILE",
                self.dir.path().join("session.key"),
            )
            .env(
                "VIDEOLOKET_SECRETS_KEY_FILE",
                self.dir.path().join("secrets.key"),
            )
            .env("VIDEOLOKET_BOOKINGS_PER_ADDRESS", "1000")
            .env("VIDEOLOKET_SHUTDOWN_GRACE_SECONDS", "60")
            .env("RUST_LOG", "info,sqlx=warn,webrtc=warn,rtc=warn")
            .env_remove("VIDEOLOKET_BASE_URL")
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap();
        self.processes.push(Process {
            name: name.into(),
            child,
            log,
        });
        let index = self.processes.len() - 1;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = reqwest::get(format!("http://{addr}/healthz")).await {
                if r.status() == 200 {
                    break;
                }
            }
            assert!(
                Instant::now() < deadline,
                "{name} did not start\n{}",
                self.processes[index].log_tail()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        index
    }

    fn logs(&self) -> String {
        self.processes
            .iter()
            .map(Process::log_tail)
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn token(&self, room: &str, who: &str, role: Role) -> String {
        let now = signaling::token::now_unix();
        RoomTokenKeys::from_secret(self.secret.as_bytes()).issue(&RoomClaims {
            room: room.into(),
            sub: who.into(),
            role,
            name: who.into(),
            tenant: "voorbeeld".into(),
            nbf: now - 5,
            exp: now + 3600,
        })
    }
}

/// The media nodes whose lease holds.
async fn live_nodes(pool: &PgPool) -> Vec<(String, bool)> {
    let now_ms = jiff::Timestamp::now().as_millisecond();
    sqlx::query_as::<_, (String, i32)>(
        "SELECT id, draining FROM media_nodes WHERE heartbeat_ms > $1 ORDER BY id",
    )
    .bind(now_ms - 3_000)
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .map(|(id, draining)| (id, draining != 0))
    .collect()
}

async fn wait_for_nodes(pool: &PgPool, want: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let live: Vec<String> = live_nodes(pool).await.into_iter().map(|n| n.0).collect();
        if live == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "live nodes {live:?}, want {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn placement(pool: &PgPool, room: &str) -> Option<String> {
    sqlx::query_scalar("SELECT node_id FROM room_placements WHERE room_id = $1")
        .bind(room)
        .fetch_optional(pool)
        .await
        .unwrap()
}

/// Books `n` passport appointments through an instance's public API; returns their rooms.
async fn book(api: SocketAddr, n: usize) -> Vec<String> {
    common::book_passports(&format!("http://{api}"), n).await
}

/// One side of a call as the call page behaves: joins, sends audio every 20 ms, and joins
/// again 1.5 s after any close it may recover from. Records when packets of the other side
/// arrive.
struct Caller {
    name: String,
    arrivals: Arc<Mutex<Vec<Instant>>>,
    joins: Arc<AtomicU32>,
    /// When each join was answered.
    joined_at: Arc<Mutex<Vec<Instant>>>,
    last_close: Arc<Mutex<Option<Closed>>>,
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Caller {
    fn start(instance: SocketAddr, room: &str, name: &str, token: String) -> Self {
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let joins = Arc::new(AtomicU32::new(0));
        let joined_at = Arc::new(Mutex::new(Vec::new()));
        let last_close = Arc::new(Mutex::new(None));
        let stop = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn({
            let (arrivals, joins, joined_at, last_close, stop) = (
                Arc::clone(&arrivals),
                Arc::clone(&joins),
                Arc::clone(&joined_at),
                Arc::clone(&last_close),
                Arc::clone(&stop),
            );
            let (room, name) = (room.to_string(), name.to_string());
            async move {
                let url = format!("ws://{instance}/ws");
                while !stop.load(Ordering::Relaxed) {
                    let seen = Arc::clone(&arrivals);
                    let me = name.clone();
                    let on_rtp: OnRtp = Arc::new(move |from, _kind, _packet| {
                        if from != me {
                            seen.lock().unwrap().push(Instant::now());
                        }
                    });
                    let options = PeerOptions {
                        join_timeout: Duration::from_secs(10),
                        ..PeerOptions::named(&name)
                    };
                    let mut peer = match Peer::join(&url, &room, &token, options, on_rtp).await {
                        Ok(peer) => peer,
                        Err(_) => {
                            tokio::time::sleep(RECONNECT_DELAY).await;
                            continue;
                        }
                    };
                    joins.fetch_add(1, Ordering::Relaxed);
                    joined_at.lock().unwrap().push(Instant::now());
                    let audio = Arc::clone(&peer.audio.track);
                    let ssrc = peer.audio.ssrc;
                    peer.keep(tokio::spawn(async move {
                        let mut tick = tokio::time::interval(Duration::from_millis(20));
                        for seq in 0u16.. {
                            tick.tick().await;
                            let packet = rtp::Packet {
                                header: rtp::header::Header {
                                    version: 2,
                                    payload_type: loadtest::testpeer::OPUS_PAYLOAD_TYPE,
                                    sequence_number: seq,
                                    timestamp: u32::from(seq).wrapping_mul(960),
                                    ssrc,
                                    ..Default::default()
                                },
                                payload: bytes::Bytes::from_static(b"opus-ish"),
                            };
                            let _ = audio.write_rtp(packet).await;
                        }
                    }));
                    let closed = loop {
                        if stop.load(Ordering::Relaxed) {
                            peer.send(ClientMessage::Leave);
                            tokio::time::sleep(Duration::from_millis(200)).await;
                            peer.close().await;
                            return;
                        }
                        if let Some(closed) = peer.closed() {
                            break closed;
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    };
                    peer.close().await;
                    let done = FINAL_CLOSE_CODES.contains(&closed.code);
                    let delay = rejoin_delay(closed.code);
                    *last_close.lock().unwrap() = Some(closed);
                    if done {
                        return;
                    }
                    tokio::time::sleep(delay).await;
                }
            }
        });
        Self {
            name: name.into(),
            arrivals,
            joins,
            joined_at,
            last_close,
            stop,
            task,
        }
    }

    fn received(&self) -> usize {
        self.arrivals.lock().unwrap().len()
    }

    fn last_before(&self, at: Instant) -> Option<Instant> {
        self.arrivals
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|t| **t < at)
            .copied()
    }

    fn first_after(&self, at: Instant) -> Option<Instant> {
        self.arrivals
            .lock()
            .unwrap()
            .iter()
            .find(|t| **t > at)
            .copied()
    }

    /// Waits until `more` packets of the other side arrived, within `limit`.
    async fn hears(&self, more: usize, limit: Duration, cluster: &Cluster) {
        let start = self.received();
        let deadline = Instant::now() + limit;
        while self.received() < start + more {
            assert!(
                Instant::now() < deadline,
                "{} heard {} packets in {limit:?} (joins {}, last close {:?})\n{}",
                self.name,
                self.received() - start,
                self.joins.load(Ordering::Relaxed),
                self.last_close.lock().unwrap(),
                cluster.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Prints how long this side heard nothing of the other around its first join after
    /// `since` (the last packet before that join to the first after it).
    fn report_gap(&self, what: &str, event: &str, since: Instant) {
        let rejoined = self
            .joined_at
            .lock()
            .unwrap()
            .iter()
            .copied()
            .find(|t| *t > since)
            .unwrap_or_else(|| panic!("{} joined again after the {event}", self.name));
        let before = self.last_before(rejoined).expect("media before");
        let after = self
            .first_after(rejoined)
            .expect("media after joining again");
        println!(
            "{what} gap heard by {}: {} ms without media ({event} to joined again: {} ms)",
            self.name,
            after.duration_since(before).as_millis(),
            rejoined.duration_since(since).as_millis()
        );
    }

    async fn leave(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }
}

/// Two aiortc peers in `room`, one joining through each instance; both must decode at least
/// 25 video and audio frames of the other (`tests/python/aiortc_peer.py`).
async fn aiortc_pair(cluster: &Cluster, api_a: SocketAddr, api_b: SocketAddr, room: &str) {
    let Ok(python) = std::env::var("VIDEOLOKET_PYTHON") else {
        eprintln!("VIDEOLOKET_PYTHON not set: skipping the aiortc peers (.ci/run sets it)");
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/aiortc_peer.py");
    let peers: Vec<_> = [(api_a, "resident-py"), (api_b, "clerk-py")]
        .into_iter()
        .map(|(instance, who)| {
            let role = if who.starts_with("clerk") {
                Role::Clerk
            } else {
                Role::Resident
            };
            let stderr = cluster.dir.path().join(format!("{who}.log"));
            tokio::process::Command::new(&python)
                .arg(&script)
                .args(["join", "--url", &format!("ws://{instance}/ws")])
                .args(["--room", room, "--token", &cluster.token(room, who, role)])
                .args(["--min-frames", "25", "--timeout", "60", "--linger", "3"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::fs::File::create(&stderr).unwrap())
                .kill_on_drop(true)
                .spawn()
                .expect("spawn the aiortc peer")
        })
        .collect();
    for (peer, who) in peers.into_iter().zip(["resident-py", "clerk-py"]) {
        let output = tokio::time::timeout(Duration::from_secs(75), peer.wait_with_output())
            .await
            .expect("the aiortc peer ends")
            .unwrap();
        let stderr =
            std::fs::read_to_string(cluster.dir.path().join(format!("{who}.log"))).unwrap();
        let tail: String = stderr.lines().rev().take(20).collect::<Vec<_>>().join("\n");
        assert!(
            output.status.success(),
            "{who}: {}\nstdout: {}\nstderr (last lines, newest first): {tail}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            cluster.logs()
        );
    }
}

/// How many media core threads (`sfu-core-N`) a process runs.
fn media_threads(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("comm")).ok())
        .filter(|name| name.starts_with("sfu-core-"))
        .count()
}

fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

fn write_key(path: &Path) {
    std::fs::write(path, random_hex(32)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_two_media_nodes_survive_the_loss_of_one() {
    let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
        eprintln!("TEST_DATABASE_URL not set: skipping the cluster test");
        return;
    };
    let name = format!("videoloket_cluster_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    let database_url = format!("{base}/{name}");

    let outcome =
        tokio::time::timeout(Duration::from_secs(240), scenario(database_url.clone())).await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    outcome.expect("the cluster scenario timed out");
}

async fn scenario(database_url: String) {
    let dir = tempfile::tempdir().unwrap();
    write_key(&dir.path().join("session.key"));
    write_key(&dir.path().join("secrets.key"));
    let mut cluster = Cluster {
        dir,
        database_url: database_url.clone(),
        secret: random_hex(32),
        processes: Vec::new(),
    };
    let api_a = Cluster::free_addr("127.0.0.2");
    let api_b = Cluster::free_addr("127.0.0.3");
    let media_1 = Cluster::free_addr("127.0.0.4");
    let media_2 = Cluster::free_addr("127.0.0.5");
    // The first instance migrates and creates the demo municipality; then the others.
    cluster.start("api-a", "api", api_a, &["--demo"]).await;
    cluster.start("api-b", "api", api_b, &[]).await;
    let node_1 = cluster
        .start("media-1", "media", media_1, &["--node-id", "media-1"])
        .await;
    let node_2 = cluster
        .start("media-2", "media", media_2, &["--node-id", "media-2"])
        .await;
    let pool = PgPool::connect(&database_url).await.unwrap();
    wait_for_nodes(&pool, &["media-1", "media-2"]).await;

    // An API instance hosts no call: it runs no media thread (nor its socket).
    for (index, hosts_calls) in [(0, false), (1, false), (node_1, true), (node_2, true)] {
        let process = &cluster.processes[index];
        assert_eq!(
            media_threads(process.pid()) > 0,
            hosts_calls,
            "{}: media threads",
            process.name
        );
    }

    // A media node takes relayed sockets only: the public cannot reach it directly.
    let direct = tokio_tungstenite::connect_async(format!("ws://{media_1}/ws")).await;
    assert!(direct.is_err(), "a media node refused a direct socket");

    // 1. Resident through A, clerk through B: they meet.
    // VIDEOLOKET_CLUSTER_CALLS: more calls for a measured run (docs/benchmarks.md).
    let calls: usize = std::env::var("VIDEOLOKET_CLUSTER_CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(9)
        .max(3);
    let rooms = book(api_a, calls).await;
    let call = rooms[0].as_str();
    let resident = Caller::start(
        api_a,
        call,
        "resident-1",
        cluster.token(call, "resident-1", Role::Resident),
    );
    let clerk = Caller::start(
        api_b,
        call,
        "clerk-1",
        cluster.token(call, "clerk-1", Role::Clerk),
    );
    let limit = Duration::from_secs(30);
    resident.hears(25, limit, &cluster).await;
    clerk.hears(25, limit, &cluster).await;
    let host = placement(&pool, call).await.expect("the call is placed");

    // 2. Two instances place the same new rooms at the same moment, and agree. Calls spread
    //    over both nodes.
    let mut others = Vec::new();
    for (i, room) in rooms[1..].iter().enumerate() {
        let (first, second) = if i % 2 == 0 {
            (api_a, api_b)
        } else {
            (api_b, api_a)
        };
        let resident_id = format!("resident-x{i}");
        let clerk_id = format!("clerk-x{i}");
        others.push(Caller::start(
            first,
            room,
            &resident_id,
            cluster.token(room, &resident_id, Role::Resident),
        ));
        others.push(Caller::start(
            second,
            room,
            &clerk_id,
            cluster.token(room, &clerk_id, Role::Clerk),
        ));
    }
    for caller in &others {
        caller.hears(10, limit, &cluster).await;
    }
    let mut per_node = std::collections::BTreeMap::<String, usize>::new();
    for room in &rooms {
        *per_node
            .entry(placement(&pool, room).await.expect("placed"))
            .or_default() += 1;
    }
    println!("placement balance over {} calls: {per_node:?}", rooms.len());
    assert_eq!(per_node.len(), 2, "calls on both nodes: {per_node:?}");
    assert!(
        per_node.values().all(|n| *n >= calls / 3),
        "calls spread over the nodes: {per_node:?}"
    );
    for caller in others {
        caller.leave().await;
    }

    // Two independent clients (aiortc: its own ICE, DTLS, SRTP and codecs), one through each
    // instance, decode each other's video and audio.
    aiortc_pair(&cluster, api_a, api_b, &book(api_a, 1).await[0]).await;

    // 3. kill -9 of the node hosting the call: both sides come back on the other node.
    let (hosting, survivor) = if host == "media-1" {
        (node_1, "media-2")
    } else {
        (node_2, "media-1")
    };
    let killed_at = Instant::now();
    let status = Command::new("kill")
        .args(["-KILL", &cluster.processes[hosting].pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let resume_limit = Duration::from_secs(20);
    resident.hears(25, resume_limit, &cluster).await;
    clerk.hears(25, resume_limit, &cluster).await;
    assert_eq!(placement(&pool, call).await.as_deref(), Some(survivor));
    for side in [&resident, &clerk] {
        side.report_gap("failover", "kill", killed_at);
    }

    // 4. The killed node comes back and rejoins the registry.
    let (again, killed_name, killed_addr) = if hosting == node_1 {
        ("media-1b", "media-1", media_1)
    } else {
        ("media-2b", "media-2", media_2)
    };
    cluster
        .start(again, "media", killed_addr, &["--node-id", killed_name])
        .await;
    wait_for_nodes(&pool, &["media-1", "media-2"]).await;

    // 5. The node hosting the call hangs (SIGSTOP: no heartbeat, no answers, connections stay
    //    open): the instances notice the silence, the call moves to the node that came back.
    //    Woken up again (SIGCONT), the hung node finds the room placed elsewhere and ends its
    //    stale copy; the call is not disturbed.
    let hung = cluster
        .processes
        .iter()
        .position(|p| p.name == survivor)
        .unwrap();
    let hung_pid = cluster.processes[hung].pid().to_string();
    let stopped_at = Instant::now();
    assert!(Command::new("kill")
        .args(["-STOP", &hung_pid])
        .status()
        .unwrap()
        .success());
    resident.hears(25, Duration::from_secs(30), &cluster).await;
    clerk.hears(25, Duration::from_secs(30), &cluster).await;
    assert_eq!(placement(&pool, call).await.as_deref(), Some(killed_name));
    for side in [&resident, &clerk] {
        side.report_gap("hang", "hang", stopped_at);
    }
    assert!(Command::new("kill")
        .args(["-CONT", &hung_pid])
        .status()
        .unwrap()
        .success());
    wait_for_nodes(&pool, &["media-1", "media-2"]).await;
    let joins = (
        resident.joins.load(Ordering::Relaxed),
        clerk.joins.load(Ordering::Relaxed),
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    resident.hears(25, limit, &cluster).await;
    assert_eq!(placement(&pool, call).await.as_deref(), Some(killed_name));
    assert_eq!(
        (
            resident.joins.load(Ordering::Relaxed),
            clerk.joins.load(Ordering::Relaxed)
        ),
        joins,
        "the woken node left the call alone"
    );

    // 6. Drain: SIGTERM to the node now hosting the call. No new room goes to it, the call goes
    //    on, and the node leaves once the call is over.
    let draining = cluster
        .processes
        .iter()
        .position(|p| p.name == again)
        .unwrap();
    let status = Command::new("kill")
        .args(["-TERM", &cluster.processes[draining].pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while !live_nodes(&pool)
        .await
        .iter()
        .any(|(id, draining)| id == killed_name && *draining)
    {
        assert!(Instant::now() < deadline, "the node says it drains");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let fresh = book(api_a, 1).await.remove(0);
    let newcomer = Caller::start(
        api_b,
        &fresh,
        "resident-new",
        cluster.token(&fresh, "resident-new", Role::Resident),
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while newcomer.joins.load(Ordering::Relaxed) == 0 {
        assert!(Instant::now() < deadline, "the new call starts");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        placement(&pool, &fresh).await.as_deref(),
        Some(survivor),
        "a new call goes to the node that takes new rooms"
    );
    resident.hears(25, limit, &cluster).await;
    clerk.hears(25, limit, &cluster).await;
    assert_eq!(
        placement(&pool, call).await.as_deref(),
        Some(killed_name),
        "the call stays on the draining node"
    );
    newcomer.leave().await;
    resident.leave().await;
    clerk.leave().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = cluster.processes[draining].child.try_wait().unwrap() {
            assert!(status.success(), "the drained node exits cleanly: {status}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the drained node exits once its call is over\n{}",
            cluster.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let registered: Vec<String> = sqlx::query_scalar("SELECT id FROM media_nodes ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(registered, [survivor], "the drained node left the registry");
    pool.close().await;
}
