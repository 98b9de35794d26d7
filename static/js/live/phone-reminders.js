// Follow-up mail on the phone (issue 23): picking the owner from the table, and the owner's
// own consent "Stuur mij herinneringen over deze afspraak" with an e-mail address (the one
// given at joining is offered), or a participant's "mail me the agreements I take part in".
// Ticking sends reminders.consent, unticking reminders.withdraw; the address typed is kept
// as a draft until the server has it.

import { h } from "./dom.js";

const KEY = (agreement) => `reminders:${agreement || "signed"}`;

function consentOf(live, agreement) {
  return (live.data.reminders || []).find((r) => (r.agreement || null) === (agreement || null)) || null;
}

/** True when this phone's person leads the agreement (the server's followups say so). */
export function leads(live, agreement) {
  return (live.data.followups || []).some((f) => f.agreement === agreement);
}

/** "Wie trekt het?": a person at the table, or someone else whose name is typed. */
export function ownerPicker(live, agreement) {
  const { t } = live;
  const members = (live.data.table && live.data.table.members) || [];
  if (!members.length) return null;
  const id = `ag-${agreement.uuid}-owner-pick`;
  const picked = members.some((m) => m.id === agreement.owner) ? String(agreement.owner) : "";
  return h("div", { class: "field" },
    h("label", { for: id }, t("owner_pick")),
    h("select", { id, data: { action: "owner-pick", agreement: agreement.uuid } },
      h("option", { value: "", selected: picked === "" }, t("owner_pick_other")),
      members.map((m) => h("option", { value: String(m.id), selected: picked === String(m.id) },
        m.role_label ? `${m.first_name} (${m.role_label})` : m.first_name))));
}

/** The consent: a checkbox and the address; for an agreement (owner) or null (signed on). */
export function reminderControl(live, agreement) {
  const { t } = live;
  const consent = consentOf(live, agreement);
  const base = `rem-${agreement || "signed"}`;
  const draft = live.drafts.text(KEY(agreement), null);
  const email = draft !== null ? draft : consent ? consent.email : ((live.data.me || {}).email || "");
  const error = errors.get(KEY(agreement)) || "";
  return h("div", { class: "reminders", "data-key": `${base}-box` },
    h("div", { class: "check" },
      h("input", {
        type: "checkbox", id: `${base}-on`, checked: Boolean(consent),
        data: { action: "reminders-toggle", agreement: agreement || "" },
        aria: { describedby: `${base}-hint` },
      }),
      h("label", { for: `${base}-on` }, agreement ? t("reminders_label") : t("reminders_signed_label"))),
    h("div", { class: "field" },
      h("label", { for: `${base}-email` }, t("reminders_email")),
      h("input", {
        type: "email", id: `${base}-email`, value: email, autocomplete: "email", maxlength: "254",
        data: { action: "reminders-email", agreement: agreement || "" },
        aria: { invalid: error ? "true" : null, describedby: error ? `${base}-error` : null },
      })),
    h("p", { class: "hint", id: `${base}-hint` },
      consent ? t("reminders_on", { email: consent.email }) : t("reminders_hint")),
    h("p", { class: "error", id: `${base}-error`, role: "alert" }, error));
}

const errors = new Map(); // draft key -> the server's message after a refused consent

/** Show the consent (or its absence) at once; the acknowledgement brings the server's list. */
function setLocal(live, agreement, email) {
  const list = (live.data.reminders || []).filter((r) => (r.agreement || null) !== (agreement || null));
  if (email) list.push({ agreement: agreement || null, email });
  live.data.reminders = list;
}

async function give(live, agreement, email) {
  const key = KEY(agreement);
  const before = consentOf(live, agreement);
  setLocal(live, agreement, email);
  const ack = await live.send("reminders.consent", { agreement: agreement || null, email },
    { quiet: true });
  if (ack.ok) {
    errors.delete(key);
    live.drafts.clear(key);
  } else {
    setLocal(live, agreement, before ? before.email : null);
    errors.set(key, ack.message || live.t("error"));
  }
  live.render();
}

export function reminderActions(live) {
  return {
    "change:owner-pick": (el) => {
      const value = el.value ? Number(el.value) : null;
      live.send("agreement.update", { agreement: el.dataset.agreement, fields: { owner: value } });
    },
    "change:reminders-toggle": (el) => {
      const agreement = el.dataset.agreement || null;
      const input = document.getElementById(`rem-${agreement || "signed"}-email`);
      const email = input ? input.value.trim() : "";
      if (el.checked) {
        if (!email) {
          errors.set(KEY(agreement), live.t("reminders_need_email"));
          el.checked = false;
          live.render();
          if (input) input.focus();
          return;
        }
        give(live, agreement, email);
      } else {
        errors.delete(KEY(agreement));
        setLocal(live, agreement, null);
        live.send("reminders.withdraw", { agreement });
      }
    },
    "input:reminders-email": (el) => {
      live.drafts.set(KEY(el.dataset.agreement || null), el.value, { keepEmpty: true });
    },
    "change:reminders-email": (el) => {
      // A new address for a consent already given replaces it.
      const agreement = el.dataset.agreement || null;
      const consent = consentOf(live, agreement);
      const email = el.value.trim();
      if (consent && email && email !== consent.email) give(live, agreement, email);
    },
  };
}
