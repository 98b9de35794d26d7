// Ordering by seq: late and repeated broadcasts never undo a newer state; a snapshot after a
// reconnect replaces everything, and writes still waiting are shown on top of it again.
import test from "node:test";
import assert from "node:assert/strict";

import { optimistic } from "../../static/js/live/optimistic.js";
import { LiveState } from "../../static/js/live/state.js";

function snapshot(seq, extra = {}) {
  return {
    seq, as: "participant",
    meetup: { phase: "round_1", message: null, timer: null },
    me: { id: 7, first_name: "Ayla", theme: "taal" },
    table: { number: 3, theme: "taal" },
    themes: [{ key: "taal", title: "Taal", count: 4, capacity: null }],
    notes: [], agreements: [], votes_left: 5,
    ...extra,
  };
}

const note = (uuid, text, extra = {}) => ({ uuid, round: "happens", text, author_id: 8, author: "Bram", votes: 0, ...extra });

test("a late broadcast of an older version of a note does not undo the newer text", () => {
  const state = new LiveState();
  state.snapshot(snapshot(10));
  state.apply("note", { seq: 12, note: note("n1", "tweede versie") });
  state.apply("note", { seq: 11, note: note("n1", "eerste versie") });
  assert.equal(state.data.notes.length, 1);
  assert.equal(state.data.notes[0].text, "tweede versie");
});

test("a repeated broadcast is applied once", () => {
  const state = new LiveState();
  state.snapshot(snapshot(10));
  state.apply("votes", { seq: 11, note: "n1", votes: 2 });
  state.apply("note", { seq: 12, note: note("n1", "idee", { votes: 2 }) });
  state.apply("note", { seq: 12, note: note("n1", "idee", { votes: 2 }) });
  assert.equal(state.data.notes.length, 1);
});

test("a broadcast older than the snapshot is old news", () => {
  const state = new LiveState();
  state.snapshot(snapshot(20, { notes: [note("n1", "zoals de snapshot het zegt")] }));
  state.apply("note", { seq: 15, note: note("n1", "oud") });
  state.apply("note.removed", { seq: 19, note: "n1" });
  assert.deepEqual(state.data.notes.map((n) => n.text), ["zoals de snapshot het zegt"]);
  assert.equal(state.apply("phase", { seq: 18, phase: "voting" }), false);
  assert.equal(state.data.meetup.phase, "round_1");
});

test("a removal that arrives before a late update keeps the note removed", () => {
  const state = new LiveState();
  state.snapshot(snapshot(10, { notes: [note("n1", "weg ermee")] }));
  state.apply("note.removed", { seq: 14, note: "n1" });
  state.apply("note", { seq: 13, note: note("n1", "bewerkt") });
  assert.deepEqual(state.data.notes, []);
});

test("entities are ordered separately: a newer seq on one note does not block another", () => {
  const state = new LiveState();
  state.snapshot(snapshot(10));
  state.apply("note", { seq: 15, note: note("n1", "een") });
  state.apply("note", { seq: 12, note: note("n2", "twee") });
  assert.deepEqual(state.data.notes.map((n) => n.uuid).sort(), ["n1", "n2"]);
});

test("phase, timer and message each keep the newest", () => {
  const state = new LiveState();
  state.snapshot(snapshot(10));
  state.apply("phase", { seq: 14, phase: "round_2" });
  state.apply("phase", { seq: 13, phase: "round_1" });
  state.apply("message", { seq: 16, text: "Nog vijf minuten" });
  state.apply("message", { seq: 15, text: "" });
  assert.equal(state.data.meetup.phase, "round_2");
  assert.equal(state.data.meetup.message.text, "Nog vijf minuten");
});

test("a snapshot after a reconnect replaces the state and forgets the old seqs", () => {
  const state = new LiveState();
  state.snapshot(snapshot(10));
  state.apply("note", { seq: 30, note: note("n1", "voor de verbinding viel") });
  // Reconnected: the server's snapshot is the truth (n1 was removed meanwhile, n2 is new).
  state.snapshot(snapshot(40, { meetup: { phase: "round_2" }, notes: [note("n2", "nieuw")] }));
  assert.deepEqual(state.data.notes.map((n) => n.uuid), ["n2"]);
  assert.equal(state.data.meetup.phase, "round_2");
  // Broadcasts from before the snapshot are old news; newer ones apply.
  state.apply("note", { seq: 35, note: note("n1", "te laat") });
  state.apply("note", { seq: 41, note: note("n3", "na de snapshot") });
  assert.deepEqual(state.data.notes.map((n) => n.uuid), ["n2", "n3"]);
});

test("a write still waiting is shown again on top of a fresh snapshot", () => {
  const state = new LiveState();
  state.snapshot(snapshot(40));
  const item = { op: "op-1", event: "note.create", payload: { op: "op-1", note: "n9", round: "happens", text: "offline geschreven" } };
  optimistic(state, item);
  state.snapshot(snapshot(41));
  optimistic(state, item);
  assert.deepEqual(state.data.notes.map((n) => [n.uuid, n.text, n.pending, n.mine]),
    [["n9", "offline geschreven", true, true]]);
  // The acknowledgement makes it a real note (no longer pending), not a second one.
  state.acknowledge(item, { ok: true, seq: 42, note: { uuid: "n9", round: "happens", text: "offline geschreven", mine: true } });
  state.apply("note", { seq: 42, note: { uuid: "n9", round: "happens", text: "offline geschreven", author_id: 7 } });
  assert.equal(state.data.notes.length, 1);
  assert.equal(state.data.notes[0].pending, undefined);
});

test("broadcasts are not personal: mine is worked out from the author", () => {
  const state = new LiveState();
  state.snapshot(snapshot(1));
  state.apply("note", { seq: 2, note: note("n1", "van mij", { author_id: 7 }) });
  state.apply("note", { seq: 3, note: note("n2", "van Bram", { author_id: 8 }) });
  assert.deepEqual(state.data.notes.map((n) => n.mine), [true, false]);
});
