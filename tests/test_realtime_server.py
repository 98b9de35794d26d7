"""A real ``meetup serve`` (gevent) on loopback with real Socket.IO clients over websockets.

Four phones at two tables and the organiser's window, joined over HTTP like browsers do. Each
phone sees exactly its own table's notes; a dropped connection and a killed server lose
nothing that was acknowledged, and writes resent with the same ``op`` are stored once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import socketio  # python-socketio's client
import websocket
from flask import Flask

from meetup.extensions import db
from meetup.models import Meetup, Note
from meetup.services import meetups, organisers
from tests.servers import LiveServer, inprocess_app, live_server
from tests.socket_clients import Socket, join, log_in

pytestmark = pytest.mark.server

PASSWORD = "server-test-password"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("realtime")) as srv:
        yield srv


@pytest.fixture(scope="module")
def seed_app(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An in-process app on the server's SQLite file, to seed and to check the database."""
    with inprocess_app(server.database_url, server.env["MEETUP_SECRET_KEY"],
                       tmp_path_factory.mktemp("instance")) as app:
        yield app


@pytest.fixture
def meetup(seed_app: Flask) -> Meetup:
    organiser = organisers.create_organiser(
        db.session, f"org-{uuid.uuid4().hex[:8]}@example.org", PASSWORD)
    created = meetups.create_meetup(db.session, organiser, title="Meetup Hilversum",
                                    starts_at=datetime(2026, 12, 3, 17, 30, tzinfo=UTC))
    db.session.commit()
    return created


@pytest.fixture
def sockets() -> Iterator[list[Socket]]:
    opened: list[Socket] = []
    yield opened
    for sock in opened:
        sock.close()


PEOPLE = {"anna": ("taal", "leerkracht_po", "OBS De Regenboog"),
          "bram": ("taal", "jeugdwerk", "Jongerenwerk Hilversum"),
          "carla": ("zorg", "ggd_jgz", "GGD Gooi"),
          "dirk": ("zorg", "docent_vo", "Comenius College")}


def evening(server: LiveServer, meetup: Meetup,
            sockets: list[Socket]) -> tuple[dict[str, Socket], Socket]:
    """Join four phones over HTTP, let them choose themes, form tables, open round 1."""
    organiser = Socket(server, log_in(server, meetup, PASSWORD), meetup.id, "organiser").connect()
    sockets.append(organiser)
    phones: dict[str, Socket] = {}
    for name, (_theme, role, organisation) in PEOPLE.items():
        cookie = join(server, meetup, f"{name.title()} Jansen", role, organisation)
        phones[name] = Socket(server, cookie, meetup.id).connect()
        sockets.append(phones[name])
    organiser.write("phase.set", {"phase": "theme_choice"})
    for name, (theme, _role, _organisation) in PEOPLE.items():
        assert phones[name].write("theme.choose", {"theme": theme})["table"] is None
    organiser.write("tables.form", {})
    for phone in phones.values():
        phone.wait(lambda p=phone: p.events("resync"))
        assert phone.call("sync", {})["snapshot"]["table"] is not None
    organiser.write("phase.set", {"phase": "round_1"})
    return phones, organiser


def note_texts(snapshot: dict[str, Any]) -> list[str]:
    return sorted(n["text"] for n in snapshot["notes"])


def test_phones_see_exactly_their_own_tables_notes(server: LiveServer, meetup: Meetup,
                                                   sockets: list[Socket]) -> None:
    phones, organiser = evening(server, meetup, sockets)
    # Commit, acknowledge, then broadcast: the writer hears its ack before its own broadcast.
    anna = phones["anna"]
    first = str(uuid.uuid4())
    anna.client.emit("note.create", {"op": str(uuid.uuid4()), "note": first, "round": "happens",
                                     "text": "taal anna 0"},
                     callback=lambda ack: anna._record("(ack)", ack))
    anna.wait(lambda: anna.events("(ack)") and anna.events("note"))
    with anna.lock:
        order = [event for event, payload in anna.received
                 if event == "(ack)" or (event == "note" and payload["note"]["uuid"] == first)]
    assert order == ["(ack)", "note"]
    written: dict[str, set[str]] = {"taal": {first}}
    for name, phone in phones.items():
        theme = PEOPLE[name][0]
        for i in (1, 2):
            ack = phone.write("note.create", {"note": str(uuid.uuid4()), "round": "happens",
                                              "text": f"{theme} {name} {i}"})
            written.setdefault(theme, set()).add(ack["note"]["uuid"])
    for name, phone in phones.items():
        own, other = PEOPLE[name][0], "zorg" if PEOPLE[name][0] == "taal" else "taal"
        heard = phone.wait(lambda p=phone, own=own: (
            {e["note"]["uuid"] for e in p.events("note")} >= written[own]
            and {e["note"]["uuid"] for e in p.events("note")}))
        assert heard == written[own], name
        assert not heard & written[other]
        snapshot = phone.call("sync", {})["snapshot"]
        assert {n["uuid"] for n in snapshot["notes"]} == written[own]
    everything = written["taal"] | written["zorg"]
    organiser.wait(lambda: {e["note"]["uuid"] for e in organiser.events("note")} == everything)


