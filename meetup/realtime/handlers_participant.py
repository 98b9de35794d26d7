"""Participant write events: theme choice, notes, votes and agreements (see docs/realtime.md).

Each handler calls one service, queues its broadcasts on ``ctx`` and returns the ack's result;
:func:`meetup.realtime.handlers.run_write` does the rest (identity, ``op``, commit, emit).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from meetup.models import Agreement, Note, Phase, Round
from meetup.models.types import utcnow
from meetup.realtime import rooms, writer
from meetup.realtime.context import Context
from meetup.realtime.emit import Outbox
from meetup.realtime.handlers import participant_event
from meetup.realtime.payload import Payload
from meetup.realtime.table_rooms import reseat_participant
from meetup.services import agreements, board, mail_consent, note_batch, phases, snapshot, tables
from meetup.services import plenary as plenary_service
from meetup.services.errors import DomainError

ROUNDS = [r.value for r in Round]


# -- theme --------------------------------------------------------------------------------


def _parse_theme(p: Payload) -> dict[str, Any]:
    return {"theme": p.key("theme")}


def _theme_state(ctx: Context, theme: str) -> dict[str, Any]:
    me = ctx.me
    return {"theme": me.theme.key if me.theme else None,
            "table": me.table.number if me.table else None}


@participant_event("theme.choose", _parse_theme, replay=_theme_state)
def theme_choose(ctx: Context, theme: str) -> dict[str, Any]:
    """Pick a theme; once tables exist, a late arrival is seated at once."""
    me = ctx.me
    previous_table = me.table_id
    chosen, table = tables.choose_theme_and_place(ctx.session, me, theme)
    if table is not None and table.id != previous_table:
        participant_id, table_id = me.id, table.id
        ctx.outbox.after_commit(lambda: reseat_participant(participant_id, table_id))
        # The newcomer's phones and the table's members (a new face) fetch the new state.
        ctx.outbox.add("resync", {}, rooms.participant_room(participant_id),
                       rooms.table_room(table_id))
        # The newcomer's phone says where to sit (a late arrival, after the tables formed).
        ctx.outbox.add("notice", {"kind": "seated", "table": table.number,
                                  "at": phases.iso(utcnow())},
                       rooms.participant_room(participant_id))
        ctx.overview(table)
    ctx.counts()
    return {"theme": chosen.key, "table": table.number if table is not None else None}


# -- notes --------------------------------------------------------------------------------


def _votes(ctx: Context, note: Note) -> int:
    return int(board.note_votes(ctx.session, [note.id]).get(note.id, 0))


def _my_votes(ctx: Context, note: Note) -> int:
    return int(board.my_votes(ctx.session, ctx.me, [note.id]).get(note.id, 0))


def note_for_me(ctx: Context, note: Note) -> dict[str, Any]:
    ctx.session.flush()
    return snapshot.serialise_note(note, _votes(ctx, note), viewer=ctx.me,
                                   my_votes=_my_votes(ctx, note))


def broadcast_note(ctx: Context, note: Note, votes: int | None = None) -> None:
    """``note`` (created or edited) to the note's table and the organiser."""
    ctx.session.flush()
    votes = _votes(ctx, note) if votes is None else votes
    ctx.to_table(note.table_id, "note", {"note": snapshot.serialise_note(note, votes)})


def _own_note(ctx: Context, note_uuid: uuid.UUID) -> Note | None:
    note = ctx.session.scalar(select(Note).where(Note.uuid == note_uuid))
    if note is None or note.meetup_id != ctx.meetup.id or note.table_id != ctx.me.table_id:
        return None
    return note


def _note_state(ctx: Context, note: uuid.UUID, **_: Any) -> dict[str, Any]:
    found = _own_note(ctx, note)
    return {"note": note_for_me(ctx, found)} if found is not None and found.visible else {}


def _parse_note_create(p: Payload) -> dict[str, Any]:
    return {"note": p.uuid("note"), "round_key": p.choice("round", ROUNDS), "text": p.text("text")}


def _parse_note_edit(p: Payload) -> dict[str, Any]:
    return {"note": p.uuid("note"), "text": p.text("text")}


def _parse_note(p: Payload) -> dict[str, Any]:
    return {"note": p.uuid("note")}


