//! RTP forwarding: one [`Publication`] per published kind of media, fanned out to one
//! [`Downlink`] per subscriber. Packets are relayed as they are, never decoded.

use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};
use tracing::{debug, trace};
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_local::{TrackLocal, TrackLocalEvent};
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::rtp_transceiver::RtpSender;

use crate::metrics::{spawn_tracked, Metrics, RoomStats};
use crate::room::Room;
use crate::MediaKind;

/// Keyframe requests closer together than this are merged: several subscribers recovering
/// at once need one keyframe, not several.
const KEYFRAME_REQUEST_INTERVAL: Duration = Duration::from_millis(500);

static SOURCE_GENERATION: AtomicU64 = AtomicU64::new(1);

/// The publisher's current incoming track for a publication. Replaced when the publisher
/// reconnects with a fresh peer connection.
struct Source {
    track: Arc<dyn TrackRemote>,
    media_ssrc: u32,
}

/// One participant's audio or its video, as the room sees it. Outlives the publisher's peer
/// connections, so subscribers keep one outgoing track across a publisher's reconnects.
pub(crate) struct Publication {
    pub publisher_id: String,
    pub kind: MediaKind,
    sinks: RwLock<Vec<Arc<Downlink>>>,
    source: Mutex<Option<Source>>,
    /// The codec the publisher sends (mime type as negotiated), once its first packet came.
    /// Downlinks are created with it, so a subscriber is offered what it will receive.
    codec: Mutex<Option<String>>,
    keyframes: Mutex<KeyframeGate>,
    metrics: Arc<Metrics>,
    room_stats: Arc<RoomStats>,
}

impl Publication {
    pub fn new(
        publisher_id: String,
        kind: MediaKind,
        metrics: Arc<Metrics>,
        room_stats: Arc<RoomStats>,
    ) -> Self {
        Self {
            publisher_id,
            kind,
            sinks: RwLock::new(Vec::new()),
            source: Mutex::new(None),
            codec: Mutex::new(None),
            keyframes: Mutex::new(KeyframeGate::default()),
            metrics,
            room_stats,
        }
    }

    /// The codec a new downlink of this publication is created with: what the publisher
    /// sends, or the kind's default before anything was sent.
    pub fn downlink_mime(&self) -> String {
        lock(&self.codec)
            .clone()
            .unwrap_or_else(|| self.kind.default_mime().to_owned())
    }

    /// Records the codec the publisher sends. True when it differs from what downlinks were
    /// created with until now, so they must be created again (an H.264-only publisher such
    /// as Safari on an older iPad, whose subscribers were offered VP8 only).
    fn learn_codec(&self, mime: &str) -> bool {
        let before = self.downlink_mime();
        *lock(&self.codec) = Some(mime.to_owned());
        !before.eq_ignore_ascii_case(mime)
    }

    pub fn add_sink(&self, sink: Arc<Downlink>) {
        write(&self.sinks).push(sink);
    }

    pub fn remove_sinks_of_session(&self, session_id: u64) {
        write(&self.sinks).retain(|s| s.session_id != session_id);
    }

    /// Asks the publisher for a keyframe (video only). A subscriber that starts (or a new
    /// source) gets one at once; repeated requests within [`KEYFRAME_REQUEST_INTERVAL`] are
    /// merged into one sent when the interval is over, so a late one is never lost.
    pub async fn request_keyframe(self: &Arc<Self>, need: KeyframeNeed) {
        if self.kind != MediaKind::Video {
            return;
        }
        let decision = lock(&self.keyframes).ask(need, Instant::now());
        match decision {
            KeyframeDecision::SendNow => self.send_pli().await,
            KeyframeDecision::Merged => {}
            KeyframeDecision::SendAt(at) => {
                let this = Arc::downgrade(self);
                spawn_tracked(&self.metrics, async move {
                    tokio::time::sleep_until(at.into()).await;
                    if let Some(this) = this.upgrade() {
                        lock(&this.keyframes).fired(Instant::now());
                        this.send_pli().await;
                    }
                });
            }
        }
    }

