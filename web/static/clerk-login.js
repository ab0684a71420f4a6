// The clerks' login form posts JSON to the API, which sets the session cookie; then the queue.
const form = document.getElementById("login-form");
const error = document.getElementById("login-error");

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const resp = await fetch(form.action, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ tenant: form.dataset.tenant, email: form.email.value, password: form.password.value }),
  });
  if (resp.ok) {
    location.assign("/medewerker/wachtrij");
    return;
  }
  error.textContent = resp.status === 401 ? form.dataset.wrong : form.dataset.failed;
  error.hidden = false;
  error.focus();
});
