// The projector screen: readable from the back of the room, driven by the organiser's steps.
//
// The screen never scrolls: every view fits the viewport (16:9 at any size). The QR code and
// the short code are sized to the space that is left under the message; long lists are bounded
// (top roles plus "overige") or shown in pages that turn by themselves (tables).

import { connectLive } from "./live/connection.js";
import { h, morph } from "./live/dom.js";
import { startTicking, timerText } from "./live/timer.js";
import { fitGroupNotes, plenaryView, progressView } from "./projector/views.js";
import { gridShape, pageOf, PAGE_SECONDS, roleRows } from "./projector/pages.js";
import { fitAgreement, fitRetro, fitTables, fitTopNotes } from "./projector/fit.js";
import { retroView } from "./projector/retro.js";

const root = document.getElementById("live");
const viewEl = document.getElementById("live-view");
const messageEl = document.getElementById("live-message");
const timerEl = document.getElementById("live-timer");
const phaseEl = document.getElementById("live-phase");
const ROUND_OF_PHASE = { round_1: "happens", round_2: "connect", round_3: "missing" };
/** Cards on a page of tables, tried largest first (see showTables). */
const PAGE_SIZES = [30, 24, 20, 15, 12, 9, 6];
const MIN_FIT = 70;
let pageSize = PAGE_SIZES[0];

function percentClass(n, max) {
  const p = max > 0 ? Math.round((n / max) * 20) * 5 : 0;
  return `p${Math.max(0, Math.min(100, p))}`;
}

function bars(rows, label) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return h("ul", { class: "pr-bars", aria: { label } }, rows.map((row) => h("li", { "data-key": `bar-${row.key}`, class: `pr-bar pr-bar--${row.key}` },
    h("span", { class: "pr-bar__label" }, row.label),
    h("span", { class: "pr-bar__track", "aria-hidden": "true" }, h("span", { class: `pr-bar__fill ${percentClass(row.count, max)}` })),
    h("span", { class: "pr-bar__count" }, String(row.count)))));
}

function joinView(live) {
  const { t } = live;
  const data = live.data;
  const counts = data.counts || {};
  const byTheme = counts.by_theme || {};
  const themeRows = (data.themes || []).map((th) => ({ key: th.key, label: th.title, count: byTheme[th.key] ?? th.count ?? 0 }));
  const roles = roleRows(counts.by_role, t);
  const choosing = data.meetup.phase === "theme_choice";
  return h("section", { class: "pr-join", "data-key": "join" },
    h("div", { class: "pr-join__qr" },
      h("img", { src: root.dataset.qrUrl, width: "600", height: "600", alt: t("qr_alt", { url: root.dataset.joinUrl }) })),
    h("div", { class: "pr-join__text" },
      h("h1", null, choosing ? t("choose_theme_now") : t("scan")),
      h("p", { class: "pr-join__or" }, t("or_type", { address: root.dataset.codeAddress })),
      h("p", { class: "pr-code" }, h("span", { class: "visually-hidden" }, `${t("code")}: `), root.dataset.shortCode),
      h("p", { class: "pr-joined" }, t.n(counts.participants || 0, "joined_one", "joined_other")),
      h("div", { class: "pr-counts" },
        bars(themeRows, t("per_theme")),
        roles.length ? bars(roles, t("per_role")) : null)));
}

function question(live, phase) {
  const { t } = live;
  if (ROUND_OF_PHASE[phase]) return t(`round_${ROUND_OF_PHASE[phase]}`);
  if (phase === "tables") return t("find_table");
  return t(`phase_${phase}`);
}

