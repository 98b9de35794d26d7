"""Is an evening running now? Asked before an upgrade restarts the workers (``meetup check-live``,
called by ``scripts/install-server.sh --upgrade``). A meetup counts as live when it is not
closed and either its evening has begun (people joined or a phase moved on: the revision was
raised) and its state changed recently (each write raises the revision and so ``updated_at``),
or its start is near. A meetup only being prepared (still in registration, nobody joined) is
not live. Only a few columns are read, so that the code of a newer release can ask this of a
database that still has the previous release's schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from meetup.models import Meetup, Phase

#: A meetup whose state changed this recently is running.
CHANGED_WITHIN = timedelta(hours=2)
#: A meetup starting this soon, or that started this long ago, is (about to be) running.
STARTS_WITHIN = timedelta(hours=2)
STARTED_WITHIN = timedelta(hours=6)


@dataclass(frozen=True)
class LiveMeetup:
    id: int
    title: str
    phase: str


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def live_meetups(session: Session, now: datetime | None = None) -> list[LiveMeetup]:
    """The meetups whose evening is running at ``now`` (default: the present)."""
    now = now or datetime.now(UTC)
    rows = session.execute(
        select(Meetup.id, Meetup.title, Meetup.phase, Meetup.revision, Meetup.updated_at,
               Meetup.starts_at)
        .where(Meetup.phase != Phase.CLOSED).order_by(Meetup.id)).all()
    live = []
    for meetup_id, title, phase, revision, updated_at, starts_at in rows:
        updated_at, starts_at = _aware(updated_at), _aware(starts_at)
        begun = revision > 0 or Phase(phase) is not Phase.REGISTRATION
        changed = begun and updated_at is not None and now - updated_at <= CHANGED_WITHIN
        starting = starts_at is not None and (
            starts_at - STARTS_WITHIN <= now <= starts_at + STARTED_WITHIN)
        if changed or starting:
            live.append(LiveMeetup(meetup_id, title, str(Phase(phase).value)))
    return live
