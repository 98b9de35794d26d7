// Tiny DOM helpers: build elements with h(), then morph() them into the live page.
//
// Views are pure functions state -> elements. morph() patches the page in place, so focus,
// caret, typed text, open <details> and scroll position survive every re-render. Behaviour is
// attached once with delegate() on data-action attributes (no inline handlers: strict CSP).

const PROPS = new Set(["value", "checked", "disabled", "selected", "indeterminate"]);

/** h("button", {class: "x", data: {action: "vote"}, aria: {pressed: "true"}}, "text", child) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (tag === "select" && name === "value") continue; // mark the <option> selected instead
    if (name === "data") {
      for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) el.dataset[k] = v;
    } else if (name === "aria") {
      for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) el.setAttribute(`aria-${k}`, v);
    } else if (name === "class") {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    } else if (PROPS.has(name)) {
      el[name] = value;
      if (name === "value" && tag !== "textarea" && tag !== "select") el.setAttribute("value", value);
      if (name !== "value" && value) el.setAttribute(name, "");
    } else {
      el.setAttribute(name, value === true ? "" : value);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

function keyOf(node) {
  return node.nodeType === 1 ? node.getAttribute("data-key") : null;
}

function same(a, b) {
  if (a.nodeType !== b.nodeType) return false;
  if (a.nodeType !== 1) return true;
  return a.tagName === b.tagName && keyOf(a) === keyOf(b) &&
    (a.tagName !== "INPUT" || a.type === b.type);
}

function syncAttributes(from, to) {
  for (const attr of Array.from(from.attributes)) {
    if (to.getAttribute(attr.name) !== attr.value) {
      if (from.tagName === "DETAILS" && attr.name === "open") continue;
      to.setAttribute(attr.name, attr.value);
    }
  }
  for (const attr of Array.from(to.attributes)) {
    if (!from.hasAttribute(attr.name)) {
      if (to.tagName === "DETAILS" && attr.name === "open") continue;
      to.removeAttribute(attr.name);
    }
  }
}

// Fields the user is typing in: never overwritten by a re-render until they leave the field.
const typing = new WeakSet();
if (typeof document !== "undefined") { // not under node (the page-logic tests import views' helpers)
  document.addEventListener("input", (event) => typing.add(event.target), true);
  document.addEventListener("focusout", (event) => typing.delete(event.target), true);
}

function syncFormState(from, to) {
  const busy = to === document.activeElement && typing.has(to);
  if ((to.tagName === "INPUT" || to.tagName === "TEXTAREA" || to.tagName === "SELECT") && !busy) {
    if (to.value !== from.value) to.value = from.value;
  }
  if (to.tagName === "INPUT" && (to.type === "checkbox" || to.type === "radio")) {
    to.checked = from.checked;
  }
  if (to.tagName === "OPTION") to.selected = from.selected;
}

function patch(target, source) {
  if (target.nodeType !== 1) {
    if (target.nodeValue !== source.nodeValue) target.nodeValue = source.nodeValue;
    return;
  }
  syncAttributes(source, target);
  if (target.tagName === "TEXTAREA") {
    syncFormState(source, target);
    return;
  }
  morphChildren(target, source);
  syncFormState(source, target);
}

/** Make target's children look like source's children, reusing nodes by data-key or position. */
export function morphChildren(target, source) {
  const incoming = Array.from(source.childNodes);
  const keyed = new Map();
  for (const node of Array.from(target.childNodes)) {
    const key = keyOf(node);
    if (key) keyed.set(key, node);
  }
  let cursor = target.firstChild;
  for (const next of incoming) {
    const key = keyOf(next);
    let match = null;
    if (key) {
      match = keyed.get(key) || null;
      if (match && !same(match, next)) match = null;
    } else if (cursor && !keyOf(cursor) && same(cursor, next)) {
      match = cursor;
    }
    if (match) {
      if (match !== cursor) target.insertBefore(match, cursor);
      else cursor = cursor.nextSibling;
      if (key) keyed.delete(key);
      patch(match, next);
    } else {
      target.insertBefore(next, cursor);
    }
  }
  while (cursor) {
    const after = cursor.nextSibling;
    target.removeChild(cursor);
    cursor = after;
  }
}

/** Render `nodes` (an element, text or array) as the content of `container`. */
export function morph(container, nodes) {
  const source = document.createElement(container.tagName);
  append(source, [nodes]);
  morphChildren(container, source);
}

/** One listener per event type on `root`; handlers receive (element, event). */
export function delegate(root, type, handlers) {
  root.addEventListener(type, (event) => {
    const el = event.target.closest ? event.target.closest("[data-action]") : null;
    if (!el || !root.contains(el)) return;
    const handler = handlers[el.dataset.action];
    if (handler) handler(el, event);
  });
}

/** A date "YYYY-MM-DD" as "15 januari 2027" in the page's language. */
export function formatDate(value, lang) {
  if (!value) return "";
  const [y, m, d] = String(value).slice(0, 10).split("-").map(Number);
  if (!y || !m || !d) return String(value);
  try {
    return new Intl.DateTimeFormat(lang || document.documentElement.lang || "nl",
      { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
      .format(new Date(Date.UTC(y, m - 1, d)));
  } catch (_e) {
    return String(value);
  }
}

/** A short unique id for labels (stable per key). */
export function domId(...parts) {
  return parts.join("-").replace(/[^A-Za-z0-9_-]/g, "_");
}
