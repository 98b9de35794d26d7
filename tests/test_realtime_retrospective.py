"""The Terugblik over the socket (issue 25, point 3): the organiser steps, a matched owner
updates from their phone and the projector follows after the commit; an unmatched phone is
refused; a replay answers only what the sender may see; the follow-up link is heard too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from meetup.config import PARTICIPANT_SESSION_KEY
from meetup.extensions import db, socketio
from meetup.models import ConsentKind, ReminderConsent
from meetup.services import joining
from tests.realtime_helpers import connect, emit_ok, events, login_over_http, new_op
from tests.series_factories import earlier_meetup, follow_up


def join_with_email(app: Flask, meetup: Any, name: str, email: str) -> FlaskClient:
    client = app.test_client()
    response = client.post(f"/j/{meetup.join_token}", data={
        "display_name": name, "role": "leerkracht_po", "organisation": "Bieb",
        "email": email})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with client.session_transaction() as session:
        assert joining.participant_for_token(
            db.session, meetup.id, session[PARTICIPANT_SESSION_KEY][str(meetup.id)])
    return client


class Room:
    """Tonight's follow-up meetup: Fatima (matched to her voorlezen by her consent e-mail)
    and Gijs (no match) on their phones, the organiser's window and the projector."""

    def __init__(self, app: Flask, organiser: Any) -> None:
        self.earlier, self.made = earlier_meetup(organiser)
        db.session.add(ReminderConsent(meetup_id=self.earlier.id,
                                       agreement_id=self.made["voorlezen"].id,
                                       kind=ConsentKind.REMINDERS, email="fatima@bieb.nl"))
        self.meetup = follow_up(organiser, self.earlier)
        db.session.commit()
        self.fatima = connect(app, join_with_email(app, self.meetup, "Fatima", "Fatima@bieb.nl"),
                              self.meetup.id)
        self.gijs = connect(app, join_with_email(app, self.meetup, "Gijs", "gijs@kok.nl"),
                            self.meetup.id)
        owner = login_over_http(app, organiser)
        self.organiser = connect(app, owner, self.meetup.id, "organiser")
        self.projector = connect(app, owner, self.meetup.id, "projector")
        self.drain()

    def drain(self) -> None:
        for sock in (self.fatima, self.gijs, self.organiser, self.projector):
            sock.get_received()


@pytest.fixture
def room(app: Flask, organiser: Any) -> Room:
    return Room(app, organiser)


def test_the_organiser_steps_and_the_projector_follows(room: Room) -> None:
    emit_ok(room.organiser, "phase.set", {"phase": "retrospective"})
    [opening] = events(room.projector, "retrospective")
    assert opening["position"] == 0 and opening["total"] == 3
    assert opening["agreement"]["what"] == "Voorleesouders op elke school"
    assert opening["counts"]["no_news"] == 2
    assert events(room.organiser, "retrospective") == [opening]
    assert events(room.gijs, "retrospective") == []  # the phones show their own part only
    step = emit_ok(room.organiser, "retrospective.show", {"position": 2})
    [shown] = events(room.projector, "retrospective")
    assert shown["agreement"]["theme"] == "zorg" and shown["position"] == step["retrospective"]["position"] == 2
    assert shown["seq"] > opening["seq"]
    # The projector's reconnect snapshot shows the same.
    snapshot = room.projector.emit("sync", {}, callback=True)
    assert snapshot["snapshot"]["retrospective"]["position"] == 2
    refused = room.gijs.emit("retrospective.show", {"op": new_op(), "position": 0},
                             callback=True)
    assert refused["ok"] is False and refused["error"] == "forbidden"


def test_a_matched_owner_updates_and_the_projector_and_organiser_hear_it(room: Room) -> None:
    emit_ok(room.organiser, "phase.set", {"phase": "retrospective"})
    room.drain()
    mine = room.fatima.emit("retrospective.mine", {}, callback=True)
    assert mine["ok"] is True
    assert [a["what"] for a in mine["agreements"]] == ["Voorleesouders op elke school"]
    assert "followup_token" not in str(mine)
    assert room.gijs.emit("retrospective.mine", {}, callback=True)["agreements"] == []

    uuid = mine["agreements"][0]["uuid"]
    ack = emit_ok(room.fatima, "retrospective.update",
                  {"agreement": uuid, "status": "done", "note": "Alle scholen doen mee"})
    assert ack["retro"]["status"] == "done"
    [heard] = events(room.projector, "retrospective")
    assert heard["agreement"]["status"] == "done" and heard["counts"]["done"] == 1
    assert heard["agreement"]["note"] == "Alle scholen doen mee"
    assert events(room.organiser, "retrospective") == [heard]
    assert events(room.fatima, "retrospective.mine")[0]["retro"]["status"] == "done"
    assert events(room.gijs) == []
    assert room.made["voorlezen"].updates[-1].source == "retrospective"


