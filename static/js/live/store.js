// What the page keeps in localStorage so that nothing typed is lost: the outbox of
// unacknowledged writes and the drafts of text being typed. Both survive a reload, a dead
// battery and a lost connection; both are per meetup.

/** The browser's localStorage; tests (node) put an in-memory stand-in on globalThis. */
function storage() {
  try {
    return globalThis.localStorage || null;
  } catch (_e) {
    return null; // storage blocked by the browser's settings
  }
}

function read(key, fallback) {
  try {
    const raw = storage().getItem(key);
    return raw ? JSON.parse(raw) : fallback;
  } catch (_e) {
    return fallback;
  }
}

function write(key, value) {
  try {
    storage().setItem(key, JSON.stringify(value));
    return true;
  } catch (_e) {
    return false; // private mode or full storage: the page still works, without persistence
  }
}

/** A v4 UUID, also in browsers (or plain http pages) without crypto.randomUUID. */
export function uuid4() {
  const crypto = globalThis.crypto;
  if (crypto && typeof crypto.randomUUID === "function") {
    try {
      return crypto.randomUUID();
    } catch (_e) { /* insecure context in some browsers: fall through */ }
  }
  const bytes = new Uint8Array(16);
  if (crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Unacknowledged writes, in the order they were made: [{op, event, payload, at}]. */
export class Outbox {
  constructor(meetupId, scope) {
    this.key = `meetup:${meetupId}:${scope ? scope + ":" : ""}outbox`;
    this.items = read(this.key, []);
    if (!Array.isArray(this.items)) this.items = [];
  }

  add(event, payload) {
    const item = { op: payload.op || uuid4(), event, payload: { ...payload }, at: Date.now() };
    item.payload.op = item.op;
    this.items.push(item);
    write(this.key, this.items); // stored BEFORE it is emitted
    return item;
  }

  remove(op) {
    const before = this.items.length;
    this.items = this.items.filter((item) => item.op !== op);
    if (this.items.length !== before) write(this.key, this.items);
  }

  has(op) {
    return this.items.some((item) => item.op === op);
  }

  first() {
    return this.items[0] || null;
  }

  list(event) {
    return event ? this.items.filter((item) => item.event === event) : this.items.slice();
  }

  get size() {
    return this.items.length;
  }
}

/** Text being typed, by field key: {key: {text, op?}}; op is set once the text was sent. */
export class Drafts {
  constructor(meetupId, scope) {
    this.key = `meetup:${meetupId}:${scope ? scope + ":" : ""}drafts`;
    this.items = read(this.key, {});
    if (!this.items || typeof this.items !== "object" || Array.isArray(this.items)) this.items = {};
  }

  save() {
    write(this.key, this.items);
  }

  get(key) {
    return this.items[key] || null;
  }

  /** The text to show in a field: a draft that is not waiting for an acknowledgement. */
  text(key, outbox) {
    const draft = this.items[key];
    if (!draft) return null;
    if (draft.op && outbox && outbox.has(draft.op) && draft.sent) return null;
    return draft.text;
  }

  /** Keep `text` for `key`; an empty text removes the draft unless keepEmpty (a cleared field). */
  set(key, text, { keepEmpty = false } = {}) {
    if (!keepEmpty && (text === "" || text === null || text === undefined)) delete this.items[key];
    else this.items[key] = { text: text || "" };
    this.save();
  }

  /** The text of `key` went out with `op`; `sent` means the field was emptied (a new note). */
  sending(key, op, { sent = false } = {}) {
    const draft = this.items[key];
    if (!draft) return;
    draft.op = op;
    draft.sent = sent;
    this.save();
  }

  /** Acknowledged: drop every draft that was sent with `op`. */
  acknowledged(op) {
    let changed = false;
    for (const [key, draft] of Object.entries(this.items)) {
      if (draft.op === op) {
        delete this.items[key];
        changed = true;
      }
    }
    if (changed) this.save();
  }

  /** Refused: keep the text as a plain draft again so it can be fixed; returns the keys. */
  refused(op) {
    const keys = [];
    for (const [key, draft] of Object.entries(this.items)) {
      if (draft.op === op) {
        delete draft.op;
        delete draft.sent;
        keys.push(key);
      }
    }
    if (keys.length) this.save();
    return keys;
  }

  clear(key) {
    if (key in this.items) {
      delete this.items[key];
      this.save();
    }
  }
}

/**
 * Text the server refused, kept with the reason until the person copies or discards it:
 * [{op, kind, text, round?, note?, agreement?, field?, reason, at}]. A refused write never
 * takes its text with it (a note queued offline that arrives after the voting began, an edit
 * of a note someone hid, a field of an agreement that was finished meanwhile).
 */
export class Kept {
  constructor(meetupId, scope) {
    this.key = `meetup:${meetupId}:${scope ? scope + ":" : ""}kept`;
    this.items = read(this.key, []);
    if (!Array.isArray(this.items)) this.items = [];
  }

  /** Keep the text of a refused write (a write without typed text is not kept). */
  refused(item, ack) {
    const entry = keptEntry(item, ack);
    if (!entry || this.items.some((kept) => kept.op === entry.op)) return null;
    this.items.push(entry);
    write(this.key, this.items);
    return entry;
  }

  remove(op) {
    const before = this.items.length;
    this.items = this.items.filter((kept) => kept.op !== op);
    if (this.items.length !== before) write(this.key, this.items);
  }

  list() {
    return this.items.slice();
  }

  get size() {
    return this.items.length;
  }
}

/** What a refused write typed by a person carried: a note, an edit or an agreement's field. */
export function keptEntry(item, ack) {
  if (!item || !item.payload) return null;
  const p = item.payload;
  const reason = (ack && (ack.message || ack.error)) || "";
  const base = { op: item.op, reason, at: Date.now() };
  if (item.event === "note.create" && typeof p.text === "string" && p.text.trim()) {
    return { ...base, kind: "note", text: p.text, round: p.round || null };
  }
  if (item.event === "note.edit" && typeof p.text === "string" && p.text.trim()) {
    return { ...base, kind: "edit", text: p.text, note: p.note || null };
  }
  if (item.event === "agreement.update" && p.fields && typeof p.fields === "object") {
    const typed = Object.entries(p.fields).filter(([, v]) => typeof v === "string" && v.trim());
    if (!typed.length) return null;
    const [field, text] = typed[0];
    return { ...base, kind: "agreement", text: typed.length === 1 ? text : typed.map(([, v]) => v).join("\n"),
      agreement: p.agreement || null, field };
  }
  return null;
}