def test_a_dropped_connection_loses_nothing_and_resent_ops_are_stored_once(
        server: LiveServer, seed_app: Flask, meetup: Meetup, sockets: list[Socket]) -> None:
    phones, organiser = evening(server, meetup, sockets)
    anna, bram = phones["anna"], phones["bram"]
    write = {"op": str(uuid.uuid4()), "note": str(uuid.uuid4()), "round": "happens",
             "text": "Voorleesouders"}
    first = anna.call("note.create", write)
    assert first["ok"] is True
    bram.wait(lambda: bram.events("note"))

    snapshots_before = len(anna.events("snapshot"))
    anna.drop()
    snapshot = anna.reconnected(snapshots_before)
    assert note_texts(snapshot) == ["Voorleesouders"] and snapshot["seq"] >= first["seq"]

    # The page resends its outbox after the snapshot: same op, stored and broadcast once.
    again = anna.call("note.create", write)
    assert again["ok"] is True and again["duplicate"] is True
    assert again["note"]["uuid"] == first["note"]["uuid"]
    edit = {"op": str(uuid.uuid4()), "note": write["note"], "text": "Voorleesouders in groep 3"}
    assert anna.call("note.edit", edit)["ok"] is True
    assert anna.call("note.edit", {**edit, "text": "anders"})["duplicate"] is True
    # A marker broadcast after everything above: the server sends to one socket in order, so
    # a wrongly repeated note broadcast would have arrived before the marker.
    organiser.write("message.send", {"text": "Nog vijf minuten"})
    bram.wait(lambda: bram.events("message"))
    assert [e["note"]["text"] for e in bram.events("note")] == \
        ["Voorleesouders", "Voorleesouders in groep 3"]
    db.session.expire_all()
    notes = db.session.query(Note).filter(Note.meetup_id == meetup.id).all()
    assert [n.text for n in notes] == ["Voorleesouders in groep 3"]


def test_a_killed_server_loses_nothing_acknowledged(server: LiveServer, meetup: Meetup,
                                                   sockets: list[Socket]) -> None:
    phones, organiser = evening(server, meetup, sockets)
    acked = [phones[name].write("note.create", {"note": str(uuid.uuid4()), "round": "happens",
                                                "text": f"Bewaard {name}"})
             for name in ("anna", "carla")]
    counts = {name: len(sock.events("snapshot")) for name, sock in
              [*phones.items(), ("organiser", organiser)]}
    assert server.process is not None
    server.process.kill()  # no clean shutdown: what was acknowledged must be on disk
    server.process.wait()
    server.process = None
    server.start()
    for name, sock in [*phones.items(), ("organiser", organiser)]:
        sock.reconnected(counts[name], timeout=30)
    assert note_texts(phones["anna"].events("snapshot")[-1]) == ["Bewaard anna"]
    assert note_texts(phones["dirk"].events("snapshot")[-1]) == ["Bewaard carla"]
    latest = organiser.events("snapshot")[-1]
    assert note_texts(latest) == ["Bewaard anna", "Bewaard carla"]
    assert latest["seq"] >= max(a["seq"] for a in acked)
    # And the evening goes on.
    phones["bram"].write("note.create", {"note": str(uuid.uuid4()), "round": "happens",
                                         "text": "Na de herstart"})
    phones["anna"].wait(lambda: any(e["note"]["text"] == "Na de herstart"
                                    for e in phones["anna"].events("note")))


def test_without_the_cookie_the_socket_is_refused_with_a_reason(
        server: LiveServer, meetup: Meetup, sockets: list[Socket]) -> None:
    stranger = Socket(server, None, meetup.id)
    sockets.append(stranger)
    with pytest.raises(socketio.exceptions.ConnectionError):
        stranger.connect()
    # What the page's connect_error handler gets as err.data:
    assert stranger.refusals and stranger.refusals[-1]["data"] == {
        "error": "unauthorised", "message": "Meld je eerst aan voor de meetup."}


def test_a_foreign_origin_cannot_open_a_socket(server: LiveServer) -> None:
    polling = f"{server.base_url}/socket.io/?EIO=4&transport=polling"
    assert requests.get(polling, headers={"Origin": server.base_url}, timeout=5).ok
    assert requests.get(polling, headers={"Origin": "https://evil.example"},
                        timeout=5).status_code == 400
    ws_url = server.base_url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    own = websocket.create_connection(ws_url, origin=server.base_url, timeout=5)
    own.close()
    with pytest.raises(websocket.WebSocketException):
        websocket.create_connection(ws_url, origin="https://evil.example", timeout=5)
