"""The organiser's follow-up board (issue 23, point 6): every final agreement of a meetup with
its owner, status, last update, the mails sent and the next one planned, failed mail; filters;
and the organiser's actions (resend the link, change the owner, record an update).

Read in a fixed number of queries whatever the number of agreements (500 on one page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from meetup.models import (
    Agreement,
    AgreementStatus,
    AgreementUpdate,
    AuditEntry,
    ConsentKind,
    MailKind,
    Meetup,
    OutboxMail,
    ReminderConsent,
    Table,
)
from meetup.models.types import utcnow
from meetup.services import mail_queue
from meetup.services.agreements import TEXT_LIMITS
from meetup.services.errors import InvalidInput, NotFound

#: The board's filters, in the order the page offers them.
FILTERS = ("all", "no_word", "overdue", "done")


@dataclass(frozen=True)
class BoardRow:
    id: int
    table: int | None
    what: str
    owner_name: str
    owner_organisation: str
    status: str
    due_date: date | None
    followup_token: str
    last_update_at: datetime | None
    last_update_note: str
    last_update_source: str
    #: The owner asked for reminders (an active consent).
    mails_on: bool
    sent: int
    #: Mails the SMTP server refused for good ("geweigerd") and its latest reason, e.g.
    #: "550 5.1.1 <x@y>: User unknown". Bounces that arrive later (DSNs) are not read.
    failed: int
    refused_reason: str
    next_kind: str | None
    next_at: datetime | None
    overdue: bool


def _matches(row: BoardRow, chosen: str) -> bool:
    if chosen == "no_word":
        return row.last_update_at is None
    if chosen == "overdue":  # "datum voorbij zonder bericht"
        return row.overdue
    if chosen == "done":
        return row.status == AgreementStatus.DONE.value
    return True


def rows(session: Session, meetup: Meetup, today: date, chosen: str = "all") -> list[BoardRow]:
    """The board's rows (by table, then agreement), filtered by ``chosen`` (see FILTERS)."""
    agreements = session.execute(
        select(Agreement, Table.number).outerjoin(Table, Agreement.table_id == Table.id)
        .where(Agreement.meetup_id == meetup.id, Agreement.deleted_at.is_(None),
               Agreement.status != AgreementStatus.DRAFT)
        .order_by(Table.number, Agreement.id)).all()
    ids = [a.id for a, _ in agreements]
    last_ids = select(func.max(AgreementUpdate.id)).where(
        AgreementUpdate.agreement_id.in_(ids)).group_by(AgreementUpdate.agreement_id)
    last = {u.agreement_id: u for u in session.scalars(
        select(AgreementUpdate).where(AgreementUpdate.id.in_(last_ids)))} if ids else {}
    sent: dict[int, int] = {}
    failed: dict[int, int] = {}
    refused: dict[int, tuple[datetime, str]] = {}
    upcoming: dict[int, tuple[datetime, str]] = {}
    for mail in session.execute(
            select(OutboxMail.agreement_id, OutboxMail.kind, OutboxMail.due_at,
                   OutboxMail.sent_at, OutboxMail.failed_at, OutboxMail.cancelled_at,
                   OutboxMail.last_error)
            .where(OutboxMail.meetup_id == meetup.id, OutboxMail.agreement_id.is_not(None))):
        if mail.sent_at is not None:
            sent[mail.agreement_id] = sent.get(mail.agreement_id, 0) + 1
        elif mail.failed_at is not None:
            failed[mail.agreement_id] = failed.get(mail.agreement_id, 0) + 1
            known_refusal = refused.get(mail.agreement_id)
            if known_refusal is None or mail.failed_at >= known_refusal[0]:
                refused[mail.agreement_id] = (mail.failed_at, mail.last_error)
        elif mail.cancelled_at is None:
            known = upcoming.get(mail.agreement_id)
            if known is None or mail.due_at < known[0]:
                upcoming[mail.agreement_id] = (mail.due_at, mail.kind.value)
    consenting = set(session.scalars(select(ReminderConsent.agreement_id).where(
        ReminderConsent.meetup_id == meetup.id, ReminderConsent.withdrawn_at.is_(None),
        ReminderConsent.kind == ConsentKind.REMINDERS, func.length(ReminderConsent.email) > 0)))
    result = []
    for agreement, number in agreements:
        update = last.get(agreement.id)
        due = agreement.due_date
        overdue = due is not None and due < today and (
            update is None or update.created_at.date() < due) and \
            agreement.status in (AgreementStatus.PLANNED, AgreementStatus.IN_PROGRESS)
        nxt = upcoming.get(agreement.id)
        row = BoardRow(
            id=agreement.id, table=number, what=agreement.what, owner_name=agreement.owner_name,
            owner_organisation=agreement.owner_organisation, status=agreement.status.value,
            due_date=due, followup_token=agreement.followup_token,
            last_update_at=update.created_at if update else None,
            last_update_note=update.note if update else "",
            last_update_source=update.source if update else "",
            mails_on=agreement.id in consenting, sent=sent.get(agreement.id, 0),
            failed=failed.get(agreement.id, 0),
            refused_reason=refused[agreement.id][1] if agreement.id in refused else "",
            next_kind=nxt[1] if nxt else None,
            next_at=nxt[0] if nxt else None, overdue=overdue)
        if _matches(row, chosen):
            result.append(row)
    return result


