// Notices on the phone that say what happened to this person, instead of a silent change:
// "You are now at table 5: the organiser moved you at 20:14" (or seated them as a late
// arrival), and a neutral word when the organiser hid one of their notes. They come as
// `notice` events to the participant's own room (docs/realtime.md) and stay, also across a
// reload, until the person closes them; a table notice also goes away by itself once the
// phase after the one it came in is over (by then the person sits at the new table).

import { h } from "./dom.js";

const MAX = 5;

function storageKey(live) {
  return `meetup:${live.meetupId}:notices`;
}

function load(live) {
  try {
    const list = JSON.parse(window.localStorage.getItem(storageKey(live)) || "[]");
    return Array.isArray(list) ? list : [];
  } catch (_e) {
    return [];
  }
}

function save(live, list) {
  try {
    window.localStorage.setItem(storageKey(live), JSON.stringify(list));
  } catch (_e) {
    // Storage full or blocked: the notice still shows until the page is closed.
  }
}

let notices = null;

function list(live) {
  if (notices === null) notices = load(live);
  return notices;
}

function isTableNotice(notice) {
  return notice.kind === "moved" || notice.kind === "seated";
}

function add(live, notice) {
  const current = list(live);
  if (current.some((n) => n.id === notice.id)) return;
  // A newer table replaces an older table notice: only where one sits now matters.
  const kept = isTableNotice(notice) ? current.filter((n) => !isTableNotice(n)) : current;
  notices = [...kept, notice].slice(-MAX);
  save(live, notices);
}

/** Listen for `notice` events (call once, after the connection started). */
export function startNotices(live) {
  list(live);
  live.socket.on("notice", (payload) => {
    if (!payload || typeof payload.kind !== "string") return;
    add(live, { id: `${payload.kind}:${payload.seq || Date.now()}`, kind: payload.kind,
      table: payload.table ?? null, at: typeof payload.at === "string" ? payload.at : new Date().toISOString(),
      phase: phaseOf(live) });
    live.render();
  });
}

function phaseOf(live) {
  return (live.data && live.data.meetup && live.data.meetup.phase) || null;
}

/**
 * A table notice lives through the phase it came in and the next one: the first render in
 * another phase notes that phase as its `next`; a render in a third phase drops it.
 */
export function expireNotices(live) {
  const phase = phaseOf(live);
  if (!phase) return;
  let changed = false;
  const kept = [];
  for (const notice of list(live)) {
    if (!isTableNotice(notice) || !notice.phase || notice.phase === phase) {
      kept.push(notice);
    } else if (!notice.next) {
      kept.push({ ...notice, next: phase });
      changed = true;
    } else if (notice.next === phase) {
      kept.push(notice);
    } else {
      changed = true;
    }
  }
  if (changed) {
    notices = kept;
    save(live, notices);
  }
}

/**
 * A move the phone did not hear of (it was offline, or on another worker): the table in a
 * new snapshot differs from the one this phone last showed. Called on every render.
 */
export function trackTable(live) {
  const me = live.data && live.data.me;
  if (!me) return;
  const key = `meetup:${live.meetupId}:table`;
  let before = null;
  try {
    before = window.localStorage.getItem(key) || null;
  } catch (_e) {
    return;
  }
  const now = me.table === null || me.table === undefined ? null : String(me.table);
  if (before === now) return;
  if (before !== null && now !== null &&
      !list(live).some((n) => isTableNotice(n) && String(n.table) === now)) {
    // Heard of late (offline, another worker): the time is when this phone learnt of it.
    add(live, { id: `moved:table-${now}`, kind: "moved", table: Number(now),
      at: new Date().toISOString(), phase: phaseOf(live) });
  }
  try {
    window.localStorage.setItem(key, now === null ? "" : now);
  } catch (_e) {
    // Storage blocked: the live notice event still tells about moves.
  }
}

/** "20:14": the time of `iso` in the venue's time zone ("" when unknown). */
function clock(iso) {
  if (!iso) return "";
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return "";
  try {
    return new Intl.DateTimeFormat(document.documentElement.lang || "nl",
      { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Amsterdam" }).format(moment);
  } catch (_e) {
    return "";
  }
}

function text(live, notice) {
  const { t } = live;
  if (notice.kind === "moved" || notice.kind === "seated") {
    const time = clock(notice.at);
    if (!time) return t("notice_table", { n: notice.table });
    return t(notice.kind === "moved" ? "notice_moved_at" : "notice_seated_at", { n: notice.table, time });
  }
  if (notice.kind === "note_hidden") return t("notice_note_hidden");
  return "";
}

/** The notices, newest last, each with a button to close it. */
export function noticesView(live) {
  const { t } = live;
  const shown = list(live).filter((n) => text(live, n));
  if (!shown.length) return null;
  return h("ul", { class: "notices", "data-key": "notices" }, shown.map((n, index) => h("li", {
    class: ["notice", `notice--${n.kind}`], "data-key": `notice-${n.id}`,
  },
  h("p", { class: "notice__text", id: `notice-text-${index}` }, text(live, n)),
  h("button", {
    type: "button", class: "button button--small notice__close",
    data: { action: "dismiss-notice", notice: n.id }, aria: { describedby: `notice-text-${index}` },
  }, t("notice_ok")))));
}

export function noticeActions(live) {
  return {
    "dismiss-notice": (el) => {
      notices = list(live).filter((n) => n.id !== el.dataset.notice);
      save(live, notices);
      live.render();
      const title = document.querySelector("#live-view h1");
      if (title) title.focus({ preventScroll: true });
    },
  };
}
