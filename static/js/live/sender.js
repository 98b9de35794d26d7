// Sending the outbox: pure logic, no socket and no DOM (unit tested with node --test).
//
// - One write at a time, in the order they were made; a write leaves the outbox only when its
//   acknowledgement arrives, never when it is sent.
// - No acknowledgement timeout: an answer that comes late is still taken (a timeout would make
//   the socket library drop it, and the page would resend while the server is still busy with
//   the first copy: a resend storm under load). Socket.IO over one connection loses nothing, so
//   a write is only sent again on a NEW connection (after a reconnect or a reload); a snapshot
//   on the same connection (a sync) does not resend the write that is still in flight.
// - A write waiting longer than `slowAfter` makes the page say that sending is slow.

export const SLOW_AFTER = 5000;
export const RATE_LIMIT_PAUSE = 2000;
export const RETRY_AFTER_BAD_ANSWER = 3000;

export class Sender {
  /**
   * @param {object} o
   * @param {import("./store.js").Outbox} o.outbox
   * @param {(event: string, payload: object, answer: (ack: any) => void) => void} o.emit
   * @param {() => boolean} o.canSend       connected, online and holding a snapshot
   * @param {(item: object, ack: object) => void} o.onAnswer  an ok or refused answer
   * @param {(slow: boolean) => void} [o.onSlow]
   */
  constructor({ outbox, emit, canSend, onAnswer, onSlow = () => {}, slowAfter = SLOW_AFTER,
    setTimer = (fn, ms) => setTimeout(fn, ms), clearTimer = (id) => clearTimeout(id) }) {
    Object.assign(this, { outbox, emit, canSend, onAnswer, onSlow, slowAfter, setTimer, clearTimer });
    this.connection = 0; // which connection we are on; bumped when one drops
    this.current = null; // {op, connection} of the write in flight
    this.held = false; // the server asked us to slow down
    this.slow = false;
    this.slowTimer = null;
    this.sent = 0; // emits made, for tests and diagnostics
  }

  /**
   * The connection dropped: nothing is in flight any more (a late answer still counts), and
   * the next connection sends the waiting writes again. Counted here and not on "connect":
   * the server's snapshot (which pumps) arrives just BEFORE socket.io-client's connect event.
   */
  disconnected() {
    this.connection += 1;
    this.current = null;
    this.setSlow(false);
  }

  /** True while `op` was sent on the current connection and is waiting for its answer. */
  inFlight(op) {
    return Boolean(this.current && this.current.op === op && this.current.connection === this.connection);
  }

  /** Send the first waiting write, unless one is already in flight on this connection. */
  pump() {
    if (this.held || !this.canSend()) return;
    if (this.current && this.current.connection === this.connection) return;
    const item = this.outbox.first();
    if (!item) {
      this.setSlow(false);
      return;
    }
    const flight = { op: item.op, connection: this.connection };
    this.current = flight;
    this.sent += 1;
    this.clearTimer(this.slowTimer);
    this.slowTimer = this.setTimer(() => {
      if (this.current === flight) this.setSlow(true);
    }, this.slowAfter);
    this.emit(item.event, item.payload, (ack) => this.answer(item, ack, flight));
  }

  /** An answer, however late: taken as long as the write is still waiting in the outbox. */
  answer(item, ack, flight) {
    const mine = this.current === flight;
    if (mine) {
      this.current = null;
      this.clearTimer(this.slowTimer);
    }
    if (!this.outbox.has(item.op)) {
      if (mine) this.pump();
      return; // answered before (a copy sent on an earlier connection)
    }
    if (!ack || typeof ack !== "object") {
      // Not an answer we understand: keep the write and try it again in a while.
      if (mine) this.hold(RETRY_AFTER_BAD_ANSWER);
      return;
    }
    if (!ack.ok && ack.error === "rate_limited") {
      // Too fast: keep the write and hold the queue for a moment.
      this.hold(RATE_LIMIT_PAUSE);
      return;
    }
    this.outbox.remove(item.op);
    this.onAnswer(item, ack);
    if (this.outbox.size === 0 || !this.current) this.setSlow(false);
    this.pump();
  }

  hold(ms) {
    this.held = true;
    this.setTimer(() => {
      this.held = false;
      this.pump();
    }, ms);
  }

  setSlow(slow) {
    if (this.slow === slow) return;
    this.slow = slow;
    this.onSlow(slow);
  }
}
