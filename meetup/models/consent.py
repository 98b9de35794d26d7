"""A participant's consent to follow-up e-mail: reminders about an agreement they lead, or the
agreements they signed on to. Separate from the contact-list consent
(:attr:`Participant.email_consent`): each is given, and withdrawn, on its own."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetup.extensions import db
from meetup.models.types import UTCDateTime, short_repr, str_enum, utcnow

if TYPE_CHECKING:
    from meetup.models.agreement import Agreement
    from meetup.models.participant import Participant


class ConsentKind(enum.StrEnum):
    """What the person asked to be mailed about."""

    REMINDERS = "reminders"  #: "Stuur mij herinneringen over deze afspraak" (an owner)
    SIGNED = "signed"  #: "Mail mij de afspraken waar ik aan meedoe" (no agreement)


class ReminderConsent(db.Model):
    """One consent to mail, for one purpose: when it was given, and when withdrawn.

    Never deleted while the meetup keeps personal data: a withdrawn consent keeps
    ``withdrawn_at`` (the record of the choice); the address itself is removed then.
    """

    __tablename__ = "reminder_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    meetup_id: Mapped[int] = mapped_column(
        ForeignKey("meetups.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    #: The agreement the reminders are about; None for ``signed``.
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ConsentKind] = mapped_column(str_enum(ConsentKind), default=ConsentKind.REMINDERS)
    #: Where to mail; emptied when the consent is withdrawn or the meetup anonymised.
    email: Mapped[str] = mapped_column(String(254), default="")
    #: The language the person used at the evening (``nl`` or ``en``): the mails speak it.
    language: Mapped[str] = mapped_column(String(8), default="nl")
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    participant: Mapped[Participant | None] = relationship()
    agreement: Mapped[Agreement | None] = relationship()

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None and bool(self.email)

    def __repr__(self) -> str:
        return short_repr(self, id=self.id, kind=str(self.kind), agreement_id=self.agreement_id,
                          active=self.active)
