"""The organiser's grouping page: suggest, edit and confirm groups through plain forms."""

from __future__ import annotations

import re

from meetup.extensions import db
from meetup.models import Phase
from meetup.models.grouping import Grouping
from tests.test_board import note, seated

NOTES = ["Voorlezen in groep 3 door de bieb", "voorlezn", "voorleesouders op school",
         "Taalcursus voor ouders op school", "taalcafe voor moeders", "ouderkamer met taalles"]


def _board(meetup, organiser, app):
    with app.test_request_context():
        people = seated(meetup, organiser, n=4, size=2)
        meetup.phase = Phase.ROUND_1
        for i, text in enumerate(NOTES):
            note(people[i % 4], text)
        meetup.phase = Phase.VOTING
        db.session.commit()
    return next(t for t in meetup.themes if t.key == "taal")


def _post(client, meetup, theme, **data):
    return client.post(f"/organiser/meetups/{meetup.id}/groups/{theme.id}", data=data,
                       follow_redirects=True)


def test_suggest_rename_and_confirm(logged_in, meetup, organiser, app) -> None:
    theme = _board(meetup, organiser, app)
    page = logged_in.get(f"/organiser/meetups/{meetup.id}/groups?theme={theme.id}")
    assert page.status_code == 200
    assert "Groepen voor de plenaire ronde" in page.get_data(as_text=True)
    assert "nog geen groepen" in page.get_data(as_text=True)

    page = _post(logged_in, meetup, theme, action="suggest", round="", similarity="4")
    html = page.get_data(as_text=True)
    assert "Groepen: 2" in html and "Niet bevestigd" in html
    assert html.count('name="note"') == len(NOTES)  # every note listed once, with a tick box

    group_id = int(re.search(r'id="group-(\d+)"', html).group(1))
    page = _post(logged_in, meetup, theme, action="rename", group=str(group_id),
                 title="Samen voorlezen")
    assert "Samen voorlezen" in page.get_data(as_text=True)

    page = _post(logged_in, meetup, theme, action="confirm")
    assert "Bevestigd" in page.get_data(as_text=True)
    assert db.session.get(Grouping, 1).confirmed_at is not None


def test_bad_input_gets_a_dutch_message_never_a_500(logged_in, meetup, organiser, app) -> None:
    theme = _board(meetup, organiser, app)
    page = _post(logged_in, meetup, theme, action="confirm")
    assert "Dit thema heeft nog geen groepen." in page.get_data(as_text=True)
    _post(logged_in, meetup, theme, action="suggest", similarity="4")
    for data in ({"action": "suggest", "similarity": "veel"},
                 {"action": "suggest", "similarity": "4", "round": "round_9"},
                 {"action": "move", "target": "new"},
                 {"action": "move", "note": "99999999999999999999999", "target": "new"},
                 {"action": "rename", "group": "1", "title": ""},
                 {"action": "merge", "group": "1"},
                 {"action": "explode"}):
        page = _post(logged_in, meetup, theme, **data)
        assert page.status_code == 200, data
        assert 'class="flash"' in page.get_data(as_text=True), data


def test_grouping_waits_for_the_voting_phase(logged_in, meetup, organiser, app) -> None:
    theme = _board(meetup, organiser, app)
    meetup.phase = Phase.ROUND_3
    db.session.commit()
    page = logged_in.get(f"/organiser/meetups/{meetup.id}/groups")
    assert "vanaf de stemfase" in page.get_data(as_text=True)
    page = _post(logged_in, meetup, theme, action="suggest", similarity="4")
    assert "vanaf de stemfase" in page.get_data(as_text=True)
    assert db.session.query(Grouping).count() == 0


def test_another_organisers_meetup_stays_closed(client, meetup, organiser, app) -> None:
    from meetup.services import organisers

    theme = _board(meetup, organiser, app)
    other = organisers.create_organiser(db.session, "ander@example.org", "een lang wachtwoord 12")
    db.session.commit()
    client.post("/organiser/login", data={"email": other.email,
                                          "password": "een lang wachtwoord 12"})
    assert client.get(f"/organiser/meetups/{meetup.id}/groups").status_code == 403
    assert _post(client, meetup, theme, action="suggest", similarity="4").status_code == 403
    assert db.session.query(Grouping).count() == 0


def test_with_many_vectors_missing_the_page_says_it_grouped_by_words(
        logged_in, meetup, organiser, app, monkeypatch) -> None:
    from meetup.models import Note
    from meetup.services import groupings

    theme = _board(meetup, organiser, app)
    monkeypatch.setattr(groupings, "LAZY_VECTORS", 3)  # six notes, none analysed yet
    html = _post(logged_in, meetup, theme, action="suggest", similarity="3").get_data(
        as_text=True)
    assert "6 notities zijn nog niet geanalyseerd" in html and "Groepen: 2" in html
    assert db.session.query(Note).filter(Note.vector.is_not(None)).count() == 0

    monkeypatch.setattr(groupings, "LAZY_VECTORS", 100)
    html = _post(logged_in, meetup, theme, action="suggest", similarity="3").get_data(
        as_text=True)
    assert "nog niet geanalyseerd" not in html and "Groepen: 2" in html
    assert db.session.query(Note).filter(Note.vector.is_not(None)).count() == 6
