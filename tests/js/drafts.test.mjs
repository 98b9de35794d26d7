// Drafts in localStorage: text being typed survives a reload and a phase change; it is dropped
// only when its write is acknowledged; an unsent note waits for its question or goes to the
// "niet verstuurd" box when the board closes.
import test from "node:test";
import assert from "node:assert/strict";

import { freshStorage } from "./helpers.mjs";
import { Drafts, Kept, Outbox } from "../../static/js/live/store.js";
import { openRounds, unsentItems } from "../../static/js/live/phone-kept.js";

test("a draft survives a reload", () => {
  freshStorage();
  new Drafts(5).set("note:happens", "Een idee dat nog niet af is");
  assert.equal(new Drafts(5).text("note:happens"), "Een idee dat nog niet af is");
});

test("drafts are per meetup", () => {
  freshStorage();
  new Drafts(5).set("note:happens", "hier");
  assert.equal(new Drafts(6).text("note:happens"), null);
});

test("a sent note's draft is hidden while in flight and dropped on its acknowledgement", () => {
  freshStorage();
  const outbox = new Outbox(5);
  const drafts = new Drafts(5);
  drafts.set("note:happens", "Huiswerkklas");
  const item = outbox.add("note.create", { note: "n1", round: "happens", text: "Huiswerkklas" });
  drafts.sending("note:happens", item.op, { sent: true });
  assert.equal(drafts.text("note:happens", outbox), null, "the field was emptied");
  assert.equal(new Drafts(5).get("note:happens").text, "Huiswerkklas", "still stored until acknowledged");
  drafts.acknowledged(item.op);
  assert.equal(new Drafts(5).get("note:happens"), null);
});

test("a refused write gives its draft back without its op", () => {
  freshStorage();
  const drafts = new Drafts(5);
  drafts.set("agreement:a1:what", "Taalcafé", { keepEmpty: true });
  drafts.sending("agreement:a1:what", "op-1");
  assert.deepEqual(drafts.refused("op-1"), ["agreement:a1:what"]);
  assert.deepEqual(new Drafts(5).get("agreement:a1:what"), { text: "Taalcafé" });
});

test("a cleared agreement field is kept as an empty draft, a cleared note is not", () => {
  freshStorage();
  const drafts = new Drafts(5);
  drafts.set("agreement:a1:what", "", { keepEmpty: true });
  drafts.set("note:happens", "");
  assert.deepEqual(new Drafts(5).items, { "agreement:a1:what": { text: "" } });
});

test("broken or blocked storage does not break the page", () => {
  globalThis.localStorage = {
    getItem() { return "{not json"; },
    setItem() { throw new Error("QuotaExceededError"); },
  };
  const drafts = new Drafts(5);
  drafts.set("note:happens", "toch bewaard in het geheugen");
  assert.equal(drafts.text("note:happens"), "toch bewaard in het geheugen");
  freshStorage();
});

function live(phase, { notes = [] } = {}) {
  return {
    data: { meetup: { phase }, notes },
    drafts: new Drafts(5), kept: new Kept(5), outbox: new Outbox(5),
    t: (key, params) => `${key}${params ? JSON.stringify(params) : ""}`,
  };
}

test("the questions open for writing grow with the rounds and close at voting", () => {
  assert.deepEqual(openRounds("round_1"), ["happens"]);
  assert.deepEqual(openRounds("round_3"), ["happens", "connect", "missing"]);
  assert.deepEqual(openRounds("voting"), []);
});

test("an unsent note of round 1 waits in round 2 for posting, and is in the box at voting", () => {
  freshStorage();
  new Drafts(5).set("note:happens", "Voorleesouders in de bieb");
  assert.deepEqual(unsentItems(live("round_2")), [], "shown in the round view, with its question");
  const items = unsentItems(live("voting"));
  assert.deepEqual(items.map((i) => [i.kind, i.text, i.round]), [["note", "Voorleesouders in de bieb", "happens"]]);
  assert.match(items[0].label, /round_happens/);
});

test("an open edit of a note is in the box when the board closes, unless nothing changed", () => {
  freshStorage();
  const notes = [{ uuid: "n1", text: "oud", mine: true }, { uuid: "n2", text: "zelfde", mine: true }];
  const drafts = new Drafts(5);
  drafts.set("note-edit:n1", "nieuw en beter", { keepEmpty: true });
  drafts.set("note-edit:n2", "zelfde", { keepEmpty: true });
  assert.deepEqual(unsentItems(live("round_2", { notes })), [], "the editor is open in the round");
  assert.deepEqual(unsentItems(live("voting", { notes })).map((i) => [i.kind, i.text]), [["edit", "nieuw en beter"]]);
});

test("refused text is in the box in every phase, with the reason, until discarded", () => {
  freshStorage();
  const kept = new Kept(5);
  kept.refused({ op: "o1", event: "note.create", payload: { op: "o1", note: "n1", round: "happens", text: "Te laat" } },
    { ok: false, error: "wrong_phase", message: "Het stemmen is begonnen." });
  for (const phase of ["round_1", "voting", "closed"]) {
    assert.deepEqual(unsentItems(live(phase)).map((i) => [i.text, i.reason]), [["Te laat", "Het stemmen is begonnen."]]);
  }
  new Kept(5).remove("o1");
  assert.deepEqual(unsentItems(live("voting")), []);
});

test("a refused agreement field keeps its text and which field it was", () => {
  freshStorage();
  const kept = new Kept(5);
  const entry = kept.refused(
    { op: "o2", event: "agreement.update", payload: { op: "o2", agreement: "a1", fields: { first_step: "Rooster maken" } } },
    { ok: false, error: "wrong_phase", message: "Afspraken schrijf je tijdens de afspraken." });
  assert.deepEqual([entry.kind, entry.field, entry.text, entry.agreement], ["agreement", "first_step", "Rooster maken", "a1"]);
  // Partners are picked, not typed: a refused list of partners keeps nothing.
  assert.equal(kept.refused({ op: "o3", event: "agreement.update", payload: { agreement: "a1", fields: { partners: ["Bibliotheek"] } } },
    { ok: false, error: "wrong_phase" }), null);
  // The same refusal answered twice (a late copy) is kept once.
  kept.refused({ op: "o2", event: "agreement.update", payload: { agreement: "a1", fields: { first_step: "Rooster maken" } } }, { ok: false });
  assert.equal(new Kept(5).size, 1);
});
