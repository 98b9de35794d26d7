// Agreements on the phone: the table's drafts, editable by anyone at the table, finishing them,
// signing on ("ik doe mee"), and the closing screen with the calendar file.

import { formatDate, h } from "./dom.js";
import { uuid4 } from "./store.js";
import { leads, ownerPicker, reminderControl } from "./phone-reminders.js";

const TEXT_FIELDS = ["what", "owner_name", "owner_organisation", "first_step", "success_measure"];
const LONG_FIELDS = new Set(["what", "first_step", "success_measure"]);
const FIELD_ORDER = ["what", "owner_name", "owner_organisation", "partners", "first_step",
  "due_date", "success_measure"];
const DEBOUNCE = 600;

const tried = new Map(); // agreement uuid -> {message, missing} after a refused "Afronden"
const timers = new Map(); // draft key -> debounce timer
let resumedAt = null; // snapshot seq whose left-over drafts were sent

function isFinal(agreement) {
  return agreement.status && agreement.status !== "draft";
}

function draftKey(uuid, field) {
  return `agreement:${uuid}:${field}`;
}

function fieldId(uuid, field) {
  return `ag-${uuid}-${field}`;
}

function missingOf(agreement) {
  const error = tried.get(agreement.uuid);
  if (!error) return [];
  return Array.isArray(agreement.missing) ? agreement.missing : error.missing || [];
}

function textField(live, agreement, field, missing) {
  const { t } = live;
  const key = draftKey(agreement.uuid, field);
  const draft = live.drafts.text(key, live.outbox);
  const value = draft !== null ? draft : agreement[field] || "";
  const id = fieldId(agreement.uuid, field);
  const invalid = missing.includes(field);
  const attrs = {
    id, name: field, value,
    data: { action: "field", agreement: agreement.uuid, field },
    aria: { invalid: invalid ? "true" : null, describedby: invalid ? `ag-${agreement.uuid}-error` : null },
  };
  return h("div", { class: ["field", invalid && "field--error"] },
    h("label", { for: id }, t(`field_${field}`)),
    LONG_FIELDS.has(field) ? h("textarea", { ...attrs, rows: "2" })
      : h("input", { ...attrs, type: "text", autocomplete: field === "owner_name" ? "name" : field === "owner_organisation" ? "organization" : "off" }));
}

function dateField(live, agreement, missing) {
  const { t } = live;
  const key = draftKey(agreement.uuid, "due_date");
  const draft = live.drafts.text(key, live.outbox);
  const id = fieldId(agreement.uuid, "due_date");
  const invalid = missing.includes("due_date");
  return h("div", { class: ["field", invalid && "field--error"] },
    h("label", { for: id }, t("field_due_date")),
    h("input", {
      id, type: "date", name: "due_date", value: draft !== null ? draft : agreement.due_date || "",
      data: { action: "field", agreement: agreement.uuid, field: "due_date" },
      aria: { invalid: invalid ? "true" : null, describedby: invalid ? `ag-${agreement.uuid}-error` : null },
    }));
}

function partnersField(live, agreement, missing) {
  const { t } = live;
  const chosen = agreement.partners || [];
  const options = [...(live.data.partners || [])];
  for (const name of chosen) if (!options.includes(name)) options.push(name);
  const invalid = missing.includes("partners");
  const otherId = fieldId(agreement.uuid, "partner-other");
  return h("fieldset", { class: ["field", "partners", invalid && "field--error"] },
    h("legend", null, t("field_partners")),
    chosen.length ? h("p", { class: "partners-chosen" }, chosen.join(", ")) : null,
    h("details", { class: "partner-picker" },
      h("summary", null, `${t("choose_partners")} (${t("partners_chosen", { n: chosen.length })})`),
      h("ul", { class: "checks" }, options.map((name, index) => {
        const id = `${fieldId(agreement.uuid, "partner")}-${index}`;
        return h("li", { "data-key": `partner-${name}` },
          h("input", {
            type: "checkbox", id, checked: chosen.includes(name),
            data: { action: "partner", agreement: agreement.uuid, partner: name },
          }),
          h("label", { for: id }, name));
      }))),
    h("div", { class: "add-partner" },
      h("label", { for: otherId }, t("partner_other")),
      h("div", { class: "row" },
        h("input", {
          id: otherId, type: "text", maxlength: "200",
          value: live.drafts.text(partnerDraftKey(agreement.uuid), null) || "",
          data: { action: "partner-input", agreement: agreement.uuid },
        }),
        h("button", { type: "button", class: "button", data: { action: "add-partner", agreement: agreement.uuid } }, t("add_partner")))));
}

