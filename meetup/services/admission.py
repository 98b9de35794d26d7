"""How many people may join a meetup, and how fast: its expected size, then a few a minute.

Phones on a venue's Wi-Fi usually reach an internet server through one address, so the
server cannot tell a room of phones from one script by address. What it can tell is how many
people a meetup already holds. Up to the organiser's expected number of participants
(``Meetup.expected_participants``) plus a margin, everyone joins at full speed, from any
address and all at once. Beyond that, joins to the meetup are slowed to
:data:`BEYOND_PER_MINUTE` in any 60 seconds: a script that holds the QR link adds at most
that many fake people a minute once the room is full, while the organiser, seeing more people
than expected, raises the number on the meetup's form.

The counts come from the database inside the join's own transaction, so they hold across
restarts and workers; within one process the join batch (``services.join_batch``) takes one
batch at a time, so concurrent joins cannot all slip past the same count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from meetup.models import Meetup, Participant
from meetup.models.types import utcnow
from meetup.services.errors import Busy

#: The margin above the expected number: a fifth more, at least this many people.
HEADROOM_SHARE = 0.2
MIN_HEADROOM = 10
#: Joins a meetup takes in any 60 seconds once it holds more than expected (with the margin).
BEYOND_PER_MINUTE = 20
WINDOW = timedelta(seconds=60)
#: The largest expected number the form accepts (as a theme's cap).
MAX_EXPECTED = 10_000


def full_speed_up_to(expected: int) -> int:
    """How many people join a meetup at full speed: the expected number and the margin."""
    return expected + max(MIN_HEADROOM, int(expected * HEADROOM_SHARE + 0.999))


@dataclass
class Admission:
    """The joins one meetup can take now; :meth:`take` one per new participant."""

    full_speed: int
    #: Participants stored in the meetup.
    joined: int
    #: Of those, the ones that joined within the last :data:`WINDOW`.
    recent: int
    per_minute: int = BEYOND_PER_MINUTE

    def take(self) -> None:
        """Count one more participant, or raise :class:`Busy` when the meetup has to wait."""
        if self.joined >= self.full_speed and self.recent >= self.per_minute:
            raise Busy()
        self.joined += 1
        self.recent += 1


def admission(session: Session, meetup: Meetup, now: datetime | None = None) -> Admission:
    """What ``meetup`` can take now: one query for its participants, all and recent."""
    since = (now or utcnow()) - WINDOW
    joined, recent = session.execute(
        select(func.count(Participant.id),
               func.count(case((Participant.joined_at >= since, Participant.id))))
        .where(Participant.meetup_id == meetup.id)).one()
    return Admission(full_speed_up_to(meetup.expected_participants), joined, recent or 0)