    async fn send_pli(&self) {
        let target = lock(&self.source)
            .as_ref()
            .map(|s| (Arc::clone(&s.track), s.media_ssrc));
        if let Some((track, media_ssrc)) = target {
            let pli = PictureLossIndication {
                sender_ssrc: 0,
                media_ssrc,
            };
            if track.write_rtcp(vec![Box::new(pli)]).await.is_ok() {
                self.metrics
                    .keyframe_requests
                    .fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Forwards every packet of `track` to the current subscribers until the track ends
    /// (its peer connection closed). Runs as one task per incoming track.
    pub async fn run_source(self: Arc<Self>, track: Arc<dyn TrackRemote>, room: Weak<Room>) {
        let generation = SOURCE_GENERATION.fetch_add(1, Ordering::Relaxed);
        let mut primary_pt: Option<u8> = None;
        let mut mime = String::new();
        while let Some(event) = track.poll().await {
            let TrackRemoteEvent::OnRtpPacket(packet) = event else {
                if matches!(event, TrackRemoteEvent::OnEnded) {
                    break;
                }
                continue;
            };
            if primary_pt.is_none() {
                // Learn the codec from the first packet; a new source of an existing
                // publication also gets its subscribers a keyframe promptly.
                let ssrc = packet.header.ssrc;
                let negotiated = match track.codec(ssrc).await {
                    Some(codec) => codec.mime_type,
                    None => self.kind.default_mime().to_owned(),
                };
                mime = negotiated.to_ascii_lowercase();
                if self.learn_codec(&negotiated) {
                    // Off the forwarding path: renegotiating the subscribers takes a round
                    // trip each.
                    let publication = Arc::clone(&self);
                    let room = room.clone();
                    spawn_tracked(&self.metrics, async move {
                        if let Some(room) = room.upgrade() {
                            room.follow_codec(&publication).await;
                        }
                    });
                }
                primary_pt = Some(packet.header.payload_type);
                *lock(&self.source) = Some(Source {
                    track: Arc::clone(&track),
                    media_ssrc: ssrc,
                });
                debug!(publisher = %self.publisher_id, kind = %self.kind, %mime, ssrc, "source started");
                self.request_keyframe(KeyframeNeed::Start).await;
            }
            if Some(packet.header.payload_type) != primary_pt {
                // RTX/FEC of the uplink: repaired by the NACK interceptor, not relayed.
                continue;
            }
            let payload_len = packet.payload.len();
            let sinks = read(&self.sinks).clone();
            for sink in sinks {
                if sink.forward(packet.clone(), generation, &mime).await {
                    self.metrics.count_forwarded(self.kind, payload_len);
                    self.room_stats.packets.fetch_add(1, Ordering::Relaxed);
                    self.room_stats
                        .bytes
                        .fetch_add(payload_len as u64, Ordering::Relaxed);
                } else {
                    self.metrics.dropped.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        trace!(publisher = %self.publisher_id, kind = %self.kind, "source ended");
    }
}

/// One subscriber's outgoing copy of a publication, on the subscriber's peer connection.
pub(crate) struct Downlink {
    /// The subscriber session this belongs to.
    pub session_id: u64,
    pub track: Arc<TrackLocalStaticRTP>,
    pub sender: Arc<dyn RtpSender>,
    ssrc: u32,
    /// The codec this downlink was created with (lower case).
    pub mime: String,
    /// Negotiated (mime type, payload type) pairs on this leg; empty until negotiated.
    payload_types: Mutex<Vec<(String, u8)>>,
    rewriter: Mutex<Rewriter>,
    rtcp_reader_started: AtomicBool,
}

impl Downlink {
    pub fn new(
        session_id: u64,
        track: Arc<TrackLocalStaticRTP>,
        sender: Arc<dyn RtpSender>,
        ssrc: u32,
        kind: MediaKind,
        mime: &str,
    ) -> Self {
        Self {
            session_id,
            track,
            sender,
            ssrc,
            mime: mime.to_ascii_lowercase(),
            payload_types: Mutex::new(Vec::new()),
            rewriter: Mutex::new(Rewriter::new(kind.nominal_timestamp_step())),
            rtcp_reader_started: AtomicBool::new(false),
        }
    }

    /// Re-reads the payload types negotiated for this leg; called after every answer.
    pub async fn refresh_payload_types(&self) {
        if let Ok(params) = self.sender.get_parameters().await {
            let pts = params
                .rtp_parameters
                .codecs
                .iter()
                .map(|c| (c.rtp_codec.mime_type.to_ascii_lowercase(), c.payload_type))
                .collect();
            *lock(&self.payload_types) = pts;
        }
    }

    /// Rewrites SSRC, payload type, sequence number and timestamp for this leg and sends
    /// the packet. Returns false when it could not be sent.
    async fn forward(&self, mut packet: rtp::Packet, generation: u64, mime: &str) -> bool {
        let Some(pt) = lock(&self.payload_types)
            .iter()
            .find(|(m, _)| m == mime)
            .map(|(_, pt)| *pt)
        else {
            return false;
        };
        let (seq, ts) = lock(&self.rewriter).rewrite(
            generation,
            packet.header.sequence_number,
            packet.header.timestamp,
        );
        packet.header.ssrc = self.ssrc;
        packet.header.payload_type = pt;
        packet.header.sequence_number = seq;
        packet.header.timestamp = ts;
        // Extension ids are negotiated per leg; the sender's own interceptors add the ones
        // this leg needs.
        packet.header.extension = false;
        packet.header.extension_profile = 0;
        packet.header.extensions.clear();
        self.track.write_rtp(packet).await.is_ok()
    }

    /// Starts relaying this subscriber's keyframe requests to `publication`, once the track
    /// is bound (after negotiation). Returns the reader future, or `None` when one already
    /// runs.
    pub fn rtcp_reader(
        self: &Arc<Self>,
        publication: Weak<Publication>,
    ) -> Option<impl std::future::Future<Output = ()> + Send + 'static> {
        if self.rtcp_reader_started.swap(true, Ordering::AcqRel) {
            return None;
        }
        let this = Arc::clone(self);
        Some(async move {
            let mut events = 0usize;
            while let Some(TrackLocalEvent::OnRtcpPacket(_)) = this.track.poll().await {
                events += 1;
                let Some(publication) = publication.upgrade() else {
                    break;
                };
                publication.request_keyframe(KeyframeNeed::Repeat).await;
            }
            if events == 0 {
                // `poll` yields nothing before the track is bound; allow a later retry.
                this.rtcp_reader_started.store(false, Ordering::Release);
            }
        })
    }
}

/// Why a keyframe is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyframeNeed {
    /// A subscriber just became ready, or the publisher's source is new: nothing can be
    /// shown before a keyframe, so it goes out at once.
    Start,
    /// A subscriber's PLI/FIR (it lost something): merged with the others.
    Repeat,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum KeyframeDecision {
    SendNow,
    /// Merged into a request due at this moment (the caller schedules it).
    SendAt(Instant),
    /// Merged into one already scheduled.
    Merged,
}

/// When keyframe requests go to the publisher (sans-IO: time passed in).
#[derive(Debug, Default)]
pub(crate) struct KeyframeGate {
    last: Option<Instant>,
    scheduled: bool,
}

impl KeyframeGate {
    pub fn ask(&mut self, need: KeyframeNeed, now: Instant) -> KeyframeDecision {
        if need == KeyframeNeed::Start {
            self.last = Some(now);
            return KeyframeDecision::SendNow;
        }
        match self.last {
            Some(last) if now.saturating_duration_since(last) < KEYFRAME_REQUEST_INTERVAL => {
                if self.scheduled {
                    KeyframeDecision::Merged
                } else {
                    self.scheduled = true;
                    KeyframeDecision::SendAt(last + KEYFRAME_REQUEST_INTERVAL)
                }
            }
            _ => {
                self.last = Some(now);
                KeyframeDecision::SendNow
            }
        }
    }

    /// The scheduled request went out at `now`.
    pub fn fired(&mut self, now: Instant) {
        self.scheduled = false;
        self.last = Some(now);
    }
}

/// Keeps sequence numbers and timestamps continuous on a downlink when its source changes
/// (the publisher reconnected and now sends a new SSRC with new random offsets), so the
/// subscriber's jitter buffer sees one uninterrupted stream.
#[derive(Debug)]
pub(crate) struct Rewriter {
    step: u32,
    generation: Option<u64>,
    seq_offset: u16,
    ts_offset: u32,
    last_seq: u16,
    last_ts: u32,
}

impl Rewriter {
    pub fn new(step: u32) -> Self {
        Self {
            step,
            generation: None,
            seq_offset: 0,
            ts_offset: 0,
            last_seq: 0,
            last_ts: 0,
        }
    }

    pub fn rewrite(&mut self, generation: u64, seq: u16, ts: u32) -> (u16, u32) {
        match self.generation {
            None => {}
            Some(g) if g == generation => {}
            Some(_) => {
                self.seq_offset = self.last_seq.wrapping_add(1).wrapping_sub(seq);
                self.ts_offset = self.last_ts.wrapping_add(self.step).wrapping_sub(ts);
            }
        }
        let out_seq = seq.wrapping_add(self.seq_offset);
        let out_ts = ts.wrapping_add(self.ts_offset);
        // Track the newest packet only; a reordered older one must not move the base.
        let newer =
            self.generation != Some(generation) || (out_seq.wrapping_sub(self.last_seq) as i16) > 0;
        if newer {
            self.last_seq = out_seq;
            self.last_ts = out_ts;
        }
        self.generation = Some(generation);
        (out_seq, out_ts)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn read<T>(m: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write<T>(m: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::{
        KeyframeDecision, KeyframeGate, KeyframeNeed, Rewriter, KEYFRAME_REQUEST_INTERVAL,
    };
    use std::time::{Duration, Instant};

    #[test]
    fn a_starting_subscriber_gets_a_keyframe_at_once_repeats_are_merged() {
        let ms = Duration::from_millis;
        let t0 = Instant::now();
        let mut gate = KeyframeGate::default();
        // A subscriber's PLI: sent.
        assert_eq!(
            gate.ask(KeyframeNeed::Repeat, t0),
            KeyframeDecision::SendNow
        );
        // Another 20 ms later: merged into one at the end of the interval, then nothing more.
        assert_eq!(
            gate.ask(KeyframeNeed::Repeat, t0 + ms(20)),
            KeyframeDecision::SendAt(t0 + KEYFRAME_REQUEST_INTERVAL)
        );
        assert_eq!(
            gate.ask(KeyframeNeed::Repeat, t0 + ms(30)),
            KeyframeDecision::Merged
        );
        // A subscriber that becomes ready 20 ms after a request does not wait ~480 ms.
        assert_eq!(
            gate.ask(KeyframeNeed::Start, t0 + ms(40)),
            KeyframeDecision::SendNow
        );
        // The scheduled one still goes out; afterwards a repeat waits for the interval again.
        gate.fired(t0 + KEYFRAME_REQUEST_INTERVAL);
        assert_eq!(
            gate.ask(
                KeyframeNeed::Repeat,
                t0 + KEYFRAME_REQUEST_INTERVAL + ms(10)
            ),
            KeyframeDecision::SendAt(t0 + KEYFRAME_REQUEST_INTERVAL * 2)
        );
        // Once the interval is over, a repeat goes at once.
        let mut quiet = KeyframeGate::default();
        assert_eq!(
            quiet.ask(KeyframeNeed::Start, t0),
            KeyframeDecision::SendNow
        );
        assert_eq!(
            quiet.ask(KeyframeNeed::Repeat, t0 + KEYFRAME_REQUEST_INTERVAL),
            KeyframeDecision::SendNow
        );
    }

    #[test]
    fn rewriter_passes_through_then_continues_across_a_source_switch() {
        let mut r = Rewriter::new(3000);
        assert_eq!(r.rewrite(1, 100, 9000), (100, 9000));
        assert_eq!(r.rewrite(1, 101, 12000), (101, 12000));
        // Reordered old packet keeps its own numbers and does not move the base.
        assert_eq!(r.rewrite(1, 99, 6000), (99, 6000));
        // New source with unrelated numbering continues right after the last packet.
        assert_eq!(r.rewrite(2, 40000, 5), (102, 15000));
        assert_eq!(r.rewrite(2, 40001, 3005), (103, 18000));
        // Wrap-around of the sequence number is handled.
        assert_eq!(r.rewrite(3, 0, 0), (104, 21000));
        let mut w = Rewriter::new(960);
        w.rewrite(1, u16::MAX, 0);
        assert_eq!(w.rewrite(1, 0, 960), (0, 960));
    }
}
