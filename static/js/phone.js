// The phone app: one view per phase of the evening, rendered from the live state.

import { connectLive } from "./live/connection.js";
import { delegate, h, morph } from "./live/dom.js";
import { startTicking, timerText } from "./live/timer.js";
import { boardActions, roundView, votingView } from "./live/phone-board.js";
import { agreementActions, agreementsView } from "./live/phone-agreements.js";
import { reminderActions } from "./live/phone-reminders.js";
import { continueActions, continueView } from "./live/phone-continue.js";
import { closingView, plenaryView, topNotesView } from "./live/phone-closing.js";
import { expireNotices, noticeActions, noticesView, startNotices, trackTable } from "./live/phone-notices.js";
import { unsentActions, unsentBox } from "./live/phone-kept.js";
import { captureFocus, restoreFocus, ScrollKeeper } from "./live/phone-restore.js";
import { retroActions, retroPhoneView, retroReset } from "./live/phone-retrospective.js";

const root = document.getElementById("live");
const viewEl = document.getElementById("live-view");
const messageEl = document.getElementById("live-message");
const timerEl = document.getElementById("live-timer");
const phaseEl = document.getElementById("live-phase");
const noticesEl = document.getElementById("live-notices");
/**
 * Phases after the theme choice in which someone without a theme is asked for one, then
 * seated at once. In the plenary the room listens and signs on: no theme needed for that.
 */
const LATE_PHASES = new Set(["tables", "round_1", "round_2", "round_3", "voting", "agreements"]);
const keptEl = document.getElementById("live-kept");
const scroll = new ScrollKeeper(root.dataset.meetup);
let currentKey = null;
let awaitingSeat = false; // a late arrival chose a theme; their table is on its way

function heading(text) {
  return h("h1", { tabindex: "-1", class: "view-title" }, text);
}

function waitView(live) {
  const { t } = live;
  const data = live.data;
  const me = data.me || {};
  const theme = (data.themes || []).find((th) => th.key === me.theme);
  return [
    heading(t("welcome", { name: me.first_name || (me.display_name || "").split(" ")[0] || "" })),
    h("p", { class: "lead" }, t("wait")),
    theme ? h("p", { class: "chip" }, t("your_theme", { theme: theme.title })) : null,
  ];
}

function themeView(live) {
  const { t } = live;
  const data = live.data;
  const mine = data.me ? data.me.theme : null;
  const locked = Boolean(data.me && data.me.table);
  return [
    heading(t("choose_theme")),
    h("p", { class: "lead" }, t(data.meetup && LATE_PHASES.has(data.meetup.phase) ? "choose_theme_late" : "choose_theme_intro")),
    h("ul", { class: "theme-list" }, (data.themes || []).map((theme) => {
      const chosen = theme.key === mine;
      const full = Boolean(theme.full) && !chosen;
      const count = theme.count || 0;
      const titleId = `theme-${theme.key}-title`;
      return h("li", {
        class: ["theme-card", `theme--${theme.key}`, chosen && "theme-card--chosen", full && "theme-card--full"],
        "data-key": `theme-${theme.key}`,
      },
      h("h2", { id: titleId }, theme.title),
      theme.subject ? h("p", { class: "theme-subject" }, theme.subject) : null,
      theme.question ? h("p", { class: "theme-question" }, theme.question) : null,
      (theme.directions || []).length ? h("details", { class: "directions" },
        h("summary", null, t("directions")),
        h("ul", null, theme.directions.map((d) => h("li", null,
          h("strong", null, [d.code, d.title].filter(Boolean).join(" ")),
          d.prompt ? h("span", { class: "direction-prompt" }, d.prompt) : null)))) : null,
      h("p", { class: "theme-count" },
        t.n(count, "people_one", "people_other"),
        theme.capacity ? ` · ${t("max_people", { n: theme.capacity })}` : ""),
      h("button", {
        type: "button",
        class: ["button", "button--block", chosen ? "button--primary" : null],
        data: { action: "choose-theme", theme: theme.key },
        aria: { pressed: chosen ? "true" : "false", describedby: titleId },
        disabled: full || (locked && !chosen),
      }, chosen ? t("chosen") : full ? t("full") : t("choose")));
    })),
  ];
}

