// The clerk's list of who is in the call (web/src/pages/staff/call.rs, `#deelnemers`): every
// participant with name and role, a "Uit het gesprek halen" button for companions and
// interpreters, and inviting an interpreter. Follows the call view's participants event
// (static/call-view.js), so the clerk's call script needs no change.

const section = document.getElementById("deelnemers");
const list = document.getElementById("deelnemers-lijst");
const status = document.getElementById("deelnemers-status");
const appointment = section.dataset.appointment;
const w = section.dataset;
let call = null;

function roleWord(role) {
  return w[`role${role.charAt(0).toUpperCase()}${role.slice(1)}`] || role;
}

function render(people) {
  list.replaceChildren();
  for (const p of people.values()) {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = `${p.name} (${roleWord(p.role)})`;
    item.append(name);
    if (p.role === "companion" || p.role === "interpreter") {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button button--secondary";
      button.textContent = w.remove.replace("{name}", p.name);
      button.addEventListener("click", () => remove(p));
      item.append(" ", button);
    }
    list.append(item);
  }
  if (people.size === 0) {
    const item = document.createElement("li");
    item.textContent = w.nobody;
    list.append(item);
  }
}

async function remove(p) {
  if (!window.confirm(w.confirm.replace("{name}", p.name))) return;
  // First the link (so it admits no more), then the session.
  const id = p.id.replace(/^companion-/, "");
  if (appointment) {
    const resp = await fetch(`/api/v1/staff/appointments/${appointment}/companions/${id}/remove`, {
      method: "POST",
      headers: { Accept: "application/json" },
    });
    if (!resp.ok) {
      status.textContent = w.failed;
      return;
    }
  }
  call?.remove(p.id);
  status.textContent = w.removed.replace("{name}", p.name);
}

document.getElementById("gesprek").addEventListener("videoloket:participants", (e) => {
  call = e.detail.call;
  section.hidden = false;
  render(e.detail.people);
});

const invite = document.getElementById("tolk-form");
invite?.addEventListener("submit", async (e) => {
  e.preventDefault();
  const resp = await fetch(`/api/v1/staff/appointments/${appointment}/interpreters`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ name: invite.elements["tolk-naam"].value, email: invite.elements["tolk-email"].value || null }),
  });
  const out = document.getElementById("tolk-link");
  if (resp.status !== 201) {
    const problem = await resp.json().catch(() => ({}));
    status.textContent = problem.detail || w.failed;
    return;
  }
  const invited = await resp.json();
  out.hidden = false;
  out.querySelector("input").value = invited.link;
  status.textContent = w.invited.replace("{name}", invited.name);
});
