#!/usr/bin/env bash
# Starts Janus (Debian package `janus`, 1.1.2) as the calls benchmark's reference SFU: its
# EchoTest plugin over the WebSocket API on 127.0.0.1:8188, nothing else loaded.
#
#   loadtest/janus/run.sh [EVENT_LOOPS] [INTERFACE]
#
# EVENT_LOOPS: 0 = Janus's default (a thread per handle); N = a pool of N loops (its best
# configuration: the number of cores). INTERFACE: the one whose address Janus gathers
# candidates on (default: the interface of the default route). Janus leaves out loopback
# when it gathers, so the load test binds its peers to the same machine address, and the
# packets are routed over `lo` all the same. Prints Janus's PID; its log goes to $DIR/janus.log.
set -euo pipefail
loops="${1:-0}"
iface="${2:-$(ip -4 route show default | awk '{print $5; exit}')}"
dir="${JANUS_CONFIG_DIR:-/tmp/videoloket-janus}"
rm -rf "$dir" && mkdir -p "$dir"
cp /etc/janus/janus.jcfg /etc/janus/janus.plugin.echotest.jcfg \
   /etc/janus/janus.transport.websockets.jcfg "$dir/"
plugins=$(ls /usr/lib/x86_64-linux-gnu/janus/plugins/*.so | xargs -n1 basename | grep -v echotest | paste -sd, -)
transports=$(ls /usr/lib/x86_64-linux-gnu/janus/transports/*.so | xargs -n1 basename | grep -v websockets | paste -sd, -)
handlers=$(ls /usr/lib/x86_64-linux-gnu/janus/events/*.so 2>/dev/null | xargs -rn1 basename | paste -sd, -)
loggers=$(ls /usr/lib/x86_64-linux-gnu/janus/loggers/*.so 2>/dev/null | xargs -rn1 basename | paste -sd, -)
cfg="$dir/janus.jcfg"
sed -i \
  -e "s|^\(\s*\)configs_folder = .*|\1configs_folder = \"$dir\"|" \
  -e "s|^\(\s*\)debug_level = .*|\1debug_level = 3|" \
  -e "s|^\(\s*\)#ice_enforce_list = \"eth0\"|\1ice_enforce_list = \"$iface\"|" \
  -e "s|^\(\s*\)#rtp_port_range = .*|\1rtp_port_range = \"20000-40000\"|" \
  "$cfg"
if [ "$loops" != 0 ]; then
  sed -i -e "s|^\(\s*\)#event_loops = .*|\1event_loops = $loops|" "$cfg"
fi
# Only EchoTest and the WebSocket transport: the `disable` lines of each section, in order
# (plugins, transports, loggers, events).
awk -v p="$plugins" -v t="$transports" -v l="$loggers" -v e="$handlers" '
  /^plugins: *\{/    {sec="p"} /^transports: *\{/ {sec="t"}
  /^loggers: *\{/    {sec="l"} /^events: *\{/     {sec="e"}
  /^\s*#disable = / && sec!="" {
    v = (sec=="p") ? p : (sec=="t") ? t : (sec=="l") ? l : e
    if (v != "") { sub(/#disable = .*/, "disable = \"" v "\"") }
  }
  {print}' "$cfg" > "$cfg.new" && mv "$cfg.new" "$cfg"
sed -i -e "s|^\(\s*\)#ws_ip = .*|\1ws_ip = \"127.0.0.1\"|" "$dir/janus.transport.websockets.jcfg"
janus -F "$dir" -C "$cfg" --disable-colors > "$dir/janus.log" 2>&1 &
echo $!
