"""An address that asked for no more follow-up mail about one meetup."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from meetup.extensions import db
from meetup.models.types import UTCDateTime, short_repr, utcnow


class Unsubscribe(db.Model):
    """Recorded when someone unsubscribes (link or RFC 8058 one-click). Keeps only a hash of
    the address (SHA-256 of it in lower case), so the record survives anonymising."""

    __tablename__ = "mail_unsubscribes"
    __table_args__ = (UniqueConstraint("meetup_id", "address_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meetup_id: Mapped[int] = mapped_column(
        ForeignKey("meetups.id", ondelete="CASCADE"), index=True
    )
    address_hash: Mapped[str] = mapped_column(String(64))
    #: ``link`` (the confirm page) or ``one-click`` (a mail program's button).
    how: Mapped[str] = mapped_column(String(20), default="link")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return short_repr(self, meetup_id=self.meetup_id, how=self.how)
