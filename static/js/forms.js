// Guard against double submits (a quick double tap on a phone would join twice):
// once a form really submits, its submit buttons are disabled until the next page.
// The logic is exported for the page-logic tests (tests/js/forms.test.mjs); the listeners are
// only installed in a browser.

/** Handle a submit event: a second submit of the same form is stopped. Returns true when the
 * submission goes ahead. */
export function guardSubmit(event, defer = (fn) => setTimeout(fn, 0)) {
  if (event.defaultPrevented) return false;
  const form = event.target;
  if (!form || form.tagName !== "FORM") return false;
  if (form.dataset.submitting) {
    event.preventDefault(); // the first submission is on its way
    return false;
  }
  form.dataset.submitting = "1";
  // Disable after this tick so the clicked button's name/value is still sent.
  defer(() => {
    for (const button of form.querySelectorAll("button[type=submit], button:not([type])")) {
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
    }
  });
  return true;
}

/** Coming back with the browser's back button restores the page from cache: enable again. */
export function reenableForms(root) {
  for (const form of root.querySelectorAll("form[data-submitting]")) {
    delete form.dataset.submitting;
    for (const button of form.querySelectorAll("button[disabled]")) {
      button.disabled = false;
      button.removeAttribute("aria-disabled");
    }
  }
}

if (typeof document !== "undefined" && typeof window !== "undefined") {
  document.addEventListener("submit", (event) => guardSubmit(event));
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) reenableForms(document);
  });
}
