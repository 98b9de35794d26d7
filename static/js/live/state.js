// The page's copy of the meetup: replaced by every snapshot, then kept current by broadcasts
// and acknowledgements. The optimistic effect of writes still in the outbox is optimistic.js.
//
// Ordering: every broadcast carries the seq that produced it. An event is applied only when its
// seq is newer than what we know of that entity (the snapshot's seq, or the entity's last event),
// so a late or repeated event never undoes a newer state.

import { acknowledgeRetrospective, applyRetrospective } from "./retrospective.js";

export class LiveState {
  constructor() {
    this.data = null;
    this.seen = new Map(); // entity key -> seq last applied
    this.base = 0; // seq of the last snapshot
  }

  get ready() {
    return this.data !== null;
  }

  snapshot(snapshot) {
    this.data = normalise(snapshot);
    this.seen = new Map();
    this.base = Number(snapshot.seq) || 0;
  }

  /** True when an event with `seq` about `key` is newer than what we have; records it. */
  fresh(key, seq) {
    if (seq === undefined || seq === null) return true;
    const known = Math.max(this.base, this.seen.get(key) || 0);
    if (Number(seq) <= known) return false;
    this.seen.set(key, Number(seq));
    return true;
  }

  meId() {
    return this.data && this.data.me ? this.data.me.id : null;
  }

  // --- notes -------------------------------------------------------------------------------

  upsertNote(note, seq, { fromAck = false } = {}) {
    if (!note || !note.uuid || !this.data) return;
    if (!this.fresh(`note:${note.uuid}`, seq)) return;
    const notes = this.data.notes || (this.data.notes = []);
    const index = notes.findIndex((n) => n.uuid === note.uuid);
    const old = index >= 0 ? notes[index] : null;
    const merged = { ...note };
    const me = this.meId();
    if (!fromAck) {
      // Broadcasts are not personal: mine/my_votes are worked out here.
      if (me !== null && merged.author_id !== undefined) merged.mine = merged.author_id === me;
      else if (old) merged.mine = old.mine;
      merged.my_votes = old ? old.my_votes || 0 : 0;
    }
    if (old && old.table !== undefined && merged.table === undefined) merged.table = old.table;
    if (old && old.hidden !== undefined && merged.hidden === undefined) merged.hidden = old.hidden;
    delete merged.pending;
    if (index >= 0) notes[index] = merged;
    else notes.push(merged);
  }

  removeNote(uuid, seq, { hidden = false } = {}) {
    if (!this.data || !this.fresh(`note:${uuid}`, seq)) return;
    const notes = this.data.notes || [];
    const note = notes.find((n) => n.uuid === uuid);
    if (hidden && note && this.data.as === "organiser") {
      note.hidden = true; // the organiser keeps hidden notes, to put them back
      return;
    }
    this.data.notes = notes.filter((n) => n.uuid !== uuid);
  }

  setVotes(uuid, votes, seq) {
    if (!this.data || !this.fresh(`votes:${uuid}`, seq)) return;
    const note = (this.data.notes || []).find((n) => n.uuid === uuid);
    if (note) note.votes = votes;
  }

  // --- agreements --------------------------------------------------------------------------

  upsertAgreement(agreement, seq) {
    if (!agreement || !agreement.uuid || !this.data) return;
    if (!this.fresh(`agreement:${agreement.uuid}`, seq)) return;
    const list = this.data.agreements || (this.data.agreements = []);
    const index = list.findIndex((a) => a.uuid === agreement.uuid);
    const merged = { ...agreement };
    delete merged.pending;
    if (index >= 0) list[index] = merged;
    else list.push(merged);
    if (this.data.plenary && this.data.plenary.agreement &&
        this.data.plenary.agreement.uuid === agreement.uuid) {
      this.data.plenary.agreement = merged;
    }
  }

  removeAgreement(uuid, seq) {
    if (!this.data || !this.fresh(`agreement:${uuid}`, seq)) return;
    this.data.agreements = (this.data.agreements || []).filter((a) => a.uuid !== uuid);
  }

