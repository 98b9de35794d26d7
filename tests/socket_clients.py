"""Real Socket.IO clients (python-socketio over websockets) and HTTP joins, like phones do.

Used by the tests that run real servers: ``test_realtime_server`` and ``scale/test_cluster``.
Anything with a ``base_url`` attribute can be the server.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

import requests
import socketio  # python-socketio's client

from meetup.models import Meetup

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class HasBaseUrl(Protocol):
    base_url: str


def form_post(http: requests.Session, url: str, data: dict[str, str]) -> requests.Response:
    """GET a form for its CSRF token, then POST it like a browser (same origin)."""
    page = http.get(url, timeout=10)
    token = CSRF.search(page.text)
    assert token, page.text[:500]
    return http.post(url, data={**data, "csrf_token": token.group(1)}, timeout=10,
                     allow_redirects=False, headers={"Referer": url})


def join(server: HasBaseUrl, meetup: Meetup, name: str, role: str, organisation: str) -> str:
    """Fill in the join form over HTTP; returns the phone's Cookie header."""
    http = requests.Session()
    response = form_post(http, f"{server.base_url}/j/{meetup.join_token}",
                         {"display_name": name, "role": role, "organisation": organisation})
    assert response.status_code == 302, response.text[:500]
    return "session=" + http.cookies["session"]


def log_in(server: HasBaseUrl, meetup: Meetup, password: str) -> str:
    http = requests.Session()
    response = form_post(http, f"{server.base_url}/organiser/login",
                         {"email": meetup.organiser.email, "password": password})
    assert response.status_code == 302, response.text[:500]
    return "session=" + http.cookies["session"]


class Socket:
    """A python-socketio client that records every event it receives."""

    def __init__(self, server: HasBaseUrl, cookie: str | None, meetup_id: int,
                 as_: str = "participant") -> None:
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.2,
                                      reconnection_delay_max=1, randomization_factor=0)
        self.received: list[tuple[str, Any]] = []
        self.refusals: list[Any] = []
        self.lock = threading.Lock()
        self.client.on("*", self._record)
        self.client.on("connect_error", self.refusals.append)
        self.url = server.base_url
        self.headers = {"Cookie": cookie} if cookie else {}
        self.auth = {"meetup": meetup_id, "as": as_}

    def connect(self) -> Socket:
        self.client.connect(self.url, headers=self.headers, auth=self.auth,
                            transports=["websocket"], wait_timeout=10)
        return self

    def _record(self, event: str, payload: Any = None) -> None:
        with self.lock:
            self.received.append((event, payload))

    def events(self, name: str) -> list[Any]:
        with self.lock:
            return [payload for event, payload in self.received if event == name]

    def wait(self, test: Callable[[], Any], timeout: float = 15) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = test()
            if result:
                return result
            time.sleep(0.05)
        raise AssertionError(f"timed out; received {[e for e, _ in self.received]}")

    def call(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.client.call(event, payload, timeout=10)

    def write(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        ack = self.call(event, {"op": str(uuid.uuid4()), **payload})
        assert ack["ok"] is True, ack
        return ack

    def reconnected(self, snapshots_before: int, timeout: float = 15) -> dict[str, Any]:
        """Wait for a new connection: its snapshot (which may arrive just before the
        namespace's connect packet) and the connected namespace. Returns the snapshot."""
        self.wait(lambda: len(self.events("snapshot")) > snapshots_before
                  and "/" in self.client.namespaces, timeout)
        return self.events("snapshot")[-1]

    def drop(self) -> None:
        """Cut the websocket under the client, as a phone losing its network does (no
        closing handshake); the client reconnects by itself."""
        self.client.eio.ws.sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Hang up for good, without waiting for the closing handshake."""
        self.client.reconnection = False
        ws = getattr(self.client.eio, "ws", None)
        if ws is not None and ws.sock is not None:
            ws.sock.shutdown(socket.SHUT_RDWR)
        if self.client.eio.read_loop_task is not None:
            self.client.eio.read_loop_task.join()
