"""The idempotency log and the revision counter that every write raises."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from meetup.extensions import db
from meetup.models import Meetup, Operation
from meetup.services import operations


def test_an_operation_is_seen_once_recorded(meetup: Meetup) -> None:
    op = uuid.uuid4()
    assert not operations.seen(db.session, op)
    operations.record(db.session, meetup.id, None, "phase.set", op)
    db.session.commit()
    assert operations.seen(db.session, op)
    assert operations.seen(db.session, str(op))
    assert not operations.seen(db.session, uuid.uuid4())


def test_recording_the_same_operation_twice_keeps_one_row(meetup: Meetup) -> None:
    op = uuid.uuid4()
    operations.record(db.session, meetup.id, None, "note.create", op)
    db.session.commit()
    with pytest.raises(IntegrityError):
        operations.record(db.session, meetup.id, None, "note.create", op)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Operation)) == 1


def test_bump_raises_the_revision_by_exactly_one_and_returns_it(meetup: Meetup) -> None:
    start = meetup.revision
    assert operations.bump(db.session, meetup) == start + 1
    assert meetup.revision == start + 1
    assert operations.bump(db.session, meetup) == start + 2
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Meetup, meetup.id).revision == start + 2


def test_bump_counts_from_the_database_not_from_a_stale_instance(app, meetup: Meetup) -> None:
    """Another worker bumped in between: the next number is still one higher than the stored."""
    meetup_id = meetup.id
    db.session.commit()

    def other_worker() -> None:
        with app.app_context():
            other = db.session.get(Meetup, meetup_id)
            operations.bump(db.session, other)
            db.session.commit()
            db.session.remove()

    thread = threading.Thread(target=other_worker)
    thread.start()
    thread.join()
    stale = meetup.revision  # may still be the old value in this session's identity map
    assert operations.bump(db.session, meetup) == 2
    assert stale in (0, 1)


def test_as_uuid_refuses_garbage() -> None:
    with pytest.raises(ValueError):
        operations.as_uuid("not-a-uuid")
    with pytest.raises(ValueError):
        operations.as_uuid(12)  # type: ignore[arg-type]
