"""The part of a phone's snapshot that every phone at one table shares, and a cache for it.

When 1,000 phones connect (or reconnect after a network hiccup) the six people at a table all
need the same members, notes and agreements. :func:`table_view` reads them once; a
:class:`TableViews` cache (owned by the real-time face, one per process) keeps a view per
table and meetup revision (``seq``), so a later write, which raises the revision, makes the
next phone read it afresh. When a second table of the meetup misses in one revision (a room
reconnecting), :func:`table_views` reads all tables at once (:meth:`TableViews.get_table`).
The per-person parts (``mine``, own dots, own follow-up links) are
added by :func:`meetup.services.phone_snapshot.participant_parts`. The shared parts are kept as
JSON (:mod:`jsontext`), encoded once for all the phones of the table.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session, selectinload

from meetup.models import Agreement, Note, Participant, Table, Vote
from meetup.models.agreement import name_key
from meetup.models.participant import first_name
from meetup.services import board, content, jsontext
from meetup.services.agreement_wire import serialise_agreement, signers_of
from meetup.services.phases import iso

#: Table views kept per process (a few revisions of a few hundred tables).
CACHE_SIZE = 2000


def member(participant: Participant, locale: str) -> dict[str, Any]:
    return {"id": participant.id, "first_name": participant.first_name,
            "role": participant.role, "role_label": content.role_label(participant.role, locale)}


def table_view(session: Session, table: Table, locale: str,
               serialise_note: Callable[..., dict[str, Any]],
               serialise_agreements: Callable[..., list[dict[str, Any]]],
               followup_entry: Callable[[Agreement], dict[str, Any]]) -> dict[str, Any]:
    """Members, visible notes (as broadcast: not ``mine``, no own dots) and agreements.

    The parts every phone at the table receives unchanged are encoded to JSON here, once;
    each note is kept as its JSON without the viewer's ``mine`` and ``my_votes`` and its
    closing brace, which :func:`for_viewer` appends per phone.
    """
    members = list(session.scalars(
        select(Participant).where(Participant.table_id == table.id).order_by(Participant.id)))
    notes = list(session.scalars(
        select(Note).where(Note.table_id == table.id, Note.hidden.is_(False),
                           Note.deleted_at.is_(None))
        .order_by(Note.created_at, Note.id).options(selectinload(Note.author))
    ))
    votes = board.note_votes(session, [n.id for n in notes])
    voters = board.voters_by_note(session, [n.id for n in notes]) if any(votes.values()) else {}
    agreements = list(session.scalars(
        select(Agreement).where(Agreement.table_id == table.id, Agreement.deleted_at.is_(None))
        .order_by(Agreement.created_at, Agreement.id)
    ))
    return _view(table, locale, members, notes, votes, voters,
                 serialise_agreements(session, agreements), agreements,
                 serialise_note, followup_entry)


def table_views(session: Session, meetup_id: int, locale: str,
                serialise_note: Callable[..., dict[str, Any]],
                followup_entry: Callable[[Agreement], dict[str, Any]],
                heads: dict[int, tuple[tuple[Any, ...], str]] | None = None,
                ) -> dict[int, dict[str, Any]]:
    """:func:`table_view` of every table of the meetup, by table id, in seven queries.

    For many phones of many tables missing their views at once (everyone reconnecting after
    the room's network dropped or the server restarted, right after a phase change): one pass
    over the meetup instead of about eight queries per table. Members, notes and dots are read
    as plain rows for the whole meetup (no ORM objects, no ``IN`` list of every note id): with
    10,000 notes this pass is what a room waits for after a restart (docs/performance.md).
    ``serialise_note`` is not called here: :func:`note_wire` writes the same fields.
    ``heads`` (kept by :class:`TableViews` across passes) holds each note's encoded JSON with
    the values it was made from; a note whose values are all unchanged is not encoded again.
    """
    if heads is None:
        heads = {}
    tables = list(session.scalars(
        select(Table).where(Table.meetup_id == meetup_id).order_by(Table.number)
        .options(selectinload(Table.theme))))
    ids = [t.id for t in tables]
    number = {t.id: t.number for t in tables}
    members: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    first_names: dict[int, str] = {}
    for person_id, name, role, table_id in session.execute(
            select(Participant.id, Participant.display_name, Participant.role,
                   Participant.table_id)
            .where(Participant.meetup_id == meetup_id).order_by(Participant.id)):
        first_names[person_id] = first_name(name)
        if table_id is not None:
            members.setdefault(table_id, []).append(
                {"id": person_id, "first_name": first_names[person_id], "role": role,
                 "role_label": content.role_label(role, locale)})
    votes: dict[int, int] = dict(session.execute(
        select(Vote.note_id, func.count(Vote.id)).join(Note, Vote.note_id == Note.id)
        .where(Note.meetup_id == meetup_id).group_by(Vote.note_id)).all())
    voters_at: dict[int, dict[int, dict[int, int]]] = {i: {} for i in ids}
    if votes:
        for voter, note_id, table_id, n in session.execute(
                select(Vote.participant_id, Vote.note_id, Note.table_id, func.count(Vote.id))
                .join(Note, Vote.note_id == Note.id)
                .where(Note.meetup_id == meetup_id, Note.hidden.is_(False),
                       Note.deleted_at.is_(None))
                .group_by(Vote.participant_id, Vote.note_id, Note.table_id)):
            voters_at.setdefault(table_id, {}).setdefault(voter, {})[note_id] = n
    notes: dict[int, list[tuple[int, int | None, str]]] = {i: [] for i in ids}
    dots: dict[int, int] = dict.fromkeys(ids, 0)
    for (note_id, note_uuid, table_id, round_, text, author_id, hidden,
         updated_at) in session.execute(
            # The uuid as text: parsing 10,000 UUIDs only to print them again was a fifth of
            # this pass.
            select(Note.id, cast(Note.uuid, String), Note.table_id, Note.round, Note.text,
                   Note.author_id, Note.hidden, Note.updated_at)
            .where(Note.meetup_id == meetup_id, Note.table_id.is_not(None),
                   Note.hidden.is_(False), Note.deleted_at.is_(None))
            .order_by(Note.created_at, Note.id)):
        n = votes.get(note_id, 0)
        dots[table_id] = dots.get(table_id, 0) + n
        author = first_names.get(author_id, "") if author_id is not None else ""
        made_of = (note_uuid, number.get(table_id), round_, text, author, author_id, n, hidden,
                   updated_at)
        kept = heads.get(note_id)
        if kept is None or kept[0] != made_of:
            kept = heads[note_id] = (made_of, _note_head(note_wire(uuid_text(note_uuid),
                                                                   *made_of[1:])))
        notes.setdefault(table_id, []).append((note_id, author_id, kept[1]))
    agreements: dict[int, list[Agreement]] = {i: [] for i in ids}
    all_agreements = list(session.scalars(
        select(Agreement).where(Agreement.meetup_id == meetup_id,
                                Agreement.table_id.is_not(None), Agreement.deleted_at.is_(None))
        .order_by(Agreement.created_at, Agreement.id)))
    for agreement in all_agreements:
        agreements.setdefault(agreement.table_id, []).append(agreement)
    signers = signers_of(session, [a.id for a in all_agreements])
    return {
        table.id: _view_of(table, members[table.id], notes[table.id], dots[table.id],
                           voters_at[table.id],
                           [serialise_agreement(a, signers[a.id]) for a in agreements[table.id]],
                           agreements[table.id], followup_entry)
        for table in tables
    }


def uuid_text(value: Any) -> str:
    """A uuid as the wire writes it (``str(uuid.UUID)``), from what the database returns as
    text: 32 hex digits (SQLite) or the dashed form (PostgreSQL)."""
    text = str(value).lower()
    if len(text) == 32:
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return text


def note_wire(note_uuid: Any, table_number: int | None, round_: Any, text: str, author: str,
              author_id: int | None, votes: int, hidden: bool, updated_at: Any,
              ) -> dict[str, Any]:
    """A note as broadcast (``mine`` false, no own dots): what ``snapshot_parts.serialise_note``
    writes, from plain values."""
    return {"uuid": str(note_uuid), "table": table_number, "round": str(round_), "text": text,
            "author": author, "author_id": author_id, "mine": False, "votes": votes,
            "my_votes": 0, "hidden": hidden, "updated_at": iso(updated_at)}


def _view(table: Table, locale: str, members: list[Participant], notes: list[Note],
          votes: dict[int, int], voters: dict[int, dict[int, int]],
          agreements_wire: list[dict[str, Any]], agreements: list[Agreement],
          serialise_note: Callable[..., dict[str, Any]],
          followup_entry: Callable[[Agreement], dict[str, Any]]) -> dict[str, Any]:
    """A table's view from its rows (``votes`` may cover other tables' notes too)."""
    return _view_of(table, [member(p, locale) for p in members],
                    [(n.id, n.author_id, _note_head(serialise_note(n, votes[n.id])))
                     for n in notes],
                    sum(votes[n.id] for n in notes), voters, agreements_wire, agreements,
                    followup_entry)


def _view_of(table: Table, members: list[dict[str, Any]],
             notes: list[tuple[int, int | None, str]], dots: int,
             voters: dict[int, dict[int, int]], agreements_wire: list[dict[str, Any]],
             agreements: list[Agreement],
             followup_entry: Callable[[Agreement], dict[str, Any]]) -> dict[str, Any]:
    return {
        "number": table.number,
        "table": jsontext.dumps({"number": table.number, "theme": table.theme.key,
                                 "members": members}),
        # (note id, author id, the note's JSON up to the viewer's own fields)
        "notes": notes,
        "dots": dots,
        # Each voter's own dots on these notes (participant id -> note id -> n).
        "voters": voters,
        "agreements": jsontext.dumps(agreements_wire),
        # (follow-up entry, owner's name key) of the final agreements with an owner.
        "finals": [(followup_entry(a), name_key(a.owner_name)) for a in agreements
                   if a.status.is_final and a.owner_name.strip()],
    }


#: The note fields that depend on who receives it.
VIEWER_FIELDS = ("mine", "my_votes")


def _note_head(note: dict[str, Any]) -> str:
    shared = {key: value for key, value in note.items() if key not in VIEWER_FIELDS}
    return jsontext.dumps(shared)[:-1]  # without the closing brace


def for_viewer(view: dict[str, Any], participant: Participant) -> dict[str, Any]:
    """The shared view with the viewer's ``mine``/``my_votes`` and own follow-up links."""
    my_votes = view["voters"].get(participant.id, {})
    me_id = participant.id
    notes = jsontext.array(
        jsontext.JSONText(f'{head},"mine":{"true" if author_id == me_id else "false"},'
                          f'"my_votes":{int(my_votes.get(note_id, 0))}}}')
        for note_id, author_id, head in view["notes"])
    me = name_key(participant.display_name)
    return {"table": view["table"], "notes": notes, "agreements": view["agreements"],
            "followups": [entry for entry, owner in view["finals"] if owner == me]}