def _note_create_batch(session: Session, jobs: list[writer.Job]) -> list[writer.Job]:
    """Many ``note.create`` at once (the fast path, :mod:`meetup.services.note_batch`): the
    same acknowledgement and broadcasts as :func:`note_create`; returns the jobs it leaves to
    the one-by-one path (replays, conflicts)."""
    by_meetup: dict[int, list[writer.Job]] = {}
    for job in jobs:
        by_meetup.setdefault(job.data[0].meetup_id, []).append(job)
    slow: set[int] = set()
    for meetup_id, group in by_meetup.items():
        writes = [note_batch.NewNote(identity.participant_id, op, parsed["note"],
                                     parsed["round_key"], parsed["text"])
                  for identity, op, parsed in (job.data for job in group)]
        for job, result in zip(group, note_batch.create_notes(session, meetup_id, writes)):
            if result is None:
                slow.add(id(job))
            elif isinstance(result, DomainError):
                job.error = result
            else:
                outbox = Outbox()
                outbox.add("note", {"note": result.note}, rooms.table_room(result.table_id),
                           rooms.organiser_room(meetup_id))
                outbox.overview_soon(meetup_id, result.table_id)
                outbox.counts(meetup_id)
                ack = {"ok": True, "seq": result.seq, "note": {**result.note, "mine": True}}
                job.outcome = (ack, outbox, result.seq)
    return [job for job in jobs if id(job) in slow]


@participant_event("note.create", _parse_note_create, replay=_note_state,
                   batch=_note_create_batch)
def note_create(ctx: Context, note: uuid.UUID, round_key: str, text: str) -> dict[str, Any]:
    created = board.create_note(ctx.session, ctx.me, note, round_key, text)
    broadcast_note(ctx, created, votes=0)  # a new note has no dots yet
    ctx.overview_soon(created.table_id)
    ctx.counts()
    return {"note": snapshot.serialise_note(created, 0, viewer=ctx.me, my_votes=0)}


@participant_event("note.edit", _parse_note_edit, replay=_note_state)
def note_edit(ctx: Context, note: uuid.UUID, text: str) -> dict[str, Any]:
    edited = board.edit_note(ctx.session, ctx.me, note, text)
    broadcast_note(ctx, edited)
    return {"note": note_for_me(ctx, edited)}


@participant_event("note.delete", _parse_note)
def note_delete(ctx: Context, note: uuid.UUID) -> dict[str, Any]:
    deleted = board.delete_note(ctx.session, ctx.me, note)
    ctx.to_table(deleted.table_id, "note.removed", {"note": str(deleted.uuid)}, projector=True)
    ctx.overview_soon(deleted.table_id)
    ctx.counts()
    return {}


# -- votes --------------------------------------------------------------------------------


def _parse_vote_add(p: Payload) -> dict[str, Any]:
    return {"vote": p.uuid("vote"), "note": p.uuid("note")}


def _vote_state(ctx: Context, note: uuid.UUID, **_: Any) -> dict[str, Any]:
    state = _note_state(ctx, note)
    state["votes_left"] = board.votes_left(ctx.session, ctx.me)
    return state


def _votes_changed(ctx: Context, note: Note, votes_left: int) -> dict[str, Any]:
    ctx.session.flush()
    votes = _votes(ctx, note)
    ctx.to_table(note.table_id, "votes", {"note": str(note.uuid), "votes": votes})
    ctx.overview_soon(note.table_id)
    ctx.counts()  # the projector's top-voted notes (coalesced, once a second)
    return {"votes_left": votes_left,
            "note": snapshot.serialise_note(note, votes, viewer=ctx.me,
                                            my_votes=_my_votes(ctx, note))}


@participant_event("vote.add", _parse_vote_add, replay=_vote_state)
def vote_add(ctx: Context, vote: uuid.UUID, note: uuid.UUID) -> dict[str, Any]:
    voted, left = board.add_vote(ctx.session, ctx.me, vote, note)
    return _votes_changed(ctx, voted, left)


@participant_event("vote.remove", _parse_note, replay=_vote_state)
def vote_remove(ctx: Context, note: uuid.UUID) -> dict[str, Any]:
    unvoted, left = board.remove_vote(ctx.session, ctx.me, note)
    return _votes_changed(ctx, unvoted, left)


# -- agreements ---------------------------------------------------------------------------


def _parse_agreement(p: Payload) -> dict[str, Any]:
    return {"agreement": p.uuid("agreement")}


def _parse_agreement_update(p: Payload) -> dict[str, Any]:
    return {"agreement": p.uuid("agreement"), "fields": p.agreement_fields("fields")}


def _agreement_state(ctx: Context, agreement: uuid.UUID, **_: Any) -> dict[str, Any]:
    found = ctx.session.scalar(select(Agreement).where(Agreement.uuid == agreement))
    if found is None or found.meetup_id != ctx.meetup.id or found.deleted_at is not None \
            or found.table_id != ctx.me.table_id:  # only the sender's own table's agreements
        return {}
    return {"agreement": snapshot.serialise_agreement(found)}


