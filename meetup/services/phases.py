"""Leading the evening: the phase, the countdown and the organiser's message.

The plenary (what the projector shows, slide by slide) is :mod:`meetup.services.plenary`.

Every write here raises the meetup's revision once (:func:`operations.bump`); afterwards
``meetup.revision`` is the ``seq`` to broadcast.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, object_session

from meetup.models import (
    Meetup,
    Organiser,
    Phase,
    PhaseChange,
    Round,
)
from meetup.models.types import utcnow
from meetup.services import access, mail_queue, operations, retrospective
from meetup.services.errors import Conflict, InvalidInput

#: The brainstorm round asked in each round phase.
ROUND_OF_PHASE = {Phase.ROUND_1: Round.HAPPENS, Phase.ROUND_2: Round.CONNECT,
                  Phase.ROUND_3: Round.MISSING}
#: The question of each round, as shown on phones and the projector.
ROUND_QUESTIONS = {
    Round.HAPPENS: _l("What already happens?"),
    Round.CONNECT: _l("Where can we connect with each other?"),
    Round.MISSING: _l("What is still missing?"),
}
#: Longest countdown the organiser can set or reach by extending: three hours.
TIMER_MAX_SECONDS = 3 * 3600
MESSAGE_MAX_LENGTH = 500


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, as on the wire; None stays None."""
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z")


def check_organiser(meetup: Meetup, organiser: Organiser | None) -> None:
    """Forbidden unless ``organiser`` is None (the system) or may run the meetup
    (``access.require``: beheerder or organisator of its organisation)."""
    if organiser is not None:
        session = object_session(meetup)
        assert session is not None
        access.require(session, organiser, meetup, access.RUN)


def parse_phase(phase: Phase | str) -> Phase:
    try:
        return Phase(phase)
    except ValueError:
        raise InvalidInput(_l("This part of the evening does not exist."), field="phase") from None


def current_round(meetup: Meetup) -> Round | None:
    return ROUND_OF_PHASE.get(meetup.phase)


def set_phase(
    session: Session, meetup: Meetup, phase: Phase | str, organiser: Organiser | None = None
) -> PhaseChange:
    """Move the evening to ``phase`` (forward or back).

    The running countdown stops; when the meetup has a default duration for ``phase``
    (``meetup.phase_minutes``) its countdown starts at once. Opening the plenary (from any
    other phase) puts its first slide on the projector, whatever was confirmed or stepped
    before: the groups come first. The Terugblik (only for a meetup that follows on from an
    earlier one) opens on the first earlier agreement.
    """
    check_organiser(meetup, organiser)
    target = parse_phase(phase)
    now = utcnow()
    change = PhaseChange(meetup_id=meetup.id, from_phase=meetup.phase, to_phase=target,
                         organiser_id=organiser.id if organiser else None, changed_at=now)
    session.add(change)
    if target is Phase.PLENARY and meetup.phase is not Phase.PLENARY:
        meetup.plenary_position = 0
    if target is Phase.RETROSPECTIVE:
        retrospective.check_offered(meetup)
        if meetup.phase is not Phase.RETROSPECTIVE:
            meetup.retrospective_position = 0
    meetup.phase = target
    meetup.phase_changed_at = now
    meetup.phase_deadline = None
    meetup.timer_paused_remaining = None
    minutes = default_minutes(meetup, target)
    if minutes:
        meetup.phase_deadline = now + timedelta(minutes=minutes)
    session.flush()
    operations.bump(session, meetup)
    if target is Phase.CLOSED:
        # The close's mails (issue 23) are queued in this same transaction.
        mail_queue.plan_closed_meetup(session, meetup, now)
    return change


