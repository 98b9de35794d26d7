// The phone in the Terugblik (issue 25): the earlier agreements this person leads (matched by
// the e-mail address they gave when joining), each with a status and a one-line note to send.
// The list is a read (`retrospective.mine`); saving is a write (`retrospective.update`) that
// the projector shows at once. What is chosen and typed is kept per agreement (also across a
// reload) until the server accepted it.

import { h } from "./dom.js";
import { OWNER_STATUSES, statusWord } from "./retrospective.js";

const NOTE_MAX = 200;
const loader = { loading: false, error: "", saved: null };

function draftsKey(live) {
  return `meetup-retro-${live.root ? live.root.dataset.meetup : ""}`;
}

function readDrafts(live) {
  try {
    return JSON.parse(window.localStorage.getItem(draftsKey(live)) || "{}") || {};
  } catch (_e) {
    return {};
  }
}

function writeDrafts(live, drafts) {
  try {
    window.localStorage.setItem(draftsKey(live), JSON.stringify(drafts));
  } catch (_e) { /* private mode: kept in this page only */ }
}

function load(live) {
  const socket = live.socket;
  if (loader.loading || !socket || !socket.connected) return;
  loader.loading = true;
  loader.error = "";
  socket.emit("retrospective.mine", {}, (ack) => {
    loader.loading = false;
    if (ack && ack.ok) live.data.retro_mine = ack.agreements || [];
    else loader.error = (ack && ack.message) || live.t("error");
    live.render();
  });
}

function item(live, retro, drafts) {
  const { t } = live;
  const draft = drafts[retro.uuid] || {};
  const chosen = draft.status || (retro.status === "no_news" ? "" : retro.status);
  const id = `retro-${retro.uuid}`;
  return h("li", { class: "retro-item", "data-key": id },
    h("form", { class: "retro-form", data: { action: "retro-save", agreement: retro.uuid }, aria: { labelledby: `${id}-what` } },
      h("h2", { id: `${id}-what`, class: "agreement-what" }, retro.what),
      h("p", { class: "muted" }, [retro.theme_title, t("retro_now", { status: statusWord(t, retro.status) })].filter(Boolean).join(" · ")),
      retro.note ? h("p", null, t("retro_note", { note: retro.note })) : null,
      h("fieldset", { class: "field retro-statuses" },
        h("legend", null, t("retro_how")),
        OWNER_STATUSES.map((status) => h("label", { class: "check", "data-key": `${id}-${status}` },
          h("input", {
            type: "radio", name: `${id}-status`, value: status, checked: chosen === status,
            data: { action: "retro-status", agreement: retro.uuid },
          }), " ", statusWord(t, status)))),
      h("div", { class: "field" },
        h("label", { for: `${id}-note` }, t("retro_note_label")),
        h("input", {
          id: `${id}-note`, type: "text", maxlength: String(NOTE_MAX), autocomplete: "off",
          value: draft.note || "", data: { action: "retro-note", agreement: retro.uuid },
        })),
      h("button", { type: "submit", class: "button button--primary", disabled: !chosen }, t("retro_save")),
      loader.saved === retro.uuid ? h("p", { class: "ok", role: "status" }, t("retro_saved")) : null));
}

/** The phone's view of the Terugblik. */
export function retroPhoneView(live, heading) {
  const { t } = live;
  const list = live.data.retro_mine;
  if (!Array.isArray(list)) load(live);
  let body;
  if (loader.error) body = h("p", { class: "error", role: "alert" }, loader.error);
  else if (!Array.isArray(list)) body = h("p", { class: "muted" }, t("retro_loading"));
  else if (!list.length) body = h("p", { class: "muted" }, t("retro_mine_none"));
  else {
    const drafts = readDrafts(live);
    body = [h("h2", { class: "section-title" }, t("retro_mine_title")),
      h("ul", { class: "retro-list" }, list.map((r) => item(live, r, drafts)))];
  }
  return [heading(t("phase_retrospective")), h("p", { class: "lead" }, t("retro_intro")), body];
}

function keep(live, uuid, change) {
  const drafts = readDrafts(live);
  drafts[uuid] = { ...(drafts[uuid] || {}), ...change };
  writeDrafts(live, drafts);
}

export function retroActions(live) {
  return {
    "change:retro-status": (el) => {
      keep(live, el.dataset.agreement, { status: el.value });
      loader.saved = null;
      live.render();
    },
    "input:retro-note": (el) => {
      keep(live, el.dataset.agreement, { note: el.value });
      if (loader.saved) {
        loader.saved = null;
        live.render();
      }
    },
    "submit:retro-save": async (form, event) => {
      event.preventDefault();
      const uuid = form.dataset.agreement;
      const draft = readDrafts(live)[uuid] || {};
      const retro = (live.data.retro_mine || []).find((r) => r.uuid === uuid) || {};
      const status = draft.status || (retro.status === "no_news" ? "" : retro.status);
      if (!status) return;
      const ack = await live.send("retrospective.update", { agreement: uuid, status, note: draft.note || "" });
      if (ack && ack.ok) {
        const drafts = readDrafts(live);
        delete drafts[uuid];
        writeDrafts(live, drafts);
        loader.saved = uuid;
        live.render();
      }
    },
  };
}

/** Leaving the Terugblik: forget the list (it is asked for again when it comes back). */
export function retroReset(live) {
  if (live.data && live.data.meetup && live.data.meetup.phase !== "retrospective") {
    delete live.data.retro_mine;
    loader.saved = null;
  }
}
