"""What a socket event works with: the socket's identity as database objects, checked again on
every event (:func:`load_context`), and the :class:`Context` a handler queues its broadcasts
on. Shared by the connection events (:mod:`connection`), the event runner (:mod:`handlers`)
and the handlers themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from meetup.models import Meetup, Organiser, Participant, Table
from meetup.realtime import rooms
from meetup.realtime.auth import Identity
from meetup.realtime.emit import Outbox
from meetup.services import access
from meetup.services.errors import Unauthorised


@dataclass
class Context:
    """What a write handler gets: the session, who is writing, and where to queue broadcasts."""

    session: Session
    sid: str
    identity: Identity
    meetup: Meetup
    outbox: Outbox
    participant: Participant | None = None
    organiser: Organiser | None = None

    @property
    def me(self) -> Participant:
        assert self.participant is not None
        return self.participant

    def to_table(self, table_id: int | None, event: str, payload: dict[str, Any], *,
                 projector: bool = False) -> None:
        """Queue ``event`` for a table's phones and the organiser (and the projector)."""
        targets = [rooms.organiser_room(self.meetup.id)]
        if table_id is not None:
            targets.insert(0, rooms.table_room(table_id))
        if projector:
            targets.append(rooms.projector_room(self.meetup.id))
        self.outbox.add(event, payload, *targets)

    def overview(self, table: Table | int | None) -> None:
        """Queue the organiser's live-overview row of this table."""
        from meetup.services import snapshot

        if isinstance(table, int):
            table = self.session.get(Table, table)
        if table is None:
            return
        self.session.flush()
        self.outbox.add("overview", {"table": snapshot.table_overview(self.session, table)},
                        rooms.organiser_room(self.meetup.id))

    def overview_soon(self, table_id: int | None) -> None:
        """Like :meth:`overview`, coalesced to one row a second per table (frequent writes)."""
        if table_id is not None:
            self.outbox.overview_soon(self.meetup.id, table_id)

    def counts(self) -> None:
        self.outbox.counts(self.meetup.id)


def load_context(session: Session, sid: str, identity: Identity, outbox: Outbox,
                 action: str = access.READ) -> Context:
    """The socket's identity as database objects, checked again: a participant may be gone,
    an organiser removed, logged out or given another role (``action``: what it must allow)."""
    meetup = session.get(Meetup, identity.meetup_id)
    if meetup is None:
        raise Unauthorised()
    ctx = Context(session, sid, identity, meetup, outbox)
    if identity.participant_id is not None:
        participant = session.get(Participant, identity.participant_id)
        if participant is None or participant.meetup_id != meetup.id:
            raise Unauthorised()
        ctx.participant = participant
    if identity.organiser_id is not None:
        organiser = session.get(Organiser, identity.organiser_id)
        if organiser is None or organiser.session_version != identity.session_version:
            raise Unauthorised()  # logged out (everywhere) or removed since this connected
        # Their role now (a role changed since connecting counts at once): read to sync,
        # run to write (a meekijker's write is ``forbidden``).
        access.require(session, organiser, meetup, action)
        ctx.organiser = organiser
    return ctx
