"""The plenary over the socket: confirmed groups on the projector before the agreements, the
organiser's groups page (plain HTTP) telling every screen after its commit, hidden notes."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask

from meetup.models import Meetup
from tests.realtime_helpers import Evening, emit_ok, events, new_op

NOTES = {"anna": ["Voorlezen in groep 3 door de bieb", "voorleesouders op school"],
         "bram": ["voorlezn", "Taalcursus voor ouders op school"],
         "carla": ["Spreekuur JGZ op school"]}


@pytest.fixture
def evening(app: Flask, meetup: Meetup) -> Evening:
    return Evening(app, meetup)


def _write_notes(evening: Evening) -> dict[str, str]:
    uuids = {}
    for who, texts in NOTES.items():
        for text in texts:
            uuids[text] = new_op()
            emit_ok(evening[who], "note.create", {"note": uuids[text], "round": "happens",
                                                  "text": text})
    return uuids


def _groups_page(evening: Evening, theme_id: int, **data: str) -> str:
    response = evening.organiser_client.post(
        f"/organiser/meetups/{evening.meetup.id}/groups/{theme_id}", data=data,
        follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_confirming_groups_in_the_plenary_puts_them_on_every_screen(evening: Evening) -> None:
    _write_notes(evening)
    emit_ok(evening.organiser, "phase.set", {"phase": "plenary"})
    [opening] = events(evening.projector, "plenary")
    assert opening["total"] == 0 and opening["kind"] is None
    evening.drain()
    taal = evening.meetup.theme_by_key("taal")
    _groups_page(evening, taal.id, action="suggest", round="", similarity="4")
    # Suggested, not confirmed: nothing reaches the projector or the phones.
    assert events(evening.projector, "plenary") == [] and events(evening["anna"], "plenary") == []
    html = _groups_page(evening, taal.id, action="confirm")
    assert "Bevestigd" in html and "De plenaire ronde loopt" in html
    [shown] = events(evening.projector, "plenary")
    assert shown["kind"] == "group" and shown["position"] == 0 and shown["seq"] > opening["seq"]
    assert shown["group"]["theme"] == "taal" and shown["group"]["tables"] == 1
    assert shown["group_count"] == shown["total"] >= 1
    assert {n["text"] for n in shown["group"]["top_notes"]} <= set(NOTES["anna"] + NOTES["bram"])
    assert events(evening["carla"], "plenary") == [shown]
    assert events(evening.organiser, "plenary") == [shown]

    # The organiser steps; past the last slide the position stays on the last one.
    last = emit_ok(evening.organiser, "plenary.show", {"position": 99})
    assert last["position"] == shown["total"] - 1 and last["kind"] == "group"

    # An edit withdraws the confirmation: the groups leave every screen at once.
    group_id = re.search(r'id="group-(\d+)"', html).group(1)
    evening.drain()
    _groups_page(evening, taal.id, action="rename", group=group_id, title="Samen voorlezen")
    [gone] = events(evening.projector, "plenary")
    assert gone["total"] == 0 and gone["group"] is None


def test_before_the_plenary_only_the_organiser_hears_of_confirmed_groups(evening: Evening) -> None:
    _write_notes(evening)
    emit_ok(evening.organiser, "phase.set", {"phase": "voting"})
    evening.drain()
    taal = evening.meetup.theme_by_key("taal")
    _groups_page(evening, taal.id, action="suggest", round="", similarity="4")
    _groups_page(evening, taal.id, action="confirm")
    assert events(evening.organiser, "plenary")[-1]["kind"] == "group"
    assert events(evening.projector, "plenary") == []
    assert events(evening["anna"], "plenary") == []


def test_hiding_a_note_in_the_plenary_updates_the_group_on_screen(evening: Evening) -> None:
    uuids = _write_notes(evening)
    emit_ok(evening.organiser, "phase.set", {"phase": "plenary"})
    taal = evening.meetup.theme_by_key("taal")
    _groups_page(evening, taal.id, action="suggest", round="", similarity="4")
    _groups_page(evening, taal.id, action="confirm")
    evening.drain()
    shown = emit_ok(evening.organiser, "plenary.show", {"position": 0})
    texts = [n["text"] for n in shown["group"]["top_notes"]]
    evening.drain()
    emit_ok(evening.organiser, "note.hide", {"note": uuids[texts[0]]})
    [after] = events(evening.projector, "plenary")
    assert texts[0] not in str(after)
    # A note in no confirmed group changes nothing on screen: no plenary event.
    emit_ok(evening.organiser, "note.hide", {"note": uuids["Spreekuur JGZ op school"]})
    assert events(evening.projector, "plenary") == []


def _agreement(evening: Evening, who: str, what: str) -> str:
    agreement = new_op()
    emit_ok(evening[who], "agreement.create", {"agreement": agreement})
    emit_ok(evening[who], "agreement.update", {"agreement": agreement, "fields": {
        "what": what, "owner_name": who.title(), "owner_organisation": "School",
        "first_step": "Bellen", "due_date": (date.today() + timedelta(days=30)).isoformat()}})
    return agreement


def test_an_agreement_finalised_in_the_plenary_keeps_the_group_on_screen(evening: Evening) -> None:
    _write_notes(evening)
    emit_ok(evening.organiser, "phase.set", {"phase": "agreements"})
    late = _agreement(evening, "carla", "Spreekuur JGZ")
    emit_ok(evening.organiser, "phase.set", {"phase": "plenary"})
    taal = evening.meetup.theme_by_key("taal")
    _groups_page(evening, taal.id, action="suggest", round="", similarity="4")
    _groups_page(evening, taal.id, action="confirm")
    evening.drain()
    emit_ok(evening["carla"], "agreement.finalise", {"agreement": late})
    [after] = events(evening.projector, "plenary")
    assert after["kind"] == "group" and after["position"] == 0
    assert after["agreement_count"] == 1 and after["total"] == after["group_count"] + 1
