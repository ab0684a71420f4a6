#!/usr/bin/env bash
# Where the SFU's time goes (issue 18): K calls through the per-core engine (`loadtest
# sfu-server`), `perf record` on the server for a few seconds in the steady part, then the
# samples sorted into what pays for a forwarded packet (loadtest/profile/breakdown.py).
#
#   loadtest/profile/run.sh [K] [SECONDS]       e.g. loadtest/profile/run.sh 80 8
#
# Needs: cargo build --release -p loadtest, perf, python3. Call chains are unwound with DWARF
# (the release binary keeps its unwind tables and symbol names).
set -euo pipefail
cd "$(dirname "$0")/../.."
k="${1:-80}"
seconds="${2:-8}"
bin=./target/release/loadtest
out=$(mktemp -d)
# PROFILE_KEEP=dir keeps perf.data and the logs there.
trap 'if [ -n "${PROFILE_KEEP:-}" ]; then mkdir -p "$PROFILE_KEEP"; cp "$out"/* "$PROFILE_KEEP"/; fi; rm -rf "$out"' EXIT
export VIDEOLOKET_ROOM_TOKEN_SECRET=loadtest-secret-loadtest-secret-0123456789

$bin sfu-server --listen 127.0.0.1:18189 --media-port 41700 > "$out/sfu.log" 2>&1 &
sfu=$!
sleep 1
# The recording starts 8 s in (every call joined, its media flowing) and ends before the
# calls do.
$bin calls --base-url http://127.0.0.1:18189 --ramp "$k" --seconds $((seconds + 10)) \
  --relay false --server-pid $sfu --json "$out/calls.json" > "$out/calls.log" 2>&1 &
calls=$!
sleep 8
perf record -q -F 499 --call-graph dwarf,16384 -p $sfu -o "$out/perf.data" -- sleep "$seconds" 2>/dev/null
wait $calls || true
kill $sfu; wait $sfu 2>/dev/null || true
grep -E "calls \(K\)|loss \(all|pkts/s per server core" "$out/calls.log" || true
perf script -i "$out/perf.data" -F comm,ip,sym 2>/dev/null | python3 loadtest/profile/breakdown.py
