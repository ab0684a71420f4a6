//! Counters for `/metrics` and the bookkeeping that lets tests prove nothing leaks.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use crate::MediaKind;

/// Node-wide counters. Gauges that can be derived from the room map (rooms,
/// participants) are computed when rendering instead of being kept here.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    /// Open peer connections (closed ones are subtracted when the SFU closes them).
    pub peer_connections: AtomicI64,
    packets: [AtomicU64; 2],
    bytes: [AtomicU64; 2],
    /// Packets that could not be written to a subscriber (not yet negotiated, closed...).
    pub dropped: AtomicU64,
    /// Keyframe requests relayed to publishers.
    pub keyframe_requests: AtomicU64,
    /// Offers sent to clients (initial, renegotiation and ICE restarts).
    pub offers: AtomicU64,
}

impl Metrics {
    pub fn count_forwarded(&self, kind: MediaKind, bytes: usize) {
        self.packets[kind.index()].fetch_add(1, Ordering::Relaxed);
        self.bytes[kind.index()].fetch_add(bytes as u64, Ordering::Relaxed);
    }

    pub fn forwarded_packets(&self, kind: MediaKind) -> u64 {
        self.packets[kind.index()].load(Ordering::Relaxed)
    }

    pub fn forwarded_bytes(&self, kind: MediaKind) -> u64 {
        self.bytes[kind.index()].load(Ordering::Relaxed)
    }
}

/// Per-room counters, gone with the room.
#[derive(Debug, Default)]
pub(crate) struct RoomStats {
    pub packets: AtomicU64,
    pub bytes: AtomicU64,
}

/// Transport figures sampled from one peer connection's stats report.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct TransportStats {
    /// Cumulative RTP packets lost on the uplink (publisher -> SFU), as RTCP reports them.
    pub packets_lost: i64,
    /// Current ICE round-trip time in seconds, once measured.
    pub rtt_seconds: Option<f64>,
}

/// One room's figures at render time.
pub(crate) struct RoomSnapshot {
    pub id: String,
    pub participants: usize,
    pub packets: u64,
    pub bytes: u64,
    pub packets_lost: i64,
    pub rtt_seconds: Option<f64>,
}

/// Renders Prometheus text exposition format (version 0.0.4).
pub(crate) fn render(metrics: &Metrics, rooms: &[RoomSnapshot]) -> String {
    let mut out = String::new();
    let participants: usize = rooms.iter().map(|r| r.participants).sum();
    gauge(
        &mut out,
        "rooms",
        "Rooms with at least one participant.",
        rooms.len() as f64,
    );
    gauge(
        &mut out,
        "participants",
        "Participants in all rooms, including reconnecting ones.",
        participants as f64,
    );
    gauge(
        &mut out,
        "peer_connections",
        "Open SFU peer connections.",
        metrics.peer_connections.load(Ordering::Relaxed) as f64,
    );

    header(
        &mut out,
        "forwarded_packets_total",
        "counter",
        "RTP packets forwarded to subscribers.",
    );
    for kind in MediaKind::ALL {
        let _ = writeln!(
            out,
            "videoloket_sfu_forwarded_packets_total{{kind=\"{kind}\"}} {}",
            metrics.forwarded_packets(kind)
        );
    }
    header(
        &mut out,
        "forwarded_bytes_total",
        "counter",
        "RTP payload bytes forwarded to subscribers.",
    );
    for kind in MediaKind::ALL {
        let _ = writeln!(
            out,
            "videoloket_sfu_forwarded_bytes_total{{kind=\"{kind}\"}} {}",
            metrics.forwarded_bytes(kind)
        );
    }
    counter(
        &mut out,
        "dropped_packets_total",
        "RTP packets that could not be forwarded.",
        metrics.dropped.load(Ordering::Relaxed),
    );
    counter(
        &mut out,
        "keyframe_requests_total",
        "Keyframe requests (PLI) sent to publishers.",
        metrics.keyframe_requests.load(Ordering::Relaxed),
    );
    counter(
        &mut out,
        "offers_total",
        "SDP offers sent to clients.",
        metrics.offers.load(Ordering::Relaxed),
    );

    header(
        &mut out,
        "room_participants",
        "gauge",
        "Participants per room.",
    );
    for room in rooms {
        let _ = writeln!(
            out,
            "videoloket_sfu_room_participants{{room=\"{}\"}} {}",
            escape(&room.id),
            room.participants
        );
    }
    header(
        &mut out,
        "room_forwarded_packets_total",
        "counter",
        "RTP packets forwarded per room.",
    );
    for room in rooms {
        let _ = writeln!(
            out,
            "videoloket_sfu_room_forwarded_packets_total{{room=\"{}\"}} {}",
            escape(&room.id),
            room.packets
        );
    }
    header(
        &mut out,
        "room_forwarded_bytes_total",
        "counter",
        "RTP payload bytes forwarded per room.",
    );
    for room in rooms {
        let _ = writeln!(
            out,
            "videoloket_sfu_room_forwarded_bytes_total{{room=\"{}\"}} {}",
            escape(&room.id),
            room.bytes
        );
    }
    header(
        &mut out,
        "room_packets_lost",
        "gauge",
        "RTP packets lost on the uplinks of a room, as reported by RTCP.",
    );
    for room in rooms {
        let _ = writeln!(
            out,
            "videoloket_sfu_room_packets_lost{{room=\"{}\"}} {}",
            escape(&room.id),
            room.packets_lost
        );
    }
    header(
        &mut out,
        "room_rtt_seconds",
        "gauge",
        "Highest current ICE round-trip time among a room's participants.",
    );
    for room in rooms {
        if let Some(rtt) = room.rtt_seconds {
            let _ = writeln!(
                out,
                "videoloket_sfu_room_rtt_seconds{{room=\"{}\"}} {rtt}",
                escape(&room.id)
            );
        }
    }
    out
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP videoloket_sfu_{name} {help}");
    let _ = writeln!(out, "# TYPE videoloket_sfu_{name} {kind}");
}

fn gauge(out: &mut String, name: &str, help: &str, value: f64) {
    header(out, name, "gauge", help);
    let _ = writeln!(out, "videoloket_sfu_{name} {value}");
}

fn counter(out: &mut String, name: &str, help: &str, value: u64) {
    header(out, name, "counter", help);
    let _ = writeln!(out, "videoloket_sfu_{name} {value}");
}

/// Label values must escape backslash, quote and newline.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_rooms_and_escapes_labels() {
        let metrics = Metrics::default();
        metrics.count_forwarded(MediaKind::Video, 1000);
        let text = render(
            &metrics,
            &[RoomSnapshot {
                id: "a\"b".into(),
                participants: 2,
                packets: 5,
                bytes: 50,
                packets_lost: 1,
                rtt_seconds: Some(0.25),
            }],
        );
        assert!(text.contains("videoloket_sfu_rooms 1\n"), "{text}");
        assert!(text.contains("videoloket_sfu_participants 2\n"), "{text}");
        assert!(
            text.contains("videoloket_sfu_forwarded_bytes_total{kind=\"video\"} 1000\n"),
            "{text}"
        );
        assert!(
            text.contains("videoloket_sfu_room_participants{room=\"a\\\"b\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("videoloket_sfu_room_rtt_seconds{room=\"a\\\"b\"} 0.25\n"),
            "{text}"
        );
        // Every sample line is "name{labels} value" or "name value".
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            assert_eq!(line.rsplitn(2, ' ').count(), 2, "bad line {line}");
        }
    }
}
