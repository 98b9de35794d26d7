"""Group commit: write events that arrive together share one transaction, and replay answers.

Under gevent (``meetup serve``) every socket write event is handed to one writer greenlet per
process. The writer takes everything queued, runs each write in a SAVEPOINT of one shared
transaction (a write that fails rolls back its savepoint only), commits once, wakes the waiting
events, which acknowledge, and then sends the batch's broadcasts. Consecutive new notes take a
fast path (:mod:`meetup.services.note_batch`, see ``Job.batch``). So 100 notes sent within a
few milliseconds cost one commit (one ``fsync`` on SQLite) instead of 100, and the promises of
docs/realtime.md
hold for each write: acknowledged only after the commit that stored it, broadcast after the
acknowledgement, an ``op`` stored once. Under plain threads (the test suite) a write runs at
once in the calling thread, the same code with a batch of one.

:class:`ReplayCache` keeps the acknowledgement of recently applied writes in memory, keyed by
who sent it and its ``op``: a page resending a write it never heard back about gets the same
answer again without a transaction (see docs/realtime.md, "Replays").
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import flask_babel
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from meetup.extensions import db
from meetup.realtime.emit import Outbox, send_all
from meetup.services import operations
from meetup.services.errors import DomainError

log = logging.getLogger(__name__)

#: Writes one transaction takes at most (the rest wait for the next one). SQLite work does not
#: yield to other greenlets, so a batch must stay short: between two batches the acks,
#: broadcasts and Engine.IO pongs queued meanwhile go out (a long block would make the server
#: drop sockets for a missed pong).
MAX_BATCH = 50
#: Acknowledgements kept for replays, per worker process.
REPLAY_CACHE_SIZE = 20_000


class ReplayCache:
    """The last ``size`` acknowledgements by (sender, op); least recently stored go first."""

    def __init__(self, size: int = REPLAY_CACHE_SIZE) -> None:
        self.size = size
        self._answers: OrderedDict[Hashable, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> dict[str, Any] | None:
        with self._lock:
            answer = self._answers.get(key)
        return None if answer is None else {**answer, "duplicate": True}

    def put(self, key: Hashable, answer: dict[str, Any]) -> None:
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)


def replay_cache(app: Flask) -> ReplayCache:
    cache = app.extensions.get("meetup_replays")
    if cache is None:
        cache = app.extensions["meetup_replays"] = ReplayCache(
            app.config.get("SOCKET_REPLAY_CACHE_SIZE", REPLAY_CACHE_SIZE))
    return cache


def sender_key(kind: str, meetup_id: int, person_id: int | None, op: uuid.UUID,
               event: str = "") -> Hashable:
    """Replays are answered from memory only to the sender of the original write, for the
    same event (the same op sent as another event gets no state back: issue 14)."""
    return (kind, meetup_id, person_id, op, event)


@dataclass
class Job:
    """One write waiting for the writer: ``run(session)`` applies it inside a savepoint.

    ``batch``: optional fast path. Consecutive jobs with the same ``batch`` function are
    handed to it together (``batch(session, jobs)``, in one savepoint); it sets their
    ``outcome`` or ``error`` and returns the jobs it left to ``run`` one by one.
    """

    run: Callable[[Any, bool], Any]
    environ: dict[str, Any] | None = None
    batch: Callable[[Any, list[Job]], list[Job]] | None = None
    #: What ``batch`` needs of this write.
    data: Any = None
    outcome: Any = None
    error: BaseException | None = None
    done: Any = field(default=None, repr=False)


class GroupCommitter:
    """One writer greenlet per app: runs queued jobs in shared transactions."""

    def __init__(self, app: Flask, run_batch: Callable[[list[Job]], None]) -> None:
        import gevent.event

        self.app = app
        self.run_batch = run_batch
        self.queue: list[Job] = []
        self.wakeup = gevent.event.Event()
        self.greenlet: Any = None

    def submit(self, job: Job) -> Any:
        """Queue ``job`` and wait until its transaction has committed (or failed)."""
        import gevent
        import gevent.event

        job.done = gevent.event.Event()
        self.queue.append(job)
        self.wakeup.set()
        if self.greenlet is None or self.greenlet.dead:
            self.greenlet = gevent.spawn(self._loop)
        job.done.wait()
        return job

    def _loop(self) -> None:
        import gevent

        while True:
            self.wakeup.wait()
            self.wakeup.clear()
            while self.queue:
                batch, self.queue = self.queue[:MAX_BATCH], self.queue[MAX_BATCH:]
                outboxes: list[Outbox] = []
                with self.app.app_context():
                    try:
                        self.run_batch(batch)
                        outboxes = _after_commit(batch)
                    except BaseException as error:
                        log.exception("group commit failed")
                        for job in batch:
                            if job.outcome is None and job.error is None:
                                job.error = error
                    for job in batch:
                        job.done.set()
                    gevent.sleep(0)  # let the woken events acknowledge first
                    # Then the batch's broadcasts, together (one greenlet, merged counters).
                    try:
                        send_all(outboxes, self.app)
                    except Exception:  # the writer must keep running
                        log.exception("broadcasting a batch failed")


def _after_commit(jobs: list[Job]) -> list[Outbox]:
    """The stored writes' after-commit actions (room changes, before the acks); their outboxes."""
    outboxes = []
    for job in jobs:
        if job.error is None and job.outcome is not None:
            _ack, outbox, seq = job.outcome
            if outbox is not None:
                outbox.prepare(seq)
                outboxes.append(outbox)
    return outboxes


