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


def _fast_path(fail_with: Exception | None = None) -> Any:
    """A batch fast path that stores every other write itself and leaves the rest."""
    def batch(session: Any, jobs: list[writer.Job]) -> list[writer.Job]:
        meetup = session.get(Meetup, jobs[0].data)
        for job in jobs[::2]:
            seq = operations.bump(session, meetup)
            operations.record(session, meetup.id, None, "snel", uuid.uuid4())
            job.outcome = ({"ok": True, "seq": seq}, None, seq)
        if fail_with is not None:
            raise fail_with
        return jobs[1::2]
    return batch


def test_writes_on_a_fast_path_and_one_by_one_share_the_transaction(
        app: Any, meetup: Meetup) -> None:
    start = meetup.revision
    fast = _fast_path()
    jobs = [_writing(meetup.id, "los"), *[_writing(meetup.id, "traag") for _ in range(3)]]
    for job in jobs[1:]:
        job.batch, job.data = fast, meetup.id
    db.session.commit()
    writer.run_batch(jobs, in_request=True)

    # Consecutive writes of one fast path go together; what it leaves runs one by one.
    assert [job.outcome[0]["seq"] for job in jobs] == [start + 1, start + 2, start + 4,
                                                      start + 3]
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Operation.kind))) == ["los", "snel", "snel",
                                                                  "traag"]


def test_a_fast_path_that_fails_leaves_its_writes_to_the_one_by_one_path(
        app: Any, meetup: Meetup) -> None:
    from sqlalchemy.exc import IntegrityError

    start = meetup.revision
    fast = _fast_path(fail_with=IntegrityError("INSERT", {}, Exception("twin")))
    jobs = [_writing(meetup.id, "traag") for _ in range(3)]
    for job in jobs:
        job.batch, job.data = fast, meetup.id
    db.session.commit()
    writer.run_batch(jobs, in_request=True)

    # Nothing of the failed fast path is kept; every write is stored once, one by one.
    assert [job.outcome[0]["seq"] for job in jobs] == [start + 1, start + 2, start + 3]
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Operation.kind))) == ["traag"] * 3
    assert db.session.get(Meetup, meetup.id).revision == start + 3


def test_under_gevent_a_failed_shared_commit_answers_every_write_with_an_error(
        tmp_path: Any, database_url: str) -> None:
    """As ``meetup serve`` runs (gevent, the writer greenlet): four phones and the organiser
    write at once, their one shared commit fails. Nobody is told ``ok`` and nobody hears of
    any of those writes; nothing is stored. A later write is stored and heard as usual."""
    from tests.gevent_scenarios import run_scenario

    seen = run_scenario("group_commit_fails", tmp_path, database_url)
    assert seen["batches"][0] == 5, seen["batches"]  # the five writes shared one commit
    assert {who: (ack["ok"], ack.get("error")) for who, ack in seen["acks"].items()} == {
        who: (False, "server_error") for who in ("anna", "bram", "carla", "dirk", "organiser")}
    assert all(ack["message"] == "Er ging bij ons iets mis. Probeer het nog eens."
               for ack in seen["acks"].values())
    assert seen["later"]["ok"] is True
    # Counters and the organiser's table rows are recounted from the database; everything
    # else a socket received is the later note, at Anna and Bram's table and the organiser.
    heard = {who: [name for name in names if name not in ("counts", "overview")]
             for who, names in seen["heard"].items()}
    assert heard == {"anna": ["note:Nu wel"], "bram": ["note:Nu wel"], "carla": [],
                     "dirk": [], "organiser": ["note:Nu wel"], "projector": []}
    assert seen["stored_notes"] == ["Nu wel"]
