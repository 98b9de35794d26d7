// The reliability core shared by the phone, the projector and the organiser's live page.
//
// - One Socket.IO connection; identity comes from the signed cookie, `auth` only names the
//   meetup and the kind of page.
// - Every `snapshot` replaces the state; broadcasts are applied on top (see state.js), then
//   the writes still waiting are shown on top again (optimistic.js).
// - Every write goes to the outbox in localStorage BEFORE it is emitted, carries a client op id
//   and waits for its acknowledgement, however long that takes (see sender.js: no timeout).
//   Unacknowledged writes are resent, in order and one at a time, on every new connection;
//   the server applies an op once, however often it arrives.
// - Text being typed is kept as a draft in localStorage until its write is acknowledged; the
//   text of a refused write is kept with the reason until the person discards it (Kept).

import { io } from "../../vendor/socket.io-4.8.1.esm.min.js";
import { Drafts, Kept, Outbox, uuid4 } from "./store.js";
import { Sender } from "./sender.js";
import { optimistic } from "./optimistic.js";
import { LiveState } from "./state.js";
import { Clock } from "./timer.js";

const BROADCASTS = ["note", "note.removed", "votes", "agreement", "agreement.removed", "phase",
  "timer", "message", "counts", "plenary", "overview", "theme", "themes", "followup",
  "reminders", "retrospective", "retrospective.mine"];
/** Writes whose optimistic effect must be undone (by a fresh snapshot) when refused. */
const OPTIMISTIC = new Set(["note.create", "note.edit", "note.delete", "vote.add", "vote.remove",
  "agreement.create", "agreement.update", "agreement.delete", "agreement.sign",
  "agreement.unsign", "theme.choose", "note.hide", "note.unhide", "theme.cap", "message.send"]);

/**
 * How long to wait before connecting again after the server refused the connection (Socket.IO
 * does not retry a refusal by itself): a busy server (rate_limited, or server_error when its
 * database connections were all taken during a reconnect storm) is tried again with a growing,
 * random delay; a page that may not come in (unauthorised, forbidden) is not. null: no retry
 * (also for a connection that failed on the way, which Socket.IO retries itself).
 */
export function refusalRetryDelay(data, attempt, random = Math.random) {
  if (!data || !data.error || data.error === "unauthorised" || data.error === "forbidden") {
    return null;
  }
  const base = Math.min(2000 * 2 ** Math.min(attempt, 3), 15000);
  return base + random() * base;
}

/**
 * Reconnecting after the connection dropped (a server restarting, a worker upgraded, the
 * Wi-Fi gone): Socket.IO waits 0.5 s, then doubles the wait, each randomised by half so that a
 * room of phones does not come back in one wave. The longest wait stays short (1 s), so that a
 * phone is back within about a second of the server (issue 21: a fresh snapshot within 5 s of
 * a restart); only after RECONNECT.patientAfter failed tries (an outage of a minute or more)
 * does it grow to RECONNECT.patientMax, to spare the phone's battery and the server.
 */
export const RECONNECT = { delay: 500, delayMax: 1000, patientAfter: 60, patientMax: 5000 };

/** The longest reconnect wait for the ``attempt``-th try in a row (1 = the first). */
export function reconnectDelayMax(attempt) {
  return attempt > RECONNECT.patientAfter ? RECONNECT.patientMax : RECONNECT.delayMax;
}

/** Texts from the page's <script type="application/json" id="i18n"> block. */
export function loadTexts(id = "i18n") {
  const el = document.getElementById(id);
  try {
    return el ? JSON.parse(el.textContent) : {};
  } catch (_e) {
    return {};
  }
}

/** t("go_to_table", {n: 4}) -> "Ga naar tafel 4"; t.n(2, "dots_one", "dots_other"). */
export function translator(texts) {
  const t = (key, params) => {
    let text = texts[key] !== undefined ? String(texts[key]) : key;
    for (const [name, value] of Object.entries(params || {})) {
      text = text.split(`{${name}}`).join(String(value));
    }
    return text;
  };
  t.n = (n, one, other, params) => t(Number(n) === 1 ? one : other, { n, ...(params || {}) });
  return t;
}

