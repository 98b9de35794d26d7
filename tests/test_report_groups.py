"""The report's theme sections use the groups the organiser confirmed (issue 15, point 4): the
group's title, how many notes from which tables and its notes with votes stand in for the
per-table notes of the rounds they cover; every note stays in the appendix, per table; the
JSON export carries the groups; notes stay anonymous."""

from __future__ import annotations

import json
import uuid

import pytest

from meetup.extensions import db
from meetup.models import Phase, Round
from meetup.reports.data import gather_report
from meetup.reports.json_export import report_json
from meetup.reports.pdf import build_report_pdf
from meetup.services import board, groupings
from meetup.services.group_titles import is_automatic, readable
from tests.report_factories import pdf_text
from tests.test_groupings import PARENTS, READING, board_notes, taal  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def _dutch_request(app):
    with app.test_request_context():
        yield


def _confirm(meetup, round_=None):  # type: ignore[no-untyped-def]
    theme_id = taal(meetup).id
    groupings.suggest(db.session, meetup, theme_id, round_=round_)
    groupings.confirm(db.session, meetup, theme_id)
    db.session.commit()
    [view] = groupings.views(db.session, meetup)
    return view


def _theme_html(client, meetup) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    html = client.get(f"/organiser/meetups/{meetup.id}/report/web").get_data(as_text=True)
    start = html.index('id="theme-1"')
    return html[start:html.index('id="theme-2"')], html[html.index('id="notes"'):]


def test_confirmed_groups_stand_in_for_the_per_table_notes(board_notes, meetup,
                                                          logged_in) -> None:
    people, written = board_notes
    board.add_vote(db.session, people[1], uuid.uuid4(), written[1].uuid)  # "voorlezn"
    view = _confirm(meetup)
    # An automatic title of bare terms is shown as the group's representative note (issue 24).
    titles = [readable(g.title, [(n.text, n.dots) for n in sorted(
        g.notes, key=lambda n: (-n.dots, n.id))]) for g in view.groups]
    assert not any(is_automatic(t) for t in titles)

    [section] = [t for t in gather_report(db.session, meetup).themes if t.key == "taal"]
    assert [g.title for g in section.groups] == titles and section.groups_round is None
    assert all(section.grouped(r) for r in ("happens", "connect", "missing"))
    reading = next(g for g in section.groups if "voorlezn" in [n.text for n in g.notes])
    assert reading.notes[0].text == "voorlezn" and reading.votes == 1  # most votes first

    text = pdf_text(build_report_pdf(gather_report(db.session, meetup)))
    assert "Wat de tafels samen vonden" in text
    assert all(title in text for title in titles)
    assert "3 notities van tafels 1, 2" in text
    assert "voorlezn (1 stem)" in text
    assert "Bijlage A: alle notities" in text  # every note, per table, stays
    assert "Naam0 Achternaam" not in text and "Naam0" not in text  # notes are anonymous

    theme, appendix = _theme_html(logged_in, meetup)
    assert "Wat de tafels samen vonden" in theme
    assert all(title in theme for title in titles)
    assert "Notities: 3 · Tafels: 1, 2" in theme
    assert "Tafel 1</h4>" not in theme  # the per-table lists are in the appendix only
    assert all(t in appendix for t in READING + PARENTS)
    assert "Naam0" not in theme + appendix

    data = json.loads(report_json(gather_report(db.session, meetup)))
    [exported] = [t for t in data["themes"] if t["key"] == "taal"]
    assert exported["groups_round"] is None
    assert sorted(g["note_count"] for g in exported["groups"]) == [3, 3]


def test_groups_of_one_round_leave_the_other_rounds_listed(board_notes, meetup,
                                                         logged_in) -> None:
    people, _ = board_notes
    meetup.phase = Phase.ROUND_2
    board.create_note(db.session, people[0], uuid.uuid4(), "connect", "Bieb en school samen")
    meetup.phase = Phase.VOTING
    _confirm(meetup, Round.HAPPENS)
    [section] = [t for t in gather_report(db.session, meetup).themes if t.key == "taal"]
    assert section.grouped("happens") and not section.grouped("connect")
    theme, _ = _theme_html(logged_in, meetup)
    assert "Wat de tafels samen vonden" in theme and "Bieb en school samen" in theme
    text = pdf_text(build_report_pdf(gather_report(db.session, meetup)))
    assert "De notities van de ronde" in text and "Bieb en school samen" in text


def test_without_confirmed_groups_the_sections_list_notes_per_table(board_notes, meetup,
                                                                   logged_in) -> None:
    groupings.suggest(db.session, meetup, taal(meetup).id)  # suggested, never confirmed
    db.session.commit()
    theme, _ = _theme_html(logged_in, meetup)
    assert "Wat de tafels samen vonden" not in theme and "Tafel 1</h4>" in theme
