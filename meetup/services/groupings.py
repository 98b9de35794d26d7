"""The organiser's groupings: suggest groups of a theme's notes, edit them, confirm them.

Rules:

- From the voting phase on (the board is then frozen), the organiser asks for suggested groups
  per theme, for one round or all three; a new suggestion replaces the theme's groups.
- The organiser moves a note to another group (or a new one), merges groups, splits notes off
  into a new group and renames a group. Any edit withdraws an earlier confirmation: what the
  projector shows is always exactly what the organiser last confirmed.
- Only visible notes count: a note hidden after grouping disappears from every view; a note
  that was not yet grouped is listed as such on the organiser's page.
- The clustering itself runs off the event loop (``offload.off_loop``): a 3,000-note
  suggestion never stalls the phones' acknowledgements.

Callers commit; every function flushes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from meetup.models import Meetup, Note, Phase, Round, Table, Theme, Vote
from meetup.models.grouping import Grouping, NoteGroup, NoteGroupMember
from meetup.models.types import utcnow
from meetup.services import embeddings, note_vectors
from meetup.services import grouping as clustering
from meetup.services.errors import InvalidInput, NotFound, WrongPhase
from meetup.services.offload import off_loop

#: From this phase on the board is frozen and its notes can be grouped.
GROUPING_PHASES = (Phase.VOTING, Phase.AGREEMENTS, Phase.PLENARY, Phase.CLOSED)
TITLE_MAX_LENGTH = 80
#: The projector and the report show this many of a group's most-dotted notes.
TOP_NOTES = 3
#: A suggestion computes at most this many missing note vectors on the spot (about 2 s);
#: with more missing it groups by words (TF-IDF) and the page says so.
LAZY_VECTORS = 100


@dataclass
class GroupView:
    """A group as the organiser, the projector and the report see it."""

    id: int
    title: str
    notes: list[clustering.NoteIn] = field(default_factory=list)

    @property
    def tables(self) -> list[int]:
        return sorted({n.table_number for n in self.notes if n.table_number is not None})

    @property
    def dots(self) -> int:
        return sum(n.dots for n in self.notes)

    @property
    def top_notes(self) -> list[clustering.NoteIn]:
        return self.notes[:TOP_NOTES]


@dataclass
class ThemeGroups:
    """A theme's grouping: its groups and the visible notes not in any group yet."""

    theme_id: int
    theme_title: str
    round: Round | None
    similarity: float
    confirmed: bool
    groups: list[GroupView]
    ungrouped: list[clustering.NoteIn]


def theme_notes(session: Session, meetup: Meetup, theme: Theme,
                round_: Round | None = None) -> list[clustering.NoteIn]:
    """The visible notes of all tables of a theme, with table numbers and dots, one query."""
    query = (
        select(Note.id, Note.text, Table.number, func.count(Vote.id))
        .join(Table, Note.table_id == Table.id)
        .outerjoin(Vote, Vote.note_id == Note.id)
        .where(Note.meetup_id == meetup.id, Table.theme_id == theme.id,
               Note.hidden.is_(False), Note.deleted_at.is_(None))
        .group_by(Note.id, Note.text, Table.number)
        .order_by(Note.id)
    )
    if round_ is not None:
        query = query.where(Note.round == round_)
    return [clustering.NoteIn(id=i, text=t, table_number=n, dots=d)
            for i, t, n, d in session.execute(query).all()]


def _theme(session: Session, meetup: Meetup, theme_id: int) -> Theme:
    theme = session.get(Theme, theme_id)
    if theme is None or theme.meetup_id != meetup.id:
        raise NotFound()
    return theme


def _grouping(session: Session, meetup: Meetup, theme_id: int) -> Grouping:
    grouping = session.scalar(
        select(Grouping).where(Grouping.meetup_id == meetup.id, Grouping.theme_id == theme_id)
        .options(selectinload(Grouping.groups).selectinload(NoteGroup.members))
    )
    if grouping is None:
        raise NotFound(_l("This theme has no groups yet."))
    return grouping


def _group(grouping: Grouping, group_id: int) -> NoteGroup:
    for group in grouping.groups:
        if group.id == group_id:
            return group
    raise NotFound(_l("That group no longer exists."))


def _edited(grouping: Grouping) -> None:
    grouping.confirmed_at = None
    grouping.updated_at = utcnow()


def _renumber(grouping: Grouping) -> None:
    """Drop empty groups and number the rest 0, 1, 2, … in their current order."""
    for group in [g for g in grouping.groups if not g.members]:
        grouping.groups.remove(group)
    for position, group in enumerate(grouping.groups):
        group.position = position


def parse_similarity(value: Any) -> float:
    try:
        similarity = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(_l("Choose how alike notes must be."), field="similarity") from None
    if not clustering.MIN_SIMILARITY <= similarity <= clustering.MAX_SIMILARITY:
        raise InvalidInput(_l("Choose how alike notes must be."), field="similarity")
    return similarity


