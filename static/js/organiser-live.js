// The organiser's live control page: every action is an acknowledged socket write.
//
// Laid out for a 1366x768 laptop: a sticky bar (phase, countdown, message), what needs
// attention, then the tables. Rendering stays cheap with 170 tables and 1,000 people: the
// overview and the moderation list only rebuild rows whose content changed.

import { connectLive } from "./live/connection.js";
import { delegate, h, morph } from "./live/dom.js";
import { isPaused, remaining, startTicking } from "./live/timer.js";
import { PHASES, attentionView, capsView, renderOverview, unseated, unseatedView } from "./live/organiser-overview.js";
import { renderModeration } from "./organiser/moderation.js";
import { slideLabel, themeTitle } from "./live/plenary.js";
import { RETRO_STATUSES, retroLabel, statusWord } from "./live/retrospective.js";
import { MoveDialog } from "./organiser/move-dialog.js";

const root = document.getElementById("live");
/** A meekijker watches the evening live but changes nothing (the server refuses it anyway):
 * every control that would change it is switched off, after each render. */
const WATCHING = root.dataset.watching === "1";
function lockForWatcher() {
  if (!WATCHING) return;
  const controls = root.querySelectorAll('button[data-action]:not([data-action="move-cancel"]), '
    + "form[data-action] input, form[data-action] textarea, form[data-action] select, "
    + "form[data-action] button");
  for (const el of controls) el.disabled = true;
}
const $ = (id) => document.getElementById(id);
const moderationFilter = { table: "", hiddenOnly: false };
let lastPhase = null;

/** The phases this meetup offers: the Terugblik first, for a meetup that follows on from one. */
function phasesOf(data) {
  return data && data.meetup && data.meetup.retrospective ? ["retrospective", ...PHASES] : PHASES;
}

function stepper(live) {
  const { t } = live;
  const phase = live.data.meetup.phase;
  const PHASES = phasesOf(live.data);
  const index = PHASES.indexOf(phase);
  return [
    h("div", { class: "stepper-nav" },
      h("button", { type: "button", class: "button button--small", data: { action: "phase-step", step: "-1" }, disabled: index <= 0 },
        `← ${t("previous")}`),
      h("ol", { class: "stepper" }, PHASES.map((key, i) => h("li", { "data-key": `step-${key}` },
        h("button", {
          type: "button",
          class: ["step", i < index && "step--done", i === index && "step--current"],
          data: { action: "phase", phase: key },
          aria: { current: i === index ? "step" : null },
        }, h("span", { class: "step__n", "aria-hidden": "true" }, String(i + 1)), " ", t(`phase_${key}`))))),
      h("button", { type: "button", class: "button button--primary button--small", data: { action: "phase-step", step: "1" }, disabled: index >= PHASES.length - 1 },
        `${t("next")} →`)),
  ];
}

/** Which slide is on the projector ("Groep 2 van 5 — Taal" / "Afspraak 3 van 12"), and
 * prev/next over the whole sequence: the confirmed groups, then the final agreements. */
function plenaryControl(live) {
  const { t } = live;
  const plenary = live.data.plenary || { position: 0, total: 0, agreement: null };
  if (!plenary.total) return [h("p", { class: "muted" }, t("plenary_none"))];
  const a = plenary.agreement;
  const g = plenary.kind === "group" ? plenary.group : null;
  const theme = g ? themeTitle(live.data, g.theme) : "";
  return [
    h("p", { class: "ol-plenary-pos", aria: { live: "polite" } }, [slideLabel(plenary, t), theme].filter(Boolean).join(" — ")),
    g ? h("p", { class: "ol-plenary-what" }, `${g.title} (${t.n(g.notes, "group_notes_one", "group_notes_other")} ${t.n(g.tables, "group_tables_one", "group_tables_other")})`) : null,
    a ? h("p", { class: "ol-plenary-what" }, `${t("table_n", { n: a.table })}: ${a.what}`) : null,
    h("p", { class: "muted ol-plenary-seq" }, t("plenary_sequence", { groups: plenary.group_count || 0, agreements: plenary.agreement_count ?? plenary.total })),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "button", data: { action: "plenary", step: "-1" }, disabled: plenary.position <= 0 },
        `← ${t("previous_slide")}`),
      h("button", { type: "button", class: "button button--primary", data: { action: "plenary", step: "1" }, disabled: plenary.position >= plenary.total - 1 },
        `${t("next_slide")} →`)),
  ];
}

