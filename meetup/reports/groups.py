"""The confirmed groups of a theme's notes, as plain report data.

Only groupings the organiser confirmed count (what the projector showed); notes hidden after
grouping are left out because they are not among the report's visible notes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from meetup.models import Meetup, Theme
from meetup.models.grouping import Grouping, NoteGroup
from meetup.reports.rows import NoteRow
from meetup.services.group_titles import readable

#: How many of a group's notes (most votes first) the theme's section lists; the appendix has
#: every note, per table.
GROUP_NOTES = 5


@dataclass(frozen=True)
class GroupRow:
    """One confirmed group: its title and its notes, most votes first."""

    title: str
    notes: tuple[NoteRow, ...]

    @property
    def shown_notes(self) -> tuple[NoteRow, ...]:
        return self.notes[:GROUP_NOTES]

    @property
    def more(self) -> int:
        return max(0, len(self.notes) - GROUP_NOTES)

    @property
    def table_numbers(self) -> tuple[int, ...]:
        return tuple(sorted({n.table_number for n in self.notes}))

    @property
    def votes(self) -> int:
        return sum(n.votes for n in self.notes)


@dataclass(frozen=True)
class ThemeGroups:
    """A theme's confirmed groups and the round they cover (None: all three rounds)."""

    round: str | None
    groups: tuple[GroupRow, ...]


def gather_groups(session: Session, meetup: Meetup,
                  notes: tuple[NoteRow, ...]) -> dict[str, ThemeGroups]:
    """Theme key -> its confirmed groups, in the organiser's order."""
    by_id = {n.id: n for n in notes}
    out: dict[str, ThemeGroups] = {}
    rows = session.execute(
        select(Grouping, Theme.key).join(Theme, Theme.id == Grouping.theme_id)
        .where(Grouping.meetup_id == meetup.id, Grouping.confirmed_at.is_not(None))
        .options(selectinload(Grouping.groups).selectinload(NoteGroup.members))
    ).all()
    for grouping, key in rows:
        groups = []
        for group in grouping.groups:
            members = sorted((by_id[m.note_id] for m in group.members if m.note_id in by_id),
                             key=lambda n: (-n.votes, n.id))
            if members:
                title = readable(group.title, [(n.text, n.votes) for n in members])
                groups.append(GroupRow(title, tuple(members)))
        out[key] = ThemeGroups(str(grouping.round) if grouping.round else None, tuple(groups))
    return out
