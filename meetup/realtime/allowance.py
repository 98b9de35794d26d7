"""How much one person may ask of the server over sockets: one allowance per person.

A phone's cookie can open many sockets (tabs, a script); reconnecting gives a new socket. So
the allowance belongs to the *person* (the participant, or the organiser with all windows and
the projector), not to a socket, and outlives every socket of theirs: writes, ``sync`` and
connects all take from it. ``burst`` at once, then ``rate`` a second
(``SOCKET_WRITE_BURST``, ``SOCKET_WRITE_RATE``); a refusal is answered ``rate_limited`` and the
page resends later.

Kept in this process: with several workers behind a sticky balancer each person's sockets
land on one worker, so the limit holds per person there.

The module also refuses client events named like Socket.IO's own (``connect``,
``disconnect``): python-socketio would otherwise call our connect/disconnect handlers for them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

from meetup.realtime.throttle import TokenBucket

#: Buckets not used for this long (and so full again) are forgotten.
IDLE_SECONDS = 600.0


class Allowances:
    """Token buckets per person key, shared by all of that person's sockets."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._buckets: dict[Hashable, TokenBucket] = {}
        self._lock = threading.Lock()
        self._last_prune = clock()

    def take(self, key: Hashable, burst: float, rate: float) -> bool:
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(burst, rate, clock=self.clock)
            elif (bucket.burst, bucket.rate) != (burst, rate):  # the settings changed
                bucket.burst, bucket.rate = burst, rate
                bucket.tokens = min(bucket.tokens, burst)
            allowed = bucket.take()
            self._prune()
            return allowed

    def _prune(self) -> None:
        now = self.clock()
        if now - self._last_prune < IDLE_SECONDS:
            return
        self._last_prune = now
        for key in [k for k, b in self._buckets.items() if now - b.updated > IDLE_SECONDS]:
            del self._buckets[key]

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


allowances = Allowances()


def person_key(identity: Any) -> Hashable:
    """Who this socket speaks for: the participant, else the organiser (keyed per app)."""
    app_key = id(current_app._get_current_object())  # type: ignore[attr-defined]
    if identity.participant_id is not None:
        return (app_key, "participant", identity.participant_id)
    return (app_key, "organiser", identity.organiser_id)


def take(identity: Any) -> bool:
    """Take one request (a write, a sync, a connect) from the person's allowance."""
    config = current_app.config
    return allowances.take(person_key(identity), config.get("SOCKET_WRITE_BURST", 30),
                           config.get("SOCKET_WRITE_RATE", 5))


# -- events named like Socket.IO's own ------------------------------------------------------

#: Event names a client may never send: python-socketio reserves them for its own use.
RESERVED = frozenset({"connect", "disconnect", "connect_error"})
RESERVED_MESSAGE = _l("The app sent something we could not read. Reload the page and try again.")


def refuse_reserved_events(server: Any, app: Flask) -> None:
    """Answer a client event named ``connect``/``disconnect`` with ``reserved_event``.

    python-socketio dispatches a client's event named ``connect`` to the connect handler (and
    ``disconnect`` to the disconnect handler), which would identify the socket again or forget
    it. This wraps the server's event entry point, before any handler runs.
    """
    from socketio import packet

    original = server._handle_event

    def guarded(eio_sid: str, namespace: str | None, ack_id: Any, data: Any) -> Any:
        name = data[0] if isinstance(data, list) and data else None
        if isinstance(name, str) and name in RESERVED:
            if ack_id is not None:
                with app.app_context():  # Dutch, like every other refusal
                    message = str(RESERVED_MESSAGE)
                server._send_packet(eio_sid, server.packet_class(
                    packet.ACK, namespace=namespace or "/", id=ack_id,
                    data=[{"ok": False, "error": "reserved_event",
                           "message": message}]))
            return None
        return original(eio_sid, namespace, ack_id, data)

    server._handle_event = guarded
