"""Consistent backups while the evening runs, and restoring one.

SQLite runs in WAL mode: committed writes live in ``meetup.sqlite3-wal`` until a checkpoint
moves them into the main file. A plain copy of ``meetup.sqlite3`` during the evening therefore
misses acknowledged notes, and still passes ``integrity_check``. SQLite's online backup API
copies the database as one consistent snapshot including the WAL, while writers go on.
PostgreSQL is dumped with ``pg_dump`` (custom format) and restored with ``pg_restore``.

The server also keeps a rolling backup (:func:`rolling_backup`) in ``instance/backups/``
while something changes, keeping the last ``BACKUP_KEEP``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from meetup.models import Meetup, Participant

#: Name pattern of the rolling backups (sorts by time).
ROLLING_PREFIX = "meetup-"


class BackupError(Exception):
    """A backup or restore that could not be made; the message says why."""


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    return Path(parsed.database)


def _pg_url(url: str) -> str:
    """A libpq URL for pg_dump/pg_restore (without SQLAlchemy's ``+driver``)."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def backup(url: str, destination: Path) -> Path:
    """Write a consistent copy of the database at ``url`` to ``destination`` (atomically)."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, partial_name = tempfile.mkstemp(prefix=".partial-", dir=destination.parent)
    os.close(fd)
    partial = Path(partial_name)
    try:
        source = _sqlite_path(url)
        if source is not None:
            if not source.exists():
                raise BackupError(f"There is no database at {source}.")
            src = sqlite3.connect(source, timeout=30)
            dst = sqlite3.connect(partial)
            try:
                with dst:
                    src.backup(dst)  # one consistent snapshot, WAL included
                if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise BackupError("The copy failed its integrity check.")
            finally:
                dst.close()
                src.close()
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(partial),
                  _pg_url(url)])
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    return destination


def restore(url: str, source: Path, engine: Engine | None = None) -> None:
    """Replace the database at ``url`` with the backup ``source``.

    Stop the server first: sockets and requests must not write meanwhile.
    """
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"There is no backup at {source}.")
    if engine is not None:
        engine.dispose()
    target = _sqlite_path(url)
    if target is not None:
        src = sqlite3.connect(source)
        try:
            if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} is not a sound SQLite database.")
            dst = sqlite3.connect(target, timeout=30)
            try:
                with dst:
                    src.backup(dst)
            finally:
                dst.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not a SQLite backup: {error}") from error
        finally:
            src.close()
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--dbname", _pg_url(url), str(source)])


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client).")
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")


# -- rolling backups ------------------------------------------------------------------------


def change_marker(session: Session) -> tuple[int, int, int]:
    """Something that moves whenever the evening changes (revisions, meetups, joins)."""
    revisions = session.scalar(select(func.coalesce(func.sum(Meetup.revision), 0))) or 0
    meetups = session.scalar(select(func.count(Meetup.id))) or 0
    people = session.scalar(select(func.count(Participant.id))) or 0
    return int(revisions), int(meetups), int(people)


def rolling_backup(url: str, folder: Path, keep: int, now: datetime | None = None) -> Path:
    """A timestamped backup in ``folder``; only the newest ``keep`` are kept."""
    folder = Path(folder)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S-%f")
    suffix = ".sqlite3" if _sqlite_path(url) is not None else ".pgdump"
    made = backup(url, folder / f"{ROLLING_PREFIX}{stamp}{suffix}")
    existing = sorted(p for p in folder.iterdir()
                      if p.name.startswith(ROLLING_PREFIX) and p.is_file())
    for old in existing[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)
    return made


def copy_rolling(made: Path, folder: Path, keep: int) -> Path:
    """Copy the rolling backup ``made`` into a second ``folder`` (a USB stick), atomically,
    keeping its newest ``keep`` there too."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / made.name
    fd, partial_name = tempfile.mkstemp(prefix=".partial-", dir=folder)
    os.close(fd)
    partial = Path(partial_name)
    try:
        shutil.copyfile(made, partial)
        with partial.open("rb") as fh:
            os.fsync(fh.fileno())  # a stick pulled out after this still holds the copy
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    existing = sorted(p for p in folder.iterdir()
                      if p.name.startswith(ROLLING_PREFIX) and p.is_file())
    for old in existing[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)
    return target


# -- nightly backups (the systemd timer of scripts/install-server.sh) -----------------------

#: Name pattern of the nightly backups: ``nightly-YYYYmmdd-HHMMSS.<suffix>`` (UTC).
NIGHTLY_PREFIX = "nightly-"
_NIGHTLY_STAMP = "%Y%m%d-%H%M%S"


def nightly_backup(url: str, folder: Path, keep_days: int,
                   now: datetime | None = None) -> tuple[Path, list[Path]]:
    """A dated backup in ``folder``; nightly backups older than ``keep_days`` are removed.

    Returns the new file and the removed ones. Age is read from the name, not the file's
    modification time, so copying the folder elsewhere keeps the schedule.
    """
    folder = Path(folder)
    now = now or datetime.now(UTC)
    suffix = ".sqlite3" if _sqlite_path(url) is not None else ".pgdump"
    made = backup(url, folder / f"{NIGHTLY_PREFIX}{now.strftime(_NIGHTLY_STAMP)}{suffix}")
    removed = []
    for path in sorted(folder.glob(f"{NIGHTLY_PREFIX}*")):
        stamp = path.name[len(NIGHTLY_PREFIX):].split(".", 1)[0]
        try:
            taken = datetime.strptime(stamp, _NIGHTLY_STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue  # not ours: leave it
        if now - taken > timedelta(days=keep_days):
            path.unlink(missing_ok=True)
            removed.append(path)
    return made, removed
