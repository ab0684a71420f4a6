// The walk-in's place in line (web/src/pages/walk_in.rs), live: follows the queue entry's
// Server-Sent Events and says the place, the expected wait, or that a clerk is calling. The
// words come from the status line's data attributes, in the visitor's language. Without this
// script the page works with its reload link.

const status = document.getElementById("queue-status");
const w = status.dataset;
document.getElementById("refresh")?.setAttribute("hidden", "");

const events = new EventSource(`/api/v1/queue-entries/${w.token}/events`);
events.addEventListener("entry", (e) => {
  const entry = JSON.parse(e.data);
  let text;
  if (entry.status === "waiting") {
    const place = entry.place == null || entry.place === 1
      ? w.next
      : w.place.replace("{ahead}", entry.place - 1).replace("{place}", entry.place);
    const wait = entry.expected_wait_minutes == null
      ? ""
      : " " + w.wait.replace("{minutes}", Math.max(1, entry.expected_wait_minutes));
    text = place + wait;
  } else {
    text = { called: w.called, answered: w.inCall, missed: w.missed, left: w.left, done: w.done }[entry.status];
  }
  if (text && status.textContent !== text) status.textContent = text;
  status.dataset.status = entry.status;
  if (["missed", "left", "done"].includes(entry.status)) {
    events.close();
    document.getElementById("leave-line")?.closest("form")?.setAttribute("hidden", "");
  }
});
