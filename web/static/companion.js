// A companion's or interpreter's page (web/src/pages/companion.rs, `/m/{token}`): the device
// check, then wait until the clerk has called the resident in (the room token is refused with
// 409 until then), then the call. Taken out by the clerk: the page says so and stays out.

import { openMedia } from "/static/call.js";
import { startCallView } from "/static/call-view.js";

const check = document.getElementById("apparaten");
const waitingView = document.getElementById("wachten");
const callView = document.getElementById("gesprek");
const token = check.dataset.token;
const help = document.getElementById("device-help");
const retry = document.getElementById("retry-devices");
const ready = document.getElementById("ready");
const status = document.getElementById("queue-status");
// How often to ask whether the call has started.
const POLL_MS = 2000;

let media = null;

function say(text) {
  help.textContent = text;
  help.hidden = !text;
  document.getElementById("permission-help").hidden = text !== check.dataset.denied;
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
    say(err.name === "NotAllowedError" || err.name === "SecurityError" ? check.dataset.denied : check.dataset.noDevices);
    return false;
  }
  const preview = document.getElementById("preview");
  preview.srcObject = media.stream;
  preview.hidden = !media.camera;
  if (!media.camera) say(check.dataset.noCamera);
  ready.disabled = false;
  return true;
}

document.getElementById("test-sound").addEventListener("click", () => {
  const ctx = new AudioContext();
  const tone = ctx.createOscillator();
  const gain = ctx.createGain();
  gain.gain.value = 0.2;
  tone.frequency.value = 440;
  tone.connect(gain).connect(ctx.destination);
  tone.start();
  tone.stop(ctx.currentTime + 1);
});

retry.addEventListener("click", openDevices);

ready.addEventListener("click", () => {
  ready.disabled = true;
  check.hidden = true;
  waitingView.hidden = false;
  status.textContent = waitingView.dataset.waiting;
  join();
});

async function join() {
  const resp = await fetch(`/api/v1/companions/${token}/room-token`, {
    method: "POST",
    headers: { Accept: "application/json" },
  });
  if (resp.status === 409) {
    // Not started yet (or over: the problem says which).
    const problem = await resp.json().catch(() => ({}));
    if (/voorbij|is over/i.test(JSON.stringify(problem))) {
      status.textContent = waitingView.dataset.over;
      return;
    }
    setTimeout(join, POLL_MS);
    return;
  }
  if (resp.status === 404) {
    status.textContent = waitingView.dataset.removed;
    return;
  }
  if (!resp.ok) {
    setTimeout(join, POLL_MS);
    return;
  }
  waitingView.hidden = true;
  startCallView(callView, {
    ticket: await resp.json(),
    stream: media.stream,
    camera: media.camera,
    onEnded: () => {},
  });
  document.getElementById("gesprek-kop").focus();
}

openDevices();
