// The words and buttons of issue 15 item 5 on the call screen (both pages): every second a
// stats sample goes to call-quality.js, whose mode is shown here; and if the call has not
// connected within 20 s, the municipality's phone number (the page's "Vragen? Bel ..." link).
// The markup is in web/src/pages/call_view.rs (`network_quality`); the words travel in its
// data attributes.

import { initialQuality, nextQuality, sampleStats, videoWanted } from "/static/call-quality.js";

/** No connection after this long: show the phone number. */
export const FALLBACK_AFTER_MS = 20000;
const SAMPLE_EVERY_MS = 1000;

/** The resident's page, once the clerk chose "continue by phone": who calls whom. */
export function showContinuedByPhone(root, phone) {
  const notice = root.querySelector("#by-phone-notice");
  notice.textContent = phone ? notice.dataset.withPhone.replace("{phone}", phone) : notice.dataset.withoutPhone;
  notice.hidden = false;
}

/**
 * `call`: the Call; `camera()`: whether the person's own camera button is on;
 * `setCamera(on)`: turns the camera on or off as the button does.
 * Returns `{ remoteMedia(media) }` for the call's media_state messages, and `state()`.
 */
export function watchCallQuality(root, call, { camera, setCamera }) {
  const box = root.querySelector("#network-quality");
  const w = box.dataset;
  const words = box.querySelector("#network-words");
  const offer = box.querySelector("#network-offer");
  const offerVideo = box.querySelector("#network-offer-video");
  const fallback = box.querySelector("#call-fallback");
  const remoteWeak = root.querySelector("#remote-weak-network");
  let state = initialQuality();
  let remoteVideo = true;
  let startedAt = Date.now();
  let everConnected = false;

  function show(mode) {
    offer.hidden = mode !== "offer-audio-only";
    offerVideo.hidden = mode !== "offer-video";
    const text = { "offer-audio-only": w.offer, "audio-only": w.switched, "offer-video": w.recovered }[mode] || "";
    if (words.textContent !== text) words.textContent = text;
  }

  function apply(next) {
    const before = state.mode;
    state = next;
    if (state.mode === before) return;
    // Camera off for the network: the others learn why (media_state weak_network).
    if (!videoWanted(state.mode) && videoWanted(before) && camera()) {
      call.weakNetwork = true;
      setCamera(false);
    } else if (videoWanted(state.mode) && !videoWanted(before) && call.weakNetwork) {
      call.weakNetwork = false;
      setCamera(true);
    }
    show(state.mode);
  }

  box.querySelector("#network-audio-only").addEventListener("click", () => apply(nextQuality(state, { type: "accept", t: Date.now() })));
  box.querySelector("#network-keep-video").addEventListener("click", () => apply(nextQuality(state, { type: "decline", t: Date.now() })));
  box.querySelector("#network-video-back").addEventListener("click", () => apply(nextQuality(state, { type: "video-back", t: Date.now() })));

  const timer = setInterval(async () => {
    if (call.leaving) {
      fallback.hidden = true;
      startedAt = Date.now();
      return;
    }
    const pc = call.pc;
    const connected = pc?.connectionState === "connected";
    everConnected ||= connected;
    // 20 s after joining (or losing the connection) without media: say how to go on by phone.
    const stuck = !connected && Date.now() - startedAt >= FALLBACK_AFTER_MS;
    if (connected) startedAt = Date.now();
    if (stuck && fallback.hidden) showFallback();
    else if (connected && !fallback.hidden) fallback.hidden = true;
    if (!pc) return;
    // The person turned the camera back on by hand: that is "video again".
    if (state.mode === "audio-only" && camera() && call.weakNetwork) {
      call.weakNetwork = false;
      apply(nextQuality(state, { type: "video-back", t: Date.now() }));
    }
    const stats = await pc.getStats();
    apply(nextQuality(state, { type: "sample", sample: sampleStats(stats.values(), Date.now(), { remoteVideo, cameraOn: camera() }) }));
  }, SAMPLE_EVERY_MS);

  function showFallback() {
    const tel = document.querySelector(".question-line a.tel-link, footer a[href^=\"tel:\"]");
    const text = fallback.querySelector("#call-fallback-text");
    const link = fallback.querySelector("#call-fallback-phone");
    text.textContent = everConnected ? w.fallbackLost : w.fallback;
    if (tel) {
      link.href = tel.getAttribute("href");
      link.textContent = tel.textContent.replace(/^\s*(Bel|Call)\s+/, "");
      link.hidden = false;
    }
    fallback.hidden = false;
  }

  return {
    remoteMedia({ video, weakNetwork }) {
      remoteVideo = video !== false;
      remoteWeak.hidden = !(weakNetwork && video === false);
    },
    state: () => state,
    stop: () => clearInterval(timer),
  };
}
