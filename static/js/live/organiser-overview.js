// The organiser's live overview: one card per table (people, notes, dots, agreements, a warning
// when a table has no final agreement late in the evening), people without a table, and the
// moderation list of every note.

import { h } from "./dom.js";

export const PHASES = ["registration", "theme_choice", "tables", "round_1", "round_2", "round_3",
  "voting", "agreements", "plenary", "closed"];
const ROUNDS = ["happens", "connect", "missing"];

function themeTitle(data, key) {
  const theme = (data.themes || []).find((th) => th.key === key);
  return theme ? theme.title : key || "";
}

function moveSelect(live, person, currentTable) {
  const { t } = live;
  const id = `move-${person.id}`;
  const name = person.display_name || person.first_name;
  return h("span", { class: "move" },
    h("label", { for: id, class: "visually-hidden" }, t("move_to", { name })),
    h("select", { id, data: { action: "move", participant: String(person.id) } },
      h("option", { value: "", selected: currentTable === null }, currentTable === null ? t("choose_table") : "—"),
      (live.data.tables || []).map((table) => h("option", {
        value: String(table.number), selected: table.number === currentTable,
      }, t("table_theme", { n: table.number, theme: themeTitle(live.data, table.theme) })))));
}

function person(live, p, table) {
  const role = p.role_label || live.t(`role_${p.role}`);
  return h("li", { "data-key": `person-${p.id}` },
    h("span", { class: "person" },
      h("strong", null, p.display_name || p.first_name),
      h("span", { class: "muted" }, ` · ${role}${p.organisation ? " · " + p.organisation : ""}`)),
    moveSelect(live, p, table));
}

export function overviewView(live) {
  const { t } = live;
  const data = live.data;
  const phaseIndex = PHASES.indexOf(data.meetup.phase);
  const late = phaseIndex >= PHASES.indexOf("agreements");
  const tables = data.tables || [];
  const unseated = data.unseated || [];
  return [
    tables.length ? h("div", { class: "ol-tables" }, tables.map((table) => {
      const warn = late && (table.no_agreement ?? !(table.final_agreements > 0));
      const notes = table.notes || {};
      const agreements = (data.agreements || []).filter((a) => a.table === table.number);
      return h("article", {
        class: ["ol-table", warn && "ol-table--warn"], "data-key": `table-${table.number}`,
        aria: { labelledby: `table-${table.number}-title` },
      },
      h("h3", { id: `table-${table.number}-title` }, t("table_theme", { n: table.number, theme: themeTitle(data, table.theme) })),
      warn ? h("p", { class: "ol-warning" }, `⚠ ${t("no_agreement_warning")}`) : null,
      h("ul", { class: "ol-people" }, (table.members || []).map((p) => person(live, p, table.number))),
      h("dl", { class: "ol-stats" },
        h("dt", null, t("notes_per_round")),
        h("dd", null, ROUNDS.map((r) => `${notes[r] || 0}`).join(" / ")),
        h("dt", null, t("dots_label")),
        h("dd", null, String(table.votes || 0)),
        h("dt", null, t("phase_agreements")),
        h("dd", null, t("agreements_count", { n: table.agreements || 0, final: table.final_agreements || 0 }))),
      agreements.length ? h("ul", { class: "ol-agreements" }, agreements.map((a) => h("li", { "data-key": `ag-${a.uuid}` },
        h("span", { class: ["chip", a.status !== "draft" ? "chip--final" : "chip--draft"] },
          a.status !== "draft" ? t("status_final") : t("status_draft")), " ",
        a.what || "…"))) : null);
    })) : h("p", { class: "muted" }, t("no_tables_yet")),
    h("h3", null, t("unseated")),
    unseated.length
      ? h("ul", { class: "ol-people ol-people--unseated" }, unseated.map((p) => person(live, p, null)))
      : h("p", { class: "muted" }, t("nobody_unseated")),
  ];
}

export function moderationView(live) {
  const { t } = live;
  const data = live.data;
  const notes = data.notes || [];
  if (!notes.length) return [h("p", { class: "muted" }, t("no_notes"))];
  const byTable = new Map();
  for (const note of notes) {
    const key = note.table ?? "?";
    if (!byTable.has(key)) byTable.set(key, []);
    byTable.get(key).push(note);
  }
  const numbers = Array.from(byTable.keys()).sort((a, b) => Number(a) - Number(b));
  return [
    h("p", { class: "muted" }, t("moderation_intro")),
    numbers.map((number) => h("div", { class: "ol-mod-table", "data-key": `mod-${number}` },
      h("h3", null, t("table_n", { n: number })),
      h("ul", { class: "ol-notes" }, byTable.get(number).map((note) => h("li", {
        class: ["ol-note", note.hidden && "ol-note--hidden"], "data-key": `mod-note-${note.uuid}`,
      },
      h("p", { class: "ol-note__text", id: `mod-text-${note.uuid}` }, note.text),
      h("p", { class: "ol-note__meta" },
        [note.author, t(`round_${note.round}`), t.n(note.votes || 0, "dots_one", "dots_other"),
          note.hidden ? t("hidden") : null].filter(Boolean).join(" · ")),
      h("button", {
        type: "button", class: ["button", "button--small", !note.hidden && "button--danger"],
        data: { action: note.hidden ? "unhide" : "hide", note: note.uuid },
        aria: { describedby: `mod-text-${note.uuid}` },
      }, note.hidden ? t("unhide") : t("hide"))))))),
  ];
}

export function capsView(live) {
  const { t } = live;
  return h("ul", { class: "ol-caps" }, (live.data.themes || []).map((theme) => {
    const id = `cap-${theme.key}`;
    return h("li", { "data-key": id },
      h("label", { for: id }, t("cap_label", { theme: theme.title })),
      h("span", { class: "ol-cap-row" },
        h("input", {
          id, type: "number", min: "1", max: "10000", step: "1", inputmode: "numeric",
          placeholder: t("no_cap"), value: theme.capacity ? String(theme.capacity) : "",
        }),
        h("button", { type: "button", class: "button", data: { action: "cap-save", theme: theme.key } }, t("save")),
        h("span", { class: "muted" }, t.n(theme.count || 0, "people_one", "people_other"))));
  }));
}
