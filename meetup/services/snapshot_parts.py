"""The pieces every snapshot is built from, in the wire format of docs/realtime.md.

The header of every snapshot (``seq``, the clock, the ``meetup`` object, the themes), a note
and a list of agreements as sent, an owner's follow-up link, and the request's language. Both
:mod:`snapshot` (organiser and projector) and :mod:`phone_snapshot` (a phone) build from
these; this module imports neither, so imports between them only point down.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_request_context
from flask_babel import get_locale
from sqlalchemy.orm import Session

from meetup.config import NOTE_MAX_LENGTH
from meetup.models import Agreement, Meetup, Note, Participant, Round
from meetup.models.types import utcnow
from meetup.services import joining, phases
from meetup.services.agreement_wire import serialise_agreement, signers_of
from meetup.services.phases import iso


def current_locale() -> str:
    if has_request_context():
        return str(get_locale() or "nl")
    return "nl"


# -- single objects -------------------------------------------------------------------------

def serialise_note(
    note: Note, votes: int, viewer: Participant | None = None, my_votes: int = 0
) -> dict[str, Any]:
    """A note as sent to phones; ``mine``/``my_votes`` relative to ``viewer`` (None: broadcast)."""
    return {
        "uuid": str(note.uuid),
        "table": note.table.number if note.table is not None else None,
        "round": str(note.round),
        "text": note.text,
        "author": note.author.first_name if note.author is not None else "",
        "author_id": note.author_id,
        "mine": viewer is not None and note.author_id == viewer.id,
        "votes": votes,
        "my_votes": my_votes,
        "hidden": note.hidden,
        "updated_at": iso(note.updated_at),
    }


def serialise_agreements(session: Session, agreements: list[Agreement]) -> list[dict[str, Any]]:
    signers = signers_of(session, [a.id for a in agreements])
    return [serialise_agreement(a, signers[a.id]) for a in agreements]


def followup_entry(agreement: Agreement) -> dict[str, Any]:
    """What an owner's phone shows to reach the agreement's private follow-up page."""
    return {"agreement": str(agreement.uuid), "what": agreement.what,
            "token": agreement.followup_token}


# -- the header of every snapshot -----------------------------------------------------------

def meetup_state(meetup: Meetup, now: datetime | None = None) -> dict[str, Any]:
    """The ``meetup`` object of every snapshot."""
    now = now or utcnow()
    question = phases.current_round(meetup)
    return {
        "id": meetup.id,
        "title": meetup.title,
        "phase": str(meetup.phase),
        "phase_changed_at": iso(meetup.phase_changed_at),
        "timer": phases.timer_state(meetup, now),
        "message": meetup.broadcast_message or "",
        "message_at": iso(meetup.broadcast_at),
        "votes_per_person": meetup.votes_per_person,
        "note_max_length": NOTE_MAX_LENGTH,
        "table_size": meetup.table_size,
        "round": str(question) if question else None,
        "question": str(phases.ROUND_QUESTIONS[question]) if question else None,
        "rounds": _rounds(),
        # The Terugblik is offered (issue 25): this meetup follows on from an earlier one.
        "retrospective": meetup.previous_meetup_id is not None,
    }


_ROUNDS: dict[str, list[dict[str, str]]] = {}


def _rounds() -> list[dict[str, str]]:
    """The three questions in the request's language (fixed texts: made once per language)."""
    locale = current_locale() if has_request_context() else None
    rounds = _ROUNDS.get(locale) if locale else None
    if rounds is None:
        rounds = [{"key": str(r), "question": str(phases.ROUND_QUESTIONS[r])} for r in Round]
        if locale:
            _ROUNDS[locale] = rounds
    return rounds


def themes_state(session: Session, meetup: Meetup) -> list[dict[str, Any]]:
    counts = joining.theme_counts(session, meetup)
    result = []
    for theme in meetup.themes:
        count = counts.get(theme.id, 0)
        result.append({
            "key": theme.key, "title": theme.title, "subject": theme.subject,
            "question": theme.question, "directions": theme.directions, "count": count,
            "capacity": theme.capacity,
            "full": theme.capacity is not None and count >= theme.capacity,
        })
    return result


def common(session: Session, meetup: Meetup, as_: str, now: datetime | None,
           themes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    now = now or utcnow()
    return {"seq": meetup.revision, "server_now": iso(now), "as": as_,
            "meetup": meetup_state(meetup, now),
            "themes": themes_state(session, meetup) if themes is None else themes}
