"""Emit-after-commit, seen from outside the handler's own transaction.

The in-process socket tests run the handlers on the test's own database session, so a test
that reads the database through that session cannot tell committed rows from rows that were
only flushed. These tests look from elsewhere:

- a *second engine* (its own connection, like another worker or the organiser's laptop
  reloading) reads the database at the very moment a broadcast leaves: whatever a broadcast
  announces must already be committed there;
- the *commit itself fails*: then nobody may have heard of the write.

Every socket write commits in ``writer.run_batch`` (``handlers.run_write`` hands it there, also
under threads). Planting the batch's broadcasts (``send_all(_after_commit(jobs), app)``) before
``session.commit()`` there turns both red. Under gevent (the writer greenlet) the same promise
is guarded by ``test_under_gevent_a_failed_shared_commit_answers_every_write_with_an_error`` in
``test_realtime_group_commit.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, func, select, text

from meetup.extensions import db, socketio
from meetup.models import Meetup, Note, Phase
from tests.realtime_helpers import Evening, emit_ok, events, new_op, set_phase


@pytest.fixture
def evening(app: Flask, meetup: Meetup) -> Evening:
    return Evening(app, meetup)


@pytest.fixture
def outside(app: Flask) -> Iterator[Engine]:
    """A second engine on the same database: it sees committed data only."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    yield engine
    engine.dispose()


class Witness:
    """Wraps ``socketio.emit``: for every broadcast, what the second engine saw right then."""

    def __init__(self, engine: Engine, meetup_id: int) -> None:
        self.engine = engine
        self.meetup_id = meetup_id
        self.seen: list[dict[str, Any]] = []

    def look(self, event: str, payload: Any) -> None:
        with self.engine.connect() as conn:
            revision = conn.execute(text("SELECT revision FROM meetups WHERE id = :id"),
                                    {"id": self.meetup_id}).scalar_one()
            note = payload.get("note") if isinstance(payload, dict) else None
            note_uuid = note.get("uuid") if isinstance(note, dict) else None
            stored_text = None
            if note_uuid:
                stored_text = conn.execute(
                    select(Note.text).where(Note.uuid == _uuid(note_uuid))).scalar()
        self.seen.append({"event": event, "seq": (payload or {}).get("seq")
                          if isinstance(payload, dict) else None,
                          "committed_revision": revision, "note": note,
                          "committed_text": stored_text})


def _uuid(value: str) -> Any:
    from uuid import UUID

    return UUID(value)


@pytest.fixture
def witness(outside: Engine, evening: Evening,
            monkeypatch: pytest.MonkeyPatch) -> Witness:
    seen = Witness(outside, evening.meetup.id)
    real_emit = socketio.emit

    def emit(event: str, *args: Any, **kwargs: Any) -> Any:
        seen.look(event, args[0] if args else None)
        return real_emit(event, *args, **kwargs)

    monkeypatch.setattr(socketio, "emit", emit)
    return seen


def test_a_broadcast_announces_only_what_another_connection_can_already_read(
        evening: Evening, witness: Witness) -> None:
    evening.drain()
    ack = emit_ok(evening["anna"], "note.create",
                  {"note": new_op(), "round": "happens", "text": "Voorleesouders"})
    emit_ok(evening["anna"], "note.edit",
            {"note": ack["note"]["uuid"], "text": "Voorleesouders op school"})
    set_phase(evening.meetup, Phase.VOTING)
    emit_ok(evening["bram"], "vote.add", {"vote": new_op(), "note": ack["note"]["uuid"]})
    emit_ok(evening.organiser, "message.send", {"text": "Nog vijf minuten"})

    with_seq = [s for s in witness.seen if s["seq"] is not None]
    assert {s["event"] for s in with_seq} >= {"note", "votes", "message"}, witness.seen
    for sight in with_seq:
        # Another worker serving a reload at this moment already has this state.
        assert sight["committed_revision"] >= sight["seq"], sight
        if sight["event"] == "note" and sight["note"].get("text"):
            assert sight["committed_text"] == sight["note"]["text"], sight
    # And the phones saw what the database holds.
    assert [n["note"]["text"] for n in events(evening["bram"], "note")] == \
        ["Voorleesouders", "Voorleesouders op school"]


def test_when_the_commit_fails_nobody_hears_of_the_write(
        evening: Evening, outside: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    evening.drain()

    def failing_commit() -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    ack = evening["anna"].emit("note.create", {"op": new_op(), "note": new_op(),
                                               "round": "happens", "text": "Nooit bewaard"},
                               callback=True)
    assert ack["ok"] is False and ack["error"] == "server_error"
    organiser_ack = evening.organiser.emit("message.send", {"op": new_op(), "text": "Weg"},
                                           callback=True)
    assert organiser_ack["ok"] is False and organiser_ack["error"] == "server_error"
    for sock in (evening["anna"], evening["bram"], evening.organiser, evening.projector,
                 evening["carla"]):
        # Head counts asked for by the connects go out up to a second later, from their own
        # session (committed data only); anything else would be news of the failed write.
        assert [item["name"] for item in sock.get_received() if item["name"] != "counts"] == []
    with outside.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Note.__table__)).scalar() == 0

    # The next write, with a working commit, is heard as usual.
    monkeypatch.undo()
    emit_ok(evening["anna"], "note.create",
            {"note": new_op(), "round": "happens", "text": "Nu wel"})
    assert [n["note"]["text"] for n in events(evening["bram"], "note")] == ["Nu wel"]
