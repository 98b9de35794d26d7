"""scripts/install-server.sh on this machine's own services, in a temporary root.

One installation per module: two workers on PostgreSQL and Redis, Caddy in front with a
certificate from its own local authority (``--tls internal``), the units checked by
``systemd-analyze verify``. There is no systemd as PID 1 here: tests/scale/fake_systemctl.py
starts what the units' ExecStart lines say (see tests/scale/install_harness.py).
"""

from __future__ import annotations

import hashlib
import re
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from meetup.extensions import db
from meetup.models import Note
from tests.db_servers import RedisServer
from tests.scale.harness import Phone, established, seed_meetup, wait_until
from tests.scale.install_harness import Installation
from tests.servers import ROOT, inprocess_app

EMAIL = "beheer@example.org"


@pytest.fixture(scope="module")
def installed(postgres_server: str, redis_server: RedisServer,
              tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[Installation, subprocess.CompletedProcess]]:
    install = Installation(tmp_path_factory.mktemp("server") / "root", postgres_server,
                           redis_server.url)
    install.root.mkdir()
    try:
        first = install.run("--workers", "2", "--tls", "internal", "--source", str(ROOT),
                            "--release", "new", "--email", EMAIL)
        yield install, first
    finally:
        install.stop_all()


def snapshot(root: Path) -> dict[str, tuple[str, int, int]]:
    """Every file the installation consists of: content hash, mode, modification time."""
    files = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(("run/", "var/lib/caddy/")) or "__pycache__" in relative:
            continue
        if path.is_file() and not path.is_symlink():
            info = path.stat()
            files[relative] = (hashlib.sha256(path.read_bytes()).hexdigest(),
                               stat.S_IMODE(info.st_mode), info.st_mtime_ns)
        elif path.is_symlink():
            files[relative] = (str(path.readlink()), 0, 0)
    return files


def test_the_units_pass_systemd_analyze_verify(
        installed: tuple[Installation, subprocess.CompletedProcess]) -> None:
    install, _ = installed
    units = sorted(p.name for p in install.units.iterdir())
    assert units == ["meetup-backup.service", "meetup-backup.timer", "meetup-mail.service",
                     "meetup-mail.timer", "meetup@.service"]
    for unit in units:
        result = subprocess.run(["systemd-analyze", "verify", "--man=no", "--generators=no",
                                 str(install.units / unit)], capture_output=True, text=True,
                                env={"SYSTEMD_UNIT_PATH": f"{install.units}:"})
        assert result.returncode == 0 and result.stderr == "", (unit, result.stderr)
    worker = (install.units / "meetup@.service").read_text()
    assert f"ExecStart={install.root}/opt/meetup/current/venv/bin/meetup serve" in worker
    assert "Environment=MEETUP_HOST=127.0.0.1 MEETUP_PORT=%i" in worker
    backup = (install.units / "meetup-backup.service").read_text()
    assert "meetup nightly-backup" in backup and "--keep-days 14" in backup
    assert "meetup send-mail" in (install.units / "meetup-mail.service").read_text()


def test_settings_are_shared_secure_and_private(
        installed: tuple[Installation, subprocess.CompletedProcess]) -> None:
    install, _ = installed
    assert stat.S_IMODE(install.env_file.stat().st_mode) == 0o600
    settings = install.settings()
    assert settings["MEETUP_PUBLIC_URL"] == install.base_url
    assert settings["MEETUP_SECURE_COOKIES"] == "1"
    assert settings["MEETUP_PROXY_COUNT"] == "1"
    assert settings["MEETUP_DATABASE_URL"] == install.database_url
    assert settings["MEETUP_MESSAGE_QUEUE"] == install.redis_url
    assert len(settings["MEETUP_SECRET_KEY"]) >= 40
    # Both workers read this one file, so they share the key.
    for port in install.worker_ports():
        _, env, _ = install.unit_command(f"meetup@{port}.service")
        assert env["MEETUP_SECRET_KEY"] == settings["MEETUP_SECRET_KEY"]
        assert env["MEETUP_PORT"] == str(port)


def test_running_it_again_changes_nothing(
        installed: tuple[Installation, subprocess.CompletedProcess]) -> None:
    install, first = installed
    assert len(re.findall(r"Password \(shown once\): \S+", first.stdout)) == 1
    before = snapshot(install.root)
    calls = install.root / "run" / "fake-systemd" / "calls.log"
    calls_before = calls.read_text().splitlines()
    again = install.run("--workers", "2", "--tls", "internal", "--source", str(ROOT),
                        "--release", "new", "--email", EMAIL, check=False)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Nothing to change" in again.stdout, again.stdout
    assert "Password" not in again.stdout
    assert snapshot(install.root) == before
    new_calls = calls.read_text().splitlines()[len(calls_before):]
    assert new_calls and all(c.startswith(("is-active", "is-enabled")) for c in new_calls), \
        new_calls
