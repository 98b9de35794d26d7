"""The scale-out cluster of the tests, and phones that behave like the pages do.

:func:`start_cluster` runs what docs/deploy.md describes, on loopback: ``meetup serve`` workers
on one PostgreSQL database and one Redis, and nginx from ``deploy/nginx.conf.template`` in
front. :class:`Phone` is a Socket.IO client with the page's outbox: whatever is typed stays
queued, with its op UUID, and is sent again until the server acknowledges it; ``resync`` makes
it fetch a fresh snapshot.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

import requests
import socketio as python_socketio
from flask import Flask

from meetup.config import PARTICIPANT_SESSION_KEY
from meetup.extensions import db
from meetup.models import Meetup, Phase
from meetup.services import joining, meetups, organisers, phases, tables
from tests.servers import MEETUP_BIN, ROOT, LiveServer, free_port, server_env
from tests.socket_clients import Socket

PASSWORD = "cluster-test-password"
ROLES = ["leerkracht_po", "jeugdwerk", "ggd_jgz", "leerplicht", "ouder_vrijwilliger",
         "bibliotheek_cultuur_sport", "gemeente", "docent_vo"]


@dataclass
class Address:
    base_url: str


@dataclass
class Cluster:
    workers: list[LiveServer]
    balancer: Address
    database_url: str
    secret: str
    nginx: subprocess.Popen | None = field(default=None, repr=False)
    #: nginx's directory (its configuration and error.log), removed when the cluster stops.
    run_dir: Path | None = None

    def ports(self) -> list[int]:
        return [int(w.base_url.rsplit(":", 1)[1]) for w in self.workers]


def _nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if found is None:
        raise RuntimeError("nginx is not installed; run `make system-deps`")
    return found


def wait_until(test: Callable[[], Any], timeout: float = 20, what: str = "condition") -> Any:
    """Poll ``test`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = test()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@contextmanager
def start_cluster(postgres_server: str, redis_url: str, work: Path, workers: int = 3,
                  database: str | None = None, secret: str = "cluster-secret",
                  **extra_env: str) -> Iterator[Cluster]:
    """``workers`` × ``meetup serve`` on a fresh PostgreSQL database (or the existing
    ``database``, as the benchmark seeds it beforehand) + Redis, nginx in front; ``extra_env``
    goes to every worker."""
    import psycopg

    name = database or f"meetup_cluster_{uuid.uuid4().hex[:6]}"
    if database is None:
        with psycopg.connect(postgres_server.replace("+psycopg", "") + "/postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    database_url = f"{postgres_server}/{name}"
    servers = []
    for i in range(workers):
        port = free_port()
        env = server_env(work, port, MEETUP_DATABASE_URL=database_url,
                         MEETUP_SECRET_KEY=secret, MEETUP_MESSAGE_QUEUE=redis_url,
                         MEETUP_PROXY_COUNT="1", **extra_env)
        if i == 0:
            subprocess.run([str(MEETUP_BIN), "db", "upgrade"], env=env, cwd=ROOT, check=True,
                           capture_output=True)
        servers.append(LiveServer(f"http://127.0.0.1:{port}", database_url, env,
                                  work / f"worker{i}.log"))
    run_dir = Path(tempfile.mkdtemp(prefix="meetup-nginx-"))
    cluster = Cluster(servers, Address(""), database_url, secret, run_dir=run_dir)
    try:
        for server in servers:
            server.start()
        listen = free_port()
        upstream = "\n".join(f"        server {w.base_url.removeprefix('http://')};"
                             for w in servers)
        config = Template((ROOT / "deploy" / "nginx.conf.template").read_text())
        (run_dir / "nginx.conf").write_text(config.safe_substitute(
            RUN_DIR=str(run_dir), LISTEN_PORT=str(listen), UPSTREAM_SERVERS=upstream))
        cluster.nginx = subprocess.Popen(
            [_nginx_binary(), "-c", str(run_dir / "nginx.conf"), "-p", str(run_dir),
             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        cluster.balancer = Address(f"http://127.0.0.1:{listen}")

        def answers() -> bool:
            if cluster.nginx.poll() is not None:
                raise RuntimeError(cluster.nginx.stderr.read().decode())
            try:
                return requests.get(cluster.balancer.base_url + "/", timeout=1).ok
            except requests.RequestException:
                return False

        wait_until(answers, 20, "nginx")
        yield cluster
    finally:
        if cluster.nginx is not None:
            cluster.nginx.terminate()
            cluster.nginx.wait(timeout=10)
        for server in servers:
            server.stop()
        shutil.rmtree(run_dir, ignore_errors=True)


# -- seeding --------------------------------------------------------------------------------


def signed_cookie(app: Flask, data: dict[str, Any]) -> str:
    """The ``session`` cookie the web face would set (same secret as the workers)."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return "session=" + serializer.dumps(data)


@dataclass
class Seeded:
    meetup: Meetup
    #: (participant id, table id, Cookie header) per phone.
    phones: list[tuple[int, int | None, str]]
    organiser_cookie: str


def seed_meetup(app: Flask, phones: int, themes: list[str] | None = None,
                phase: Phase = Phase.ROUND_1) -> Seeded:
    """A meetup with ``phones`` participants seated at tables, in ``phase``."""
    themes = themes or ["taal"]
    organiser = organisers.create_organiser(
        db.session, f"org-{uuid.uuid4().hex[:8]}@example.org", PASSWORD)
    meetup = meetups.create_meetup(db.session, organiser, title="Meetup Hilversum")
    tokens = []
    for i in range(phones):
        person, token = joining.join(db.session, meetup, joining.JoinRequest(
            f"Deelnemer {i}", ROLES[i % len(ROLES)], f"Organisatie {i % 7}"))
        joining.choose_theme(db.session, person, themes[i % len(themes)])
        tokens.append((person, token))
    tables.form_tables(db.session, meetup)
    if phase is not Phase.TABLES:
        phases.set_phase(db.session, meetup, phase)
    db.session.commit()
    seeded = [(p.id, p.table_id, signed_cookie(app, {PARTICIPANT_SESSION_KEY: {
        str(meetup.id): token}})) for p, token in tokens]
    # What logging in puts in the session (the version and time are checked, issue 14).
    return Seeded(meetup, seeded, signed_cookie(app, {
        "organiser_id": organiser.id, "organiser_version": organiser.session_version,
        "organiser_since": int(time.time())}))


# -- phones ---------------------------------------------------------------------------------


class Phone(Socket):
    """A Socket.IO client with the page's outbox (resend with the same op until acknowledged)
    and its answer to ``resync`` (fetch a snapshot)."""

    def __init__(self, server: Any, cookie: str | None, meetup_id: int,
                 as_: str = "participant") -> None:
        super().__init__(server, cookie, meetup_id, as_)
        self.client.on("resync", self._resync)
        self.client.on("disconnect", lambda *_: self._record("disconnect", None))
        self.outbox: list[tuple[str, dict[str, Any]]] = []
        self.acked: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        self.failed_sends: list[str] = []

    def connect(self, transports: list[str] | None = None) -> Phone:
        self.client.connect(self.url, headers=self.headers, auth=self.auth,
                            transports=transports or ["websocket"], wait_timeout=10)
        return self

    def _resync(self, payload: Any = None) -> None:
        self._record("resync", payload)
        threading.Thread(target=self.sync, daemon=True).start()

    def sync(self) -> None:
        try:
            ack = self.client.call("sync", {}, timeout=10)
        except Exception:
            return  # disconnected: the next connection brings a snapshot anyway
        if isinstance(ack, dict) and ack.get("ok"):
            self._record("snapshot", ack["snapshot"])

    def type_note(self, text: str) -> str:
        """Queue a new note (as the page does when someone presses "add"); returns its uuid."""
        note = str(uuid.uuid4())
        self.outbox.append(("note.create", {"op": str(uuid.uuid4()), "note": note,
                                            "round": "happens", "text": text}))
        return note

    def flush(self, deadline: float = 60) -> None:
        """Send the outbox in order; what gets no answer (a worker died) is sent again."""
        stop = time.monotonic() + deadline
        while self.outbox:
            if time.monotonic() > stop:
                raise AssertionError(f"outbox not delivered: {self.outbox}; "
                                     f"{self.failed_sends[-5:]}")
            event, payload = self.outbox[0]
            if "/" not in self.client.namespaces:
                time.sleep(0.05)
                continue
            try:
                ack = self.client.call(event, payload, timeout=8)  # as the page
            except (python_socketio.exceptions.TimeoutError,
                    python_socketio.exceptions.BadNamespaceError,
                    python_socketio.exceptions.DisconnectedError) as error:
                self.failed_sends.append(repr(error))
                continue
            if isinstance(ack, dict) and ack.get("error") == "rate_limited":
                self.failed_sends.append("rate_limited")
                time.sleep(0.2)
                continue
            assert isinstance(ack, dict) and ack.get("ok") is True, ack
            self.acked.append((event, payload, ack))
            self.outbox.pop(0)

    def note_uuids(self) -> set[str]:
        """The notes this phone shows, by the page's rules: its last snapshot, the broadcasts
        after it, and those of the same connection that overtook it (a newer ``seq``)."""
        with self.lock:
            received = list(self.received)
        last = max((i for i, (e, _) in enumerate(received) if e == "snapshot"), default=None)
        if last is None:
            return set()
        snapshot = received[last][1]
        shown = {n["uuid"] for n in snapshot.get("notes", [])}
        began = max((i for i, (e, _) in enumerate(received[:last]) if e == "disconnect"),
                    default=-1)
        for i, (event, payload) in enumerate(received[began + 1:], start=began + 1):
            if event == "note" and isinstance(payload, dict) and (
                    i > last or payload.get("seq", 0) > snapshot["seq"]):
                shown.add(payload["note"]["uuid"])
        return shown

    def drop_when_connected(self) -> None:
        """:meth:`drop` once the phone is connected again (it may still be reconnecting)."""
        wait_until(lambda: "/" in self.client.namespaces
                   and getattr(self.client.eio, "ws", None) is not None
                   and self.client.eio.ws.sock is not None, 30, "a connected phone")
        self.drop()

    def snapshots(self) -> int:
        return len(self.events("snapshot"))


def open_phones(server: Any, seeded: Seeded, count: int | None = None,
                servers: list[Any] | None = None) -> list[Phone]:
    """Connect the seeded phones (round-robin over ``servers`` if given) and wait for their
    first snapshot."""
    phones = []
    for i, (_pid, _table, cookie) in enumerate(seeded.phones[:count]):
        target = servers[i % len(servers)] if servers else server
        phones.append(Phone(target, cookie, seeded.meetup.id).connect())
    for phone in phones:
        phone.wait(lambda p=phone: p.events("snapshot"))
    return phones


def established(ports: list[int]) -> dict[int, int]:
    """Open TCP connections accepted by each local port (from /proc/net/tcp)."""
    counts = dict.fromkeys(ports, 0)
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            port = int(local.rsplit(":", 1)[1], 16)
            if state == "01" and port in counts:
                counts[port] += 1
    return counts
