//! When a subscriber's keyframe request goes on to the publisher: several subscribers
//! recovering at once need one keyframe, not several (sans-IO: time is passed in).

use std::time::{Duration, Instant};

/// Keyframe requests closer together than this are merged.
const KEYFRAME_REQUEST_INTERVAL: Duration = Duration::from_millis(500);

/// A browser publisher ignores a keyframe request that comes less than 300 ms after the last
/// one it acted on (libwebrtc's `EncoderRtcpFeedback`, `kMinKeyframeSendIntervalMs`); with a
/// margin for the way there.
const PUBLISHER_DEAF_FOR: Duration = Duration::from_millis(350);

/// Why a keyframe is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyframeNeed {
    /// A subscriber just became ready, or the publisher's source is new: nothing can be
    /// shown before a keyframe, so it goes out at once, or as soon as a browser publisher
    /// would act on it.
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
            // Sent now it would be ignored: sent as soon as it counts.
            if let Some(last) = self
                .last
                .filter(|&l| now.saturating_duration_since(l) < PUBLISHER_DEAF_FOR)
            {
                self.scheduled = true;
                return KeyframeDecision::SendAt(last + PUBLISHER_DEAF_FOR);
            }
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

#[cfg(test)]
mod tests {
    use super::{KeyframeDecision, KeyframeGate, KeyframeNeed};
    use super::{KEYFRAME_REQUEST_INTERVAL, PUBLISHER_DEAF_FOR};
    use std::time::{Duration, Instant};

    const fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_starting_subscriber_gets_a_keyframe_at_once_repeats_are_merged() {
        let t0 = Instant::now();
        let mut gate = KeyframeGate::default();
        // Nothing asked before: a starting subscriber's request goes at once.
        assert_eq!(gate.ask(KeyframeNeed::Start, t0), KeyframeDecision::SendNow);
        // A subscriber's PLI within the interval: one at the end of it, then nothing more.
        assert_eq!(
            gate.ask(KeyframeNeed::Repeat, t0 + ms(20)),
            KeyframeDecision::SendAt(t0 + KEYFRAME_REQUEST_INTERVAL)
        );
        assert_eq!(
            gate.ask(KeyframeNeed::Repeat, t0 + ms(30)),
            KeyframeDecision::Merged
        );
        gate.fired(t0 + KEYFRAME_REQUEST_INTERVAL);
        // Once the interval is over, a repeat goes at once.
        let later = t0 + KEYFRAME_REQUEST_INTERVAL * 2;
        assert_eq!(
            gate.ask(KeyframeNeed::Repeat, later),
            KeyframeDecision::SendNow
        );
    }

    #[test]
    fn a_start_soon_after_a_request_waits_until_a_browser_listens_again() {
        let t0 = Instant::now();
        let mut gate = KeyframeGate::default();
        assert_eq!(gate.ask(KeyframeNeed::Start, t0), KeyframeDecision::SendNow);
        // A second subscriber becomes ready 40 ms later: sent now, libwebrtc would drop it
        // (300 ms since the one it acted on), and the subscriber would wait for its own PLI
        // and the repeat interval. It goes as soon as it counts instead.
        assert_eq!(
            gate.ask(KeyframeNeed::Start, t0 + ms(40)),
            KeyframeDecision::SendAt(t0 + PUBLISHER_DEAF_FOR)
        );
        // A PLI meanwhile rides along with it.
        assert_eq!(
            gate.ask(KeyframeNeed::Repeat, t0 + ms(60)),
            KeyframeDecision::Merged
        );
        gate.fired(t0 + PUBLISHER_DEAF_FOR);
        // Past the deaf time a start goes at once again, even inside the repeat interval.
        let next = t0 + PUBLISHER_DEAF_FOR * 2;
        assert_eq!(
            gate.ask(KeyframeNeed::Start, next),
            KeyframeDecision::SendNow
        );
    }
}
