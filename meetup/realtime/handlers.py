"""The event runner, and the connection events: ``connect``, ``disconnect`` and ``sync``.

Every write event (see :mod:`handlers_participant` and :mod:`handlers_organiser`) runs the same
way, in :func:`run_write`:

1. parse the payload (types only; a bad payload is answered ``invalid``);
2. load the socket's identity, kept server-side since connect (never ids from the payload);
3. one short transaction: if ``op`` was applied before, answer with the current state and
   broadcast nothing; else call the service, record ``op``, take the new ``seq``, commit;
4. acknowledge, then broadcast what the handler queued in its :class:`~emit.Outbox`.

A :class:`~meetup.services.errors.DomainError` rolls back and is answered with its code and
(Dutch) message; anything unexpected rolls back, is logged and answered ``server_error``. The
server keeps running either way, and nothing queued for broadcast is ever sent.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import flask_babel
from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_socketio import ConnectionRefusedError, SocketIO, emit, join_room
from sqlalchemy.orm import Session

from meetup.extensions import db, socketio
from meetup.models import Meetup, Organiser, Participant, Table
from meetup.realtime import allowance, auth, cluster, rooms, throttle, writer
from meetup.realtime.auth import ORGANISER, PARTICIPANT, Identity
from meetup.realtime.emit import Outbox
from meetup.realtime.payload import MALFORMED, Payload
from meetup.services import jsontext, operations
from meetup.services.jsontext import JSONText
from meetup.services.table_view import TableViews
from meetup.services.errors import DomainError, Forbidden, InvalidInput, Unauthorised

log = logging.getLogger(__name__)

SERVER_ERROR = _l("Something went wrong on our side. Please try again.")


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


Parser = Callable[[Payload], dict[str, Any]]
Apply = Callable[..., dict[str, Any] | None]


@dataclass
class EventSpec:
    """A client write event: who may send it, how to read it, what it does, how to replay it."""

    name: str
    role: str
    apply: Apply
    parse: Parser | None = None
    #: The current state for an acknowledgement of an ``op`` applied before.
    replay: Apply | None = None
    #: Optional fast path for many of these writes at once (see :class:`writer.Job`); each
    #: job's ``data`` is ``(identity, op, parsed)``.
    batch: Callable[[Session, list[writer.Job]], list[writer.Job]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


EVENTS: dict[str, EventSpec] = {}


def write_event(name: str, role: str, parse: Parser | None = None,
                replay: Apply | None = None, batch: Any = None) -> Callable[[Apply], Apply]:
    """Register ``apply(ctx, **parsed)`` as the write event ``name`` for ``role``."""
    def decorator(apply: Apply) -> Apply:
        EVENTS[name] = EventSpec(name, role, apply, parse, replay, batch)
        return apply
    return decorator


def participant_event(name: str, parse: Parser | None = None, replay: Apply | None = None,
                      batch: Any = None) -> Callable[[Apply], Apply]:
    return write_event(name, PARTICIPANT, parse, replay, batch)


def organiser_event(name: str, parse: Parser | None = None,
                    replay: Apply | None = None) -> Callable[[Apply], Apply]:
    return write_event(name, ORGANISER, parse, replay)


def error_ack(error: DomainError) -> dict[str, Any]:
    return {"ok": False, **error.as_dict()}


def server_error_ack() -> dict[str, Any]:
    return {"ok": False, "error": "server_error", "message": str(SERVER_ERROR)}


def load_context(session: Session, sid: str, identity: Identity, outbox: Outbox) -> Context:
    """The socket's identity as database objects, checked again (a participant may be gone)."""
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
        if organiser is None or meetup.organiser_id != organiser.id \
                or organiser.session_version != identity.session_version:
            raise Unauthorised()  # logged out (everywhere) since this socket connected
        ctx.organiser = organiser
    return ctx


