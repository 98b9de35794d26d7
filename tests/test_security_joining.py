"""Joining and guessing are throttled; the short code waits for the evening (issue 14, point 4).

The attacks: 40 fake participants from one machine in 3 s; ``/join`` and ``/b/<code>`` took 60
and 22 guesses a second; and the public briefing link carries the short code, so anyone who
saw it could join (and fill the room with fake names) days before the evening.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from meetup.extensions import db
from meetup.models import Meetup, Participant
from meetup.services import meetups


def join(client: FlaskClient, meetup: Meetup, name: str, address: str = "203.0.113.7"):
    return client.post(f"/j/{meetup.join_token}", environ_base={"REMOTE_ADDR": address}, data={
        "display_name": name, "role": "leerkracht_po", "organisation": "OBS De Regenboog"})


def people(meetup: Meetup) -> int:
    return Participant.query.filter_by(meetup_id=meetup.id).count()


def test_mass_sign_ups_from_one_machine_are_stopped(app: Flask, meetup: Meetup) -> None:
    app.config["JOIN_LIMIT_PER_ADDRESS"] = "5 per minute"
    for n in range(5):
        assert join(app.test_client(), meetup, f"Nep {n}").status_code == 302
    refused = join(app.test_client(), meetup, "Nep 6")
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "Er melden zich nu veel mensen aan" in html
    assert 'value="Nep 6"' in html  # what was typed stays
    assert people(meetup) == 5
    # A real phone elsewhere in the room still gets in.
    assert join(app.test_client(), meetup, "Anna", address="198.51.100.20").status_code == 302


def test_mass_sign_ups_against_one_meetup_are_stopped(app: Flask, meetup: Meetup) -> None:
    app.config["JOIN_LIMIT_PER_MEETUP"] = "4 per minute"
    for n in range(4):
        join(app.test_client(), meetup, f"Nep {n}", address=f"198.51.100.{n}")
    assert join(app.test_client(), meetup, "Nep 9", address="192.0.2.9").status_code == 429
    assert people(meetup) == 4


def test_guessing_short_codes_is_stopped(app: Flask, client: FlaskClient,
                                         meetup: Meetup) -> None:
    app.config["CODE_GUESS_LIMIT"] = "3 per minute"
    meetup.code_before_opening = True
    db.session.commit()
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC"):
        assert client.post("/join", data={"code": guess}).status_code == 200
    # Even the right code is refused now: the guesser cannot tell it from a wrong one.
    refused = client.post("/join", data={"code": meetup.short_code})
    assert refused.status_code == 429
    assert "Te veel verkeerde codes" in refused.get_data(as_text=True)


def test_guessing_briefing_links_is_stopped(app: Flask, client: FlaskClient,
                                            meetup: Meetup) -> None:
    app.config["BRIEFING_GUESS_LIMIT"] = "3 per minute"
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC"):
        assert client.get(f"/b/{guess}").status_code == 404
    assert client.get(f"/b/{meetup.short_code}").status_code == 429
    # Someone with the real link on another connection still reads it.
    assert client.get(f"/b/{meetup.short_code}",
                      environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 200


@pytest.fixture
def next_week(organiser) -> Meetup:
    m = meetups.create_meetup(db.session, organiser, title="Meetup Baarn",
                              starts_at=datetime.now(UTC) + timedelta(days=7))
    db.session.commit()
    return m


def test_the_code_from_the_briefing_link_does_not_let_anyone_join_early(
        client: FlaskClient, next_week: Meetup) -> None:
    briefing = client.get(f"/b/{next_week.short_code}").get_data(as_text=True)
    assert f"de code {next_week.short_code}" not in briefing
    assert "kun je ook met een code meedoen" in briefing
    response = client.post("/join", data={"code": next_week.short_code})
    assert response.status_code == 200
    assert "Deze code werkt vanaf" in response.get_data(as_text=True)
    # The QR link on the big screen is a different, unguessable token and keeps working.
    assert join(client, next_week, "Anna").status_code == 302


def test_the_code_works_from_two_hours_before_the_start(client: FlaskClient,
                                                        next_week: Meetup) -> None:
    next_week.starts_at = datetime.now(UTC) + timedelta(minutes=90)
    db.session.commit()
    assert client.post("/join", data={"code": next_week.short_code}).status_code == 302
    briefing = client.get(f"/b/{next_week.short_code}").get_data(as_text=True)
    assert f"de code {next_week.short_code}" in briefing


def test_the_organiser_can_let_the_code_work_early(logged_in: FlaskClient,
                                                   next_week: Meetup) -> None:
    edit = logged_in.get(f"/organiser/meetups/{next_week.id}/edit").get_data(as_text=True)
    assert "De korte code werkt al vóór de avond" in edit
    local = meetups.utc_to_local(next_week.starts_at)
    response = logged_in.post(f"/organiser/meetups/{next_week.id}/edit", data={
        "title": "Meetup Baarn", "date": local[0].isoformat(),
        "start_time": local[1].strftime("%H:%M"), "table_size": "6", "votes_per_person": "3",
        "code_before_opening": "y"})
    assert response.status_code == 302
    db.session.refresh(next_week)
    assert next_week.code_before_opening is True
    assert logged_in.post("/join", data={"code": next_week.short_code}).status_code == 302
