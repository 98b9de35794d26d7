"""Read-only views of the live evening as plain dicts, in the wire format of docs/realtime.md.

Each snapshot runs a small, constant number of queries (grouped counts and ``IN`` lists,
never one query per table or note). The organiser's and the projector's are built here, a
phone's in :mod:`phone_snapshot` (it reads only the phone's own table); both build from the
pieces in :mod:`snapshot_parts`, which imports neither.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from meetup.models import (
    Agreement,
    AgreementStatus,
    Meetup,
    Note,
    Participant,
    Phase,
    Round,
    Table,
    Theme,
    Vote,
)
from meetup.models.participant import first_name
from meetup.services import (
    admission,
    board,
    content,
    joining,
    phone_snapshot,
    plenary,
    retrospective,
)
from meetup.services.agreement_wire import serialise_agreement  # noqa: F401 - callers use it
from meetup.services.progress import progress
from meetup.services.snapshot_parts import (  # noqa: F401 - callers use them from here
    common,
    current_locale,
    followup_entry,
    meetup_state,
    serialise_agreements,
    serialise_note,
)


# -- single objects -------------------------------------------------------------------------

def _member(participant: Participant, locale: str, *, full: bool = False,
            label: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {"id": participant.id, "first_name": participant.first_name,
                            "role": participant.role}
    if label:
        data["role_label"] = content.role_label(participant.role, locale)
    if full:
        data["display_name"] = participant.display_name
        data["organisation"] = participant.organisation
        data["theme"] = participant.theme.key if participant.theme is not None else None
    return data


def _member_row(person: Any, locale: str, *, full: bool, label: bool) -> dict[str, Any]:
    """:func:`_member` from a row (id, display_name, role, organisation, theme key)."""
    data: dict[str, Any] = {"id": person.id, "first_name": first_name(person.display_name),
                            "role": person.role}
    if label:
        data["role_label"] = content.role_label(person.role, locale)
    if full:
        data["display_name"] = person.display_name
        data["organisation"] = person.organisation
        data["theme"] = person.theme
    return data


# -- parts of the organiser's and the projector's snapshots ---------------------------------

def counts(session: Session, meetup: Meetup) -> dict[str, Any]:
    """Live numbers for projector and organiser: people per theme and role, notes, agreements."""
    by_theme_id = joining.theme_counts(session, meetup)
    by_role = dict(session.execute(
        select(Participant.role, func.count(Participant.id))
        .where(Participant.meetup_id == meetup.id).group_by(Participant.role)
    ).all())
    notes = session.scalar(
        select(func.count(Note.id)).where(Note.meetup_id == meetup.id, Note.hidden.is_(False),
                                          Note.deleted_at.is_(None))
    ) or 0
    agreements_total, agreements_final = session.execute(
        select(func.count(Agreement.id),
               func.coalesce(func.sum(case((Agreement.status != AgreementStatus.DRAFT, 1),
                                           else_=0)), 0))
        .where(Agreement.meetup_id == meetup.id, Agreement.deleted_at.is_(None))
    ).one()
    return {
        "participants": sum(by_role.values()),
        "by_theme": {t.key: by_theme_id.get(t.id, 0) for t in meetup.themes},
        "by_role": by_role,
        "notes": notes,
        "agreements": agreements_total,
        "final_agreements": int(agreements_final),
    }


def table_overviews(
    session: Session, meetup: Meetup, table_ids: list[int] | None = None, *, public: bool = False,
    labels: bool = True,
) -> list[dict[str, Any]]:
    """Rows of the organiser's overview (all tables, or these), in five queries.

    ``labels=False`` leaves out ``role_label`` (broadcasts: the receiving page labels the role
    codes in its own language, never in the language of whoever caused the broadcast).
    """
    locale = current_locale()
    # Plain rows, no ORM objects: the organiser's overview is recounted every second while
    # notes arrive (see realtime/throttle.py), for up to all tables of the room.
    query = (select(Table.id, Table.number, Theme.key).join(Theme, Theme.id == Table.theme_id)
             .where(Table.meetup_id == meetup.id).order_by(Table.number))
    if table_ids is not None:
        query = query.where(Table.id.in_(table_ids))
    tables = session.execute(query).all()
    ids = [t.id for t in tables]
    if not ids:
        return []
    members: dict[int, list[Any]] = {i: [] for i in ids}
    for person in session.execute(
        select(Participant.id, Participant.table_id, Participant.display_name, Participant.role,
               Participant.organisation, Theme.key.label("theme"))
        .outerjoin(Theme, Theme.id == Participant.theme_id)
        .where(Participant.table_id.in_(ids)).order_by(Participant.id)
    ):
        members[person.table_id].append(person)
    visible = (Note.table_id.in_(ids), Note.hidden.is_(False), Note.deleted_at.is_(None))
    notes: dict[int, dict[str, int]] = {i: {str(r): 0 for r in Round} for i in ids}
    for table_id, round_, n in session.execute(
        select(Note.table_id, Note.round, func.count(Note.id)).where(*visible)
        .group_by(Note.table_id, Note.round)
    ):
        notes[table_id][str(round_)] = n
    votes = dict.fromkeys(ids, 0)
    votes.update(session.execute(
        select(Note.table_id, func.count(Vote.id)).join(Vote, Vote.note_id == Note.id)
        .where(*visible).group_by(Note.table_id)
    ).all())
    agreements = {i: [0, 0] for i in ids}
    for table_id, status, n in session.execute(
        select(Agreement.table_id, Agreement.status, func.count(Agreement.id))
        .where(Agreement.table_id.in_(ids), Agreement.deleted_at.is_(None))
        .group_by(Agreement.table_id, Agreement.status)
    ):
        agreements[table_id][1 if status.is_final else 0] += n
    rows = []
    for table in tables:
        drafts, final = agreements[table.id]
        rows.append({
            "number": table.number,
            "theme": table.key,
            "members": [_member_row(p, locale, full=not public, label=labels)
                        for p in members[table.id]],
            "notes": notes[table.id],
            "votes": votes[table.id],
            "agreements": drafts + final,
            "final_agreements": final,
            "no_agreement": final == 0,
        })
    return rows


def table_overview(session: Session, table: Table) -> dict[str, Any]:
    """One table's row of the organiser's live overview (for the ``overview`` event).

    A broadcast: role codes only, each page labels them in its own language.
    """
    return table_overviews(session, table.meetup, [table.id], labels=False)[0]


def _unseated(session: Session, meetup: Meetup, *, public: bool) -> list[dict[str, Any]]:
    locale = current_locale()
    people = session.scalars(
        select(Participant).where(Participant.meetup_id == meetup.id,
                                  Participant.table_id.is_(None)).order_by(Participant.id)
    )
    return [_member(p, locale, full=not public) for p in people]


# -- the three snapshots --------------------------------------------------------------------

def owners_at_table(session: Session, agreement: Agreement) -> list[Participant]:
    """The people at the agreement's table whose name is its owner's (usually one or none)."""
    if agreement.table_id is None or not agreement.status.is_final:
        return []
    members = session.scalars(select(Participant).where(Participant.table_id == agreement.table_id))
    return [p for p in members if agreement.owned_by(p)]


def participant_snapshot(session: Session, participant: Participant, now: datetime | None = None,
                         views: Any = None) -> dict[str, Any]:
    """Everything a phone shows; built by :mod:`phone_snapshot`."""
    return phone_snapshot.participant_snapshot(session, participant, now, views)


def _all_notes(session: Session, meetup: Meetup, *, include_hidden: bool) -> list[dict[str, Any]]:
    query = select(Note).where(Note.meetup_id == meetup.id, Note.deleted_at.is_(None))
    if not include_hidden:
        query = query.where(Note.hidden.is_(False))
    notes = list(session.scalars(
        query.order_by(Note.table_id, Note.created_at, Note.id)
        .options(selectinload(Note.author), selectinload(Note.table))
    ))
    votes = board.note_votes(session, [n.id for n in notes])
    return [serialise_note(n, votes[n.id]) for n in notes]


def _all_agreements(session: Session, meetup: Meetup, *, final_only: bool) -> list[dict[str, Any]]:
    if final_only:
        agreements = plenary.final_agreements(session, meetup)
    else:
        agreements = list(session.scalars(
            select(Agreement).outerjoin(Table, Agreement.table_id == Table.id)
            .where(Agreement.meetup_id == meetup.id, Agreement.deleted_at.is_(None))
            .order_by(Table.number.nulls_last(), Agreement.created_at, Agreement.id)
            .options(selectinload(Agreement.table), selectinload(Agreement.theme))
        ))
    return serialise_agreements(session, agreements)


def organiser_snapshot(
    session: Session, meetup: Meetup, now: datetime | None = None
) -> dict[str, Any]:
    """The organiser's live view: everything, hidden notes included (marked ``hidden``)."""
    data = common(session, meetup, "organiser", now)
    data["meetup"]["short_code"] = meetup.short_code
    data["counts"] = counts(session, meetup)
    data["tables"] = table_overviews(session, meetup)
    data["unseated"] = _unseated(session, meetup, public=False)
    data["plenary"] = plenary.state(session, meetup)
    data["retrospective"] = retrospective.state(session, meetup) \
        if meetup.phase is Phase.RETROSPECTIVE else None
    data["progress"] = progress(session, meetup)
    data["meetup"]["phase_minutes"] = dict(meetup.phase_minutes or {})
    # Joins slow down past this many people (issue 21): the organiser's page says so.
    data["meetup"]["expected_participants"] = meetup.expected_participants
    data["meetup"]["full_speed_joins"] = admission.full_speed_up_to(meetup.expected_participants)
    data["notes"] = _all_notes(session, meetup, include_hidden=True)
    data["agreements"] = _all_agreements(session, meetup, final_only=False)
    return data


def projector_snapshot(
    session: Session, meetup: Meetup, now: datetime | None = None
) -> dict[str, Any]:
    """The big screen: counts, tables (first names), visible notes, final agreements, plenary."""
    data = common(session, meetup, "projector", now)
    data["meetup"]["short_code"] = meetup.short_code
    data["counts"] = counts(session, meetup)
    data["tables"] = table_overviews(session, meetup, public=True)
    data["unseated"] = _unseated(session, meetup, public=True)
    data["plenary"] = plenary.state(session, meetup)
    data["retrospective"] = retrospective.state(session, meetup) \
        if meetup.phase is Phase.RETROSPECTIVE else None
    data["progress"] = progress(session, meetup)
    data["notes"] = _all_notes(session, meetup, include_hidden=False)
    data["agreements"] = _all_agreements(session, meetup, final_only=True)
    return data