export class Live {
  /**
   * @param {object} options
   * @param {HTMLElement} options.root   element with data-meetup (and data-as)
   * @param {string} options.as          "participant" | "organiser" | "projector"
   * @param {Function} options.render    called (coalesced) whenever the state changed
   * @param {Function} [options.onRefused] called with err.data when the server refuses us
   */
  constructor({ root, as, render, onRefused, scope }) {
    this.root = root;
    this.as = as;
    this.meetupId = Number(root.dataset.meetup);
    this.texts = loadTexts();
    this.t = translator(this.texts);
    this.state = new LiveState();
    this.clock = new Clock();
    this.outbox = new Outbox(this.meetupId, scope);
    this.drafts = new Drafts(this.meetupId, scope);
    this.kept = new Kept(this.meetupId, scope);
    this.sender = new Sender({
      outbox: this.outbox,
      emit: (event, payload, answer) => this.socket.emit(event, payload, answer),
      canSend: () => Boolean(this.socket && this.socket.connected && this.state.ready &&
        navigator.onLine !== false),
      onAnswer: (item, ack) => this.acknowledged(item, ack),
      onSlow: (slow) => this.setSlow(slow),
    });
    this.syncing = null; // the connection a sync request is waiting on
    this.renderFn = render;
    this.onRefused = onRefused;
    this.waiting = new Map(); // op -> resolve, for writes made by this page load
    this.connection = "connecting";
    this.statusEl = document.getElementById("connection-status");
    this.alertEl = document.getElementById("live-alert");
    this.renderQueued = false;
    this.resyncTimer = null;
    this.socket = null;
    this.recent = []; // broadcasts of this connection, re-applied over a snapshot they overtook
  }

  get data() {
    return this.state.data;
  }

  start() {
    const socket = io({
      auth: { meetup: this.meetupId, as: this.as },
      // Websocket first (one connection: any worker may take it), long-polling if blocked.
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnectionDelay: RECONNECT.delay,
      reconnectionDelayMax: RECONNECT.delayMax,
    });
    this.socket = socket;
    if (socket.io && typeof socket.io.on === "function") {
      socket.io.on("reconnect_attempt", (attempt) => {
        socket.io.reconnectionDelayMax(reconnectDelayMax(attempt));
      });
      socket.io.on("reconnect", () => socket.io.reconnectionDelayMax(RECONNECT.delayMax));
    }
    socket.on("snapshot", (snapshot) => this.applySnapshot(snapshot));
    socket.on("connect", () => { this.refusals = 0; });
    socket.on("disconnect", () => {
      this.recent = [];
      this.sender.disconnected();
      this.syncing = null;
      this.setConnection(navigator.onLine === false ? "offline" : "reconnecting");
    });
    socket.on("connect_error", (err) => this.connectError(err));
    socket.on("resync", () => this.scheduleResync());
    for (const name of BROADCASTS) {
      socket.on(name, (payload) => this.broadcast(name, payload));
    }
    window.addEventListener("offline", () => this.setConnection("offline"));
    window.addEventListener("online", () => {
      if (this.socket.connected) this.sync();
      else this.setConnection("reconnecting");
    });
    this.setConnection("connecting");
    return this;
  }

  // --- connection status -------------------------------------------------------------------

  setConnection(kind) {
    this.connection = kind;
    if (!this.statusEl) return;
    const texts = {
      connecting: this.t("connecting"),
      connected: this.t("connected"),
      reconnecting: this.t("reconnecting"),
      offline: this.t("offline"),
    };
    let text = texts[kind] || kind;
    if (kind === "connected" && this.sender.slow) text = this.t("slow");
    this.statusEl.dataset.state = kind;
    this.statusEl.dataset.slow = kind === "connected" && this.sender.slow ? "true" : "false";
    const label = this.statusEl.querySelector("[data-status-text]") || this.statusEl;
    if (label.textContent !== text) label.textContent = text;
  }

  /** Writes wait long for their answers (a full room): say so, nothing is lost. */
  setSlow(_slow) {
    if (this.connection === "connected") this.setConnection("connected");
  }

  connectError(err) {
    const data = err && err.data;
    if (data && (data.error === "unauthorised" || data.error === "forbidden")) {
      this.setConnection("refused");
      if (this.statusEl) {
        const label = this.statusEl.querySelector("[data-status-text]") || this.statusEl;
        label.textContent = data.message || this.t("refused");
      }
      if (this.onRefused) this.onRefused(data);
      return;
    }
    this.setConnection(navigator.onLine === false ? "offline" : "reconnecting");
    const delay = refusalRetryDelay(data, this.refusals || 0);
    if (delay !== null) {
      this.refusals = (this.refusals || 0) + 1;
      window.clearTimeout(this.refusalTimer);
      this.refusalTimer = window.setTimeout(() => {
        if (!this.socket.connected) this.socket.connect();
      }, delay);
    }
  }