def default_minutes(meetup: Meetup, phase: Phase) -> int | None:
    """The meetup's default countdown for ``phase`` in minutes (None: no countdown)."""
    value = (meetup.phase_minutes or {}).get(phase.value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return min(value, TIMER_MAX_SECONDS // 60)


def _seconds(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise InvalidInput(_l("Give the time in whole seconds."), field="seconds")
    seconds = int(value)
    if not 1 <= seconds <= TIMER_MAX_SECONDS:
        raise InvalidInput(_l("A countdown lasts between 1 second and 3 hours."), field="seconds")
    return seconds


def _remaining(meetup: Meetup, now: datetime) -> int | None:
    if meetup.phase_deadline is not None:
        return max(0, math.ceil((meetup.phase_deadline - now).total_seconds()))
    return meetup.timer_paused_remaining


def set_timer(session: Session, meetup: Meetup, seconds: int, now: datetime | None = None) -> None:
    """Start a countdown of ``seconds`` (replacing any running or paused one)."""
    seconds = _seconds(seconds)
    now = now or utcnow()
    meetup.phase_deadline = now + timedelta(seconds=seconds)
    meetup.timer_paused_remaining = None
    session.flush()
    operations.bump(session, meetup)


def pause_timer(session: Session, meetup: Meetup, now: datetime | None = None) -> None:
    now = now or utcnow()
    if meetup.phase_deadline is None:
        raise Conflict(_l("There is no running countdown."))
    meetup.timer_paused_remaining = _remaining(meetup, now)
    meetup.phase_deadline = None
    session.flush()
    operations.bump(session, meetup)


def resume_timer(session: Session, meetup: Meetup, now: datetime | None = None) -> None:
    now = now or utcnow()
    if meetup.timer_paused_remaining is None:
        raise Conflict(_l("There is no paused countdown."))
    meetup.phase_deadline = now + timedelta(seconds=meetup.timer_paused_remaining)
    meetup.timer_paused_remaining = None
    session.flush()
    operations.bump(session, meetup)


def extend_timer(
    session: Session, meetup: Meetup, seconds: int, now: datetime | None = None
) -> None:
    """Add time to the countdown, running or paused; an expired one restarts from now."""
    seconds = _seconds(seconds)
    now = now or utcnow()
    remaining = _remaining(meetup, now)
    if remaining is None:
        raise Conflict(_l("There is no countdown to extend."))
    if remaining + seconds > TIMER_MAX_SECONDS:
        raise InvalidInput(_l("A countdown lasts between 1 second and 3 hours."), field="seconds")
    if meetup.phase_deadline is not None:
        meetup.phase_deadline = max(meetup.phase_deadline, now) + timedelta(seconds=seconds)
    else:
        meetup.timer_paused_remaining = remaining + seconds
    session.flush()
    operations.bump(session, meetup)


def clear_timer(session: Session, meetup: Meetup) -> None:
    meetup.phase_deadline = None
    meetup.timer_paused_remaining = None
    session.flush()
    operations.bump(session, meetup)


def timer_state(meetup: Meetup, now: datetime | None = None) -> dict[str, Any]:
    """The countdown on the wire: clients compute what is left from ``deadline - server_now``."""
    now = now or utcnow()
    remaining = _remaining(meetup, now)
    return {
        "deadline": iso(meetup.phase_deadline),
        "paused_remaining": meetup.timer_paused_remaining,
        "server_now": iso(now),
        "running": meetup.phase_deadline is not None and bool(remaining),
        "remaining": remaining,
    }


def send_message(session: Session, meetup: Meetup, text: str) -> None:
    """Show a short message on every phone and the projector; empty text removes it."""
    if not isinstance(text, str):
        raise InvalidInput(field="text")
    text = text.strip()
    if len(text) > MESSAGE_MAX_LENGTH:
        raise InvalidInput(_l("A message can have at most %(n)s characters.",
                              n=MESSAGE_MAX_LENGTH), field="text")
    meetup.broadcast_message = text
    meetup.broadcast_at = utcnow() if text else None
    session.flush()
    operations.bump(session, meetup)
