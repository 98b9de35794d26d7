"""Every websocket frame goes out whole: a fix for simple-websocket's partial writes.

simple-websocket (1.1.0, the newest release; upstream issue miguelgrinberg/simple-websocket#45,
not fixed there) writes a frame with one ``socket.send`` and ignores how many bytes the kernel
took. When a message is larger than the room left in the socket's send buffer, the rest of
the frame is silently dropped and the browser waits for bytes that never come: the
connection hangs, without an error on either side. That happened to the organiser's and the
projector's snapshot of a large room (14 MB with 37,000 notes, on loopback; over venue Wi-Fi
the send buffer is full much sooner, so far smaller snapshots were at risk).

:func:`install` makes every socket simple-websocket writes to send all its bytes
(``sendall``), one writer at a time: the Engine.IO writer, and simple-websocket's own reader
answering a ping or a close, must not put their frames inside each other's. Under gevent the
lock is gevent's (the standard library is patched before this runs), so a slow client only
makes its own writers wait.
"""

from __future__ import annotations

import threading
from typing import Any

_INSTALLED = "_meetup_whole_frames"


class WholeWrites:
    """A socket whose ``send`` writes all of ``data`` before another writer may start."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._lock = threading.RLock()

    def send(self, data: bytes, *flags: int) -> int:
        with self._lock:
            self._sock.sendall(data, *flags)
        return len(data)

    def sendall(self, data: bytes, *flags: int) -> None:
        self.send(data, *flags)

    def __getattr__(self, name: str) -> Any:  # recv, close, fileno, settimeout, ...
        return getattr(self._sock, name)


def install() -> None:
    """Wrap the socket of every simple-websocket connection made from now on (idempotent)."""
    try:
        from simple_websocket import ws
    except ImportError:  # pragma: no cover - the websocket transport is then not used
        return
    if getattr(ws.Base, _INSTALLED, False):
        return

    def get_sock(self: Any) -> Any:
        return self.__dict__.get("_whole_sock")

    def set_sock(self: Any, sock: Any) -> None:
        if sock is not None and not isinstance(sock, WholeWrites):
            sock = WholeWrites(sock)
        self.__dict__["_whole_sock"] = sock

    # ``Base.__init__`` assigns ``self.sock`` before it shakes hands: a property on the class
    # catches that assignment, so every send it makes (handshake included) is whole.
    ws.Base.sock = property(get_sock, set_sock)  # type: ignore[attr-defined]
    setattr(ws.Base, _INSTALLED, True)
