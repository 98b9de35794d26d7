// What a person typed that is not (yet) on the board: nothing typed is lost, ever.
//
// - A note typed in round 1 and not posted stays a draft; in later rounds it is shown with
//   its question and can still be posted (the earlier questions stay open for writing).
// - When the board closes (voting and later), every unsent note, unsaved edit of a note, and
//   the text of every refused write is shown in a "niet verstuurd" box, to copy or discard.
// - The text of a refused write is kept with the reason (Kept in store.js) until discarded.

import { h } from "./dom.js";
import { uuid4 } from "./store.js";

export const ROUNDS = ["happens", "connect", "missing"];
const ROUND_OF_PHASE = { round_1: "happens", round_2: "connect", round_3: "missing" };

/** The questions a note can be written for in `phase` (none outside the rounds). */
export function openRounds(phase) {
  const round = ROUND_OF_PHASE[phase];
  return round ? ROUNDS.slice(0, ROUNDS.indexOf(round) + 1) : [];
}

/** Drafts of new notes with text that was never sent: [{key, round, text}]. */
export function noteDrafts(drafts) {
  const list = [];
  for (const [key, draft] of Object.entries(drafts.items)) {
    if (!key.startsWith("note:") || draft.op || !(draft.text || "").trim()) continue;
    list.push({ key, round: key.slice("note:".length), text: draft.text });
  }
  return list.sort((a, b) => ROUNDS.indexOf(a.round) - ROUNDS.indexOf(b.round));
}

/** Open editors of own notes: [{key, note, text}] (an editor is open while its draft is). */
export function editDrafts(drafts) {
  const list = [];
  for (const [key, draft] of Object.entries(drafts.items)) {
    if (!key.startsWith("note-edit:") || draft.op) continue;
    list.push({ key, note: key.slice("note-edit:".length), text: draft.text || "" });
  }
  return list;
}

/**
 * Everything that belongs in the "niet verstuurd" box in the current phase:
 * [{id, kind, label, text, reason?, op?, key?, round?}].
 */
export function unsentItems(live) {
  const data = live.data || {};
  const phase = (data.meetup && data.meetup.phase) || "registration";
  const open = openRounds(phase);
  const notes = new Map((data.notes || []).map((n) => [n.uuid, n]));
  const items = [];
  for (const kept of live.kept.list()) {
    items.push({ id: `kept-${kept.op}`, op: kept.op, kind: kept.kind, text: kept.text,
      reason: kept.reason, round: kept.round, label: label(live, kept) });
  }
  for (const draft of noteDrafts(live.drafts)) {
    if (open.includes(draft.round)) continue; // shown in the round view, ready to post
    items.push({ id: `draft-${draft.key}`, key: draft.key, kind: "note", text: draft.text,
      round: draft.round, label: label(live, { kind: "note", round: draft.round }) });
  }
  for (const edit of editDrafts(live.drafts)) {
    const note = notes.get(edit.note);
    if (open.length && note && note.mine && !note.hidden) continue; // its editor is open
    if (note && note.text === edit.text) continue; // nothing changed: nothing to lose
    if (!edit.text.trim()) continue;
    items.push({ id: `draft-${edit.key}`, key: edit.key, kind: "edit", text: edit.text,
      label: label(live, { kind: "edit" }) });
  }
  return items;
}

function label(live, item) {
  const { t } = live;
  if (item.kind === "note") {
    return ROUNDS.includes(item.round) ? t("unsent_for", { question: t(`round_${item.round}`) }) : t("your_note");
  }
  if (item.kind === "edit") return t("unsent_edit");
  if (item.kind === "agreement") return t("unsent_field", { field: t(`field_${item.field}`) });
  return "";
}

function safeId(id) {
  return id.replace(/[^A-Za-z0-9_-]/g, "_");
}

function foldKey(live) {
  return `meetup:${live.meetupId}:unsent-folded`;
}

/** The person folded the box away (kept across reloads until they open it again). */
function isFolded(live) {
  try {
    return window.localStorage.getItem(foldKey(live)) === "1";
  } catch (_e) {
    return false;
  }
}

/**
 * The "niet verstuurd" box (null when there is nothing in it). It can be folded away to one
 * line (the texts stay), and it is not shown on the closing screen: the evening is over there,
 * and what the person takes part in comes first. The texts stay on the phone all the same.
 */
