// Projector views for voting, agreements and the plenary: how far the room is, the notes with
// the most dots per theme, and in the plenary one slide at a time: a confirmed group of notes
// or a final agreement.

import { formatDate, h } from "../live/dom.js";
import { slideLabel, themeTitle } from "../live/plenary.js";

/** Progress data: the latest from `counts` (voting and agreements), else the snapshot's. */
function progressOf(data) {
  return (data.counts && data.counts.progress) || data.progress ||
    { tables: (data.tables || []).length, tables_with_final: 0, top_notes: {} };
}

/** Tables with at least one final agreement, counted from what the screen knows now. */
function tablesWithFinal(data, progress) {
  const tables = new Set((data.agreements || []).filter((a) => a.status && a.status !== "draft" && a.table !== null)
    .map((a) => a.table));
  return data.agreements ? tables.size : progress.tables_with_final || 0;
}

export function progressView(live) {
  const { t } = live;
  const data = live.data;
  const phase = data.meetup.phase;
  const progress = progressOf(data);
  const total = progress.tables || (data.tables || []).length;
  const done = Math.min(total, tablesWithFinal(data, progress));
  const top = progress.top_notes || {};
  return h("section", { class: "pr-progress", "data-key": "progress" },
    h("h1", { class: "pr-question pr-question--small" }, phase === "voting" ? t("voting_question") : t("agreements_question")),
    phase === "agreements" && total ? h("div", { class: "pr-done", "data-key": "done" },
      h("p", { class: "pr-done__text" }, t("tables_with_final", { n: done, total })),
      h("span", { class: "pr-bar__track pr-done__track", "aria-hidden": "true" },
        h("span", { class: `pr-bar__fill pr-done__fill p${Math.round((done / total) * 20) * 5}` }))) : null,
    h("h2", { class: "pr-top-notes__title" }, t("top_notes_title")),
    h("div", { class: "pr-top-notes" }, (data.themes || []).map((theme) => {
      const notes = top[theme.key] || [];
      return h("section", { class: `pr-theme pr-theme--${theme.key}`, "data-key": `top-${theme.key}` },
        h("h3", null, theme.title),
        notes.length ? h("ol", { class: "pr-toplist" }, notes.map((note) => h("li", { "data-key": `top-${note.uuid}` },
          h("p", { class: "pr-top__text" }, note.text),
          h("p", { class: "pr-top__meta" }, `${t.n(note.votes, "dots_one", "dots_other")} · ${t("table_n", { n: note.table })}`))))
          : h("p", { class: "pr-top__none" }, t("no_dots_yet")));
    })));
}

/** A confirmed group of notes: title, how many notes from how many tables, the top notes. */
function groupSlide(live, plenary) {
  const { t } = live;
  const g = plenary.group;
  const theme = themeTitle(live.data, g.theme);
  return h("section", { class: `pr-plenary pr-group pr-theme--${g.theme}`, "data-key": `plenary-group-${g.id}` },
    h("p", { class: "pr-kicker" }, [slideLabel(plenary, t), theme].filter(Boolean).join(" · ")),
    h("h1", { class: "pr-group__title" }, g.title),
    h("p", { class: "pr-group__counts" },
      `${t.n(g.notes, "group_notes_one", "group_notes_other")} ${t.n(g.tables, "group_tables_one", "group_tables_other")}`),
    h("ol", { class: "pr-group__notes" }, (g.top_notes || []).map((note, i) => h("li", { "data-key": `gn-${i}` },
      h("p", { class: "pr-group__text" }, note.text),
      h("p", { class: "pr-top__meta" }, [note.dots ? t.n(note.dots, "dots_one", "dots_other") : "", t("table_n", { n: note.table })].filter(Boolean).join(" · "))))),
    h("p", { class: "pr-group__more", hidden: !g.more, data: { more: String(g.more || 0) } }, t("group_more", { n: g.more || 0 })));
}

/** After rendering: notes that did not fit whole (moved out of sight, see projector.css) are
 * counted in "+N meer". */
export function fitGroupNotes(view, t) {
  const list = view.querySelector(".pr-group__notes");
  const more = view.querySelector(".pr-group__more");
  if (!list || !more) return;
  const right = list.getBoundingClientRect().right;
  const outside = Array.from(list.children).filter((li) => li.getBoundingClientRect().left >= right).length;
  const n = Number(more.dataset.more || 0) + outside;
  more.hidden = n === 0;
  more.textContent = t("group_more", { n });
}

export function plenaryView(live) {
  const { t } = live;
  const plenary = live.data.plenary || {};
  if (plenary.kind === "group" && plenary.group) return groupSlide(live, plenary);
  const a = plenary.agreement;
  if (!a) {
    return h("section", { class: "pr-plenary", "data-key": "plenary-empty" },
      h("h1", { class: "pr-question" }, t("plenary_none")));
  }
  const theme = themeTitle(live.data, a.theme);
  const owner = [a.owner_name, a.owner_organisation].filter(Boolean).join(", ");
  return h("section", { class: "pr-plenary pr-agreement", "data-key": `plenary-${a.uuid}` },
    h("p", { class: "pr-kicker" },
      `${slideLabel(plenary, t)} · ${t("table_n", { n: a.table })}${theme ? " · " + theme : ""}`),
    h("h1", { class: "pr-agreement__what" }, a.what),
    h("ul", { class: "pr-facts" },
      owner ? h("li", null, t("owner_line", { owner })) : null,
      (a.partners || []).length ? h("li", null, t("partners_line", { partners: a.partners.join(", ") })) : null,
      a.first_step ? h("li", null, t("first_step_line", { step: a.first_step })) : null,
      a.due_date ? h("li", null, t("due_line", { date: formatDate(a.due_date) })) : null,
      a.success_measure ? h("li", { class: "pr-facts__measure" }, t("measure_line", { measure: a.success_measure })) : null),
    h("p", { class: "pr-signed" }, `✋ ${t.n(a.signed || 0, "signed_one", "signed_other")}`));
}
