#!/usr/bin/env bash
# The calls benchmark against Janus in one run (issue 18): the same peers and packet stream
# through Videoloket's SFU (per-core engine, `loadtest sfu-server`), the plain UDP relay, and
# Janus 1.1.2's EchoTest in its default configuration and with `event_loops` = cores.
#
#   loadtest/janus/compare.sh RAMP [SECONDS]      e.g. loadtest/janus/compare.sh 40,80 8
#
# Needs: cargo build --release -p loadtest; the Debian package janus. JSON reports go to
# loadtest/results/compare-*.json; the summary lines to standard output.
set -euo pipefail
cd "$(dirname "$0")/../.."
ramp="${1:-40,80}"
seconds="${2:-8}"
cores=$(nproc)
bin=./target/release/loadtest
ip=$(ip -4 route get 1.1.1.1 | awk '{for (i=1;i<=NF;i++) if ($i=="src") print $(i+1)}')
export VIDEOLOKET_ROOM_TOKEN_SECRET=loadtest-secret-loadtest-secret-0123456789
summary() { grep -E "calls \(K\)|loss \(all|one-way|server CPU|pkts/s per server core|SFU/relay|relay pkts/s per core" || true; }

echo "== videoloket, per-core engine ($cores cores), with the UDP relay baseline"
$bin sfu-server --listen 127.0.0.1:18188 --media-port 41600 > /tmp/compare-sfu.log 2>&1 &
sfu=$!
sleep 1
$bin calls --base-url http://127.0.0.1:18188 --ramp "$ramp" --seconds "$seconds" --keep-going \
  --server-pid $sfu --json loadtest/results/compare-videoloket.json | summary
kill $sfu; wait $sfu 2>/dev/null || true

for loops in 0 "$cores"; do
  echo "== janus, event_loops=$loops (0: its default, a thread per handle)"
  pid=$(loadtest/janus/run.sh "$loops")
  sleep 2
  $bin calls --target janus --janus-bind-ip "$ip" --secret unused --ramp "$ramp" \
    --seconds "$seconds" --keep-going --relay false --server-pid "$pid" \
    --json "loadtest/results/compare-janus-loops-$loops.json" | summary
  kill "$pid"; sleep 1
done