export function unsentBox(live) {
  const { t } = live;
  const phase = live.data && live.data.meetup && live.data.meetup.phase;
  if (phase === "closed") return null;
  const items = unsentItems(live);
  if (!items.length) return null;
  const open = openRounds(phase);
  return h("section", { class: "unsent", "data-key": "unsent", aria: { labelledby: "unsent-title" } },
    h("h2", { id: "unsent-title" }, t("unsent_title")),
    h("details", { class: "unsent-fold", "data-key": "unsent-fold", open: !isFolded(live) },
      h("summary", { class: "unsent-summary", data: { action: "unsent-fold" } },
        t.n(items.length, "unsent_count_one", "unsent_count_other")),
      unsentList(live, items, open)));
}

function unsentList(live, items, open) {
  const { t } = live;
  return [
    h("p", { class: "unsent-intro" }, t("unsent_intro")),
    h("ul", { class: "unsent-list" }, items.map((item) => {
      const id = safeId(item.id);
      return h("li", { class: "unsent-item", "data-key": item.id },
        h("label", { for: `${id}-text` }, item.label),
        item.reason ? h("p", { class: "unsent-reason", id: `${id}-reason` }, t("unsent_reason", { reason: item.reason })) : null,
        h("textarea", {
          id: `${id}-text`, readonly: "readonly", rows: "3", value: item.text,
          aria: { describedby: item.reason ? `${id}-reason` : null },
        }),
        h("div", { class: "row" },
          item.kind === "note" && open.includes(item.round) ? h("button", {
            type: "button", class: "button button--primary",
            data: { action: "unsent-post", item: item.id },
          }, t("post_again")) : null,
          h("button", { type: "button", class: "button", data: { action: "unsent-copy", item: item.id } }, t("copy")),
          h("button", { type: "button", class: "button button--danger", data: { action: "unsent-discard", item: item.id } }, t("discard"))),
        h("p", { class: "unsent-status", role: "status", id: `${id}-status` }));
    })),
  ];
}

/** Drafts written for an earlier question, shown in a later round to post them still. */
export function earlierDrafts(live, round) {
  const { t } = live;
  const open = openRounds(live.data.meetup.phase);
  const drafts = noteDrafts(live.drafts).filter((d) => d.round !== round && open.includes(d.round));
  if (!drafts.length) return null;
  return h("section", { class: "earlier-drafts", "data-key": "earlier-drafts", aria: { labelledby: "earlier-drafts-title" } },
    h("h2", { id: "earlier-drafts-title" }, t("earlier_drafts_title")),
    drafts.map((draft) => {
      const id = `note-text-${draft.round}`;
      return h("form", { class: "composer composer--earlier", "data-key": `earlier-${draft.round}`,
        data: { action: "post-note", round: draft.round } },
      h("label", { for: id }, t("unsent_for", { question: t(`round_${draft.round}`) })),
      h("textarea", {
        id, name: "text", rows: "3", maxlength: String((live.data.meetup && live.data.meetup.note_max_length) || 280),
        data: { action: "draft", draft: draft.key }, value: draft.text,
      }),
      h("div", { class: "row" },
        h("button", { type: "submit", class: "button button--primary" }, t("post")),
        h("button", { type: "button", class: "button", data: { action: "unsent-discard", item: `draft-${draft.key}` } }, t("discard"))));
    }));
}

function find(live, id) {
  return unsentItems(live).find((item) => item.id === id) ||
    (id.startsWith("draft-") ? { id, key: id.slice("draft-".length) } : null);
}

function discard(live, item) {
  if (item.op) live.kept.remove(item.op);
  if (item.key) live.drafts.clear(item.key);
  live.render();
}

async function copy(text, field) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch (_e) { /* fall back to selecting the text */ }
  if (!field) return false;
  field.focus();
  field.select();
  try {
    return document.execCommand("copy");
  } catch (_e) {
    return false;
  }
}

export function unsentActions(live) {
  return {
    "unsent-fold": (el) => {
      // Runs before the <details> toggles: open now means folded next.
      const details = el.parentElement;
      try {
        window.localStorage.setItem(foldKey(live), details && details.open ? "1" : "0");
      } catch (_e) { /* storage blocked: folded until the page is reloaded */ }
    },
    "unsent-discard": (el) => {
      const item = find(live, el.dataset.item);
      if (item) discard(live, item);
    },
    "unsent-copy": async (el) => {
      const item = find(live, el.dataset.item);
      if (!item) return;
      const id = safeId(item.id);
      const ok = await copy(item.text, document.getElementById(`${id}-text`));
      const status = document.getElementById(`${id}-status`);
      if (status) status.textContent = ok ? live.t("copied") : live.t("copy_by_hand");
    },
    "unsent-post": (el) => {
      const item = find(live, el.dataset.item);
      if (!item || !item.text) return;
      live.send("note.create", { note: uuid4(), round: item.round, text: item.text.trim() });
      discard(live, item);
    },
  };
}
