"""Which follow-up mails are due, queued in the outbox in the caller's transaction.

Every mail is a :class:`~meetup.models.OutboxMail` row written in the same transaction as what
caused it (the meetup's close, a consent given after it), so a mail is queued exactly when its
cause is committed. ``dedup_key`` is unique: planning again (closing twice, a consent given
again) adds nothing that is already there. What stops mail (consent withdrawn, unsubscribed,
anonymised) cancels the rows still pending, in its own transaction.

The plan for a consenting owner (``Meetup.reminder_days_before`` etc., defaults 3 / 4 / 6):

- at the close: the agreement, the private follow-up link and an .ics;
- ``reminder_days_before`` days before the first step's date, and on the date (08:00 in
  Amsterdam), unless that moment has passed already;
- after the date, every ``followup_every_weeks`` weeks, at most ``followup_max`` times:
  "Hoe staat het ervoor?"; skipped when the status is gerealiseerd or gestopt by then.

A participant who asked for the agreements they signed on to gets one mail at the close.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from meetup.models import (
    Agreement,
    AgreementStatus,
    ConsentKind,
    Invitation,
    MailKind,
    Meetup,
    OutboxMail,
    Phase,
    ReminderConsent,
    Unsubscribe,
)
from meetup.models.types import utcnow

ZONE = ZoneInfo("Europe/Amsterdam")
#: Reminders go at this local time on their day.
SEND_AT = time(8, 0)
#: A mail not sent this long after it was due is no longer worth sending (see docs).
STALE_AFTER = {
    MailKind.OWNER_CLOSED: timedelta(days=14),
    MailKind.SIGNED_CLOSED: timedelta(days=14),
    MailKind.REMINDER_BEFORE: None,  # until the day's own reminder
    MailKind.REMINDER_DAY: timedelta(days=2),
    MailKind.FOLLOWUP: timedelta(days=7),
    MailKind.DIGEST: timedelta(days=7),
}
#: The statuses after which no more "Hoe staat het ervoor?" goes out.
FINISHED = (AgreementStatus.DONE, AgreementStatus.STOPPED)


def address_hash(email: str) -> str:
    """SHA-256 of an address in lower case: what an unsubscribe record keeps."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def local_moment(day: date, at: time = SEND_AT) -> datetime:
    """``day`` at ``at`` in Amsterdam, as an aware datetime (UTC)."""
    return datetime.combine(day, at, ZONE).astimezone(ZONE)


def unsubscribed(session: Session, meetup_id: int, email: str) -> bool:
    return session.scalar(select(Unsubscribe.id).where(
        Unsubscribe.meetup_id == meetup_id,
        Unsubscribe.address_hash == address_hash(email))) is not None


def _queue(session: Session, existing: dict[str, OutboxMail], consent: ReminderConsent,
           kind: MailKind, key: str, due: datetime, *, expires: datetime | None = None,
           data: dict[str, Any] | None = None) -> OutboxMail | None:
    """Add one row unless its key is there; a row cancelled by a withdrawn consent comes back."""
    row = existing.get(key)
    if row is not None:
        if row.sent_at is None and row.cancelled_at is not None \
                and row.cancel_reason == "withdrawn":
            row.cancelled_at, row.cancel_reason = None, ""
            row.consent_id, row.recipient, row.language = consent.id, consent.email, \
                consent.language
        return None
    stale = STALE_AFTER[kind]
    row = OutboxMail(
        meetup_id=consent.meetup_id, agreement_id=consent.agreement_id, consent_id=consent.id,
        kind=kind, recipient=consent.email, language=consent.language, dedup_key=key,
        data=data or {}, due_at=due,
        expires_at=expires if expires is not None else (due + stale if stale else None),
        attempts=0, last_error="", cancel_reason="")
    session.add(row)
    existing[key] = row
    return row


def _existing(session: Session, keys: list[str]) -> dict[str, OutboxMail]:
    if not keys:
        return {}
    return {row.dedup_key: row for row in session.scalars(
        select(OutboxMail).where(OutboxMail.dedup_key.in_(keys)))}


def owner_plan(meetup: Meetup, agreement: Agreement, now: datetime
               ) -> list[tuple[MailKind, str, datetime, datetime | None, dict[str, Any]]]:
    """The mails of a consenting owner: ``(kind, key suffix, due, expires, data)``."""
    plan: list[tuple[MailKind, str, datetime, datetime | None, dict[str, Any]]] = [
        (MailKind.OWNER_CLOSED, "", now, None, {})]
    if agreement.due_date is None:
        return plan
    day = local_moment(agreement.due_date)
    if meetup.reminder_days_before > 0:
        before = day - timedelta(days=meetup.reminder_days_before)
        if before > now:
            plan.append((MailKind.REMINDER_BEFORE, "", before, day, {}))
    if day > now:
        plan.append((MailKind.REMINDER_DAY, "", day, None, {}))
    weeks = max(1, meetup.followup_every_weeks)
    for number in range(1, max(0, meetup.followup_max) + 1):
        moment = local_moment(agreement.due_date + timedelta(weeks=weeks * number))
        plan.append((MailKind.FOLLOWUP, f":{number}", moment, None, {"number": number}))
    return plan


