"""The Terugblik (issue 25, see docs/realtime.md): ``retrospective.show`` (the organiser
steps), ``retrospective.mine`` (a read, like ``sync``: the earlier agreements this phone is
matched to) and ``retrospective.update`` (an owner reports how their agreement stands).

The projector and the organiser get the new ``retrospective`` state after the commit; the
owner's own phones get their updated agreement as ``retrospective.mine``.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from meetup.realtime import rooms
from meetup.realtime.context import Context
from meetup.realtime.emit import Outbox
from meetup.realtime.handlers import organiser_event, participant_event, participant_read
from meetup.realtime.payload import Payload
from meetup.services import followup, retrospective

log = logging.getLogger(__name__)

STATUSES = [str(s) for s in followup.FOLLOWUP_STATUSES]


def _to_screens(outbox: Outbox, meetup_id: int, state: dict[str, Any] | None) -> None:
    """The new Terugblik state to the projector and the organiser's live page."""
    outbox.add("retrospective", state or {}, rooms.projector_room(meetup_id),
               rooms.organiser_room(meetup_id))


@organiser_event("retrospective.show",
                 lambda p: {"position": p.integer("position", 0, 100_000)},
                 replay=lambda ctx, **_: {"retrospective": retrospective.state(ctx.session,
                                                                                ctx.meetup)})
def retrospective_show(ctx: Context, position: int) -> dict[str, Any]:
    """Put an earlier agreement on the projector ("Vorige" / "Volgende")."""
    shown = retrospective.show(ctx.session, ctx.meetup, position)
    _to_screens(ctx.outbox, ctx.meetup.id, shown)
    # Nested: pages treat an ack's ``agreement`` as one of tonight's agreements.
    return {"retrospective": shown}


#: ``retrospective.mine``: the earlier agreements matched to this phone's person.
on_mine = participant_read("retrospective.mine", lambda ctx: {
    "agreements": retrospective.mine(ctx.session, ctx.me)})


def _parse_update(p: Payload) -> dict[str, Any]:
    return {"agreement": p.uuid("agreement"), "status": p.choice("status", STATUSES),
            "note": p.text("note", retrospective.NOTE_MAX * 2) if "note" in p.data else ""}


def _update_replay(ctx: Context, agreement: uuid.UUID, **_: Any) -> dict[str, Any]:
    """A resent update: the agreement as it stands, only when this phone is matched to it."""
    found = retrospective.mine_one(ctx.session, ctx.me, agreement)
    return {"retro": found} if found is not None else {}


@participant_event("retrospective.update", _parse_update, replay=_update_replay)
def retrospective_update(ctx: Context, agreement: uuid.UUID, status: str,
                         note: str) -> dict[str, Any]:
    retrospective.update(ctx.session, ctx.me, agreement, status, note)
    mine = retrospective.mine_one(ctx.session, ctx.me, agreement)
    _to_screens(ctx.outbox, ctx.meetup.id, retrospective.state(ctx.session, ctx.meetup))
    ctx.outbox.add("retrospective.mine", {"retro": mine}, rooms.participant_room(ctx.me.id))
    # ``retro``, not ``agreement``: pages treat an ack's ``agreement`` as one of tonight's.
    return {"retro": mine}


def link_update(sender: Any, *, meetup_id: int, state: dict[str, Any], seq: int) -> None:
    """An owner updated through the follow-up link (HTTP) and it is committed: broadcast."""
    outbox = Outbox()
    _to_screens(outbox, meetup_id, state)
    outbox.flush(seq)


retrospective.changed.connect(link_update)
