// The brainstorm on the phone: the three rounds (write notes, see the table's notes live) and
// voting with dots.

import { h } from "./dom.js";
import { uuid4 } from "./store.js";
import { earlierDrafts } from "./phone-kept.js";

export const ROUNDS = ["happens", "connect", "missing"];
const ROUND_OF_PHASE = { round_1: "happens", round_2: "connect", round_3: "missing" };
const DEFAULT_MAX = 280;

const UNDO_DELETE = 5000;
const deleting = new Map(); // note uuid -> timer: deleted on this phone, sent after the undo time

/** An own note's editor is open while its draft is (it survives a reload and a new round). */
function isEditing(live, uuid) {
  const draft = live.drafts.get(`note-edit:${uuid}`);
  return Boolean(draft && !draft.op);
}

function noteMax(data) {
  return (data.meetup && data.meetup.note_max_length) || DEFAULT_MAX;
}

function theme(data) {
  const key = (data.table && data.table.theme) || (data.me && data.me.theme);
  return (data.themes || []).find((th) => th.key === key) || null;
}

function visibleNotes(data, round) {
  return (data.notes || []).filter((n) => n.round === round && !n.hidden);
}

function noteItem(live, note, { editable }) {
  const { t } = live;
  const classes = ["note", note.mine && "note--mine", note.pending && "note--pending"];
  if (note.mine && deleting.has(note.uuid)) return deletedItem(live, note);
  if (note.mine && isEditing(live, note.uuid)) {
    const key = `note-edit:${note.uuid}`;
    const draft = live.drafts.text(key, live.outbox);
    const fieldId = `edit-${note.uuid}`;
    return h("li", { class: classes, "data-key": `note-${note.uuid}` },
      h("form", { class: "note-edit", data: { action: "save-note", note: note.uuid } },
        h("label", { for: fieldId }, t("edit_note")),
        h("textarea", {
          id: fieldId, rows: "3", maxlength: String(noteMax(live.data)),
          data: { action: "draft", draft: key }, value: draft !== null ? draft : note.text,
        }),
        h("div", { class: "row" },
          h("button", { type: "submit", class: "button button--primary" }, t("save")),
          h("button", { type: "button", class: "button", data: { action: "cancel-edit" } }, t("cancel")))));
  }
  return h("li", { class: classes, "data-key": `note-${note.uuid}` },
    h("p", { class: "note-text" }, note.text),
    h("p", { class: "note-meta" }, note.pending ? t("sending") : t("by", { name: note.author || "" })),
    editable && note.mine ? h("div", { class: "row" },
      h("button", { type: "button", class: "button button--small", data: { action: "edit-note", note: note.uuid } }, t("edit")),
      h("button", { type: "button", class: "button button--small button--danger", data: { action: "delete-note", note: note.uuid } }, t("delete"))) : null);
}

/** A note deleted on this phone, for a few seconds: "Notitie verwijderd. Ongedaan maken". */
function deletedItem(live, note) {
  const { t } = live;
  return h("li", { class: "note note--deleted", "data-key": `note-${note.uuid}` },
    h("p", { class: "note-meta", role: "status" }, t("note_deleted")),
    h("button", { type: "button", class: "button button--small", data: { action: "undo-delete", note: note.uuid } }, t("undo")));
}

