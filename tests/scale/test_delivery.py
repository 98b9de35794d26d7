"""No delivery lost on PostgreSQL: table mates write while others reconnect (issue 17).

Under gevent the PostgreSQL driver yields during the connect handler's queries. A phone that
joined its rooms only after reading the snapshot missed, for good, a write committed in that
gap: it was neither in the snapshot nor broadcast to it. Here phones on three workers keep
writing while their table mates drop and reconnect, round after round; after every round each
reconnected phone's last snapshot plus the broadcasts after it must hold every acknowledged
note of its table.
"""

from __future__ import annotations

import threading

from flask import Flask

from tests.scale.harness import Cluster, Phone, open_phones, seed_meetup, wait_until

ROUNDS = 4


def test_reconnecting_phones_miss_no_note_their_table_mates_write(
        cluster: Cluster, seed_app: Flask, phones: list[Phone]) -> None:
    seeded = seed_meetup(seed_app, 12, themes=["taal", "zorg"])
    everyone = open_phones(None, seeded, servers=cluster.workers)
    phones.extend(everyone)
    table_of = {id(phone): table for phone, (_, table, _) in zip(everyone, seeded.phones)}
    at_table: dict[int, list[Phone]] = {}
    for phone in everyone:
        at_table.setdefault(table_of[id(phone)], []).append(phone)
    # At every table half the phones write and the other half drop and reconnect.
    writers = [p for mates in at_table.values() for p in mates[0::2]]
    reconnecting = [p for mates in at_table.values() for p in mates[1::2]]
    acked: dict[int, set[str]] = {}  # table id -> acknowledged note uuids
    lock = threading.Lock()
    checked = 0

    for round_no in range(ROUNDS):
        stop = threading.Event()

        def write(phone: Phone) -> None:
            n = 0
            while not stop.is_set() and n < 5:  # within the per-socket write allowance
                phone.type_note(f"Ronde {round_no}, idee {n}")
                phone.flush()
                event, payload, ack = phone.acked[-1]
                with lock:
                    acked.setdefault(table_of[id(phone)], set()).add(ack["note"]["uuid"])
                n += 1

        before = {id(p): p.snapshots() for p in reconnecting}
        threads = [threading.Thread(target=write, args=(w,)) for w in writers]
        for thread in threads:
            thread.start()
        try:
            for phone in reconnecting:  # all at once, while the writes go on
                phone.drop_when_connected()
            for phone in reconnecting:
                phone.reconnected(before[id(phone)], timeout=30)
        finally:
            stop.set()
            for thread in threads:
                thread.join()

        for phone in reconnecting:
            expected = acked.get(table_of[id(phone)], set())
            wait_until(lambda p=phone, e=expected: e <= p.note_uuids(), 15,
                       f"round {round_no}: {len(expected - phone.note_uuids())} notes missing")
            checked += len(expected)
    # Deliveries counted: every note acknowledged so far, per reconnected phone, per round.
    print(f"\n{checked} deliveries checked over {ROUNDS} rounds, 0 lost")
    assert checked > 0
