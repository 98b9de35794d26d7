"""The doctor's checks of the data: the database and its migrations, Redis, the last backup
(restored into a scratch copy), disk space, and the clock."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from meetup.services.backup import NIGHTLY_PREFIX, ROLLING_PREFIX
from meetup.services.doctor.findings import Finding, Setup, Status, check
from meetup.services.doctor.web import closest, date_of_public_url

#: Where the migration scripts live (the project root's migrations/).
MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


def _engine(setup: Setup) -> Engine:
    if "engine" not in setup.cache:
        url = make_url(setup.database_url)
        args = {}
        if url.get_backend_name() == "postgresql":
            args["connect_timeout"] = int(setup.thresholds.timeout)
        elif url.database and url.database != ":memory:" and not Path(url.database).exists():
            raise FileNotFoundError(f"there is no database file at {url.database}")
        setup.cache["engine"] = create_engine(url, connect_args=args)
    return setup.cache["engine"]


@check
def check_database(setup: Setup) -> Finding:
    shown = make_url(setup.database_url).render_as_string(hide_password=True)
    try:
        with _engine(setup).connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any driver's error means "not reachable"
        setup.cache["database_down"] = True
        return Finding("database", Status.FAIL,
                       _l("The database %(url)s cannot be reached: %(error)s", url=shown,
                          error=str(error).splitlines()[0][:200]),
                       _l("Start PostgreSQL (systemctl start postgresql) and check "
                          "MEETUP_DATABASE_URL (host, port, user, password)."))
    return Finding("database", Status.OK, _l("The database answers (%(url)s).", url=shown))


def _heads() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory(str(MIGRATIONS)).get_heads())


@check
def check_migrations(setup: Setup) -> Finding:
    if setup.cache.get("database_down"):
        return Finding("migrations", Status.INFO, _l("Migrations not checked: no database."))
    from alembic.runtime.migration import MigrationContext

    with _engine(setup).connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    heads = _heads()
    if current == heads:
        return Finding("migrations", Status.OK,
                       _l("The database is up to date (%(revision)s).",
                          revision=", ".join(sorted(heads))))
    from alembic.script import ScriptDirectory

    known = {rev.revision for rev in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    if current - known:
        return Finding("migrations", Status.FAIL,
                       _l("The database is newer (%(current)s) than this version of Meetup.",
                          current=", ".join(sorted(current))),
                       _l("Install the version that made it, or restore the backup taken "
                          "before the upgrade."))
    return Finding("migrations", Status.FAIL,
                   _l("The database is behind: at %(current)s, this version needs %(heads)s.",
                      current=", ".join(sorted(current)) or "-", heads=", ".join(sorted(heads))),
                   _l("Stop the workers, take a backup (meetup backup FILE), run meetup db "
                      "upgrade, start the workers."))


@check
def check_redis(setup: Setup) -> Finding:
    if not setup.message_queue:
        return Finding("redis", Status.INFO, _l("Redis is not used (one worker)."))
    parts = urlsplit(setup.message_queue)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379),
                                      timeout=setup.thresholds.timeout) as sock:
            if parts.password:
                user = unquote(parts.username or "default")
                password = unquote(parts.password)
                sock.sendall(_resp("AUTH", user, password))
                sock.recv(256)
            sock.sendall(_resp("PING"))
            reply = sock.recv(256)
    except OSError as error:
        reply, detail = b"", error.strerror or str(error)
    else:
        detail = reply.decode("latin-1").strip()
    if reply.startswith(b"+PONG"):
        return Finding("redis", Status.OK, _l("Redis answers."))
    return Finding("redis", Status.FAIL,
                   _l("Redis (MEETUP_MESSAGE_QUEUE) does not answer: %(error)s", error=detail),
                   _l("Start it (systemctl start redis-server) and check the address in "
                      "MEETUP_MESSAGE_QUEUE."))


def _resp(*words: str) -> bytes:
    out = [f"*{len(words)}\r\n".encode()]
    for word in words:
        data = word.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


# -- backups ----------------------------------------------------------------------------------


def latest_backup(*folders: Path | None) -> Path | None:
    """The newest rolling (``meetup-*``) or nightly (``nightly-*``) backup in ``folders``."""
    found = [p for folder in folders if folder is not None and folder.is_dir()
             for prefix in (ROLLING_PREFIX, NIGHTLY_PREFIX)
             for p in folder.glob(f"{prefix}*") if p.is_file()]
    return max(found, key=lambda p: p.stat().st_mtime, default=None)


def restores(backup: Path) -> tuple[bool, str]:
    """Restore ``backup`` into a scratch copy and open it: (it works, what was found)."""
    if backup.suffix == ".sqlite3":
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "restore.sqlite3"
            shutil.copyfile(backup, copy)
            try:
                con = sqlite3.connect(copy)
                try:
                    if con.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                        return False, "integrity_check"
                    revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
                    meetups = con.execute("SELECT count(*) FROM meetups").fetchone()[0]
                finally:
                    con.close()
            except sqlite3.DatabaseError as error:
                return False, str(error)
        return True, f"{meetups} meetups, revision {revision[0] if revision else '-'}"
    if shutil.which("pg_restore") is None:
        return False, "pg_restore is not installed"
    listed = subprocess.run(["pg_restore", "--list", str(backup)], capture_output=True,
                            text=True, check=False)
    if listed.returncode != 0:
        return False, listed.stderr.strip()[:200]
    return True, f"{listed.stdout.count(' TABLE DATA ')} tables"


def restores_into_postgres(setup: Setup, backup: Path) -> tuple[bool, str] | None:
    """Restore a pg_dump into a scratch database beside the real one and count its meetups;
    None when this user may not create databases (then the archive's table of contents is
    all that is checked)."""
    url = make_url(setup.database_url)
    scratch = f"meetup_doctor_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    except Exception:  # noqa: BLE001 - no CREATEDB right
        admin.dispose()
        return None
    try:
        target = url.set(database=scratch, drivername="postgresql")
        done = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname",
                               target.render_as_string(hide_password=False), str(backup)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return False, done.stderr.strip()[:200]
        engine = create_engine(url.set(database=scratch))
        try:
            with engine.connect() as conn:
                meetups = conn.execute(text("SELECT count(*) FROM meetups")).scalar()
        finally:
            engine.dispose()
        return True, f"{meetups} meetups"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}"'))
        admin.dispose()


@check
def check_backup(setup: Setup) -> Finding:
    folder = setup.backup_dir
    fix_missing = _l("Check the nightly backup timer (systemctl list-timers 'meetup*') or run "
                     "meetup backup %(folder)s/meetup-manual.sqlite3 (.pgdump on PostgreSQL).",
                     folder=folder)
    newest = latest_backup(folder, setup.nightly_backup_dir)
    if newest is None:
        return Finding("backup", Status.FAIL,
                       _l("There is no backup in %(folder)s.", folder=folder), fix_missing)
    made = datetime.fromtimestamp(newest.stat().st_mtime, UTC)
    age = setup.now() - made
    hours = max(0, int(age.total_seconds() // 3600))
    works, detail = restores(newest)
    if works and newest.suffix != ".sqlite3":
        restored = restores_into_postgres(setup, newest)
        if restored is not None:
            works, detail = restored
    if not works:
        return Finding("backup", Status.FAIL,
                       _l("The last backup %(file)s does not restore: %(error)s", file=newest.name,
                          error=detail),
                       _l("Take a new one now (meetup backup FILE) and find out why this one "
                          "is broken (a full disk? a stick pulled out?)."))
    if age > setup.thresholds.backup_fail_age or age > setup.thresholds.backup_warn_age:
        status = Status.FAIL if age > setup.thresholds.backup_fail_age else Status.WARN
        return Finding("backup", status,
                       _l("The last backup is %(hours)s hours old (%(file)s).", hours=hours,
                          file=newest.name), fix_missing)
    return Finding("backup", Status.OK,
                   _l("The last backup (%(file)s, %(hours)s hours old) restores: %(detail)s.",
                      file=newest.name, hours=hours, detail=detail))


@check
def check_disk(setup: Setup) -> list[Finding]:
    folders: list[Path] = []
    for folder in [*setup.data_dirs, *( [setup.backup_dir] if setup.backup_dir else [])]:
        existing = next((p for p in [folder, *folder.parents] if p.exists()), None)
        if existing is not None and existing not in folders:
            folders.append(existing)
    findings, seen_devices = [], set()
    for folder in folders:
        device = folder.stat().st_dev
        if device in seen_devices:
            continue
        seen_devices.add(device)
        free = shutil.disk_usage(folder).free
        gb = f"{free / 1024**3:.1f}"
        if free < setup.thresholds.disk_fail_free:
            status = Status.FAIL
        elif free < setup.thresholds.disk_warn_free:
            status = Status.WARN
        else:
            findings.append(Finding("disk", Status.OK,
                                    _l("%(gb)s GB free for %(folder)s.", gb=gb, folder=folder)))
            continue
        findings.append(Finding("disk", status,
                                _l("Only %(gb)s GB free for %(folder)s.", gb=gb, folder=folder),
                                _l("Free space: remove old backups and logs "
                                   "(journalctl --vacuum-size=200M), or add disk.")))
    return findings or [Finding("disk", Status.INFO, _l("No data folder to check."))]


def _database_clock(setup: Setup) -> tuple[datetime, datetime] | None:
    """The database server's clock and this machine's at that moment (PostgreSQL only)."""
    if setup.cache.get("database_down") or make_url(setup.database_url).get_backend_name() \
            != "postgresql":
        return None  # SQLite has no clock of its own: it is this machine's
    with _engine(setup).connect() as conn:
        before = setup.now()
        value = conn.execute(text("SELECT clock_timestamp()")).scalar()
        after = setup.now()
    return (value, closest(value, before, after)) if isinstance(value, datetime) else None


@check
def check_clock(setup: Setup) -> Finding:
    others = [(label, pair) for label, pair in (
        (_l("the database server"), _database_clock(setup)),
        (_l("the public address"), date_of_public_url(setup)))
        if pair is not None]
    if not others:
        return Finding("clock", Status.INFO, _l("No other clock to compare with."))
    label, (theirs, mine) = max(others, key=lambda item: abs(item[1][0] - item[1][1]))
    skew = abs(theirs - mine)
    if skew > setup.thresholds.clock_warn_skew:
        status = Status.FAIL if skew > setup.thresholds.clock_fail_skew else Status.WARN
        return Finding("clock", status,
                       _l("This machine's clock is %(seconds)s seconds off from %(other)s.",
                          seconds=int(skew.total_seconds()), other=label),
                       _l("Switch on time synchronisation on every machine (timedatectl "
                          "set-ntp true; Debian: apt install systemd-timesyncd): countdowns "
                          "and backups depend on it."))
    return Finding("clock", Status.OK,
                   _l("The clock agrees with %(other)s.", other=label))