function tableView(live) {
  const { t } = live;
  const data = live.data;
  const table = data.table;
  if (!table) {
    return [heading(t("phase_tables")), h("p", { class: "lead" }, t("no_table"))];
  }
  const theme = (data.themes || []).find((th) => th.key === table.theme);
  return [
    h("h1", { tabindex: "-1", class: "table-call" }, t("go_to_table", { n: table.number })),
    theme ? h("p", { class: "chip" }, theme.title) : null,
    h("h2", null, t("at_your_table")),
    h("ul", { class: "members" }, (table.members || []).map((m) => h("li", {
      "data-key": `member-${m.id}`,
      class: data.me && m.id === data.me.id ? "member member--me" : "member",
    }, h("span", { class: "member-name" }, m.first_name), " ",
    h("span", { class: "member-role" }, m.role_label || m.role || "")))),
  ];
}

const VIEWS = {
  retrospective: (live) => retroPhoneView(live, heading),
  registration: waitView,
  theme_choice: themeView,
  tables: tableView,
  round_1: roundView,
  round_2: roundView,
  round_3: roundView,
  voting: votingView,
  agreements: agreementsWithTopNotes,
  plenary: plenaryView,
  closed: closingView,
};

/** The agreement form, with the table's top-voted notes to start from under the title. */
function agreementsWithTopNotes(live) {
  const [title, ...rest] = agreementsView(live);
  return [title, live.data.table ? topNotesView(live) : null, ...rest, continueView(live)];
}

function render(live) {
  const data = live.data;
  const phase = (data.meetup && data.meetup.phase) || "registration";
  const { t } = live;
  phaseEl.textContent = t(`phase_${phase}`);
  const message = data.meetup && data.meetup.message;
  morph(messageEl, message && message.text ? h("p", { class: "banner" },
    h("span", { class: "visually-hidden" }, `${t("message_label")}: `), message.text) : null);
  const timerNow = timerText(data.meetup && data.meetup.timer, live.clock, t);
  timerEl.hidden = timerNow === "";
  trackTable(live);
  retroReset(live);
  expireNotices(live);
  if (noticesEl) morph(noticesEl, noticesView(live));
  const me = data.me || {};
  const late = LATE_PHASES.has(phase) && !me.theme;
  if (data.table) awaitingSeat = false;
  const seating = !late && awaitingSeat && LATE_PHASES.has(phase);
  const key = late ? `view-${phase}-theme` : `view-${phase}`;
  const view = late ? themeView(live)
    : seating ? [heading(t(`phase_${phase}`)), h("p", { class: "lead" }, t("no_table"))]
      : (VIEWS[phase] || waitView)(live);
  const focused = captureFocus();
  if (keptEl) morph(keptEl, unsentBox(live));
  morph(viewEl, h("section", { class: `view view--${phase}`, "data-key": key }, view));
  if (currentKey === null) {
    scroll.restore(key);
  } else if (currentKey !== key) {
    // A new phase: keep the person in the field they were typing in, if the view still has it.
    if (!restoreFocus(focused, root)) {
      const title = viewEl.querySelector("h1");
      window.scrollTo(0, 0);
      if (title && !viewEl.contains(document.activeElement)) title.focus({ preventScroll: true });
    }
    scroll.changed(key);
  }
  currentKey = key;
}

const live = connectLive({
  root,
  as: "participant",
  render,
  onRefused: () => {
    // The cookie no longer matches a participant: back to the join form.
    if (root.dataset.joinUrl) window.location.assign(root.dataset.joinUrl);
  },
});

startNotices(live);

const actions = {
  "choose-theme": (el) => {
    const data = live.data;
    const phase = data.meetup && data.meetup.phase;
    awaitingSeat = LATE_PHASES.has(phase) && !data.table;
    live.send("theme.choose", { theme: el.dataset.theme }).then((ack) => {
      // Seated as a late arrival: fetch the table now rather than after the resync's pause.
      if (ack.ok && ack.table) live.sync();
      else awaitingSeat = false;
      live.render();
    });
  },
  ...noticeActions(live),
  ...boardActions(live),
  ...agreementActions(live),
  ...reminderActions(live),
  ...continueActions(live),
  ...retroActions(live),
  ...unsentActions(live),
};
for (const type of ["click", "submit", "input", "change", "focusout", "keydown"]) {
  delegate(root, type, Object.fromEntries(Object.entries(actions)
    .filter(([name]) => actionType(name) === type)
    .map(([name, fn]) => [name.split(":").pop(), fn])));
}

/** Actions are named "type:name" for events other than click (e.g. "submit:post-note"). */
function actionType(name) {
  return name.includes(":") ? name.split(":")[0] : "click";
}

startTicking(document, () => live.data && live.data.meetup && live.data.meetup.timer, live.clock, live.t);
