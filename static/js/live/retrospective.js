// The Terugblik (issue 25): the earlier meetup's agreements, theme by theme, with their latest
// status. Pure functions (no DOM) shared by the organiser, the projector and the phones, and
// how the live state takes the Terugblik's broadcasts and acknowledgements.

/** The statuses in the order they are counted and shown ("no_news": nog geen bericht). */
export const RETRO_STATUSES = ["done", "in_progress", "planned", "stopped", "no_news"];
/** The statuses an owner can choose on their phone, in the follow-up form's order. */
export const OWNER_STATUSES = ["planned", "in_progress", "done", "stopped"];

/** "Afspraak 3 van 12 — Taal" ("" when there is nothing to show). */
export function retroLabel(retro, t) {
  const r = retro || {};
  if (!r.agreement || !r.total) return "";
  const position = t("retro_position", { n: (r.position || 0) + 1, total: r.total });
  return r.agreement.theme_title ? `${position} — ${r.agreement.theme_title}` : position;
}

/** A status word: "gerealiseerd", "bezig", ... */
export function statusWord(t, status) {
  return t(`retro_status_${status}`);
}

/** Apply a `retrospective` or `retrospective.mine` broadcast; false when it was old news. */
export function applyRetrospective(state, event, p) {
  if (event === "retrospective") {
    if (!state.fresh("retrospective", p.seq)) return false;
    const { seq: _seq, ...retro } = p;
    state.data.retrospective = retro.total === undefined ? null : retro;
    return true;
  }
  if (!p.retro) return false;
  replaceMine(state.data, p.retro);
  return true;
}

/** Apply the acknowledgement of `retrospective.show` or `retrospective.update`. */
export function acknowledgeRetrospective(state, event, ack) {
  if (event === "retrospective.show" && ack.retrospective && state.fresh("retrospective", ack.seq)) {
    state.data.retrospective = ack.retrospective;
  }
  if (event === "retrospective.update" && ack.retro) replaceMine(state.data, ack.retro);
}

function replaceMine(data, retro) {
  const list = data.retro_mine;
  if (!Array.isArray(list)) return;
  const index = list.findIndex((r) => r.uuid === retro.uuid);
  if (index >= 0) list[index] = retro;
}
