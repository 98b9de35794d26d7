"""One person cannot flood the server through many sockets (issue 14, point 3).

The attacks: one cookie with 8 sockets stored 246 notes in 1.5 s (the allowance was per
socket); reconnecting reset it; ``sync`` and connects were unlimited (200 syncs slowed every
phone); and a client could send events named ``connect`` and ``disconnect``, which
python-socketio hands to the server's own connect/disconnect handlers.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import Meetup, Note, Phase
from tests.realtime_helpers import (
    choose,
    connect,
    form_tables,
    join_over_http,
    login_over_http,
    new_op,
    set_phase,
)


@pytest.fixture
def phone(app: Flask, meetup: Meetup):
    app.config.update(SOCKET_WRITE_BURST=10, SOCKET_WRITE_RATE=0)
    client, participant = join_over_http(app, meetup, "Mallory Jansen")
    choose(participant, "taal")
    form_tables(meetup)
    set_phase(meetup, Phase.ROUND_1)
    return client


def note(sock) -> dict:
    return sock.emit("note.create", {"op": new_op(), "note": new_op(), "round": "happens",
                                     "text": "spam"}, callback=True)


def notes() -> int:
    return db.session.scalar(select(func.count(Note.id)))


def test_many_sockets_of_one_person_share_one_allowance(app: Flask, meetup: Meetup,
                                                        phone) -> None:
    sockets = [connect(app, phone, meetup.id) for _ in range(4)]  # 4 of 10 spent connecting
    assert all(sock.is_connected() for sock in sockets)
    acks = [note(sock) for _ in range(5) for sock in sockets]
    assert sum(ack["ok"] for ack in acks) == 6
    assert {ack["error"] for ack in acks if not ack["ok"]} == {"rate_limited"}
    assert notes() == 6


def test_reconnecting_does_not_reset_the_allowance(app: Flask, meetup: Meetup, phone) -> None:
    sock = connect(app, phone, meetup.id)
    while note(sock)["ok"]:
        pass
    sock.disconnect()
    again = connect(app, phone, meetup.id)
    # The allowance is spent: the reconnect itself is refused (``rate_limited``).
    assert not again.is_connected()
    assert notes() == 9


def test_syncs_are_counted_too(app: Flask, meetup: Meetup, phone) -> None:
    sock = connect(app, phone, meetup.id)
    answers = [sock.emit("sync", callback=True) for _ in range(20)]
    assert sum(answer["ok"] for answer in answers) == 9
    assert answers[-1] == {"ok": False, "error": "rate_limited",
                           "message": answers[-1]["message"]}


def test_someone_else_keeps_their_own_allowance(app: Flask, meetup: Meetup, phone) -> None:
    sock = connect(app, phone, meetup.id)
    while note(sock)["ok"]:
        pass
    other_client, _other = join_over_http(app, meetup, "Anna Jansen")
    other = connect(app, other_client, meetup.id)
    assert other.is_connected()
    assert other.emit("sync", callback=True)["ok"] is True


@pytest.mark.parametrize("name", ["connect", "disconnect", "connect_error"])
def test_events_named_like_socketios_own_are_refused(app: Flask, meetup: Meetup,
                                                      name: str) -> None:
    client, _participant = join_over_http(app, meetup, "Mallory Jansen")
    sock = connect(app, client, meetup.id)
    sock.get_received()
    ack = sock.emit(name, {"meetup": meetup.id, "as": "organiser"}, callback=True)
    assert ack["ok"] is False and ack["error"] == "reserved_event"
    # No handler ran: no new snapshot, and the socket is still identified (not forgotten).
    # (The projector's coalesced head count, requested by the connect, may arrive any time.)
    assert [e for e in sock.get_received() if e["name"] != "counts"] == []
    assert sock.emit("sync", callback=True)["ok"] is True


def test_the_organisers_windows_share_one_allowance(app: Flask, meetup: Meetup) -> None:
    app.config.update(SOCKET_WRITE_BURST=3, SOCKET_WRITE_RATE=0)
    client = login_over_http(app, meetup.organiser)
    window = connect(app, client, meetup.id, "organiser")
    projector = connect(app, client, meetup.id, "projector")
    assert window.is_connected() and projector.is_connected()
    assert window.emit("sync", callback=True)["ok"] is True
    assert projector.emit("sync", callback=True)["error"] == "rate_limited"
