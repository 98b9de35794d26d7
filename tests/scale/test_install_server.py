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
from flask import Flask

from tests.db_servers import RedisServer
from tests.scale.harness import Phone, established, seed_meetup, wait_until
from tests.scale.install_harness import Installation
from tests.servers import ROOT, inprocess_app
from tests.socket_clients import form_post

EMAIL = "beheer@example.org"


@pytest.fixture(scope="module")
def installed(postgres_server: str, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[Installation, subprocess.CompletedProcess]]:
    # A Redis of its own: Socket.IO's channel is shared by every database of one Redis, and
    # the scale-out cluster's workers would hear these workers' broadcasts.
    redis_server = RedisServer(tmp_path_factory.mktemp("redis"))
    redis_server.start()
    install = Installation(tmp_path_factory.mktemp("server") / "root", postgres_server,
                           redis_server.url)
    install.root.mkdir()
    try:
        first = install.run("--workers", "2", "--tls", "internal", "--source", str(ROOT),
                            "--release", "new", "--email", EMAIL)
        yield install, first
    finally:
        install.stop_all()
        redis_server.stop()


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
    units = sorted(p.name for p in install.units.iterdir() if p.is_file())
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


@pytest.fixture(scope="module")
def seed_app(installed: tuple[Installation, subprocess.CompletedProcess],
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    install, _ = installed
    with inprocess_app(install.database_url, install.settings()["MEETUP_SECRET_KEY"],
                       tmp_path_factory.mktemp("instance")) as app:
        yield app


def test_phones_over_wss_through_caddy_reach_both_workers(
        installed: tuple[Installation, subprocess.CompletedProcess], seed_app: Flask,
        phones: list[Phone]) -> None:
    install, first = installed
    http = install.http()
    # The organiser logs in over HTTPS with the password printed once; the cookie is Secure.
    password = re.search(r"Password \(shown once\): (\S+)", first.stdout).group(1)
    login = form_post(http, f"{install.base_url}/organiser/login",
                      {"email": EMAIL, "password": password})
    assert login.status_code == 302, login.text[:300]
    assert any(c.name == "session" and c.secure for c in http.cookies)
    # Twelve phones at two tables: every note reaches the phones of its table, whichever of
    # the two workers each phone landed on.
    seeded = seed_meetup(seed_app, 12)
    for _pid, _table, cookie in seeded.phones:
        phones.append(install.phone(cookie, seeded.meetup.id).connect())
    for phone in phones:
        phone.wait(lambda p=phone: p.events("snapshot"))
    per_worker = established(install.worker_ports())
    assert all(count > 0 for count in per_worker.values()), per_worker
    notes = {}
    for i, phone in enumerate(phones):
        notes[phone.type_note(f"Over https {i}")] = seeded.phones[i][1]
        phone.flush()
    for phone, (_pid, table, _cookie) in zip(phones, seeded.phones, strict=True):
        expected = {uuid for uuid, at in notes.items() if at == table}
        wait_until(lambda p=phone, e=expected: e <= p.note_uuids(), 20, "the table's notes")


def test_the_nightly_backup_restores(
        installed: tuple[Installation, subprocess.CompletedProcess], seed_app: Flask,
        postgres_server: str) -> None:
    install, _ = installed
    seeded = seed_meetup(seed_app, 4)
    # What the timer starts: the backup service's command, with its environment.
    argv, env, workdir = install.unit_command("meetup-backup.service")
    done = subprocess.run(argv, env=env, cwd=workdir, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    backups = sorted((install.root / "var" / "backups" / "meetup").glob("nightly-*.pgdump"))
    assert len(backups) == 1
    # Restored into an empty database, it holds the meetup and its people.
    import psycopg

    plain = postgres_server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain + "/postgres", autocommit=True) as conn:
        conn.execute('CREATE DATABASE "restored_nightly"')
    restored_url = f"{postgres_server}/restored_nightly"
    meetup_bin = install.root / "opt" / "meetup" / "current" / "venv" / "bin" / "meetup"
    done = subprocess.run([str(meetup_bin), "restore", str(backups[0]), "--yes"],
                          env={**env, "MEETUP_DATABASE_URL": restored_url}, cwd=workdir,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    with psycopg.connect(f"{plain}/restored_nightly") as conn:
        people = conn.execute("SELECT count(*) FROM participants WHERE meetup_id = %s",
                              (seeded.meetup.id,)).fetchone()[0]
        title = conn.execute("SELECT title FROM meetups WHERE id = %s",
                             (seeded.meetup.id,)).fetchone()[0]
    assert (people, title) == (4, "Meetup Hilversum")


def test_long_polling_phones_stick_to_their_worker(
        installed: tuple[Installation, subprocess.CompletedProcess], seed_app: Flask) -> None:
    """A network that blocks websockets: every request of a polling session must reach the
    worker that holds it (Caddy's cookie), or the session breaks."""
    install, _ = installed
    seeded = seed_meetup(seed_app, 6)
    phones: list[Phone] = []
    try:
        for _pid, _table, cookie in seeded.phones:
            phones.append(install.phone(cookie, seeded.meetup.id)
                          .connect(transports=["polling"]))
        for phone in phones:
            phone.wait(lambda p=phone: p.events("snapshot"))
        for round_ in range(3):
            for i, phone in enumerate(phones):
                phone.type_note(f"Via polling {i}.{round_}")
                phone.flush(deadline=30)
        assert all(p.client.eio.current_transport == "polling" for p in phones)
        assert [r for p in phones for r in p.refusals] == []
        assert all(not p.failed_sends for p in phones), [p.failed_sends for p in phones]
    finally:
        for phone in phones:
            phone.client.reconnection = False
            phone.client.disconnect()


def test_fewer_workers_stops_the_extra_one(
        installed: tuple[Installation, subprocess.CompletedProcess]) -> None:
    install, _ = installed
    first, second = install.worker_ports()
    try:
        fewer = install.run("--workers", "1", "--tls", "internal", "--source", str(ROOT),
                            "--release", "new", "--email", EMAIL)
        assert f"stop and disable meetup@{second}" in fewer.stdout
        caddyfile = (install.root / "etc" / "caddy" / "Caddyfile").read_text()
        assert f"127.0.0.1:{first}" in caddyfile and f"127.0.0.1:{second}" not in caddyfile
        assert established([second])[second] == 0
        assert install.http().get(install.base_url + "/", timeout=15).status_code == 200
    finally:
        install.run("--workers", "2", "--tls", "internal", "--source", str(ROOT),
                    "--release", "new", "--email", EMAIL)
    assert install.http().get(install.base_url + "/", timeout=15).status_code == 200
