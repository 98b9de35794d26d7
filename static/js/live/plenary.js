// The plenary's slides: the confirmed groups of notes (theme by theme), then the final
// agreements. Pure functions (no DOM), shared by the projector, the organiser and the phones.

/** Which slide is on: {kind: "group"|"agreement"|null, n (1-based within its kind), of}. */
export function slideOf(plenary) {
  const p = plenary || {};
  const groups = p.group_count || 0;
  const position = p.position || 0;
  if (p.kind === "group" && p.group) return { kind: "group", n: position + 1, of: groups };
  if (p.agreement) {
    const of = p.agreement_count ?? Math.max(0, (p.total || 0) - groups);
    return { kind: "agreement", n: Math.max(1, position - groups + 1), of: Math.max(1, of) };
  }
  return { kind: null, n: 0, of: 0 };
}

/** "Groep 2 van 5" / "Afspraak 3 van 12" ("" when nothing is on). */
export function slideLabel(plenary, t) {
  const slide = slideOf(plenary);
  if (slide.kind === "group") return t("plenary_group_position", { n: slide.n, total: slide.of });
  if (slide.kind === "agreement") return t("plenary_position", { n: slide.n, total: slide.of });
  return "";
}

/** The title of a theme by key, from the page's themes ("" when unknown). */
export function themeTitle(data, key) {
  const theme = ((data && data.themes) || []).find((th) => th.key === key);
  return theme ? theme.title : "";
}
