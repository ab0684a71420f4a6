// The resident's video page (web/src/pages/video.rs): device check, check in, wait (live from
// the queue's Server-Sent Events), answer when called, then the call. The words come from the
// page's data attributes, in the visitor's language.

import { openMedia } from "/static/call.js";
import { startCallView } from "/static/call-view.js";

const check = document.getElementById("apparaten");
const waitingView = document.getElementById("wachten");
const callView = document.getElementById("gesprek");
const token = check.dataset.token;
const help = document.getElementById("device-help");
const retry = document.getElementById("retry-devices");
const ready = document.getElementById("ready");
const meter = document.getElementById("mic-level");

let media = null; // { stream, camera }
let audio = null; // AudioContext, shared by the meter and the test sound
let meterTimer = 0;

function say(text) {
  help.textContent = text;
  help.hidden = !text;
}

function audioContext() {
  audio = audio || new AudioContext();
  if (audio.state === "suspended") audio.resume();
  return audio;
}

// The bar follows the loudness (RMS of the waveform) of the microphone, ten times a second.
function startMeter(stream) {
  const ctx = audioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 1024;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const samples = new Uint8Array(analyser.fftSize);
  clearInterval(meterTimer);
  meterTimer = setInterval(() => {
    analyser.getByteTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += ((s - 128) / 128) ** 2;
    const level = Math.min(100, Math.round(Math.sqrt(sum / samples.length) * 300));
    meter.value = level;
    meter.textContent = String(level);
  }, 100);
}

async function openDevices() {
  say("");
  retry.hidden = true;
  try {
    media = await openMedia();
  } catch (err) {
    media = null;
    ready.disabled = true;
    retry.hidden = false;
    say(err.name === "NotAllowedError" || err.name === "SecurityError"
      ? check.dataset.denied
      : check.dataset.noDevices);
    return;
  }
  const preview = document.getElementById("preview");
  preview.srcObject = media.stream;
  preview.hidden = !media.camera;
  if (!media.camera) say(check.dataset.noCamera);
  startMeter(media.stream);
  ready.disabled = false;
}

// One second of a soft 440 Hz tone through the speakers.
document.getElementById("test-sound").addEventListener("click", () => {
  const ctx = audioContext();
  const tone = ctx.createOscillator();
  const gain = ctx.createGain();
  gain.gain.value = 0.2;
  tone.frequency.value = 440;
  tone.connect(gain).connect(ctx.destination);
  tone.start();
  tone.stop(ctx.currentTime + 1);
});

retry.addEventListener("click", openDevices);

function post(path) {
  return fetch(`/api/v1${path}`, { method: "POST", headers: { Accept: "application/json" } });
}

ready.addEventListener("click", async () => {
  ready.disabled = true;
  const resp = await post(`/personal/${token}/check-in`);
  if (!resp.ok) {
    say(resp.status === 409 ? check.dataset.checkInFailed : check.dataset.failed);
    ready.disabled = false;
    return;
  }
  check.hidden = true;
  waitingView.hidden = false;
  follow();
});

let events = null; // the queue entry's Server-Sent Events while waiting

// Leaving while waiting (or while being called, before answering): back to the check, from
// where "I'm ready" joins the queue again.
document.getElementById("leave-queue").addEventListener("click", async () => {
  const resp = await post(`/queue-entries/${token}/leave`);
  if (!resp.ok) return; // already in the call: only the clerk ends it
  events?.close();
  waitingView.hidden = true;
  check.hidden = false;
  ready.disabled = false;
  say(waitingView.dataset.left);
});

function follow() {
  const status = document.getElementById("queue-status");
  const w = waitingView.dataset;
  events = new EventSource(`/api/v1/queue-entries/${token}/events`);
  let answering = false;
  events.addEventListener("entry", async (e) => {
    const entry = JSON.parse(e.data);
    if (entry.status === "waiting") {
      const place = entry.place === 1 ? w.next : w.place.replace("{place}", entry.place);
      const wait = entry.expected_wait_minutes == null
        ? ""
        : " " + w.wait.replace("{minutes}", entry.expected_wait_minutes);
      status.textContent = place + wait;
    } else if (entry.status === "called" && !answering) {
      answering = true;
      status.textContent = w.called;
      events.close();
      await join();
    } else if (entry.status === "missed") {
      status.textContent = w.missed;
      events.close();
    }
  });
}

async function join() {
  const answered = await post(`/queue-entries/${token}/answer`);
  const ticket = answered.ok ? await post(`/queue-entries/${token}/room-token`) : answered;
  if (!ticket.ok) {
    document.getElementById("queue-status").textContent = check.dataset.failed;
    return;
  }
  clearInterval(meterTimer);
  waitingView.hidden = true;
  startCallView(callView, {
    ticket: await ticket.json(),
    stream: media.stream,
    camera: media.camera,
    onEnded: (state) => {
      // After the conversation: a clear way to the rating page (not when refused entry).
      if (state === "refused") return;
      const after = document.getElementById("na-gesprek");
      if (after.hidden) after.hidden = false;
    },
  });
  document.getElementById("gesprek-kop").focus();
}

openDevices();
