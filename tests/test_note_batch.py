"""Many new notes at once (the real-time writer's fast path): the same rules and answers as
one note at a time, each with its own seq, stored once."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import Meetup, Note, Operation, Participant, Phase, Round
from meetup.services import board, note_batch
from meetup.services.errors import Conflict, InvalidInput, Unauthorised, WrongPhase
from tests.test_board import seated


@pytest.fixture(autouse=True)
def _dutch_request(app):
    with app.test_request_context():
        yield


@pytest.fixture
def people(meetup, organiser) -> list[Participant]:
    people = seated(meetup, organiser)
    meetup.phase = Phase.ROUND_1
    db.session.commit()
    return people


def write(person: Participant, text: str = "Taalcafé", round: str = "happens",
          op: uuid.UUID | None = None, note: uuid.UUID | None = None) -> note_batch.NewNote:
    return note_batch.NewNote(person.id, op or uuid.uuid4(), note or uuid.uuid4(), round, text)


def stored(meetup: Meetup) -> list[Note]:
    return list(db.session.scalars(select(Note).where(Note.meetup_id == meetup.id)
                                   .order_by(Note.id)))


def test_a_batch_of_notes_is_stored_with_one_seq_each(people, meetup) -> None:
    start = meetup.revision
    writes = [write(people[0], "  Voorleesproject  "), write(people[1], "Taalcafé"),
              write(people[2], "Huiswerkklas", round="happens")]
    results = note_batch.create_notes(db.session, meetup.id, writes)
    db.session.commit()

    assert [r.seq for r in results] == [start + 1, start + 2, start + 3]
    assert meetup.revision == start + 3
    notes = stored(meetup)
    assert [n.text for n in notes] == ["Voorleesproject", "Taalcafé", "Huiswerkklas"]
    assert [n.author_id for n in notes] == [p.id for p in people[:3]]
    assert [n.table_id for n in notes] == [p.table_id for p in people[:3]]
    assert all(n.round is Round.HAPPENS and n.visible for n in notes)
    # Every op is remembered: a resent write is recognised as a replay.
    assert db.session.scalar(select(func.count()).select_from(Operation)) == 3
    # What the table mates receive: the note as one by one would broadcast it.
    first = results[0].note
    assert first["text"] == "Voorleesproject" and first["author"] == "Naam0"
    assert first["table"] == people[0].table.number and first["mine"] is False
    assert first["votes"] == 0 and first["hidden"] is False
    assert results[0].table_id == people[0].table_id


def test_a_refused_note_does_not_stop_the_others(people, meetup) -> None:
    start = meetup.revision
    results = note_batch.create_notes(db.session, meetup.id, [
        write(people[0], "   "),                      # empty
        write(people[1], "Te vroeg", round="missing"),  # not asked yet in round 1
        write(people[2], "Goed"),
        write(people[3], "x" * 281),                  # too long
    ])
    db.session.commit()
    assert isinstance(results[0], InvalidInput) and results[0].field == "text"
    assert isinstance(results[1], WrongPhase) and results[1].field == "round"
    assert results[2].seq == start + 1
    assert isinstance(results[3], InvalidInput)
    assert [n.text for n in stored(meetup)] == ["Goed"]


def test_outside_the_rounds_and_without_a_table_nothing_is_stored(people, meetup) -> None:
    meetup.phase = Phase.VOTING
    db.session.commit()
    assert isinstance(note_batch.create_notes(db.session, meetup.id, [write(people[0])])[0],
                      WrongPhase)
    meetup.phase = Phase.ROUND_1
    people[1].table_id = None
    db.session.commit()
    assert isinstance(note_batch.create_notes(db.session, meetup.id, [write(people[1])])[0],
                      Conflict)
    assert stored(meetup) == []


def test_someone_of_another_meetup_cannot_write_here(people, meetup, organiser) -> None:
    from meetup.services import meetups

    other = meetups.create_meetup(db.session, organiser, title="Elders")
    db.session.commit()
    result = note_batch.create_notes(db.session, other.id, [write(people[0])])
    assert isinstance(result[0], Unauthorised)
    assert stored(meetup) == [] and stored(other) == []


def test_replays_and_twins_are_left_to_the_one_by_one_path(people, meetup) -> None:
    """A resent op, a note UUID seen before, or the same write twice in one batch: not stored
    again here (the caller answers them one by one, as replays or conflicts)."""
    first = write(people[0], "Eerste")
    note_batch.create_notes(db.session, meetup.id, [first])
    db.session.commit()
    start = meetup.revision

    twin = write(people[1], "Tweeling")
    again = [write(people[0], "Eerste", op=first.op),               # the same op again
             write(people[1], "Andere tekst", note=first.note),      # a note UUID in use
             twin, write(people[1], "Tweeling", op=twin.op, note=twin.note)]  # twice in a batch
    results = note_batch.create_notes(db.session, meetup.id, again)
    db.session.commit()
    assert results[0] is None and results[1] is None and results[3] is None
    assert results[2].seq == start + 1
    assert [n.text for n in stored(meetup)] == ["Eerste", "Tweeling"]

    # The one-by-one path then answers them: the own note again, someone else's a conflict.
    assert board.create_note(db.session, people[0], first.note, "happens", "Eerste").text \
        == "Eerste"
    with pytest.raises(Conflict):
        board.create_note(db.session, people[1], first.note, "happens", "Andere tekst")
