"""The plenary: what the projector shows, one slide at a time, as the organiser steps.

The sequence of slides: first the groups of notes the organiser confirmed, theme by theme in
theme order (each theme's groups in the organiser's order), then the final agreements by table.
``meetup.plenary_position`` indexes that sequence. Nothing unconfirmed is in it: a grouping
reaches the projector (and the phones, and every snapshot) only while it is confirmed, and a
group whose notes were all hidden is left out.

When the sequence changes during the plenary (an agreement finalised or reopened, a grouping
confirmed or edited, a note hidden), :func:`follow` keeps the slide that was on the projector
on it; when that slide is gone, the next one that is still there takes its place.

A face that changes the plenary outside a socket event (the organiser's groups page, plain
HTTP) sends :data:`changed` after its commit; the real-time face broadcasts the new state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from blinker import Namespace
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from meetup.models import Agreement, AgreementStatus, Meetup, Note, Table, Theme, Vote
from meetup.models.grouping import Grouping, NoteGroup, NoteGroupMember
from meetup.services import group_titles, operations
from meetup.services.agreement_wire import serialise_agreement, signers_of
from meetup.services.errors import InvalidInput

#: How many of a group's notes (most dots first) the projector shows; the rest is "+N meer".
TOP_NOTES = 3

#: ``changed.send(meetup_id=, state=, seq=, everyone=)``: the plenary changed outside a socket
#: event and that change is committed. ``everyone``: the meetup is in the plenary phase (every
#: phone and the projector want it); else only the organiser's live page does.
changed = Namespace().signal("plenary-changed")


@dataclass(frozen=True)
class Slide:
    """One step of the plenary: a confirmed group of notes or a final agreement (by id)."""

    kind: Literal["group", "agreement"]
    id: int


def final_agreements(session: Session, meetup: Meetup) -> list[Agreement]:
    """The meetup's final agreements in plenary order: by table number, then as created."""
    return list(session.scalars(
        _final_query(select(Agreement), meetup)
        .options(selectinload(Agreement.table), selectinload(Agreement.theme))
    ))


def _final_query(query: Any, meetup: Meetup) -> Any:
    return (query.outerjoin(Table, Agreement.table_id == Table.id)
            .where(Agreement.meetup_id == meetup.id, Agreement.deleted_at.is_(None),
                   Agreement.status != AgreementStatus.DRAFT)
            .order_by(Table.number.nulls_last(), Agreement.created_at, Agreement.id))


def _visible(query: Any) -> Any:
    return query.where(Note.hidden.is_(False), Note.deleted_at.is_(None))


def slides(session: Session, meetup: Meetup) -> list[Slide]:
    """The whole sequence, in two queries (ids only)."""
    groups = session.scalars(_visible(
        select(NoteGroup.id)
        .join(Grouping, NoteGroup.grouping_id == Grouping.id)
        .join(Theme, Theme.id == Grouping.theme_id)
        .join(NoteGroupMember, NoteGroupMember.group_id == NoteGroup.id)
        .join(Note, Note.id == NoteGroupMember.note_id)
        .where(Grouping.meetup_id == meetup.id, Grouping.confirmed_at.is_not(None))
    ).group_by(NoteGroup.id, Theme.position, Theme.id, NoteGroup.position)
        .order_by(Theme.position, Theme.id, NoteGroup.position, NoteGroup.id)).all()
    agreements = session.scalars(_final_query(select(Agreement.id), meetup)).all()
    return [Slide("group", i) for i in groups] + [Slide("agreement", i) for i in agreements]


def _clamp(position: int | None, total: int) -> int:
    return min(max(position or 0, 0), max(total - 1, 0))


