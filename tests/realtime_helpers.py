"""Helpers for the real-time tests: join over HTTP, connect sockets, read what they received."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from meetup.config import PARTICIPANT_SESSION_KEY
from meetup.extensions import db, socketio
from meetup.models import Meetup, Organiser, Participant, Phase
from meetup.services import joining, organisers, phases, tables

PASSWORD = "correct horse battery"


def new_op() -> str:
    return str(uuid.uuid4())


def join_over_http(app: Flask, meetup: Meetup, name: str, role: str = "leerkracht_po",
                   organisation: str = "OBS De Regenboog") -> tuple[FlaskClient, Participant]:
    """A phone that filled in the join form: its client carries the signed cookie."""
    client = app.test_client()
    response = client.post(f"/j/{meetup.join_token}", data={
        "display_name": name, "role": role, "organisation": organisation})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with client.session_transaction() as session:
        token = session[PARTICIPANT_SESSION_KEY][str(meetup.id)]
    participant = joining.participant_for_token(db.session, meetup.id, token)
    assert participant is not None
    return client, participant


def login_over_http(app: Flask, organiser: Organiser) -> FlaskClient:
    client = app.test_client()
    response = client.post("/organiser/login",
                           data={"email": organiser.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def make_organiser(email: str) -> Organiser:
    organiser = organisers.create_organiser(db.session, email, PASSWORD)
    db.session.commit()
    return organiser


def connect(app: Flask, client: FlaskClient | None, meetup_id: int, as_: str = "participant",
            **kwargs: Any) -> SocketIOTestClient:
    return socketio.test_client(app, flask_test_client=client,
                                auth={"meetup": meetup_id, "as": as_}, **kwargs)


def events(sock: SocketIOTestClient, name: str | None = None) -> list[dict[str, Any]]:
    """The payloads of the events received since the last call (all names, or one)."""
    return [_payload(item) for item in sock.get_received()
            if name is None or item["name"] == name]


def _payload(item: dict[str, Any]) -> Any:
    if item["name"] in ("message", "json"):
        # The test client unwraps these two names (Socket.IO's ``send``); on the wire
        # ``message`` is an ordinary event with one argument.
        return item["args"]
    return item["args"][0] if item["args"] else None


def names(sock: SocketIOTestClient) -> list[str]:
    return [item["name"] for item in sock.get_received()]


def wait_for(sock: SocketIOTestClient, name: str, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Events ``name`` that arrive within ``timeout`` (from a background task), else []."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = events(sock, name)
        if found:
            return found
        time.sleep(0.02)
    return []


def wait_until(test: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll ``test`` until it returns something truthy (then return that); fail after
    ``timeout``. For conditions, never for a fixed pause."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = test()
        if result:
            return result
        time.sleep(0.02)
    raise AssertionError(f"condition not met within {timeout} s")


def set_phase(meetup: Meetup, phase: Phase) -> None:
    phases.set_phase(db.session, meetup, phase, meetup.organiser)
    db.session.commit()


def choose(participant: Participant, theme: str) -> None:
    joining.choose_theme(db.session, participant, theme)
    db.session.commit()


def form_tables(meetup: Meetup) -> None:
    tables.form_tables(db.session, meetup, meetup.organiser)
    db.session.commit()


def emit_ok(sock: SocketIOTestClient, event: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Emit a write with a fresh ``op`` and return its acknowledgement, which must be ok."""
    ack = sock.emit(event, {"op": new_op(), **payload}, callback=True)
    assert ack["ok"] is True, ack
    return ack


class Evening:
    """A meetup in round 1 with two tables: Anna and Bram at the taal table, Carla and Dirk
    at the zorg table, each with a logged-in phone; plus the organiser's window."""

    def __init__(self, app: Flask, meetup: Meetup) -> None:
        self.app = app
        self.meetup = meetup
        people = {"anna": ("taal", "leerkracht_po", "OBS De Regenboog"),
                  "bram": ("taal", "jeugdwerk", "Jongerenwerk Hilversum"),
                  "carla": ("zorg", "ggd_jgz", "GGD Gooi"),
                  "dirk": ("zorg", "docent_vo", "Comenius College")}
        self.clients: dict[str, FlaskClient] = {}
        self.people: dict[str, Participant] = {}
        for name, (theme, role, organisation) in people.items():
            client, participant = join_over_http(app, meetup, name.title() + " Jansen", role,
                                                 organisation)
            choose(participant, theme)
            self.clients[name] = client
            self.people[name] = participant
        form_tables(meetup)
        set_phase(meetup, Phase.ROUND_1)
        self.ids = {name: p.id for name, p in self.people.items()}
        self.table_ids = {name: p.table_id for name, p in self.people.items()}
        assert self.table_ids["anna"] == self.table_ids["bram"] != self.table_ids["carla"]
        assert self.table_ids["carla"] == self.table_ids["dirk"]
        self.organiser_client = login_over_http(app, meetup.organiser)
        self.sockets = {name: connect(app, client, meetup.id)
                        for name, client in self.clients.items()}
        self.organiser = connect(app, self.organiser_client, meetup.id, "organiser")
        self.projector = connect(app, self.organiser_client, meetup.id, "projector")
        for sock in (*self.sockets.values(), self.organiser, self.projector):
            assert sock.is_connected()
            sock.get_received()  # the connect snapshot

    def __getitem__(self, name: str) -> SocketIOTestClient:
        return self.sockets[name]

    def drain(self) -> None:
        for sock in (*self.sockets.values(), self.organiser, self.projector):
            sock.get_received()