def run_write(spec: EventSpec, args: tuple[Any, ...]) -> dict[str, Any]:
    """Run one write event (see the module docstring); returns the acknowledgement."""
    flask_babel.refresh()
    sid = request.sid  # type: ignore[attr-defined]
    identity = auth.identity_of(sid)
    if identity is None:
        return error_ack(Unauthorised())
    if identity.kind != spec.role:
        return error_ack(Forbidden())
    if not allowance.take(identity):  # per person, across all their sockets
        return error_ack(throttle.RateLimited())
    try:
        payload = Payload(args[0] if args else None)
        op = payload.op()
        parsed = spec.parse(payload) if spec.parse else {}
    except DomainError as error:
        return error_ack(error)

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    replays = writer.replay_cache(app)
    key = writer.sender_key(identity.kind, identity.meetup_id,
                            identity.participant_id or identity.organiser_id, op, spec.name)
    answer = replays.get(key)
    if answer is not None:  # resent by a page that missed the acknowledgement
        return answer

    def apply(session: Session, replay_only: bool) -> tuple[dict[str, Any], Outbox | None, int]:
        return _apply(spec, session, sid, identity, op, parsed, replay_only)

    job = writer.Job(apply, environ=request.environ, batch=spec.batch,
                     data=(identity, op, parsed))
    in_writer = socketio.async_mode in ("gevent", "gevent_uwsgi")
    if in_writer:
        # The writer runs the after-commit actions and, after this ack, the broadcasts.
        writer.committer(app).submit(job)
    else:
        writer.run_batch([job], in_request=True)
    if job.error is not None:
        if isinstance(job.error, DomainError):
            return error_ack(job.error)
        return server_error_ack()
    ack, outbox, seq = job.outcome
    if outbox is not None:
        if not in_writer:
            outbox.flush(seq)
        replays.put(key, ack)
    return ack


def _apply(spec: EventSpec, session: Session, sid: str, identity: Identity, op: uuid.UUID,
           parsed: dict[str, Any], replay_only: bool,
           ) -> tuple[dict[str, Any], Outbox | None, int]:
    """One write inside the shared transaction: (ack, what to broadcast, seq)."""
    outbox = Outbox()
    ctx = load_context(session, sid, identity, outbox)
    prior = operations.recorded(session, op)
    if prior is not None:
        return _replayed(spec, ctx, parsed, prior), None, ctx.meetup.revision
    if replay_only:
        raise RuntimeError(f"socket event {spec.name} violated a database constraint")
    before = ctx.meetup.revision
    result = spec.apply(ctx, **parsed) or {}
    if ctx.meetup.revision == before:
        # Services bump the revision when they change something; a write they treated
        # as a no-op (or one by a service that does not bump) still gets its own seq.
        operations.bump(session, ctx.meetup)
    seq = ctx.meetup.revision
    operations.record(session, ctx.meetup.id, identity.participant_id, spec.name, op)
    return {"ok": True, "seq": seq, **result}, outbox, seq


def _replayed(spec: EventSpec, ctx: Context, parsed: dict[str, Any],
              prior: Any) -> dict[str, Any]:
    """``op`` was applied before: acknowledge again with the current state, change nothing.

    State only for the op's own sender and event (``operations.sent_by``); the replay
    functions themselves return only what that sender may see.
    """
    result: dict[str, Any] = {}
    if spec.replay is not None and operations.sent_by(
            prior, ctx.meetup.id, ctx.identity.participant_id, spec.name):
        try:
            result = spec.replay(ctx, **parsed) or {}
        except DomainError:
            result = {}
    return {"ok": True, "seq": ctx.meetup.revision, "duplicate": True, **result}


# -- connection events --------------------------------------------------------------------


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

    sio.on("connect")(on_connect)
    sio.server.on("disconnect", on_disconnect, namespace="/")
    sio.on("sync")(on_sync)
    sio.on("*")(on_unknown)
    for spec in EVENTS.values():
        sio.on(spec.name)(_bind(spec))


def _bind(spec: EventSpec) -> Callable[..., dict[str, Any]]:
    def handler(*args: Any) -> dict[str, Any]:
        return run_write(spec, args)

    handler.__name__ = "on_" + spec.name.replace(".", "_")
    return handler
