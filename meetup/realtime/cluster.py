"""Several workers behind one message queue (Redis): what they tell each other.

Flask-SocketIO's Redis manager carries every emit to every worker. This module adds three
things on top of it, all through the same Redis:

- **Worker messages** (:func:`to_workers`): "run this on every worker", e.g. move a participant's
  sockets to their new table room wherever they are connected. They travel as emits to a
  namespace no client can join (:data:`WORKERS_NAMESPACE`), so they keep their order with the
  broadcasts around them (the move arrives before the ``resync`` sent after it).
- **Resync after a Redis outage:** emits published while Redis was down are lost for the other
  workers. When a worker's listener has subscribed again it tells its own sockets ``resync``,
  and every page fetches a fresh snapshot.
- **One ``counts`` a second in total** (:class:`RedisGate`): the coalesced counters
  (:mod:`throttle`) take a short Redis lock per meetup, so N workers do not send N emits a
  second.

Without a message queue (one process) every function here works locally.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import socketio as python_socketio

from meetup.extensions import socketio

log = logging.getLogger(__name__)

#: Worker-to-worker messages travel as emits to this namespace; no client connects to it.
WORKERS_NAMESPACE = "/_workers"

_handlers: dict[str, Callable[[dict[str, Any]], None]] = {}


def on_worker_message(name: str, handler: Callable[[dict[str, Any]], None]) -> None:
    """Run ``handler(data)`` on every worker that receives the worker message ``name``."""
    _handlers[name] = handler


def to_workers(name: str, data: dict[str, Any]) -> None:
    """Send ``name`` to every worker, this one included (right away, before it returns)."""
    server = getattr(socketio, "server", None)
    manager = getattr(server, "manager", None)
    if isinstance(manager, WorkerManager):
        manager.emit(name, data, namespace=WORKERS_NAMESPACE)
    else:
        _handle(name, data)


def _handle(name: str, data: Any) -> None:
    handler = _handlers.get(name)
    if handler is None:
        log.warning("unknown worker message %r", name)
        return
    try:
        handler(data)
    except Exception:
        log.exception("worker message %s failed", name)


class RoomIndex:
    """For python-socketio's client managers: the rooms of each socket, kept as it enters and
    leaves them.

    python-socketio finds a disconnecting socket's rooms by copying and scanning every room of
    the server; with 1,000 phones (a room per socket, per participant and per table) a
    reconnect storm spent a tenth of its time there. With the index a disconnect touches only
    the socket's own rooms.
    """

    rooms: dict[Any, dict[Any, Any]]
    callbacks: dict[Any, Any]
    pending_connect: dict[Any, list[Any]]
    pending_disconnect: dict[Any, list[Any]]

    def _rooms_of(self) -> dict[tuple[Any, Any], set[Any]]:
        return self.__dict__.setdefault("_room_index", {})

    def basic_enter_room(self, sid: Any, namespace: Any, room: Any,
                         eio_sid: Any = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)  # type: ignore[misc]
        self._rooms_of().setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid: Any, namespace: Any, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)  # type: ignore[misc]
        index = self._rooms_of()
        rooms = index.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del index[(namespace, sid)]

    def get_rooms(self, sid: Any, namespace: Any) -> list[Any]:
        return [room for room in self._rooms_of().get((namespace, sid), ()) if room is not None]

    def basic_disconnect(self, sid: Any, namespace: Any, **kwargs: Any) -> None:
        """python-socketio's ``basic_disconnect``, leaving only the socket's own rooms."""
        if namespace not in self.rooms:
            return
        for room in list(self._rooms_of().get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting is not None and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]


class LocalManager(RoomIndex, python_socketio.Manager):
    """python-socketio's manager for one process, with the room index."""


class WorkerManager(RoomIndex, python_socketio.RedisManager):
    """Flask-SocketIO's Redis manager, plus worker messages and a resync after an outage."""

    def _handle_emit(self, message: dict[str, Any]) -> None:
        if message.get("namespace") == WORKERS_NAMESPACE:
            data = message.get("data")
            _handle(message.get("event", ""), data[0] if isinstance(data, list) and data else {})
            return
        super()._handle_emit(message)

    def _redis_listen_with_retries(self):  # type: ignore[no-untyped-def]  # pragma: no cover
        """python-socketio's listener loop, telling this worker's sockets to resync each time
        it has subscribed again after losing Redis (what was published meanwhile is lost)."""
        retry_sleep = 1.0
        lost = False
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                # The confirmation proves the subscription is live before pages resync.
                self.pubsub.get_message(ignore_subscribe_messages=False, timeout=10)
                retry_sleep = 1.0
                if lost:
                    log.warning("message queue back: every socket on this worker resyncs")
                    self.server.emit("resync", {}, namespace="/", ignore_queue=True)
                    lost = False
                yield from self.pubsub.listen()
            except Exception as exc:
                lost = True
                self._get_logger().error(
                    "Cannot receive from redis... retrying in %s secs", retry_sleep,
                    extra={"redis_exception": str(exc)})
                time.sleep(retry_sleep)
                retry_sleep = min(retry_sleep * 2, 5.0)


def client_manager(url: str | None) -> RoomIndex | None:
    """The Socket.IO client manager for ``url`` (None: Flask-SocketIO picks)."""
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return WorkerManager(url, channel="flask-socketio")
    if not url:
        return LocalManager()
    return None


# -- coalescing across workers -----------------------------------------------------------


class LocalGate:
    """One process: the local throttle alone decides (always fire)."""

    def run(self, key: str, interval: float, fire: Callable[[], None],
            covers: bool = True) -> None:
        fire()


class RedisGate:
    """At most one run per ``key`` and ``interval`` across all workers sharing a Redis.

    A worker whose coalesced task is due takes ``SET key <redis time> NX PX interval``. If
    another worker holds it and took it AFTER this request was made, that worker's run counts
    this worker's writes too (it reads the database afterwards): nothing to do, unless the
    caller says ``covers=False`` (its work is its own), then it waits its turn. Otherwise wait
    until the lock expires and try again. Redis' own clock stamps both, so the workers' clocks
    do not matter. If Redis is unreachable the worker fires anyway (better twice than never).
    """

    def __init__(self, url: str, prefix: str = "meetup:coalesce:",
                 sleep: Callable[[float], Any] | None = None) -> None:
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix
        self._sleep = sleep

    def _now(self) -> float:
        seconds, micros = self.redis.time()
        return seconds + micros / 1e6

    def run(self, key: str, interval: float, fire: Callable[[], None],
            covers: bool = True) -> None:
        name = self.prefix + key
        try:
            requested = self._now()
            for _ in range(20):
                stamp = self._now()
                if self.redis.set(name, repr(stamp), nx=True, px=max(1, int(interval * 1000))):
                    break
                holder, ttl = self.redis.get(name), self.redis.pttl(name)
                if covers and holder is not None and float(holder) >= requested:
                    return  # a run that started after this request covers it
                (self._sleep or socketio.sleep)(max(ttl, 10) / 1000)
        except Exception:
            log.warning("coalescing over Redis failed; running %s here", key, exc_info=True)
        fire()


def gate_for(url: str | None) -> LocalGate | RedisGate:
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return RedisGate(url)
    return LocalGate()
