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
from meetup.services import admission, joining, meetups
from meetup.services.errors import Busy


def join(client: FlaskClient, meetup: Meetup, name: str, address: str = "203.0.113.7"):
    return client.post(f"/j/{meetup.join_token}", environ_base={"REMOTE_ADDR": address}, data={
        "display_name": name, "role": "leerkracht_po", "organisation": "OBS De Regenboog"})


def people(meetup: Meetup) -> int:
    return Participant.query.filter_by(meetup_id=meetup.id).count()


def test_an_operator_can_still_limit_joins_per_address(app: Flask, meetup: Meetup) -> None:
    # MEETUP_JOIN_LIMIT_PER_ADDRESS (off by default: a venue's phones share one address).
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


def older_by(meetup: Meetup, seconds: int) -> None:
    """Let time pass for the meetup's joins: their join times move back (no sleeping)."""
    for person in Participant.query.filter_by(meetup_id=meetup.id):
        person.joined_at -= timedelta(seconds=seconds)
    db.session.commit()


def test_a_flood_beyond_the_expected_size_gets_only_a_few_people_a_minute(
        app: Flask, meetup: Meetup) -> None:
    # Default settings: no per-address limit; the meetup expects 10 people (+ a margin of 10).
    meetup.expected_participants = 10
    db.session.commit()
    answers = [join(app.test_client(), meetup, f"Nep {n}") for n in range(60)]
    assert [a.status_code for a in answers] == [302] * 20 + [429] * 40
    html = answers[-1].get_data(as_text=True)
    assert "Er melden zich meer mensen aan dan de organisator verwachtte" in html
    assert "Wacht een minuut" in html
    assert 'value="Nep 59"' in html  # what was typed stays
    assert people(meetup) == 20
    # A minute later the script gets 20 more (admission.BEYOND_PER_MINUTE), and no more.
    older_by(meetup, 61)
    answers = [join(app.test_client(), meetup, f"Nep {n}") for n in range(60, 100)]
    assert [a.status_code for a in answers] == [302] * 20 + [429] * 20
    assert people(meetup) == 40
    # The organiser sees more people than expected and raises the number: all at once again.
    meetup.expected_participants = 100
    db.session.commit()
    assert join(app.test_client(), meetup, "Anna", address="198.51.100.20").status_code == 302


def test_a_room_behind_one_address_joins_with_default_settings(app: Flask,
                                                                meetup: Meetup) -> None:
    """300 phones on one venue NAT address, all through the QR link: nobody is refused."""
    answers = [join(app.test_client(), meetup, f"Deelnemer {n}") for n in range(300)]
    assert [a.status_code for a in answers] == [302] * 300
    assert people(meetup) == 300


def test_a_thousand_join_within_the_hour_with_the_default_expected_size(
        app: Flask, meetup: Meetup) -> None:
    """A room of 1,000 behind one address arriving over an hour, the meetup left at its
    default expected size: the first 360 at full speed, the rest at 20 a minute."""
    assert meetup.expected_participants == 300
    start = datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
    refused = 0
    for n in range(1000):
        now = start + timedelta(seconds=3.6 * n)
        try:
            admission.admission(db.session, meetup, now).take()
        except Busy:
            refused += 1
            continue
        person, _token = joining.join(db.session, meetup, joining.JoinRequest(
            f"Deelnemer {n}", "gemeente", "Gemeente"))
        person.joined_at = now
        db.session.flush()
    db.session.commit()
    assert refused == 0
    assert people(meetup) == 1000


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


def test_the_organiser_sets_the_expected_number_of_participants(logged_in: FlaskClient,
                                                                next_week: Meetup) -> None:
    edit = logged_in.get(f"/organiser/meetups/{next_week.id}/edit").get_data(as_text=True)
    assert "Verwacht aantal deelnemers" in edit
    assert 'name="expected_participants"' in edit and 'value="300"' in edit
    local = meetups.utc_to_local(next_week.starts_at)
    form = {"title": "Meetup Baarn", "date": local[0].isoformat(),
            "start_time": local[1].strftime("%H:%M"), "table_size": "6",
            "votes_per_person": "3"}
    refused = logged_in.post(f"/organiser/meetups/{next_week.id}/edit",
                             data={**form, "expected_participants": "0"})
    assert "Geef een getal tussen 1 en 10.000." in refused.get_data(as_text=True)
    response = logged_in.post(f"/organiser/meetups/{next_week.id}/edit",
                              data={**form, "expected_participants": "850"})
    assert response.status_code == 302
    db.session.refresh(next_week)
    assert next_week.expected_participants == 850
    assert admission.full_speed_up_to(850) == 1020
