"""A venue spreads over the workers (issue 17): 300 phones behind ONE source address.

A venue's phones share one public address (NAT) or one /24; nginx's ``ip_hash`` put them all on
one worker. The pages now open a websocket first and nginx hands each fresh websocket to the
worker with the fewest connections. Measured from the outside: the TCP connections each worker
has accepted from nginx while 300 phones (all from 127.0.0.1) are connected.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import websocket  # websocket-client: one light socket per phone, as a browser holds one

from flask import Flask

from tests.scale.harness import Cluster, established, seed_meetup, wait_until

PHONES = 300


def _open(cluster: Cluster, cookie: str, meetup_id: int) -> websocket.WebSocket:
    """The page's handshake: a websocket straight away, then the Socket.IO connect."""
    url = cluster.balancer.base_url.replace("http://", "ws://")
    ws = websocket.create_connection(f"{url}/socket.io/?EIO=4&transport=websocket",
                                     header=[f"Cookie: {cookie}"], timeout=20)
    assert ws.recv().startswith("0{")  # Engine.IO open
    ws.send("40" + json.dumps({"meetup": meetup_id, "as": "participant"}))
    while True:  # the snapshot may come just before the connect acknowledgement
        packet = ws.recv()
        if packet.startswith("40{"):
            return ws
        assert not packet.startswith("44"), packet  # refused


def test_300_phones_behind_one_address_spread_evenly_over_three_workers(
        cluster: Cluster, seed_app: Flask) -> None:
    seeded = seed_meetup(seed_app, PHONES, themes=["taal", "overgangen", "zorg"])
    ports = cluster.ports()
    before = established(ports)
    sockets: list[websocket.WebSocket] = []
    try:
        # Phones arrive a few at a time, as at a venue's door (eight handshakes at once).
        with ThreadPoolExecutor(8) as pool:
            for ws in pool.map(lambda phone: _open(cluster, phone[2], seeded.meetup.id),
                               seeded.phones):
                sockets.append(ws)
        spread = wait_until(lambda: (lambda now: now if sum(now.values()) >= PHONES else None)(
            {port: n - before[port] for port, n in established(ports).items()}),
            20, "every phone's connection on a worker")
    finally:
        for ws in sockets:
            ws.close(timeout=0)
    share = PHONES / len(ports)
    print(f"\nsockets per worker: {sorted(spread.values())}")
    for port, count in spread.items():
        assert 0.8 * share <= count <= 1.2 * share, spread
