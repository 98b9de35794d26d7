"""A large room's organiser window gets its whole snapshot from a real ``meetup serve``.

simple-websocket wrote each frame with one ``socket.send`` and dropped what the kernel did not
take at once (``meetup/realtime/whole_frames.py``): the organiser's snapshot of a room with
tens of thousands of notes (several MB) arrived cut off and the window waited forever, with
no error on either side. A window on a slow link (venue Wi-Fi) fills the send buffer far
sooner; here the client's small receive buffer plays that link.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator

import pytest
import websocket
from flask import Flask
from sqlalchemy import insert

from meetup.extensions import db
from meetup.models import Meetup, Note, Phase, Round
from meetup.services import joining, meetups, organisers, phases, tables
from tests.servers import LiveServer, inprocess_app, live_server
from tests.socket_clients import log_in

pytestmark = pytest.mark.server

PASSWORD = "large-snapshot-password"
NOTES = 24_000  # about 9 MB of snapshot JSON: more than the kernel takes in one send


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("large")) as srv:
        yield srv


@pytest.fixture(scope="module")
def seed_app(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with inprocess_app(server.database_url, server.env["MEETUP_SECRET_KEY"],
                       tmp_path_factory.mktemp("instance")) as app:
        yield app


def big_room(notes: int) -> Meetup:
    """A meetup in round 1 whose one table holds ``notes`` notes of 270 characters."""
    organiser = organisers.create_organiser(
        db.session, f"org-{uuid.uuid4().hex[:8]}@example.org", PASSWORD)
    meetup = meetups.create_meetup(db.session, organiser, title="Grote zaal")
    person, _token = joining.join(db.session, meetup, joining.JoinRequest(
        "Anna Jansen", "leerkracht_po", "OBS De Regenboog"))
    joining.choose_theme(db.session, person, meetup.themes[0].key)
    db.session.commit()
    tables.form_tables(db.session, meetup)
    phases.set_phase(db.session, meetup, Phase.ROUND_1)
    db.session.commit()
    db.session.refresh(person)
    text = "Voorlezen op de voorschool en in groep 1-2 met dezelfde woorden. " * 4
    db.session.execute(insert(Note), [
        {"uuid": uuid.uuid4(), "meetup_id": meetup.id, "table_id": person.table_id,
         "author_id": person.id, "round": Round.HAPPENS, "text": f"{i} {text}"[:270]}
        for i in range(notes)])
    db.session.commit()
    return meetup


def snapshot_over_a_slow_link(server: LiveServer, cookie: str, meetup_id: int) -> dict:
    """Connect like the organiser's window with a small receive buffer (a slow link), read
    until the snapshot is complete (or 30 s pass without a byte)."""
    url = server.base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    ws = websocket.create_connection(
        url, header=[f"Cookie: {cookie}"], timeout=30,
        sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024),))
    try:
        assert ws.recv().startswith("0")  # Engine.IO open
        ws.send("40" + json.dumps({"meetup": meetup_id, "as": "organiser"}))
        while True:
            try:
                message = ws.recv()
            except websocket.WebSocketTimeoutException:
                pytest.fail("the organiser's snapshot never arrived whole (waited 30 s)")
            if message == "2":
                ws.send("3")
            elif message.startswith('42["snapshot",'):
                return json.loads(message[2:])[1]
    finally:
        ws.close()


def test_the_organiser_of_a_room_with_24000_notes_gets_every_note(
        server: LiveServer, seed_app: Flask) -> None:
    meetup = big_room(NOTES)
    snapshot = snapshot_over_a_slow_link(server, log_in(server, meetup, PASSWORD), meetup.id)
    assert len(snapshot["notes"]) == NOTES
    assert {note["text"].split(" ", 1)[0] for note in snapshot["notes"]} == \
        {str(i) for i in range(NOTES)}
