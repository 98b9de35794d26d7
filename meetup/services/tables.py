"""Forming the tables of a meetup, seating late arrivals and moving people.

Who sits with whom is decided by :mod:`meetup.services.seating` (pure); this module reads the
participants and stores the result. Each write raises the meetup's revision once.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from meetup.models import Agreement, AuditEntry, Meetup, Note, Organiser, Participant, Table, Theme
from meetup.services import joining, operations, seating
from meetup.services.errors import Conflict, NotFound
from meetup.services.phases import check_organiser


def person(participant: Participant) -> seating.Person:
    return seating.Person(participant.id, participant.role, participant.organisation)


def _tables_in_use(session: Session, meetup: Meetup) -> bool:
    """True once any table has a note or an agreement (even a deleted one)."""
    in_meetup = select(Table.id).where(Table.meetup_id == meetup.id)
    return bool(
        session.scalar(select(exists().where(Note.table_id.in_(in_meetup))))
        or session.scalar(select(exists().where(Agreement.table_id.in_(in_meetup))))
    )


def form_tables(
    session: Session, meetup: Meetup, organiser: Organiser | None = None
) -> list[Table]:
    """Seat everyone who chose a theme at mixed tables, numbered 1..N across the themes.

    Forming again throws the previous tables away and plans from scratch, as long as no table
    has notes or agreements yet (then Conflict: the organiser moves people one by one).
    People without a theme stay unseated.
    """
    check_organiser(meetup, organiser)
    if _tables_in_use(session, meetup):
        raise Conflict(_l("The tables have already started writing, so they cannot be formed "
                          "again. Move people one by one instead."))
    operations.bump(session, meetup)  # first: holds the meetup's row lock while we plan
    participants = list(
        session.scalars(
            select(Participant).where(Participant.meetup_id == meetup.id)
            .order_by(Participant.id)
        )
    )
    for participant in participants:
        participant.table = None
    meetup.tables.clear()  # delete-orphan: the old tables go
    session.flush()

    number = 0
    formed: list[Table] = []
    for theme in meetup.themes:
        group = [p for p in participants if p.theme_id == theme.id]
        by_id = {p.id: p for p in group}
        for ids in seating.plan_tables([person(p) for p in group], meetup.table_size):
            number += 1
            table = Table(meetup=meetup, theme=theme, number=number)
            session.add(table)
            for pid in ids:
                by_id[pid].table = table
            formed.append(table)
    session.add(AuditEntry(
        meetup_id=meetup.id, organiser_id=organiser.id if organiser else None,
        action="tables.form",
        details={"tables": len(formed), "seated": sum(len(t.participants) for t in formed),
                 "unseated": sum(1 for p in participants if p.table is None)},
    ))
    session.flush()
    return formed


def _place(session: Session, participant: Participant, *, bump: bool) -> Table | None:
    if participant.table_id is not None:
        return participant.table
    if participant.theme_id is None:
        return None
    meetup = participant.meetup
    if not session.scalar(select(exists().where(Table.meetup_id == meetup.id))):
        return None  # tables are not formed yet: forming will seat this person
    if bump:
        operations.bump(session, meetup)  # first: late arrivals of one meetup queue up here
    own = list(
        session.scalars(
            select(Table).where(Table.meetup_id == meetup.id,
                                Table.theme_id == participant.theme_id)
            .order_by(Table.number)
        )
    )
    if own:
        members: dict[int, list[seating.Person]] = {t.id: [] for t in own}
        for member in session.scalars(
            select(Participant).where(Participant.table_id.in_(members))
            .order_by(Participant.id)
        ):
            members[member.table_id].append(person(member))
        index = seating.best_table(person(participant), [members[t.id] for t in own],
                                   meetup.table_size)
        table = own[index or 0]
    else:
        highest = session.scalar(
            select(Table.number).where(Table.meetup_id == meetup.id)
            .order_by(Table.number.desc()).limit(1)
        ) or 0
        table = Table(meetup_id=meetup.id, theme_id=participant.theme_id, number=highest + 1)
        session.add(table)
    participant.table = table
    session.flush()
    return table


def place_late_arrival(session: Session, participant: Participant) -> Table | None:
    """Seat someone who chose a theme after the tables were formed.

    At the best-fitting table of their theme (:func:`seating.best_table`), or at a new table
    when their theme has none yet. Returns None (and changes nothing) while no tables exist or
    when the person has no theme; returns their table unchanged if they already have one.
    Raises the revision only when it seats someone.
    """
    return _place(session, participant, bump=True)


def choose_theme_and_place(
    session: Session, participant: Participant, theme_key: str
) -> tuple[Theme, Table | None]:
    """``theme.choose`` as one write: choose (or change) the theme, then seat a late arrival.

    Raises the revision once when anything changed, never twice.
    """
    before = (participant.theme_id, participant.table_id)
    theme = joining.choose_theme(session, participant, theme_key)
    table = _place(session, participant, bump=False)
    if (participant.theme_id, participant.table_id) != before:
        operations.bump(session, participant.meetup)
    return theme, table


def move_participant(
    session: Session,
    meetup: Meetup,
    participant_id: int,
    table_number: int,
    organiser: Organiser | None,
) -> Participant:
    """The organiser moves someone to table ``table_number``; they take on its theme.

    Their earlier notes stay with the table they wrote them at.
    """
    check_organiser(meetup, organiser)
    participant = session.get(Participant, participant_id) \
        if isinstance(participant_id, int) and not isinstance(participant_id, bool) else None
    if participant is None or participant.meetup_id != meetup.id:
        raise NotFound(_l("This participant is not part of this meetup."), field="participant")
    table = session.scalar(
        select(Table).where(Table.meetup_id == meetup.id, Table.number == table_number)
    ) if isinstance(table_number, int) and not isinstance(table_number, bool) else None
    if table is None:
        raise NotFound(_l("There is no table with this number."), field="table")
    if participant.table_id == table.id:
        return participant
    from_table = participant.table.number if participant.table is not None else None
    operations.bump(session, meetup)
    participant.table = table
    participant.theme_id = table.theme_id
    session.add(AuditEntry(
        meetup_id=meetup.id, organiser_id=organiser.id if organiser else None,
        participant_id=participant.id, action="participant.move",
        details={"participant": participant.display_name, "from_table": from_table,
                 "to_table": table.number, "theme": table.theme.key},
    ))
    session.flush()
    return participant


def table_members(session: Session, table: Table) -> list[Participant]:
    """The people at ``table``, in the order they joined."""
    return list(
        session.scalars(
            select(Participant).where(Participant.table_id == table.id).order_by(Participant.id)
        )
    )
