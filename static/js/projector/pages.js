// What fits one projector screen: how many table tiles, which page is on screen now, and a
// bounded list of roles.
// Pure functions (no DOM), so node's test runner can check them.

/** Tiles on one screen: 6 columns by 5 rows, still readable at 1280x720. */
export const PAGE_SIZE = 30;
/** Seconds a page of tables stays on screen. */
export const PAGE_SECONDS = 12;

/** Columns, rows and density of the grid for `n` tiles on a 16:9 screen. */
export function gridShape(n) {
  const shapes = [[1, 1, 1], [2, 2, 1], [3, 3, 1], [4, 4, 1], [6, 3, 2], [8, 4, 2], [12, 4, 3],
    [15, 5, 3], [20, 5, 4], [24, 6, 4], [30, 6, 5]];
  for (const [max, cols, rows] of shapes) {
    if (n <= max) return { cols, rows, density: n <= 8 ? "roomy" : n <= 15 ? "medium" : "dense" };
  }
  return { cols: 6, rows: 5, density: "dense" };
}

/** The page of `count` tables shown at time `now` (ms): {from, to, page, pages}. */
export function pageOf(count, now, size = PAGE_SIZE, seconds = PAGE_SECONDS) {
  const pages = Math.max(1, Math.ceil(count / size));
  // Spread evenly: 31 tables become pages of 16 and 15, not 30 and 1.
  const per = Math.ceil(count / pages) || 0;
  const page = pages > 1 ? Math.floor(now / (seconds * 1000)) % pages : 0;
  const from = page * per;
  return { from, to: Math.min(count, from + per), page, pages };
}

/** Roles shown by name on the join screen; the rest are summed as "overige". */
export const TOP_ROLES = 5;

/** The biggest roles by name, the others together as "overige" (a bounded list). */
export function roleRows(byRole, t, top = TOP_ROLES) {
  const sorted = Object.entries(byRole || {}).filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const rows = sorted.slice(0, top).map(([key, n]) => ({ key, label: t(`role_${key}`), count: n }));
  const rest = sorted.slice(top).reduce((sum, [, n]) => sum + n, 0);
  if (rest > 0) rows.push({ key: "other", label: t("other_roles"), count: rest });
  return rows;
}
