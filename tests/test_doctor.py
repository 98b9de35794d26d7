"""``meetup doctor`` against a real installation on loopback: ``meetup serve`` on SQLite with
rolling backups, HTTPS in front with a certificate from a throwaway CA, Redis, a mail server.
First healthy (every line OK), then each fault the doctor names, one at a time."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from meetup.services import doctor
from meetup.services.doctor import Status, Thresholds
from tests.db_servers import RedisServer
from tests.doctor_helpers import ThrowawayCA, TinySmtp, TlsFront
from tests.servers import MEETUP_BIN, ROOT, LiveServer, free_port, live_server

pytestmark = pytest.mark.server
SECRET = "live-test-secret"


def closed_port() -> int:
    return free_port()  # bound and released: nothing listens there


@dataclasses.dataclass
class Installation:
    server: LiveServer
    other: LiveServer  # a second worker with another key and no Secure cookies
    front: TlsFront
    ca: ThrowawayCA
    redis: RedisServer
    smtp: TinySmtp
    folder: Path

    @property
    def public_url(self) -> str:
        return f"https://localhost:{self.front.port}"

    @property
    def backups(self) -> Path:
        return self.folder / "backups"

    def setup(self, **changes: object) -> doctor.Setup:
        healthy = doctor.Setup(
            database_url=self.server.database_url, secret_key=SECRET,
            public_url=self.public_url, secure_cookies=True, message_queue=self.redis.url,
            worker_urls=[self.server.base_url], backup_dir=self.backups,
            data_dirs=[self.folder], smtp_url=f"smtp://127.0.0.1:{self.smtp.port}",
            ca_file=self.ca.ca_file,
            # Whatever this machine has free: the disk faults are played by thresholds.
            thresholds=Thresholds(disk_warn_free=1024**2, disk_fail_free=1024),
            scheduler_heartbeat=lambda setup: setup.now() - timedelta(minutes=5))
        return dataclasses.replace(healthy, **changes)


def wait_for(condition, what: str, timeout: float = 30):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen")


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    folder = tmp_path_factory.mktemp("installation")
    ca = ThrowawayCA(folder / "ca")
    front_port = free_port()
    env = {"MEETUP_SECURE_COOKIES": "1", "MEETUP_BACKUP_DIR": str(folder / "backups"),
           "MEETUP_BACKUP_INTERVAL": "1", "MEETUP_PROXY_COUNT": "1",
           "MEETUP_PUBLIC_URL": f"https://localhost:{front_port}"}
    for part in ("redis", "one", "two"):
        (folder / part).mkdir()
    redis = RedisServer(folder / "redis")
    redis.start()
    smtp = TinySmtp()
    try:
        with live_server(folder / "one", **env) as server, \
                live_server(folder / "two", MEETUP_SECRET_KEY="another-key") as other:
            front = TlsFront(ca.issue("localhost"), int(server.base_url.rsplit(":", 1)[1]),
                             port=front_port)
            try:
                wait_for(lambda: list((folder / "backups").glob("meetup-*")),
                         "the first backup")
                yield Installation(server, other, front, ca, redis, smtp, folder)
            finally:
                front.close()
    finally:
        smtp.close()
        redis.stop()


def by_check(findings: list[doctor.Finding]) -> dict[str, list[doctor.Finding]]:
    grouped: dict[str, list[doctor.Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.check, []).append(finding)
    return grouped


def one(setup: doctor.Setup, name: str) -> doctor.Finding:
    found = doctor.run(setup, [name])
    assert len(found) == 1, found
    return found[0]


def text(finding: doctor.Finding) -> str:
    return f"{finding.message} | {finding.fix}"


def test_a_healthy_installation_is_ok_on_every_line(installation: Installation) -> None:
    findings = doctor.run(installation.setup())
    assert {f.check for f in findings} == set(doctor.check_names())
    not_ok = [f"{f.status.value} {text(f)}" for f in findings if f.status is not Status.OK]
    assert not_ok == []
    assert installation.smtp.ehlos >= 1


def test_a_url_that_does_not_answer(installation: Installation) -> None:
    finding = one(installation.setup(public_url=f"https://localhost:{closed_port()}"),
                  "public_url")
    assert finding.status is Status.FAIL and "does not answer" in text(finding)


def test_a_certificate_for_another_name_and_one_about_to_expire(
        installation: Installation) -> None:
    front = installation.front
    try:
        front.use(installation.ca.issue("other", dns="meetup.example.nl", ip=None))
        finding = one(installation.setup(), "certificate")
        assert finding.status is Status.FAIL
        assert "not for localhost" in text(finding)
        assert one(installation.setup(), "public_url").status is Status.FAIL
        front.use(installation.ca.issue("soon", days=3))
        finding = one(installation.setup(), "certificate")
        assert finding.status is Status.WARN and "expires in" in text(finding)
    finally:
        front.use(installation.ca.issue("localhost"))
    # The clock moved past the certificate's end: expired.
    later = installation.setup(now=lambda: datetime.now(UTC) + timedelta(days=40))
    finding = one(later, "certificate")
    assert finding.status is Status.FAIL and "expired" in text(finding)


def test_plain_http_fails_on_the_internet_and_is_fine_on_a_venue_network(
        installation: Installation) -> None:
    plain = installation.server.base_url.replace("127.0.0.1", "localhost")
    finding = one(installation.setup(public_url=plain), "https")
    assert finding.status is Status.FAIL and "plain HTTP" in text(finding)
    venue = one(installation.setup(public_url="http://192.168.1.23:5000"), "https")
    assert venue.status is Status.INFO


def test_cookies_without_secure(installation: Installation) -> None:
    front = installation.front
    own = front.target_port
    front.target_port = int(installation.other.base_url.rsplit(":", 1)[1])
    try:
        finding = one(installation.setup(), "cookies")
    finally:
        front.target_port = own
    assert finding.status is Status.FAIL
    assert "without Secure" in text(finding) and "MEETUP_SECURE_COOKIES=1" in text(finding)


def test_a_worker_with_another_secret_key(installation: Installation) -> None:
    workers = [installation.server.base_url, installation.other.base_url]
    finding = one(installation.setup(worker_urls=workers), "secret_key")
    assert finding.status is Status.FAIL and installation.other.base_url in text(finding)
    down = one(installation.setup(worker_urls=[f"http://127.0.0.1:{closed_port()}"]),
               "secret_key")
    assert down.status is Status.FAIL and "do not answer" in text(down)


def test_the_key_fingerprint_is_kept_from_the_internet(installation: Installation) -> None:
    direct = requests.get(installation.server.base_url + "/healthz", timeout=10).json()
    assert direct == {"ok": True, "key": doctor.key_fingerprint(SECRET)}
    assert SECRET not in json.dumps(direct)
    # Through the proxy (which adds X-Forwarded-For), nobody sees even the fingerprint.
    proxied = requests.get(installation.public_url + "/healthz", timeout=10,
                           verify=installation.ca.ca_file,
                           headers={"X-Forwarded-For": "203.0.113.9"}).json()
    assert proxied == {"ok": True}


def test_a_database_that_cannot_be_reached(installation: Installation,
                                           tmp_path: Path) -> None:
    for url in (f"postgresql+psycopg://meetup:pw@127.0.0.1:{closed_port()}/meetup",
                f"sqlite:///{tmp_path / 'gone.sqlite3'}"):
        findings = by_check(doctor.run(installation.setup(database_url=url),
                                       ["database", "migrations"]))
        assert findings["database"][0].status is Status.FAIL, url
        assert "cannot be reached" in text(findings["database"][0])
        assert findings["migrations"][0].status is Status.INFO
    assert not (tmp_path / "gone.sqlite3").exists()  # the doctor created no empty database


def test_migrations_behind_or_ahead(installation: Installation, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite3"
    with sqlite3.connect(installation.server.database_url.removeprefix("sqlite:///")) as src, \
            sqlite3.connect(copy) as dst:
        src.backup(dst)
    for revision, words in (("0001", "behind"), ("9999_future", "newer")):
        with sqlite3.connect(copy) as con:
            con.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        finding = one(installation.setup(database_url=f"sqlite:///{copy}"), "migrations")
        assert finding.status is Status.FAIL and words in text(finding)


def test_redis_that_does_not_answer(installation: Installation) -> None:
    finding = one(installation.setup(message_queue=f"redis://127.0.0.1:{closed_port()}/0"),
                  "redis")
    assert finding.status is Status.FAIL and "MEETUP_MESSAGE_QUEUE" in text(finding)


def test_backups_old_missing_or_corrupt(installation: Installation, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    shutil.copytree(installation.backups, folder)
    newest = max(folder.glob("meetup-*"), key=lambda p: p.stat().st_mtime)
    assert one(installation.setup(backup_dir=folder), "backup").status is Status.OK
    for hours, status in ((30, Status.WARN), (24 * 4, Status.FAIL)):
        then = time.time() - hours * 3600
        os.utime(newest, (then, then))
        for other in folder.iterdir():
            if other != newest:
                other.unlink()
        finding = one(installation.setup(backup_dir=folder), "backup")
        assert finding.status is status and f"{hours} hours old" in text(finding)
    corrupt = folder / "meetup-29991231-000000-000000.sqlite3"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\x07" * 5000)
    finding = one(installation.setup(backup_dir=folder), "backup")
    assert finding.status is Status.FAIL and "does not restore" in text(finding)
    finding = one(installation.setup(backup_dir=tmp_path / "empty"), "backup")
    assert finding.status is Status.FAIL and "no backup" in text(finding)


def test_a_servers_nightly_backup_counts_beside_the_rolling_ones(installation: Installation,
                                                                 tmp_path: Path) -> None:
    """install-server.sh keeps nightly backups (``nightly-*``) in a folder of their own
    (MEETUP_NIGHTLY_BACKUP_DIR): the doctor finds the newest of both kinds."""
    from meetup.services import backup

    nightly = tmp_path / "nightly"
    made, _ = backup.nightly_backup(installation.setup().database_url, nightly, keep_days=14)
    finding = one(installation.setup(backup_dir=tmp_path / "empty",
                                     nightly_backup_dir=nightly), "backup")
    assert finding.status is Status.OK and made.name in text(finding), text(finding)


def test_low_disk_space(installation: Installation) -> None:
    huge = 1024**6
    warn = one(installation.setup(thresholds=Thresholds(disk_warn_free=huge)), "disk")
    assert warn.status is Status.WARN and "Only" in text(warn)
    fail = one(installation.setup(thresholds=Thresholds(disk_warn_free=huge,
                                                        disk_fail_free=huge)), "disk")
    assert fail.status is Status.FAIL


def test_a_clock_that_is_off(installation: Installation) -> None:
    for seconds, status in ((12, Status.WARN), (90, Status.FAIL)):
        skewed = installation.setup(now=lambda s=seconds: datetime.now(UTC)
                                    + timedelta(seconds=s))
        finding = one(skewed, "clock")
        assert finding.status is status, text(finding)
        assert "seconds off" in text(finding)


def test_a_mail_server_that_refuses(installation: Installation) -> None:
    finding = one(installation.setup(smtp_url=f"smtp://127.0.0.1:{closed_port()}"), "smtp")
    assert finding.status is Status.FAIL and "does not answer" in text(finding)
    assert one(installation.setup(smtp_url=None), "smtp").status is Status.INFO


def test_a_stale_scheduler_and_none_installed(installation: Installation) -> None:
    for age, status in ((timedelta(hours=3), Status.WARN), (timedelta(days=2), Status.FAIL)):
        stale = installation.setup(scheduler_heartbeat=lambda s, a=age: s.now() - a)
        assert one(stale, "scheduler").status is status
    never = installation.setup(scheduler_heartbeat=lambda s: None)
    assert one(never, "scheduler").status is Status.WARN
    # The installed scheduler (services.mail_scheduler) has not run on this installation yet:
    # with SMTP configured that is a warning, with mail off it is only information.
    assert one(installation.setup(scheduler_heartbeat=None), "scheduler").status is Status.WARN
    mail_off = installation.setup(scheduler_heartbeat=None, smtp_url=None)
    assert one(mail_off, "scheduler").status is Status.INFO
    assert "Mail is off" in text(one(mail_off, "scheduler"))


def run_doctor(installation: Installation, *args: str,
               **env: str) -> subprocess.CompletedProcess[str]:
    full = dict(installation.server.env)
    full.update(env)
    return subprocess.run([str(MEETUP_BIN), "doctor", "--ca-file", installation.ca.ca_file,
                           "--worker", installation.server.base_url, *args],
                          env=full, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_command_speaks_dutch_or_english_and_fails_with_a_fault(
        installation: Installation) -> None:
    dutch = run_doctor(installation, LANG="nl_NL.UTF-8")
    assert dutch.returncode == 0, dutch.stdout + dutch.stderr
    assert "OK    De database is bijgewerkt" in dutch.stdout
    assert "FAIL" not in dutch.stdout
    english = run_doctor(installation, "--lang", "en", MEETUP_SMTP_URL=f"smtp://127.0.0.1:"
                                                                       f"{closed_port()}")
    assert english.returncode == 1
    lines = english.stdout.splitlines()
    smtp = next(i for i, line in enumerate(lines) if line.startswith("FAIL  The mail server"))
    assert lines[smtp + 1].startswith("      -> Check MEETUP_SMTP_URL")
    assert "OK    The database is up to date" in english.stdout


def test_on_postgresql_the_backup_is_restored_into_a_scratch_database_and_clocks_compared(
        postgres_url: str, tmp_path: Path) -> None:
    from meetup.extensions import db as flask_db
    from meetup.services import backup, meetups, organisers
    from tests.conftest import PASSWORD, make_app

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=postgres_url)
    with app.app_context():
        flask_db.create_all()
        org = organisers.create_organiser(flask_db.session, "bo@example.org", PASSWORD)
        meetups.create_meetup(flask_db.session, org, title="Meetup Zwolle")
        flask_db.session.commit()
        flask_db.engine.dispose()
    folder = tmp_path / "backups"
    backup.rolling_backup(postgres_url, folder, keep=3)
    setup = doctor.Setup(database_url=postgres_url, secret_key=SECRET, backup_dir=folder)
    used = [setup]
    try:
        found = by_check(doctor.run(setup, ["database", "backup", "clock"]))
        assert [f.status for f in found["database"]] == [Status.OK]
        assert found["backup"][0].status is Status.OK, text(found["backup"][0])
        assert "1 meetups" in text(found["backup"][0])  # restored and opened
        assert found["clock"][0].status is Status.OK, text(found["clock"][0])
        skewed = dataclasses.replace(setup, cache={},
                                     now=lambda: datetime.now(UTC) + timedelta(minutes=3))
        used.append(skewed)
        finding = one(skewed, "clock")
        assert finding.status is Status.FAIL and "database server" in text(finding)
        # A dump cut short does not restore.
        dump = next(folder.glob("meetup-*.pgdump"))
        dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
        used.append(dataclasses.replace(setup, cache={}))
        broken = one(used[-1], "backup")
        assert broken.status is Status.FAIL and "does not restore" in text(broken)
    finally:
        for engine_setup in used:
            engine = engine_setup.cache.get("engine")
            if engine is not None:
                engine.dispose()
