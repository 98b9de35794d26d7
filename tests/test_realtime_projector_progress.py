"""Server side of the projector and the organiser's live page (issue 11): the plenary list
follows agreements finalised or reopened during the plenary, the projector's progress in
voting and agreements, and the default countdown when a phase starts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask

from meetup.extensions import db
from meetup.models import Meetup
from meetup.services import meetups, progress
from tests.realtime_helpers import Evening, emit_ok, events, names, new_op, wait_for


@pytest.fixture
def evening(app: Flask, meetup: Meetup) -> Evening:
    return Evening(app, meetup)


def _draft(evening: Evening, who: str, what: str) -> str:
    uuid = new_op()
    due = (date.today() + timedelta(days=30)).isoformat()
    emit_ok(evening[who], "agreement.create", {"agreement": uuid})
    emit_ok(evening[who], "agreement.update", {"agreement": uuid, "fields": {
        "what": what, "owner_name": who.title(), "owner_organisation": "School",
        "first_step": "Bellen", "due_date": due}})
    return uuid


def test_an_agreement_finalised_in_the_plenary_reaches_the_plenary_list(evening: Evening) -> None:
    emit_ok(evening.organiser, "phase.set", {"phase": "agreements"})
    anna = _draft(evening, "anna", "Voorleesouders")
    carla = _draft(evening, "carla", "Spreekuur JGZ")
    emit_ok(evening.organiser, "phase.set", {"phase": "plenary"})
    [opening] = events(evening.projector, "plenary")
    assert opening["total"] == 0 and opening["agreement"] is None
    evening.drain()

    # No agreement was final when the plenary opened; the first one appears at once.
    ack = emit_ok(evening["carla"], "agreement.finalise", {"agreement": carla})
    for sock in (evening.projector, evening.organiser):
        [plenary] = events(sock, "plenary")
        assert plenary["seq"] == ack["seq"] and plenary["total"] == 1
        assert plenary["agreement"]["what"] == "Spreekuur JGZ"
    # Phones show the agreement on the projector too (they may sign on to it).
    [on_phone] = events(evening["anna"], "plenary")
    assert on_phone["agreement"]["what"] == "Spreekuur JGZ" and on_phone["total"] == 1

    # A second one, at an earlier table: "1 of 2" becomes "2 of 2", the shown one stays.
    emit_ok(evening["anna"], "agreement.finalise", {"agreement": anna})
    [plenary] = events(evening.projector, "plenary")
    assert plenary["total"] == 2 and plenary["position"] == 1
    assert plenary["agreement"]["what"] == "Spreekuur JGZ"

    # The shown one is reopened: the other takes its place, the count follows.
    evening.drain()
    emit_ok(evening["carla"], "agreement.reopen", {"agreement": carla})
    [plenary] = events(evening.organiser, "plenary")
    assert plenary["total"] == 1 and plenary["position"] == 0
    assert plenary["agreement"]["what"] == "Voorleesouders"


def test_outside_the_plenary_finalising_sends_no_plenary(evening: Evening) -> None:
    emit_ok(evening.organiser, "phase.set", {"phase": "agreements"})
    anna = _draft(evening, "anna", "Voorleesouders")
    evening.drain()
    emit_ok(evening["anna"], "agreement.finalise", {"agreement": anna})
    received = names(evening.projector)
    assert "agreement" in received and "plenary" not in received


def test_dots_bring_the_projector_the_top_notes_per_theme(evening: Evening) -> None:
    notes = {}
    for who, text in (("anna", "Voorlezen"), ("bram", "Huiswerkklas"), ("carla", "Spreekuur")):
        notes[text] = new_op()
        emit_ok(evening[who], "note.create", {"note": notes[text], "round": "happens",
                                               "text": text})
    emit_ok(evening.organiser, "phase.set", {"phase": "voting"})
    evening.drain()
    emit_ok(evening["anna"], "vote.add", {"vote": new_op(), "note": notes["Huiswerkklas"]})
    emit_ok(evening["bram"], "vote.add", {"vote": new_op(), "note": notes["Huiswerkklas"]})
    emit_ok(evening["dirk"], "vote.add", {"vote": new_op(), "note": notes["Spreekuur"]})
    latest = None
    for _ in range(5):
        received = wait_for(evening.projector, "counts")
        latest = received[-1] if received else latest
        top = (latest or {}).get("progress", {}).get("top_notes", {})
        if top.get("taal") and top["taal"][0]["votes"] == 2 and top.get("zorg"):
            break
    assert latest is not None
    progress_data = latest["progress"]
    assert progress_data["tables"] == 2 and progress_data["tables_with_final"] == 0
    assert [(n["text"], n["votes"]) for n in progress_data["top_notes"]["taal"]] == [
        ("Huiswerkklas", 2)]
    assert [n["text"] for n in progress_data["top_notes"]["zorg"]] == ["Spreekuur"]
    assert progress_data["top_notes"]["overgangen"] == []


def test_progress_counts_tables_with_a_final_agreement(evening: Evening) -> None:
    emit_ok(evening.organiser, "phase.set", {"phase": "agreements"})
    anna = _draft(evening, "anna", "Voorleesouders")
    _draft(evening, "carla", "Spreekuur JGZ")
    emit_ok(evening["anna"], "agreement.finalise", {"agreement": anna})
    meetup = db.session.get(Meetup, evening.meetup.id)
    assert progress.progress(db.session, meetup)["tables_with_final"] == 1
    assert progress.progress(db.session, meetup)["tables"] == 2


def test_a_phase_with_a_default_duration_starts_its_countdown_on_every_screen(
        evening: Evening) -> None:
    meetup = db.session.get(Meetup, evening.meetup.id)
    meetups.update_meetup(db.session, meetup, phase_minutes={"round_2": 8})
    db.session.commit()
    ack = emit_ok(evening.organiser, "phase.set", {"phase": "round_2"})
    assert ack["timer"]["running"] is True and 479 <= ack["timer"]["remaining"] <= 480
    [phase] = events(evening["anna"], "phase")
    assert phase["timer"]["deadline"] == ack["timer"]["deadline"]
