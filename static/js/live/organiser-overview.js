// The organiser's live overview: a compact row per table (people, notes, dots, agreements, a
// warning when a table has no final agreement late in the evening), the people without a
// table, the short "needs attention" summary, and the caps per theme.
//
// Built for a full room (170 tables, 1,000 people): rows are keyed and only rebuilt when their
// content changed (organiser/rows.js), and moving a person goes through one dialog
// (organiser/move-dialog.js) instead of a dropdown per person.

import { h } from "./dom.js";
import { keyedRows } from "../organiser/rows.js";

export const PHASES = ["registration", "theme_choice", "tables", "round_1", "round_2", "round_3",
  "voting", "agreements", "plenary", "closed"];
const ROUNDS = ["happens", "connect", "missing"];
/** From this phase on, a table without a final agreement needs the organiser's attention. */
const LATE_FROM = PHASES.indexOf("agreements");

export function themeTitle(data, key) {
  const theme = (data.themes || []).find((th) => th.key === key);
  return theme ? theme.title : key || "";
}

export function isLate(data) {
  return PHASES.indexOf(data.meetup.phase) >= LATE_FROM;
}

/** Everyone the page knows, by id: seated members (with their table) and the unseated. */
export function people(data) {
  const byId = new Map();
  for (const p of data.unseated || []) byId.set(p.id, { ...p, table: null });
  // Seated wins: an overview row is newer than the unseated list of the last snapshot.
  for (const table of data.tables || []) {
    for (const p of table.members || []) byId.set(p.id, { ...p, table: table.number });
  }
  return byId;
}

/** The unseated list minus anyone an overview row has seated since (late arrivals, moves). */
export function unseated(data) {
  const seated = new Set();
  for (const table of data.tables || []) for (const p of table.members || []) seated.add(p.id);
  return (data.unseated || []).filter((p) => !seated.has(p.id));
}

function hasFinal(data, table) {
  return !(table.no_agreement ?? !(table.final_agreements > 0));
}

function personButton(live, p) {
  const { t } = live;
  const name = p.display_name || p.first_name;
  const role = p.role_label || t(`role_${p.role}`);
  return h("li", null, h("button", {
    type: "button", class: "ol-person", data: { action: "move-open", participant: String(p.id) },
    title: [role, p.organisation].filter(Boolean).join(" · "),
    aria: { label: t("move_person", { name }) },
  }, name));
}

function tableRow(live, table, late, agreements) {
  const { t } = live;
  const data = live.data;
  const warn = late && !hasFinal(data, table);
  const notes = table.notes || {};
  const id = `table-${table.number}-title`;
  return h("tr", { class: ["ol-table", warn && "ol-table--warn"] },
    h("th", { scope: "row", id }, t("table_n", { n: table.number }),
      h("span", { class: `ol-theme ol-theme--${table.theme}` }, themeTitle(data, table.theme))),
    h("td", null, h("ul", { class: "ol-people" }, (table.members || []).map((p) => personButton(live, p)))),
    h("td", { class: "num" }, ROUNDS.map((r) => `${notes[r] || 0}`).join(" / ")),
    h("td", { class: "num" }, String(table.votes || 0)),
    h("td", null,
      warn ? h("span", { class: "ol-warning" }, `⚠ ${t("no_agreement_warning")}`) : null,
      agreements.length ? h("ul", { class: "ol-agreements" }, agreements.map((a) => h("li", null,
        h("span", { class: ["chip", a.status !== "draft" ? "chip--final" : "chip--draft"] },
          a.status !== "draft" ? t("status_final") : t("status_draft")), " ",
        a.what || "…"))) : (warn ? null : h("span", { class: "muted" }, t("agreements_count", { n: table.agreements || 0, final: table.final_agreements || 0 })))));
}

