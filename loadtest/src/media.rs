//! The synthetic media stream both the SFU run and the UDP relay baseline send, and what a
//! receiver measures of it.
//!
//! Every payload starts with a 24-byte header: magic `VLLT`, the sending stream's id (u32),
//! the stream's own packet counter (u64) and the send time in microseconds since the load
//! test started (u64). Sender and receiver live in the same process, so the clock is shared.

use crate::stats::Samples;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

pub const MAGIC: &[u8; 4] = b"VLLT";
pub const HEADER_LEN: usize = 24;
/// Opus at about 32 kbit/s: 80-byte frames every 20 ms.
pub const AUDIO_PAYLOAD: usize = 80;
pub const AUDIO_INTERVAL: Duration = Duration::from_millis(20);
/// Video payload per RTP packet at most (browsers stay under ~1200 bytes of payload).
pub const VIDEO_MTU_PAYLOAD: usize = 1100;
/// A keyframe every this many frames, this many times the size of a delta frame.
pub const KEYFRAME_EVERY: u64 = 60;
pub const KEYFRAME_FACTOR: usize = 4;

static EPOCH: OnceLock<Instant> = OnceLock::new();

pub fn now_us() -> u64 {
    EPOCH.get_or_init(Instant::now).elapsed().as_micros() as u64
}

pub fn init_clock() {
    let _ = now_us();
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Audio,
    Video,
}

/// Frame and packet sizes for a video stream of `bitrate_bps` at `fps`.
#[derive(Clone, Copy, Debug)]
pub struct VideoPlan {
    pub fps: u32,
    pub delta_frame_bytes: usize,
}

impl VideoPlan {
    pub fn new(bitrate_bps: u64, fps: u32) -> Self {
        let avg = bitrate_bps as f64 / 8.0 / fps as f64;
        // Keep the average: (KEYFRAME_EVERY - 1) deltas + one keyframe of KEYFRAME_FACTOR deltas.
        let per = KEYFRAME_EVERY as f64 / (KEYFRAME_EVERY as f64 - 1.0 + KEYFRAME_FACTOR as f64);
        Self {
            fps,
            delta_frame_bytes: (avg * per).round() as usize,
        }
    }
    pub fn interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.fps as f64)
    }
    /// Payload sizes of the packets of frame number `n`.
    pub fn packets(&self, n: u64) -> Vec<usize> {
        let bytes = if n.is_multiple_of(KEYFRAME_EVERY) {
            self.delta_frame_bytes * KEYFRAME_FACTOR
        } else {
            self.delta_frame_bytes
        };
        let count = bytes.div_ceil(VIDEO_MTU_PAYLOAD).max(1);
        let each = bytes / count;
        (0..count)
            .map(|i| {
                let size = if i + 1 == count {
                    bytes - each * (count - 1)
                } else {
                    each
                };
                size.max(HEADER_LEN)
            })
            .collect()
    }
}

/// One outgoing stream: its id and how many packets it has sent.
pub struct SendCounter {
    pub stream: u32,
    pub kind: Kind,
    pub sent: AtomicU64,
}

impl SendCounter {
    pub fn new(stream: u32, kind: Kind) -> Arc<Self> {
        Arc::new(Self {
            stream,
            kind,
            sent: AtomicU64::new(0),
        })
    }
    /// A payload of `size` bytes carrying the header; counts the packet as sent.
    pub fn payload(&self, size: usize) -> Vec<u8> {
        let seq = self.sent.fetch_add(1, Ordering::Relaxed);
        let mut p = vec![0u8; size.max(HEADER_LEN)];
        p[..4].copy_from_slice(MAGIC);
        p[4..8].copy_from_slice(&self.stream.to_be_bytes());
        p[8..16].copy_from_slice(&seq.to_be_bytes());
        p[16..24].copy_from_slice(&now_us().to_be_bytes());
        p
    }
}

#[derive(Default, Debug)]
pub struct StreamRecv {
    pub received: u64,
    pub latency: Samples,
    /// RFC 3550 interarrival jitter, microseconds.
    pub jitter_us: f64,
    last_transit: Option<i64>,
    pub max_seq: Option<u64>,
    pub duplicates_or_reordered: u64,
}

/// What one receiver saw, per remote stream.
#[derive(Default)]
pub struct Receiver {
    pub streams: Mutex<HashMap<u32, (Kind, StreamRecv)>>,
    pub first_packet: OnceLock<Instant>,
}

impl Receiver {
    /// Records a packet; `measuring` gates the latency samples to the measurement window.
    pub fn record(&self, payload: &[u8], kind: Kind, measuring: &AtomicBool) {
        let now = now_us();
        if payload.len() < HEADER_LEN || &payload[..4] != MAGIC {
            return;
        }
        let _ = self.first_packet.set(Instant::now());
        let stream = u32::from_be_bytes(payload[4..8].try_into().unwrap());
        let seq = u64::from_be_bytes(payload[8..16].try_into().unwrap());
        let sent = u64::from_be_bytes(payload[16..24].try_into().unwrap());
        let mut streams = self.streams.lock().unwrap();
        let (_, s) = streams
            .entry(stream)
            .or_insert_with(|| (kind, StreamRecv::default()));
        s.received += 1;
        match s.max_seq {
            Some(m) if seq <= m => s.duplicates_or_reordered += 1,
            _ => s.max_seq = Some(seq),
        }
        let transit = now as i64 - sent as i64;
        if let Some(last) = s.last_transit {
            let d = (transit - last).abs() as f64;
            s.jitter_us += (d - s.jitter_us) / 16.0;
        }
        s.last_transit = Some(transit);
        if measuring.load(Ordering::Relaxed) {
            s.latency.push_us(transit.max(0) as u64);
        }
    }

    /// Received packets per stream so far.
    pub fn counts(&self) -> HashMap<u32, u64> {
        self.streams
            .lock()
            .unwrap()
            .iter()
            .map(|(id, (_, s))| (*id, s.received))
            .collect()
    }

    /// Takes the latency samples and the current jitter, by kind.
    pub fn drain(&self) -> Vec<(Kind, Samples, f64, u64)> {
        self.streams
            .lock()
            .unwrap()
            .values_mut()
            .map(|(k, s)| {
                (
                    *k,
                    std::mem::take(&mut s.latency),
                    s.jitter_us,
                    std::mem::take(&mut s.duplicates_or_reordered),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn video_plan_keeps_the_bitrate() {
        let plan = VideoPlan::new(1_500_000, 30);
        let bytes: usize = (0..KEYFRAME_EVERY).flat_map(|n| plan.packets(n)).sum();
        let bps = bytes as f64 * 8.0 * 30.0 / KEYFRAME_EVERY as f64;
        assert!((bps - 1_500_000.0).abs() < 15_000.0, "{bps}");
        assert!(plan.packets(1).iter().all(|&s| s <= VIDEO_MTU_PAYLOAD));
    }

    #[test]
    fn receiver_reads_the_header() {
        let c = SendCounter::new(7, Kind::Audio);
        let r = Receiver::default();
        let on = AtomicBool::new(true);
        r.record(&c.payload(80), Kind::Audio, &on);
        r.record(&c.payload(80), Kind::Audio, &on);
        assert_eq!(r.counts()[&7], 2);
    }
}
