// The Terugblik's label and how the live state takes its broadcasts and acks
// (static/js/live/retrospective.js through state.js), under node's test runner.
import assert from "node:assert/strict";
import { test } from "node:test";

import { LiveState } from "../../static/js/live/state.js";
import { retroLabel } from "../../static/js/live/retrospective.js";

const t = (key, p) => `${key}:${p.n}/${p.total}`;

function ready(seq = 10) {
  const state = new LiveState();
  state.snapshot({ seq, meetup: { phase: "retrospective" }, retrospective: null });
  return state;
}

test("the label says which agreement of how many, and its theme", () => {
  const retro = { position: 2, total: 12, agreement: { uuid: "a", theme_title: "Taal" } };
  assert.equal(retroLabel(retro, t), "retro_position:3/12 — Taal");
  assert.equal(retroLabel({ position: 0, total: 0, agreement: null }, t), "");
});

test("a newer broadcast replaces the Terugblik; an older one is ignored", () => {
  const state = ready();
  assert.equal(state.apply("retrospective", { seq: 12, position: 1, total: 3, agreement: { uuid: "b" } }), true);
  assert.equal(state.data.retrospective.position, 1);
  assert.equal("seq" in state.data.retrospective, false);
  assert.equal(state.apply("retrospective", { seq: 11, position: 0, total: 3, agreement: { uuid: "a" } }), false);
  assert.equal(state.data.retrospective.position, 1);
});

test("an owner's update replaces their own entry; an ack's retro is not one of tonight's agreements", () => {
  const state = ready();
  state.data.retro_mine = [{ uuid: "a", status: "no_news" }, { uuid: "b", status: "planned" }];
  state.acknowledge({ event: "retrospective.update", payload: { agreement: "a" } },
    { ok: true, seq: 12, retro: { uuid: "a", status: "done" } });
  assert.deepEqual(state.data.retro_mine.map((r) => r.status), ["done", "planned"]);
  assert.deepEqual(state.data.agreements, []);
  state.apply("retrospective.mine", { seq: 13, retro: { uuid: "b", status: "stopped" } });
  assert.equal(state.data.retro_mine[1].status, "stopped");
});

test("the organiser's step ack moves the Terugblik, nested so it is no agreement of tonight", () => {
  const state = ready();
  state.acknowledge({ event: "retrospective.show", payload: { position: 2 } },
    { ok: true, seq: 14, retrospective: { position: 2, total: 3, agreement: { uuid: "c" } } });
  assert.equal(state.data.retrospective.position, 2);
  assert.deepEqual(state.data.agreements, []);
});