def test_an_unmatched_phone_is_forbidden_and_a_replay_reveals_nothing(room: Room,
                                                                      app: Flask) -> None:
    emit_ok(room.organiser, "phase.set", {"phase": "retrospective"})
    room.drain()
    target = str(room.made["voorlezen"].uuid)
    refused = room.gijs.emit("retrospective.update", {"op": new_op(), "agreement": target,
                                                      "status": "stopped"}, callback=True)
    assert refused["ok"] is False and refused["error"] == "forbidden"
    assert events(room.projector) == [] and room.made["voorlezen"].updates[-1].source == "owner"

    op = new_op()
    payload = {"op": op, "agreement": target, "status": "done", "note": "Klaar"}
    first = room.fatima.emit("retrospective.update", payload, callback=True)
    assert first["ok"] is True
    room.drain()
    app.extensions["meetup_replays"]._answers.clear()  # a restart: the database answers
    again = room.fatima.emit("retrospective.update", payload, callback=True)
    assert again["ok"] is True and again.get("duplicate") is True
    assert again["retro"]["note"] == "Klaar"
    # Gijs replays Fatima's op: acknowledged, but not shown her agreement, and nothing changes.
    stolen = room.gijs.emit("retrospective.update", payload, callback=True)
    assert stolen.get("duplicate") is True and "retro" not in stolen
    assert len([u for u in room.made["voorlezen"].updates if u.source == "retrospective"]) == 1
    assert events(room.projector) == []


def test_outside_the_terugblik_a_phone_cannot_update(room: Room) -> None:
    ack = room.fatima.emit("retrospective.update", {
        "op": new_op(), "agreement": str(room.made["voorlezen"].uuid), "status": "done"},
        callback=True)
    assert ack["ok"] is False and ack["error"] == "wrong_phase"


def test_the_follow_up_link_reaches_the_projector_too(room: Room, app: Flask) -> None:
    emit_ok(room.organiser, "phase.set", {"phase": "retrospective"})
    room.drain()
    henk = app.test_client()
    response = henk.post(f"/f/{room.made['taalcafe'].followup_token}",
                         data={"status": "stopped", "note": "Geen ruimte gevonden"})
    assert response.status_code == 302
    [heard] = events(room.projector, "retrospective")
    assert heard["counts"]["stopped"] == 1 and heard["counts"]["no_news"] == 1
    assert events(room.organiser, "retrospective") == [heard]
    assert room.made["taalcafe"].updates[-1].source == "retrospective"


# -- emit after commit ---------------------------------------------------------------------


@pytest.fixture
def outside(app: Flask) -> Iterator[Engine]:
    """A second engine on the same database: it sees committed data only."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    yield engine
    engine.dispose()


def test_the_projector_hears_of_an_update_only_after_its_commit(
        room: Room, outside: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    emit_ok(room.organiser, "phase.set", {"phase": "retrospective"})
    room.drain()
    seen: list[tuple[int, int, int]] = []
    real_emit = socketio.emit

    def emit(event: str, *args: Any, **kwargs: Any) -> Any:
        if event == "retrospective":
            with outside.connect() as conn:
                revision = conn.execute(text("SELECT revision FROM meetups WHERE id = :id"),
                                        {"id": room.meetup.id}).scalar_one()
                done = conn.execute(text(
                    "SELECT count(*) FROM agreement_updates WHERE source = 'retrospective'"
                )).scalar_one()
            seen.append((args[0]["seq"], revision, done))
        return real_emit(event, *args, **kwargs)

    monkeypatch.setattr(socketio, "emit", emit)
    emit_ok(room.fatima, "retrospective.update",
            {"agreement": str(room.made["voorlezen"].uuid), "status": "done"})
    assert seen and all(revision >= seq and done == 1 for seq, revision, done in seen), seen

    def failing_commit() -> None:
        raise RuntimeError("database is locked")

    seen.clear()
    monkeypatch.setattr(db.session, "commit", failing_commit)
    ack = room.fatima.emit("retrospective.update", {
        "op": new_op(), "agreement": str(room.made["voorlezen"].uuid), "status": "stopped"},
        callback=True)
    assert ack["ok"] is False and seen == []
