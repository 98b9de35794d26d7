"""A series: named meetups that follow on from each other, possibly in several cities."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetup.extensions import db
from meetup.models.types import UTCDateTime, short_repr, utcnow

if TYPE_CHECKING:
    from meetup.models.meetup import Meetup
    from meetup.models.organisation import Organisation
    from meetup.models.organiser import Organiser


class Series(db.Model):
    """A named row of meetups, e.g. "Meetup Kansenongelijkheid Gooi".

    Owned by an organisation (issue 25); ``organiser_id`` is who made it. Who may see or
    change it is decided in one place, ``services.access.require``.
    """

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The organiser who made the series.
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organisers.id", ondelete="CASCADE"), index=True
    )
    #: The organisation that owns the series (and every meetup in it).
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    #: Shown on the organiser's meetup list, the series page and the report.
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organiser: Mapped[Organiser] = relationship()
    organisation: Mapped[Organisation] = relationship()
    meetups: Mapped[list[Meetup]] = relationship(back_populates="series",
                                                 order_by="Meetup.id")

    def __repr__(self) -> str:
        return short_repr(self, id=self.id, name=self.name)