def agreement_of(session: Session, meetup: Meetup, agreement_id: int) -> Agreement:
    agreement = session.get(Agreement, agreement_id)
    if agreement is None or agreement.meetup_id != meetup.id or agreement.deleted_at is not None \
            or agreement.status is AgreementStatus.DRAFT:
        raise NotFound(_l("This agreement does not exist (any more)."))
    return agreement


def resend_link(session: Session, agreement: Agreement, now: datetime | None = None) -> bool:
    """Queue the agreement's mail with the private link again for its consenting owner;
    False when the owner gave no address (the organiser copies the link instead)."""
    now = now or utcnow()
    consent = session.scalar(select(ReminderConsent).where(
        ReminderConsent.agreement_id == agreement.id, ReminderConsent.withdrawn_at.is_(None),
        ReminderConsent.kind == ConsentKind.REMINDERS).order_by(ReminderConsent.id.desc()))
    if consent is None or not consent.active \
            or mail_queue.unsubscribed(session, agreement.meetup_id, consent.email):
        return False
    count = session.scalar(select(func.count(OutboxMail.id)).where(
        OutboxMail.dedup_key.like(f"resend:{agreement.id}:%"))) or 0
    session.add(OutboxMail(
        meetup_id=agreement.meetup_id, agreement_id=agreement.id, consent_id=consent.id,
        kind=MailKind.OWNER_CLOSED, recipient=consent.email, language=consent.language,
        dedup_key=f"resend:{agreement.id}:{count + 1}", data={"resent": True}, due_at=now,
        expires_at=now + mail_queue.STALE_AFTER[MailKind.OWNER_CLOSED], attempts=0,
        last_error="", cancel_reason=""))
    session.flush()
    return True


def change_owner(session: Session, agreement: Agreement, name: Any, organisation: Any,
                 organiser_id: int, now: datetime | None = None) -> None:
    """A new owner (typed); the previous owner's reminders stop. Recorded in the audit log."""
    name = (name or "").strip() if isinstance(name, str) or name is None else ""
    organisation = (organisation or "").strip() if isinstance(organisation, str) \
        or organisation is None else ""
    if not name:
        raise InvalidInput(_l("Fill in who takes the lead."), field="owner_name")
    if len(name) > TEXT_LIMITS["owner_name"] or \
            len(organisation) > TEXT_LIMITS["owner_organisation"]:
        raise InvalidInput(_l("This can have at most %(n)s characters.",
                              n=TEXT_LIMITS["owner_name"]), field="owner_name")
    if name == agreement.owner_name and organisation == agreement.owner_organisation:
        return
    session.add(AuditEntry(meetup_id=agreement.meetup_id, organiser_id=organiser_id,
                           action="agreement.owner",
                           details={"agreement": agreement.id, "from": agreement.owner_name,
                                    "to": name}))
    agreement.owner_name, agreement.owner_organisation = name, organisation
    agreement.owner_id = None
    for consent in session.scalars(select(ReminderConsent).where(
            ReminderConsent.agreement_id == agreement.id, ReminderConsent.withdrawn_at.is_(None))):
        consent.withdrawn_at, consent.email = now or utcnow(), ""
        mail_queue.cancel(session, OutboxMail.consent_id == consent.id, reason="owner_changed",
                          now=now)
    session.flush()
