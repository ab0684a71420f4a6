// The clerk's call page: camera and microphone, the room ticket for this queue entry, the call.
// "Ophangen" only leaves the room (the clerk can go back in, and so can the resident); "Gesprek
// beëindigen" marks the entry done, which ends the conversation for both. A reload while the
// entry is called or answered is back in the call. The outcome form stands beside the call
// from the start: what the clerk writes is kept as a draft on the server (debounced, the same
// form the "Concept bewaren" button posts), so neither hanging up nor a reload loses it.
import { openMedia } from "/static/call.js";
import { startCallView } from "/static/call-view.js";

const root = document.getElementById("clerk-call");
const entry = root.dataset.entry;
const status = document.getElementById("clerk-call-status");
const form = document.getElementById("outcome-form");
const back = document.getElementById("back-to-queue");

const endBlock = document.getElementById("end-conversation");
const endDialog = document.getElementById("end-dialog");
let call = null;

// ---- the draft: kept on the server as the clerk types ----
const draftStatus = document.getElementById("draft-status");
let keepTimer = null;
let keeping = Promise.resolve();
// Once the outcome is recorded the draft is gone on the server; do not start a new one.
let recorded = false;

/** Posts the form as it stands to the draft address (same-origin, so the server's origin check
 * passes, as for every other form). Chained, so an older save never lands after a newer one. */
function keepDraft() {
  clearTimeout(keepTimer);
  keepTimer = null;
  if (!form || recorded) return Promise.resolve();
  const body = new URLSearchParams(new FormData(form));
  keeping = keeping.then(async () => {
    try {
      const resp = await fetch(form.action, {
        method: "POST",
        headers: { Accept: "application/json" },
        body,
      });
      draftStatus.textContent = resp.ok ? form.dataset.kept : form.dataset.keepFailed;
    } catch {
      draftStatus.textContent = form.dataset.keepFailed;
    }
  });
  return keeping;
}

function keepSoon() {
  clearTimeout(keepTimer);
  keepTimer = setTimeout(keepDraft, 800);
}

form?.addEventListener("input", keepSoon);
form?.addEventListener("change", keepSoon);
// Leaving the page (reload, back to the queue) with a save still waiting: send it now.
window.addEventListener("pagehide", () => {
  if (keepTimer !== null && form) {
    clearTimeout(keepTimer);
    navigator.sendBeacon(form.action, new URLSearchParams(new FormData(form)));
  }
});

// "Verder per telefoon" (issue 15 item 5): shown with "Gesprek beëindigen".
const byPhone = document.getElementById("by-phone");
byPhone.querySelector("button").addEventListener("click", async () => {
  const resp = await fetch(`/api/v1/staff/queue/${entry}/by-phone`, { method: "POST" });
  if (!resp.ok) {
    status.textContent = root.dataset.endFailed;
    return;
  }
  call?.end();
  showOutcome();
  status.textContent = byPhone.dataset.done;
});

function showOutcome() {
  endBlock.hidden = true;
  byPhone.hidden = true;
  back.hidden = false;
  if (form) {
    const heading = form.querySelector("h2");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

document.getElementById("end-button").addEventListener("click", () => {
  endDialog.showModal();
  document.getElementById("cancel-end").focus();
});
document.getElementById("cancel-end").addEventListener("click", () => {
  endDialog.close();
  document.getElementById("end-button").focus();
});
document.getElementById("confirm-end").addEventListener("click", async () => {
  endDialog.close();
  // What was written so far is on the server before the conversation ends.
  await keepDraft();
  const resp = await fetch(`/api/v1/staff/queue/${entry}/done`, { method: "POST" });
  if (!resp.ok) {
    status.textContent = root.dataset.endFailed;
    return;
  }
  status.textContent = "";
  // The resident's page learns it from the queue and ends there too.
  call?.end();
  showOutcome();
});

async function start() {
  // Reloaded after "Gesprek beëindigen": the conversation is over, the outcome is what is left.
  if (root.dataset.status === "done") {
    showOutcome();
    return;
  }
  const ticket = await fetch(`/api/v1/staff/queue/${entry}/room-token`, { method: "POST" });
  if (!ticket.ok) {
    status.textContent = root.dataset.failed;
    back.hidden = false;
    return;
  }
  let media;
  try {
    media = await openMedia();
  } catch {
    // Without a microphone the clerk cannot talk: nothing to start.
    status.textContent = root.dataset.failed;
    back.hidden = false;
    return;
  }
  endBlock.hidden = false;
  byPhone.hidden = false;
  call = startCallView(document.getElementById("gesprek"), {
    ticket: await ticket.json(),
    stream: media.stream,
    camera: media.camera,
    onEnded: (state) => {
      // The token ran out or the conversation is over: time for the outcome.
      if (state === "ended") showOutcome();
      else back.hidden = false;
    },
  });
}

form?.addEventListener("submit", async (e) => {
  e.preventDefault();
  if (e.submitter?.id === "keep-draft") {
    await keepDraft();
    return;
  }
  await keepDraft();
  const result = form.querySelector("input[name=result]:checked");
  const followUp = form.querySelector("input[name=follow_up]:checked").value;
  const out = document.getElementById("outcome-status");
  if (!result) {
    out.textContent = form.dataset.failed;
    return;
  }
  const resp = await fetch(form.dataset.record, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    // The queue entry's outcome: its appointment's, or a walk-in's. Only the sources the
    // resident left to the municipality are offered (the server checks).
    body: JSON.stringify({
      result: result.value,
      notes: form.notes.value,
      follow_up: { kind: followUp },
      sources: [...form.querySelectorAll("input[name=sources]:checked")].map((box) => box.value),
    }),
  });
  out.textContent = resp.status === 201 ? form.dataset.saved : form.dataset.failed;
  if (resp.status === 201) {
    recorded = true;
    form.querySelector("#record-outcome").disabled = true;
  }
});

start();
