// The resident's video page (web/src/pages/video.rs): device check, check in, wait (live from
// the queue's Server-Sent Events), answer when called, then the call. The words come from the
// page's data attributes, in the visitor's language.
//
// A reload (or the link opened on another device) puts the resident back where the queue entry
// stands: waiting, being called, in the call (the new page takes the call over), or after it.
// The entry's events are followed during the call too: the clerk ending the conversation
// (status `done`) ends it here.

import { openMedia } from "/static/call.js";
import { startCallView } from "/static/call-view.js";
import { showContinuedByPhone } from "/static/call-quality-view.js";

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
  document.getElementById("permission-help").hidden = text !== check.dataset.denied;
}

function audioContext() {
  audio = audio || new AudioContext();
  if (audio.state === "suspended") audio.resume();
  return audio;
}

// The bar follows the loudness (RMS of the waveform) of the microphone, ten times a second:
// the loudest ~20 ms of the last ~90 ms. A window as long as the interval misses no short
// sound (a cough, a short "hallo?"), which a 20 ms window read every 100 ms mostly did.
const METER_CHUNK = 1024;
function startMeter(stream) {
  const ctx = audioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 4 * METER_CHUNK;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const samples = new Uint8Array(analyser.fftSize);
  clearInterval(meterTimer);
  meterTimer = setInterval(() => {
    analyser.getByteTimeDomainData(samples);
    let loudest = 0;
    for (let start = 0; start < samples.length; start += METER_CHUNK) {
      let sum = 0;
      for (let i = start; i < start + METER_CHUNK; i++) sum += ((samples[i] - 128) / 128) ** 2;
      loudest = Math.max(loudest, sum / METER_CHUNK);
    }
    const level = Math.min(100, Math.round(Math.sqrt(loudest) * 300));
    meter.value = level;
    meter.textContent = String(level);
  }, 100);
}

/** Opens camera and microphone; false (with help on the page) when that fails. */
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
    return false;
  }
  const preview = document.getElementById("preview");
  preview.srcObject = media.stream;
  preview.hidden = !media.camera;
  if (!media.camera) say(check.dataset.noCamera);
  startMeter(media.stream);
  ready.disabled = false;
  return true;
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

// Where the entry stood when the page loaded, until the devices work.
let resumeWith = null;

retry.addEventListener("click", async () => {
  if ((await openDevices()) && resumeWith) resume(resumeWith);
});

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

let events = null; // the queue entry's Server-Sent Events while waiting and in the call
let call = null; // the call, once joined
let joining = false;

// Leaving while waiting (or while being called, before answering): back to the check, from
// where "I'm ready" joins the queue again.
document.getElementById("leave-queue").addEventListener("click", async () => {
  const resp = await post(`/queue-entries/${token}/leave`);
  if (!resp.ok) return; // already in the call: only the clerk ends it
  events?.close();
  events = null;
  waitingView.hidden = true;
  check.hidden = false;
  ready.disabled = false;
  say(waitingView.dataset.left);
});

function follow() {
  if (events) return;
  events = new EventSource(`/api/v1/queue-entries/${token}/events`);
  events.addEventListener("entry", (e) => onEntry(JSON.parse(e.data)));
}

function stopFollowing() {
  events?.close();
  events = null;
}

async function onEntry(entry) {
  const status = document.getElementById("queue-status");
  const w = waitingView.dataset;
  if (entry.status === "waiting") {
    const place = entry.place === 1 ? w.next : w.place.replace("{place}", entry.place);
    const wait = entry.expected_wait_minutes == null
      ? ""
      : " " + w.wait.replace("{minutes}", entry.expected_wait_minutes);
    status.textContent = place + wait;
  } else if ((entry.status === "called" || entry.status === "answered") && !call && !joining) {
    joining = true;
    status.textContent = w.called;
    await join(entry.status === "called");
    joining = false;
  } else if (entry.status === "missed") {
    status.textContent = w.missed;
    stopFollowing();
  } else if (entry.status === "done") {
    stopFollowing();
    if (entry.continued_by_phone) showContinuedByPhone(callView, entry.phone); // issue 15 item 5
    if (call) call.end(); // the clerk ended the conversation
    else afterCall();
  }
}

function afterCall() {
  clearInterval(meterTimer);
  media?.stream.getTracks().forEach((t) => t.stop());
  check.hidden = true;
  waitingView.hidden = true;
  document.getElementById("na-gesprek").hidden = false;
}

async function join(mustAnswer) {
  // Answered already (a reload, another device): straight to the room.
  if (mustAnswer) await post(`/queue-entries/${token}/answer`);
  const ticket = await post(`/queue-entries/${token}/room-token`);
  if (!ticket.ok) {
    document.getElementById("queue-status").textContent = check.dataset.failed;
    return;
  }
  clearInterval(meterTimer);
  check.hidden = true;
  waitingView.hidden = true;
  call = startCallView(callView, {
    ticket: await ticket.json(),
    stream: media.stream,
    camera: media.camera,
    // The clerk left the room: when that is the end of the conversation ("Gesprek
    // beëindigen" marks the entry done first), say so now, also when the live queue stream is
    // behind or reconnecting.
    onOtherLeft: () => {
      fetch(`/api/v1/queue-entries/${token}`, { headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : null), () => null)
        .then((entry) => entry && onEntry(entry));
    },
    onEnded: (state) => {
      stopFollowing();
      // After the conversation: a clear way to the rating page (not when refused entry, nor
      // on the page whose call moved to another device).
      if (state !== "ended") return;
      const after = document.getElementById("na-gesprek");
      if (after.hidden) after.hidden = false;
    },
  });
  document.getElementById("gesprek-kop").focus();
}

/** Back to where the queue entry stands (after a reload), once the devices work. */
function resume(entry) {
  resumeWith = null;
  if (!entry || entry.status === "left") return; // not (or no longer) in the queue: check in
  if (entry.status === "done") return afterCall();
  check.hidden = true;
  waitingView.hidden = false;
  if (entry.status === "missed") {
    document.getElementById("queue-status").textContent = waitingView.dataset.missed;
    return;
  }
  follow(); // waiting, called or answered: the first event says which
}

async function start() {
  const standing = fetch(`/api/v1/queue-entries/${token}`, { headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : null), () => null);
  const devices = await openDevices();
  const entry = await standing;
  if (entry?.status === "done") return afterCall(); // no devices needed to rate the call
  if (devices) resume(entry);
  else resumeWith = entry;
}

start();
