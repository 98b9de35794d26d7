"""Participants and the tables they sit at."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetup.extensions import db
from meetup.models.types import UTCDateTime, short_repr, utcnow

if TYPE_CHECKING:
    from meetup.models.meetup import Meetup, Theme


class Table(db.Model):
    """A physical table in the room, working on one theme."""

    __tablename__ = "tables"
    __table_args__ = (UniqueConstraint("meetup_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meetup_id: Mapped[int] = mapped_column(
        ForeignKey("meetups.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)
    #: The number on the table card: "Ga naar tafel 4".
    number: Mapped[int] = mapped_column(Integer)

    meetup: Mapped[Meetup] = relationship(back_populates="tables")
    theme: Mapped[Theme] = relationship()
    participants: Mapped[list[Participant]] = relationship(
        back_populates="table", order_by="Participant.id"
    )

    def __repr__(self) -> str:
        return short_repr(self, id=self.id, number=self.number, theme_id=self.theme_id)


def first_name(display_name: str) -> str:
    """What phones show of a person: the first word of the name they gave."""
    return display_name.split()[0] if display_name.strip() else ""


class Participant(db.Model):
    """Someone who joined with a phone: no account, only a name, a role and an organisation.

    The phone holds a random token in a signed cookie; only its SHA-256 hash is stored here.
    """

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    meetup_id: Mapped[int] = mapped_column(
        ForeignKey("meetups.id", ondelete="CASCADE"), index=True
    )
    display_name: Mapped[str] = mapped_column(String(80))
    #: Key from the roles list in the default content (e.g. ``leerkracht_po``).
    role: Mapped[str] = mapped_column(String(40))
    organisation: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    #: Explicit consent to appear with e-mail in the report's contact list.
    email_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="SET NULL"), index=True
    )
    table_id: Mapped[int | None] = mapped_column(
        ForeignKey("tables.id", ondelete="SET NULL"), index=True
    )
    #: SHA-256 (hex) of the identity token held by the phone.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    meetup: Mapped[Meetup] = relationship(back_populates="participants")
    theme: Mapped[Theme | None] = relationship()
    table: Mapped[Table | None] = relationship(back_populates="participants")

    @property
    def first_name(self) -> str:
        return first_name(self.display_name)

    def __repr__(self) -> str:
        return short_repr(self, id=self.id, name=self.display_name, table_id=self.table_id)
