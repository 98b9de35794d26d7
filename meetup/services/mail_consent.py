"""A participant's consent to follow-up mail, given and withdrawn on the phone (issue 23).

- An owner who is present ticks "Stuur mij herinneringen over deze afspraak" with an e-mail
  address (the one given at joining is offered): :func:`give` with the agreement.
- Anyone may ask for the agreements they signed on to: :func:`give` without an agreement.
- :func:`withdraw` from the phone, :func:`withdraw_address` from a mail's unsubscribe link.

Each consent is its own :class:`~meetup.models.ReminderConsent` (when given, for what, when
withdrawn), separate from the contact-list consent. Given after the meetup closed, its mails
are queued at once (in the same transaction); withdrawn, its pending mails are cancelled.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from meetup.models import (
    Agreement,
    ConsentKind,
    OutboxMail,
    Participant,
    ReminderConsent,
    Unsubscribe,
)
from meetup.models.types import utcnow
from meetup.services import mail_queue, operations
from meetup.services.board import parse_uuid
from meetup.services.errors import Conflict, Forbidden, InvalidInput, NotFound

EMAIL_MAX = 254
_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+")
LANGUAGES = ("nl", "en")


def clean_email(value: Any) -> str:
    """The address, trimmed; InvalidInput (field ``email``) when it is not one."""
    if not isinstance(value, str):
        raise InvalidInput(_l("Enter a valid e-mail address."), field="email")
    email = value.strip()
    if len(email) > EMAIL_MAX or not _EMAIL.fullmatch(email):
        raise InvalidInput(_l("Enter a valid e-mail address."), field="email")
    return email


def _agreement(session: Session, participant: Participant,
               agreement_uuid: uuid.UUID | str) -> Agreement:
    agreement = session.scalar(select(Agreement).where(
        Agreement.uuid == parse_uuid(agreement_uuid, "agreement")))
    if agreement is None or agreement.meetup_id != participant.meetup_id \
            or agreement.deleted_at is not None:
        raise NotFound(_l("This agreement does not exist (any more)."), field="agreement")
    return agreement


def _active(session: Session, participant: Participant, agreement: Agreement | None
            ) -> ReminderConsent | None:
    kind = ConsentKind.SIGNED if agreement is None else ConsentKind.REMINDERS
    query = select(ReminderConsent).where(
        ReminderConsent.participant_id == participant.id, ReminderConsent.kind == kind,
        ReminderConsent.withdrawn_at.is_(None))
    if agreement is not None:
        query = query.where(ReminderConsent.agreement_id == agreement.id)
    return session.scalar(query.order_by(ReminderConsent.id.desc()))


def give(session: Session, participant: Participant, agreement_uuid: uuid.UUID | str | None,
         email: Any, language: str = "nl", now: datetime | None = None) -> ReminderConsent:
    """Record the consent (the same address again changes nothing); another address replaces
    the earlier consent. An owner only, for reminders about an agreement."""
    now = now or utcnow()
    address = clean_email(email)
    meetup = participant.meetup
    if meetup.anonymised_at is not None:
        raise Conflict(_l("This meetup's personal data has been removed."))
    agreement = None
    if agreement_uuid is not None:
        agreement = _agreement(session, participant, agreement_uuid)
        if not agreement.owned_by(participant):
            raise Forbidden(_l("Only the person who takes the lead can ask for reminders."))
    current = _active(session, participant, agreement)
    if current is not None and current.email.casefold() == address.casefold():
        return current
    operations.bump(session, meetup)
    if current is not None:
        _end(session, [current], now)
    # A new, explicit consent undoes an earlier unsubscribe of this address.
    session.execute(delete(Unsubscribe).where(
        Unsubscribe.meetup_id == meetup.id,
        Unsubscribe.address_hash == mail_queue.address_hash(address)))
    consent = ReminderConsent(
        meetup_id=meetup.id, participant_id=participant.id,
        agreement_id=agreement.id if agreement else None,
        kind=ConsentKind.REMINDERS if agreement else ConsentKind.SIGNED,
        email=address, language=language if language in LANGUAGES else "nl", given_at=now)
    session.add(consent)
    session.flush()
    mail_queue.plan_consent(session, consent, now)
    return consent


def _end(session: Session, consents: list[ReminderConsent], now: datetime,
         reason: str = "withdrawn") -> None:
    ids = [c.id for c in consents]
    for consent in consents:
        consent.withdrawn_at = now
        consent.email = ""
    if ids:
        mail_queue.cancel(session, OutboxMail.consent_id.in_(ids), reason=reason, now=now)
    session.flush()


def withdraw(session: Session, participant: Participant,
             agreement_uuid: uuid.UUID | str | None, now: datetime | None = None) -> bool:
    """Withdraw from the phone; returns False when there was nothing to withdraw."""
    agreement = _agreement(session, participant, agreement_uuid) \
        if agreement_uuid is not None else None
    current = _active(session, participant, agreement)
    if current is None:
        return False
    operations.bump(session, participant.meetup)
    _end(session, [current], now or utcnow())
    return True


def withdraw_address(session: Session, meetup_id: int, email_hash: str, *, how: str,
                     now: datetime | None = None) -> None:
    """Unsubscribe: no more follow-up mail to this address about this meetup, recorded.
    Repeating it changes nothing."""
    now = now or utcnow()
    if session.scalar(select(Unsubscribe.id).where(
            Unsubscribe.meetup_id == meetup_id,
            Unsubscribe.address_hash == email_hash)) is None:
        session.add(Unsubscribe(meetup_id=meetup_id, address_hash=email_hash, how=how,
                                created_at=now))
    consents = [c for c in session.scalars(select(ReminderConsent).where(
        ReminderConsent.meetup_id == meetup_id, ReminderConsent.withdrawn_at.is_(None)))
        if c.email and mail_queue.address_hash(c.email) == email_hash]
    _end(session, consents, now, reason="unsubscribed")
    pending = [row.id for row in session.scalars(select(OutboxMail).where(
        OutboxMail.meetup_id == meetup_id, OutboxMail.sent_at.is_(None),
        OutboxMail.cancelled_at.is_(None))) if mail_queue.address_hash(row.recipient)
        == email_hash]
    if pending:
        mail_queue.cancel(session, OutboxMail.id.in_(pending), reason="unsubscribed", now=now)
    session.flush()


def end_for_meetup(session: Session, meetup_id: int, now: datetime | None = None) -> None:
    """Anonymising: every scheduled mail of the meetup ends and every address goes."""
    now = now or utcnow()
    mail_queue.cancel(session, OutboxMail.meetup_id == meetup_id, reason="anonymised", now=now)
    session.execute(OutboxMail.__table__.update()
                    .where(OutboxMail.meetup_id == meetup_id)
                    # The SMTP server's words may name the address ("550 <x@y>: unknown").
                    .values(recipient="", last_error=""))
    for consent in session.scalars(select(ReminderConsent).where(
            ReminderConsent.meetup_id == meetup_id)):
        consent.email = ""
        if consent.withdrawn_at is None:
            consent.withdrawn_at = now
    session.flush()


def of_participant(session: Session, participant: Participant) -> list[dict[str, Any]]:
    """This person's active consents, for their phone: ``[{agreement: uuid|None, email}]``."""
    rows = session.execute(
        select(ReminderConsent.email, Agreement.uuid)
        .outerjoin(Agreement, ReminderConsent.agreement_id == Agreement.id)
        .where(ReminderConsent.participant_id == participant.id,
               ReminderConsent.withdrawn_at.is_(None), func.length(ReminderConsent.email) > 0)
        .order_by(ReminderConsent.id))
    return [{"agreement": str(agreement) if agreement else None, "email": email}
            for email, agreement in rows]
