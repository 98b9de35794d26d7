"""How far the room is in voting and agreements, for the projector and the organiser.

``progress`` is small on purpose (it travels with every ``counts`` emit, at most once a second):
how many tables there are, how many have at least one final agreement, and the most-dotted
visible notes per theme.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from meetup.models import Agreement, AgreementStatus, Meetup, Note, Phase, Table, Vote

#: Phases in which the projector shows progress (and ``counts`` carries it).
PROGRESS_PHASES = frozenset({Phase.VOTING, Phase.AGREEMENTS})
#: Notes shown per theme.
TOP_NOTES = 3


def progress(session: Session, meetup: Meetup, top: int = TOP_NOTES) -> dict[str, Any]:
    """``{tables, tables_with_final, top_notes: {theme key: [{uuid, text, votes, table}]}}``.

    Three queries, whatever the size of the room.
    """
    tables = session.scalar(select(func.count(Table.id)).where(Table.meetup_id == meetup.id)) or 0
    with_final = session.scalar(
        select(func.count(distinct(Agreement.table_id)))
        .where(Agreement.meetup_id == meetup.id, Agreement.deleted_at.is_(None),
               Agreement.table_id.is_not(None), Agreement.status != AgreementStatus.DRAFT)
    ) or 0
    theme_keys = {theme.id: theme.key for theme in meetup.themes}
    top_notes: dict[str, list[dict[str, Any]]] = {key: [] for key in theme_keys.values()}
    votes = func.count(Vote.id)
    rows = session.execute(
        select(Note.uuid, Note.text, Table.number, Table.theme_id, votes)
        .join(Vote, Vote.note_id == Note.id).join(Table, Note.table_id == Table.id)
        .where(Note.meetup_id == meetup.id, Note.hidden.is_(False), Note.deleted_at.is_(None))
        .group_by(Note.id, Note.uuid, Note.text, Table.number, Table.theme_id)
        .order_by(votes.desc(), Note.id)
    )
    for note_uuid, text, number, theme_id, n in rows:
        chosen = top_notes.setdefault(theme_keys.get(theme_id, ""), [])
        if len(chosen) < top:
            chosen.append({"uuid": str(note_uuid), "text": text, "votes": int(n),
                           "table": number})
    top_notes.pop("", None)
    return {"tables": int(tables), "tables_with_final": int(with_final), "top_notes": top_notes}