def group_slide(session: Session, group_id: int) -> dict[str, Any]:
    """A confirmed group as the projector shows it: title, counts and the most-dotted notes.

    An automatic title of bare terms is shown as a note that stands for the group instead
    (:mod:`meetup.services.group_titles`)."""
    group = session.get(NoteGroup, group_id)
    assert group is not None
    theme = session.get(Theme, group.grouping.theme_id)
    rows = session.execute(_visible(
        select(Note.id, Note.text, Table.number, func.count(Vote.id))
        .join(NoteGroupMember, NoteGroupMember.note_id == Note.id)
        .join(Table, Note.table_id == Table.id)
        .outerjoin(Vote, Vote.note_id == Note.id)
        .where(NoteGroupMember.group_id == group_id)
    ).group_by(Note.id, Note.text, Table.number)).all()
    rows.sort(key=lambda r: (-r[3], r[0]))
    return {
        "id": group.id,
        "theme": theme.key if theme is not None else None,
        "title": group_titles.readable(group.title, [(r[1], r[3]) for r in rows]),
        "notes": len(rows),
        "tables": len({r[2] for r in rows}),
        "dots": sum(r[3] for r in rows),
        "top_notes": [{"text": text, "dots": dots, "table": number}
                      for _, text, number, dots in rows[:TOP_NOTES]],
        "more": max(0, len(rows) - TOP_NOTES),
    }


def state(session: Session, meetup: Meetup) -> dict[str, Any]:
    """The plenary on the wire: which slide is on the projector, and what it shows.

    ``{position, total, kind, group_count, agreement_count, group, agreement}``: ``position``
    indexes the whole sequence (0 when it is empty); ``kind`` is ``group``, ``agreement`` or
    None (nothing to show); ``group`` / ``agreement`` hold the slide's content, the other None.
    """
    sequence = slides(session, meetup)
    total = len(sequence)
    position = _clamp(meetup.plenary_position, total)
    groups = sum(1 for s in sequence if s.kind == "group")
    data: dict[str, Any] = {"position": position, "total": total, "kind": None,
                            "group_count": groups, "agreement_count": total - groups,
                            "group": None, "agreement": None}
    if not total:
        return data
    slide = sequence[position]
    data["kind"] = slide.kind
    if slide.kind == "group":
        data["group"] = group_slide(session, slide.id)
    else:
        chosen = session.get(Agreement, slide.id)
        assert chosen is not None
        data["agreement"] = serialise_agreement(chosen, signers_of(session, [chosen.id])[chosen.id])
    return data


def show(session: Session, meetup: Meetup, position: int) -> dict[str, Any]:
    """Put the slide at ``position`` (clamped to the sequence) on the projector."""
    if isinstance(position, bool) or not isinstance(position, int):
        raise InvalidInput(field="position")
    meetup.plenary_position = _clamp(position, len(slides(session, meetup)))
    session.flush()
    operations.bump(session, meetup)
    return state(session, meetup)


def upcoming(session: Session, meetup: Meetup) -> list[Slide]:
    """The slide on the projector and every one after it: what :func:`follow` needs to know
    before a change to the sequence."""
    sequence = slides(session, meetup)
    return sequence[_clamp(meetup.plenary_position, len(sequence)):]


def follow(session: Session, meetup: Meetup, before: list[Slide]) -> dict[str, Any]:
    """After the sequence changed: keep the slide that was shown on the projector.

    ``before`` is :func:`upcoming` from before the change. The shown slide keeps its place on
    the projector (its position may shift); when it left the sequence, the first slide after
    it that is still there takes its place (else the last one; the first when nothing was
    shown before). Returns the new state.
    """
    session.flush()
    sequence = slides(session, meetup)
    index = {slide: i for i, slide in enumerate(sequence)}
    position = next((index[s] for s in before if s in index),
                    len(sequence) - 1 if before else 0)
    meetup.plenary_position = _clamp(position, len(sequence))
    session.flush()
    return state(session, meetup)


def after_grouping_edit(session: Session, meetup: Meetup,
                        before: list[Slide]) -> dict[str, Any] | None:
    """A grouping was suggested, edited or confirmed; ``before`` is :func:`slides` from before.

    None when the sequence is the same (an edit of groups that were not confirmed): nothing
    to tell anyone. Else a write of its own (a new revision, for snapshots and ``seq``), the
    projector keeps its slide where it can, and the new state is returned.
    """
    session.flush()
    if slides(session, meetup) == before:
        return None
    result = follow(session, meetup, before[_clamp(meetup.plenary_position, len(before)):])
    operations.bump(session, meetup)
    return result
