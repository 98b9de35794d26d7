"""What a real evening does at the same moment, on a real ``meetup serve`` (gevent) with real
Socket.IO clients: two tabs of one person spending dots at once, two phones editing one
agreement at once. Each test ends with what every screen shows afterwards.

The writes really overlap: every client fires its writes without waiting for an answer, and
the server handles them in parallel greenlets.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import Agreement, Meetup, Vote
from tests.servers import LiveServer
from tests.socket_clients import Socket
# The same real server, seeding app, meetup and socket fixtures as the real-server tests
# (module-scoped: this module gets its own server).
from tests.test_realtime_server import (  # noqa: F401  (fixtures)
    evening,
    meetup,
    seed_app,
    server,
    sockets,
)

pytestmark = pytest.mark.server


class Answers:
    """Acknowledgements of writes fired without waiting, collected as they come back."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: list[tuple[str, dict[str, Any]]] = []

    def fire(self, sock: Socket, label: str, event: str, payload: dict[str, Any]) -> None:
        def answered(ack: dict[str, Any]) -> None:
            with self.lock:
                self.items.append((label, ack))

        sock.client.emit(event, {"op": str(uuid.uuid4()), **payload}, callback=answered)

    def all(self, sock: Socket, n: int) -> list[tuple[str, dict[str, Any]]]:
        sock.wait(lambda: len(self.items) >= n)
        with self.lock:
            return list(self.items)


def latest(sock: Socket, event: str, test: Any = None) -> dict[str, Any] | None:
    """The newest (highest seq) ``event`` this socket received, optionally filtered."""
    found = [p for p in sock.events(event) if test is None or test(p)]
    return max(found, key=lambda p: p["seq"]) if found else None


def test_two_tabs_of_one_person_spending_dots_at_once_never_spend_too_many(
        server: LiveServer, seed_app: Flask, meetup: Meetup, sockets: list[Socket]) -> None:
    phones, organiser = evening(server, meetup, sockets)
    anna, bram = phones["anna"], phones["bram"]
    second_tab = Socket(server, anna.headers["Cookie"], meetup.id).connect()
    sockets.append(second_tab)
    notes = [anna.write("note.create", {"note": str(uuid.uuid4()), "round": "happens",
                                        "text": f"Idee {i}"})["note"]["uuid"]
             for i in range(4)]
    organiser.write("phase.set", {"phase": "voting"})
    allowed = meetup.votes_per_person
    assert anna.call("sync", {})["snapshot"]["votes_left"] == allowed

    # Both tabs put a dot on every note, all at once: twice as many dots as Anna has.
    answers = Answers()
    for note in notes:
        for label, tab in (("first", anna), ("second", second_tab)):
            answers.fire(tab, label, "vote.add", {"vote": str(uuid.uuid4()), "note": note})
    acks = [ack for _label, ack in answers.all(anna, 2 * len(notes))]
    placed = [ack for ack in acks if ack["ok"]]
    refused = [ack for ack in acks if not ack["ok"]]
    assert len(placed) == allowed
    assert {ack["error"] for ack in refused} == {"conflict"}
    assert {ack["message"] for ack in refused} == {
        "Je stippen zijn op. Haal eerst een stip weg bij een andere notitie."}
    # Every placed dot was acknowledged with what was left after it, in seq order.
    assert [ack["votes_left"] for ack in sorted(placed, key=lambda a: a["seq"])] == \
        list(range(allowed - 1, -1, -1))

    db.session.expire_all()
    stored = db.session.scalar(select(func.count(Vote.id)).where(
        Vote.participant_id == anna.call("sync", {})["snapshot"]["me"]["id"]))
    db.session.rollback()
    assert stored == allowed

    # Both tabs show the same: no dots left, the same dots on the same notes.
    views = []
    for tab in (anna, second_tab):
        snapshot = tab.call("sync", {})["snapshot"]
        views.append((snapshot["votes_left"],
                      sorted((n["uuid"], n["votes"], n["my_votes"]) for n in snapshot["notes"])))
    assert views[0] == views[1]
    assert views[0][0] == 0
    assert sum(my for _uuid, _votes, my in views[0][1]) == allowed
    # And Bram, at the same table, counts the same dots from the broadcasts alone.
    bram.wait(lambda: {p["seq"] for p in bram.events("votes")} >= {a["seq"] for a in placed})
    totals = {}
    for note in notes:
        last = latest(bram, "votes", lambda p, note=note: p["note"] == note)
        totals[note] = last["votes"] if last else 0
    assert sum(totals.values()) == allowed
    assert totals == {uuid_: votes for uuid_, votes, _mine in views[0][1]}


def test_two_phones_editing_one_agreement_at_once_end_up_showing_the_same_text(
        server: LiveServer, seed_app: Flask, meetup: Meetup, sockets: list[Socket]) -> None:
    """The service merges per field and the last write of a field wins (writes are ordered by
    their seq). No write is refused; every phone ends on the newest broadcast."""
    phones, organiser = evening(server, meetup, sockets)
    anna, bram = phones["anna"], phones["bram"]
    organiser.write("phase.set", {"phase": "agreements"})
    agreement = str(uuid.uuid4())
    anna.write("agreement.create", {"agreement": agreement})
    bram.wait(lambda: latest(bram, "agreement", lambda p: p["agreement"]["uuid"] == agreement))

    answers = Answers()
    for round_ in range(3):
        answers.fire(anna, "anna", "agreement.update", {"agreement": agreement, "fields": {
            "what": f"Voorleesouders op school ({round_})", "first_step": "Ouders bellen"}})
        answers.fire(bram, "bram", "agreement.update", {"agreement": agreement, "fields": {
            "what": f"Huiswerkklas in de bieb ({round_})", "success_measure": "Tien kinderen"}})
    acks = answers.all(anna, 6)
    assert all(ack["ok"] for _who, ack in acks), acks
    last_who, last_ack = max(acks, key=lambda item: item[1]["seq"])
    newest = last_ack["seq"]
    expected_what = last_ack["agreement"]["what"]
    assert expected_what.startswith("Voorleesouders" if last_who == "anna" else "Huiswerkklas")

    db.session.expire_all()
    stored = db.session.scalar(select(Agreement).where(Agreement.uuid == uuid.UUID(agreement)))
    assert (stored.what, stored.first_step, stored.success_measure) == (
        expected_what, "Ouders bellen", "Tien kinderen")
    db.session.rollback()

    seen = []
    for phone in (anna, bram, organiser):
        shown = phone.wait(lambda p=phone: (lambda last: last if last and last["seq"] == newest
                                            else None)(
            latest(p, "agreement", lambda x: x["agreement"]["uuid"] == agreement)))
        seen.append({k: shown["agreement"][k] for k in ("what", "first_step",
                                                        "success_measure")})
    assert seen[0] == seen[1] == seen[2] == {
        "what": expected_what, "first_step": "Ouders bellen", "success_measure": "Tien kinderen"}
    for phone in (anna, bram):
        [synced] = [a for a in phone.call("sync", {})["snapshot"]["agreements"]
                    if a["uuid"] == agreement]
        assert synced["what"] == expected_what
