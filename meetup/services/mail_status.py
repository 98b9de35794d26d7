"""What the organiser sees of a meetup's follow-up mail: is mail on, does the scheduler run,
what is queued, sent, failed (no addresses: the page shows kinds and agreements)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from meetup.models import Agreement, OutboxMail
from meetup.services import mail_scheduler

#: Rows listed on the page, at most.
LISTED = 200


@dataclass(frozen=True)
class MailRow:
    kind: str
    agreement: str
    due_at: datetime
    state: str  # queued, sent, failed, cancelled
    sent_at: datetime | None
    attempts: int
    reason: str


@dataclass(frozen=True)
class MailStatus:
    #: ``off`` (no MEETUP_SMTP_URL), ``development`` (the local mailbox) or ``smtp``.
    mode: str
    last_run: datetime | None
    #: The scheduler has not run for an hour (or never, while mail is on).
    stale: bool
    queued: int
    sent: int
    failed: int
    cancelled: int
    next_due: datetime | None
    rows: tuple[MailRow, ...]


def _state(row: OutboxMail) -> str:
    if row.sent_at is not None:
        return "sent"
    if row.failed_at is not None:
        return "failed"
    if row.cancelled_at is not None:
        return "cancelled"
    return "queued"


def status(session: Session, meetup_id: int, mode: str, now: datetime) -> MailStatus:
    last = mail_scheduler.last_run(session)
    stale = mode != "off" and (last is None or now - last > mail_scheduler.STALE_HEARTBEAT)
    pending = (OutboxMail.sent_at.is_(None) & OutboxMail.cancelled_at.is_(None)
               & OutboxMail.failed_at.is_(None))
    counts = session.execute(select(
        func.count(case((pending, 1))), func.count(OutboxMail.sent_at),
        func.count(OutboxMail.failed_at), func.count(OutboxMail.cancelled_at),
        func.min(case((pending, OutboxMail.due_at)))).where(
            OutboxMail.meetup_id == meetup_id)).one()
    next_due = counts[4]
    if isinstance(next_due, str):  # SQLite returns MIN over a CASE as text
        next_due = None
    rows = session.execute(
        select(OutboxMail, Agreement.what).outerjoin(
            Agreement, OutboxMail.agreement_id == Agreement.id)
        .where(OutboxMail.meetup_id == meetup_id)
        .order_by(OutboxMail.due_at, OutboxMail.id).limit(LISTED)).all()
    listed = tuple(MailRow(kind=row.kind.value, agreement=(what or "")[:80], due_at=row.due_at,
                           state=_state(row), sent_at=row.sent_at, attempts=row.attempts,
                           reason=row.cancel_reason or row.last_error[:80])
                   for row, what in rows)
    if next_due is None:
        next_due = min((r.due_at for r in listed if r.state == "queued"), default=None)
    return MailStatus(mode=mode, last_run=last, stale=stale, queued=counts[0], sent=counts[1],
                      failed=counts[2], cancelled=counts[3], next_due=next_due, rows=listed)
