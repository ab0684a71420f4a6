// The weak-network decision of web/static/call-quality.js, without a browser: series of
// samples as call-view.js takes them every second, and the mode each series leads to.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  sampleStats, health, initialQuality, nextQuality, videoWanted,
  BAD_BEFORE_OFFER_MS, OFFER_BEFORE_SWITCH_MS, GOOD_BEFORE_VIDEO_MS,
} from '../../static/call-quality.js';

/** A sample at second `s`: cumulative counters as getStats reports them. */
function sample(s, { frames, lost = 0, received, freeze = 0, limitation = 'none', fps = 30, bitrate = 1_000_000, remoteVideo = true, cameraOn = true }) {
  return {
    t: s * 1000, remoteVideo, cameraOn, inboundVideo: true, framesDecoded: frames, freezeSeconds: freeze,
    packetsLost: lost, packetsReceived: received, limitation, sentFps: fps, availableOutgoingBitrate: bitrate, connected: true,
  };
}

/** Runs seconds `from..to` with `make(s)` and returns the state after each. */
function run(state, from, to, make) {
  const modes = [];
  for (let s = from; s <= to; s += 1) {
    state = nextQuality(state, { type: 'sample', sample: make(s) });
    modes.push(state.mode);
  }
  return { state, modes };
}

const healthy = (s) => sample(s, { frames: s * 30, received: s * 100 });

test('a healthy call stays "ok"', () => {
  const { modes } = run(initialQuality(), 0, 30, healthy);
  assert.ok(modes.every((m) => m === 'ok'), modes.join());
});

test('frozen video: offer after a few seconds, then sound only, then video again once it recovers', () => {
  let { state } = run(initialQuality(), 0, 10, healthy);
  // From second 10 no frame is decoded any more (packets still arrive: sound).
  const frozen = (s) => sample(s, { frames: 300, received: s * 100 });
  const r = run(state, 11, 40, frozen);
  const offerAt = 11 + r.modes.indexOf('offer-audio-only');
  const switchAt = 11 + r.modes.indexOf('audio-only');
  assert.equal(offerAt, 10 + BAD_BEFORE_OFFER_MS / 1000, r.modes.join());
  assert.equal(switchAt, offerAt + OFFER_BEFORE_SWITCH_MS / 1000, r.modes.join());
  assert.equal(r.state.mode, 'audio-only');
  assert.equal(videoWanted('offer-audio-only'), true);
  assert.equal(videoWanted('audio-only'), false);
  // Frames come again; our camera is off now.
  const back = (s) => sample(s, { frames: 300 + (s - 40) * 30, received: s * 100, cameraOn: false });
  const r2 = run(r.state, 41, 70, back);
  const offerVideoAt = 41 + r2.modes.indexOf('offer-video');
  assert.equal(offerVideoAt, 40 + GOOD_BEFORE_VIDEO_MS / 1000, r2.modes.join());
  state = nextQuality(r2.state, { type: 'video-back', t: 71_000 });
  assert.equal(state.mode, 'ok');
});

test('"keep video" silences the offer for a minute', () => {
  let { state } = run(initialQuality(), 0, 5, healthy);
  const frozen = (s) => sample(s, { frames: 150, received: s * 100 });
  ({ state } = run(state, 6, 10, frozen));
  assert.equal(state.mode, 'offer-audio-only');
  state = nextQuality(state, { type: 'decline', t: 10_000 });
  const r = run(state, 11, 60, frozen);
  assert.ok(r.modes.every((m) => m === 'ok'), r.modes.join());
  assert.equal(run(r.state, 61, 75, frozen).state.mode, 'offer-audio-only');
});

test('accepting the offer switches at once', () => {
  let { state } = run(initialQuality(), 0, 5, healthy);
  ({ state } = run(state, 6, 10, (s) => sample(s, { frames: 150, received: s * 100 })));
  assert.equal(nextQuality(state, { type: 'accept', t: 10_500 }).mode, 'audio-only');
});

test('heavy loss or an encoder starved by the network count as bad; a short hiccup does not', () => {
  const lossy = (s) => sample(s, { frames: s * 30, received: s * 80, lost: s * 20 });
  assert.equal(run(initialQuality(), 0, 6, lossy).state.mode, 'offer-audio-only');
  const starved = (s) => sample(s, { frames: s * 30, received: s * 100, limitation: 'bandwidth', fps: 1 });
  assert.equal(run(initialQuality(), 0, 6, starved).state.mode, 'offer-audio-only');
  // Two bad seconds between good ones: never an offer.
  const hiccup = (s) => sample(s, { frames: s < 5 ? s * 30 : s < 7 ? 150 : (s - 2) * 30, received: s * 100 });
  assert.ok(run(initialQuality(), 0, 20, hiccup).modes.every((m) => m === 'ok'));
});

test('the other side\'s camera off is not a frozen picture', () => {
  const noCamera = (s) => sample(s, { frames: 0, received: s * 50, remoteVideo: false });
  assert.ok(run(initialQuality(), 0, 20, noCamera).modes.every((m) => m === 'ok'));
});

test('not connected is "unknown", never a reason to switch', () => {
  const a = { ...healthy(1), connected: false };
  const b = { ...sample(2, { frames: 30, received: 100 }), connected: false };
  assert.equal(health(a, b), 'unknown');
});

test('sampleStats reads the counters of a stats report', () => {
  const reports = [
    { type: 'transport', id: 'T', selectedCandidatePairId: 'P' },
    { type: 'candidate-pair', id: 'P', state: 'succeeded', availableOutgoingBitrate: 900_000 },
    { type: 'inbound-rtp', kind: 'video', packetsLost: 3, packetsReceived: 400, framesDecoded: 120, totalFreezesDuration: 0.5 },
    { type: 'inbound-rtp', kind: 'audio', packetsLost: 1, packetsReceived: 500 },
    { type: 'outbound-rtp', kind: 'video', qualityLimitationReason: 'bandwidth', framesPerSecond: 12 },
  ];
  const s = sampleStats(reports, 5000, { remoteVideo: true, cameraOn: true });
  assert.deepEqual(
    [s.connected, s.availableOutgoingBitrate, s.packetsLost, s.packetsReceived, s.framesDecoded, s.freezeSeconds, s.limitation, s.sentFps, s.inboundVideo],
    [true, 900_000, 4, 900, 120, 0.5, 'bandwidth', 12, true],
  );
  assert.equal(sampleStats([], 0).connected, false);
});
