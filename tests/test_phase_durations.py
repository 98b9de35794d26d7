"""Default countdowns per phase: set in the meetup's settings, started by entering the phase."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from flask.testing import FlaskClient

from meetup.extensions import db
from meetup.models import Meetup
from meetup.services import meetups, phases
from meetup.services.errors import InvalidInput

FORM = {"title": "Meetup Utrecht", "city": "Utrecht", "venue": "Stadhuis",
        "date": "2026-07-02", "start_time": "19:30", "welcome": "", "table_size": "6",
        "votes_per_person": "3",
        # A browser posts every field; an emptied one means "no countdown".
        **{f"minutes_{key}": "" for key in ("registration", "theme_choice", "tables", "round_1",
                                            "round_2", "round_3", "voting", "agreements",
                                            "plenary")}}


@pytest.fixture(autouse=True)
def _dutch_request(app):
    with app.test_request_context():
        yield


def test_entering_a_phase_starts_its_default_countdown(meetup: Meetup, organiser) -> None:
    meetups.update_meetup(db.session, meetup, phase_minutes={"round_1": 12, "voting": 5})
    change = phases.set_phase(db.session, meetup, "round_1", organiser)
    assert meetup.phase_deadline == change.changed_at + timedelta(minutes=12)
    state = phases.timer_state(meetup, change.changed_at)
    assert state["running"] is True and state["remaining"] == 12 * 60


def test_the_organiser_can_still_change_it_and_a_phase_without_a_default_has_none(
        meetup: Meetup, organiser) -> None:
    meetups.update_meetup(db.session, meetup, phase_minutes={"round_1": 12})
    change = phases.set_phase(db.session, meetup, "round_1", organiser)
    phases.set_timer(db.session, meetup, 120, now=change.changed_at)
    assert phases.timer_state(meetup, change.changed_at)["remaining"] == 120
    phases.set_phase(db.session, meetup, "round_2", organiser)
    assert meetup.phase_deadline is None and meetup.timer_paused_remaining is None


@pytest.mark.parametrize("value", [{"round_1": 0}, {"round_1": 181}, {"round_1": "10"},
                                   {"round_1": True}])
def test_durations_are_whole_minutes_between_one_and_180(meetup: Meetup, value) -> None:
    with pytest.raises(InvalidInput) as caught:
        meetups.update_meetup(db.session, meetup, phase_minutes=value)
    assert caught.value.field == "minutes_round_1"
    assert "tussen 1 en 180" in str(caught.value.message)


def test_an_unknown_phase_is_refused_and_empty_ones_are_dropped(meetup: Meetup) -> None:
    with pytest.raises(InvalidInput):
        meetups.update_meetup(db.session, meetup, phase_minutes={"lunch": 10})
    meetups.update_meetup(db.session, meetup, phase_minutes={"voting": None, "tables": 4})
    assert meetup.phase_minutes == {"tables": 4}


def test_the_meetup_form_suggests_durations_and_saves_them(logged_in: FlaskClient) -> None:
    html = unescape(logged_in.get("/organiser/meetups/new").get_data(as_text=True))
    assert "Aftelling per fase (minuten)" in html
    assert '<label for="minutes_round_1">Ronde 1</label>' in html
    assert 'id="minutes_round_1"' in html and 'value="10"' in html
    data = {**FORM, "minutes_round_1": "15", "minutes_voting": "", "minutes_agreements": "25"}
    response = logged_in.post("/organiser/meetups/new", data=data)
    assert response.status_code == 302
    created = db.session.scalars(db.select(Meetup).where(Meetup.title == "Meetup Utrecht")).one()
    assert created.phase_minutes == {"round_1": 15, "agreements": 25}

    edit = unescape(logged_in.get(f"/organiser/meetups/{created.id}/edit").get_data(as_text=True))
    assert 'id="minutes_round_1" inputmode="numeric" max="180" min="1" name="minutes_round_1" ' \
           'type="number" value="15"' in edit
    assert 'id="minutes_voting" inputmode="numeric" max="180" min="1" name="minutes_voting" ' \
           'type="number" value=""' in edit


def test_a_wrong_duration_is_shown_next_to_its_field(logged_in: FlaskClient) -> None:
    response = logged_in.post("/organiser/meetups/new", data={**FORM, "minutes_voting": "500"})
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert 'id="minutes_voting-error"' in html
    assert "tussen 1 en 180" in html
