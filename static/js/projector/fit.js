// Text that must fit its box on the projector: table cards (names on two or more lines, long
// theme titles, a message on screen) shrink together, in steps, until every card shows all
// of its text. Classes, not style attributes (strict CSP): .pr-fit--95 … .pr-fit--50 in
// projector.css scale the cards' type.

/** Steps of the scale, in percent, largest first. */
export const FIT_STEPS = [100, 95, 90, 85, 80, 75, 70, 65, 60, 55, 50];

function overflows(el) {
  return el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;
}

/**
 * Shrink the type of `container`'s `items` (one scale for all, so the cards look alike) until
 * none overflows its box; returns the chosen percentage (100: nothing to do).
 */
export function fitTogether(container, items) {
  if (!container) return 100;
  const tiles = Array.from(items);
  for (const step of FIT_STEPS) container.classList.remove(`pr-fit--${step}`);
  for (const step of FIT_STEPS) {
    if (step !== 100) container.classList.add(`pr-fit--${step}`);
    if (!tiles.some(overflows)) return step;
    if (step !== 100) container.classList.remove(`pr-fit--${step}`);
  }
  const last = FIT_STEPS[FIT_STEPS.length - 1];
  container.classList.add(`pr-fit--${last}`);
  return last;
}

/** After rendering the Tafels view (and the rounds'): every card shows all of its names. */
export function fitTables(view) {
  const grid = view.querySelector(".pr-tables");
  return grid ? fitTogether(grid, grid.children) : 100;
}

/** After rendering voting and agreements: every top note of every theme shows whole. */
export function fitTopNotes(view) {
  const columns = view.querySelector(".pr-top-notes");
  return columns ? fitTogether(columns, columns.children) : 100;
}

/** After rendering an agreement in the plenary: every field shows whole. */
export function fitAgreement(view) {
  const slide = view.querySelector(".pr-agreement");
  return slide ? fitTogether(slide, [slide]) : 100;
}

/** After rendering the Terugblik: the agreement and the themes' list show whole. */
export function fitRetro(view) {
  const main = view.querySelector(".pr-retro__main");
  return main ? fitTogether(main, main.children) : 100;
}
