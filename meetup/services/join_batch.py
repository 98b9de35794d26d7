"""Group commit for joins: join forms posted together share one transaction (one ``fsync``).

When a room scans the QR code at once, a hundred join forms arrive within a few
milliseconds. Committed one by one, each costs an ``fsync`` (SQLite, ``synchronous=FULL``),
and under gevent nothing else runs meanwhile. Here the first request to arrive *leads*: it
yields once, so that the requests that arrived meanwhile queue their joins behind it, then
stores the queued joins in one transaction, each in a savepoint (a join that fails, e.g. a
closed meetup, rolls back its own savepoint only), commits once and wakes them. Each request
answers only after the commit that stored its participant. When joins queued up during the
leader's batch, the first of them leads the next batch.

Every new participant is counted against the meetup's expected size first
(``services.admission``): beyond it, a join that has to wait gets
:class:`~meetup.services.errors.Busy`. The counts are read inside the batch's transaction, and
one batch runs at a time, so a flood of joins posted at once cannot all pass the same count.

Under plain threads (the test suite) the same code runs, mostly with batches of one.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from meetup.models import Meetup
from meetup.services import admission, joining, operations
from meetup.services.errors import DomainError

log = logging.getLogger(__name__)

#: Joins one transaction takes at most: SQLite work does not yield to other greenlets, so a
#: batch stays short (the rest lead the next one).
MAX_BATCH = 50
#: How long the leader waits for more joins before it writes (seconds). The phones of a room
#: do not post at the very same instant: in the benchmark's storm the requests trickle in over
#: a few hundred milliseconds, and a bare yield gathered batches of one or two.
WINDOW = 0.003


@dataclass
class _Waiting:
    meetup_id: int
    wanted: joining.JoinRequest
    key: str | None
    done: threading.Event = field(default_factory=threading.Event)
    #: Set when this request leads the next batch (woken to do so).
    lead: bool = False
    result: tuple[int, str] | None = None
    error: BaseException | None = None


class JoinBatcher:
    """The joins waiting for a commit, in one process (one per app)."""

    def __init__(self) -> None:
        self._queue: list[_Waiting] = []
        self._lock = threading.Lock()
        self._leading = False

    def join(self, session: Session, meetup_id: int, wanted: joining.JoinRequest,
             key: str | None) -> tuple[int, str]:
        """Register a participant (see :func:`joining.join`) and commit; returns its id and
        the token for the phone, once stored. Raises what :func:`joining.join` raises."""
        me = _Waiting(meetup_id, wanted, key)
        with self._lock:
            self._queue.append(me)
            lead, self._leading = not self._leading, True
        if not lead:
            # Give the connection back while waiting: the pool (15 on SQLite) would otherwise
            # cap the requests that can reach the queue, and so the batch.
            session.rollback()
        while True:
            if lead:
                self._lead(session)
            me.done.wait()
            if me.result is not None or me.error is not None:
                break
            # Woken to lead the batch that queued up meanwhile (it includes this join).
            me.done.clear()
            lead = True
        if me.error is not None:
            raise me.error
        assert me.result is not None
        return me.result

    def _lead(self, session: Session) -> None:
        # Under gevent: the requests that arrive meanwhile queue their joins behind this one.
        time.sleep(WINDOW)
        with self._lock:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
        try:
            _store(session, batch)
        finally:
            with self._lock:
                if self._queue:
                    self._queue[0].lead = True
                    self._queue[0].done.set()
                else:
                    self._leading = False
            for waiting in batch:
                if waiting.result is None and waiting.error is None:
                    waiting.error = RuntimeError("join not stored")
                waiting.done.set()


def _store(session: Session, batch: list[_Waiting]) -> None:
    """The joins of ``batch`` in one transaction, each in a savepoint; commit once.

    A batch of one (the usual case when people join one by one) needs no savepoint.
    """
    if len(batch) == 1:
        _store_alone(session, batch[0])
        return
    operations.begin_batch(session)
    admissions: dict[int, admission.Admission] = {}
    for waiting in _store_together(session, batch):
        _store_one(session, waiting, admissions)
    try:
        session.commit()
    except Exception as error:
        session.rollback()
        log.exception("committing %d joins failed", len(batch))
        for waiting in batch:
            waiting.result, waiting.error = None, waiting.error or error


def _store_together(session: Session, batch: list[_Waiting]) -> list[_Waiting]:
    """The batch's joins with one query and one INSERT, in a savepoint; returns the joins left
    to store one by one (all of them when that fails, e.g. a closed meetup among them)."""
    nested = session.begin_nested()
    try:
        forms = []
        admissions: dict[int, admission.Admission] = {}
        for waiting in batch:
            meetup = session.get(Meetup, waiting.meetup_id)
            if meetup is None:
                raise LookupError(f"meetup {waiting.meetup_id} is gone")
            forms.append((meetup, waiting.wanted, waiting.key))
            if meetup.id not in admissions:
                admissions[meetup.id] = admission.admission(session, meetup)
        results = joining.join_many(session, forms, admissions)
        if results is None:
            nested.rollback()
            return batch
        nested.commit()
    except Exception as error:  # one by one, each gets its own answer
        nested.rollback()
        session.expire_all()
        if not isinstance(error, (DomainError, IntegrityError)):
            log.exception("joining %d together failed", len(batch))
        return batch
    for waiting, result in zip(batch, results, strict=True):
        waiting.result = result
    return []


def _join(session: Session, waiting: _Waiting,
          admissions: dict[int, admission.Admission]) -> tuple[int, str]:
    meetup = session.get(Meetup, waiting.meetup_id)
    if meetup is None:
        raise LookupError(f"meetup {waiting.meetup_id} is gone")
    admit = admissions.get(meetup.id)
    if admit is None:
        admit = admissions[meetup.id] = admission.admission(session, meetup)
    participant, token = joining.join(session, meetup, waiting.wanted, waiting.key, admit)
    return participant.id, token


def _store_alone(session: Session, waiting: _Waiting) -> None:
    for attempt in range(2):
        try:
            result = _join(session, waiting, {})
            session.commit()
            waiting.result = result
            return
        except IntegrityError as error:
            # The same form, posted twice at the same moment: the twin was stored first.
            session.rollback()
            if attempt:
                waiting.error = error
        except Exception as error:  # the request gets it
            session.rollback()
            waiting.error = error
            if not isinstance(error, DomainError):
                log.exception("join failed")
            return


def _store_one(session: Session, waiting: _Waiting,
               admissions: dict[int, admission.Admission]) -> None:
    for attempt in range(2):
        nested = session.begin_nested()
        try:
            waiting.result = _join(session, waiting, admissions)
            nested.commit()
            return
        except IntegrityError as error:
            # The same form, posted twice at the same moment: the twin was stored first.
            nested.rollback()
            session.expire_all()
            waiting.result = None
            if attempt:
                waiting.error = error
        except DomainError as error:
            nested.rollback()
            waiting.result, waiting.error = None, error
            return
        except Exception as error:  # the request gets it; the batch goes on
            nested.rollback()
            log.exception("join failed")
            waiting.result, waiting.error = None, error
            return


def batcher(extensions: dict[str, object]) -> JoinBatcher:
    """The app's batcher (kept in ``app.extensions``)."""
    found = extensions.get("meetup_join_batch")
    if not isinstance(found, JoinBatcher):
        found = extensions["meetup_join_batch"] = JoinBatcher()
    return found
