//! Sequence number and timestamp rewriting of a downlink, so a subscriber sees one
//! continuous stream when the publisher behind it changes.

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

#[cfg(test)]
mod tests {
    use super::Rewriter;

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
