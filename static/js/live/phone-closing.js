// The end of the evening on the phone: the plenary (what is on the big screen: a confirmed
// group of notes, or an agreement anyone may sign on to), the closing screen ("afspraken die
// jij trekt" and "waar je aan meedoet", an owner taking part too), and the table's top-voted
// notes to start the agreements from.

import { formatDate, h } from "./dom.js";
import { agreementSummary, signButton, stillDrafting } from "./phone-agreements.js";
import { slideLabel, themeTitle } from "./plenary.js";
import { reminderControl } from "./phone-reminders.js";

const TOP_NOTES = 5;

function isFinal(agreement) {
  return Boolean(agreement && agreement.status && agreement.status !== "draft");
}

function ownTable(data) {
  return data.table ? data.table.number : null;
}

/** Final agreements of the own table (signing in the plenary may bring in others). */
function tableFinals(data) {
  const number = ownTable(data);
  return (data.agreements || []).filter((a) => isFinal(a) && number !== null && a.table === number);
}

/** Every agreement this page knows, by uuid (own table, the plenary's, taking part). */
function known(data) {
  const all = new Map();
  for (const a of data.taking_part || []) all.set(a.uuid, a);
  for (const a of data.agreements || []) all.set(a.uuid, a);
  if (data.plenary && data.plenary.agreement) all.set(data.plenary.agreement.uuid, data.plenary.agreement);
  return all;
}

/** What this person takes part in: signed on to ("ik doe mee") or leads (owner). */
export function takingPart(data) {
  const all = known(data);
  const ids = new Set(data.commitments || []);
  for (const f of data.followups || []) ids.add(f.agreement);
  return Array.from(ids).map((id) => all.get(id)).filter(Boolean)
    .sort((a, b) => String(a.due_date || "9999").localeCompare(String(b.due_date || "9999")));
}

function leading(live) {
  const { t } = live;
  const items = live.data.followups || [];
  const template = document.getElementById("live").dataset.followupUrl || "";
  return [
    h("h2", { "data-key": "leading-title" }, t("followups_title")),
    items.length ? [
      h("p", null, t("followups_intro")),
      h("ul", { class: "followups", "data-key": "followups" }, items.map((f) => h("li", { "data-key": `followup-${f.agreement}` },
        h("span", null, f.what, " "),
        template ? h("a", { href: template.replace("TOKEN", encodeURIComponent(f.token)) }, t("followup_link")) : null,
        reminderControl(live, f.agreement)))),
    ] : h("p", { class: "muted", "data-key": "no-followups" }, t("no_followups")),
  ];
}

function partOf(live) {
  const { t } = live;
  const mine = takingPart(live.data);
  const icsUrl = document.getElementById("live").dataset.icsUrl;
  const owned = new Set((live.data.followups || []).map((f) => f.agreement));
  return [
    h("h2", { "data-key": "part-title" }, t("my_commitments")),
    mine.length
      ? h("ul", { class: "commitments", "data-key": "commitments" }, mine.map((a) => h("li", { "data-key": `mine-${a.uuid}` },
        a.what, a.due_date ? ` — ${formatDate(a.due_date)}` : "",
        owned.has(a.uuid) ? h("span", { class: "chip" }, t("you_lead")) : null)))
      : h("p", { class: "muted", "data-key": "no-commitments" }, t("no_commitments")),
    mine.length && icsUrl ? h("p", { "data-key": "calendar" }, h("a", {
      class: "button button--primary button--block", href: icsUrl, download: "afspraken.ics",
    }, t("calendar"))) : null,
    mine.length ? reminderControl(live, null) : null,
  ];
}

