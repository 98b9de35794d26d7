// The projector screen: readable from the back of the room, driven by the organiser's steps.

import { connectLive } from "./live/connection.js";
import { delegate, formatDate, h, morph } from "./live/dom.js";
import { startTicking, timerText } from "./live/timer.js";

const root = document.getElementById("live");
const viewEl = document.getElementById("live-view");
const messageEl = document.getElementById("live-message");
const timerEl = document.getElementById("live-timer");
const phaseEl = document.getElementById("live-phase");
const ROUND_OF_PHASE = { round_1: "happens", round_2: "connect", round_3: "missing" };

function percentClass(n, max) {
  const p = max > 0 ? Math.round((n / max) * 20) * 5 : 0;
  return `p${Math.max(0, Math.min(100, p))}`;
}

function bars(rows) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return h("ul", { class: "pr-bars" }, rows.map((row) => h("li", { "data-key": `bar-${row.key}`, class: `pr-bar pr-bar--${row.key}` },
    h("span", { class: "pr-bar__label" }, row.label),
    h("span", { class: "pr-bar__track", "aria-hidden": "true" }, h("span", { class: `pr-bar__fill ${percentClass(row.count, max)}` })),
    h("span", { class: "pr-bar__count" }, String(row.count)))));
}

function joinView(live) {
  const { t } = live;
  const data = live.data;
  const counts = data.counts || {};
  const byTheme = counts.by_theme || {};
  const byRole = counts.by_role || {};
  const themeRows = (data.themes || []).map((th) => ({ key: th.key, label: th.title, count: byTheme[th.key] ?? th.count ?? 0 }));
  const roleRows = Object.entries(byRole).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1])
    .map(([key, n]) => ({ key, label: t(`role_${key}`), count: n }));
  const choosing = data.meetup.phase === "theme_choice";
  return h("section", { class: "pr-join", "data-key": "join" },
    h("div", { class: "pr-join__qr" },
      h("img", { src: root.dataset.qrUrl, width: "600", height: "600", alt: `QR: ${root.dataset.joinUrl}` })),
    h("div", { class: "pr-join__text" },
      h("h1", null, choosing ? t("choose_theme_now") : t("scan")),
      h("p", { class: "pr-join__or" }, t("or_type", { address: root.dataset.codeAddress })),
      h("p", { class: "pr-code" }, h("span", { class: "visually-hidden" }, `${t("code")}: `), root.dataset.shortCode),
      h("p", { class: "pr-joined" }, t.n(counts.participants || 0, "joined_one", "joined_other")),
      h("div", { class: "pr-counts" },
        h("div", null, h("h2", null, t("per_theme")), bars(themeRows)),
        roleRows.length ? h("div", null, h("h2", null, t("per_role")), bars(roleRows)) : null)));
}

function question(live, phase) {
  const { t } = live;
  if (ROUND_OF_PHASE[phase]) return t(`round_${ROUND_OF_PHASE[phase]}`);
  if (phase === "tables") return t("find_table");
  if (phase === "voting") return t("voting_question");
  if (phase === "agreements") return t("agreements_question");
  return t(`phase_${phase}`);
}

function tablesView(live) {
  const { t } = live;
  const data = live.data;
  const phase = data.meetup.phase;
  const themes = new Map((data.themes || []).map((th) => [th.key, th]));
  return h("section", { class: "pr-work", "data-key": "work" },
    ROUND_OF_PHASE[phase] ? h("p", { class: "pr-kicker" }, t(`phase_${phase}`)) : null,
    h("h1", { class: "pr-question" }, question(live, phase)),
    h("ul", { class: "pr-tables", aria: { label: t("tables_title") } }, (data.tables || []).map((table) => {
      const theme = themes.get(table.theme);
      return h("li", { class: `pr-table pr-table--${table.theme}`, "data-key": `t-${table.number}` },
        h("p", { class: "pr-table__n" }, t("table_n", { n: table.number })),
        theme ? h("p", { class: "pr-table__theme" }, theme.title) : null,
        h("p", { class: "pr-table__names" }, (table.members || []).map((m) => m.first_name).join(", ")));
    })));
}

function plenaryView(live) {
  const { t } = live;
  const plenary = live.data.plenary || {};
  const a = plenary.agreement;
  if (!a) {
    return h("section", { class: "pr-plenary", "data-key": "plenary-empty" },
      h("h1", { class: "pr-question" }, t("phase_plenary")),
      h("p", { class: "pr-lead" }, t("plenary_none")));
  }
  const theme = (live.data.themes || []).find((th) => th.key === a.theme);
  const owner = [a.owner_name, a.owner_organisation].filter(Boolean).join(", ");
  return h("section", { class: "pr-plenary", "data-key": `plenary-${a.uuid}` },
    h("p", { class: "pr-kicker" },
      `${t("plenary_position", { n: (plenary.position || 0) + 1, total: plenary.total || 1 })} · ${t("table_n", { n: a.table })}${theme ? " · " + theme.title : ""}`),
    h("h1", { class: "pr-agreement__what" }, a.what),
    h("ul", { class: "pr-facts" },
      owner ? h("li", null, t("owner_line", { owner })) : null,
      (a.partners || []).length ? h("li", null, t("partners_line", { partners: a.partners.join(", ") })) : null,
      a.first_step ? h("li", null, t("first_step_line", { step: a.first_step })) : null,
      a.due_date ? h("li", null, t("due_line", { date: formatDate(a.due_date) })) : null),
    h("p", { class: "pr-signed" }, `✋ ${t.n(a.signed || 0, "signed_one", "signed_other")}`));
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
  morph(messageEl, message && message.text ? h("p", { class: "pr-banner" },
    h("span", { class: "visually-hidden" }, `${t("message_label")}: `), message.text) : null);
  timerEl.hidden = timerText(data.meetup.timer, live.clock, t) === "";
  let view;
  if (phase === "registration" || phase === "theme_choice") view = joinView(live);
  else if (phase === "plenary") view = plenaryView(live);
  else if (phase === "closed") view = closedView(live);
  else view = tablesView(live);
  morph(viewEl, view);
}

const live = connectLive({ root, as: "projector", scope: "projector", render });

const button = document.querySelector('[data-action="fullscreen"]');
function fullscreenLabel() {
  button.textContent = document.fullscreenElement ? live.t("exit_fullscreen") : live.t("fullscreen");
}
delegate(document.body, "click", {
  fullscreen: () => {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(() => {});
    }
  },
});
document.addEventListener("fullscreenchange", fullscreenLabel);

startTicking(document, () => live.data && live.data.meetup && live.data.meetup.timer, live.clock, live.t);
