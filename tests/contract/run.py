"""Contract test: the served OpenAPI document against the real server (issue #14 item 6).

Starts `videoloket serve` on SQLite (a temporary data directory, a free port, the demo
municipality), then runs schemathesis over /api/v1/openapi.json three times: anonymous, as
the demo clerk and as the demo admin. Any 5xx, a response that does not match its schema, or an
undocumented status or content type fails the run.

    python tests/contract/run.py [path/to/videoloket]   (default: target/debug/videoloket)

Bounds: CONTRACT_MAX_EXAMPLES per operation (default 30) and CONTRACT_MAX_SECONDS per identity
(default 60), so the whole run stays within a few minutes on two cores.
"""

import http.cookiejar
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_EXAMPLES = os.environ.get("CONTRACT_MAX_EXAMPLES", "30")
MAX_SECONDS = os.environ.get("CONTRACT_MAX_SECONDS", "60")
SESSION_COOKIE = "videoloket_session"
DEMO_TENANT = "voorbeeld"
CLERK = ("anna@voorbeeld.nl", "welkom-anna")
ADMIN = ("bram@voorbeeld.nl", "welkom-bram")

# Checks that hold the server to the document: no 5xx, every status and content type
# documented, every body and header as its schema says. Not failing checks: the stateful ones
# (use_after_free, ensure_resource_availability: the document declares no links), ignored_auth
# (public and cookie operations share paths), and positive_data_acceptance /
# negative_data_rejection: the server also enforces rules no schema states (a start in the
# past, a service id of another municipality, an end before its start), which it refuses with
# a documented 422 or 409.
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(base: str, server: subprocess.Popen) -> None:
    for _ in range(300):
        if server.poll() is not None:
            sys.exit(f"the server exited early with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("the server did not become ready within 60 s")


def login(base: str, email: str, password: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    body = json.dumps({"tenant": DEMO_TENANT, "email": email, "password": password})
    request = urllib.request.Request(
        f"{base}/api/v1/auth/login",
        data=body.encode(),
        headers={"Content-Type": "application/json", "Origin": base},
        method="POST",
    )
    with opener.open(request, timeout=10) as r:
        assert r.status == 200, r.status
    for cookie in jar:
        if cookie.name == SESSION_COOKIE:
            return cookie.value
    sys.exit(f"login of {email} set no session cookie")


def schemathesis() -> str:
    beside = Path(sys.executable).with_name("schemathesis")
    return str(beside) if beside.exists() else shutil.which("schemathesis") or "schemathesis"


def run(base: str, who: str, cookie: str | None, report_dir: Path) -> bool:
    command = [
        schemathesis(),
        "run",
        f"{base}/api/v1/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        MAX_EXAMPLES,
        "--max-time",
        MAX_SECONDS,
        "--phases",
        "examples,coverage,fuzzing",
        # One worker: with two, CPython 3.11's parser (used by hypothesis to describe its
        # strategies) is not thread-safe and aborts the run with a runtime error.
        "--workers",
        "1",
        "--seed",
        os.environ.get("CONTRACT_SEED", "14"),
        "--request-timeout",
        "10",
        "--suppress-health-check",
        "all",
        "--no-shrink",
        "--continue-on-failure",
        "--report",
        "junit",
        "--report-dir",
        str(report_dir / who),
        # The live streams never end by themselves; they are checked by the Rust tests.
        "--exclude-path-regex",
        "/events$",
    ]
    # The server refuses state-changing requests from another site (issue #13 item 8); a
    # browser on the platform's own pages sends this Origin, so the contract client does too.
    command += ["-H", f"Origin: {base}"]
    if cookie:
        command += ["-H", f"Cookie: {SESSION_COOKIE}={cookie}"]
    print(f"\n--- contract as {who} ---", flush=True)
    # schemathesis keeps a cache in its working directory: keep it out of the checkout.
    return subprocess.run(command, cwd=report_dir).returncode == 0


def main() -> int:
    binary = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "target/debug/videoloket"
    data_dir = Path(tempfile.mkdtemp(prefix="videoloket-contract-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(data_dir / "server.log", "w")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDEOLOKET_")}
    env.pop("DATABASE_URL", None)
    env["RUST_LOG"] = env.get("RUST_LOG", "warn")
    server = subprocess.Popen(
        [str(binary), "serve", "--data-dir", str(data_dir), "--http-addr", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        wait_ready(base, server)
        identities = [
            ("anonymous", None),
            ("clerk", login(base, *CLERK)),
            ("admin", login(base, *ADMIN)),
        ]
        reports = data_dir / "reports"
        reports.mkdir()
        results = {who: run(base, who, cookie, reports) for who, cookie in identities}
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
    failed = [who for who, ok in results.items() if not ok]
    if failed:
        print(f"\ncontract FAILED as {', '.join(failed)}; server log: {data_dir / 'server.log'}")
        return 1
    shutil.rmtree(data_dir, ignore_errors=True)
    print("\ncontract: the server keeps its OpenAPI document")
    return 0


if __name__ == "__main__":
    sys.exit(main())
