"""Each note's sentence vector, computed once in the background and kept with the note.

Off the hot path: a phone's ``note.create`` is committed and acknowledged without any vector.
A worker beside the server (:func:`run_worker`, started by ``meetup serve``) looks every
``POLL`` seconds for committed notes without a vector, embeds a few at a time in its own OS
thread at the lowest CPU priority (the event loop and the phones' writes come first; the
model's C code releases the GIL), and stores them in one short transaction. Suggesting groups
then reads stored vectors (:func:`attach`); a missing or stale one (the note was edited, or
another model made it) is computed on the spot and stored with the suggestion (:func:`store`).

Callers commit; every function flushes at most.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from meetup.models import Note
from meetup.services import embeddings
from meetup.services.grouping import NoteIn

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

#: Seconds between looks for notes without a vector.
POLL = 2.0
#: Notes embedded per transaction (about 0.3 s of one core).
BATCH = 16
_CHUNK = 500


def text_key(model_key: str, text: str) -> str:
    """What a stored vector is of: the model and (a hash of) the exact text."""
    return f"{model_key}:{hashlib.sha1(text.encode('utf-8')).hexdigest()[:16]}"


def attach(session: Session, notes: list[NoteIn]) -> list[NoteIn]:
    """``notes`` with their stored vectors where those are of the current model and text."""
    model = embeddings.backend()
    if model is None or not notes:
        return notes
    stored: dict[int, tuple[bytes, str]] = {}
    ids = [n.id for n in notes]
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(select(Note.id, Note.vector, Note.vector_key)
                               .where(Note.id.in_(ids[start:start + _CHUNK])))
        stored.update({i: (v, k) for i, v, k in rows if v is not None})
    out = []
    for note in notes:
        vector, key = stored.get(note.id, (None, None))
        fits = vector is not None and key == text_key(model.key, note.text)
        out.append(replace(note, vector=vector) if fits else note)
    return out


def store(session: Session, notes: list[NoteIn]) -> int:
    """Keep the vectors of ``notes`` (computed by the current model from their text)."""
    model = embeddings.backend()
    rows = [{"nid": n.id, "v": n.vector, "k": text_key(model.key, n.text)}
            for n in notes if n.vector is not None] if model else []
    if rows:
        table = Note.__table__
        session.execute(  # Core executemany: the vector is no edit, updated_at stays
            update(table).where(table.c.id == bindparam("nid"))
            .values(vector=bindparam("v"), vector_key=bindparam("k"),
                    updated_at=table.c.updated_at), rows)
    return len(rows)


def pending(session: Session, limit: int = BATCH) -> list[NoteIn]:
    """Committed notes without any vector yet, oldest first."""
    rows = session.execute(select(Note.id, Note.text).where(
        Note.vector_key.is_(None), Note.deleted_at.is_(None)).order_by(Note.id).limit(limit))
    return [NoteIn(id=i, text=t) for i, t in rows]


def fill_pending(session: Session, limit: int = BATCH) -> int:
    """Embed and store up to ``limit`` notes without a vector; how many were stored. The model
    is loaded (off the loop) only once there is a note to embed."""
    notes = pending(session, limit)
    if not notes:
        return 0
    model = _in_background_thread(embeddings.backend)
    if model is None:
        return 0
    vectors = _in_background_thread(model.embed, [n.text for n in notes])
    return store(session, [replace(n, vector=embeddings.to_bytes(v))
                           for n, v in zip(notes, vectors)])


def run_worker(app: Flask, poll: float = POLL) -> None:
    """Beside the server, forever: fill missing vectors, a batch per short transaction."""
    from meetup.extensions import db, socketio

    if not embeddings.usable():
        log.info("no sentence model here: notes are grouped by TF-IDF alone")
        return
    if not _gevent():
        _lowest_priority()  # a thread of its own (threading mode): it can go low itself
    while True:
        socketio.sleep(poll)
        try:
            with app.app_context():
                try:
                    while fill_pending(db.session):
                        db.session.commit()
                finally:
                    db.session.rollback()
                    db.session.remove()
        except Exception:  # a failed batch must never stop the evening; next poll retries
            log.exception("note vectors failed")


# -- one dedicated OS thread at the lowest priority ---------------------------------------

_pool: Any = None
_pool_lock = threading.Lock()


def _lowest_priority() -> None:
    try:  # Linux: a thread is a task of its own, with its own nice value
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):
        pass


def _gevent() -> bool:
    try:
        from gevent.monkey import is_module_patched
    except ImportError:  # pragma: no cover - gevent is a runtime dependency
        return False
    return bool(is_module_patched("socket"))


def _in_background_thread(function: Any, *args: Any) -> Any:
    """Run ``function`` in this module's own OS thread at nice 19; under gevent the calling
    greenlet waits and the loop runs on, without gevent the call runs in place."""
    global _pool
    if not _gevent():
        return function(*args)
    with _pool_lock:
        if _pool is None:
            from gevent.threadpool import ThreadPool

            _pool = ThreadPool(1)
            _pool.apply(_lowest_priority)
    return _pool.apply(function, args)
