"""The mail scheduler: claims due outbox rows, hands them to the transport, marks them sent.

Runs as a greenlet inside ``meetup serve`` and as ``meetup send-mail`` (cron, systemd timer);
any number of them may run at once. The guarantees (docs/deploy.md, "Follow-up mail"):

- **Claimed by one.** A run claims a batch atomically: on PostgreSQL ``SELECT … FOR UPDATE
  SKIP LOCKED`` then an UPDATE, on SQLite one conditional UPDATE (SQLite has one writer at a
  time). A claim is a lease (:data:`LEASE`): a scheduler that died holding it frees its rows
  when the lease ends.
- **Marked right after the SMTP server accepted it**, in its own commit. A crash between the
  server's acceptance and that commit sends that one mail again once the lease ends: at most
  one duplicate, never more (and never another mail).
- **Nothing lost.** A temporary failure (server down, 4xx) releases the claim, counts the
  attempt, keeps the error and moves ``due_at`` by a growing back-off (1, 2, 4 … minutes, at
  most :data:`MAX_BACKOFF`); the rest of the batch waits for the next run. A row past its
  ``expires_at`` (a reminder whose date is gone) is cancelled as ``expired``. Only a
  permanent refusal (5xx) marks a row failed.

The clock is a parameter (``now``): tests step time without sleeping.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from meetup.models import OutboxMail, SchedulerHeartbeat
from meetup.services import mail_queue
from meetup.services.mail_compose import Skip
from meetup.services.mail_transport import MailError, Transport

#: How long a claim holds; longer than a batch can take to send.
LEASE = timedelta(minutes=15)
BATCH = 50
MAX_BACKOFF = timedelta(hours=1)
#: When the organiser's page warns that the scheduler has not run.
STALE_HEARTBEAT = timedelta(hours=1)
HEARTBEAT = "mail"

Compose = Callable[[Session, OutboxMail, datetime], EmailMessage]


@dataclass
class RunResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retried: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failure; at most an hour."""
    return min(timedelta(minutes=2 ** max(0, attempts - 1)), MAX_BACKOFF)


def _claimable(now: datetime) -> tuple:
    return (OutboxMail.sent_at.is_(None), OutboxMail.cancelled_at.is_(None),
            OutboxMail.failed_at.is_(None), OutboxMail.due_at <= now,
            or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now))


def claim(session: Session, now: datetime, limit: int = BATCH) -> tuple[str, list[int]]:
    """Claim up to ``limit`` due rows for this run and commit; returns (token, row ids)."""
    token = secrets.token_hex(16)
    values = {"claim_token": token, "claimed_until": now + LEASE}
    order = (OutboxMail.due_at, OutboxMail.id)
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(select(OutboxMail.id).where(*_claimable(now)).order_by(*order)
                                   .limit(limit).with_for_update(skip_locked=True)))
        if ids:
            session.execute(update(OutboxMail).where(OutboxMail.id.in_(ids)).values(**values)
                            .execution_options(synchronize_session=False))
    else:
        due = select(OutboxMail.id).where(*_claimable(now)).order_by(*order).limit(limit)
        session.execute(update(OutboxMail).where(OutboxMail.id.in_(due.scalar_subquery()),
                                                 *_claimable(now)).values(**values)
                        .execution_options(synchronize_session=False))
        ids = list(session.scalars(select(OutboxMail.id).where(OutboxMail.claim_token == token)
                                   .order_by(*order)))
    session.commit()
    return token, ids


def _finish(session: Session, row_id: int, token: str, **values: object) -> None:
    """Update a row this run still holds, and commit."""
    session.execute(update(OutboxMail).where(OutboxMail.id == row_id,
                                             OutboxMail.claim_token == token)
                    .values(claim_token=None, claimed_until=None, **values)
                    .execution_options(synchronize_session=False))
    session.commit()


def _release(session: Session, ids: list[int], token: str, now: datetime, error: str) -> None:
    """Give rows back after a temporary failure: one more attempt, due again after back-off."""
    for row in session.scalars(select(OutboxMail).where(OutboxMail.id.in_(ids),
                                                        OutboxMail.claim_token == token)):
        row.attempts += 1
        row.last_error = error[:500]
        row.due_at = now + backoff(row.attempts)
        row.claim_token = None
        row.claimed_until = None
    session.commit()