def plan_consent(session: Session, consent: ReminderConsent, now: datetime | None = None) -> int:
    """Queue this consent's mails (the meetup must be closed); returns how many were added."""
    now = now or utcnow()
    meetup = session.get(Meetup, consent.meetup_id)
    if meetup is None or meetup.phase is not Phase.CLOSED or meetup.anonymised_at is not None \
            or not consent.active or unsubscribed(session, meetup.id, consent.email):
        return 0
    who = address_hash(consent.email)[:24]
    if consent.kind is ConsentKind.SIGNED:
        key = f"signed_closed:{meetup.id}:{consent.participant_id}:{who}"
        rows = [_queue(session, _existing(session, [key]), consent, MailKind.SIGNED_CLOSED,
                       key, now)]
    else:
        agreement = consent.agreement
        if agreement is None or agreement.deleted_at is not None \
                or agreement.status is AgreementStatus.DRAFT:
            return 0
        if consent.participant is not None and not agreement.owned_by(consent.participant):
            return 0  # the table picked someone else as owner after this consent
        plan = owner_plan(meetup, agreement, now)
        keys = [f"{kind.value}:{agreement.id}:{who}{suffix}" for kind, suffix, *_ in plan]
        existing = _existing(session, keys)
        rows = [_queue(session, existing, consent, kind, key, due, expires=expires, data=data)
                for key, (kind, _, due, expires, data) in zip(keys, plan)]
    session.flush()
    return sum(1 for row in rows if row is not None)


def plan_closed_meetup(session: Session, meetup: Meetup, now: datetime | None = None) -> int:
    """At the close: queue the mails of every active consent of the meetup."""
    now = now or utcnow()
    added = 0
    for consent in session.scalars(select(ReminderConsent).where(
            ReminderConsent.meetup_id == meetup.id, ReminderConsent.withdrawn_at.is_(None))):
        added += plan_consent(session, consent, now)
    return added


def cancel(session: Session, *where: Any, reason: str, now: datetime | None = None) -> int:
    """Cancel the pending rows matching ``where``; returns how many."""
    result = session.execute(
        update(OutboxMail)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.cancelled_at.is_(None),
               OutboxMail.failed_at.is_(None), *where)
        .values(cancelled_at=now or utcnow(), cancel_reason=reason)
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def plan_digests(session: Session, now: datetime | None = None) -> int:
    """The organiser's weekly digest (``Meetup.organiser_digest``): one row per closed meetup
    and week, due Monday 08:00, in the organiser's chosen language (``Organiser.language``);
    composed (or skipped, without updates) when it is sent."""
    from meetup.models import Organiser

    now = now or utcnow()
    local = now.astimezone(ZONE).date()
    monday = local - timedelta(days=local.weekday())
    due = local_moment(monday)
    if now < due:
        return 0
    year, week, _ = monday.isocalendar()
    added = 0
    for meetup, email, language in session.execute(
            select(Meetup, Organiser.email, Organiser.language)
            .join(Organiser, Meetup.organiser_id == Organiser.id)
            .where(Meetup.organiser_digest.is_(True), Meetup.phase == Phase.CLOSED,
                   Meetup.anonymised_at.is_(None))):
        key = f"digest:{meetup.id}:{year}-W{week:02d}"
        if not email or _existing(session, [key]) or unsubscribed(session, meetup.id, email):
            continue
        session.add(OutboxMail(
            meetup_id=meetup.id, kind=MailKind.DIGEST, recipient=email, language=language or "nl",
            dedup_key=key, data={"since": (due - timedelta(days=7)).isoformat()}, due_at=due,
            expires_at=due + timedelta(days=7), attempts=0, last_error="", cancel_reason=""))
        added += 1
    session.flush()
    return added


def queue_invitation(session: Session, invitation: Invitation, path: str, language: str,
                     inviter: str, now: datetime | None = None) -> OutboxMail:
    """Mail an invitation link (issue 25), in the transaction that made the invitation.

    ``path`` is the link's path (the composer puts the public base URL before it); the row
    expires with the invitation, and composing skips it once the invitation is used."""
    now = now or utcnow()
    row = OutboxMail(
        meetup_id=None, kind=MailKind.INVITATION, recipient=invitation.email,
        language=language if language in ("nl", "en") else "nl",
        dedup_key=f"invitation:{invitation.id}",
        data={"invitation": invitation.id, "path": path, "inviter": inviter},
        due_at=now, expires_at=invitation.expires_at, attempts=0, last_error="",
        cancel_reason="")
    session.add(row)
    session.flush()
    return row
