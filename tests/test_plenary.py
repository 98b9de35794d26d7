"""The plenary's sequence: the confirmed groups per theme, then the final agreements; the
organiser steps through it; nothing unconfirmed is ever shown; the slide on the projector stays
when the sequence changes."""

from __future__ import annotations

import pytest

from meetup.extensions import db
from meetup.models import Phase
from meetup.services import agreements, board, groupings, plenary, snapshot
import uuid

from tests.test_groupings import PARENTS, READING, board_notes, taal  # noqa: F401 (fixture)
from tests.test_phases import _final_agreement


@pytest.fixture(autouse=True)
def _dutch_request(app):
    with app.test_request_context():
        yield


@pytest.fixture
def room(board_notes, meetup):
    """Six notes of theme taal at two tables, suggested into two groups (not confirmed yet),
    and two final agreements; the meetup in the plenary."""
    people, written = board_notes
    meetup.phase = Phase.AGREEMENTS
    _final_agreement(meetup, people[0], "Voorleesouders in groep 3")
    _final_agreement(meetup, people[2], "Taalcafé in de bieb")
    groupings.suggest(db.session, meetup, taal(meetup).id)
    meetup.phase = Phase.PLENARY
    db.session.commit()
    return people, written


def kinds(meetup) -> list[str]:
    return [s.kind for s in plenary.slides(db.session, meetup)]


def test_unconfirmed_groups_never_reach_the_projector(room, meetup) -> None:
    assert kinds(meetup) == ["agreement", "agreement"]
    shown = plenary.show(db.session, meetup, 0)
    assert shown["kind"] == "agreement" and shown["group"] is None
    assert shown["group_count"] == 0 and shown["agreement_count"] == 2
    for data in (snapshot.projector_snapshot(db.session, meetup),
                 snapshot.participant_snapshot(db.session, room[0][0])):
        assert data["plenary"]["kind"] == "agreement"
        assert "voorlezn" not in str(data["plenary"])


def test_confirmed_groups_come_first_with_counts_and_top_notes(room, meetup) -> None:
    people, written = room
    dotted = next(n for n in written if n.text == "voorlezn")
    meetup.phase = Phase.VOTING
    board.add_vote(db.session, people[1], uuid.uuid4(), dotted.uuid)
    meetup.phase = Phase.PLENARY
    groupings.confirm(db.session, meetup, taal(meetup).id)
    assert kinds(meetup) == ["group", "group", "agreement", "agreement"]
    first = plenary.show(db.session, meetup, 0)
    assert first["kind"] == "group" and first["agreement"] is None
    assert (first["total"], first["group_count"], first["agreement_count"]) == (4, 2, 2)
    group = first["group"]
    assert group["theme"] == "taal" and group["notes"] == 3 and group["tables"] == 2
    # The most-dotted note first; the groups span both tables.
    assert group["top_notes"][0] == {"text": "voorlezn", "dots": 1,
                                     "table": dotted.table.number}
    assert sorted(n["text"] for n in group["top_notes"]) == sorted(READING)
    assert group["more"] == 0 and group["title"] and group["dots"] == 1
    second = plenary.show(db.session, meetup, 1)["group"]
    assert sorted(n["text"] for n in second["top_notes"]) == sorted(PARENTS)
    # Stepping is bounded by the whole sequence.
    assert plenary.show(db.session, meetup, 2)["agreement"]["what"] == "Voorleesouders in groep 3"
    assert plenary.show(db.session, meetup, 99)["position"] == 3
    assert plenary.show(db.session, meetup, -4)["position"] == 0


def test_a_big_group_shows_its_most_dotted_notes_and_how_many_more(room, meetup) -> None:
    people, written = room
    theme_id = taal(meetup).id
    groupings.confirm(db.session, meetup, theme_id)
    [view] = groupings.views(db.session, meetup)
    ids = [n.id for g in view.groups for n in g.notes]
    groupings.merge(db.session, meetup, theme_id, view.groups[0].id,
                    [g.id for g in view.groups[1:]])
    groupings.confirm(db.session, meetup, theme_id)
    assert len(ids) == 6
    group = plenary.show(db.session, meetup, 0)["group"]
    assert group["notes"] == 6 and len(group["top_notes"]) == plenary.TOP_NOTES
    assert group["more"] == 6 - plenary.TOP_NOTES


def test_the_shown_agreement_stays_on_screen_when_groups_are_confirmed(room, meetup) -> None:
    plenary.show(db.session, meetup, 1)  # the second agreement
    before = plenary.slides(db.session, meetup)
    groupings.confirm(db.session, meetup, taal(meetup).id)
    after = plenary.after_grouping_edit(db.session, meetup, before)
    assert after["position"] == 3 and after["agreement"]["what"] == "Taalcafé in de bieb"


