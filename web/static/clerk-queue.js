// The clerks' live queue: the page comes with the queue as it was when opened. On every
// Server-Sent Event the page is fetched again and its rows, count and team table are swapped
// in, so the rows (with their forms) are rendered in one place, on the server. While a clerk
// types in a row's form the swap waits, so no typed reason or note is lost.
const rows = document.getElementById("queue-rows");
let pending = false;
let busy = false;

function typing() {
  const active = document.activeElement;
  return active && rows.contains(active) && active.matches("input, textarea, select");
}

async function refresh() {
  if (busy) {
    pending = true;
    return;
  }
  if (typing()) {
    pending = true;
    return;
  }
  busy = true;
  pending = false;
  try {
    const resp = await fetch(location.pathname, { credentials: "same-origin" });
    if (resp.redirected || !resp.ok) return;
    const fresh = new DOMParser().parseFromString(await resp.text(), "text/html");
    for (const id of ["queue-rows", "queue-count", "team-status"]) {
      const now = document.getElementById(id);
      const next = fresh.getElementById(id);
      if (now && next && now.innerHTML !== next.innerHTML) now.innerHTML = next.innerHTML;
    }
  } finally {
    busy = false;
    if (pending && !typing()) refresh();
  }
}

rows.addEventListener("focusout", () => {
  // After the focus has moved on: still typing in another field of the list?
  setTimeout(() => {
    if (pending && !typing()) refresh();
  }, 0);
});

const events = new EventSource("/api/v1/staff/queue/events");
// The first event is the queue now: it may have changed since the page was rendered.
events.addEventListener("queue", refresh);
// A refused stream (session over) closes for good: log in again.
events.onerror = () => {
  if (events.readyState === EventSource.CLOSED) location.assign("/medewerker");
};
