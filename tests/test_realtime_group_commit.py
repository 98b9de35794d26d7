"""Group commit: writes that arrive together share one transaction, each in its own savepoint.

What a person would notice: of three writes sent at the same moment, a refused one does not take
the other two down with it, each stored write gets its own ``seq``, and an answer kept for a
resent write goes only to the phone that sent it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Meetup, Operation
from meetup.realtime import writer
from meetup.services import operations
from meetup.services.errors import Conflict


def _writing(meetup_id: int, kind: str, fail: bool = False) -> writer.Job:
    def run(session: Any, replay_only: bool) -> tuple[dict[str, Any], None, int]:
        meetup = session.get(Meetup, meetup_id)
        seq = operations.bump(session, meetup)
        operations.record(session, meetup_id, None, kind, uuid.uuid4())
        if fail:
            raise Conflict()
        return {"ok": True, "seq": seq}, None, seq

    return writer.Job(run)


def test_a_refused_write_in_a_batch_keeps_the_others_and_their_own_seqs(
        app: Any, meetup: Meetup) -> None:
    start = meetup.revision
    jobs = [_writing(meetup.id, "eerste"), _writing(meetup.id, "geweigerd", fail=True),
            _writing(meetup.id, "derde")]
    db.session.commit()
    writer.run_batch(jobs, in_request=True)

    assert isinstance(jobs[1].error, Conflict) and jobs[1].outcome is None
    first, third = jobs[0].outcome[0], jobs[2].outcome[0]
    assert first["seq"] == start + 1 and third["seq"] == start + 2
    db.session.expire_all()
    kinds = sorted(db.session.scalars(select(Operation.kind)))
    assert kinds == ["derde", "eerste"]
    assert db.session.get(Meetup, meetup.id).revision == start + 2


def test_a_replay_is_answered_only_to_its_own_sender() -> None:
    cache = writer.ReplayCache(size=2)
    op = uuid.uuid4()
    anna = writer.sender_key("participant", 1, 10, op)
    bram = writer.sender_key("participant", 1, 11, op)
    cache.put(anna, {"ok": True, "seq": 7})
    assert cache.get(anna) == {"ok": True, "seq": 7, "duplicate": True}
    assert cache.get(bram) is None
    cache.put(writer.sender_key("participant", 1, 10, uuid.uuid4()), {"ok": True, "seq": 8})
    cache.put(writer.sender_key("participant", 1, 10, uuid.uuid4()), {"ok": True, "seq": 9})
    assert cache.get(anna) is None  # bounded: the oldest answer went first