def suggest(session: Session, meetup: Meetup, theme_id: int, *, round_: Round | None = None,
            similarity: float = clustering.DEFAULT_SIMILARITY) -> Grouping:
    """Replace the theme's groups with fresh suggestions (unconfirmed): groups only of notes
    that are clearly alike; every other note waits under "Nog in te delen" (``ungrouped``)."""
    if meetup.phase not in GROUPING_PHASES:
        raise WrongPhase(_l("Notes can be grouped from the voting phase on."))
    theme = _theme(session, meetup, theme_id)
    notes = note_vectors.attach(session, theme_notes(session, meetup, theme, round_))
    missing = sum(1 for n in notes if n.vector is None)
    method = None
    if not embeddings.usable():
        method = "tfidf"
    elif missing > LAZY_VECTORS:
        # The background job has not caught up (the room was writing until just now):
        # computing them all now would keep the organiser waiting; group by words this time.
        method = "tfidf"
    else:
        notes, computed = off_loop(clustering.with_vectors, notes)  # the few not stored yet
        note_vectors.store(session, computed)
    suggested = off_loop(clustering.suggest_groups, notes, similarity, method,
                         list(theme.directions or []))
    grouping = session.scalar(select(Grouping).where(Grouping.theme_id == theme.id))
    if grouping is None:
        grouping = Grouping(meetup_id=meetup.id, theme_id=theme.id, similarity=similarity)
        session.add(grouping)
    else:
        grouping.groups.clear()
        session.flush()  # the old members go before the new ones take their notes
    grouping.round = round_
    grouping.similarity = similarity
    #: Not stored: how this suggestion was made ("meaning", or "tfidf" when vectors of more
    #: than LAZY_VECTORS notes were still missing, or no model runs here), for the page to say.
    grouping.suggested_by = method or "meaning"  # type: ignore[attr-defined]
    grouping.vectors_missing = missing if method else 0  # type: ignore[attr-defined]
    _edited(grouping)
    session.flush()
    for position, found in enumerate(suggested):
        group = NoteGroup(position=position, title=found.title[:TITLE_MAX_LENGTH])
        group.members = [NoteGroupMember(grouping_id=grouping.id, note_id=n.id)
                         for n in found.notes]
        grouping.groups.append(group)
    session.flush()
    return grouping


def arrange(session: Session, meetup: Meetup, theme_id: int,
            groups: list[tuple[str, list[int]]]) -> Grouping:
    """Replace the theme's groups with these (title, note ids), unconfirmed, without asking
    for a suggestion: groups made by hand (the demo's earlier evening is seeded so). The
    theme's other visible notes wait under "Nog in te delen"."""
    if meetup.phase not in GROUPING_PHASES:
        raise WrongPhase(_l("Notes can be grouped from the voting phase on."))
    theme = _theme(session, meetup, theme_id)
    visible = {n.id for n in theme_notes(session, meetup, theme)}
    if any(n not in visible for _title, ids in groups for n in ids):
        raise NotFound(_l("That note is not on this theme's board."))
    grouping = session.scalar(select(Grouping).where(Grouping.theme_id == theme.id))
    if grouping is None:
        grouping = Grouping(meetup_id=meetup.id, theme_id=theme.id,
                            similarity=clustering.DEFAULT_SIMILARITY)
        session.add(grouping)
    else:
        grouping.groups.clear()
    grouping.round = None
    _edited(grouping)
    session.flush()
    for position, (title, ids) in enumerate((t, i) for t, i in groups if i):
        group = NoteGroup(position=position, title=_clean_title(title))
        group.members = [NoteGroupMember(grouping_id=grouping.id, note_id=n)
                         for n in dict.fromkeys(ids)]
        grouping.groups.append(group)
    session.flush()
    return grouping


def move_notes(session: Session, meetup: Meetup, theme_id: int, note_ids: list[int],
               group_id: int | None) -> Grouping:
    """Put notes in another group of their theme; ``None`` starts a new group with them."""
    grouping = _grouping(session, meetup, theme_id)
    visible = {n.id: n for n in theme_notes(session, meetup, _theme(session, meetup, theme_id),
                                            grouping.round)}
    moving = list(dict.fromkeys(note_ids))
    if not moving or any(n not in visible for n in moving):
        raise NotFound(_l("That note is not on this theme's board."))
    target = _group(grouping, group_id) if group_id is not None else None
    for group in grouping.groups:
        for member in [m for m in group.members if m.note_id in moving]:
            group.members.remove(member)
    session.flush()
    if target is None:
        target = NoteGroup(title=_title([visible[n] for n in moving]))
        grouping.groups.append(target)
    target.members.extend(NoteGroupMember(grouping_id=grouping.id, note_id=n) for n in moving)
    _renumber(grouping)
    _edited(grouping)
    session.flush()
    return grouping


def _title(notes: list[clustering.NoteIn]) -> str:
    return clustering.title_for(notes)[:TITLE_MAX_LENGTH]


