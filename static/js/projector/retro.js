// The projector in the Terugblik (issue 25): the earlier meetup's agreements theme by theme,
// the counts per status, and the agreement the organiser stepped to, large. Fits the screen:
// the agreement's card shrinks its type (projector/fit.js) rather than scroll.

import { h } from "../live/dom.js";
import { RETRO_STATUSES, retroLabel, statusWord } from "../live/retrospective.js";

/** Counts per status; the themes' small ones leave out the statuses nobody has. */
function counts(t, values, cls, { all = true } = {}) {
  const shown = RETRO_STATUSES.filter((s) => all || values[s]);
  return h("ul", { class: cls }, shown.map((s) => h("li", {
    class: `pr-status pr-status--${s}`, "data-key": `${cls}-${s}`,
  }, h("strong", null, String(values[s] || 0)), " ", statusWord(t, s))));
}

/** Phones still join during the Terugblik (owners are matched by the e-mail they give): a
 * small QR code and the code stay on the screen. */
function joinStrip(t, join) {
  if (!join || !join.qrUrl) return null;
  return h("div", { class: "pr-retro__join", "data-key": "retro-join" },
    h("img", { src: join.qrUrl, width: "120", height: "120", alt: t("qr_alt", { url: join.joinUrl }) }),
    h("p", null, t("retro_join", { address: join.codeAddress, code: join.shortCode })));
}

export function retroView(live, join) {
  const { t } = live;
  const retro = live.data.retrospective;
  const title = retro && retro.previous ? t("retro_title", { title: retro.previous.title }) : t("phase_retrospective");
  if (!retro || !retro.total || !retro.agreement) {
    return h("section", { class: "pr-retro", "data-key": "retro-empty" },
      h("h1", { class: "pr-question" }, title),
      h("p", { class: "pr-lead" }, t("retro_none")),
      joinStrip(t, join));
  }
  const a = retro.agreement;
  const owner = [a.owner_name, a.owner_organisation].filter(Boolean).join(", ");
  return h("section", { class: "pr-retro", "data-key": "retro" },
    h("div", { class: "pr-retro__head" },
      h("div", { class: "pr-retro__heading" },
        h("h1", { class: "pr-retro__title" }, title),
        counts(t, retro.counts, "pr-retro__counts")),
      joinStrip(t, join)),
    h("div", { class: "pr-retro__main" },
      h("ol", { class: "pr-retro__themes" }, retro.themes.map((theme) => h("li", {
        class: ["pr-retro__theme", theme.key === a.theme && "pr-retro__theme--current"],
        "data-key": `retro-theme-${theme.key}`,
        aria: { current: theme.key === a.theme ? "true" : null },
      }, h("span", { class: "pr-retro__theme-title" }, `${theme.title} (${theme.total})`),
      counts(t, theme.counts, "pr-retro__mini", { all: false })))),
      h("article", { class: `pr-retro__agreement pr-retro__agreement--${a.status}`, "data-key": `retro-${a.uuid}` },
        h("p", { class: "pr-kicker" }, retroLabel(retro, t)),
        h("h2", { class: "pr-retro__what" }, a.what),
        owner ? h("p", { class: "pr-retro__owner" }, t("owner_line", { owner })) : null,
        h("p", { class: `pr-retro__status pr-status--${a.status}` }, statusWord(t, a.status)),
        a.note ? h("p", { class: "pr-retro__note" }, t("retro_note", { note: a.note })) : null,
        a.at_retrospective ? h("p", { class: "pr-retro__fresh" }, t("retro_updated_here")) : null)));
}