def broadcast_agreement(ctx: Context, agreement: Any) -> dict[str, Any]:
    """``agreement`` to its table, the organiser and the projector; returns it serialised."""
    ctx.session.flush()
    data = snapshot.serialise_agreement(agreement)
    ctx.to_table(agreement.table_id, "agreement", {"agreement": data}, projector=True)
    for owner in snapshot.owners_at_table(ctx.session, agreement):
        # The private follow-up link goes to the owner's own phones only.
        ctx.outbox.add("followup", snapshot.followup_entry(agreement),
                       rooms.participant_room(owner.id))
    return data


def _agreement_event(name: str, service: Any, *, overview: bool = False,
                     plenary: bool = False) -> None:
    @participant_event(name, _parse_agreement, replay=_agreement_state)
    def handler(ctx: Context, agreement: uuid.UUID) -> dict[str, Any]:
        # During the plenary the list of final agreements changes: keep the shown one shown.
        in_plenary = plenary and ctx.meetup.phase is Phase.PLENARY
        before = plenary_service.upcoming(ctx.session, ctx.meetup) if in_plenary else []
        changed = service(ctx.session, ctx.me, agreement)
        data = broadcast_agreement(ctx, changed)
        if overview:
            ctx.overview(changed.table_id)
            ctx.counts()
        if in_plenary:
            # Everyone: the phones show the agreement on the projector too (sign on).
            ctx.outbox.add("plenary", plenary_service.follow(ctx.session, ctx.meetup, before),
                           rooms.meetup_room(ctx.meetup.id))
        return {"agreement": data}


_agreement_event("agreement.create", agreements.create_draft, overview=True)
_agreement_event("agreement.finalise", agreements.finalise, overview=True, plenary=True)
_agreement_event("agreement.reopen", agreements.reopen, overview=True, plenary=True)
_agreement_event("agreement.sign", agreements.sign)
_agreement_event("agreement.unsign", agreements.unsign)


@participant_event("agreement.update", _parse_agreement_update, replay=_agreement_state)
def agreement_update(ctx: Context, agreement: uuid.UUID, fields: dict[str, Any]) -> dict[str, Any]:
    changed = agreements.update_agreement(ctx.session, ctx.me, agreement, fields)
    return {"agreement": broadcast_agreement(ctx, changed)}


@participant_event("agreement.delete", _parse_agreement)
def agreement_delete(ctx: Context, agreement: uuid.UUID) -> dict[str, Any]:
    deleted = agreements.delete_draft(ctx.session, ctx.me, agreement)
    ctx.to_table(deleted.table_id, "agreement.removed", {"agreement": str(deleted.uuid)},
                 projector=True)
    ctx.overview(deleted.table_id)
    ctx.counts()
    return {}


# -- follow-up mail consent (issue 23) ------------------------------------------------------


def _parse_reminders(p: Payload) -> dict[str, Any]:
    return {"agreement": p.uuid("agreement") if p.data.get("agreement") is not None else None,
            "email": p.text("email", 254)}


def _parse_reminders_withdraw(p: Payload) -> dict[str, Any]:
    return {"agreement": p.uuid("agreement") if p.data.get("agreement") is not None else None}


def _reminders_state(ctx: Context, **_: Any) -> dict[str, Any]:
    return {"reminders": mail_consent.of_participant(ctx.session, ctx.me)}


def _reminders_changed(ctx: Context) -> dict[str, Any]:
    state = _reminders_state(ctx)
    # The person's other phones and tabs show it too (nobody else sees an address).
    ctx.outbox.add("reminders", state, rooms.participant_room(ctx.me.id))
    return state


@participant_event("reminders.consent", _parse_reminders, replay=_reminders_state)
def reminders_consent(ctx: Context, agreement: uuid.UUID | None, email: str) -> dict[str, Any]:
    """"Stuur mij herinneringen over deze afspraak" (an owner), or, without an agreement,
    "mail mij de afspraken waar ik aan meedoe"; the mails speak the page's language."""
    mail_consent.give(ctx.session, ctx.me, agreement, email, snapshot.current_locale())
    return _reminders_changed(ctx)


@participant_event("reminders.withdraw", _parse_reminders_withdraw, replay=_reminders_state)
def reminders_withdraw(ctx: Context, agreement: uuid.UUID | None) -> dict[str, Any]:
    mail_consent.withdraw(ctx.session, ctx.me, agreement)
    return _reminders_changed(ctx)