def merge(session: Session, meetup: Meetup, theme_id: int, into_id: int,
          other_ids: list[int]) -> Grouping:
    """Move every note of ``other_ids`` into ``into_id``; the emptied groups go."""
    grouping = _grouping(session, meetup, theme_id)
    into = _group(grouping, into_id)
    others = [_group(grouping, i) for i in other_ids if i != into_id]
    if not others:
        raise InvalidInput(_l("Choose at least one other group to merge."), field="groups")
    moving = [m.note_id for g in others for m in g.members]
    for group in others:
        group.members.clear()
    session.flush()
    into.members.extend(NoteGroupMember(grouping_id=grouping.id, note_id=n) for n in moving)
    _renumber(grouping)
    _edited(grouping)
    session.flush()
    return grouping


def split(session: Session, meetup: Meetup, theme_id: int, group_id: int,
          note_ids: list[int], title: str | None = None) -> Grouping:
    """Take some notes of a group into a new group, placed right after it."""
    grouping = _grouping(session, meetup, theme_id)
    group = _group(grouping, group_id)
    chosen = [m for m in group.members if m.note_id in set(note_ids)]
    if not chosen or len(chosen) == len(group.members):
        raise InvalidInput(_l("Choose some, but not all, notes of the group to split off."),
                           field="notes")
    for member in chosen:
        group.members.remove(member)
    session.flush()
    visible = {n.id: n for n in theme_notes(session, meetup, _theme(session, meetup, theme_id),
                                            grouping.round)}
    new = NoteGroup(title=_clean_title(title) if title else _title(
        [visible[m.note_id] for m in chosen if m.note_id in visible]))
    new.members = [NoteGroupMember(grouping_id=grouping.id, note_id=m.note_id) for m in chosen]
    grouping.groups.insert(grouping.groups.index(group) + 1, new)
    _renumber(grouping)
    _edited(grouping)
    session.flush()
    return grouping


def _clean_title(title: str | None) -> str:
    cleaned = " ".join((title or "").split())
    if not cleaned:
        raise InvalidInput(_l("A group needs a title."), field="title")
    if len(cleaned) > TITLE_MAX_LENGTH or "\x00" in cleaned:
        raise InvalidInput(_l("A title has at most 80 characters."), field="title")
    return cleaned


def retitle_without(session: Session, note: Note) -> None:
    """``note`` was hidden: a group titled after it (a suggested title is a note's own words)
    gets the title of its remaining visible notes. A title the organiser typed stays."""
    derived = clustering.shorten(note.text)[:TITLE_MAX_LENGTH]
    groups = session.scalars(select(NoteGroup).join(NoteGroupMember).where(
        NoteGroupMember.note_id == note.id, NoteGroup.title == derived)).all()
    for group in groups:
        grouping = group.grouping
        meetup = session.get(Meetup, grouping.meetup_id)
        theme = session.get(Theme, grouping.theme_id)
        visible = {n.id: n for n in theme_notes(session, meetup, theme, grouping.round)}
        rest = [visible[m.note_id] for m in group.members if m.note_id in visible]
        if rest:
            group.title = _title(rest)
    session.flush()


def rename(session: Session, meetup: Meetup, theme_id: int, group_id: int,
           title: str | None) -> Grouping:
    grouping = _grouping(session, meetup, theme_id)
    _group(grouping, group_id).title = _clean_title(title)
    _edited(grouping)
    session.flush()
    return grouping


def confirm(session: Session, meetup: Meetup, theme_id: int) -> Grouping:
    """The organiser has looked: the groups may now reach the projector and the report."""
    grouping = _grouping(session, meetup, theme_id)
    if not grouping.groups:
        raise InvalidInput(_l("There are no groups to confirm."))
    grouping.confirmed_at = utcnow()
    session.flush()
    return grouping


def views(session: Session, meetup: Meetup, *, confirmed_only: bool = False) -> list[ThemeGroups]:
    """Every theme's grouping as plain data, in theme order; hidden notes left out.

    ``confirmed_only`` is what the projector and the report use."""
    groupings = {g.theme_id: g for g in session.scalars(
        select(Grouping).where(Grouping.meetup_id == meetup.id)
        .options(selectinload(Grouping.groups).selectinload(NoteGroup.members))
    )}
    themes = session.scalars(
        select(Theme).where(Theme.meetup_id == meetup.id).order_by(Theme.position, Theme.id)
    ).all()
    out = []
    for theme in themes:
        grouping = groupings.get(theme.id)
        if grouping is None or (confirmed_only and grouping.confirmed_at is None):
            continue
        notes = {n.id: n for n in theme_notes(session, meetup, theme, grouping.round)}
        placed: set[int] = set()
        groups = []
        for group in grouping.groups:
            members = [notes[m.note_id] for m in group.members if m.note_id in notes]
            placed.update(n.id for n in members)
            if members:
                members.sort(key=lambda n: (-n.dots, n.id))
                groups.append(GroupView(id=group.id, title=group.title, notes=members))
        out.append(ThemeGroups(
            theme_id=theme.id, theme_title=theme.title, round=grouping.round,
            similarity=grouping.similarity, confirmed=grouping.confirmed_at is not None,
            groups=groups, ungrouped=[n for i, n in notes.items() if i not in placed],
        ))
    return out
