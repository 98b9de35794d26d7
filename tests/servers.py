"""Start a real Meetup server process on loopback for browser and multi-client tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
MEETUP_BIN = Path(sys.executable).parent / "meetup"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    """A ``meetup serve`` process; ``env`` is what it runs with (database, secret, port)."""

    base_url: str
    database_url: str
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(MEETUP_BIN), "serve"], env=self.env, cwd=ROOT, stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(self.base_url + "/", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def server_env(tmp_dir: Path, port: int, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "MEETUP_DATABASE_URL": f"sqlite:///{tmp_dir / 'live.sqlite3'}",
        "MEETUP_SECRET_KEY": "live-test-secret",
        "MEETUP_HOST": "127.0.0.1",
        "MEETUP_PORT": str(port),
        "PYTHONUNBUFFERED": "1",
        # The notes' sentence vectors (grouping) are computed by a background process that
        # loads a 100 MB model: only the tests about it switch it on
        # (tests/test_note_vectors_server.py), so that the other servers of the suite do not
        # spend the machine's two cores on it.
        "MEETUP_NOTE_VECTORS": "0",
    })
    env.update(extra)
    return env


@contextmanager
def live_server(tmp_dir: Path, **extra_env: str) -> Iterator[LiveServer]:
    """Migrate a fresh SQLite database, start the server, stop it afterwards."""
    port = free_port()
    env = server_env(tmp_dir, port, **extra_env)
    subprocess.run([str(MEETUP_BIN), "db", "upgrade"], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    server = LiveServer(f"http://127.0.0.1:{port}", env["MEETUP_DATABASE_URL"], env,
                        tmp_dir / "server.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def inprocess_app(database_url: str, secret: str, instance: Path) -> Iterator[Any]:
    """An app in the test process on a running server's database, to seed and inspect it.

    It shares the server's secret, so cookies it signs are valid on the server.
    """
    from meetup import create_app
    from meetup.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret,
                      "INSTANCE_PATH": str(instance), "SOCKETIO_ASYNC_MODE": "threading"})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
