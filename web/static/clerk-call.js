// The clerk's call page: camera and microphone, the room ticket for this queue entry, the call.
// "Ophangen" only leaves the room (the clerk can go back in, and so can the resident); "Gesprek
// beëindigen" marks the entry done, which ends the conversation for both, and then the outcome
// form appears. A reload while the entry is called or answered is back in the call.
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
    form.hidden = false;
    form.querySelector("h2").setAttribute("tabindex", "-1");
    form.querySelector("h2").focus();
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
  const result = form.querySelector("input[name=result]:checked");
  const followUp = form.querySelector("input[name=follow_up]:checked").value;
  const out = document.getElementById("outcome-status");
  if (!result) {
    out.textContent = form.dataset.failed;
    return;
  }
  const resp = await fetch(`/api/v1/staff/appointments/${form.dataset.appointment}/outcomes`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    // Only the sources the resident left to the municipality are offered (the server checks).
    body: JSON.stringify({
      result: result.value,
      notes: form.notes.value,
      follow_up: { kind: followUp },
      sources: [...form.querySelectorAll("input[name=sources]:checked")].map((box) => box.value),
    }),
  });
  out.textContent = resp.status === 201 ? form.dataset.saved : form.dataset.failed;
  if (resp.status === 201) form.querySelector("button[type=submit]").disabled = true;
});

start();
