"""Leading the evening: phases, the countdown, the message and the plenary."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Meetup, Participant, Phase, PhaseChange
from meetup.services import agreements, joining, organisers, phases, plenary, tables
from meetup.services.errors import Conflict, Forbidden, InvalidInput
from meetup.services.joining import JoinRequest

NOW = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _dutch_request(app):
    with app.test_request_context():
        yield


def test_phases_move_forward_and_back_and_are_logged(meetup: Meetup, organiser) -> None:
    start = meetup.revision
    phases.set_phase(db.session, meetup, "round_2", organiser)
    phases.set_phase(db.session, meetup, Phase.THEME_CHOICE, organiser)
    db.session.commit()
    assert meetup.phase is Phase.THEME_CHOICE
    log = db.session.scalars(select(PhaseChange).order_by(PhaseChange.id)).all()
    assert [(c.from_phase, c.to_phase) for c in log] == [
        (Phase.REGISTRATION, Phase.ROUND_2), (Phase.ROUND_2, Phase.THEME_CHOICE)]
    assert log[0].organiser_id == organiser.id
    assert meetup.revision == start + 2
    assert meetup.phase_changed_at == log[1].changed_at


def test_an_unknown_phase_is_refused_in_dutch(meetup) -> None:
    with pytest.raises(InvalidInput) as caught:
        phases.set_phase(db.session, meetup, "dessert")
    assert caught.value.field == "phase"
    assert str(caught.value.message) == "Dit onderdeel van de avond bestaat niet."
    assert meetup.phase is Phase.REGISTRATION


def test_only_the_owner_moves_the_phase(meetup) -> None:
    other = organisers.create_organiser(db.session, "bob@example.org", "long enough pw")
    with pytest.raises(Forbidden):
        phases.set_phase(db.session, meetup, "round_1", other)


def test_a_countdown_runs_pauses_resumes_and_extends(meetup) -> None:
    phases.set_timer(db.session, meetup, 300, now=NOW)
    state = phases.timer_state(meetup, NOW + timedelta(seconds=100))
    assert state == {"deadline": "2026-12-03T18:05:00Z", "paused_remaining": None,
                     "server_now": "2026-12-03T18:01:40Z", "running": True, "remaining": 200}
    phases.pause_timer(db.session, meetup, now=NOW + timedelta(seconds=100))
    paused = phases.timer_state(meetup, NOW + timedelta(hours=1))
    assert paused["deadline"] is None and paused["paused_remaining"] == 200
    assert paused["running"] is False and paused["remaining"] == 200
    phases.extend_timer(db.session, meetup, 60, now=NOW + timedelta(hours=1))
    assert meetup.timer_paused_remaining == 260
    phases.resume_timer(db.session, meetup, now=NOW + timedelta(hours=2))
    assert meetup.phase_deadline == NOW + timedelta(hours=2, seconds=260)
    phases.extend_timer(db.session, meetup, 40, now=NOW + timedelta(hours=2))
    assert phases.timer_state(meetup, NOW + timedelta(hours=2))["remaining"] == 300


def test_an_expired_countdown_extends_from_now(meetup) -> None:
    phases.set_timer(db.session, meetup, 60, now=NOW)
    later = NOW + timedelta(minutes=10)
    assert phases.timer_state(meetup, later)["running"] is False
    assert phases.timer_state(meetup, later)["remaining"] == 0
    phases.extend_timer(db.session, meetup, 120, now=later)
    assert phases.timer_state(meetup, later)["remaining"] == 120


def test_every_timer_write_raises_the_revision_by_one(meetup) -> None:
    start = meetup.revision
    phases.set_timer(db.session, meetup, 60, now=NOW)
    phases.pause_timer(db.session, meetup, now=NOW)
    phases.resume_timer(db.session, meetup, now=NOW)
    phases.extend_timer(db.session, meetup, 30, now=NOW)
    phases.clear_timer(db.session, meetup)
    assert meetup.revision == start + 5
    assert phases.timer_state(meetup, NOW)["deadline"] is None


@pytest.mark.parametrize("seconds", [0, -5, 3 * 3600 + 1, "60", True, None, 1.5e9])
def test_countdowns_are_between_one_second_and_three_hours(meetup, seconds) -> None:
    with pytest.raises(InvalidInput) as caught:
        phases.set_timer(db.session, meetup, seconds, now=NOW)
    assert caught.value.field == "seconds"
    assert meetup.phase_deadline is None


def test_extending_past_three_hours_or_without_a_countdown_is_refused(meetup) -> None:
    with pytest.raises(Conflict):
        phases.extend_timer(db.session, meetup, 60, now=NOW)
    with pytest.raises(Conflict):
        phases.pause_timer(db.session, meetup, now=NOW)
    with pytest.raises(Conflict):
        phases.resume_timer(db.session, meetup, now=NOW)
    phases.set_timer(db.session, meetup, 3 * 3600 - 10, now=NOW)
    with pytest.raises(InvalidInput):
        phases.extend_timer(db.session, meetup, 60, now=NOW)


def test_changing_the_phase_stops_the_countdown(meetup) -> None:
    phases.set_timer(db.session, meetup, 600, now=NOW)
    phases.set_phase(db.session, meetup, "round_1")
    assert phases.timer_state(meetup)["deadline"] is None
    assert meetup.timer_paused_remaining is None


def test_a_message_is_trimmed_limited_and_cleared_by_empty_text(meetup) -> None:
    start = meetup.revision
    phases.send_message(db.session, meetup, "  Nog vijf minuten!  ")
    assert meetup.broadcast_message == "Nog vijf minuten!" and meetup.broadcast_at is not None
    with pytest.raises(InvalidInput) as caught:
        phases.send_message(db.session, meetup, "x" * 501)
    assert "500" in str(caught.value.message)
    phases.send_message(db.session, meetup, "   ")
    assert meetup.broadcast_message == "" and meetup.broadcast_at is None
    assert meetup.revision == start + 2


def _final_agreement(meetup: Meetup, participant: Participant, what: str) -> None:
    agreement = agreements.create_draft(db.session, participant, uuid.uuid4())
    agreements.update_agreement(db.session, participant, agreement.uuid, {
        "what": what, "owner_name": participant.display_name, "owner_organisation": "School",
        "first_step": "Bellen", "due_date": "2027-01-15"}, today=date(2026, 12, 3))
    agreements.finalise(db.session, participant, agreement.uuid)


def test_the_plenary_walks_through_final_agreements_by_table(meetup, organiser) -> None:
    people = []
    for i, theme in enumerate(["taal", "zorg", "taal", "zorg"]):
        person, _ = joining.join(db.session, meetup, JoinRequest(f"P{i} X", "gemeente", f"O{i}"))
        joining.choose_theme(db.session, person, theme)
        people.append(person)
    meetup.table_size = 2
    tables.form_tables(db.session, meetup, organiser)
    phases.set_phase(db.session, meetup, "agreements")
    _final_agreement(meetup, people[1], "Zorg eerst")        # table 2 (zorg)
    _final_agreement(meetup, people[0], "Taal eerst")        # table 1 (taal)
    draft = agreements.create_draft(db.session, people[0], uuid.uuid4())
    agreements.update_agreement(db.session, people[0], draft.uuid, {"what": "Nog een concept"})
    empty = plenary.state(db.session, meetup)
    assert empty["total"] == 2 and empty["position"] == 0
    assert empty["agreement"]["what"] == "Taal eerst" and empty["agreement"]["table"] == 1

    start = meetup.revision
    shown = plenary.show(db.session, meetup, 1)
    assert (shown["position"], shown["total"], shown["agreement"]["what"]) == (1, 2, "Zorg eerst")
    assert plenary.show(db.session, meetup, 99)["position"] == 1
    assert plenary.show(db.session, meetup, -3)["position"] == 0
    assert meetup.revision == start + 3


def test_the_plenary_without_final_agreements_shows_nothing(meetup) -> None:
    assert plenary.show(db.session, meetup, 4) == {
        "position": 0, "total": 0, "kind": None, "group_count": 0, "agreement_count": 0,
        "group": None, "agreement": None}


def test_each_round_phase_asks_its_question() -> None:
    assert phases.ROUND_OF_PHASE[Phase.ROUND_1].value == "happens"
    assert phases.ROUND_OF_PHASE[Phase.ROUND_3].value == "missing"
    assert str(phases.ROUND_QUESTIONS[phases.ROUND_OF_PHASE[Phase.ROUND_2]]) == \
        "Waar kunnen we bij elkaar aansluiten?"