#: Seconds a cached part without a revision of its own (theme texts) may be kept.
TICK = 2.0


class TableViews:
    """Parts of snapshots by key (table or meetup, revision, ...); oldest go first.

    Keys carry the meetup's revision, so every write makes the next reader build afresh.
    What can change without a write (the organiser editing a theme's text over HTTP) also
    carries :meth:`tick`, so it is kept for at most :data:`TICK` seconds. ``size=0`` keeps
    nothing (every part is built when asked).
    """

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._views: OrderedDict[Hashable, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._batch_lock = threading.Lock()
        self._group_misses: dict[Hashable, int] = {}
        #: Each note's encoded JSON and what it was made of, across passes (:func:`table_views`).
        self.note_heads: dict[int, tuple[tuple[Any, ...], str]] = {}
        self._batched: set[Hashable] = set()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def tick() -> int:
        return int(time.monotonic() // TICK)

    def get(self, key: Hashable, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        with self._lock:
            view = self._views.get(key)
        if view is not None:
            self.hits += 1
            return view
        self.misses += 1
        view = build()
        with self._lock:
            self._views[key] = view
            while len(self._views) > self.size:
                self._views.popitem(last=False)
        return view

    def get_table(self, key: Hashable, group: Hashable, build: Callable[[], dict[str, Any]],
                  build_all: Callable[[], dict[Hashable, dict[str, Any]]]) -> dict[str, Any]:
        """The view under ``key``; once a second view of ``group`` misses, all at once.

        ``group`` names the views that go stale together (a meetup's tables at one revision and
        language); ``build_all`` builds them all, by key, in one pass. A single miss (a phone
        reconnecting after a write at its table) builds its own table only; a second one in
        the same revision means many phones are (re)connecting, and one pass is cheaper than
        a table at a time. Phones that miss while the pass runs wait for it.
        """
        with self._lock:
            view = self._views.get(key)
            if view is None:
                if len(self._group_misses) > 64:
                    self._group_misses.clear()
                    self._batched.clear()
                misses = self._group_misses[group] = self._group_misses.get(group, 0) + 1
        if view is not None:
            self.hits += 1
            return view
        if misses < 2 or group in self._batched:
            return self.get(key, build)
        with self._batch_lock:  # one pass at a time; who waited finds its view after it
            with self._lock:
                view = self._views.get(key)
            if view is None and group not in self._batched:
                self.misses += 1
                if len(self.note_heads) > 20 * self.size:
                    self.note_heads.clear()
                built = build_all()
                with self._lock:
                    self._batched.add(group)
                    self._views.update(built)
                    while len(self._views) > self.size:
                        self._views.popitem(last=False)
                view = built.get(key)
        if view is not None:
            self.hits += 1
            return view
        return self.get(key, build)  # a table the pass did not see
