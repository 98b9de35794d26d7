"""Scale-out test servers: PostgreSQL, Redis and nginx started on loopback by the tests.

Debian's packages provide the binaries (``make test`` installs them); each server runs from a
temporary directory on a free port and is stopped at the end of the session.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.servers import free_port


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed; run `make system-deps`")
    return found[-1]


def _as_postgres(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    """PostgreSQL refuses to run as root; run its tools as the postgres system user."""
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{cmd} failed: {result.stdout}\n{result.stderr}")
    return result


@contextmanager
def running_postgres() -> Iterator[str]:
    """A PostgreSQL server in a temporary directory; yields a base URL without database name.

    Also used by ``benchmarks/realtime_load.py --database postgres``; the directory is removed
    even when the server already went down (Ctrl-C reaches it too).
    """
    # pytest's temporary folders are private to root; the postgres user needs its own.
    base = Path(tempfile.mkdtemp(prefix="meetup-pg-"))
    data = base / "data"
    try:
        data.mkdir()
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            for path in (base, data):
                os.chown(path, pw.pw_uid, pw.pw_gid)
            os.chmod(base, 0o755)
        _as_postgres([_pg_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                      "-E", "UTF8", "--locale=C.UTF-8"])
        port = free_port()
        _as_postgres([_pg_bin("pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w",
                      "-t", "30", "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1 "
                                        f"-c fsync=off -c max_connections=200", "start"])
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        if (data / "postmaster.pid").exists():
            try:
                _as_postgres([_pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
            except RuntimeError:
                pass  # already stopped
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL server for the session; yields a base URL without database name."""
    with running_postgres() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database on the session's PostgreSQL server."""
    import secrets

    import psycopg

    name = f"meetup_{secrets.token_hex(4)}"
    plain = postgres_server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{postgres_server}/{name}"


class RedisServer:
    """A Redis on a fixed loopback port that a test may stop and start again (an outage)."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed; run `make system-deps`")
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(host="127.0.0.1", port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url