def run_batch(jobs: list[Job], in_request: bool = False) -> None:
    """Run ``jobs`` in one transaction, each in a savepoint; commit once.

    A job that fails rolls back its own savepoint and gets its error; the others are kept.
    When the commit itself fails, every job gets the error (nothing was stored). Consecutive
    jobs with the same fast path (``Job.batch``) run together, in one savepoint.
    """
    session = db.session
    operations.begin_batch(session)
    start = 0
    while start < len(jobs):
        fast = jobs[start].batch
        end = start + 1
        while fast is not None and end < len(jobs) and jobs[end].batch is fast:
            end += 1
        slow = jobs[start:end] if fast is None else _run_fast(session, fast, jobs[start:end])
        for job in slow:
            _run_one(session, job, in_request)
        start = end
    try:
        session.commit()
    except Exception as error:
        session.rollback()
        log.exception("committing %d socket writes failed", len(jobs))
        for job in jobs:
            if job.error is None:
                job.outcome, job.error = None, error


def _run_fast(session: Session, fast: Callable[[Any, list[Job]], list[Job]],
              jobs: list[Job]) -> list[Job]:
    """``jobs`` through their fast path in one savepoint; returns those left to run one by one.

    When the fast path fails as a whole (e.g. a twin of one of the writes, sent to another
    worker, was stored meanwhile), its savepoint is rolled back and every job runs one by one.
    """
    nested = session.begin_nested()
    try:
        slow = fast(session, jobs)
        nested.commit()
        return slow
    except Exception as error:
        nested.rollback()
        session.expire_all()
        if not isinstance(error, IntegrityError):
            log.exception("fast path of %d socket writes failed", len(jobs))
        for job in jobs:
            job.outcome, job.error = None, None
        return jobs


def _run_one(session: Session, job: Job, in_request: bool) -> None:
    """One job in its own savepoint (see :func:`run_batch`)."""
    with _sender_context(job, in_request):
        nested = session.begin_nested()
        try:
            job.outcome = job.run(session, False)
            nested.commit()
            return
        except DomainError as error:
            nested.rollback()
            job.error = error
        except IntegrityError:
            # A concurrent twin of this write (same op) won the race: answer as a replay.
            nested.rollback()
            session.expire_all()
            nested = session.begin_nested()
            try:
                job.outcome = job.run(session, True)
                nested.commit()
                return
            except Exception as error:
                nested.rollback()
                log.exception("socket write after a conflict failed")
                job.error = error
        except Exception as error:
            nested.rollback()
            log.exception("socket write failed")
            job.error = error
        # What the failed write changed in memory (e.g. the revision) is read again.
        session.expire_all()


@contextmanager
def _sender_context(job: Job, in_request: bool) -> Iterator[None]:
    """Texts built during the write (e.g. a round's question) in the sender's language."""
    if in_request or job.environ is None:
        yield
        return
    with current_app.request_context(job.environ):
        flask_babel.refresh()
        yield


def committer(app: Flask) -> GroupCommitter:
    committer = app.extensions.get("meetup_writer")
    if committer is None:
        committer = app.extensions["meetup_writer"] = GroupCommitter(app, run_batch)
    return committer
