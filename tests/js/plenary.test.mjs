// The plenary's slide label (static/js/live/plenary.js), under node's test runner.
import assert from "node:assert/strict";
import { test } from "node:test";

import { slideLabel, slideOf } from "../../static/js/live/plenary.js";

const t = (key, p) => `${key}:${p.n}/${p.total}`;

test("groups are counted first, agreements after them", () => {
  const group = { position: 1, total: 17, kind: "group", group_count: 5, agreement_count: 12, group: { id: 9 } };
  assert.deepEqual(slideOf(group), { kind: "group", n: 2, of: 5 });
  assert.equal(slideLabel(group, t), "plenary_group_position:2/5");
  const agreement = { position: 7, total: 17, kind: "agreement", group_count: 5, agreement_count: 12, agreement: { uuid: "a" } };
  assert.deepEqual(slideOf(agreement), { kind: "agreement", n: 3, of: 12 });
  assert.equal(slideLabel(agreement, t), "plenary_position:3/12");
});

test("nothing on screen: no label; an older payload without groups still counts agreements", () => {
  assert.equal(slideLabel({ position: 0, total: 0 }, t), "");
  assert.deepEqual(slideOf({ position: 2, total: 4, agreement: { uuid: "a" } }), { kind: "agreement", n: 3, of: 4 });
});
