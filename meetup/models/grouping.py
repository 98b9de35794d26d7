"""The plenary's map of a theme: the notes of all its tables in groups the organiser confirmed.

One ``Grouping`` per theme. The service suggests groups (``services/grouping.py``), the
organiser moves notes, merges, splits and renames, then confirms; only a confirmed grouping
reaches the projector, and the report uses it for the theme's section.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetup.extensions import db
from meetup.models.board import Round
from meetup.models.types import UTCDateTime, short_repr, str_enum, utcnow


class Grouping(db.Model):
    """A theme's groups of notes, suggested and then edited by the organiser."""

    __tablename__ = "groupings"
    __table_args__ = (UniqueConstraint("theme_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meetup_id: Mapped[int] = mapped_column(
        ForeignKey("meetups.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"))
    #: The round whose notes were grouped; ``None`` = all three rounds.
    round: Mapped[Round | None] = mapped_column(str_enum(Round), nullable=True)
    #: The similarity threshold of the last suggestion (the organiser's slider).
    similarity: Mapped[float] = mapped_column(Float)
    #: Set when the organiser confirms; any later edit clears it again.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    groups: Mapped[list[NoteGroup]] = relationship(
        back_populates="grouping", cascade="all, delete-orphan", passive_deletes=True,
        order_by="NoteGroup.position",
    )

    def __repr__(self) -> str:
        return short_repr(self, id=self.id, theme_id=self.theme_id,
                          confirmed=self.confirmed_at is not None)


class NoteGroup(db.Model):
    """One group: a title and its notes, in the order the organiser sees them."""

    __tablename__ = "note_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    grouping_id: Mapped[int] = mapped_column(
        ForeignKey("groupings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(80))

    grouping: Mapped[Grouping] = relationship(back_populates="groups")
    members: Mapped[list[NoteGroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", passive_deletes=True,
        order_by="NoteGroupMember.id",
    )

    def __repr__(self) -> str:
        return short_repr(self, id=self.id, title=self.title)


class NoteGroupMember(db.Model):
    """A note's place in a group; a note is in at most one group of its theme."""

    __tablename__ = "note_group_members"
    __table_args__ = (UniqueConstraint("grouping_id", "note_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Repeated from the group so that the database keeps a note in one group per grouping.
    grouping_id: Mapped[int] = mapped_column(ForeignKey("groupings.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(
        ForeignKey("note_groups.id", ondelete="CASCADE"), index=True
    )
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)

    group: Mapped[NoteGroup] = relationship(back_populates="members")

    def __repr__(self) -> str:
        return short_repr(self, group_id=self.group_id, note_id=self.note_id)
