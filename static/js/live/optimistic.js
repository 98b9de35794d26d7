// The optimistic side of the page's copy: what a write the server has not yet acknowledged
// will change, shown at once. Applied when the write is queued and again after every snapshot
// while it still waits in the outbox (see connection.js); the server's answer (a broadcast, an
// acknowledgement or a fresh snapshot, applied by state.js) then replaces it.

/**
 * The effect a write will have once the server accepts it, shown at once (and re-applied
 * after a snapshot while the write is still waiting in the outbox).
 */
export function optimistic(state, item) {
  const data = state.data;
  if (!data) return;
  const p = item.payload;
  const notes = data.notes || (data.notes = []);
  const agreements = data.agreements || (data.agreements = []);
  const note = (uuid) => notes.find((n) => n.uuid === uuid);
  const agreement = (uuid) => agreements.find((a) => a.uuid === uuid);
  switch (item.event) {
    case "note.create":
      if (!note(p.note)) {
        notes.push({ uuid: p.note, round: p.round, text: p.text, mine: true, pending: true,
          author: data.me ? data.me.first_name || (data.me.display_name || "").split(" ")[0] : "",
          author_id: state.meId(), votes: 0, my_votes: 0 });
      }
      break;
    case "note.edit": {
      const n = note(p.note);
      if (n) Object.assign(n, { text: p.text, pending: true });
      break;
    }
    case "note.delete":
      data.notes = notes.filter((n) => n.uuid !== p.note);
      break;
    case "vote.add": {
      const n = note(p.note);
      if (n && (data.votes_left === undefined || data.votes_left > 0)) {
        n.votes = (n.votes || 0) + 1;
        n.my_votes = (n.my_votes || 0) + 1;
        if (data.votes_left !== undefined) data.votes_left -= 1;
      }
      break;
    }
    case "vote.remove": {
      const n = note(p.note);
      if (n && n.my_votes > 0) {
        n.votes = Math.max(0, (n.votes || 0) - 1);
        n.my_votes -= 1;
        if (data.votes_left !== undefined) data.votes_left += 1;
      }
      break;
    }
    case "agreement.create":
      if (!agreement(p.agreement)) {
        agreements.push({ uuid: p.agreement, status: "draft", what: "", owner_name: "",
          owner_organisation: "", partners: [], first_step: "", due_date: null,
          success_measure: "", signed: 0, signers: [], missing: [], pending: true,
          table: data.table ? data.table.number : null, theme: data.me ? data.me.theme : null });
      }
      break;
    case "agreement.update": {
      const a = agreement(p.agreement);
      if (a) Object.assign(a, p.fields);
      break;
    }
    case "agreement.delete":
      data.agreements = agreements.filter((a) => a.uuid !== p.agreement);
      break;
    case "agreement.sign":
    case "agreement.unsign": {
      const list = new Set(data.commitments || []);
      const a = agreement(p.agreement);
      const signing = item.event === "agreement.sign";
      if (a && list.has(p.agreement) !== signing) a.signed = Math.max(0, (a.signed || 0) + (signing ? 1 : -1));
      if (signing) list.add(p.agreement);
      else list.delete(p.agreement);
      data.commitments = Array.from(list);
      break;
    }
    case "theme.choose":
      if (data.me && data.me.theme !== p.theme) {
        for (const theme of data.themes || []) {
          if (theme.key === data.me.theme) theme.count = Math.max(0, (theme.count || 0) - 1);
          if (theme.key === p.theme) theme.count = (theme.count || 0) + 1;
        }
        data.me.theme = p.theme;
      }
      break;
    case "message.send":
      data.meetup.message = p.text ? { text: p.text } : null;
      break;
    case "note.hide":
    case "note.unhide": {
      const n = note(p.note);
      if (n) n.hidden = item.event === "note.hide";
      break;
    }
    case "theme.cap": {
      const theme = (data.themes || []).find((th) => th.key === p.theme);
      if (theme) theme.capacity = p.capacity;
      break;
    }
    default:
      break;
  }
}
