"""``scripts/install-server.sh --upgrade`` from the previous release to this one, with phones
connected over wss:// through Caddy to two workers (see tests/scale/install_harness.py).

The tests of this module run in order on one installation: the previous release installed,
an upgrade refused while its evening runs, the forced upgrade with phones writing (nothing
lost, nothing refused), then a release whose migration fails (the old release and the
backup stay).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask

from meetup.config import PARTICIPANT_SESSION_KEY
from tests.db_servers import RedisServer
from tests.scale.harness import Phone, established, signed_cookie, wait_until
from tests.scale.install_harness import Installation, release_source
from tests.servers import ROOT, inprocess_app

PHONES = 16
SEED = Path(__file__).with_name("upgrade_seed.py")


@pytest.fixture(scope="module")
def install(postgres_server: str,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    # A Redis of its own: Socket.IO's channel is shared by every database of one Redis, and
    # the scale-out cluster's workers would hear these workers' broadcasts.
    redis_server = RedisServer(tmp_path_factory.mktemp("redis"))
    redis_server.start()
    installation = Installation(tmp_path_factory.mktemp("upgrade") / "root", postgres_server,
                                redis_server.url)
    installation.root.mkdir()
    try:
        with release_source() as previous:
            installation.run("--workers", "2", "--tls", "internal", "--source", str(previous),
                             "--release", "previous")
        yield installation
    finally:
        installation.stop_all()
        redis_server.stop()


@pytest.fixture(scope="module")
def evening(install: Installation, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A meetup in its first round, written by the previous release's own code."""
    seeded = json.loads(install.run_python("previous", str(SEED), str(PHONES)))
    with inprocess_app(install.database_url, install.settings()["MEETUP_SECRET_KEY"],
                       tmp_path_factory.mktemp("signer")) as app:
        seeded["cookies"] = [cookie_for(app, seeded["meetup"], token)
                             for _table, token in seeded["phones"]]
    return seeded


def cookie_for(app: Flask, meetup_id: int, token: str) -> str:
    return signed_cookie(app, {PARTICIPANT_SESSION_KEY: {str(meetup_id): token}})


def sql(install: Installation, query: str) -> list[tuple]:
    with psycopg.connect(install.database_url.replace("postgresql+psycopg", "postgresql")) as c:
        return c.execute(query).fetchall()


def upgrade(install: Installation, source: Path, release: str,
            *extra: str) -> subprocess.CompletedProcess:
    return install.run("--upgrade", "--workers", "2", "--tls", "internal", "--source",
                       str(source), "--release", release, *extra, check=False)


def test_an_upgrade_is_refused_while_an_evening_runs(install: Installation,
                                                     evening: dict) -> None:
    pids = install.worker_pids()
    refused = upgrade(install, ROOT, "new")
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "Meetup Hilversum" in refused.stdout and "--force" in refused.stderr
    assert install.current_release() == "previous"
    assert install.worker_pids() == pids
    assert not list((install.root / "var" / "backups" / "meetup").glob("before-upgrade-*"))


class Writer(threading.Thread):
    """A phone that types a note every half second until told to stop (and then sends
    what is left): what a room does while the upgrade runs."""

    def __init__(self, phone: Phone, table: int) -> None:
        super().__init__(daemon=True)
        self.phone, self.table = phone, table
        self.stop = threading.Event()
        self.refused: list[str] = []

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            self.phone.type_note(f"Tafel {self.table}, notitie {n}")
            n += 1
            try:
                self.phone.flush(deadline=120)
            except AssertionError as error:  # an answer that was not ok
                self.refused.append(str(error))
                return
            self.stop.wait(0.5)


