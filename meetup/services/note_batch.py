"""New notes in batches: the fast path of the busiest write (every phone sending a note).

:func:`meetup.services.board.create_note` stores one note through the ORM: about eight
statements (the participant, the op, the note's UUID, the revision, the note, the op's record)
and an ORM object per note. When many notes arrive together (the real-time writer runs them in
one transaction), :func:`create_notes` does the same work for all of them with a constant
number of statements: one read each of the participants, the ops and the note UUIDs already
stored, one ``UPDATE meetups SET revision = revision + n``, one ``executemany`` INSERT of the
notes and one of the ops. The rules are the same (:func:`board.check_new_note`); each write
keeps its own ``seq`` and its own error.

A write that is not simply new (its ``op`` or its note's UUID was seen before, or is repeated
within the batch) is not handled here: its result is ``None`` and the caller runs it the one
by one way, which answers replays and conflicts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from meetup.models import Meetup, Note, Operation, Participant, Table
from meetup.models.participant import first_name
from meetup.models.types import utcnow
from meetup.services import board, operations
from meetup.services.errors import DomainError, Unauthorised
from meetup.services.phases import iso


@dataclass
class NewNote:
    """One ``note.create`` as the phone sent it (already type-checked)."""

    participant_id: int
    op: uuid.UUID
    note: uuid.UUID
    round: str
    text: str


@dataclass
class CreatedNote:
    """A stored note: its ``seq``, its table and the note as broadcast (``mine`` false)."""

    seq: int
    table_id: int
    note: dict[str, Any]


Result = CreatedNote | DomainError | None

# Built once: building statements per batch costs time and leaves reference cycles (bound
# parameters) for the garbage collector.
_OPS_SEEN = select(Operation.uuid).where(Operation.uuid.in_(bindparam("ids", expanding=True)))
_NOTES_SEEN = select(Note.uuid).where(Note.uuid.in_(bindparam("ids", expanding=True)))
_PEOPLE = (select(Participant.id, Participant.meetup_id, Participant.table_id,
                  Participant.display_name, Table.number)
           .outerjoin(Table, Table.id == Participant.table_id)
           .where(Participant.id.in_(bindparam("ids", expanding=True))))
_INSERT_NOTES = insert(Note.__table__)


def create_notes(session: Session, meetup_id: int, writes: list[NewNote],
                 kind: str = "note.create") -> list[Result]:
    """Store the new notes of ``writes``; one result per write, in order (see the module)."""
    meetup = session.get(Meetup, meetup_id)
    if meetup is None:
        return [Unauthorised() for _ in writes]
    ops_seen = set(session.scalars(_OPS_SEEN, {"ids": [w.op for w in writes]}))
    notes_seen = set(session.scalars(_NOTES_SEEN, {"ids": [w.note for w in writes]}))
    people = {row.id: row for row in session.execute(
        _PEOPLE, {"ids": list({w.participant_id for w in writes})})}

    results: list[Result] = []
    accepted: list[tuple[int, NewNote, Any, Any]] = []  # (index, write, person, round)
    ops, notes = set(), set()
    for write in writes:
        if write.op in ops_seen or write.note in notes_seen or write.op in ops \
                or write.note in notes:
            results.append(None)  # a replay, a conflict or a twin: one by one
            continue
        ops.add(write.op)
        notes.add(write.note)
        person = people.get(write.participant_id)
        try:
            if person is None or person.meetup_id != meetup_id:
                raise Unauthorised()
            board.seated_at(person.table_id)
            question, text = board.check_new_note(meetup, write.round, write.text)
        except DomainError as error:
            results.append(error)
            continue
        results.append(None)
        accepted.append((len(results) - 1, write, person, question))
        write.text = text
    if not accepted:
        return results

    last = operations.bump(session, meetup, by=len(accepted))
    now = utcnow()
    note_rows, op_rows = [], []
    for n, (index, write, person, question) in enumerate(accepted):
        note_rows.append({"uuid": write.note, "meetup_id": meetup_id,
                          "table_id": person.table_id, "author_id": person.id,
                          "round": question, "text": write.text, "hidden": False,
                          "created_at": now, "updated_at": now})
        op_rows.append({"uuid": write.op, "meetup_id": meetup_id, "participant_id": person.id,
                        "kind": kind[:40], "created_at": now})
        results[index] = CreatedNote(
            seq=last - len(accepted) + 1 + n, table_id=person.table_id,
            note={"uuid": str(write.note), "table": person.number, "round": str(question),
                  "text": write.text, "author": first_name(person.display_name),
                  "author_id": person.id, "mine": False, "votes": 0, "my_votes": 0,
                  "hidden": False, "updated_at": iso(now)})
    session.execute(_INSERT_NOTES, note_rows)
    operations.record_many(session, op_rows)
    return results