  // --- broadcasts --------------------------------------------------------------------------

  /** Apply a server broadcast; returns false when it was old news. */
  apply(event, p) {
    if (!this.data || !p) return false;
    const meetup = this.data.meetup || (this.data.meetup = {});
    switch (event) {
      case "note":
        this.upsertNote(p.note, p.seq);
        return true;
      case "note.removed":
        this.removeNote(typeof p.note === "object" ? p.note.uuid : p.note, p.seq,
          { hidden: Boolean(p.hidden) || (typeof p.note === "object" && p.note.hidden) });
        return true;
      case "votes":
        this.setVotes(p.note, p.votes, p.seq);
        return true;
      case "agreement":
        this.upsertAgreement(p.agreement, p.seq);
        return true;
      case "agreement.removed":
        this.removeAgreement(typeof p.agreement === "object" ? p.agreement.uuid : p.agreement, p.seq);
        return true;
      case "phase":
        if (!this.fresh("phase", p.seq)) return false;
        meetup.phase = p.phase;
        if (p.phase_changed_at) meetup.phase_changed_at = p.phase_changed_at;
        if (p.timer !== undefined) {
          this.seen.set("timer", Math.max(this.seen.get("timer") || 0, Number(p.seq) || 0));
          meetup.timer = p.timer;
        }
        return true;
      case "timer":
        if (!this.fresh("timer", p.seq)) return false;
        meetup.timer = p.timer;
        return true;
      case "message":
        if (!this.fresh("message", p.seq)) return false;
        meetup.message = p.text ? { text: p.text, at: p.at } : null;
        return true;
      case "counts":
        this.applyCounts(p);
        return true;
      case "plenary":
        if (!this.fresh("plenary", p.seq)) return false;
        this.data.plenary = plenaryOf(p);
        return true;
      case "overview":
        this.applyOverview(p.table, p.seq);
        return true;
      case "theme": {
        const changed = p.theme || {};
        const theme = (this.data.themes || []).find((th) => th.key === changed.key);
        if (theme) {
          Object.assign(theme, changed);
          theme.full = theme.capacity !== null && theme.capacity !== undefined && (theme.count || 0) >= theme.capacity;
        }
        return true;
      }
      case "followup": {
        const list = this.data.followups || (this.data.followups = []);
        const index = list.findIndex((f) => f.agreement === p.agreement);
        if (index >= 0) list[index] = p;
        else list.push(p);
        return true;
      }
      case "reminders":
        // This person's own consents to follow-up mail (from another of their phones).
        if (!Array.isArray(p.reminders) || !this.fresh("reminders", p.seq)) return false;
        this.data.reminders = p.reminders;
        return true;
      case "themes":
        if (Array.isArray(p.themes) && this.fresh("themes", p.seq)) this.data.themes = p.themes;
        return true;
      case "retrospective":
      case "retrospective.mine":
        return applyRetrospective(this, event, p);
      default:
        return false;
    }
  }

  applyCounts(counts) {
    this.data.counts = { ...(this.data.counts || {}), ...counts };
    const byTheme = counts.by_theme || {};
    for (const theme of this.data.themes || []) {
      if (byTheme[theme.key] !== undefined) {
        theme.count = byTheme[theme.key];
        if (theme.capacity !== null && theme.capacity !== undefined) {
          theme.full = theme.count >= theme.capacity;
        }
      }
    }
  }

  applyOverview(row, seq) {
    if (!row || row.number === undefined || !this.fresh(`table:${row.number}`, seq)) return;
    const tables = this.data.tables || (this.data.tables = []);
    const index = tables.findIndex((t) => t.number === row.number);
    if (index >= 0) tables[index] = { ...tables[index], ...row };
    else {
      tables.push(row);
      tables.sort((a, b) => a.number - b.number);
    }
  }

  // --- acknowledgements --------------------------------------------------------------------

