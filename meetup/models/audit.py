"""The audit log and the idempotency log of client writes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from meetup.extensions import db
from meetup.models.types import UTCDateTime, short_repr, utcnow


class AuditEntry(db.Model):
    """Something an organiser or participant did that must stay traceable (e.g. hiding a note)."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    meetup_id: Mapped[int] = mapped_column(
        ForeignKey("meetups.id", ondelete="CASCADE"), index=True
    )
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL")
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    #: What happened, e.g. ``note.hide`` or ``participant.move``.
    action: Mapped[str] = mapped_column(String(40))
    #: Plain data about the subject, kept even if the subject changes later.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return short_repr(self, id=self.id, action=self.action)


class Operation(db.Model):
    """A client write that was applied, by its client-generated UUID.

    A phone that lost its acknowledgement resends the write after reconnecting; finding the
    UUID here means "already done": the server acknowledges again and changes nothing.
    """

    __tablename__ = "operations"

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    meetup_id: Mapped[int] = mapped_column(
        ForeignKey("meetups.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE")
    )
    #: The event name, e.g. ``note.edit``.
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return short_repr(self, uuid=str(self.uuid), kind=self.kind)
