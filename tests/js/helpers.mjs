// Shared stand-ins for the page-logic tests: node has no localStorage and no socket.

/** A tiny in-memory localStorage (getItem/setItem/removeItem/clear, strings only). */
export class MemoryStorage {
  constructor() {
    this.map = new Map();
  }

  getItem(key) {
    return this.map.has(key) ? this.map.get(key) : null;
  }

  setItem(key, value) {
    this.map.set(key, String(value));
  }

  removeItem(key) {
    this.map.delete(key);
  }

  clear() {
    this.map.clear();
  }
}

/** A fresh, empty localStorage on globalThis (what store.js reads and writes). */
export function freshStorage() {
  const storage = new MemoryStorage();
  globalThis.localStorage = storage;
  return storage;
}

/** Timers run by hand: run(ms) advances the clock and fires what is due, in order. */
export class ManualTimers {
  constructor() {
    this.now = 0;
    this.queue = [];
    this.next = 1;
  }

  set = (fn, ms) => {
    const id = this.next++;
    this.queue.push({ id, at: this.now + ms, fn });
    return id;
  };

  clear = (id) => {
    this.queue = this.queue.filter((timer) => timer.id !== id);
  };

  run(ms) {
    const until = this.now + ms;
    for (;;) {
      const due = this.queue.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.queue = this.queue.filter((timer) => timer !== due);
      this.now = due.at;
      due.fn();
    }
    this.now = until;
  }
}

/** A socket stand-in: records emits; the test answers them (late, twice, or never). */
export class FakeSocket {
  constructor() {
    this.connected = true;
    this.emitted = []; // {event, payload, answer}
  }

  emit = (event, payload, answer) => {
    this.emitted.push({ event, payload, answer });
  };

  ops() {
    return this.emitted.map((e) => e.payload.op);
  }
}
