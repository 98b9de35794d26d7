// What fits one projector screen (static/js/projector/pages.js), under node's test runner.
import assert from "node:assert/strict";
import { test } from "node:test";

import { gridShape, pageOf, PAGE_SECONDS, PAGE_SIZE, roleRows } from "../../static/js/projector/pages.js";

test("thirty tables fit one screen of 6 by 5; fewer get bigger tiles", () => {
  assert.deepEqual(gridShape(30), { cols: 6, rows: 5, density: "dense" });
  assert.deepEqual(gridShape(3), { cols: 3, rows: 1, density: "roomy" });
  for (let n = 1; n <= PAGE_SIZE; n += 1) {
    const { cols, rows } = gridShape(n);
    assert.ok(cols * rows >= n, `${n} tiles in ${cols}x${rows}`);
  }
});

test("more than thirty tables turn pages of even size", () => {
  assert.deepEqual(pageOf(30, 0), { from: 0, to: 30, page: 0, pages: 1 });
  const first = pageOf(31, 0);
  assert.deepEqual([first.from, first.to, first.pages], [0, 16, 2]);
  const second = pageOf(31, PAGE_SECONDS * 1000);
  assert.deepEqual([second.from, second.to], [16, 31]);
  const pages = new Set();
  for (let i = 0; i < 6; i += 1) {
    const p = pageOf(170, i * PAGE_SECONDS * 1000);
    assert.ok(p.to - p.from <= PAGE_SIZE);
    pages.add(p.page);
  }
  assert.equal(pages.size, 6);
  assert.deepEqual(pageOf(0, 0), { from: 0, to: 0, page: 0, pages: 1 });
});

test("the role list shows the five biggest roles and sums the rest as 'overige'", () => {
  const t = (key) => key;
  const rows = roleRows({ a: 50, b: 40, c: 30, d: 20, e: 10, f: 5, g: 3, h: 0 }, t);
  assert.deepEqual(rows.map((r) => [r.key, r.count]),
    [["a", 50], ["b", 40], ["c", 30], ["d", 20], ["e", 10], ["other", 8]]);
  assert.equal(rows.at(-1).label, "other_roles");
  assert.equal(roleRows({ a: 2, b: 1 }, t).length, 2);
  assert.deepEqual(roleRows({}, t), []);
});
