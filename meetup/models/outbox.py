"""The mail outbox: every e-mail the application will send is a row here first, written in the
same transaction as what caused it; the scheduler claims, sends and marks it. And the
scheduler's heartbeat, so the organiser sees that it runs."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from meetup.extensions import db
from meetup.models.types import UTCDateTime, short_repr, str_enum, utcnow


class MailKind(enum.StrEnum):
    """Which mail a row is."""

    OWNER_CLOSED = "owner_closed"  #: At the close: the agreement, the private link, an .ics
    SIGNED_CLOSED = "signed_closed"  #: At the close: the agreements a participant signed on to
    REMINDER_BEFORE = "reminder_before"  #: N days before the first step's date
    REMINDER_DAY = "reminder_day"  #: On the first step's date
    FOLLOWUP = "followup"  #: "Hoe staat het ervoor?" every few weeks after the date
    DIGEST = "digest"  #: The organiser's weekly digest of updates
    INVITATION = "invitation"  #: An invitation link to join an organisation (issue 25)


class OutboxMail(db.Model):
    """One e-mail to one address. ``dedup_key`` is unique: the same mail is never queued twice.

    Life: queued (``sent_at``, ``cancelled_at``, ``failed_at`` all None) → claimed by one
    scheduler (``claim_token``, ``claimed_until``: a lease; an expired lease may be claimed
    again) → ``sent_at`` once the SMTP server accepted it; on a temporary failure the claim
    is released, ``attempts`` and ``last_error`` recorded and ``due_at`` moved back.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "sent_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meetup_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetups.id", ondelete="CASCADE"), index=True
    )
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    consent_id: Mapped[int | None] = mapped_column(
        ForeignKey("reminder_consents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MailKind] = mapped_column(str_enum(MailKind))
    #: The one address this mail goes to (emptied when the meetup is anonymised).
    recipient: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8), default="nl")
    #: E.g. ``reminder_before:<consent id>:<date>``: unique, so a mail is queued once.
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    #: Extra data of this mail (e.g. the follow-up number), plain JSON.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: When it should go (and, after a failure, the next try).
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: After this it is not worth sending any more (a reminder of a date long gone).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(40))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Withdrawn consent, unsubscribed, anonymised, status reached, or expired.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(String(40), default="")
    #: Refused for good by the SMTP server (e.g. an unknown address).
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def pending(self) -> bool:
        return self.sent_at is None and self.cancelled_at is None and self.failed_at is None

    def __repr__(self) -> str:
        return short_repr(self, id=self.id, kind=str(self.kind), due_at=self.due_at,
                          sent=self.sent_at is not None)


class SchedulerHeartbeat(db.Model):
    """When a mail scheduler last ran (``meetup serve``'s greenlet or ``meetup send-mail``)."""

    __tablename__ = "scheduler_heartbeats"

    #: The scheduler's name; ``mail`` is the one there is.
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: How many mails the last run sent and how many failed (for the organiser's page).
    last_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_failed: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return short_repr(self, name=self.name, last_run_at=self.last_run_at)
