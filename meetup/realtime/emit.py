"""Emit-after-commit: broadcasts are queued while a handler runs and sent only after commit.

A handler never calls ``socketio.emit`` itself. It adds ``(event, payload, rooms)`` to the
event's :class:`Outbox`; the event runner commits and then calls :meth:`Outbox.flush`, or, when
anything failed, :meth:`Outbox.discard`. So nobody ever hears of a write that was rolled back.

Every queued payload gets the ``seq`` the write produced. Under gevent the broadcasts go out in
a greenlet of their own that runs after the handler has returned, i.e. after the writer's
acknowledgement has been queued: commit, acknowledge, broadcast. Under plain threads (tests)
they are sent before the handler returns, which keeps test runs deterministic.
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

    def flush(self, seq: int | None) -> None:
        """Run the after-commit actions, then broadcast (deferred under gevent)."""
        actions, self.actions = self.actions, []
        for action in actions:
            try:
                action()
            except Exception:  # a room change failing must not lose the broadcasts
                log.exception("after-commit action failed")
        emissions, self.emissions = self.emissions, []
        for emission in emissions:
            if seq is not None:
                emission.payload.setdefault("seq", seq)
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