/** The Terugblik: which earlier agreement is on the projector ("Afspraak 3 van 12 — Taal"),
 * how it stands, the counts, and Vorige/Volgende over all of them. */
function retroControl(live) {
  const { t } = live;
  const retro = live.data.retrospective;
  if (!retro) return null;
  if (!retro.total) return [h("p", { class: "muted" }, t("retro_none"))];
  const a = retro.agreement;
  const owner = [a.owner_name, a.owner_organisation].filter(Boolean).join(", ");
  const counts = RETRO_STATUSES.map((s) => `${statusWord(t, s)}: ${retro.counts[s] || 0}`).join(" · ");
  return [
    h("p", { class: "ol-plenary-pos", aria: { live: "polite" } }, retroLabel(retro, t)),
    h("p", { class: "ol-plenary-what" }, a.what),
    h("p", { class: "muted" }, [owner, statusWord(t, a.status)].filter(Boolean).join(" · ")),
    a.note ? h("p", null, t("retro_note", { note: a.note })) : null,
    h("p", { class: "muted ol-plenary-seq" }, `${t("retro_counts_title")}: ${counts}`),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "button", data: { action: "retro", step: "-1" }, disabled: retro.position <= 0 },
        `← ${t("previous")}`),
      h("button", { type: "button", class: "button button--primary", data: { action: "retro", step: "1" }, disabled: retro.position >= retro.total - 1 },
        `${t("next")} →`)),
  ];
}

function renderTimer(live) {
  const { t } = live;
  const data = live.data;
  const timer = data.meetup.timer;
  const left = remaining(timer, live.clock);
  const state = $("timer-state");
  state.textContent = left === null ? t("no_timer") : isPaused(timer) ? t("paused") : "";
  state.classList.toggle("is-idle", left === null);
  root.querySelector('[data-action="timer-pause"]').disabled = left === null || isPaused(timer) || left === 0;
  root.querySelector('[data-action="timer-resume"]').disabled = !isPaused(timer);
  for (const el of root.querySelectorAll('[data-action="timer-extend"], [data-action="timer-clear"]')) {
    el.disabled = left === null;
  }
  // A new phase proposes its own default duration (unless the organiser is typing one).
  const phase = data.meetup.phase;
  if (phase !== lastPhase) {
    lastPhase = phase;
    const minutes = (data.meetup.phase_minutes || {})[phase];
    const input = $("timer-minutes");
    if (minutes && document.activeElement !== input) input.value = String(minutes);
  }
  lockForWatcher();
}

/** In the plenary the plenary control comes right under "needs attention"; else below the
 * overview (moved in the page, so that reading and tab order follow what is seen). */
function placeControls(phase) {
  const grid = $("controls");
  const anchor = phase === "plenary" ? $("unseated") : $("moderation-card");
  if (grid.nextElementSibling !== anchor) anchor.before(grid);
}

/** At most one full render every RENDER_GAP ms: in a busy round notes, dots and overview rows
 * arrive many times a second; the page shows the latest state a moment later instead. */
const RENDER_GAP = 250;
let lastRender = -Infinity;
let renderTimerId = null;

function render(live) {
  const wait = lastRender + RENDER_GAP - performance.now();
  if (wait > 0) {
    if (renderTimerId === null) {
      renderTimerId = window.setTimeout(() => {
        renderTimerId = null;
        render(live);
      }, wait);
    }
    return;
  }
  lastRender = performance.now();
  renderNow(live);
}

function renderNow(live) {
  const { t } = live;
  const data = live.data;
  placeControls(data.meetup.phase);
  morph($("phase-stepper"), stepper(live));
  renderTimer(live);
  const message = data.meetup.message;
  $("message-current").textContent = message && message.text
    ? t("message_current", { text: message.text }) : t("message_none");
  const tables = data.tables || [];
  if (!$("tables-result").dataset.fresh) {
    $("tables-result").textContent = tables.length
      ? t.n(tables.length, "tables_formed_one", "tables_formed_other") : t("tables_none");
  }
  morph($("attention"), attentionView(live));
  const lonely = tables.length ? unseated(data) : [];
  const unseatedEl = $("unseated");
  unseatedEl.hidden = lonely.length === 0;
  morph(unseatedEl, lonely.length ? unseatedView(live) : null);
  morph($("theme-caps"), capsView(live));
  morph($("plenary-control"), plenaryControl(live));
  const retroCard = $("retro-card");
  if (retroCard) {
    retroCard.hidden = data.meetup.phase !== "retrospective";
    morph($("retro-control"), retroCard.hidden ? null : retroControl(live));
  }
  const counts = data.counts || {};
  $("counts").textContent = counts.participants !== undefined
    ? t.n(counts.participants, "participants_one", "participants_other") : "";
  renderOverview(live, $("overview"));
  // New arrivals only show up as a count; fetch the people list when it grew.
  const known = tables.reduce((n, table) => n + (table.members || []).length, 0) + lonely.length;
  if (counts.participants !== undefined && counts.participants > known) live.scheduleResync();
  renderModeration(live, moderationFilter, $("moderation"), $("moderation-count"));
  lockForWatcher();
}

