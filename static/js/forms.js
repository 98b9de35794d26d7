// Guard against double submits (a quick double tap on a phone would join twice):
// once a form really submits, its submit buttons are disabled until the next page.
document.addEventListener("submit", (event) => {
  if (event.defaultPrevented) return;
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.dataset.submitting) return;
  form.dataset.submitting = "1";
  // Disable after this tick so the clicked button's name/value is still sent.
  setTimeout(() => {
    for (const button of form.querySelectorAll("button[type=submit], button:not([type])")) {
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
    }
  }, 0);
});

// Coming back with the browser's back button restores the page from cache: enable again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  for (const form of document.querySelectorAll("form[data-submitting]")) {
    delete form.dataset.submitting;
    for (const button of form.querySelectorAll("button[disabled]")) {
      button.disabled = false;
      button.removeAttribute("aria-disabled");
    }
  }
});
