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
    from meetup.models.organiser import Organiser


class Series(db.Model):
    """A named row of meetups, e.g. "Meetup Kansenongelijkheid Gooi".

    Owned by one organiser for now. Who may see or change it is decided in one place,
    ``services.series.owned_series`` / ``may_see``: when organisations arrive, an
    ``organisation_id`` column joins ``organiser_id`` and only that check changes.
    """

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The organiser who owns the series (and every meetup in it).
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organisers.id", ondelete="CASCADE"), index=True
    )
    #: Shown on the organiser's meetup list, the series page and the report.
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organiser: Mapped[Organiser] = relationship()
    meetups: Mapped[list[Meetup]] = relationship(back_populates="series",
                                                 order_by="Meetup.id")

    def __repr__(self) -> str:
        return short_repr(self, id=self.id, name=self.name)
