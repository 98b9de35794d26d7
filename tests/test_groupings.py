"""The organiser's groupings: suggested from the room's notes, edited, confirmed; only a
confirmed grouping is what the projector and report get, and hidden notes never show."""

from __future__ import annotations

import uuid

import pytest

from meetup.extensions import db
from meetup.models import Phase, Round
from meetup.services import board, groupings
from meetup.services.errors import InvalidInput, NotFound, WrongPhase
from tests.test_board import note, seated

READING = ["Voorlezen in groep 3 door de bieb", "voorlezn", "voorleesouders op school"]
PARENTS = ["Taalcursus voor ouders op school", "taalcafe voor moeders", "ouderkamer met taalles"]


@pytest.fixture(autouse=True)
def _dutch_request(app):
    with app.test_request_context():
        yield


@pytest.fixture
def board_notes(meetup, organiser):
    """Six notes written at two tables of theme taal in round 1; then the voting phase."""
    people = seated(meetup, organiser, n=4, size=2)
    meetup.phase = Phase.ROUND_1
    written = [note(people[i % 4], text) for i, text in enumerate(READING + PARENTS)]
    meetup.phase = Phase.VOTING
    db.session.commit()
    return people, written


def taal(meetup):
    return next(t for t in meetup.themes if t.key == "taal")


def by_text(view):
    return [sorted(n.text for n in g.notes) for g in view.groups]


def test_suggested_groups_span_tables_and_wait_for_confirmation(board_notes, meetup) -> None:
    groupings.suggest(db.session, meetup, taal(meetup).id)
    db.session.commit()
    [view] = groupings.views(db.session, meetup)
    assert sorted(by_text(view)) == sorted([sorted(READING), sorted(PARENTS)])
    assert not view.confirmed and view.ungrouped == []
    assert all(len(g.tables) == 2 for g in view.groups)  # each group spans both tables
    assert groupings.views(db.session, meetup, confirmed_only=True) == []
    groupings.confirm(db.session, meetup, taal(meetup).id)
    [shown] = groupings.views(db.session, meetup, confirmed_only=True)
    assert sorted(by_text(shown)) == sorted(by_text(view))


def test_grouping_waits_for_the_frozen_board(meetup, organiser) -> None:
    seated(meetup, organiser)
    meetup.phase = Phase.ROUND_2
    with pytest.raises(WrongPhase):
        groupings.suggest(db.session, meetup, taal(meetup).id)


def test_moving_merging_splitting_and_renaming_withdraw_the_confirmation(board_notes,
                                                                         meetup) -> None:
    theme_id = taal(meetup).id
    groupings.suggest(db.session, meetup, theme_id)
    groupings.confirm(db.session, meetup, theme_id)
    [view] = groupings.views(db.session, meetup)
    reading = next(g for g in view.groups if "voorlezn" in [n.text for n in g.notes])
    parents = next(g for g in view.groups if g is not reading)
    cafe = next(n for n in parents.notes if n.text == "taalcafe voor moeders")

    groupings.move_notes(db.session, meetup, theme_id, [cafe.id], reading.id)
    [view] = groupings.views(db.session, meetup)
    assert not view.confirmed
    assert sorted(len(g.notes) for g in view.groups) == [2, 4]

    groupings.split(db.session, meetup, theme_id, reading.id, [cafe.id], "Taalcafé")
    [view] = groupings.views(db.session, meetup)
    assert [g.title for g in view.groups][1] == "Taalcafé"  # right after the group it left
    assert sorted(len(g.notes) for g in view.groups) == [1, 2, 3]

    groupings.merge(db.session, meetup, theme_id, parents.id, [view.groups[1].id])
    groupings.rename(db.session, meetup, theme_id, parents.id, "  Ouders   en taal ")
    [view] = groupings.views(db.session, meetup)
    assert sorted(by_text(view)) == sorted([sorted(READING), sorted(PARENTS)])
    assert "Ouders en taal" in [g.title for g in view.groups]

    groupings.move_notes(db.session, meetup, theme_id, [cafe.id], None)  # a group of its own
    [view] = groupings.views(db.session, meetup)
    assert len(view.groups) == 3 and not view.confirmed
    db.session.commit()


