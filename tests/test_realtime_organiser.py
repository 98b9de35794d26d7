"""Organiser writes over the socket: phases, the countdown, messages, tables, moves,
moderation, theme caps and the plenary; each with a refusal, and what every room receives."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import Meetup, Phase, PhaseChange
from tests.realtime_helpers import Evening, connect, emit_ok, events, join_over_http, new_op


@pytest.fixture
def evening(app: Flask, meetup: Meetup) -> Evening:
    return Evening(app, meetup)


def refused(sock, event: str, payload: dict) -> dict:  # type: ignore[no-untyped-def]
    ack = sock.emit(event, {"op": new_op(), **payload}, callback=True)
    assert ack["ok"] is False, ack
    return ack


def test_moving_the_phase_tells_everyone(evening: Evening) -> None:
    ack = emit_ok(evening.organiser, "phase.set", {"phase": "round_2"})
    assert ack["phase"] == "round_2" and ack["round"] == "connect"
    for sock in (evening["anna"], evening["carla"], evening.projector, evening.organiser):
        [phase] = events(sock, "phase")
        assert phase["seq"] == ack["seq"] and phase["phase"] == "round_2"
        assert phase["question"] == "Waar kunnen we bij elkaar aansluiten?"
    assert refused(evening.organiser, "phase.set", {"phase": "dessert"})["error"] == "invalid"
    assert events(evening["anna"]) == []


def test_the_same_phase_op_twice_is_applied_once(evening: Evening) -> None:
    payload = {"op": new_op(), "phase": "voting"}
    first = evening.organiser.emit("phase.set", payload, callback=True)
    again = evening.organiser.emit("phase.set", payload, callback=True)
    assert first["ok"] and again["ok"] and again["duplicate"] is True
    assert again["phase"] == "voting"
    assert len(events(evening["anna"], "phase")) == 1
    assert db.session.scalar(select(func.count(PhaseChange.id)).where(
        PhaseChange.to_phase == Phase.VOTING)) == 1


def test_the_countdown(evening: Evening) -> None:
    started = emit_ok(evening.organiser, "timer.set", {"seconds": 300})
    assert started["timer"]["deadline"] is not None and started["timer"]["running"] is True
    [timer] = events(evening["dirk"], "timer")
    assert timer == {"seq": started["seq"], "timer": started["timer"]}
    paused = emit_ok(evening.organiser, "timer.pause", {})
    assert paused["timer"]["deadline"] is None and 295 <= paused["timer"]["paused_remaining"] <= 300
    assert refused(evening.organiser, "timer.pause", {})["error"] == "conflict"
    resumed = emit_ok(evening.organiser, "timer.resume", {})
    assert resumed["timer"]["deadline"] is not None
    extended = emit_ok(evening.organiser, "timer.extend", {"seconds": 60})
    assert extended["timer"]["remaining"] > paused["timer"]["paused_remaining"]
    cleared = emit_ok(evening.organiser, "timer.clear", {})
    assert cleared["timer"]["deadline"] is None and cleared["timer"]["paused_remaining"] is None
    assert [t["timer"]["deadline"] is None for t in events(evening.projector, "timer")] == \
        [False, True, False, False, True]
    assert refused(evening.organiser, "timer.set", {"seconds": 0})["error"] == "invalid"
    assert refused(evening.organiser, "timer.set", {"seconds": "300"})["error"] == "invalid"
    assert refused(evening.organiser, "timer.extend", {"seconds": 60})["error"] == "conflict"


def test_a_message_on_every_screen(evening: Evening) -> None:
    ack = emit_ok(evening.organiser, "message.send", {"text": "Nog vijf minuten!"})
    for sock in (evening["anna"], evening["dirk"], evening.projector):
        [message] = events(sock, "message")
        assert message["text"] == "Nog vijf minuten!" and message["seq"] == ack["seq"]
        assert message["at"] is not None
    cleared = emit_ok(evening.organiser, "message.send", {"text": ""})
    assert cleared["text"] == "" and cleared["at"] is None
    too_long = refused(evening.organiser, "message.send", {"text": "x" * 501})
    assert too_long["error"] == "invalid" and too_long["field"] == "text"


def test_tables_cannot_be_formed_again_once_they_write(evening: Evening) -> None:
    emit_ok(evening["anna"], "note.create", {"note": new_op(), "round": "happens", "text": "x"})
    evening.drain()
    ack = refused(evening.organiser, "tables.form", {})
    assert ack["error"] == "conflict"
    assert events(evening["carla"]) == []


def test_moving_a_participant_to_another_table(evening: Evening) -> None:
    emit_ok(evening["carla"], "note.create", {"note": new_op(), "round": "happens",
                                              "text": "Eerder geschreven"})
    evening.drain()
    table_2 = evening.people["carla"].table.number
    ack = emit_ok(evening.organiser, "participant.move",
                  {"participant": evening.ids["anna"], "table": table_2})
    assert ack["table"] == table_2
    assert events(evening["anna"], "resync") == [{"seq": ack["seq"]}]
    assert events(evening["bram"], "resync") and events(evening["carla"], "resync")
    rows = {e["table"]["number"]: e["table"] for e in events(evening.organiser, "overview")}
    assert len(rows) == 2
    assert "Anna Jansen" in [m["display_name"] for m in rows[table_2]["members"]]
    # Anna's phone hears her new table at once, and no longer her old one.
    emit_ok(evening["carla"], "note.create", {"note": new_op(), "round": "happens",
                                              "text": "Welkom Anna"})
    emit_ok(evening["bram"], "note.create", {"note": new_op(), "round": "happens",
                                             "text": "Alleen tafel 1"})
    assert [n["note"]["text"] for n in events(evening["anna"], "note")] == ["Welkom Anna"]
    snapshot = evening["anna"].emit("sync", {}, callback=True)["snapshot"]
    assert snapshot["table"]["number"] == table_2
    assert [n["text"] for n in snapshot["notes"]] == ["Eerder geschreven", "Welkom Anna"]

    assert refused(evening.organiser, "participant.move",
                   {"participant": evening.ids["anna"], "table": 99})["error"] == "not_found"
    assert refused(evening.organiser, "participant.move",
                   {"participant": 99_999, "table": 1})["error"] == "not_found"
    assert refused(evening.organiser, "participant.move",
                   {"participant": "anna", "table": 1})["error"] == "invalid"


def test_hiding_and_unhiding_a_note(evening: Evening) -> None:
    created = emit_ok(evening["anna"], "note.create", {"note": new_op(), "round": "happens",
                                                       "text": "Ongepast"})
    evening.drain()
    uuid = created["note"]["uuid"]
    hidden = emit_ok(evening.organiser, "note.hide", {"note": uuid})
    assert hidden["note"]["hidden"] is True
    removed = {"seq": hidden["seq"], "note": uuid, "hidden": True}
    assert events(evening["bram"], "note.removed") == [removed]
    assert events(evening.projector, "note.removed") == [removed]
    [for_organiser] = events(evening.organiser, "note")
    assert for_organiser["note"]["hidden"] is True and for_organiser["note"]["uuid"] == uuid
    assert events(evening["carla"]) == []
    assert evening["bram"].emit("sync", {}, callback=True)["snapshot"]["notes"] == []

    shown = emit_ok(evening.organiser, "note.unhide", {"note": uuid})
    assert [n["note"]["hidden"] for n in events(evening["bram"], "note")] == [False]
    assert shown["note"]["text"] == "Ongepast"
    assert refused(evening.organiser, "note.hide", {"note": new_op()})["error"] == "not_found"


def test_capping_a_theme(app: Flask, evening: Evening) -> None:
    ack = emit_ok(evening.organiser, "theme.cap", {"theme": "overgangen", "capacity": 1})
    assert ack["theme"] == {"key": "overgangen", "capacity": 1, "count": 0, "full": False}
    assert events(evening.projector, "theme") == [{"seq": ack["seq"], "theme": ack["theme"]}]
    client, _eva = join_over_http(app, evening.meetup, "Eva Smit")
    client_f, _fred = join_over_http(app, evening.meetup, "Fred Smit")
    emit_ok(connect(app, client, evening.meetup.id), "theme.choose", {"theme": "overgangen"})
    full = connect(app, client_f, evening.meetup.id).emit(
        "theme.choose", {"op": new_op(), "theme": "overgangen"}, callback=True)
    assert full["error"] == "full"
    lifted = emit_ok(evening.organiser, "theme.cap", {"theme": "overgangen", "capacity": None})
    assert lifted["theme"]["capacity"] is None
    assert refused(evening.organiser, "theme.cap",
                   {"theme": "sport", "capacity": 3})["error"] == "not_found"
    assert refused(evening.organiser, "theme.cap",
                   {"theme": "taal", "capacity": 0})["error"] == "invalid"


def test_the_plenary_on_the_projector(evening: Evening) -> None:
    emit_ok(evening.organiser, "phase.set", {"phase": "agreements"})
    due = (date.today() + timedelta(days=30)).isoformat()
    for who, what in (("anna", "Voorleesouders"), ("carla", "Spreekuur JGZ")):
        uuid = new_op()
        emit_ok(evening[who], "agreement.create", {"agreement": uuid})
        emit_ok(evening[who], "agreement.update", {"agreement": uuid, "fields": {
            "what": what, "owner_name": who.title(), "owner_organisation": "School",
            "first_step": "Bellen", "due_date": due}})
        emit_ok(evening[who], "agreement.finalise", {"agreement": uuid})
    evening.drain()
    emit_ok(evening.organiser, "phase.set", {"phase": "plenary"})
    # Entering the plenary puts the first agreement on the projector at once.
    [opening] = events(evening.projector, "plenary")
    assert opening["position"] == 0 and opening["total"] == 2
    assert opening["agreement"]["what"] == "Voorleesouders"
    evening.drain()
    ack = emit_ok(evening.organiser, "plenary.show", {"position": 1})
    assert ack["position"] == 1 and ack["total"] == 2
    assert ack["agreement"]["what"] == "Spreekuur JGZ"
    [shown] = events(evening.projector, "plenary")
    assert shown["agreement"]["what"] == "Spreekuur JGZ" and shown["seq"] == ack["seq"]
    assert events(evening.organiser, "plenary")
    # Every phone shows the agreement on the projector too (to sign on to it).
    assert [p["agreement"]["what"] for p in events(evening["anna"], "plenary")] == ["Spreekuur JGZ"]
    assert refused(evening.organiser, "plenary.show", {"position": -1})["error"] == "invalid"
