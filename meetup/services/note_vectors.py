"""Each note's sentence vector, computed once in the background and kept with the note.

Off the hot path: a phone's ``note.create`` is committed and acknowledged without any vector.
A worker beside the server (:func:`run_worker`, started by ``meetup serve``) looks every
``POLL`` seconds, once no note was written for ``QUIET`` seconds, for committed notes
without a vector, has a few at a time embedded by its
own child process at the lowest CPU priority (:mod:`vector_child`: the event loop and the
phones' writes come first, and share no GIL with it), and stores them in one short
transaction. Suggesting groups
then reads stored vectors (:func:`attach`); a missing or stale one (the note was edited, or
another model made it) is computed on the spot and stored with the suggestion (:func:`store`).

Callers commit; every function flushes at most.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from meetup.models import Note
from meetup.models.types import utcnow
from meetup.services import embeddings
from meetup.services.grouping import NoteIn

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

#: Seconds between looks for notes without a vector.
POLL = 2.0
#: Notes embedded per transaction (about 0.3 s of one core).
BATCH = 16
#: The job waits while the room is writing: until no note was written for this many seconds
#: (its commits and its CPU would otherwise slow the phones' acknowledgements).
QUIET = 3.0
_CHUNK = 500


def text_key(model_key: str, text: str) -> str:
    """What a stored vector is of: the model and (a hash of) the exact text."""
    return f"{model_key}:{hashlib.sha1(text.encode('utf-8')).hexdigest()[:16]}"


def attach(session: Session, notes: list[NoteIn]) -> list[NoteIn]:
    """``notes`` with their stored vectors where those are of the current model and text."""
    key = embeddings.model_key()
    if key is None or not notes:
        return notes
    stored: dict[int, tuple[bytes, str]] = {}
    ids = [n.id for n in notes]
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(select(Note.id, Note.vector, Note.vector_key)
                               .where(Note.id.in_(ids[start:start + _CHUNK])))
        stored.update({i: (v, k) for i, v, k in rows if v is not None})
    out = []
    for note in notes:
        vector, vkey = stored.get(note.id, (None, None))
        fits = vector is not None and vkey == text_key(key, note.text)
        out.append(replace(note, vector=vector) if fits else note)
    return out


def store(session: Session, notes: list[NoteIn], key: str | None = None) -> int:
    """Keep the vectors of ``notes``, made by the model ``key`` (default: this process's)
    from their text."""
    key = key or embeddings.model_key()
    rows = [{"nid": n.id, "v": n.vector, "k": text_key(key, n.text)}
            for n in notes if n.vector is not None] if key else []
    if rows:
        table = Note.__table__
        session.execute(  # Core executemany: the vector is no edit, updated_at stays
            update(table).where(table.c.id == bindparam("nid"))
            .values(vector=bindparam("v"), vector_key=bindparam("k"),
                    updated_at=table.c.updated_at), rows)
    return len(rows)


def room_is_quiet(session: Session, seconds: float = QUIET) -> bool:
    """No note written (on this database) in the last ``seconds``."""
    newest = session.scalar(select(Note.created_at).order_by(Note.id.desc()).limit(1))
    return newest is None or (utcnow() - newest).total_seconds() >= seconds


def pending(session: Session, limit: int = BATCH) -> list[NoteIn]:
    """Committed notes without any vector yet, oldest first."""
    rows = session.execute(select(Note.id, Note.text).where(
        Note.vector_key.is_(None), Note.deleted_at.is_(None)).order_by(Note.id).limit(limit))
    return [NoteIn(id=i, text=t) for i, t in rows]


Embed = Callable[[list[str]], tuple[str, list[bytes]] | None]


def embed_here(texts: list[str]) -> tuple[str, list[bytes]] | None:
    """Embed in this process (tests, scripts): the model's key and one vector per text."""
    model = embeddings.backend()
    if model is None:
        return None
    return model.key, [embeddings.to_bytes(v) for v in model.embed(texts)]


def fill_pending(session: Session, limit: int = BATCH, embed: Embed = embed_here) -> int:
    """Embed and store up to ``limit`` notes without a vector; how many were stored."""
    notes = pending(session, limit)
    if not notes:
        return 0
    made = embed([n.text for n in notes])
    if made is None:
        return 0
    key, vectors = made
    return store(session, [replace(n, vector=v) for n, v in zip(notes, vectors)], key)


def run_worker(app: Flask, poll: float = POLL) -> None:
    """Beside the server, forever: fill missing vectors, a batch per short transaction, the
    embedding done by a child process at the lowest priority (started once there is work)."""
    from meetup.extensions import db, socketio

    if not embeddings.usable():
        log.info("no sentence model here: notes are grouped by TF-IDF alone")
        return
    child = Child()
    try:
        while True:
            socketio.sleep(poll)
            try:
                with app.app_context():
                    try:
                        while room_is_quiet(db.session) \
                                and fill_pending(db.session, embed=child.embed):
                            db.session.commit()
                    finally:
                        db.session.rollback()
                        db.session.remove()
            except Exception:  # a failed batch must never stop the evening; next poll retries
                log.exception("note vectors failed")
                child.stop()
    finally:
        child.stop()


class Child:
    """The :mod:`vector_child` process, started on first use and again if it died. Under
    gevent its pipes are cooperative: the worker greenlet waits, the loop runs on."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._key: str | None = None
        self._dim = 0

    def embed(self, texts: list[str]) -> tuple[str, list[bytes]] | None:
        proc = self._start()
        if proc is None or self._key is None:
            return None
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(texts).encode() + b"\n")
        proc.stdin.flush()
        raw = base64.b64decode(proc.stdout.readline())
        size = 2 * self._dim
        if len(raw) != size * len(texts):
            self.stop()
            raise RuntimeError("the vector process answered badly")
        return self._key, [raw[i * size:(i + 1) * size] for i in range(len(texts))]

    def _start(self) -> subprocess.Popen[bytes] | None:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "meetup.services.vector_child"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self._proc.stdout is not None
        hello = json.loads(self._proc.stdout.readline() or b"{}")
        self._key, self._dim = hello.get("key"), int(hello.get("dim") or 0)
        return self._proc

    def stop(self) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait()
            self._proc = None
