// "Verder met een afspraak van vorige keer": in a follow-up meetup a table can start a new
// agreement from one of last time's final agreements of its theme (pre-filled, editable).
// The list is a read (`agreement.previous`); choosing one is a write (`agreement.continue`).

import { h } from "./dom.js";
import { uuid4 } from "./store.js";

const picker = { open: false, loading: false, list: null, error: "" };

function hasPrevious(live) {
  return live.root && live.root.dataset.previous === "1";
}

function statusText(live, status) {
  return live.t(`earlier_status_${status}`) || status;
}

function earlierItem(live, agreement) {
  const { t } = live;
  const owner = [agreement.owner_name, agreement.owner_organisation].filter(Boolean).join(", ");
  const titleId = `earlier-${agreement.uuid}`;
  return h("li", { class: "earlier-agreement", "data-key": `earlier-${agreement.uuid}` },
    h("p", { class: "agreement-what", id: titleId }, agreement.what),
    h("p", { class: "muted" }, [owner ? t("owner_line", { owner }) : null,
      ` · ${statusText(live, agreement.status)}`]),
    h("button", {
      type: "button", class: "button button--primary",
      aria: { describedby: titleId },
      data: { action: "continue-pick", earlier: agreement.uuid },
    }, t("continue_this")));
}

/** The button and, once opened, the list of last time's agreements of the table's theme. */
export function continueView(live) {
  const { t } = live;
  if (!hasPrevious(live) || !live.data.table) return null;
  let body = null;
  if (picker.open) {
    if (picker.loading) body = h("p", { class: "muted" }, t("continue_loading"));
    else if (picker.error) body = h("p", { class: "error", role: "alert" }, picker.error);
    else if (picker.list && !picker.list.length) body = h("p", { class: "muted" }, t("continue_none"));
    else if (picker.list) body = h("ul", { class: "earlier-agreements" }, picker.list.map((a) => earlierItem(live, a)));
  }
  return h("section", { class: "continue-earlier", "data-key": "continue-earlier", aria: { labelledby: "continue-title" } },
    h("h2", { id: "continue-title", class: "visually-hidden" }, t("continue_title")),
    h("button", {
      type: "button", class: "button button--block",
      aria: { expanded: picker.open ? "true" : "false", controls: "continue-list" },
      data: { action: "continue-open" },
    }, t("continue_title")),
    h("div", { id: "continue-list" }, body));
}

function load(live) {
  picker.loading = true;
  picker.error = "";
  live.render();
  const socket = live.socket;
  if (!socket || !socket.connected) {
    picker.loading = false;
    picker.error = live.t("continue_offline");
    live.render();
    return;
  }
  socket.emit("agreement.previous", {}, (ack) => {
    picker.loading = false;
    if (ack && ack.ok) picker.list = ack.agreements || [];
    else picker.error = (ack && ack.message) || live.t("error");
    live.render();
  });
}

export function continueActions(live) {
  return {
    "continue-open": () => {
      picker.open = !picker.open;
      if (picker.open) load(live);
      else live.render();
    },
    "continue-pick": (el) => {
      const uuid = uuid4();
      picker.open = false;
      live.send("agreement.continue", { agreement: uuid, from: el.dataset.earlier });
      window.setTimeout(() => {
        const field = document.getElementById(`ag-${uuid}-what`);
        if (field) field.focus();
      }, 0);
    },
  };
}
