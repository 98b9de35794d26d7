"""A meetup, its themes and the log of its phases."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetup.extensions import db
from meetup.models.types import UTCDateTime, short_repr, str_enum, utcnow

if TYPE_CHECKING:
    from meetup.models.organisation import Organisation
    from meetup.models.organiser import Organiser
    from meetup.models.participant import Participant, Table
    from meetup.models.series import Series


class Phase(enum.StrEnum):
    """The steps of the evening, in order. The organiser moves forward and back."""

    #: Terugblik (issue 25): the earlier meetup's agreements and how they stand; only for a
    #: meetup that follows on from an earlier one (``previous_meetup_id``), and optional.
    RETROSPECTIVE = "retrospective"
    REGISTRATION = "registration"  #: Aanmelden: phones join by QR
    THEME_CHOICE = "theme_choice"  #: Themakeuze
    TABLES = "tables"  #: Tafels: everyone finds their table
    ROUND_1 = "round_1"  #: Wat gebeurt er al?
    ROUND_2 = "round_2"  #: Waar kunnen we bij elkaar aansluiten?
    ROUND_3 = "round_3"  #: Wat mist er nog?
    VOTING = "voting"  #: Stemmen: dots on the table's notes
    AGREEMENTS = "agreements"  #: Afspraken: concrete agreements per table
    PLENARY = "plenary"  #: Plenair: tables present their agreements
    CLOSED = "closed"  #: Afgesloten

    @property
    def index(self) -> int:
        return list(Phase).index(self)


class Meetup(db.Model):
    """One evening: where and when, its join codes, its live state and its settings."""

    __tablename__ = "meetups"

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("organisers.id", ondelete="CASCADE"))
    #: The organisation that owns the meetup (issue 25); ``organiser_id`` is who created it.
    #: Who may read, run or manage it: ``services.access.require``.
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(120), default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    #: Start of the evening (UTC; shown in Europe/Amsterdam).
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Free text shown above the briefing page.
    welcome: Mapped[str] = mapped_column(Text, default="")

    #: Unguessable token in the QR link (192 random bits, URL-safe).
    join_token: Mapped[str] = mapped_column(String(64), unique=True)
    #: Short code people can type at /join (unambiguous letters and digits).
    short_code: Mapped[str] = mapped_column(String(12), unique=True)
    #: The organiser's choice: the short code lets people join before the evening opens
    #: (see ``services.joining.code_is_open``). Off by default, because the public briefing
    #: link carries the code.
    code_before_opening: Mapped[bool] = mapped_column(Boolean, default=False,
                                                      server_default=sa_false())

    #: Current step of the evening.
    phase: Mapped[Phase] = mapped_column(str_enum(Phase), default=Phase.REGISTRATION)
    phase_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When the running countdown ends; None when no countdown runs.
    phase_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Seconds left of a paused countdown; None unless paused.
    timer_paused_remaining: Mapped[int | None] = mapped_column(Integer)
    #: A short message the organiser shows on every phone and the projector.
    broadcast_message: Mapped[str] = mapped_column(String(500), default="")
    broadcast_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: In Plenair: the position of the agreement shown on the projector.
    plenary_position: Mapped[int] = mapped_column(Integer, default=0)
    #: In the Terugblik: the position of the earlier agreement shown on the projector.
    retrospective_position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Monotonic counter, raised by every write; clients use it to spot missed events.
    revision: Mapped[int] = mapped_column(Integer, default=0)

    #: Target number of people per table.
    table_size: Mapped[int] = mapped_column(Integer, default=6)
    #: Dots each participant may place in the voting phase.
    votes_per_person: Mapped[int] = mapped_column(Integer, default=3)
    #: How many people the organiser expects ("verwacht aantal deelnemers"). Up to this many,
    #: with a margin, people join at full speed; beyond it joining slows to a few a minute, so
    #: that a script holding the QR link cannot fill the room (``services.admission``).
    expected_participants: Mapped[int] = mapped_column(Integer, default=300,
                                                       server_default="300")
    #: Default countdown per phase in whole minutes, ``{"round_1": 10, ...}``: entering a
    #: phase starts its countdown (the organiser can still change it). Missing = no countdown.
    phase_minutes: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    #: Further settings without their own column (JSON object).
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    #: The organiser's choice: the shared report lists the e-mail addresses of people who
    #: consented. Off by default.
    report_shows_emails: Mapped[bool] = mapped_column(Boolean, default=False,
                                                      server_default=sa_false())
    #: When personal data is anonymised; None = 12 months after the meetup
    #: (see ``services.privacy.retention_date``).
    retention_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When ``meetup anonymise`` replaced the names, e-mail addresses and organisations.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    #: Token of the read-only report link for the municipality; None when not shared.
    report_share_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    #: Follow-up mail (issue 23): a reminder this many days before the first step's date
    #: (0 = none), one on the date, then "Hoe staat het ervoor?" every ``followup_every_weeks``
    #: weeks until gerealiseerd or gestopt, at most ``followup_max`` times.
    reminder_days_before: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    followup_every_weeks: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    followup_max: Mapped[int] = mapped_column(Integer, default=6, server_default="6")
    #: The organiser's choice: a weekly digest of the owners' updates. Off by default.
    organiser_digest: Mapped[bool] = mapped_column(Boolean, default=False,
                                                   server_default=sa_false())
    #: The series this meetup belongs to (see :class:`~meetup.models.series.Series`).
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("series.id", ondelete="SET NULL"), index=True
    )
    #: The earlier meetup this one follows on from ("als vervolg op"): its themes and
    #: settings were copied, and its agreements can be continued here.
    previous_meetup_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetups.id", ondelete="SET NULL"), index=True
    )

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organiser: Mapped[Organiser] = relationship(back_populates="meetups")
    organisation: Mapped[Organisation] = relationship()
    series: Mapped[Series | None] = relationship(back_populates="meetups")
    previous_meetup: Mapped[Meetup | None] = relationship(remote_side="Meetup.id")
    themes: Mapped[list[Theme]] = relationship(
        back_populates="meetup", order_by="Theme.position", cascade="all, delete-orphan"
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="meetup", cascade="all, delete-orphan", passive_deletes=True
    )
    tables: Mapped[list[Table]] = relationship(
        back_populates="meetup",
        order_by="Table.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    phase_changes: Mapped[list[PhaseChange]] = relationship(
        back_populates="meetup",
        order_by="PhaseChange.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def theme_by_key(self, key: str) -> Theme | None:
        return next((t for t in self.themes if t.key == key), None)

    def __repr__(self) -> str:
        return short_repr(self, id=self.id, title=self.title, phase=str(self.phase))


class Theme(db.Model):
    """One of the meetup's themes, copied from the default content and editable per meetup.

    Directions, reading links and example initiatives are ordered lists kept as JSON:
    ``directions`` = ``[{"code": "1.1", "title": ..., "prompt": ...}]``,
    ``reading_links`` = ``[{"title": ..., "url": ...}]``, ``examples`` = ``[str]``.
    """

    __tablename__ = "themes"
    __table_args__ = (
        UniqueConstraint("meetup_id", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meetup_id: Mapped[int] = mapped_column(
        ForeignKey("meetups.id", ondelete="CASCADE"), index=True
    )
    #: Stable key such as ``taal``, ``overgangen`` or ``zorg``.
    key: Mapped[str] = mapped_column(String(40))
    #: Display order on the phones, projector and report.
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: Short title, e.g. "Taal centraal".
    title: Mapped[str] = mapped_column(String(120))
    #: Subject in a few words, e.g. "Taalachterstand".
    subject: Mapped[str] = mapped_column(String(120), default="")
    #: The central question the tables work on.
    question: Mapped[str] = mapped_column(Text, default="")
    introduction: Mapped[str] = mapped_column(Text, default="")
    directions: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    reading_links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    examples: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Most participants this theme takes; None = no cap.
    capacity: Mapped[int | None] = mapped_column(Integer)

    meetup: Mapped[Meetup] = relationship(back_populates="themes")

    def __repr__(self) -> str:
        return short_repr(self, id=self.id, key=self.key, meetup_id=self.meetup_id)


class PhaseChange(db.Model):
    """One move of the evening from one phase to another, for the timeline and the audit."""

    __tablename__ = "phase_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meetup_id: Mapped[int] = mapped_column(
        ForeignKey("meetups.id", ondelete="CASCADE"), index=True
    )
    from_phase: Mapped[Phase | None] = mapped_column(str_enum(Phase))
    to_phase: Mapped[Phase] = mapped_column(str_enum(Phase))
    #: The organiser who moved the phase; None when done by the system.
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL")
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    meetup: Mapped[Meetup] = relationship(back_populates="phase_changes")

    def __repr__(self) -> str:
        return short_repr(self, meetup_id=self.meetup_id, to=str(self.to_phase))
