// Keyed lists that only touch the rows whose content changed: the organiser's overview has up
// to 170 tables and 1,000 people, and events arrive many times a second during a round.

import { morph } from "../live/dom.js";

/**
 * Make `container`'s children one element per item, in order. `build(item)` makes the element
 * (its attributes included); it is only called for new items and items whose `signature(item)`
 * changed since the last render. Focus inside an unchanged row is never disturbed.
 */
export function keyedRows(container, items, keyOf, signature, build) {
  const existing = new Map();
  for (const el of Array.from(container.children)) existing.set(el.dataset.key, el);
  let cursor = container.firstElementChild;
  for (const item of items) {
    const key = String(keyOf(item));
    const sig = signature(item);
    let el = existing.get(key);
    if (el) {
      existing.delete(key);
      if (el.dataset.sig !== sig) {
        const fresh = build(item);
        for (const attr of Array.from(el.attributes)) {
          if (!fresh.hasAttribute(attr.name)) el.removeAttribute(attr.name);
        }
        for (const attr of Array.from(fresh.attributes)) el.setAttribute(attr.name, attr.value);
        morph(el, Array.from(fresh.childNodes));
      }
    } else {
      el = build(item);
    }
    el.dataset.key = key;
    el.dataset.sig = sig;
    if (el !== cursor) container.insertBefore(el, cursor);
    else cursor = cursor.nextElementSibling;
  }
  for (const el of existing.values()) el.remove();
}
