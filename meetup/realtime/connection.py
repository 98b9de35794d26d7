"""The connection events: ``connect``, ``disconnect``, ``sync``, an unknown event, and moving
a socket between table rooms; :func:`register_handlers` attaches them and every write event
(see :mod:`handlers`) to the server."""

from __future__ import annotations

import logging
from typing import Any

import flask_babel
from flask import current_app, request
from flask_socketio import ConnectionRefusedError, SocketIO, emit, join_room
from sqlalchemy.orm import Session

from meetup.extensions import db, socketio
from meetup.models import Meetup, Participant
from meetup.realtime import allowance, auth, cluster, rooms, throttle
from meetup.realtime.auth import ORGANISER, Identity
from meetup.realtime.emit import Outbox
from meetup.realtime.handlers import (
    EVENTS,
    SERVER_ERROR,
    bind,
    error_ack,
    load_context,
    server_error_ack,
)
from meetup.realtime.payload import MALFORMED
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


def seat(sid: str, identity: Identity, table_id: int | None) -> None:
    """Move a socket into the room of ``table_id`` (leaving its previous table room)."""
    if identity.table_id == table_id:
        return
    if identity.table_id is not None:
        socketio.server.leave_room(sid, rooms.table_room(identity.table_id), namespace="/")
    if table_id is not None:
        socketio.server.enter_room(sid, rooms.table_room(table_id), namespace="/")
    identity.table_id = table_id


def reseat_participant(participant_id: int, table_id: int | None) -> None:
    """Move every socket of a participant, on every worker, to its new table room.

    With a message queue the move travels over it (see :mod:`cluster`), so a phone on another
    worker stops hearing the old table at once, not only after it answers ``resync``.
    """
    cluster.to_workers("reseat", {"participant": participant_id, "table": table_id})


def reseat_here(participant_id: int, table_id: int | None) -> None:
    """:func:`reseat_participant` for the sockets connected to this process."""
    room = rooms.participant_room(participant_id)
    for sid, _eio_sid in list(socketio.server.manager.get_participants("/", room)):
        identity = auth.identity_of(sid)
        if identity is not None:
            seat(sid, identity, table_id)


cluster.on_worker_message("reseat", lambda data: reseat_here(data["participant"], data["table"]))


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


def register_handlers(sio: SocketIO) -> None:
    """Attach every handler to the server ``init_app`` just built (one per app)."""
    from meetup.realtime import handlers_organiser, handlers_participant  # noqa: F401
    from meetup.realtime.handlers_continue import on_previous
    from meetup.realtime.handlers_retrospective import on_mine

    sio.on("connect")(on_connect)
    sio.server.on("disconnect", on_disconnect, namespace="/")
    sio.on("sync")(on_sync)
    sio.on("agreement.previous")(on_previous)
    sio.on("retrospective.mine")(on_mine)
    sio.on("*")(on_unknown)
    for spec in EVENTS.values():
        sio.on(spec.name)(bind(spec))