def beat(session: Session, now: datetime, result: RunResult | None = None) -> None:
    """Record that the scheduler ran (and what it did) and commit."""
    heartbeat = session.get(SchedulerHeartbeat, HEARTBEAT)
    if heartbeat is None:
        heartbeat = SchedulerHeartbeat(name=HEARTBEAT, last_run_at=now)
        session.add(heartbeat)
    heartbeat.last_run_at = now
    if result is not None:
        heartbeat.last_sent, heartbeat.last_failed = result.sent, result.failed
    try:
        session.commit()
    except IntegrityError:  # another scheduler wrote the first heartbeat meanwhile
        session.rollback()


def last_run(session: Session) -> datetime | None:
    heartbeat = session.get(SchedulerHeartbeat, HEARTBEAT)
    return heartbeat.last_run_at if heartbeat is not None else None


def expire(session: Session, now: datetime) -> int:
    """Cancel rows past their ``expires_at`` (not worth sending any more) and commit."""
    count = mail_queue.cancel(session, OutboxMail.expires_at.is_not(None),
                              OutboxMail.expires_at < now,
                              or_(OutboxMail.claimed_until.is_(None),
                                  OutboxMail.claimed_until < now),
                              reason="expired", now=now)
    session.commit()
    return count


def run_once(session: Session, transport: Transport, compose: Compose, now: datetime, *,
             batch: int = BATCH, max_batches: int = 1000,
             pace: Callable[[], None] | None = None) -> RunResult:
    """Send what is due at ``now``; stops early when the transport fails temporarily.

    ``pace`` is called after every mail: inside ``meetup serve`` it yields the event loop for
    a moment, so that a burst of mail (the close of a big evening) leaves room for the
    phones' writes of other meetups."""
    result = RunResult()
    beat(session, now)
    try:
        mail_queue.plan_digests(session, now)
        session.commit()
    except IntegrityError:  # another scheduler queued this week's digest meanwhile
        session.rollback()
    expire(session, now)
    for _ in range(max_batches):
        token, ids = claim(session, now, batch)
        if not ids:
            break
        if not _send_batch(session, transport, compose, now, token, ids, result, pace):
            break
    beat(session, now, result)
    return result


def _send_batch(session: Session, transport: Transport, compose: Compose, now: datetime,
                token: str, ids: list[int], result: RunResult,
                pace: Callable[[], None] | None = None) -> bool:
    """Send one claimed batch; False when the transport failed (the rest waits)."""
    left = list(ids)
    try:
        with transport.connection() as send:
            while left:
                row_id = left[0]
                row = session.get(OutboxMail, row_id)
                if row is None or row.claim_token != token:
                    left.pop(0)
                    continue
                try:
                    message = compose(session, row, now)
                except Skip as skip:
                    _finish(session, row_id, token, cancelled_at=now, cancel_reason=skip.reason)
                    result.skipped += 1
                    left.pop(0)
                    continue
                except Exception as error:  # a bug in composing: keep the row, try later
                    session.rollback()
                    _finish(session, row_id, token, attempts=row.attempts + 1,
                            due_at=now + backoff(row.attempts + 1),
                            last_error=f"compose: {error!r}"[:500])
                    result.retried += 1
                    left.pop(0)
                    continue
                session.commit()  # end the read transaction before the network wait
                try:
                    send(message)
                except MailError as error:
                    if not error.permanent:
                        raise
                    _finish(session, row_id, token, failed_at=now, attempts=row.attempts + 1,
                            last_error=str(error)[:500])
                    result.failed += 1
                    left.pop(0)
                    continue
                _finish(session, row_id, token, sent_at=now, attempts=row.attempts + 1,
                        last_error="")
                result.sent += 1
                left.pop(0)
                if pace is not None:
                    pace()
    except MailError as error:
        session.rollback()
        _release(session, left, token, now, str(error))
        result.retried += len(left)
        result.errors.append(str(error))
        return False
    return True