/** The "andere partner" field keeps what is typed in it across a reload. */
function partnerDraftKey(uuid) {
  return `partner-other:${uuid}`;
}

/** "Ik doe mee" for an agreement, with how many take part (agreement card, plenary). */
export function signButton(live, agreement) {
  const { t } = live;
  const signed = (live.data.commitments || []).includes(agreement.uuid);
  return h("div", { class: "row sign-row" },
    h("button", {
      type: "button", class: ["button", signed ? "button--primary" : null],
      aria: { pressed: signed ? "true" : "false" },
      data: { action: signed ? "unsign" : "sign", agreement: agreement.uuid },
    }, signed ? `✓ ${t("you_signed")}` : t("sign")),
    h("span", { class: "signed-count" }, t.n(agreement.signed || 0, "signed_one", "signed_other")));
}

/** The read-only summary of an agreement (final ones, closing screen). */
export function agreementSummary(live, agreement) {
  const { t } = live;
  const owner = [agreement.owner_name, agreement.owner_organisation].filter(Boolean).join(", ");
  return [
    h("p", { class: "agreement-what" }, agreement.what),
    h("ul", { class: "facts" },
      owner ? h("li", null, t("owner_line", { owner })) : null,
      (agreement.partners || []).length ? h("li", null, t("partners_line", { partners: agreement.partners.join(", ") })) : null,
      agreement.first_step ? h("li", null, t("first_step_line", { step: agreement.first_step })) : null,
      agreement.due_date ? h("li", null, t("due_line", { date: formatDate(agreement.due_date) })) : null,
      agreement.success_measure ? h("li", null, t("measure_line", { measure: agreement.success_measure })) : null),
  ];
}

function agreementCard(live, agreement, index) {
  const { t } = live;
  const uuid = agreement.uuid;
  const titleId = `ag-${uuid}-title`;
  const head = h("div", { class: "agreement-head" },
    h("h2", { id: titleId }, t("agreement_n", { n: index + 1 })),
    h("span", { class: ["chip", isFinal(agreement) ? "chip--final" : "chip--draft"] },
      isFinal(agreement) ? t("status_final") : t("status_draft")),
    agreement.continues ? h("p", { class: "continues" }, t("continues_line", { what: agreement.continues.what })) : null);
  if (isFinal(agreement)) {
    return h("li", { class: "agreement agreement--final", "data-key": `agreement-${uuid}` },
      h("article", { aria: { labelledby: titleId } },
        head, agreementSummary(live, agreement), signButton(live, agreement),
        leads(live, uuid) ? reminderControl(live, uuid) : null,
        h("button", { type: "button", class: "button button--small", data: { action: "reopen", agreement: uuid } }, t("reopen"))));
  }
  const missing = missingOf(agreement);
  const error = tried.get(uuid);
  const showError = error && missing.length > 0;
  return h("li", { class: "agreement agreement--draft", "data-key": `agreement-${uuid}` },
    h("article", { aria: { labelledby: titleId } },
      head,
      h("form", { class: "agreement-form", data: { action: "agreement-form", agreement: uuid } },
        FIELD_ORDER.map((field) => {
          if (field === "partners") return partnersField(live, agreement, missing);
          if (field === "due_date") return dateField(live, agreement, missing);
          if (field === "owner_name") return [ownerPicker(live, agreement), textField(live, agreement, field, missing)];
          return textField(live, agreement, field, missing);
        }),
        h("p", { id: `ag-${uuid}-error`, class: "error", role: "alert" },
          showError ? error.message : ""),
        h("div", { class: "row" },
          h("button", { type: "submit", class: "button button--primary" }, t("finalise")),
          h("button", { type: "button", class: "button button--danger", data: { action: "delete-agreement", agreement: uuid } }, t("delete_agreement"))))));
}

