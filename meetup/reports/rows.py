"""The rows every report module shares: an agreement, its follow-up entries, a note.

Plain frozen dataclasses at the bottom of :mod:`meetup.reports`: :mod:`~meetup.reports.data`
gathers them, and the modules that gather or compute parts of a report (groups, network,
standing) import them from here, so that no two report modules import each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Update:
    """One follow-up entry of an agreement."""

    status: str
    note: str
    source: str
    created_at: datetime


@dataclass(frozen=True)
class AgreementRow:
    """A finalised agreement; ``number`` is its stable number in the report (#1, #2, ...)."""

    id: int
    number: int
    theme_key: str | None
    theme_title: str
    table_number: int | None
    what: str
    owner_name: str
    owner_organisation: str
    partners: tuple[str, ...]
    first_step: str
    due_date: date | None
    success_measure: str
    status: str
    signed_on: int
    #: The owner's private follow-up token; empty unless gathered with ``private=True``.
    followup_token: str
    finalised_at: datetime | None
    updated_at: datetime
    updates: tuple[Update, ...]

    @property
    def last_update(self) -> Update | None:
        return self.updates[-1] if self.updates else None


@dataclass(frozen=True)
class NoteRow:
    """A visible brainstorm note (anonymous) with its number of votes."""

    id: int
    theme_key: str | None
    theme_title: str
    table_number: int
    round: str
    text: str
    votes: int
