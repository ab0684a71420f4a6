// The resident's document uploads (web/src/pages/documents.rs) with progress: each upload form
// is sent with XMLHttpRequest, whose upload events drive the form's <progress>. The answer is
// the same page the form would have led to (after the redirect, or with the refusal at the
// field), so the script shows that. Without this script the forms post as usual.

for (const form of document.querySelectorAll("form[data-upload]")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const box = form.querySelector(".upload-progress");
    const bar = box?.querySelector("progress");
    const button = form.querySelector("button[type=submit]");
    box?.removeAttribute("hidden");
    if (button) button.disabled = true;
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", (e) => {
      if (bar && e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    request.addEventListener("load", () => {
      if (request.status === 200 && request.responseURL) {
        window.location.assign(request.responseURL);
        return;
      }
      // A refusal: the page with the message at the field.
      const page = new DOMParser().parseFromString(request.responseText, "text/html");
      const main = page.querySelector("main");
      if (main) {
        document.querySelector("main").replaceWith(main);
        document.title = page.title;
        main.querySelector(".error-summary, [role=alert]")?.focus?.();
        // The new forms need the script again.
        const again = document.createElement("script");
        again.type = "module";
        again.src = `/static/documents.js?${Date.now()}`;
        document.body.append(again);
      } else {
        form.submit();
      }
    });
    request.addEventListener("error", () => form.submit());
    request.send(new FormData(form));
  });
}
