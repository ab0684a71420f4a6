//! When a subscriber's keyframe request goes on to the publisher: several subscribers
//! recovering at once need one keyframe, not several (sans-IO: time is passed in).

use std::time::{Duration, Instant};

/// Keyframe requests closer together than this are merged.
const KEYFRAME_REQUEST_INTERVAL: Duration = Duration::from_millis(500);

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

#[cfg(test)]
mod tests {
    use super::{KeyframeDecision, KeyframeGate, KeyframeNeed, KEYFRAME_REQUEST_INTERVAL};
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
}