export function roundView(live) {
  const { t } = live;
  const data = live.data;
  const phase = data.meetup.phase;
  const round = ROUND_OF_PHASE[phase] || "happens";
  const th = theme(data);
  if (!data.table) {
    return [h("h1", { tabindex: "-1" }, t(`round_${round}`)), h("p", { class: "lead" }, t("no_table_yet"))];
  }
  const draftKey = `note:${round}`;
  const draft = live.drafts.text(draftKey, live.outbox) || "";
  const max = noteMax(data);
  const notes = visibleNotes(data, round);
  const earlier = ROUNDS.slice(0, ROUNDS.indexOf(round)).filter((r) => visibleNotes(data, r).length);
  return [
    h("p", { class: "kicker" }, `${t("table_n", { n: data.table.number })}${th ? " · " + th.title : ""}`),
    h("h1", { tabindex: "-1", class: "round-question" }, t(`round_${round}`)),
    h("form", { class: "composer", data: { action: "post-note", round } },
      h("label", { for: "note-text" }, t("your_note")),
      h("textarea", {
        id: "note-text", name: "text", rows: "3", maxlength: String(max),
        data: { action: "draft", draft: draftKey, counter: "note-counter" },
        aria: { describedby: "note-counter" }, value: draft,
      }),
      h("div", { class: "row row--spread" },
        h("p", { id: "note-counter", class: "counter" }, t("counter", { n: draft.length, max })),
        h("button", { type: "submit", class: "button button--primary" }, t("post")))),
    earlierDrafts(live, round),
    th && (th.directions || []).length ? h("details", { class: "inspiration" },
      h("summary", null, t("inspiration")),
      th.question ? h("p", { class: "theme-question" }, th.question) : null,
      h("ul", null, th.directions.map((d) => h("li", null,
        h("strong", null, [d.code, d.title].filter(Boolean).join(" ")),
        d.prompt ? h("span", { class: "direction-prompt" }, d.prompt) : null)))) : null,
    h("h2", null, t("table_notes")),
    notes.length
      ? h("ul", { class: "notes", "data-key": `notes-${round}` }, notes.map((n) => noteItem(live, n, { editable: true })))
      : h("p", { class: "muted", "data-key": "no-notes" }, t("no_notes")),
    // Open when an own note of an earlier round is being edited (e.g. after a reload).
    earlier.length ? h("details", { class: "earlier", open: earlier.some((r) => visibleNotes(data, r)
      .some((n) => n.mine && isEditing(live, n.uuid))) || null },
      h("summary", null, t("earlier_rounds")),
      earlier.map((r) => [
        h("h3", null, t(`round_${r}`)),
        h("ul", { class: "notes" }, visibleNotes(data, r).map((n) => noteItem(live, n, { editable: false }))),
      ])) : null,
  ];
}

function dots(n) {
  return h("span", { class: "dots", "aria-hidden": "true" }, "●".repeat(Math.min(n, 12)));
}

export function votingView(live) {
  const { t } = live;
  const data = live.data;
  if (!data.table) {
    return [h("h1", { tabindex: "-1" }, t("phase_voting")), h("p", { class: "lead" }, t("no_table_yet"))];
  }
  const left = Number(data.votes_left ?? 0);
  const rounds = ROUNDS.filter((r) => visibleNotes(data, r).length);
  return [
    h("h1", { tabindex: "-1" }, t("phase_voting")),
    h("p", { class: "lead" }, t("voting_intro")),
    h("p", { class: ["votes-left", left === 0 && "votes-left--none"], role: "status" },
      left > 0 ? t.n(left, "votes_left_one", "votes_left_other") : t("votes_none")),
    rounds.length ? null : h("p", { class: "muted" }, t("no_notes")),
    rounds.map((round) => [
      h("h2", { "data-key": `vote-round-${round}` }, t(`round_${round}`)),
      h("ul", { class: "notes notes--vote", "data-key": `vote-notes-${round}` },
        visibleNotes(data, round).map((note) => {
          const textId = `vote-text-${note.uuid}`;
          const votes = note.votes || 0;
          const mineVotes = note.my_votes || 0;
          return h("li", {
            class: ["note", "note--vote", mineVotes > 0 && "note--voted"],
            "data-key": `vote-${note.uuid}`,
            data: left > 0 ? { action: "vote-add", note: note.uuid } : {},
          },
          h("p", { class: "note-text", id: textId }, note.text),
          h("p", { class: "tally" }, dots(votes), " ",
            t.n(votes, "dots_one", "dots_other"),
            mineVotes ? ` (${t("my_dots", { n: mineVotes })})` : ""),
          h("div", { class: "row" },
            h("button", {
              type: "button", class: "button button--primary",
              data: { action: "vote-add", note: note.uuid },
              aria: { describedby: textId }, disabled: left <= 0,
            }, `+ ${t("add_dot")}`),
            mineVotes ? h("button", {
              type: "button", class: "button",
              data: { action: "vote-remove", note: note.uuid },
              aria: { describedby: textId },
            }, `− ${t("remove_dot")}`) : null));
        })),
    ]),
  ];
}

