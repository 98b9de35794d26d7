"""Organisations: an account that holds several organisers, each with a role, and their invitations.

Meetups and series belong to an organisation; who may do what with them is decided in one
place, :func:`meetup.services.access.require`, from the organiser's :class:`Membership`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetup.extensions import db
from meetup.models.types import UTCDateTime, short_repr, utcnow

if TYPE_CHECKING:
    from meetup.models.organiser import Organiser


class Role(enum.StrEnum):
    """An organiser's role in an organisation (stored as its value)."""

    #: Manages the organisation, its members and its series; also runs meetups.
    BEHEERDER = "beheerder"
    #: Prepares and runs meetups.
    ORGANISATOR = "organisator"
    #: Reads reports and follow-up; changes nothing.
    MEEKIJKER = "meekijker"


class Organisation(db.Model):
    """An organisation account, e.g. "Stichting Kansen Gooi": the owner of meetups and series."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Shown on the members page and the dashboard.
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Membership.id")

    def __repr__(self) -> str:
        return short_repr(self, id=self.id, name=self.name)


class Membership(db.Model):
    """One organiser in one organisation, with a role."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organisation_id", "organiser_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organisers.id", ondelete="CASCADE"), index=True)
    #: A :class:`Role` value.
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    organiser: Mapped[Organiser] = relationship()

    def __repr__(self) -> str:
        return short_repr(self, id=self.id, role=self.role)


class Invitation(db.Model):
    """A one-time link that makes its holder a member (a new account or an existing one).

    Only the SHA-256 of the link's token is stored; the link is shown once to the beheerder.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    #: The address it was made for (the new account's login name).
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Set when used (or withdrawn); a used link never works again.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return short_repr(self, id=self.id, role=self.role)
