// Where a person was on the page: the field they were typing in when the phase changed, and
// the scroll position across a reload (long screens: the board, the agreements).

/** The focused field (by its draft key or id) with its caret, before a re-render. */
export function captureFocus() {
  const el = document.activeElement;
  if (!el || el === document.body || !(el.tagName === "TEXTAREA" || el.tagName === "INPUT")) return null;
  return { draft: el.dataset.draft || null, id: el.id || null, start: el.selectionStart, end: el.selectionEnd };
}

/** Put focus back in the same field when a new view still has it; true when it did. */
export function restoreFocus(saved, container) {
  if (!saved || container.contains(document.activeElement)) return false;
  let el = null;
  if (saved.draft) {
    el = Array.from(container.querySelectorAll("[data-draft]")).find((f) => f.dataset.draft === saved.draft) || null;
  }
  if (!el && saved.id) el = document.getElementById(saved.id);
  if (!el || !container.contains(el)) return false;
  el.focus({ preventScroll: true });
  try {
    if (saved.start !== null && saved.start !== undefined) el.setSelectionRange(saved.start, saved.end);
  } catch (_e) { /* a date field has no caret */ }
  el.scrollIntoView({ block: "center" });
  return true;
}

/** Remembers the scroll position of a view in sessionStorage (it survives a reload). */
export class ScrollKeeper {
  constructor(meetupId) {
    this.key = `meetup:${meetupId}:scroll`;
    this.view = null;
    this.queued = false;
    try {
      if ("scrollRestoration" in history) history.scrollRestoration = "manual";
    } catch (_e) { /* not supported */ }
    window.addEventListener("scroll", () => this.queue(), { passive: true });
    window.addEventListener("pagehide", () => this.save());
  }

  queue() {
    if (this.queued) return;
    this.queued = true;
    window.setTimeout(() => {
      this.queued = false;
      this.save();
    }, 200);
  }

  save() {
    if (!this.view) return;
    try {
      window.sessionStorage.setItem(this.key, JSON.stringify({ view: this.view, y: Math.round(window.scrollY) }));
    } catch (_e) { /* storage blocked: the page works without */ }
  }

  /** The first render of a page load: scroll back to where this view was left. */
  restore(view) {
    this.view = view;
    let saved = null;
    try {
      saved = JSON.parse(window.sessionStorage.getItem(this.key) || "null");
    } catch (_e) {
      saved = null;
    }
    if (saved && saved.view === view && saved.y > 0) window.scrollTo(0, saved.y);
  }

  /** Another view was shown: it starts at the top. */
  changed(view) {
    this.view = view;
    this.save();
  }
}