function tablesView(live, now, size) {
  const { t } = live;
  const data = live.data;
  const phase = data.meetup.phase;
  const themes = new Map((data.themes || []).map((th) => [th.key, th]));
  const all = data.tables || [];
  const page = pageOf(all.length, now, size);
  const shown = all.slice(page.from, page.to);
  const shape = gridShape(shown.length);
  // "Zoek je tafel" stays on one line, leaving the room to the cards; a round's question is big.
  return h("section", { class: "pr-work", "data-key": "work" },
    h("h1", { class: ["pr-question", phase === "tables" && all.length && "pr-question--small"] }, question(live, phase)),
    page.pages > 1 ? h("p", { class: "pr-page" }, t("tables_page", { from: all[page.from].number, to: all[page.to - 1].number, total: all.length })) : null,
    h("ul", { class: `pr-tables pr-grid--c${shape.cols} pr-grid--r${shape.rows} pr-tables--${shape.density}`, aria: { label: t("tables_title") } },
      shown.map((table) => {
        const theme = themes.get(table.theme);
        return h("li", { class: `pr-table pr-table--${table.theme}`, "data-key": `t-${table.number}` },
          h("p", { class: "pr-table__n" }, t("table_n", { n: table.number })),
          theme ? h("p", { class: "pr-table__theme" }, theme.title) : null,
          h("p", { class: "pr-table__names" }, (table.members || []).map((m) => m.first_name).join(", ")));
      })));
}

function closedView(live) {
  const { t } = live;
  const counts = live.data.counts || {};
  const n = counts.final_agreements ?? (live.data.agreements || []).filter((a) => a.status !== "draft").length;
  return h("section", { class: "pr-closed", "data-key": "closed" },
    h("h1", { class: "pr-question" }, t("closing_title")),
    h("p", { class: "pr-lead" }, t.n(n, "closing_count_one", "closing_count_other")));
}

function render(live) {
  const { t } = live;
  const data = live.data;
  const phase = data.meetup.phase;
  phaseEl.textContent = t(`phase_${phase}`);
  const message = data.meetup.message;
  const text = message && message.text ? message.text : "";
  const long = text.length > 140 || text.split("\n").length > 3;
  morph(messageEl, text ? h("p", { class: ["pr-banner", long && "pr-banner--long"] },
    h("span", { class: "visually-hidden" }, `${t("message_label")}: `), text) : null);
  timerEl.hidden = timerText(data.meetup.timer, live.clock, t) === "";
  let view;
  if (phase === "registration" || phase === "theme_choice") view = joinView(live);
  else if (phase === "plenary") view = plenaryView(live);
  else if (phase === "retrospective") view = retroView(live, root.dataset);
  else if (phase === "closed") view = closedView(live);
  else if (phase === "voting" || phase === "agreements") view = progressView(live);
  else view = null;
  if (view) {
    morph(viewEl, view);
    fitGroupNotes(viewEl, t);
    fitTopNotes(viewEl);
    fitAgreement(viewEl);
    fitRetro(viewEl);
  } else {
    showTables(live);
  }
}

/**
 * Tables in pages of at most 30 cards; when the cards' names would have to shrink below
 * MIN_FIT percent to fit (long names, a message on screen, a small window), fewer cards go on
 * a page (and the pages turn), so every name stays whole and readable.
 */
function showTables(live) {
  const now = Date.now();
  const count = (live.data.tables || []).length;
  const sizes = PAGE_SIZES.filter((size, i) => i === 0 || size < count);
  for (const size of sizes) {
    pageSize = size;
    morph(viewEl, tablesView(live, now, size));
    if (fitTables(viewEl) >= MIN_FIT) break;
  }
}

const live = connectLive({ root, as: "projector", scope: "projector", render });

// Tables in pages: turn the page now and then (only while there is more than one page).
window.setInterval(() => {
  const data = live.state.ready ? live.data : null;
  if (data && pageOf((data.tables || []).length, Date.now(), pageSize).pages > 1 && viewEl.querySelector(".pr-page")) live.render();
}, (PAGE_SECONDS * 1000) / 4);

// A window resized (or made full screen) fits a group's notes anew.
window.addEventListener("resize", () => { if (live.state.ready) live.render(); });

// Full screen without a button on the audience's screen: F or a double click.
function toggleFullscreen() {
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
}
document.addEventListener("keydown", (event) => {
  if ((event.key === "f" || event.key === "F") && !event.ctrlKey && !event.metaKey && !event.altKey) toggleFullscreen();
});
document.addEventListener("dblclick", toggleFullscreen);

startTicking(document, () => live.data && live.data.meetup && live.data.meetup.timer, live.clock, live.t);
