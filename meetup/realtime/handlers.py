"""The event runner (the connection events are in :mod:`connection`, what a handler gets in
:mod:`context`, the answers to a failure in :mod:`acks`).

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
from sqlalchemy.orm import Session

from meetup.extensions import db, socketio
from meetup.realtime import allowance, auth, throttle, writer
from meetup.realtime.acks import error_ack, server_error_ack
from meetup.realtime.auth import ORGANISER, PARTICIPANT, Identity
from meetup.realtime.context import Context, load_context
from meetup.realtime.emit import Outbox
from meetup.realtime.payload import Payload
from meetup.services import access, operations
from meetup.services.errors import DomainError, Forbidden, Unauthorised

log = logging.getLogger(__name__)

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


def participant_read(name: str, answer: Callable[[Context], dict[str, Any]]
                     ) -> Callable[..., dict[str, Any]]:
    """A read of a phone's own (like ``sync``): no op, no commit, nothing broadcast; the
    person's write allowance still counts it. ``answer(ctx)`` gives the ack's fields."""

    def handler(*_args: Any) -> dict[str, Any]:
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
            result = {"ok": True, **answer(ctx)}
            session.rollback()
        except DomainError as error:
            session.rollback()
            return error_ack(error)
        except Exception:
            session.rollback()
            log.exception("%s failed", name)
            return server_error_ack()
        return result

    return handler


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
    ctx = load_context(session, sid, identity, outbox,
                       access.RUN if spec.role == ORGANISER else access.READ)
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


def bind(spec: EventSpec) -> Callable[..., dict[str, Any]]:
    def handler(*args: Any) -> dict[str, Any]:
        return run_write(spec, args)

    handler.__name__ = "on_" + spec.name.replace(".", "_")
    return handler