function tableAgreements(live, { sign }) {
  const { t } = live;
  // Someone who joined in the plenary has no table: nothing about "jullie tafel".
  if (ownTable(live.data) === null) return null;
  const finals = tableFinals(live.data);
  return [
    h("h2", { "data-key": "table-agreements-title" }, t("agreements_title")),
    finals.length
      ? h("ol", { class: "agreements", "data-key": "table-agreements" }, finals.map((a) => h("li", {
        class: "agreement agreement--final", "data-key": `closing-${a.uuid}`,
      }, agreementSummary(live, a), sign ? signButton(live, a)
        : h("p", { class: "signed-count" }, t.n(a.signed || 0, "signed_one", "signed_other")))))
      : h("p", { class: "muted", "data-key": "no-final" }, t("no_final_agreements")),
  ];
}

/** A confirmed group of notes on the big screen: its title, counts and top notes. */
function groupSummary(live, plenary) {
  const { t } = live;
  const g = plenary.group;
  const theme = themeTitle(live.data, g.theme);
  return [
    h("p", { class: "kicker" }, [slideLabel(plenary, t), theme].filter(Boolean).join(" · ")),
    h("h3", { class: "plenary-group__title" }, g.title),
    h("p", { class: "muted" }, `${t.n(g.notes, "group_notes_one", "group_notes_other")} ${t.n(g.tables, "group_tables_one", "group_tables_other")}`),
    h("ol", { class: "notes notes--top" }, (g.top_notes || []).map((n, i) => h("li", { class: "note", "data-key": `pg-${i}` },
      h("p", { class: "note-text" }, n.text),
      h("p", { class: "tally" }, [n.dots ? t.n(n.dots, "dots_one", "dots_other") : "", t("table_n", { n: n.table })].filter(Boolean).join(" · "))))),
    g.more ? h("p", { class: "muted" }, t("group_more", { n: g.more })) : null,
  ];
}

/** The plenary: what is on the big screen first (an agreement: to sign on to). */
export function plenaryView(live) {
  const { t } = live;
  const plenary = live.data.plenary || {};
  const current = plenary.agreement;
  const group = plenary.kind === "group" ? plenary.group : null;
  return [
    h("h1", { tabindex: "-1" }, t("phase_plenary")),
    h("p", { class: "lead" }, t("plenary_intro")),
    h("section", { class: "card plenary-now", "data-key": "plenary-now", aria: { labelledby: "plenary-now-title" } },
      h("h2", { id: "plenary-now-title" }, t("plenary_now")),
      group ? groupSummary(live, plenary) : current ? [
        h("p", { class: "kicker" }, slideLabel(plenary, t),
          current.table ? ` · ${t("table_n", { n: current.table })}` : ""),
        agreementSummary(live, current),
        signButton(live, current),
      ] : h("p", { class: "muted" }, t("plenary_waiting"))),
    // An agreement being typed when the plenary started stays editable for its table.
    stillDrafting(live),
    tableAgreements(live, { sign: true }),
    partOf(live),
    leading(live),
  ];
}

/** The closing screen. */
export function closingView(live) {
  const { t } = live;
  return [
    h("h1", { tabindex: "-1" }, t("closing_title")),
    h("p", { class: "lead" }, t(ownTable(live.data) === null ? "closing_intro_no_table" : "closing_intro")),
    tableAgreements(live, { sign: false }),
    partOf(live),
    leading(live),
  ];
}

/** The table's top-voted notes, to start the agreements from (agreements phase). */
export function topNotesView(live) {
  const { t } = live;
  const notes = (live.data.notes || []).filter((n) => !n.hidden && (n.votes || 0) > 0)
    .sort((a, b) => (b.votes || 0) - (a.votes || 0)).slice(0, TOP_NOTES);
  if (!notes.length) return null;
  return h("section", { class: "card top-notes", "data-key": "top-notes", aria: { labelledby: "top-notes-title" } },
    h("h2", { id: "top-notes-title" }, t("top_notes")),
    h("ol", { class: "notes notes--top" }, notes.map((n) => h("li", { class: "note", "data-key": `top-${n.uuid}` },
      h("p", { class: "note-text" }, n.text),
      h("p", { class: "tally" }, t.n(n.votes || 0, "dots_one", "dots_other"))))));
}
