"""Organisers: the people who prepare and run meetups."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from meetup.extensions import db
from meetup.models.types import UTCDateTime, short_repr, utcnow

if TYPE_CHECKING:
    from meetup.models.meetup import Meetup


class Organiser(db.Model):
    """An account that can log in, prepare meetups and lead them on the night."""

    __tablename__ = "organisers"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name, stored lower-case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: Shown on the report's cover and on the dashboard.
    name: Mapped[str] = mapped_column(String(120), default="")
    #: Werkzeug's salted scrypt/pbkdf2 hash; the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Raised by logout, a password change and "log out everywhere": a session cookie carries
    #: the version it was issued with and is refused once they differ (every copy of it).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: The interface language the organiser chose (``nl`` or ``en``), kept at login and when
    #: they switch language: mail to the organiser (the weekly digest) speaks it.
    language: Mapped[str] = mapped_column(String(8), default="nl", server_default="nl")

    meetups: Mapped[list[Meetup]] = relationship(back_populates="organiser")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return short_repr(self, id=self.id, email=self.email)