export function agreementsView(live) {
  const { t } = live;
  const data = live.data;
  resumeDrafts(live);
  if (!data.table) {
    return [h("h1", { tabindex: "-1" }, t("phase_agreements")), h("p", { class: "lead" }, t("no_table_yet"))];
  }
  const agreements = data.agreements || [];
  return [
    h("h1", { tabindex: "-1" }, t("agreements_title")),
    h("p", { class: "lead" }, t("agreements_intro")),
    agreements.length
      ? h("ol", { class: "agreements", "data-key": "agreements" }, agreements.map((a, i) => agreementCard(live, a, i)))
      : h("p", { class: "muted", "data-key": "no-agreements" }, t("no_agreements")),
    h("button", { type: "button", class: "button button--block", data: { action: "new-agreement" } }, `+ ${t("new_agreement")}`),
  ];
}

/**
 * During the plenary the table's unfinished agreements stay editable (the server accepts it):
 * an agreement being typed when the organiser starts the plenary is not taken away.
 */
export function stillDrafting(live) {
  const { t } = live;
  const data = live.data;
  if (!data.table) return null;
  resumeDrafts(live);
  const all = data.agreements || [];
  const typedHere = (a) => Object.keys(live.drafts.items).some((key) =>
    key.startsWith(`agreement:${a.uuid}:`) || key === partnerDraftKey(a.uuid));
  const open = all.filter((a) => !isFinal(a) && (a.table === undefined || a.table === null ||
    a.table === data.table.number) && (typedHere(a) || TEXT_FIELDS.some((f) => (a[f] || "").trim())));
  if (!open.length) return null;
  return h("section", { class: "still-drafting", "data-key": "still-drafting", aria: { labelledby: "still-drafting-title" } },
    h("h2", { id: "still-drafting-title" }, t("still_drafting")),
    h("p", null, t("still_drafting_intro")),
    h("ol", { class: "agreements", "data-key": "drafting" }, open.map((a) => agreementCard(live, a, all.indexOf(a)))));
}


// --- writing -------------------------------------------------------------------------------

function current(live, uuid) {
  return (live.data.agreements || []).find((a) => a.uuid === uuid) || null;
}

function flush(live, uuid, field) {
  const key = draftKey(uuid, field);
  window.clearTimeout(timers.get(key));
  timers.delete(key);
  const draft = live.drafts.get(key);
  if (!draft || draft.op) return; // nothing typed since the last send
  const agreement = current(live, uuid);
  if (!agreement || isFinal(agreement)) return;
  let value = draft.text;
  if (field === "due_date") value = value || null;
  if ((agreement[field] || (field === "due_date" ? null : "")) === value) {
    live.drafts.clear(key);
    return;
  }
  live.send("agreement.update", { agreement: uuid, fields: { [field]: value } }, { draft: key });
}

function flushAll(live, uuid) {
  for (const key of Array.from(timers.keys())) {
    const [, id, field] = key.split(":");
    if (!uuid || id === uuid) flush(live, id, field);
  }
}

/** Send what was typed before a reload but never sent (its draft has no op). */
function resumeDrafts(live) {
  if (resumedAt === live.state.base) return;
  resumedAt = live.state.base;
  queueMicrotask(() => {
    for (const [key, draft] of Object.entries(live.drafts.items)) {
      if (!key.startsWith("agreement:") || draft.op) continue;
      const [, uuid, field] = key.split(":");
      if (current(live, uuid)) flush(live, uuid, field);
    }
  });
}

