"""Continuing an agreement of the previous meetup (see docs/realtime.md):
``agreement.previous`` (a read, like ``sync``) and ``agreement.continue`` (a write)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import flask_babel
from flask import request

from meetup.extensions import db
from meetup.realtime import allowance, auth, throttle
from meetup.realtime.auth import PARTICIPANT
from meetup.realtime.emit import Outbox
from meetup.realtime.handlers import (
    Context,
    error_ack,
    load_context,
    participant_event,
    server_error_ack,
)
from meetup.realtime.handlers_participant import _agreement_state, broadcast_agreement
from meetup.realtime.payload import Payload
from meetup.services import continuation
from meetup.services.errors import DomainError, Forbidden, Unauthorised

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


def on_previous(*_args: Any) -> dict[str, Any]:
    """``agreement.previous``: the previous meetup's final agreements of the table's theme."""
    flask_babel.refresh()
    identity = auth.identity_of(request.sid)  # type: ignore[attr-defined]
    if identity is None:
        return error_ack(Unauthorised())
    if identity.kind != PARTICIPANT:
        return error_ack(Forbidden())
    if not allowance.take(identity):
        return error_ack(throttle.RateLimited())
    session = db.session
    try:
        ctx = load_context(session, request.sid, identity, Outbox())  # type: ignore[attr-defined]
        found = continuation.previous_agreements(session, ctx.me)
        answer = {"ok": True, "agreements": [earlier_entry(a) for a in found]}
        session.rollback()
    except DomainError as error:
        session.rollback()
        return error_ack(error)
    except Exception:
        session.rollback()
        log.exception("agreement.previous failed")
        return server_error_ack()
    return answer


def _parse_continue(p: Payload) -> dict[str, Any]:
    return {"agreement": p.uuid("agreement"), "earlier": p.uuid("from")}


@participant_event("agreement.continue", _parse_continue, replay=_agreement_state)
def agreement_continue(ctx: Context, agreement: uuid.UUID, earlier: uuid.UUID) -> dict[str, Any]:
    started = continuation.continue_agreement(ctx.session, ctx.me, agreement, earlier)
    data = broadcast_agreement(ctx, started)
    ctx.overview(started.table_id)
    ctx.counts()
    return {"agreement": data}