def test_an_edited_group_leaves_the_screen_and_the_next_slide_takes_its_place(room,
                                                                            meetup) -> None:
    theme_id = taal(meetup).id
    groupings.confirm(db.session, meetup, theme_id)
    shown = plenary.show(db.session, meetup, 1)  # the second group
    before = plenary.slides(db.session, meetup)
    revision = meetup.revision
    groupings.rename(db.session, meetup, theme_id, shown["group"]["id"], "Nieuwe titel")
    after = plenary.after_grouping_edit(db.session, meetup, before)
    # The rename withdrew the confirmation: no group left; the first agreement is next.
    assert after["kind"] == "agreement" and after["position"] == 0
    assert after["agreement"]["what"] == "Voorleesouders in groep 3"
    assert meetup.revision == revision + 1  # a write of its own, for seq and snapshots
    # Editing groups nobody confirmed changes nothing on screen: nothing to tell.
    before = plenary.slides(db.session, meetup)
    groupings.rename(db.session, meetup, theme_id, shown["group"]["id"], "Nog een titel")
    assert plenary.after_grouping_edit(db.session, meetup, before) is None


def test_a_group_whose_notes_were_all_hidden_is_left_out(room, meetup, organiser) -> None:
    people, written = room
    theme_id = taal(meetup).id
    groupings.confirm(db.session, meetup, theme_id)
    [view] = groupings.views(db.session, meetup)
    first = view.groups[0]
    by_id = {n.id: n for n in written}
    for n in first.notes:
        board.set_hidden(db.session, meetup, by_id[n.id].uuid, True, organiser)
    assert kinds(meetup) == ["group", "agreement", "agreement"]
    assert plenary.show(db.session, meetup, 0)["group"]["id"] == view.groups[1].id


def test_a_reopened_agreement_hands_its_place_to_the_next(room, meetup) -> None:
    people, _ = room
    groupings.confirm(db.session, meetup, taal(meetup).id)
    shown = plenary.show(db.session, meetup, 2)
    before = plenary.upcoming(db.session, meetup)
    agreements.reopen(db.session, people[0], uuid.UUID(shown["agreement"]["uuid"]))
    after = plenary.follow(db.session, meetup, before)
    assert after["position"] == 2 and after["agreement"]["what"] == "Taalcafé in de bieb"



def test_opening_the_plenary_starts_at_the_first_group_whatever_was_confirmed_when(
        room, meetup) -> None:
    """Issue 24, point 6: groups confirmed during Afspraken, while the organiser's panel already
    showed the first agreement, still come first when the plenary opens."""
    from meetup.services import phases

    meetup.phase = Phase.AGREEMENTS
    plenary.show(db.session, meetup, 1)  # stepped ahead before the plenary
    before = plenary.slides(db.session, meetup)
    groupings.confirm(db.session, meetup, taal(meetup).id)
    plenary.after_grouping_edit(db.session, meetup, before)
    phases.set_phase(db.session, meetup, Phase.PLENARY)
    opened = plenary.state(db.session, meetup)
    assert (opened["position"], opened["kind"], opened["group_count"]) == (0, "group", 2)
    # Stepping inside the plenary and choosing Plenair again keeps the slide.
    plenary.show(db.session, meetup, 2)
    phases.set_phase(db.session, meetup, Phase.PLENARY)
    assert plenary.state(db.session, meetup)["position"] == 2


def test_a_group_slide_never_shows_a_title_of_bare_stems(room, meetup) -> None:
    """Issue 24, point 7: confirmed without renaming, the group shows a note that stands for it;
    a title the organiser typed is shown as typed."""
    theme_id = taal(meetup).id
    [view] = groupings.views(db.session, meetup)
    reading = next(g for g in view.groups if "voorlezn" in [n.text for n in g.notes])
    groupings.rename(db.session, meetup, theme_id, reading.id, "Samen voorlezen")
    groupings.confirm(db.session, meetup, theme_id)
    from meetup.models.grouping import NoteGroup

    for group in db.session.scalars(db.select(NoteGroup)):
        if group.id != reading.id:
            group.title = "taal · ouders · school"  # as the suggestion titled it
    db.session.flush()
    titles = [plenary.show(db.session, meetup, i)["group"]["title"] for i in (0, 1)]
    assert "Samen voorlezen" in titles
    assert [t for t in titles if t != "Samen voorlezen"][0] in PARENTS
    for data in (snapshot.projector_snapshot(db.session, meetup),
                 snapshot.participant_snapshot(db.session, room[0][0])):
        assert "·" not in data["plenary"]["group"]["title"]