  /** Show a message (an error in Dutch from the server) in the page's alert region. */
  alert(message) {
    if (!this.alertEl || !message) return;
    // Emptied first, so that a repeated message is announced again by screen readers.
    this.alertEl.textContent = "";
    window.setTimeout(() => {
      this.alertEl.textContent = message;
    }, 30);
    window.clearTimeout(this.alertTimer);
    this.alertTimer = window.setTimeout(() => {
      this.alertEl.textContent = "";
    }, 10000);
  }

  // --- state -------------------------------------------------------------------------------

  applySnapshot(snapshot) {
    if (!snapshot || typeof snapshot !== "object") return;
    this.clock.sync(snapshot.server_now || (snapshot.meetup && snapshot.meetup.timer &&
      snapshot.meetup.timer.server_now));
    this.state.snapshot(snapshot);
    // A broadcast newer than this snapshot may have arrived before it (sent while the server
    // was reading it): keep it.
    for (const [name, payload] of this.recent) {
      if (Number(payload.seq) > this.state.base) this.state.apply(name, payload);
    }
    for (const item of this.outbox.list()) optimistic(this.state, item);
    this.setConnection(navigator.onLine === false ? "offline" : "connected");
    this.render();
    // Send what is still waiting (a write in flight on this connection is not sent twice).
    this.pump();
  }

  broadcast(name, payload) {
    if (!payload) return;
    this.recent.push([name, payload]);
    if (this.recent.length > 200) this.recent.shift();
    const timer = payload.timer;
    if (timer && timer.server_now) this.clock.sync(timer.server_now);
    if (this.state.apply(name, payload)) this.render();
    // The organiser and the projector are few: a new phase brings them a full, fresh picture
    // (e.g. the list of final agreements for the plenary).
    if (name === "phase" && this.as !== "participant") this.sync();
  }

  render() {
    if (this.renderQueued) return;
    this.renderQueued = true;
    queueMicrotask(() => {
      this.renderQueued = false;
      if (this.state.ready && this.renderFn) this.renderFn(this);
    });
  }

  scheduleResync() {
    if (this.resyncTimer) return;
    this.resyncTimer = window.setTimeout(() => {
      this.resyncTimer = null;
      this.sync();
    }, Math.floor(Math.random() * 2000));
  }

  /** Ask for a fresh snapshot (and re-join the right rooms). */
  sync() {
    if (!this.socket || !this.socket.connected) return;
    const connection = this.sender.connection;
    if (this.syncing === connection) return; // one request at a time; its answer may be late
    this.syncing = connection;
    this.socket.emit("sync", {}, (ack) => {
      if (this.syncing === connection) this.syncing = null;
      if (ack && ack.ok && ack.snapshot) this.applySnapshot(ack.snapshot);
    });
  }

  // --- writes ------------------------------------------------------------------------------

  /**
   * Queue a write: stored, shown at once, sent when connected, resent until acknowledged.
   * Returns a promise of the acknowledgement ({ok: true, ...} or {ok: false, error, message}).
   * Options: draft (the draft key this write empties), sent (the field was cleared),
   * quiet (the caller shows errors itself).
   */
  send(event, payload = {}, { draft = null, sent = false, quiet = false } = {}) {
    const item = this.outbox.add(event, { ...payload, op: uuid4() });
    item.quiet = quiet;
    if (draft) this.drafts.sending(draft, item.op, { sent });
    optimistic(this.state, item);
    this.render();
    const promise = new Promise((resolve) => this.waiting.set(item.op, { resolve, quiet }));
    this.pump();
    return promise;
  }

  pump() {
    this.sender.pump();
  }

  /** The answer to a write (the sender already took it out of the outbox). */
  acknowledged(item, ack) {
    const waiter = this.waiting.get(item.op);
    this.waiting.delete(item.op);
    if (ack.ok) {
      this.drafts.acknowledged(item.op);
      this.state.acknowledge(item, ack);
    } else {
      const keys = this.drafts.refused(item.op);
      // Typed text stays on the phone with the reason, until the person discards it.
      if (this.kept.refused(item, ack)) {
        for (const key of keys) this.drafts.clear(key);
      } else if (!(waiter && waiter.quiet)) {
        this.alert(ack.message || this.t("error"));
      }
      if (OPTIMISTIC.has(item.event)) this.sync();
    }
    this.render();
    if (waiter) waiter.resolve(ack);
  }

  /** Writes of `event` still waiting for their acknowledgement. */
  pending(event) {
    return this.outbox.list(event);
  }
}

/** Start the live connection for a page; see Live for the options. */
export function connectLive(options) {
  return new Live(options).start();
}
