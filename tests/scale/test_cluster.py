"""Scale-out for real: three gevent workers on PostgreSQL, Redis as the Socket.IO message queue,
and nginx in front (see tests/scale/harness.py and docs/deploy.md).

A phone on one worker writes a note; its table mates on the other workers receive it through
Redis, also a phone behind nginx on long-polling. The organiser's phase change on one worker
reaches phones on every worker; a person the organiser moves stops hearing the old table on
every worker at once; the projector gets one ``counts`` a second in total, not one per worker.
"""

from __future__ import annotations

import math
import threading
import time
import uuid

from flask import Flask

from meetup.extensions import db
from meetup.models import Note, Table
from tests.scale.harness import Cluster, Phone, seed_meetup
from tests.socket_clients import Socket


def test_a_note_written_on_one_worker_reaches_table_mates_on_every_worker(
        cluster: Cluster, seed_app: Flask, phones: list[Phone]) -> None:
    seeded = seed_meetup(seed_app, 3)  # three people: one table
    assert len({table for _, table, _ in seeded.phones}) == 1
    one, two, three = cluster.workers
    cookies = [cookie for _, _, cookie in seeded.phones]
    anna = Phone(one, cookies[0], seeded.meetup.id).connect()
    bram = Phone(two, cookies[1], seeded.meetup.id).connect()
    # Carla goes through nginx on long-polling first (then upgraded), as a blocked network.
    carla = Phone(cluster.balancer, cookies[2], seeded.meetup.id).connect(
        ["polling", "websocket"])
    phones.extend([anna, bram, carla])
    for phone in (anna, bram, carla):
        phone.wait(lambda p=phone: p.events("snapshot"))

    note = str(uuid.uuid4())
    ack = anna.write("note.create", {"note": note, "round": "happens",
                                     "text": "Voorleesouders in de bibliotheek"})
    assert ack["note"]["uuid"] == note
    for mate in (bram, carla):
        received = mate.wait(lambda m=mate: [e for e in m.events("note")
                                             if e["note"]["uuid"] == note])
        assert received[0]["note"]["text"] == "Voorleesouders in de bibliotheek"
    assert db.session.query(Note).filter_by(uuid=uuid.UUID(note)).count() == 1

    # The organiser on worker 3 moves to round 2: every phone hears it, wherever it is.
    boss = Phone(three, seeded.organiser_cookie, seeded.meetup.id, "organiser").connect()
    phones.append(boss)
    boss.wait(lambda: boss.events("snapshot"))
    boss.write("phase.set", {"phase": "round_2"})
    for phone in (anna, bram, carla):
        assert phone.wait(lambda p=phone: [e for e in p.events("phase")
                                           if e["phase"] == "round_2"])


def test_a_moved_person_leaves_the_old_table_on_every_worker_at_once(
        cluster: Cluster, seed_app: Flask, phones: list[Phone]) -> None:
    seeded = seed_meetup(seed_app, 8, themes=["taal", "zorg"])
    by_table: dict[int, list[str]] = {}
    for _pid, table, cookie in seeded.phones:
        by_table.setdefault(table, []).append(cookie)
    old_table, new_table = sorted(by_table)[:2]
    mover_id = next(pid for pid, table, _ in seeded.phones if table == old_table)
    one, two, three = cluster.workers
    meetup_id = seeded.meetup.id
    # The moved person's phone does not answer ``resync`` (asleep): a plain socket.
    mover = Socket(one, by_table[old_table][0], meetup_id).connect()
    old_mate = Phone(three, by_table[old_table][1], meetup_id).connect()
    new_mate = Phone(three, by_table[new_table][0], meetup_id).connect()
    boss = Phone(two, seeded.organiser_cookie, meetup_id, "organiser").connect()
    phones.extend([mover, old_mate, new_mate, boss])  # type: ignore[list-item]
    for phone in (mover, old_mate, new_mate, boss):
        phone.wait(lambda p=phone: p.events("snapshot"))

    number = db.session.get(Table, new_table).number
    boss.write("participant.move", {"participant": mover_id, "table": number})
    # Both mates write on worker 3, in this order; the queue keeps it, so when the new
    # table's note reaches the moved phone, the old table's note would have come before it.
    old_note = old_mate.write("note.create", {"note": str(uuid.uuid4()), "round": "happens",
                                              "text": "Oude tafel"})["note"]["uuid"]
    new_note = new_mate.write("note.create", {"note": str(uuid.uuid4()), "round": "happens",
                                              "text": "Nieuwe tafel"})["note"]["uuid"]
    mover.wait(lambda: [e for e in mover.events("note") if e["note"]["uuid"] == new_note])
    assert old_note not in [e["note"]["uuid"] for e in mover.events("note")]
    assert mover.events("resync")  # and the page is told to fetch its new table


def test_the_projector_gets_one_counts_a_second_from_all_workers_together(
        cluster: Cluster, seed_app: Flask, phones: list[Phone]) -> None:
    seeded = seed_meetup(seed_app, 6)
    meetup_id = seeded.meetup.id
    writers = [Phone(cluster.workers[i % 3], cookie, meetup_id).connect()
               for i, (_, _, cookie) in enumerate(seeded.phones)]
    projector = Phone(cluster.workers[0], seeded.organiser_cookie, meetup_id,
                      "projector").connect()
    organiser = Phone(cluster.workers[1], seeded.organiser_cookie, meetup_id,
                      "organiser").connect()
    phones.extend([*writers, projector, organiser])
    for phone in phones:
        phone.wait(lambda p=phone: p.events("snapshot"))
    arrivals: dict[str, list[float]] = {"counts": [], "overview": []}
    for name, phone in (("counts", projector), ("overview", organiser)):
        phone.client.on(name, lambda payload, n=name, p=phone: (
            arrivals[n].append(time.monotonic()), p._record(n, payload)))

    # Six phones on three workers each type a note every tenth of a second for three seconds.
    stop = time.monotonic() + 3
    written = []

    def write(phone: Phone) -> None:
        while time.monotonic() < stop:
            written.append(phone.write("note.create", {
                "note": str(uuid.uuid4()), "round": "happens", "text": "Samen lezen"}))
            time.sleep(0.1)  # typing speed, within the per-socket write allowance

    threads = [threading.Thread(target=write, args=(w,)) for w in writers]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The last counts include every note: nothing folded away is lost.
    projector.wait(lambda: [c for c in projector.events("counts")
                            if c["notes"] == len(written)])
    organiser.wait(lambda: [o for o in organiser.events("overview")
                            if o["table"]["notes"]["happens"] == len(written)])
    seconds = math.ceil(time.monotonic() - started)
    # One a second in total (plus the first, which goes out at once), not one per worker.
    assert len(arrivals["counts"]) <= seconds + 1, (len(arrivals["counts"]), seconds)
    assert len(arrivals["overview"]) <= seconds + 1, (len(arrivals["overview"]), seconds)
