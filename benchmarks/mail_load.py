"""Mail during the evening, for ``realtime_load.py --with-mail N`` (issue 23).

An earlier meetup in the same database (closed, with agreements whose owners asked for
reminders) has N reminders come due while tonight's phones write notes. ``meetup serve``'s own
scheduler greenlet sends them (paced by MEETUP_MAIL_RATE) to a local SMTP sink (aiosmtpd in a
process of its own); the load generator compares the sustained writes' ack p95 without and
with that mail going out and counts the mails sent a second (from the outbox table).
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Owners of the earlier meetup's agreements (each consenting to reminders).
EARLIER_AGREEMENTS = 200


def _app(database_url: str, work: Path):  # type: ignore[no-untyped-def]
    from meetup import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "benchmark",
                       "INSTANCE_PATH": str(work / "mail-instance"),
                       "SOCKETIO_ASYNC_MODE": "threading"})


def seed_earlier_meetup(database_url: str, work: Path) -> None:
    """A closed earlier meetup with EARLIER_AGREEMENTS agreements and their owners' consents
    (``report_benchmark.seed``; its own organiser beside tonight's)."""
    from benchmarks.mail_benchmark import queue
    from benchmarks.report_benchmark import seed
    from meetup.extensions import db

    app = _app(database_url, work)
    with app.app_context():
        seed(EARLIER_AGREEMENTS, 50, 60, random.Random(7), organiser_email="earlier@example.org")
        queue(0, datetime.now(UTC), "consents")
        db.session.remove()
        db.engine.dispose()


def queue_due(database_url: str, work: Path, mails: int) -> None:
    """``mails`` reminders of the earlier meetup, due now (one INSERT, one commit)."""
    from benchmarks.mail_benchmark import queue
    from meetup.extensions import db

    app = _app(database_url, work)
    with app.app_context():
        queue(mails, datetime.now(UTC), "evening")
        db.session.remove()
        db.engine.dispose()


def sent(database: Path) -> int:
    with sqlite3.connect(database, timeout=30) as conn:
        return int(conn.execute(
            "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL").fetchone()[0])


def cancel_rest(database: Path) -> int:
    """Cancel what is still queued, so the later phases run without mail as before."""
    with sqlite3.connect(database, timeout=30) as conn:
        done = conn.execute(
            "UPDATE mail_outbox SET cancelled_at = ?, cancel_reason = 'benchmark' "
            "WHERE sent_at IS NULL AND cancelled_at IS NULL AND failed_at IS NULL",
            (datetime.now(UTC).isoformat(),)).rowcount
        conn.commit()
    return int(done)


def start_sink(port: int, log: Path) -> subprocess.Popen[bytes]:
    """aiosmtpd's command line with its Sink handler (accepts and discards every mail), in a
    process of its own: asyncio has no place in this gevent-patched load generator."""
    return subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
         "-l", f"127.0.0.1:{port}"], stdout=open(log, "wb"), stderr=subprocess.STDOUT)


def server_env(port: int, rate: int | None) -> dict[str, str]:
    """``meetup serve``'s mail settings: the sink, a scheduler that looks every second."""
    env = {"MEETUP_SMTP_URL": f"smtp://127.0.0.1:{port}",
           "MEETUP_MAIL_FROM": "Meetup <meetup@example.nl>",
           "MEETUP_MAIL_INTERVAL": "1"}
    if rate is not None:
        env["MEETUP_MAIL_RATE"] = str(rate)
    return env
