"""Coalesced projector/organiser counters (at most one ``counts`` emit per second per
meetup, one ``overview`` row per second per table), and the per-socket write limit.

With 1,000 phones choosing a theme within a minute, recounting and broadcasting after every
write would flood the projector. Writes only *request* counts; the first request schedules a
background task (``socketio.start_background_task``, a greenlet under gevent, a thread under
threading) that sleeps until a second has passed since the previous emit, then counts once and
emits once. Requests arriving meanwhile are folded into that one emit.

Each worker process folds its own requests; with a message queue, a :class:`~cluster.RedisGate`
then lets one run per key and second through across all workers (see :mod:`cluster`), so the
projector gets at most one ``counts`` a second in total, however many workers there are.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from meetup.extensions import db, socketio
from meetup.models.meetup import Phase
from meetup.realtime.rooms import meetup_room, organiser_room, projector_room
from meetup.services.errors import DomainError
from meetup.services.progress import PROGRESS_PHASES, progress

log = logging.getLogger(__name__)

#: Seconds between two ``counts`` emits of one meetup.
COUNTS_INTERVAL = 1.0
#: Phases in which the phones get ``counts`` too (live numbers per theme on the choice screen).
PHONES_SEE_COUNTS = frozenset({Phase.REGISTRATION, Phase.THEME_CHOICE, Phase.TABLES})


class Throttle:
    """Run ``fire`` for a key at most once per ``interval``, folding requests in between.

    ``clock``, ``sleep`` and ``spawn`` are injectable so that tests can drive time by hand.
    """

    def __init__(self, interval: float = COUNTS_INTERVAL,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Any] | None = None,
                 spawn: Callable[..., Any] | None = None) -> None:
        self.interval = interval
        self.clock = clock
        self._sleep = sleep
        self._spawn = spawn
        self._lock = threading.Lock()
        self._scheduled: set[Hashable] = set()
        self._last: dict[Hashable, float] = {}
        self._generation = 0
        #: Decides across workers whether a due run fires (see :mod:`cluster`).
        self.gate: Any = None

    def request(self, key: Hashable, fire: Callable[[], None], shared: str | None = None,
                covers: bool = True) -> bool:
        """Ask for ``fire`` to run soon; False when a run for ``key`` is already pending.

        ``shared`` names the key across workers (no app ids): with a gate, one run per
        ``shared`` key and interval fires across all of them. ``covers``: a run on another
        worker that started after this request does this one's work too (it reads the
        database afterwards); when False, this run waits its turn instead of being dropped.
        """
        with self._lock:
            if key in self._scheduled:
                return False
            self._scheduled.add(key)
            last = self._last.get(key)
            delay = 0.0 if last is None else max(0.0, last + self.interval - self.clock())
            generation = self._generation
        spawn = self._spawn or socketio.start_background_task
        gate = self.gate
        if shared is not None and gate is not None:
            plain = fire

            def fire() -> None:
                gate.run(shared, self.interval, plain, covers)
        spawn(self._run, key, fire, delay, generation)
        return True

    def reset(self) -> None:
        """Forget all state; runs still sleeping will not fire (an app being torn down)."""
        with self._lock:
            self._generation += 1
            self._scheduled.clear()
            self._last.clear()

    def pending(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._scheduled

    def _run(self, key: Hashable, fire: Callable[[], None], delay: float,
             generation: int = 0) -> None:
        if delay > 0:
            (self._sleep or socketio.sleep)(delay)
        with self._lock:
            if generation != self._generation:
                return
            # From here on a new request schedules a new run (one interval later), so a write
            # that lands while we count is never lost.
            self._scheduled.discard(key)
            self._last[key] = self.clock()
        try:
            fire()
        except Exception:
            log.exception("throttled task for %r failed", key)


counts_throttle = Throttle()


def request_counts(app: Flask, meetup_id: int) -> bool:
    """Schedule a ``counts`` emit for the meetup (coalesced, at most one a second)."""
    # Keyed by the app too: a test suite builds many apps whose meetups share ids.
    return counts_throttle.request(("counts", id(app), meetup_id),
                                   lambda: emit_counts(app, meetup_id), f"counts:{meetup_id}")


def emit_counts(app: Flask, meetup_id: int) -> None:
    """Count now and emit ``counts`` to the meetup's projector and organiser rooms."""
    from meetup.models import Meetup
    from meetup.services import snapshot

    with app.app_context():
        meetup = db.session.get(Meetup, meetup_id)
        if meetup is None:
            return
        payload = snapshot.counts(db.session, meetup)
        if meetup.phase in PROGRESS_PHASES:  # the projector's progress in voting/agreements
            payload["progress"] = progress(db.session, meetup)
        # While people join and choose, the phones show "x mensen" per theme live too: one
        # emit to the whole meetup room (projector and organiser are in it as well).
        to_everyone = meetup.phase in PHONES_SEE_COUNTS
        db.session.rollback()
    if to_everyone:
        socketio.emit("counts", payload, to=meetup_room(meetup_id))
    else:
        socketio.emit("counts", payload, to=[projector_room(meetup_id), organiser_room(meetup_id)])


_dirty_tables: dict[tuple[int, int], set[int]] = {}


def request_overview(app: Flask, meetup_id: int, table_id: int) -> bool:
    """Schedule the organiser's overview row of a table (coalesced, at most one a second).

    Notes and dots arrive by the hundred during a round; the organiser's overview only needs
    the latest numbers, so these writes share one recount a second per meetup, of all the
    tables that changed meanwhile.
    """
    with counts_throttle._lock:
        _dirty_tables.setdefault((id(app), meetup_id), set()).add(table_id)
    # Across workers one batch a second in total, taken in turn: a run on another worker
    # recounts only that worker's changed tables, so it never stands in for this one's.
    return counts_throttle.request(("overview", id(app), meetup_id),
                                   lambda: emit_overview(app, meetup_id),
                                   f"overview:{meetup_id}", covers=False)


def emit_overview(app: Flask, meetup_id: int, table_id: int | None = None) -> None:
    """Recount the changed tables now and emit one ``overview`` per table to the organiser."""
    from meetup.models import Meetup
    from meetup.services import snapshot

    with counts_throttle._lock:
        table_ids = _dirty_tables.pop((id(app), meetup_id), set())
    if table_id is not None:
        table_ids.add(table_id)
    if not table_ids:
        return
    with app.app_context():
        meetup = db.session.get(Meetup, meetup_id)
        if meetup is None:
            return
        # A broadcast: role codes only, each page labels them in its own language.
        rows = snapshot.table_overviews(db.session, meetup, sorted(table_ids), labels=False)
        seq = meetup.revision
        db.session.rollback()
    for row in rows:
        socketio.emit("overview", {"table": row, "seq": seq}, to=organiser_room(meetup_id))


# -- per-socket write limit -----------------------------------------------------------------


class RateLimited(DomainError):
    """A socket sent more writes than a person can type; the page waits and resends."""

    code = "rate_limited"
    status = 429
    default_message = _l("Slow down a little: too many changes at once. Trying again shortly.")


class TokenBucket:
    """``burst`` writes at once, then ``rate`` writes a second (per socket)."""

    def __init__(self, burst: float, rate: float, clock: Callable[[], float] = time.monotonic):
        self.burst = burst
        self.rate = rate
        self.clock = clock
        self.tokens = burst
        self.updated = clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
