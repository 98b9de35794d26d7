"""The connection events: ``connect``, ``disconnect``, ``sync`` and an unknown event, and
ending a removed organiser's sockets. :func:`meetup.realtime.register_realtime` attaches them,
and every write event (see :mod:`handlers`), to the server."""

from __future__ import annotations

import logging
from typing import Any

import flask_babel
from flask import current_app, request
from flask_socketio import ConnectionRefusedError, emit, join_room
from sqlalchemy.orm import Session

from meetup.extensions import db, socketio
from meetup.models import Meetup, Participant
from meetup.realtime import allowance, auth, cluster, rooms, throttle
from meetup.realtime.acks import SERVER_ERROR, error_ack, server_error_ack
from meetup.realtime.auth import ORGANISER, Identity
from meetup.realtime.context import load_context
from meetup.realtime.emit import Outbox
from meetup.realtime.payload import MALFORMED
from meetup.realtime.table_rooms import seat
from meetup.services import jsontext, organisations
from meetup.services.errors import DomainError, InvalidInput, Unauthorised
from meetup.services.jsontext import JSONText
from meetup.services.table_view import TableViews

log = logging.getLogger(__name__)


def build_snapshot(session: Session, identity: Identity, meetup: Meetup,
                   participant: Participant | None) -> dict[str, Any] | JSONText:
    """The snapshot for this socket; a phone's comes as JSON already (see :mod:`wire`)."""
    from meetup.services import phone_snapshot, snapshot

    if participant is not None:
        return phone_snapshot.participant_snapshot_text(session, participant,
                                                        views=_table_views())
    if identity.kind == ORGANISER:
        return snapshot.organiser_snapshot(session, meetup)
    return snapshot.projector_snapshot(session, meetup)


def _table_views() -> TableViews:
    """This process's cache of table views (shared by the phones of one table)."""
    extensions = current_app.extensions
    views = extensions.get("meetup_table_views")
    if views is None:
        views = extensions["meetup_table_views"] = TableViews()
    return views


def end_organiser_sockets(sender: Any = None, *, organiser_id: int) -> None:
    """An organiser was removed from an organisation (committed): close their sockets on every
    worker at once; reconnecting is refused (their session version changed)."""
    cluster.to_workers("end_organiser", {"organiser": organiser_id})


def _end_organiser_here(data: dict[str, Any]) -> None:
    for sid in auth.sids_of_organiser(data["organiser"]):
        auth.forget(sid)
        socketio.server.disconnect(sid, namespace="/")


cluster.on_worker_message("end_organiser", _end_organiser_here)
organisations.sessions_ended.connect(end_organiser_sockets)


def on_connect(auth_data: Any = None) -> None:
    """Identify the socket from the cookie, join its rooms, then send it a snapshot.

    The rooms are joined BEFORE the snapshot is read: a write committed in between is then
    either in the snapshot or delivered as a broadcast (or both; the page keeps the newer by
    ``seq``). Joining after the read lost writes on PostgreSQL, whose driver yields to other
    greenlets during the queries (issue 17). Connecting reads only: no database write, no
    commit.
    """
    flask_babel.refresh()
    sid = request.sid  # type: ignore[attr-defined]
    session = db.session
    try:
        identity, meetup, participant = auth.identify(session, auth_data)
        if not allowance.take(identity):  # connects count too: reconnecting resets nothing
            raise throttle.RateLimited()
        auth.remember(sid, identity)
        _join_rooms(sid, identity)
        snap = build_snapshot(session, identity, meetup, participant)
        session.rollback()
    except DomainError as error:
        session.rollback()
        auth.forget(sid)  # Socket.IO drops a refused socket's rooms itself
        raise ConnectionRefusedError(str(error.message), error.as_dict()) from None
    except Exception:
        session.rollback()
        auth.forget(sid)  # Socket.IO drops a refused socket's rooms itself
        log.exception("socket connect failed")
        raise ConnectionRefusedError(str(SERVER_ERROR), server_error_ack()) from None
    # Straight to this socket, which is on this worker: not through the message queue.
    emit("snapshot", snap, to=sid, ignore_queue=True)
    if identity.participant_id is not None:
        # A phone connects right after its HTTP join: the projector's head count moves.
        throttle.request_counts(current_app._get_current_object(),  # type: ignore[attr-defined]
                                identity.meetup_id)


def _join_rooms(sid: str, identity: Identity) -> None:
    join_room(rooms.meetup_room(identity.meetup_id))
    if identity.participant_id is not None:
        join_room(rooms.participant_room(identity.participant_id))
        table_id, identity.table_id = identity.table_id, None
        seat(sid, identity, table_id)
    elif identity.kind == ORGANISER:
        join_room(rooms.organiser_room(identity.meetup_id))
    else:
        join_room(rooms.projector_room(identity.meetup_id))


def on_disconnect(sid: str, reason: Any = None) -> None:
    """Forget the socket's identity. Registered with python-socketio directly: forgetting
    needs no application or request context (Flask-SocketIO would build both, and decode the
    cookie again, for each of 1,000 phones dropping at once)."""
    auth.forget(sid)


def on_sync(*_args: Any) -> dict[str, Any] | JSONText:
    """The full state again, and the right table room (after ``resync``)."""
    flask_babel.refresh()
    sid = request.sid  # type: ignore[attr-defined]
    identity = auth.identity_of(sid)
    if identity is None:
        return error_ack(Unauthorised())
    if not allowance.take(identity):
        return error_ack(throttle.RateLimited())
    session = db.session
    try:
        ctx = load_context(session, sid, identity, Outbox())
        if ctx.participant is not None:
            seat(sid, identity, ctx.participant.table_id)
        snap = build_snapshot(session, identity, ctx.meetup, ctx.participant)
        session.rollback()
    except DomainError as error:
        session.rollback()
        return error_ack(error)
    except Exception:
        session.rollback()
        log.exception("socket sync failed")
        return server_error_ack()
    if isinstance(snap, JSONText):
        return jsontext.obj({"ok": True, "snapshot": snap})
    return {"ok": True, "snapshot": snap}


def on_unknown(event: Any, *_args: Any) -> dict[str, Any]:
    """An event this server does not know (an outdated page): refuse it, do not time out."""
    flask_babel.refresh()
    log.info("unknown socket event %r", event)
    return error_ack(InvalidInput(MALFORMED))