  /** Apply what an ok acknowledgement returns (it is about the sender, so it is personal). */
  acknowledge(item, ack) {
    if (!this.data) return;
    const p = item.payload;
    if (ack.snapshot) {
      this.snapshot(ack.snapshot);
      return;
    }
    if (ack.note && typeof ack.note === "object") this.upsertNote(ack.note, ack.seq, { fromAck: true });
    if (ack.agreement && typeof ack.agreement === "object") this.upsertAgreement(ack.agreement, ack.seq);
    if (ack.votes_left !== undefined) this.data.votes_left = ack.votes_left;
    if (ack.plenary) this.data.plenary = ack.plenary;
    if (Array.isArray(ack.reminders) && this.fresh("reminders", ack.seq)) this.data.reminders = ack.reminders;
    if (Array.isArray(ack.tables) && ack.tables.length && typeof ack.tables[0] === "object") {
      this.data.tables = ack.tables;
    }
    const meetup = this.data.meetup || (this.data.meetup = {});
    switch (item.event) {
      case "phase.set":
        if (ack.phase && this.fresh("phase", ack.seq)) {
          meetup.phase = ack.phase;
          if (ack.phase_changed_at) meetup.phase_changed_at = ack.phase_changed_at;
          if (ack.timer) meetup.timer = ack.timer;
        }
        break;
      case "timer.set":
      case "timer.extend":
      case "timer.pause":
      case "timer.resume":
      case "timer.clear":
        if (ack.timer && this.fresh("timer", ack.seq)) meetup.timer = ack.timer;
        break;
      case "message.send":
        if (this.fresh("message", ack.seq)) meetup.message = ack.text ? { text: ack.text, at: ack.at } : null;
        break;
      case "plenary.show":
        if (ack.total !== undefined && this.fresh("plenary", ack.seq)) {
          this.data.plenary = plenaryOf(ack);
        }
        break;
      case "theme.cap":
        if (ack.theme && typeof ack.theme === "object") this.apply("theme", { seq: ack.seq, theme: ack.theme });
        break;
      case "note.delete":
        this.removeNote(p.note, ack.seq);
        break;
      case "agreement.delete":
        this.removeAgreement(p.agreement, ack.seq);
        break;
      case "theme.choose":
        if (this.data.me) {
          this.data.me.theme = typeof ack.theme === "object" && ack.theme ? ack.theme.key : (ack.theme || p.theme);
        }
        break;
      case "agreement.sign":
      case "agreement.unsign": {
        const list = new Set(this.data.commitments || []);
        if (item.event === "agreement.sign") list.add(p.agreement);
        else list.delete(p.agreement);
        this.data.commitments = Array.from(list);
        break;
      }
      case "retrospective.show":
      case "retrospective.update":
        acknowledgeRetrospective(this, item.event, ack);
        break;
      default:
        break;
    }
  }
}

/** The plenary as views use it, from a `plenary` broadcast or a `plenary.show` ack. */
export function plenaryOf(p) {
  return {
    position: p.position || 0, total: p.total || 0, kind: p.kind || (p.agreement ? "agreement" : null),
    group_count: p.group_count || 0, agreement_count: p.agreement_count ?? (p.total || 0),
    group: p.group || null, agreement: p.agreement || null,
  };
}

/** Fill in what an older or partial snapshot may lack, so views can rely on the shape. */
function normalise(snapshot) {
  const data = { ...snapshot };
  data.meetup = { ...(snapshot.meetup || {}) };
  const message = data.meetup.message;
  if (typeof message === "string") data.meetup.message = message ? { text: message } : null;
  data.themes = snapshot.themes || [];
  data.notes = (snapshot.notes || []).map((n) => ({ ...n }));
  data.agreements = (snapshot.agreements || []).map((a) => ({ ...a }));
  data.commitments = snapshot.commitments || [];
  data.tables = snapshot.tables || [];
  data.partners = snapshot.partners || [];
  return data;
}
