"""Emit-after-commit: broadcasts are queued while a handler runs and sent only after commit.

A handler never calls ``socketio.emit`` itself. It adds ``(event, payload, rooms)`` to the
event's :class:`Outbox`; the event runner commits and then calls :meth:`Outbox.flush`, or, when
anything failed, :meth:`Outbox.discard`. So nobody ever hears of a write that was rolled back.

Every queued payload gets the ``seq`` the write produced. Under gevent the group-commit writer
(:mod:`writer`) owns the outboxes of its batch: after the commit it runs their actions, wakes
the waiting events (which queue their acknowledgements) and then sends all of the batch's
broadcasts with :func:`send_all`: commit, acknowledge, broadcast. Other events flush their own
outbox (deferred to a greenlet under gevent). Under plain threads (tests) the broadcasts are
sent before the handler returns, which keeps test runs deterministic.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, has_app_context

from meetup.extensions import socketio

log = logging.getLogger(__name__)


@dataclass
class Emission:
    event: str
    payload: dict[str, Any]
    rooms: list[str]
    skip_sid: str | None = None


@dataclass
class Outbox:
    """What one socket event will broadcast, and do, once its transaction has committed."""

    emissions: list[Emission] = field(default_factory=list)
    #: Room changes and similar local work to do right after the commit, before the ack.
    actions: list[Callable[[], None]] = field(default_factory=list)
    #: Meetups whose projector/organiser counters changed (see :mod:`throttle`).
    counts_for: set[int] = field(default_factory=set)
    #: (meetup id, table id) whose organiser overview row changed by a frequent write (notes,
    #: dots): sent coalesced, at most once a second per table (see :mod:`throttle`).
    overviews_for: set[tuple[int, int]] = field(default_factory=set)

    def add(self, event: str, payload: dict[str, Any], *rooms: str,
            skip_sid: str | None = None) -> None:
        """Queue ``event`` for ``rooms``; a socket in several of them receives it once."""
        self.emissions.append(Emission(event, dict(payload), list(rooms), skip_sid))

    def after_commit(self, action: Callable[[], None]) -> None:
        self.actions.append(action)

    def counts(self, meetup_id: int) -> None:
        self.counts_for.add(meetup_id)

    def overview_soon(self, meetup_id: int, table_id: int) -> None:
        self.overviews_for.add((meetup_id, table_id))

    def discard(self) -> None:
        """The transaction was rolled back: forget everything."""
        self.emissions.clear()
        self.actions.clear()
        self.counts_for.clear()
        self.overviews_for.clear()

    def prepare(self, seq: int | None) -> None:
        """Run the after-commit actions and stamp the broadcasts with ``seq``."""
        actions, self.actions = self.actions, []
        for action in actions:
            try:
                action()
            except Exception:  # a room change failing must not lose the broadcasts
                log.exception("after-commit action failed")
        if seq is not None:
            for emission in self.emissions:
                emission.payload.setdefault("seq", seq)

    def flush(self, seq: int | None) -> None:
        """Run the after-commit actions, then broadcast (deferred under gevent)."""
        self.prepare(seq)
        emissions, self.emissions = self.emissions, []
        counts_for, self.counts_for = self.counts_for, set()
        overviews_for, self.overviews_for = self.overviews_for, set()
        if not emissions and not counts_for and not overviews_for:
            return
        app: Flask | None = None
        if has_app_context():
            app = current_app._get_current_object()  # type: ignore[attr-defined]
        if socketio.async_mode in ("gevent", "eventlet", "gevent_uwsgi"):
            socketio.start_background_task(_send, emissions, counts_for, app, overviews_for)
        else:
            _send(emissions, counts_for, app, overviews_for)


def send_all(outboxes: list[Outbox], app: Flask | None) -> None:
    """Broadcast what several committed writes queued (already :meth:`~Outbox.prepare`-d),
    in order; their counter requests are merged (the group-commit writer, after the acks)."""
    emissions: list[Emission] = []
    counts_for: set[int] = set()
    overviews_for: set[tuple[int, int]] = set()
    for outbox in outboxes:
        emissions.extend(outbox.emissions)
        counts_for |= outbox.counts_for
        overviews_for |= outbox.overviews_for
        outbox.discard()
    if emissions or counts_for or overviews_for:
        _send(emissions, counts_for, app, overviews_for)


def _send(emissions: list[Emission], counts_for: set[int], app: Flask | None,
          overviews_for: set[tuple[int, int]] = frozenset()) -> None:  # type: ignore[assignment]
    from meetup.realtime import throttle

    for emission in emissions:
        try:
            socketio.emit(emission.event, emission.payload, to=emission.rooms,
                          skip_sid=emission.skip_sid)
        except Exception:
            log.exception("emitting %s failed", emission.event)
    if app is not None:
        for meetup_id in counts_for:
            throttle.request_counts(app, meetup_id)
        for meetup_id, table_id in overviews_for:
            throttle.request_overview(app, meetup_id, table_id)
