"""The brainstorm board of a table: notes per round, dot voting and the organiser's moderation.

Rules (the participant's own table only):

- Notes are written in the three round phases: on the current round's question and on the
  earlier rounds' questions (an idea for "what already happens?" may still come up in round
  3), never on a question that has not been asked yet. Authors edit and delete their own
  notes in the round phases; from the voting phase on the board is frozen for writing.
- Dots are placed in the voting phase only, on visible notes of the own table (own notes
  included), several on one note if wanted, ``meetup.votes_per_person`` in total. Dots on a
  note the organiser hides come back to their owners.
- The organiser hides and unhides notes in any phase; that is audited with the note's text.

Creating a note and adding a dot are idempotent by the UUID the phone generated.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from meetup.config import NOTE_MAX_LENGTH
from meetup.models import AuditEntry, Meetup, Note, Organiser, Participant, Phase, Round, Vote
from meetup.models.types import utcnow
from meetup.services import operations
from meetup.services.errors import Conflict, Forbidden, InvalidInput, NotFound, WrongPhase
from meetup.services.phases import ROUND_OF_PHASE, check_organiser

ROUND_PHASES = tuple(ROUND_OF_PHASE)
ROUND_ORDER = list(Round)


def parse_uuid(value: uuid.UUID | str, field: str) -> uuid.UUID:
    try:
        return operations.as_uuid(value)
    except ValueError:
        raise InvalidInput(field=field) from None


def parse_round(value: Round | str) -> Round:
    try:
        return Round(value)
    except ValueError:
        raise InvalidInput(_l("This question does not exist."), field="round") from None


def _seated(participant: Participant) -> int:
    return seated_at(participant.table_id)


def seated_at(table_id: int | None) -> int:
    """``table_id``, or Conflict for someone without a table."""
    if table_id is None:
        raise Conflict(_l("You do not have a table yet."))
    return table_id


def _clean_text(text: str) -> str:
    if not isinstance(text, str):
        raise InvalidInput(field="text")
    text = text.strip()
    if not text:
        raise InvalidInput(_l("Write something first."), field="text")
    if len(text) > NOTE_MAX_LENGTH:
        raise InvalidInput(_l("A note can have at most %(n)s characters.", n=NOTE_MAX_LENGTH),
                           field="text")
    return text


def _in_round_phase(meetup: Meetup) -> None:
    if meetup.phase not in ROUND_PHASES:
        raise WrongPhase(_l("Notes can only be written during the rounds."))


def find_note(session: Session, meetup_id: int, note_uuid: uuid.UUID | str) -> Note:
    """The note with this UUID in this meetup, or NotFound."""
    note = session.scalar(select(Note).where(Note.uuid == parse_uuid(note_uuid, "note")))
    if note is None or note.meetup_id != meetup_id:
        raise NotFound(_l("This note does not exist (any more)."), field="note")
    return note


def _own_table_note(session: Session, participant: Participant, note_uuid: uuid.UUID | str,
                    *, author_only: bool) -> Note:
    note = find_note(session, participant.meetup_id, note_uuid)
    table_id = _seated(participant)
    if note.table_id != table_id:
        raise Forbidden(_l("This note belongs to another table."))
    if author_only and note.author_id != participant.id:
        raise Forbidden(_l("You can only change your own notes."))
    return note


def create_note(
    session: Session,
    participant: Participant,
    note_uuid: uuid.UUID | str,
    round: Round | str,
    text: str,
) -> Note:
    """Write a note at the own table. The same UUID again returns the stored note unchanged."""
    note_uuid = parse_uuid(note_uuid, "note")
    existing = session.scalar(select(Note).where(Note.uuid == note_uuid))
    if existing is not None:
        if existing.author_id != participant.id:
            raise Conflict(field="note")
        return existing
    table_id = _seated(participant)
    meetup = participant.meetup
    question, text = check_new_note(meetup, round, text)
    operations.bump(session, meetup)
    note = Note(uuid=note_uuid, meetup_id=meetup.id, table_id=table_id,
                author_id=participant.id, round=question, text=text)
    session.add(note)
    session.flush()
    return note


def check_new_note(meetup: Meetup, round: Round | str, text: str) -> tuple[Round, str]:
    """The rules of a new note at a seated person's table: the question asked (now or in an
    earlier round) and the cleaned text; a DomainError otherwise."""
    _in_round_phase(meetup)
    question = parse_round(round)
    if ROUND_ORDER.index(question) > ROUND_ORDER.index(ROUND_OF_PHASE[meetup.phase]):
        raise WrongPhase(_l("This question has not been asked yet."), field="round")
    return question, _clean_text(text)


def edit_note(
    session: Session, participant: Participant, note_uuid: uuid.UUID | str, text: str
) -> Note:
    """Change the text of an own, visible note during the rounds."""
    note = _own_table_note(session, participant, note_uuid, author_only=True)
    if not note.visible:
        raise NotFound(_l("This note does not exist (any more)."), field="note")
    _in_round_phase(participant.meetup)
    text = _clean_text(text)
    if text != note.text:
        operations.bump(session, participant.meetup)
        note.text = text
        session.flush()
    return note


def delete_note(session: Session, participant: Participant, note_uuid: uuid.UUID | str) -> Note:
    """Remove an own note (kept, marked deleted, so that a resent create cannot revive it)."""
    note = _own_table_note(session, participant, note_uuid, author_only=True)
    if note.deleted_at is not None:
        return note
    _in_round_phase(participant.meetup)
    operations.bump(session, participant.meetup)
    note.deleted_at = utcnow()
    session.flush()
    return note


def votes_left(session: Session, participant: Participant) -> int:
    """Dots the participant can still place; dots on hidden or deleted notes come back."""
    used = session.scalar(
        select(func.count(Vote.id)).join(Note, Vote.note_id == Note.id)
        .where(Vote.participant_id == participant.id, Note.hidden.is_(False),
               Note.deleted_at.is_(None))
    ) or 0
    return max(0, participant.meetup.votes_per_person - used)


def votes_used(session: Session, meetup: Meetup) -> dict[int, int]:
    """Dots in use per participant of the meetup (as :func:`votes_left` counts them)."""
    return dict(session.execute(
        select(Vote.participant_id, func.count(Vote.id)).join(Note, Vote.note_id == Note.id)
        .where(Note.meetup_id == meetup.id, Note.hidden.is_(False), Note.deleted_at.is_(None))
        .group_by(Vote.participant_id)
    ).all())


def add_vote(
    session: Session,
    participant: Participant,
    vote_uuid: uuid.UUID | str,
    note_uuid: uuid.UUID | str,
) -> tuple[Note, int]:
    """Place one dot on a note of the own table; returns the note and the dots left."""
    vote_uuid = parse_uuid(vote_uuid, "vote")
    existing = session.scalar(select(Vote).where(Vote.uuid == vote_uuid))
    if existing is not None:
        if existing.participant_id != participant.id:
            raise Conflict(field="vote")
        return existing.note, votes_left(session, participant)
    meetup = participant.meetup
    if meetup.phase is not Phase.VOTING:
        raise WrongPhase(_l("Voting is not open."))
    note = _own_table_note(session, participant, note_uuid, author_only=False)
    if not note.visible:
        raise NotFound(_l("This note does not exist (any more)."), field="note")
    operations.bump(session, meetup)  # first: two tabs of one phone cannot both spend a dot
    left = votes_left(session, participant)
    if left <= 0:
        raise Conflict(_l("You have no dots left. Take one back from another note first."))
    session.add(Vote(uuid=vote_uuid, note_id=note.id, participant_id=participant.id))
    session.flush()
    return note, left - 1


def remove_vote(
    session: Session, participant: Participant, note_uuid: uuid.UUID | str
) -> tuple[Note, int]:
    """Take back one of the own dots on a note; nothing happens if there is none."""
    if participant.meetup.phase is not Phase.VOTING:
        raise WrongPhase(_l("Voting is not open."))
    note = _own_table_note(session, participant, note_uuid, author_only=False)
    vote = session.scalar(
        select(Vote).where(Vote.note_id == note.id, Vote.participant_id == participant.id)
        .order_by(Vote.id.desc()).limit(1)
    )
    if vote is not None:
        operations.bump(session, participant.meetup)
        session.delete(vote)
        session.flush()
    return note, votes_left(session, participant)


def set_hidden(
    session: Session,
    meetup: Meetup,
    note_uuid: uuid.UUID | str,
    hidden: bool,
    organiser: Organiser | None,
) -> Note:
    """The organiser hides a note from phones and projector (or shows it again); audited."""
    check_organiser(meetup, organiser)
    note = find_note(session, meetup.id, note_uuid)
    if note.hidden == bool(hidden):
        return note
    operations.bump(session, meetup)
    note.hidden = bool(hidden)
    note.hidden_at = utcnow() if hidden else None
    session.add(AuditEntry(
        meetup_id=meetup.id, organiser_id=organiser.id if organiser else None,
        participant_id=note.author_id, action="note.hide" if hidden else "note.unhide",
        details={"note": str(note.uuid), "table": note.table.number, "round": str(note.round),
                 "text": note.text,
                 "author": note.author.display_name if note.author else None},
    ))
    session.flush()
    if hidden:  # a group titled after this note must not keep showing its words
        from meetup.services import groupings

        groupings.retitle_without(session, note)
    return note


def note_votes(session: Session, note_ids: Iterable[int]) -> dict[int, int]:
    """Dots per note id (0 for notes without dots), in one query."""
    ids = list(note_ids)
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update(session.execute(
            select(Vote.note_id, func.count(Vote.id)).where(Vote.note_id.in_(ids))
            .group_by(Vote.note_id)
        ).all())
    return counts


def my_votes(session: Session, participant: Participant, note_ids: Iterable[int]) -> dict[int, int]:
    """The participant's own dots per note id (only notes with dots), in one query."""
    ids = list(note_ids)
    if not ids:
        return {}
    return dict(session.execute(
        select(Vote.note_id, func.count(Vote.id))
        .where(Vote.participant_id == participant.id, Vote.note_id.in_(ids))
        .group_by(Vote.note_id)
    ).all())


def voters_by_note(session: Session, note_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """Dots on these notes per voter: participant id -> note id -> n, in one query."""
    ids = list(note_ids)
    voters: dict[int, dict[int, int]] = {}
    if ids:
        for participant_id, note_id, n in session.execute(
            select(Vote.participant_id, Vote.note_id, func.count(Vote.id))
            .where(Vote.note_id.in_(ids)).group_by(Vote.participant_id, Vote.note_id)
        ):
            voters.setdefault(participant_id, {})[note_id] = n
    return voters


def voters_of(session: Session, note: Note) -> list[int]:
    """Ids of the participants with at least one dot on ``note`` (a handful at most)."""
    return list(session.scalars(
        select(Vote.participant_id).where(Vote.note_id == note.id).distinct()
        .order_by(Vote.participant_id)
    ))