/** Render the overview table into `container` (a <div id="overview">), row by row. */
export function renderOverview(live, container) {
  const { t } = live;
  const data = live.data;
  const tables = data.tables || [];
  if (!tables.length) {
    container.replaceChildren(h("p", { class: "muted" }, t("no_tables_yet")));
    return;
  }
  let body = container.querySelector("tbody");
  if (!body) {
    container.replaceChildren(h("table", { class: "ol-overview" },
      h("caption", { class: "visually-hidden" }, t("overview_caption")),
      h("thead", null, h("tr", null,
        h("th", { scope: "col" }, t("col_table")),
        h("th", { scope: "col" }, t("col_people")),
        h("th", { scope: "col", class: "num" }, t("notes_per_round")),
        h("th", { scope: "col", class: "num" }, t("dots_label")),
        h("th", { scope: "col" }, t("phase_agreements")))),
      h("tbody")));
    body = container.querySelector("tbody");
  }
  const late = isLate(data);
  const byTable = new Map();
  for (const a of data.agreements || []) {
    if (!byTable.has(a.table)) byTable.set(a.table, []);
    byTable.get(a.table).push(a);
  }
  const themes = (data.themes || []).map((th) => th.title).join("|");
  keyedRows(body, tables, (table) => `table-${table.number}`,
    (table) => JSON.stringify([table, late, themes,
      (byTable.get(table.number) || []).map((a) => [a.uuid, a.status, a.what])]),
    (table) => tableRow(live, table, late, byTable.get(table.number) || []));
}

/** The people without a table (shown near the top while there are any and tables exist). */
export function unseatedView(live) {
  const { t } = live;
  const list = unseated(live.data);
  return [
    h("h2", { id: "unseated-title" }, t("unseated_n", { n: list.length })),
    h("p", { class: "muted" }, t("unseated_hint")),
    h("ul", { class: "ol-people ol-people--unseated" }, list.map((p) => h("li", { "data-key": `u-${p.id}` },
      h("button", {
        type: "button", class: "ol-person", data: { action: "move-open", participant: String(p.id) },
        aria: { label: t("move_person", { name: p.display_name || p.first_name }) },
      }, p.display_name || p.first_name),
      h("span", { class: "muted" }, ` ${[p.role_label || t(`role_${p.role}`), p.theme ? themeTitle(live.data, p.theme) : t("no_theme")].filter(Boolean).join(" · ")}`)))),
  ];
}

/** The short "needs attention" list: people without a table, tables without an agreement
 * near the end, hidden notes. Empty when all is well. */
export function attentionItems(live) {
  const { t } = live;
  const data = live.data;
  const items = [];
  const tables = data.tables || [];
  const lonely = tables.length ? unseated(data).length : 0;
  if (lonely) items.push({ key: "unseated", href: "#unseated", text: t.n(lonely, "attention_unseated_one", "attention_unseated_other") });
  if (tables.length && isLate(data)) {
    const without = tables.filter((table) => !hasFinal(data, table));
    if (without.length) {
      const numbers = without.slice(0, 8).map((table) => table.number).join(", ") + (without.length > 8 ? ", …" : "");
      items.push({ key: "no-agreement", href: "#overview-title", text: t.n(without.length, "attention_no_agreement_one", "attention_no_agreement_other", { tables: numbers }) });
    }
  }
  // Past its expected size (and margin) a meetup takes 20 joins a minute (issue 21).
  const joined = (data.counts || {}).participants || 0;
  if (data.meetup.full_speed_joins && joined >= data.meetup.full_speed_joins) {
    const settings = document.getElementById("live");
    items.push({ key: "expected", href: (settings && settings.dataset.settings) || "#attention",
      text: t("attention_expected", { n: joined, expected: data.meetup.expected_participants }) });
  }
  const hidden = (data.notes || []).filter((n) => n.hidden).length;
  if (hidden) items.push({ key: "hidden", href: "#moderation-title", text: t.n(hidden, "attention_hidden_one", "attention_hidden_other") });
  return items;
}

export function attentionView(live) {
  const items = attentionItems(live);
  if (!items.length) return [h("p", { class: "ol-attention__ok" }, live.t("attention_none"))];
  return [h("ul", { class: "ol-attention__list" }, items.map((item) => h("li", { "data-key": `att-${item.key}` },
    h("a", { href: item.href }, item.text))))];
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
        h("button", { type: "button", class: "button button--small", data: { action: "cap-save", theme: theme.key } }, t("save")),
        h("span", { class: "muted" }, t.n(theme.count || 0, "people_one", "people_other"))));
  }));
}
