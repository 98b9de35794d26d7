"""Continuing an agreement of the previous meetup (see docs/realtime.md):
``agreement.previous`` (a read, like ``sync``) and ``agreement.continue`` (a write)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from meetup.realtime.context import Context
from meetup.realtime.handlers import participant_event, participant_read
from meetup.realtime.handlers_participant import _agreement_state, broadcast_agreement
from meetup.realtime.payload import Payload
from meetup.services import continuation

log = logging.getLogger(__name__)


def earlier_entry(agreement: Any) -> dict[str, Any]:
    """An agreement of last time as the phone's list shows it."""
    return {
        "uuid": str(agreement.uuid),
        "what": agreement.what,
        "owner_name": agreement.owner_name,
        "owner_organisation": agreement.owner_organisation,
        "partners": list(agreement.partners or []),
        "status": str(agreement.status),
    }


#: ``agreement.previous``: the previous meetup's final agreements of the table's theme.
on_previous = participant_read("agreement.previous", lambda ctx: {"agreements": [
    earlier_entry(a) for a in continuation.previous_agreements(ctx.session, ctx.me)]})


def _parse_continue(p: Payload) -> dict[str, Any]:
    return {"agreement": p.uuid("agreement"), "earlier": p.uuid("from")}


@participant_event("agreement.continue", _parse_continue, replay=_agreement_state)
def agreement_continue(ctx: Context, agreement: uuid.UUID, earlier: uuid.UUID) -> dict[str, Any]:
    started = continuation.continue_agreement(ctx.session, ctx.me, agreement, earlier)
    data = broadcast_agreement(ctx, started)
    ctx.overview(started.table_id)
    ctx.counts()
    return {"agreement": data}
