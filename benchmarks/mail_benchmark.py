"""Benchmark: the mail scheduler hands 5,000 due mails to a local SMTP server (issue 23).

Run standalone: ``.venv/bin/python benchmarks/mail_benchmark.py [--mails N] [--workers W]``.
Seeds a temporary SQLite database like ``report_benchmark.py`` (a closed meetup with 500 final
agreements, each owner consenting), queues N reminders due now, starts aiosmtpd's Controller on
127.0.0.1 and runs the scheduler as ``meetup send-mail`` would: claim in batches, compose (text
+ HTML in the owner's language, unsubscribe headers), SMTP, mark sent. Prints mails per second
for one scheduler and for W at once (each mail must arrive exactly once), beside a floor.

What mail costs the evening's writes is measured on the real thing, not here:
``realtime_load.py --with-mail 5000`` (phones over Socket.IO against ``meetup serve`` while its
own scheduler greenlet sends; ``make bench`` runs it).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report_benchmark import seed  # noqa: E402
from meetup import cli_mail, create_app  # noqa: E402
from meetup.extensions import db  # noqa: E402

#: Below this the scheduler could not keep up with the close of a big evening in a minute.
FLOOR_PER_SECOND = 50


class Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.recipients: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        with self.lock:
            self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


def queue(n_mails: int, due: datetime, tag: str) -> None:
    """Consents for every final agreement, and ``n_mails`` reminders due at ``due``."""
    from sqlalchemy import insert, select

    from meetup.models import Agreement, ConsentKind, MailKind, OutboxMail, ReminderConsent

    agreements = db.session.execute(select(Agreement.id, Agreement.meetup_id).where(
        Agreement.deleted_at.is_(None))).all()
    consents = db.session.scalars(select(ReminderConsent.id)).all()
    if not consents:
        db.session.execute(insert(ReminderConsent), [
            {"meetup_id": m, "agreement_id": a, "kind": ConsentKind.REMINDERS,
             "email": f"owner{a}@example.org", "language": ("nl", "en")[a % 2],
             "given_at": due} for a, m in agreements])
    if not n_mails:
        db.session.commit()
        return
    rows = db.session.execute(select(ReminderConsent.id, ReminderConsent.agreement_id,
                                     ReminderConsent.meetup_id, ReminderConsent.email,
                                     ReminderConsent.language)).all()
    db.session.execute(insert(OutboxMail), [
        {"meetup_id": c.meetup_id, "agreement_id": c.agreement_id, "consent_id": c.id,
         "kind": MailKind.REMINDER_DAY, "recipient": c.email, "language": c.language,
         "dedup_key": f"bench:{tag}:{i}", "data": {}, "due_at": due, "attempts": 0,
         "last_error": "", "cancel_reason": ""}
        for i, c in ((i, rows[i % len(rows)]) for i in range(n_mails))])
    db.session.commit()


def main() -> None:
    from aiosmtpd.controller import Controller

    from tests.servers import free_port

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=5000)
    parser.add_argument("--agreements", type=int, default=500)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    counter = Counter()
    port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                              "INSTANCE_PATH": f"{tmp}/instance",
                              "SMTP_URL": f"smtp://127.0.0.1:{port}",
                              "PUBLIC_URL": "https://meetup.example.nl",
                              "MAIL_FROM": "Meetup <meetup@example.nl>"})
            with app.app_context():
                db.create_all()  # a throw-away benchmark database, not a real one
                seed(args.agreements, 50, 60, random.Random(7))
                now = datetime.now(UTC)
                queue(args.mails, now, "one")
            start = time.perf_counter()
            result = cli_mail.send_mail_once(app, now)
            one = time.perf_counter() - start
            got = len(counter.recipients)
            print(f"one scheduler: {result.sent:,} mails in {one:.2f} s = "  # type: ignore[attr-defined]
                  f"{result.sent / one:,.0f} mails/s (floor {FLOOR_PER_SECOND})")  # type: ignore[attr-defined]
            assert got == args.mails, (got, args.mails)

            with app.app_context():
                queue(args.mails, now, "many")
            counter.recipients.clear()
            start = time.perf_counter()
            workers = [threading.Thread(target=cli_mail.send_mail_once, args=(app, now))
                       for _ in range(args.workers)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            many = time.perf_counter() - start
            got = len(counter.recipients)
            print(f"{args.workers} schedulers at once: {got:,} mails in {many:.2f} s = "
                  f"{got / many:,.0f} mails/s; received twice: {got - args.mails}")
            assert got == args.mails, (got, args.mails)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
