// Weak networks (issue 15, item 5): the page samples its WebRTC statistics every second and
// this module decides, without touching the page, whether the video should give way to sound
// alone. Pure functions only, so node tests them without a browser
// (web/tests/browser/call-quality.test.mjs); call-view.js feeds them and shows the words.
//
// The modes:
//   "ok"               video as usual
//   "offer-audio-only" the picture froze or starved for a few seconds: the page offers sound only
//   "audio-only"       our camera is off because of the network (accepted, or it lasted on)
//   "offer-video"      in audio-only, the network looked healthy for a while: offer video again

/** Bad this long in "ok" -> offer audio only. */
export const BAD_BEFORE_OFFER_MS = 4000;
/** Still bad this long after the offer -> switch by ourselves. */
export const OFFER_BEFORE_SWITCH_MS = 8000;
/** Healthy this long in audio-only -> offer video again. */
export const GOOD_BEFORE_VIDEO_MS = 10000;
/** After "keep video", no new offer for this long. */
export const DECLINE_QUIET_MS = 60000;

const LOSS_BAD = 0.15;
const LOSS_GOOD = 0.03;
const FREEZE_SHARE_BAD = 0.5;
const STARVED_FPS = 3;
const OUTGOING_BITRATE_GOOD = 250000;

/**
 * One sample from an RTCStatsReport's values (any iterable of stats objects), at time `t` (ms).
 * `remoteVideo`: whether the other side says its camera is on (media_state); `cameraOn`: ours.
 */
export function sampleStats(reports, t, { remoteVideo = true, cameraOn = true } = {}) {
  const s = {
    t,
    remoteVideo,
    cameraOn,
    inboundVideo: false,
    framesDecoded: 0,
    freezeSeconds: 0,
    packetsLost: 0,
    packetsReceived: 0,
    limitation: null,
    sentFps: null,
    availableOutgoingBitrate: null,
    connected: false,
  };
  const all = [...reports];
  const selected = new Set(all.filter((r) => r.type === "transport" && r.selectedCandidatePairId).map((r) => r.selectedCandidatePairId));
  for (const r of all) {
    if (r.type === "inbound-rtp") {
      s.packetsLost += Math.max(0, r.packetsLost || 0);
      s.packetsReceived += r.packetsReceived || 0;
      if (r.kind === "video") {
        s.inboundVideo = true;
        s.framesDecoded += r.framesDecoded || 0;
        s.freezeSeconds += r.totalFreezesDuration || 0;
      }
    } else if (r.type === "outbound-rtp" && r.kind === "video") {
      s.limitation = r.qualityLimitationReason ?? s.limitation;
      if (typeof r.framesPerSecond === "number") s.sentFps = Math.max(s.sentFps ?? 0, r.framesPerSecond);
      else if (s.sentFps === null && r.framesSent !== undefined) s.sentFps = 0;
    } else if (r.type === "candidate-pair" && (selected.has(r.id) || r.selected || r.nominated) && r.state === "succeeded") {
      s.connected = true;
      if (typeof r.availableOutgoingBitrate === "number") s.availableOutgoingBitrate = r.availableOutgoingBitrate;
    }
  }
  return s;
}

/**
 * How the network looked between two samples: "bad", "good" or "unknown" (not connected, or
 * too little to judge).
 */
export function health(prev, cur) {
  const dt = (cur.t - prev.t) / 1000;
  if (!(dt > 0) || !cur.connected || !prev.connected) return "unknown";
  const lost = cur.packetsLost - prev.packetsLost;
  const received = cur.packetsReceived - prev.packetsReceived;
  const loss = lost + received > 0 ? Math.max(0, lost) / (Math.max(0, lost) + Math.max(0, received)) : null;
  // The other's camera is on and video arrives (or should): frames must keep coming.
  const expectVideo = cur.remoteVideo && prev.remoteVideo && cur.inboundVideo;
  const frozen = expectVideo
    && (cur.framesDecoded - prev.framesDecoded <= 0 || (cur.freezeSeconds - prev.freezeSeconds) / dt > FREEZE_SHARE_BAD);
  // Our own picture: the encoder is held back by the network and hardly sends frames.
  const starved = cur.cameraOn && cur.limitation === "bandwidth" && cur.sentFps !== null && cur.sentFps < STARVED_FPS;
  const nothingArrives = received <= 0;
  if (frozen || starved || (loss !== null && loss > LOSS_BAD) || nothingArrives) return "bad";
  // With our camera off we send little, and the browser's estimate of what the path could
  // carry says little either: then loss alone decides.
  const roomy = !cur.cameraOn || cur.availableOutgoingBitrate === null || cur.availableOutgoingBitrate >= OUTGOING_BITRATE_GOOD;
  if (loss !== null && loss < LOSS_GOOD && roomy) return "good";
  return "unknown";
}

/** The state before the first sample. */
export function initialQuality() {
  return { mode: "ok", since: null, badSince: null, goodSince: null, quietUntil: 0, last: null };
}

/**
 * The next state after an event: `{ type: "sample", sample }` (from `sampleStats`), or what the
 * person chose: `{ type: "accept", t }` (sound only now), `{ type: "decline", t }` (keep
 * video), `{ type: "video-back", t }` (video again).
 */
export function nextQuality(state, event) {
  switch (event.type) {
    case "accept":
      return { ...state, mode: "audio-only", since: event.t, goodSince: null, badSince: null };
    case "decline":
      return { ...state, mode: "ok", since: event.t, badSince: null, quietUntil: event.t + DECLINE_QUIET_MS };
    case "video-back":
      return { ...state, mode: "ok", since: event.t, badSince: null, goodSince: null, quietUntil: event.t + GOOD_BEFORE_VIDEO_MS };
    case "sample":
      break;
    default:
      return state;
  }
  const cur = event.sample;
  const prev = state.last;
  const next = { ...state, last: cur };
  if (!prev) return next;
  const h = health(prev, cur);
  const t = cur.t;
  next.badSince = h === "bad" ? state.badSince ?? prev.t : null;
  next.goodSince = h === "good" ? state.goodSince ?? prev.t : null;
  const badFor = next.badSince === null ? 0 : t - next.badSince;
  const goodFor = next.goodSince === null ? 0 : t - next.goodSince;
  switch (state.mode) {
    case "ok":
      if (badFor >= BAD_BEFORE_OFFER_MS && t >= state.quietUntil) return { ...next, mode: "offer-audio-only", since: t };
      return next;
    case "offer-audio-only":
      if (h === "good") return { ...next, mode: "ok", since: t };
      if (t - state.since >= OFFER_BEFORE_SWITCH_MS && next.badSince !== null) return { ...next, mode: "audio-only", since: t, goodSince: null };
      return next;
    case "audio-only":
      if (goodFor >= GOOD_BEFORE_VIDEO_MS) return { ...next, mode: "offer-video", since: t };
      return next;
    case "offer-video":
      // Worse again before anyone chose: back to sound only, no offer.
      if (badFor >= BAD_BEFORE_OFFER_MS) return { ...next, mode: "audio-only", since: t, goodSince: null };
      return next;
    default:
      return next;
  }
}

/** Whether our camera should send, in this mode. */
export function videoWanted(mode) {
  return mode === "ok" || mode === "offer-audio-only";
}