function updateCounter(live, textarea) {
  const id = textarea.dataset.counter;
  if (!id) return;
  const counter = document.getElementById(id);
  if (counter) {
    counter.textContent = live.t("counter", { n: textarea.value.length, max: textarea.maxLength > 0 ? textarea.maxLength : DEFAULT_MAX });
  }
}

export function boardActions(live) {
  return {
    "input:draft": (el) => {
      live.drafts.set(el.dataset.draft, el.value);
      updateCounter(live, el);
    },
    "submit:post-note": (form, event) => {
      event.preventDefault();
      const textarea = form.querySelector("textarea");
      const text = textarea.value.trim();
      if (!text) {
        textarea.focus();
        return;
      }
      live.send("note.create", { note: uuid4(), round: form.dataset.round, text },
        { draft: textarea.dataset.draft, sent: true });
      textarea.value = "";
      updateCounter(live, textarea);
      textarea.focus();
      // A note for an earlier question leaves with its own field: back to the main one.
      window.setTimeout(() => {
        if (!document.body.contains(textarea)) {
          const main = document.getElementById("note-text");
          if (main) main.focus();
        }
      }, 0);
    },
    "edit-note": (el) => {
      const uuid = el.dataset.note;
      const note = (live.data.notes || []).find((n) => n.uuid === uuid);
      live.drafts.set(`note-edit:${uuid}`, note ? note.text : "", { keepEmpty: true });
      live.render();
      window.setTimeout(() => {
        const field = document.getElementById(`edit-${uuid}`);
        if (field) field.focus();
      }, 0);
    },
    "cancel-edit": (el) => {
      const note = el.closest("form").dataset.note;
      live.drafts.clear(`note-edit:${note}`);
      live.render();
      window.setTimeout(() => {
        const button = document.querySelector(`[data-action="edit-note"][data-note="${note}"]`);
        if (button) button.focus();
      }, 0);
      void el;
    },
    "submit:save-note": (form, event) => {
      event.preventDefault();
      const textarea = form.querySelector("textarea");
      const text = textarea.value.trim();
      if (!text) return;
      const note = form.dataset.note;
      live.send("note.edit", { note, text }, { draft: textarea.dataset.draft, sent: true });
    },
    "delete-note": (el) => {
      // Gone at once, but sent only after a few seconds in which it can be undone.
      const uuid = el.dataset.note;
      if (deleting.has(uuid)) return;
      deleting.set(uuid, window.setTimeout(() => {
        deleting.delete(uuid);
        live.send("note.delete", { note: uuid });
      }, UNDO_DELETE));
      live.render();
      window.setTimeout(() => {
        const undo = document.querySelector(`[data-action="undo-delete"][data-note="${uuid}"]`);
        if (undo) undo.focus();
      }, 0);
    },
    "undo-delete": (el) => {
      const uuid = el.dataset.note;
      window.clearTimeout(deleting.get(uuid));
      deleting.delete(uuid);
      live.render();
      window.setTimeout(() => {
        const button = document.querySelector(`[data-action="delete-note"][data-note="${uuid}"]`);
        if (button) button.focus();
      }, 0);
    },
    "vote-add": (el, event) => {
      if (event.target.closest("button") && event.target.closest("button") !== el) return;
      if (Number(live.data.votes_left ?? 0) <= 0) return;
      live.send("vote.add", { vote: uuid4(), note: el.dataset.note });
    },
    "vote-remove": (el) => {
      live.send("vote.remove", { note: el.dataset.note });
    },
  };
}
