// A phone refused by a busy server comes back by itself; a page that may not come in does not.
import { test } from "node:test";
import assert from "node:assert/strict";

import { Live, refusalRetryDelay } from "../../static/js/live/connection.js";

test("a busy server's refusal is tried again, later each time; a refused identity is not", () => {
  const none = () => 0;
  assert.equal(refusalRetryDelay({ error: "unauthorised" }, 0, none), null);
  assert.equal(refusalRetryDelay({ error: "forbidden" }, 0, none), null);
  assert.equal(refusalRetryDelay(undefined, 0, none), null); // Socket.IO retries these itself
  assert.equal(refusalRetryDelay({ error: "server_error" }, 0, none), 2000);
  assert.equal(refusalRetryDelay({ error: "rate_limited" }, 1, none), 4000);
  assert.equal(refusalRetryDelay({ error: "server_error" }, 9, none), 15000);
  // Random spread, so that a room of refused phones does not come back in one wave.
  assert.equal(refusalRetryDelay({ error: "server_error" }, 0, () => 0.5), 3000);
});

function refusedPage() {
  const timers = [];
  globalThis.window = {
    setTimeout: (run, ms) => { timers.push({ run, ms }); return timers.length; },
    clearTimeout: () => {},
  };
  Object.defineProperty(globalThis, "navigator", { value: { onLine: true }, configurable: true });
  const page = Object.create(Live.prototype);
  page.connects = 0;
  page.socket = { connected: false, connect: () => { page.connects += 1; } };
  page.statusEl = null;
  page.t = (key) => key;
  return { page, timers };
}

test("a phone refused during a reconnect storm (server_error) connects again by itself", () => {
  const { page, timers } = refusedPage();
  page.connectError({ data: { error: "server_error", message: "Er ging iets mis" } });
  assert.equal(page.connection, "reconnecting");
  assert.equal(timers.length, 1);
  timers[0].run();
  assert.equal(page.connects, 1);
  page.connectError({ data: { error: "server_error" } });
  assert.ok(timers[1].ms >= 4000, "the second try waits longer");
});

test("a page whose cookie is not let in stays refused and does not knock again", () => {
  const { page, timers } = refusedPage();
  page.connectError({ data: { error: "unauthorised", message: "Meld je eerst aan." } });
  assert.equal(page.connection, "refused");
  assert.equal(timers.length, 0);
});

test("after a restart a phone tries again within a second; only a long outage waits longer", async () => {
  const { RECONNECT, reconnectDelayMax } = await import("../../static/js/live/connection.js");
  assert.equal(RECONNECT.delay, 500);
  assert.equal(reconnectDelayMax(1), 1000);
  assert.equal(reconnectDelayMax(RECONNECT.patientAfter), 1000);
  assert.equal(reconnectDelayMax(RECONNECT.patientAfter + 1), 5000);
});
