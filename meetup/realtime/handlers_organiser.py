"""Organiser write events: phases, the timer, messages, tables, moderation and plenary.

Only a socket that connected ``as: organiser`` with the meetup's owner in its cookie reaches
these; the projector window is read-only.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import lazy_gettext as _l

from meetup.models import Participant, Phase
from meetup.models.types import utcnow
from meetup.realtime import rooms
from meetup.realtime.context import Context
from meetup.realtime.emit import Outbox
from meetup.realtime.handlers import organiser_event
from meetup.realtime.payload import Payload
from meetup.realtime.table_rooms import reseat_participant
from meetup.services import (
    board,
    joining,
    meetups,
    phases,
    plenary,
    retrospective,
    snapshot,
    tables,
)
from meetup.services.errors import NotFound

PHASES = [p.value for p in Phase]
#: Longest countdown accepted on the wire (the service applies the real limit, 3 hours).
MAX_TIMER = 24 * 60 * 60


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _everyone(ctx: Context, event: str, payload: dict[str, Any]) -> None:
    ctx.outbox.add(event, payload, rooms.meetup_room(ctx.meetup.id))


# -- phase, timer, message ----------------------------------------------------------------


def _phase_payload(ctx: Context) -> dict[str, Any]:
    state = snapshot.meetup_state(ctx.meetup)
    return {key: state[key] for key in ("phase", "phase_changed_at", "timer", "round", "question")}


@organiser_event("phase.set", lambda p: {"phase": p.choice("phase", PHASES)},
                 replay=lambda ctx, **_: _phase_payload(ctx))
def phase_set(ctx: Context, phase: str) -> dict[str, Any]:
    phases.set_phase(ctx.session, ctx.meetup, Phase(phase), ctx.organiser)
    ctx.session.flush()
    payload = _phase_payload(ctx)
    _everyone(ctx, "phase", payload)
    if ctx.meetup.phase is Phase.PLENARY:
        # The projector opens the plenary on its first slide (phases.set_phase).
        # Every phone shows it too (an agreement: to sign on, "ik doe mee").
        _everyone(ctx, "plenary", plenary.state(ctx.session, ctx.meetup))
    if ctx.meetup.phase is Phase.RETROSPECTIVE:
        # The projector and the organiser open the Terugblik on its first agreement.
        ctx.outbox.add("retrospective", retrospective.state(ctx.session, ctx.meetup) or {},
                       rooms.projector_room(ctx.meetup.id), rooms.organiser_room(ctx.meetup.id))
    return payload


def _timer_payload(ctx: Context, **_: Any) -> dict[str, Any]:
    return {"timer": phases.timer_state(ctx.meetup)}


def _timer_event(name: str, action: Any, with_seconds: bool) -> None:
    def parse(p: Payload) -> dict[str, Any]:
        return {"seconds": p.integer("seconds", 1, MAX_TIMER)} if with_seconds else {}

    @organiser_event(name, parse, replay=_timer_payload)
    def handler(ctx: Context, **kwargs: Any) -> dict[str, Any]:
        action(ctx.session, ctx.meetup, *kwargs.values())
        ctx.session.flush()
        payload = _timer_payload(ctx)
        _everyone(ctx, "timer", payload)
        return payload


_timer_event("timer.set", phases.set_timer, True)
_timer_event("timer.extend", phases.extend_timer, True)
_timer_event("timer.pause", phases.pause_timer, False)
_timer_event("timer.resume", phases.resume_timer, False)
_timer_event("timer.clear", phases.clear_timer, False)


def _message_payload(ctx: Context, **_: Any) -> dict[str, Any]:
    return {"text": ctx.meetup.broadcast_message, "at": _iso(ctx.meetup.broadcast_at)}


@organiser_event("message.send", lambda p: {"text": p.text("text", 2000)},
                 replay=_message_payload)
def message_send(ctx: Context, text: str) -> dict[str, Any]:
    phases.send_message(ctx.session, ctx.meetup, text)
    ctx.session.flush()
    payload = _message_payload(ctx)
    _everyone(ctx, "message", payload)
    return payload


# -- tables -------------------------------------------------------------------------------


@organiser_event("tables.form")
def tables_form(ctx: Context) -> dict[str, Any]:
    """Seat everyone; every phone is told to ``sync`` (and so joins its table's room)."""
    formed = tables.form_tables(ctx.session, ctx.meetup, ctx.organiser)
    _everyone(ctx, "resync", {})
    ctx.counts()
    return {"tables": len(formed)}


def _parse_move(p: Payload) -> dict[str, Any]:
    return {"participant": p.integer("participant", 1, 2**31 - 1),
            "table": p.integer("table", 1, 10_000)}


@organiser_event("participant.move", _parse_move)
def participant_move(ctx: Context, participant: int, table: int) -> dict[str, Any]:
    person = ctx.session.get(Participant, participant)
    if person is None or person.meetup_id != ctx.meetup.id:
        raise NotFound(_l("This participant is not part of this meetup."), field="participant")
    old_table_id = person.table_id
    moved = tables.move_participant(ctx.session, ctx.meetup, participant, table, ctx.organiser)
    ctx.session.flush()
    new_table_id = moved.table_id
    ctx.outbox.after_commit(lambda: reseat_participant(participant, new_table_id))
    # The moved person's phones and both tables' members fetch the new state.
    targets = [rooms.participant_room(participant)]
    targets += [rooms.table_room(t) for t in (old_table_id, new_table_id) if t is not None]
    ctx.outbox.add("resync", {}, *targets)
    if new_table_id != old_table_id and moved.table is not None:
        # The moved person's phone says so, instead of silently changing the number.
        ctx.outbox.add("notice", {"kind": "moved", "table": moved.table.number,
                                  "at": phases.iso(utcnow())},
                       rooms.participant_room(participant))
    for table_id in {old_table_id, new_table_id} - {None}:
        ctx.overview(table_id)
    ctx.counts()  # a move to a table of another theme changes the theme counts
    return {"participant": participant, "table": moved.table.number if moved.table else None}


# -- moderation ---------------------------------------------------------------------------


def _note_hidden(ctx: Context, note: uuid.UUID, hidden: bool) -> dict[str, Any]:
    in_plenary = ctx.meetup.phase is Phase.PLENARY
    before = plenary.upcoming(ctx.session, ctx.meetup) if in_plenary else []
    shown = plenary.state(ctx.session, ctx.meetup) if in_plenary else None
    changed = board.set_hidden(ctx.session, ctx.meetup, note, hidden, ctx.organiser)
    ctx.session.flush()
    votes = int(board.note_votes(ctx.session, [changed.id]).get(changed.id, 0))
    data = snapshot.serialise_note(changed, votes)
    organiser = rooms.organiser_room(ctx.meetup.id)
    if hidden:
        # Gone from the table's phones and the projector; the organiser keeps seeing it, marked.
        ctx.outbox.add("note.removed", {"note": str(changed.uuid), "hidden": True},
                       rooms.table_room(changed.table_id), rooms.projector_room(ctx.meetup.id))
        ctx.outbox.add("note", {"note": data}, organiser)
        if changed.author_id is not None:
            # A neutral word to the author, so the note does not just vanish.
            ctx.outbox.add("notice", {"kind": "note_hidden"},
                           rooms.participant_room(changed.author_id))
    else:
        ctx.outbox.add("note", {"note": data}, rooms.table_room(changed.table_id), organiser)
    voters = board.voters_of(ctx.session, changed)
    if voters:
        # Dots on a hidden note come back (and go again when it is put back): the voters'
        # phones fetch their dots and notes at once.
        ctx.outbox.add("resync", {}, *(rooms.participant_room(v) for v in voters))
    if in_plenary:
        # A confirmed group on the projector may count (or list) this note.
        after = plenary.follow(ctx.session, ctx.meetup, before)
        if after != shown:
            _everyone(ctx, "plenary", after)
    ctx.overview(changed.table_id)
    ctx.counts()
    return {"note": data}


@organiser_event("note.hide", lambda p: {"note": p.uuid("note")})
def note_hide(ctx: Context, note: uuid.UUID) -> dict[str, Any]:
    return _note_hidden(ctx, note, True)


@organiser_event("note.unhide", lambda p: {"note": p.uuid("note")})
def note_unhide(ctx: Context, note: uuid.UUID) -> dict[str, Any]:
    return _note_hidden(ctx, note, False)


def _parse_cap(p: Payload) -> dict[str, Any]:
    return {"theme": p.key("theme"), "capacity": p.integer("capacity", 1, 10_000, nullable=True)}


@organiser_event("theme.cap", _parse_cap)
def theme_cap(ctx: Context, theme: str, capacity: int | None) -> dict[str, Any]:
    found = ctx.meetup.theme_by_key(theme)
    if found is None:
        raise NotFound(_l("This theme does not exist."), field="theme")
    meetups.update_theme(ctx.session, found, capacity=capacity)
    count = joining.theme_counts(ctx.session, ctx.meetup).get(found.id, 0)
    data = {"key": found.key, "capacity": found.capacity, "count": count,
            "full": found.capacity is not None and count >= found.capacity}
    # To every phone too: a full theme stops offering "kies dit thema" at once.
    _everyone(ctx, "theme", {"theme": data})
    ctx.counts()
    return {"theme": data}


# -- plenary ------------------------------------------------------------------------------


@organiser_event("plenary.show", lambda p: {"position": p.integer("position", 0, 100_000)})
def plenary_show(ctx: Context, position: int) -> dict[str, Any]:
    """Put a slide of the plenary (a confirmed group or a final agreement) on the projector."""
    shown = plenary.show(ctx.session, ctx.meetup, position)
    _everyone(ctx, "plenary", dict(shown))
    return dict(shown)


def plenary_changed(sender: Any, *, meetup_id: int, state: dict[str, Any], seq: int,
                    everyone: bool) -> None:
    """The organiser's groups page (HTTP) changed the plenary and committed: broadcast it."""
    outbox = Outbox()
    room = rooms.meetup_room(meetup_id) if everyone else rooms.organiser_room(meetup_id)
    outbox.add("plenary", state, room)
    outbox.flush(seq)


plenary.changed.connect(plenary_changed)
