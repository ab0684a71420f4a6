// The clerks' live queue: the page comes with the queue as it was when opened; the API's
// Server-Sent Events redraw the table on every change. "Next resident" is a plain form post.
const root = document.getElementById("wachtrij");
const w = root.dataset;
const rows = document.getElementById("queue-rows");
const count = document.getElementById("queue-count");

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

const events = new EventSource("/api/v1/staff/queue/events");
events.addEventListener("queue", (e) => {
  const { queue } = JSON.parse(e.data);
  rows.replaceChildren(
    ...queue.map((entry) => {
      const tr = document.createElement("tr");
      tr.append(
        cell(entry.resident_name),
        cell(entry.service),
        cell(entry.status === "waiting" ? w.waiting : w.withClerk),
        cell(w.minutes.replace("{minutes}", Math.floor(entry.waiting_seconds / 60))),
      );
      return tr;
    }),
  );
  const waiting = queue.filter((entry) => entry.status === "waiting").length;
  count.textContent = waiting === 0 ? w.empty : `${w.waiting}: ${waiting}`;
});
// A refused stream (session over) closes for good: log in again.
events.onerror = () => {
  if (events.readyState === EventSource.CLOSED) location.assign("/medewerker");
};