def test_bad_edits_are_refused_with_a_reason(board_notes, meetup) -> None:
    theme_id = taal(meetup).id
    with pytest.raises(NotFound):
        groupings.confirm(db.session, meetup, theme_id)  # nothing suggested yet
    groupings.suggest(db.session, meetup, theme_id)
    [view] = groupings.views(db.session, meetup)
    group = view.groups[0]
    with pytest.raises(InvalidInput):
        groupings.rename(db.session, meetup, theme_id, group.id, "   ")
    with pytest.raises(InvalidInput):
        groupings.rename(db.session, meetup, theme_id, group.id, "x" * 81)
    with pytest.raises(InvalidInput):  # splitting off every note is no split
        groupings.split(db.session, meetup, theme_id, group.id, [n.id for n in group.notes])
    with pytest.raises(InvalidInput):
        groupings.merge(db.session, meetup, theme_id, group.id, [group.id])
    with pytest.raises(NotFound):
        groupings.move_notes(db.session, meetup, theme_id, [10**9], group.id)
    with pytest.raises(NotFound):
        groupings.rename(db.session, meetup, theme_id, 10**9, "Titel")
    with pytest.raises(InvalidInput):
        groupings.parse_similarity("veel")


def test_a_note_hidden_after_grouping_disappears_and_new_notes_wait_ungrouped(
        board_notes, meetup, organiser) -> None:
    people, written = board_notes
    theme_id = taal(meetup).id
    groupings.suggest(db.session, meetup, theme_id)
    groupings.confirm(db.session, meetup, theme_id)
    board.set_hidden(db.session, meetup, written[1].uuid, True, organiser)
    meetup.phase = Phase.ROUND_3  # an organiser going back lets a late note in
    late = note(people[0], "Leesclub na school")
    meetup.phase = Phase.VOTING
    db.session.commit()
    [view] = groupings.views(db.session, meetup, confirmed_only=True)
    texts = [n.text for g in view.groups for n in g.notes]
    assert "voorlezn" not in texts
    assert [n.id for n in view.ungrouped] == [late.id]


def test_one_round_only_and_top_voted_notes_first(board_notes, meetup) -> None:
    people, _written = board_notes
    meetup.phase = Phase.ROUND_2
    other = note(people[1], "bibliotheek op school", round="connect")
    meetup.phase = Phase.VOTING
    board.add_vote(db.session, people[0], uuid.uuid4(), other.uuid)
    db.session.commit()
    groupings.suggest(db.session, meetup, taal(meetup).id, round_=Round.CONNECT)
    [view] = groupings.views(db.session, meetup)
    # One note of that round: no group of one is suggested, it waits to be placed by hand.
    assert view.groups == [] and [n.text for n in view.ungrouped] == ["bibliotheek op school"]
    assert view.ungrouped[0].dots == 1 and view.round is Round.CONNECT


def test_the_report_carries_confirmed_groups_only(board_notes, meetup, organiser) -> None:
    import json

    from meetup.reports.data import gather_report
    from meetup.reports.json_export import report_json

    people, written = board_notes
    theme_id = taal(meetup).id
    groupings.suggest(db.session, meetup, theme_id)
    db.session.commit()

    def taal_section():
        data = json.loads(report_json(gather_report(db.session, meetup)))
        return next(t for t in data["themes"] if t["key"] == "taal")

    assert taal_section()["groups"] == []  # suggested, not confirmed: not in the report
    groupings.confirm(db.session, meetup, theme_id)
    board.set_hidden(db.session, meetup, written[0].uuid, True, organiser)
    db.session.commit()
    groups = taal_section()["groups"]
    texts = sorted(n["text"] for g in groups for n in g["notes"])
    assert texts == sorted(t for t in READING + PARENTS if t != READING[0])
    assert all(g["title"] and g["tables"] == [1, 2] for g in groups)


def test_a_hidden_note_never_stays_on_screen_as_a_groups_title(board_notes, meetup,
                                                                organiser) -> None:
    _people, written = board_notes
    theme_id = taal(meetup).id
    groupings.suggest(db.session, meetup, theme_id)
    [view] = groupings.views(db.session, meetup)
    by_text = {n.text: n for n in written}
    titled = {g.id: next(n for n in g.notes if g.title.lower() == n.text.lower()
                         or g.title.lower() == n.text.lower().rstrip("!."))
              for g in view.groups}  # every suggested title is one of the group's notes
    first, source = next(iter(titled.items()))
    other = next(g for g in view.groups if g.id != first)
    groupings.rename(db.session, meetup, theme_id, other.id, "Ouders en taal")
    board.set_hidden(db.session, meetup, by_text[source.text].uuid, True, organiser)
    db.session.commit()
    [view] = groupings.views(db.session, meetup)
    group = next(g for g in view.groups if g.id == first)
    assert source.text.lower() not in group.title.lower()
    assert group.title.lower() in {n.text.lower() for n in group.notes}
    # A hidden member of the renamed group leaves the organiser's title alone.
    renamed = next(g for g in view.groups if g.id == other.id)
    board.set_hidden(db.session, meetup, by_text[renamed.notes[0].text].uuid, True, organiser)
    db.session.commit()
    [view] = groupings.views(db.session, meetup)
    assert next(g for g in view.groups if g.id == other.id).title == "Ouders en taal"
