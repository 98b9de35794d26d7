"""The idempotency log of client writes and the meetup's revision counter (``seq``).

A socket handler runs one write like this, in one transaction::

    if operations.seen(session, op):
        ...answer as if done now (current ``meetup.revision`` as seq)...
    else:
        result = board.create_note(session, participant, note_uuid, round, text)
        operations.record(session, meetup.id, participant.id, "note.create", op)
    session.commit()

Every write service in this package calls :func:`bump` exactly once when it changes something
(never on an idempotent replay that changes nothing), so after it returns ``meetup.revision``
is the ``seq`` of the write. On a :class:`~meetup.services.errors.DomainError` the caller rolls
back.
"""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from meetup.models import Meetup, Operation
from meetup.models.types import utcnow


def begin_batch(session: Session) -> None:
    """Before writes that share one transaction, each in a savepoint (the socket writer's
    group commit, the joins committed together): on SQLite take the write lock now, so that
    the savepoints nest in one real transaction. (pysqlite opens a transaction only before the
    first INSERT/UPDATE; an outermost SAVEPOINT would commit on its own.)"""
    if session.get_bind().dialect.name != "sqlite":
        return
    connection = session.connection().connection.dbapi_connection
    if connection is not None and not connection.in_transaction:
        session.execute(text("BEGIN IMMEDIATE"))


def as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    """``value`` as a UUID; ValueError for anything that is not one."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str):
        raise ValueError("not a UUID")
    return uuid.UUID(value)


def seen(session: Session, op: uuid.UUID) -> bool:
    """True when the client write ``op`` was applied before (in this or an earlier transaction)."""
    return session.scalar(select(Operation.uuid).where(Operation.uuid == as_uuid(op))) is not None


def recorded(session: Session, op: uuid.UUID) -> Operation | None:
    """The record of the client write ``op`` (who sent it, in which meetup, which event)."""
    return session.get(Operation, as_uuid(op))


def sent_by(prior: Operation, meetup_id: int, participant_id: int | None, kind: str) -> bool:
    """True when ``prior`` was sent by this sender (meetup and participant; the organiser of a
    meetup writes with no participant) as this same event.

    Only then may a replay of ``op`` be answered with state: an ``op`` of someone else, or one
    reused for another event, is acknowledged as a duplicate and told nothing.
    """
    return (prior.meetup_id == meetup_id and prior.participant_id == participant_id
            and prior.kind == kind[:40])


def record(
    session: Session,
    meetup_id: int,
    participant_id: int | None,
    kind: str,
    op: uuid.UUID,
) -> None:
    """Remember that the client write ``op`` (an event such as ``note.edit``) was applied.

    Two workers racing with the same ``op`` both insert; the primary key lets only one commit.
    """
    # A Core INSERT: nothing reads the row back, so the unit of work has nothing to track.
    session.execute(insert(Operation.__table__).values(
        uuid=as_uuid(op), meetup_id=meetup_id, participant_id=participant_id, kind=kind[:40],
        created_at=utcnow()))


def record_many(session: Session, rows: list[dict[str, object]]) -> None:
    """:func:`record` for a batch of writes: one ``executemany``. Each row holds ``uuid``,
    ``meetup_id``, ``participant_id``, ``kind`` and ``created_at``."""
    if rows:
        session.execute(_INSERT_OPS, rows)


_INSERT_OPS = insert(Operation.__table__)
_BUMP = (update(Meetup.__table__)
         .where(Meetup.__table__.c.id == bindparam("meetup_id"))
         .values(revision=Meetup.__table__.c.revision + bindparam("by"))
         .returning(Meetup.__table__.c.revision))


def bump(session: Session, meetup: Meetup, by: int = 1) -> int:
    """Raise the meetup's revision by one and return the new value (the write's ``seq``).

    ``by``: a batch of writes takes its ``by`` numbers at once (the last one is returned).

    One ``UPDATE ... SET revision = revision + 1 ... RETURNING revision``: the database does the
    increment, so concurrent writers never hand out the same number. The row stays locked until
    the transaction ends (PostgreSQL row lock; SQLite's single writer lock), which also
    serialises the writes of one meetup that check a budget after bumping.
    """
    revision = session.execute(_BUMP, {"meetup_id": meetup.id, "by": by}).scalar_one()
    # Keep the loaded instance in step without marking it dirty (no second UPDATE on flush).
    set_committed_value(meetup, "revision", revision)
    return revision