class Visitor(threading.Thread):
    """Someone opening the home page through Caddy, over and over."""

    def __init__(self, install: Installation) -> None:
        super().__init__(daemon=True)
        self.http, self.url = install.http(), install.base_url + "/"
        self.stop = threading.Event()
        self.answers: list[int | str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.answers.append(self.http.get(self.url, timeout=15).status_code)
            except requests.RequestException as error:
                self.answers.append(repr(error))
            self.stop.wait(0.1)


def test_an_upgrade_with_phones_connected_loses_nothing(install: Installation, evening: dict,
                                                        phones: list[Phone]) -> None:
    meetup_id = evening["meetup"]
    for cookie in evening["cookies"]:
        phones.append(install.phone(cookie, meetup_id).connect())
    for phone in phones:
        phone.wait(lambda p=phone: p.events("snapshot"))
    assert all(n > 0 for n in established(install.worker_ports()).values())
    writers = [Writer(phone, table) for phone, (table, _token) in zip(phones, evening["phones"],
                                                                       strict=True)]
    visitor = Visitor(install)
    old_pids = install.worker_pids()
    for thread in [*writers, visitor]:
        thread.start()
    wait_until(lambda: all(w.phone.acked for w in writers), 60, "notes before the upgrade")

    started = time.monotonic()
    done = upgrade(install, ROOT, "new", "--force")
    took = time.monotonic() - started

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Upgraded from previous to new" in done.stdout
    # The phones go on writing on the new release for a moment, then stop.
    acked_at_upgrade = sum(len(w.phone.acked) for w in writers)
    try:
        wait_until(lambda: sum(len(w.phone.acked) for w in writers)
                   >= acked_at_upgrade + PHONES, 60, "notes after the upgrade")
    except AssertionError:
        raise AssertionError([(w.phone.client.connected, w.phone.failed_sends[-2:],
                               w.phone.refusals[-2:]) for w in writers]) from None
    for thread in [*writers, visitor]:
        thread.stop.set()
    for thread in [*writers, visitor]:
        thread.join(timeout=150)

    assert install.current_release() == "new"
    new_pids = install.worker_pids()
    assert all(new != old for new, old in zip(new_pids, old_pids, strict=True)), new_pids
    heads = ScriptDirectory.from_config(_alembic_config()).get_heads()
    assert {v for (v,) in sql(install, "SELECT version_num FROM alembic_version")} == set(heads)
    assert list((install.root / "var" / "backups" / "meetup").glob("before-upgrade-*previous"
                                                                    "-to-new.pgdump"))
    # 0 refused: every write was answered ok, every page opened.
    assert [w.refused for w in writers if w.refused] == []
    assert [a for a in visitor.answers if a != 200] == [], visitor.answers
    refusals = [r for p in phones for r in p.refusals]
    # 0 lost: every acknowledged note is stored, and shown on every phone of its table.
    acked = {payload["note"]: w.table for w in writers for _e, payload, _ack in w.phone.acked}
    stored = {str(u) for (u,) in sql(install, f"SELECT uuid FROM notes WHERE meetup_id = "
                                              f"{int(meetup_id)}")}
    missing = set(acked) - stored
    print(f"\nupgrade with {PHONES} phones: {len(acked)} notes acknowledged, "
          f"{len(missing)} lost, {len(refusals)} connection refusals, "
          f"{len(visitor.answers)} page loads, "
          f"{sum(len(w.phone.failed_sends) for w in writers)} sends retried; "
          f"the upgrade took {took:.0f} s (printed, not asserted)")
    assert missing == set()
    for writer in writers:
        expected = {u for u, table in acked.items() if table == writer.table}
        writer.phone.sync()
        wait_until(lambda w=writer, e=expected: e <= w.phone.note_uuids(), 30,
                   "every note of the table on the phone")
    assert refusals == []


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return config


def test_a_failed_migration_keeps_the_old_release_and_the_data(
        install: Installation, tmp_path: Path) -> None:
    before = install.current_release()
    pids = install.worker_pids()
    notes = sql(install, "SELECT count(*) FROM notes")[0][0]
    version = sql(install, "SELECT version_num FROM alembic_version")
    # A release whose new migration fails halfway (after changing the schema).
    broken = tmp_path / "broken"
    shutil.copytree(ROOT, broken, ignore=shutil.ignore_patterns(
        ".venv", ".git", "instance", "tests", "benchmarks", "node_modules", "__pycache__",
        "build", "*.egg-info"))
    heads = ScriptDirectory.from_config(_alembic_config()).get_heads()
    (broken / "migrations" / "versions" / "9999_broken.py").write_text(
        f'revision = "9999_broken"\ndown_revision = {tuple(heads)!r}\n'
        "branch_labels = None\ndepends_on = None\n\n"
        "import sqlalchemy as sa\nfrom alembic import op\n\n\n"
        "def upgrade():\n"
        '    op.drop_table("notes")\n'
        '    raise RuntimeError("this migration fails on purpose")\n\n\n'
        "def downgrade():\n    pass\n")

    failed = upgrade(install, broken, "broken", "--force")

    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "putting back the backup" in failed.stderr
    assert f"release {before} runs on" in failed.stderr
    assert install.current_release() == before
    assert install.worker_pids() == pids
    assert sql(install, "SELECT count(*) FROM notes")[0][0] == notes
    assert sql(install, "SELECT version_num FROM alembic_version") == version
    answer = install.http().get(install.base_url + "/", timeout=15)
    assert answer.status_code == 200