function setPartners(live, uuid, partners) {
  live.send("agreement.update", { agreement: uuid, fields: { partners } });
}

export function agreementActions(live) {
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flushAll(live);
  });
  return {
    "input:field": (el) => {
      const { agreement, field } = el.dataset;
      const key = draftKey(agreement, field);
      live.drafts.set(key, el.value, { keepEmpty: true });
      window.clearTimeout(timers.get(key));
      timers.set(key, window.setTimeout(() => flush(live, agreement, field), DEBOUNCE));
    },
    "keydown:field": (el, event) => {
      // Enter in a one-line field saves it; it must not finish the agreement.
      if (event.key === "Enter" && el.tagName === "INPUT") {
        event.preventDefault();
        flush(live, el.dataset.agreement, el.dataset.field);
      }
    },
    "focusout:field": (el) => flush(live, el.dataset.agreement, el.dataset.field),
    "change:field": (el) => flush(live, el.dataset.agreement, el.dataset.field),
    "change:partner": (el) => {
      const agreement = current(live, el.dataset.agreement);
      if (!agreement) return;
      const list = (agreement.partners || []).filter((p) => p !== el.dataset.partner);
      if (el.checked) list.push(el.dataset.partner);
      setPartners(live, agreement.uuid, list);
    },
    "add-partner": (el) => {
      const input = document.getElementById(fieldId(el.dataset.agreement, "partner-other"));
      const agreement = current(live, el.dataset.agreement);
      const name = input ? input.value.trim().replace(/\s+/g, " ") : "";
      if (!agreement || !name) return;
      input.value = "";
      live.drafts.clear(partnerDraftKey(agreement.uuid));
      if ((agreement.partners || []).includes(name)) return;
      setPartners(live, agreement.uuid, [...(agreement.partners || []), name]);
    },
    "input:partner-input": (el) => {
      live.drafts.set(partnerDraftKey(el.dataset.agreement), el.value);
    },
    "keydown:partner-input": (el, event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      const button = el.parentElement.querySelector('[data-action="add-partner"]');
      if (button) button.click();
    },
    "submit:agreement-form": async (form, event) => {
      event.preventDefault();
      const uuid = form.dataset.agreement;
      flushAll(live, uuid);
      const ack = await live.send("agreement.finalise", { agreement: uuid }, { quiet: true });
      if (ack.ok) {
        tried.delete(uuid);
      } else if (ack.error === "not_ready") {
        tried.set(uuid, { message: ack.message, missing: ack.missing || [] });
      } else {
        live.alert(ack.message || live.t("error"));
      }
      live.render();
      if (!ack.ok && ack.error === "not_ready") {
        window.setTimeout(() => {
          const first = (ack.missing || [])[0];
          const target = first && document.getElementById(fieldId(uuid, first === "partners" ? "partner-other" : first));
          if (target) target.focus();
        }, 0);
      }
    },
    "reopen": (el) => live.send("agreement.reopen", { agreement: el.dataset.agreement }),
    "delete-agreement": (el) => {
      const uuid = el.dataset.agreement;
      // The draft belongs to the whole table: ask before throwing it away.
      if (!window.confirm(live.t("confirm_delete_agreement"))) return;
      for (const field of TEXT_FIELDS.concat(["due_date"])) live.drafts.clear(draftKey(uuid, field));
      live.send("agreement.delete", { agreement: uuid });
    },
    "sign": (el) => live.send("agreement.sign", { agreement: el.dataset.agreement }),
    "unsign": (el) => live.send("agreement.unsign", { agreement: el.dataset.agreement }),
    "new-agreement": () => {
      const uuid = uuid4();
      live.send("agreement.create", { agreement: uuid });
      window.setTimeout(() => {
        const field = document.getElementById(fieldId(uuid, "what"));
        if (field) field.focus();
      }, 0);
    },
  };
}
