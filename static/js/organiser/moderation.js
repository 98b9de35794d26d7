// Moderating notes in a full room: the newest notes first, at most LIMIT at a time, narrowed
// to one table or to the hidden ones; hiding and putting back is one click.

import { h } from "../live/dom.js";
import { keyedRows } from "./rows.js";

export const LIMIT = 40;

/** The notes to show for the current filter: {shown, total}. */
export function moderationList(notes, { table = "", hiddenOnly = false } = {}, limit = LIMIT) {
  let list = notes;
  if (table !== "") list = list.filter((n) => String(n.table) === String(table));
  if (hiddenOnly) list = list.filter((n) => n.hidden);
  const total = list.length;
  // Newest first: the snapshot's order is per table and as written; updated_at breaks ties.
  const sorted = list.map((n, i) => [n, i]).sort((a, b) =>
    String(b[0].updated_at || "").localeCompare(String(a[0].updated_at || "")) || b[1] - a[1]);
  return { shown: sorted.slice(0, limit).map(([n]) => n), total };
}

function noteItem(live, note) {
  const { t } = live;
  return h("li", { class: ["ol-note", note.hidden && "ol-note--hidden"] },
    h("p", { class: "ol-note__text", id: `mod-text-${note.uuid}` }, note.text),
    h("p", { class: "ol-note__meta" },
      [t("table_n", { n: note.table }), note.author, t(`round_${note.round}`),
        t.n(note.votes || 0, "dots_one", "dots_other"), note.hidden ? t("hidden") : null].filter(Boolean).join(" · ")),
    h("button", {
      type: "button", class: ["button", "button--small", !note.hidden && "button--danger"],
      data: { action: note.hidden ? "unhide" : "hide", note: note.uuid },
      aria: { describedby: `mod-text-${note.uuid}` },
    }, note.hidden ? t("unhide") : t("hide")));
}

/** Render the moderation list into `listEl` and its count line into `countEl`. */
export function renderModeration(live, filter, listEl, countEl) {
  const { t } = live;
  const notes = live.data.notes || [];
  const { shown, total } = moderationList(notes, filter);
  countEl.textContent = !notes.length ? t("no_notes")
    : shown.length < total ? t("moderation_count", { shown: shown.length, total }) : t.n(total, "notes_one", "notes_other");
  keyedRows(listEl, shown, (n) => `mod-note-${n.uuid}`,
    (n) => JSON.stringify([n.text, n.hidden, n.votes, n.table, n.round, n.author]),
    (n) => noteItem(live, n));
}
