// The outbox: a write stays until its acknowledgement, however late; resends keep their op;
// an op in flight is not sent twice; a refused write keeps its text; slow sending is shown.
import test from "node:test";
import assert from "node:assert/strict";

import { FakeSocket, ManualTimers, freshStorage } from "./helpers.mjs";
import { Kept, Outbox } from "../../static/js/live/store.js";
import { SLOW_AFTER, Sender } from "../../static/js/live/sender.js";

function setup() {
  const storage = freshStorage();
  const outbox = new Outbox(5);
  const socket = new FakeSocket();
  const timers = new ManualTimers();
  const answers = [];
  const slow = [];
  const sender = new Sender({
    outbox, emit: socket.emit, canSend: () => socket.connected,
    onAnswer: (item, ack) => answers.push([item.op, ack]),
    onSlow: (value) => slow.push(value),
    setTimer: timers.set, clearTimer: timers.clear,
  });
  return { storage, outbox, socket, timers, answers, slow, sender };
}

const stored = (storage) => JSON.parse(storage.getItem("meetup:5:outbox"));

test("a write is stored before it is sent and stays until its acknowledgement", () => {
  const { storage, outbox, socket, sender } = setup();
  outbox.add("note.create", { note: "n1", round: "happens", text: "Huiswerkklas" });
  assert.equal(stored(storage).length, 1);
  sender.pump();
  assert.equal(socket.emitted.length, 1);
  assert.equal(stored(storage).length, 1, "sent is not acknowledged: still in the outbox");
  socket.emitted[0].answer({ ok: true, seq: 3 });
  assert.deepEqual(stored(storage), []);
});

test("an outbox read back after a reload holds the unacknowledged writes with their ops", () => {
  const { outbox } = setup();
  const item = outbox.add("note.create", { note: "n1", round: "happens", text: "Taalcafé" });
  const again = new Outbox(5);
  assert.deepEqual(again.list().map((i) => [i.op, i.payload.op, i.payload.text]),
    [[item.op, item.op, "Taalcafé"]]);
});

test("a late acknowledgement is accepted; there is no timeout that resends", () => {
  const { outbox, socket, timers, answers, sender } = setup();
  outbox.add("note.create", { note: "n1", round: "happens", text: "Laat antwoord" });
  sender.pump();
  timers.run(60_000); // a full minute without an answer
  sender.pump();
  assert.equal(socket.emitted.length, 1, "no second copy while the first is in flight");
  socket.emitted[0].answer({ ok: true, seq: 9 });
  assert.equal(outbox.size, 0);
  assert.equal(answers.length, 1);
});

test("a snapshot on the same connection does not resend the write in flight", () => {
  const { outbox, socket, sender } = setup();
  outbox.add("vote.add", { note: "n1", vote: "v1" });
  sender.pump();
  // A sync answered with a snapshot: the page pumps again.
  sender.pump();
  sender.pump();
  assert.equal(socket.emitted.length, 1);
});

test("after a reconnect the write goes again with the same op, and its late first answer counts once", () => {
  const { outbox, socket, answers, sender } = setup();
  const item = outbox.add("note.create", { note: "n1", round: "happens", text: "Offline" });
  sender.pump();
  const first = socket.emitted[0];
  sender.disconnected();
  sender.pump(); // the new connection's snapshot
  assert.equal(socket.emitted.length, 2);
  assert.deepEqual(socket.ops(), [item.op, item.op], "the resend keeps its op");
  assert.deepEqual(socket.emitted[1].payload, first.payload);
  first.answer({ ok: true, seq: 4 }); // the old connection's answer still arrives
  socket.emitted[1].answer({ ok: true, seq: 4 }); // and the server answers the replay too
  assert.equal(answers.length, 1, "one write, answered once to the page");
  assert.equal(outbox.size, 0);
});

test("writes go one at a time, in the order they were made", () => {
  const { outbox, socket, sender } = setup();
  const a = outbox.add("note.create", { note: "n1", round: "happens", text: "een" });
  const b = outbox.add("note.edit", { note: "n1", text: "een, beter" });
  sender.pump();
  assert.deepEqual(socket.ops(), [a.op]);
  socket.emitted[0].answer({ ok: true, seq: 2 });
  assert.deepEqual(socket.ops(), [a.op, b.op]);
});

test("nothing is sent while disconnected; all of it goes after the reconnect", () => {
  const { outbox, socket, sender } = setup();
  socket.connected = false;
  sender.disconnected();
  outbox.add("note.create", { note: "n1", round: "happens", text: "een" });
  sender.pump();
  assert.equal(socket.emitted.length, 0);
  socket.connected = true;
  sender.pump();
  assert.equal(socket.emitted.length, 1);
});

test("a refused write leaves the outbox, and its text is kept with the reason", () => {
  const { storage, outbox, socket, answers, sender } = setup();
  const kept = new Kept(5);
  const item = outbox.add("note.create", { note: "n1", round: "missing", text: "Een buurtmentor" });
  sender.pump();
  const ack = { ok: false, error: "wrong_phase", message: "Notities kun je alleen tijdens de rondes schrijven." };
  socket.emitted[0].answer(ack);
  assert.equal(outbox.size, 0);
  assert.deepEqual(answers, [[item.op, ack]]);
  kept.refused(item, ack);
  const again = new Kept(5); // after a reload, and minutes later: still there
  assert.deepEqual(again.list().map((k) => [k.kind, k.text, k.round, k.reason]),
    [["note", "Een buurtmentor", "missing", ack.message]]);
  again.remove(item.op);
  assert.deepEqual(JSON.parse(storage.getItem("meetup:5:kept")), []);
});

test("a refused write without typed text keeps nothing", () => {
  freshStorage();
  const kept = new Kept(5);
  assert.equal(kept.refused({ op: "o1", event: "vote.add", payload: { note: "n1" } }, { ok: false, error: "no_votes_left" }), null);
  assert.equal(kept.size, 0);
});

test("rate limited: the write is kept and tried again after a pause", () => {
  const { outbox, socket, timers, answers, sender } = setup();
  outbox.add("note.create", { note: "n1", round: "happens", text: "snel" });
  sender.pump();
  socket.emitted[0].answer({ ok: false, error: "rate_limited" });
  assert.equal(outbox.size, 1);
  assert.equal(answers.length, 0);
  sender.pump();
  assert.equal(socket.emitted.length, 1, "held for a moment");
  timers.run(2500);
  assert.equal(socket.emitted.length, 2);
  assert.equal(socket.emitted[1].payload.op, socket.emitted[0].payload.op);
});

test("a write waiting long makes the page say sending is slow, until answers come", () => {
  const { outbox, socket, timers, slow, sender } = setup();
  outbox.add("note.create", { note: "n1", round: "happens", text: "druk" });
  sender.pump();
  timers.run(SLOW_AFTER - 100);
  assert.deepEqual(slow, []);
  timers.run(200);
  assert.deepEqual(slow, [true]);
  assert.equal(outbox.size, 1, "slow is not lost");
  socket.emitted[0].answer({ ok: true, seq: 2 });
  assert.deepEqual(slow, [true, false]);
});

test("the snapshot of a new connection sends the waiting write once, also around the connect event", () => {
  const { outbox, socket, sender } = setup();
  const item = outbox.add("note.create", { note: "n1", round: "happens", text: "een" });
  sender.pump();
  sender.disconnected();
  // Reconnected: the snapshot comes first (it pumps), then the connect event, then a sync.
  sender.pump();
  sender.pump();
  sender.pump();
  assert.deepEqual(socket.ops(), [item.op, item.op]);
});
