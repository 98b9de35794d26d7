"""A worker, or Redis, may die mid-evening (issue 17).

- ``kill -9`` one of three workers while every phone is typing: its phones reconnect through
  nginx to the other workers and send again what got no answer (same op UUID, so nothing is
  applied twice). Nothing acknowledged and nothing typed is lost; the organiser and the
  projector carry on.
- Redis restarts: what was broadcast meanwhile is lost for the other workers, so each worker
  tells its sockets to resync once it is subscribed again; broadcasts then flow as before.
"""

from __future__ import annotations

import threading
import uuid

from flask import Flask

from meetup.extensions import db
from meetup.models import Note
from tests.db_servers import RedisServer
from tests.scale.harness import Cluster, Phone, seed_meetup, wait_until

NOTES_EACH = 8


def _phase_seen(phone: Phone) -> str | None:
    """The phase the phone shows: its last snapshot, or a ``phase`` broadcast after it."""
    with phone.lock:
        received = list(phone.received)
    phase = None
    for event, payload in received:
        if event == "snapshot":
            phase = payload["meetup"]["phase"]
        elif event == "phase":
            phase = payload["phase"]
    return phase


def test_a_worker_killed_mid_round_loses_nothing_typed_or_acknowledged(
        cluster: Cluster, seed_app: Flask, phones: list[Phone]) -> None:
    seeded = seed_meetup(seed_app, 12, themes=["taal", "zorg"])
    meetup_id = seeded.meetup.id
    via = cluster.balancer
    everyone = [Phone(via, cookie, meetup_id).connect() for _, _, cookie in seeded.phones]
    organiser = Phone(via, seeded.organiser_cookie, meetup_id, "organiser").connect()
    projector = Phone(via, seeded.organiser_cookie, meetup_id, "projector").connect()
    phones.extend([*everyone, organiser, projector])
    for phone in phones:
        phone.wait(lambda p=phone: p.events("snapshot"))
    table_of = {id(p): table for p, (_, table, _) in zip(everyone, seeded.phones)}
    first_snapshots = {id(p): p.snapshots() for p in phones}

    typed: list[str] = []
    some_acked = threading.Event()
    failures: list[BaseException] = []

    def evening(phone: Phone) -> None:
        try:
            for n in range(NOTES_EACH):
                typed.append(phone.type_note(f"Idee {n}"))
                phone.flush()
                if len(phone.acked) >= 2:
                    some_acked.set()
        except BaseException as error:  # reported below, not swallowed
            failures.append(error)

    threads = [threading.Thread(target=evening, args=(p,)) for p in everyone]
    for thread in threads:
        thread.start()
    victim = cluster.workers[0]
    try:
        assert some_acked.wait(30)
        victim.process.kill()  # kill -9, mid-round
        victim.process.wait()
        victim.process = None
        for thread in threads:
            thread.join(90)
        assert not failures, failures

        # Some phones were on the dead worker and came back through nginx.
        moved = [p for p in phones if p.snapshots() > first_snapshots[id(p)]]
        assert moved, "no socket was on the killed worker"

        # Nothing typed is lost and nothing is applied twice.
        db.session.expire_all()
        stored = {str(n.uuid) for n in db.session.query(Note).filter_by(meetup_id=meetup_id)}
        assert stored == set(typed) and len(typed) == len(everyone) * NOTES_EACH
        # Every phone shows every note of its table: nothing acknowledged is lost.
        by_table: dict[int, set[str]] = {}
        for phone in everyone:
            for _event, _payload, ack in phone.acked:
                by_table.setdefault(table_of[id(phone)], set()).add(ack["note"]["uuid"])
        for phone in everyone:
            wait_until(lambda p=phone: by_table[table_of[id(p)]] <= p.note_uuids(), 20,
                       "every acknowledged note on every phone")

        # The organiser carries on: the next round reaches every phone and the projector.
        organiser.wait(lambda: "/" in organiser.client.namespaces, 30)
        organiser.write("phase.set", {"phase": "round_2"})
        for phone in [*everyone, projector]:
            wait_until(lambda p=phone: _phase_seen(p) == "round_2", 20, "round 2 everywhere")
        projector.wait(lambda: [c for c in projector.events("counts")
                                if c["notes"] == len(typed)], 20)
    finally:
        for thread in threads:
            thread.join(10)
        victim.start()  # the later tests get three workers again


def test_after_redis_restarts_broadcasts_resume_and_phones_resync(
        cluster: Cluster, seed_app: Flask, redis_server: RedisServer,
        phones: list[Phone]) -> None:
    seeded = seed_meetup(seed_app, 3)
    one, two, _ = cluster.workers
    anna = Phone(one, seeded.phones[0][2], seeded.meetup.id).connect()
    bram = Phone(two, seeded.phones[1][2], seeded.meetup.id).connect()
    phones.extend([anna, bram])
    for phone in (anna, bram):
        phone.wait(lambda p=phone: p.events("snapshot"))

    redis_server.stop()
    try:
        # Written while Redis is down: stored and acknowledged, but Bram's worker never hears.
        during = anna.write("note.create", {"note": str(uuid.uuid4()), "round": "happens",
                                            "text": "Tijdens de storing"})["note"]["uuid"]
    finally:
        redis_server.start()
    # Bram's worker subscribes again and tells its phones to resync: the note is there.
    bram.wait(lambda: bram.events("resync"), 30)
    wait_until(lambda: during in bram.note_uuids(), 20, "the note written during the outage")

    # And broadcasts flow again.
    after = anna.write("note.create", {"note": str(uuid.uuid4()), "round": "happens",
                                       "text": "Na de storing"})["note"]["uuid"]
    bram.wait(lambda: [e for e in bram.events("note") if e["note"]["uuid"] == after])
