"""The brainstorm board: notes per round, dots, moderation, and who may do what when."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import AuditEntry, Meetup, Note, Participant, Phase, Round, Vote
from meetup.services import board, joining, meetups, organisers, tables
from meetup.services.errors import Conflict, Forbidden, InvalidInput, NotFound, WrongPhase
from meetup.services.joining import JoinRequest


@pytest.fixture(autouse=True)
def _dutch_request(app):
    with app.test_request_context():
        yield


def seated(meetup: Meetup, organiser, n: int = 4, size: int = 2) -> list[Participant]:
    """``n`` people on theme taal at tables of ``size``: people 0 and 1 share table 1."""
    people = []
    for i in range(n):
        person, _ = joining.join(db.session, meetup,
                                 JoinRequest(f"Naam{i} Achternaam", "gemeente", f"Org {i}"))
        joining.choose_theme(db.session, person, "taal")
        people.append(person)
    meetup.table_size = size
    tables.form_tables(db.session, meetup, organiser)
    by_table: dict[int, list[Participant]] = {}
    for person in people:
        by_table.setdefault(person.table.number, []).append(person)
    return [p for number in sorted(by_table) for p in by_table[number]]


@pytest.fixture
def people(meetup, organiser) -> list[Participant]:
    people = seated(meetup, organiser)
    meetup.phase = Phase.ROUND_1
    db.session.commit()
    return people


def note(person: Participant, text: str = "Voorleesproject", round: str = "happens") -> Note:
    return board.create_note(db.session, person, uuid.uuid4(), round, text)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_note_is_written_at_the_own_table_and_bumps_once(people, meetup) -> None:
    start = meetup.revision
    written = note(people[0], "  Taalcafé in de bieb  ")
    assert written.text == "Taalcafé in de bieb"
    assert written.table_id == people[0].table_id and written.round is Round.HAPPENS
    assert meetup.revision == start + 1


def test_the_same_note_uuid_twice_stores_one_note(people, meetup) -> None:
    note_uuid = uuid.uuid4()
    first = board.create_note(db.session, people[0], note_uuid, "happens", "Eén keer")
    db.session.commit()
    revision = meetup.revision
    again = board.create_note(db.session, people[0], str(note_uuid), "happens", "Anders")
    assert again is first and again.text == "Eén keer"
    assert count(Note) == 1 and meetup.revision == revision
    board.delete_note(db.session, people[0], note_uuid)
    resent = board.create_note(db.session, people[0], note_uuid, "happens", "Eén keer")
    assert resent.deleted_at is not None and count(Note) == 1
    with pytest.raises(Conflict):
        board.create_note(db.session, people[1], note_uuid, "happens", "Kaping")


@pytest.mark.parametrize("text", ["", "   ", "x" * 281])
def test_note_text_must_be_1_to_280_characters(people, text) -> None:
    with pytest.raises(InvalidInput) as caught:
        note(people[0], text)
    assert caught.value.field == "text"
    assert str(caught.value.message) in ("Schrijf eerst iets op.",
                                         "Een notitie mag hoogstens 280 tekens hebben.")


def test_exactly_280_characters_fit(people) -> None:
    assert len(note(people[0], "é" * 280).text) == 280


def test_notes_only_in_rounds_and_only_on_questions_already_asked(people, meetup) -> None:
    with pytest.raises(WrongPhase):
        note(people[0], round="connect")
    meetup.phase = Phase.ROUND_2
    assert note(people[0], round="happens").round is Round.HAPPENS   # earlier question: fine
    assert note(people[0], round="connect").round is Round.CONNECT
    with pytest.raises(InvalidInput):
        note(people[0], round="later")
    for phase in (Phase.TABLES, Phase.VOTING, Phase.AGREEMENTS):
        meetup.phase = phase
        with pytest.raises(WrongPhase) as caught:
            note(people[0])
        assert str(caught.value.message) == "Notities schrijf je alleen tijdens de rondes."


def test_someone_without_a_table_cannot_write(meetup, people) -> None:
    loner, _ = joining.join(db.session, meetup, JoinRequest("Los", "gemeente", "X"))
    with pytest.raises(Conflict) as caught:
        note(loner)
    assert str(caught.value.message) == "Je hebt nog geen tafel."


def test_only_the_author_edits_and_deletes_a_note(people, meetup) -> None:
    mine = note(people[0])
    start = meetup.revision
    assert board.edit_note(db.session, people[0], mine.uuid, "Beter verwoord").text == \
        "Beter verwoord"
    assert board.edit_note(db.session, people[0], mine.uuid, "Beter verwoord ").text == \
        "Beter verwoord"
    assert meetup.revision == start + 1  # an edit that changes nothing is no write
    with pytest.raises(Forbidden):
        board.edit_note(db.session, people[1], mine.uuid, "Van mij nu")   # same table
    with pytest.raises(Forbidden):
        board.delete_note(db.session, people[2], mine.uuid)                # other table
    deleted = board.delete_note(db.session, people[0], mine.uuid)
    assert deleted.deleted_at is not None and count(Note) == 1
    assert board.delete_note(db.session, people[0], mine.uuid) is deleted  # again: no-op
    with pytest.raises(NotFound):
        board.edit_note(db.session, people[0], mine.uuid, "Terug?")


def test_notes_of_another_meetup_are_not_found(people, organiser) -> None:
    mine = note(people[0])
    other = meetups.create_meetup(db.session, organiser, title="Elders")
    stranger, _ = joining.join(db.session, other, JoinRequest("Vreemd", "gemeente", "Y"))
    with pytest.raises(NotFound):
        board.edit_note(db.session, stranger, mine.uuid, "Hack")
    with pytest.raises(NotFound):
        board.set_hidden(db.session, other, mine.uuid, True, organiser)


def test_dots_only_in_the_voting_phase_on_own_table_visible_notes(people, meetup) -> None:
    ours = note(people[0])
    theirs = note(people[2])
    with pytest.raises(WrongPhase):
        board.add_vote(db.session, people[1], uuid.uuid4(), ours.uuid)
    meetup.phase = Phase.VOTING
    with pytest.raises(Forbidden):
        board.add_vote(db.session, people[1], uuid.uuid4(), theirs.uuid)
    voted, left = board.add_vote(db.session, people[1], uuid.uuid4(), ours.uuid)
    assert voted is ours and left == 2
    assert board.add_vote(db.session, people[0], uuid.uuid4(), ours.uuid)[1] == 2  # own note ok
    assert board.note_votes(db.session, [ours.id, theirs.id]) == {ours.id: 2, theirs.id: 0}


def test_the_vote_budget_allows_several_dots_on_one_note_and_then_stops(people, meetup) -> None:
    ours = note(people[0])
    meetup.phase = Phase.VOTING
    start = meetup.revision
    lefts = [board.add_vote(db.session, people[1], uuid.uuid4(), ours.uuid)[1] for _ in range(3)]
    assert lefts == [2, 1, 0]
    assert meetup.revision == start + 3
    db.session.commit()
    with pytest.raises(Conflict) as caught:
        board.add_vote(db.session, people[1], uuid.uuid4(), ours.uuid)
    assert str(caught.value.message).startswith("Je stippen zijn op.")
    db.session.rollback()
    assert count(Vote) == 3
    note_back, left = board.remove_vote(db.session, people[1], ours.uuid)
    assert left == 1 and board.note_votes(db.session, [ours.id]) == {ours.id: 2}
    assert board.votes_left(db.session, people[1]) == 1


def test_the_same_vote_uuid_twice_places_one_dot(people, meetup) -> None:
    ours = note(people[0])
    meetup.phase = Phase.VOTING
    vote_uuid = uuid.uuid4()
    board.add_vote(db.session, people[1], vote_uuid, ours.uuid)
    revision = meetup.revision
    again, left = board.add_vote(db.session, people[1], vote_uuid, ours.uuid)
    assert again is ours and left == 2
    assert count(Vote) == 1 and meetup.revision == revision


def test_removing_a_dot_that_is_not_there_changes_nothing(people, meetup) -> None:
    ours = note(people[0])
    meetup.phase = Phase.VOTING
    revision = meetup.revision
    assert board.remove_vote(db.session, people[1], ours.uuid) == (ours, 3)
    assert meetup.revision == revision


def test_hiding_a_note_is_audited_and_gives_its_dots_back(people, meetup, organiser) -> None:
    rude = note(people[0], "Iets ongepasts")
    meetup.phase = Phase.VOTING
    board.add_vote(db.session, people[1], uuid.uuid4(), rude.uuid)
    start = meetup.revision
    hidden = board.set_hidden(db.session, meetup, rude.uuid, True, organiser)
    assert hidden.hidden and hidden.hidden_at is not None and not hidden.visible
    assert meetup.revision == start + 1
    assert board.votes_left(db.session, people[1]) == 3
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "note.hide"))
    assert entry.details["text"] == "Iets ongepasts" and entry.organiser_id == organiser.id
    assert entry.details["table"] == 1
    with pytest.raises(NotFound):
        board.add_vote(db.session, people[1], uuid.uuid4(), rude.uuid)
    meetup.phase = Phase.ROUND_1
    with pytest.raises(NotFound):
        board.edit_note(db.session, people[0], rude.uuid, "Netjes nu")
    board.set_hidden(db.session, meetup, rude.uuid, False, organiser)
    assert rude.visible and rude.hidden_at is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "note.unhide"))


def test_only_the_owner_organiser_hides_notes(people, meetup) -> None:
    rude = note(people[0])
    other = organisers.create_organiser(db.session, "bob@example.org", "long enough pw")
    with pytest.raises(Forbidden):
        board.set_hidden(db.session, meetup, rude.uuid, True, other)


def test_malformed_uuids_are_invalid_input(people) -> None:
    with pytest.raises(InvalidInput) as caught:
        board.create_note(db.session, people[0], "nope", "happens", "Tekst")
    assert caught.value.field == "note"