const live = connectLive({ root, as: "organiser", scope: "organiser", render });
const moveDialog = new MoveDialog(live, $("move-dialog"));

/** Send an organiser action; errors appear in the alert region (Dutch, from the server). */
async function act(event, payload = {}) {
  const ack = await live.send(event, payload);
  if (ack.ok) {
    const done = $("live-done");
    done.textContent = "";
    window.setTimeout(() => { done.textContent = live.t("done"); }, 30);
  }
  return ack;
}

const click = {
  phase: (el) => act("phase.set", { phase: el.dataset.phase }),
  "phase-step": (el) => {
    const PHASES = phasesOf(live.data);
    const index = PHASES.indexOf(live.data.meetup.phase) + Number(el.dataset.step);
    if (index >= 0 && index < PHASES.length) act("phase.set", { phase: PHASES[index] });
  },
  "timer-pause": () => act("timer.pause"),
  "timer-resume": () => act("timer.resume"),
  "timer-extend": (el) => act("timer.extend", { seconds: Number(el.dataset.seconds) }),
  "timer-clear": () => act("timer.clear"),
  "message-clear": () => {
    $("message-text").value = "";
    act("message.send", { text: "" });
  },
  "tables-form": async () => {
    const result = $("tables-result");
    const ack = await act("tables.form");
    if (ack.ok) {
      result.dataset.fresh = "1";
      result.textContent = live.t.n(Number(ack.tables) || 0, "tables_formed_one", "tables_formed_other");
    }
  },
  "cap-save": (el) => {
    const input = $(`cap-${el.dataset.theme}`);
    const value = input.value.trim();
    act("theme.cap", { theme: el.dataset.theme, capacity: value === "" ? null : Math.max(1, Math.round(Number(value))) });
  },
  plenary: (el) => {
    const plenary = live.data.plenary || { position: 0 };
    act("plenary.show", { position: Math.max(0, plenary.position + Number(el.dataset.step)) });
  },
  retro: (el) => {
    const retro = live.data.retrospective || { position: 0 };
    act("retrospective.show", { position: Math.max(0, retro.position + Number(el.dataset.step)) });
  },
  hide: (el) => act("note.hide", { note: el.dataset.note }),
  unhide: (el) => act("note.unhide", { note: el.dataset.note }),
  "move-open": (el) => {
    if (live.state.ready) moveDialog.open(el.dataset.participant ? Number(el.dataset.participant) : null);
  },
  "move-cancel": () => moveDialog.close(),
};
delegate(root, "click", click);
delegate(root, "submit", {
  "timer-set": (form, event) => {
    event.preventDefault();
    const minutes = Number($("timer-minutes").value);
    if (!(minutes > 0)) {
      $("timer-minutes").focus();
      return;
    }
    act("timer.set", { seconds: Math.round(minutes * 60) });
  },
  "message-send": (form, event) => {
    event.preventDefault();
    act("message.send", { text: $("message-text").value.trim() });
  },
  "move-send": async (form, event) => {
    event.preventDefault();
    const move = moveDialog.chosen();
    if (!move) return;
    const ack = await act("participant.move", move);
    if (ack.ok) moveDialog.close();
    else $("move-status").textContent = ack.message || live.t("error");
  },
});
// Enter sends the message (Shift+Enter: a new line).
$("message-text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("message-text").form.requestSubmit();
  }
});
function filterChanged() {
  moderationFilter.table = $("mod-table").value.trim();
  moderationFilter.hiddenOnly = $("mod-hidden").checked;
  if (live.state.ready) renderModeration(live, moderationFilter, $("moderation"), $("moderation-count"));
  lockForWatcher();
}
$("mod-table").addEventListener("input", filterChanged);
$("mod-hidden").addEventListener("change", filterChanged);

startTicking(document, () => live.data && live.data.meetup && live.data.meetup.timer, live.clock, live.t);
// The pause/resume buttons depend on whether the countdown reached zero.
window.setInterval(() => { if (live.state.ready) renderTimer(live); }, 5000);
