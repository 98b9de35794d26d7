"""A full room on one process: N phones on a real ``meetup serve`` (gevent, SQLite).

Seeds a meetup with N participants at mixed tables in round 1, starts the server, connects N
websocket clients (speaking Engine.IO 4 / Socket.IO 5 directly, on gevent greenlets), then:

1. connect: time until each phone holds its ``snapshot``;
2. burst: every phone writes one note at once; time until its ack, and until each table mate
   has the broadcast;
3. the server's resident memory (RSS) before and after.

Prints the figures; asserts nothing. Usage:
    .venv/bin/python benchmarks/realtime_load.py [--phones 1000] [--table-size 6]
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import websocket  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROLES = ["leerkracht_po", "docent_vo", "ib_zorgcoordinator", "kinderopvang_vve", "jeugdwerk",
         "jeugdhulp_zorg", "ggd_jgz", "gemeente", "bibliotheek_cultuur_sport", "schoolleider"]


def seed(database_url: str, secret: str, phones: int, table_size: int) -> dict:
    """Create the meetup and its participants in-process; return cookies per participant."""
    from meetup import create_app
    from meetup.extensions import db
    from meetup.models import Phase
    from meetup.services import joining, meetups, organisers, phases, tables

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret,
                      "INSTANCE_PATH": tempfile.mkdtemp(), "SOCKETIO_ASYNC_MODE": "threading"})
    serializer = app.session_interface.get_signing_serializer(app)
    with app.app_context():
        organiser = organisers.create_organiser(db.session, "bench@example.org", "bench-password")
        meetup = meetups.create_meetup(db.session, organiser, title="Benchmark", table_size=table_size)
        themes = [t.key for t in meetup.themes]
        people = []
        for i in range(phones):
            person, token = joining.join(db.session, meetup, joining.JoinRequest(
                f"Deelnemer {i}", ROLES[i % len(ROLES)], f"Organisatie {i % 150}"))
            joining.choose_theme(db.session, person, themes[i % 3])
            people.append((person, token))
        db.session.commit()
        tables.form_tables(db.session, meetup)
        phases.set_phase(db.session, meetup, Phase.ROUND_1)
        db.session.commit()
        cookies = []
        for person, token in people:
            db.session.refresh(person)
            value = serializer.dumps({"participants": {str(meetup.id): token}})
            cookies.append({"cookie": f"session={value}", "table": person.table_id})
        result = {"meetup": meetup.id, "phones": cookies}
        db.session.remove()
        db.engine.dispose()
    return result


class Phone:
    """One phone: a websocket speaking Engine.IO 4 + Socket.IO 5 on the default namespace."""

    def __init__(self, base: str, meetup_id: int, cookie: str, table: int) -> None:
        self.url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.meetup_id = meetup_id
        self.cookie = cookie
        self.table = table
        self.ws: websocket.WebSocket | None = None
        self.snapshot_at: float | None = None
        self.acks: dict[int, float] = {}
        self.notes_seen: dict[str, float] = {}
        self.errors: list[str] = []

    def run(self, start: float) -> None:
        try:
            self.ws = websocket.create_connection(self.url, header=[f"Cookie: {self.cookie}"],
                                                  timeout=120)
            self.ws.recv()  # Engine.IO open packet "0{...}"
            self.ws.send("40" + json.dumps({"meetup": self.meetup_id, "as": "participant"}))
            while True:
                message = self.ws.recv()
                if not message:
                    return
                self.handle(message, start)
        except (websocket.WebSocketException, OSError) as error:
            if self.snapshot_at is None or not self.closing:
                self.errors.append(repr(error))

    closing = False

    def handle(self, message: str, start: float) -> None:
        now = time.perf_counter()
        if message == "2":  # ping
            self.ws.send("3")
        elif message.startswith("44"):
            self.errors.append("refused: " + message)
        elif message.startswith("42"):
            event, *args = json.loads(message[2:])
            if event == "snapshot":
                self.snapshot_at = now - start
            elif event == "note":
                self.notes_seen[args[0]["note"]["uuid"]] = now
        elif message.startswith("43"):
            digits = ""
            for ch in message[2:]:
                if not ch.isdigit():
                    break
                digits += ch
            self.acks[int(digits)] = now

    def write_note(self, ack_id: int) -> tuple[str, float]:
        note = str(uuid.uuid4())
        payload = {"op": str(uuid.uuid4()), "note": note, "round": "happens",
                   "text": f"Notitie van telefoon {ack_id}"}
        sent = time.perf_counter()
        self.ws.send(f"42{ack_id}" + json.dumps(["note.create", payload]))
        return note, sent


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--table-size", type=int, default=6)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="meetup-bench-"))
    database_url = f"sqlite:///{work / 'bench.sqlite3'}"
    secret = "benchmark-secret"
    port = 5099
    env = dict(os.environ, MEETUP_DATABASE_URL=database_url, MEETUP_SECRET_KEY=secret,
               MEETUP_HOST="127.0.0.1", MEETUP_PORT=str(port))
    meetup_bin = Path(sys.executable).parent / "meetup"
    subprocess.run([str(meetup_bin), "db", "upgrade"], env=env, check=True, capture_output=True)
    t0 = time.perf_counter()
    seeded = seed(database_url, secret, args.phones, args.table_size)
    print(f"seeded {args.phones} participants in {time.perf_counter() - t0:.1f} s")

    server = subprocess.Popen([str(meetup_bin), "serve"], env=env,
                              stdout=open(work / "server.log", "wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        import requests

        for _ in range(200):
            try:
                requests.get(base + "/", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        rss_before = rss_kib(server.pid)

        phones = [Phone(base, seeded["meetup"], p["cookie"], p["table"]) for p in seeded["phones"]]
        start = time.perf_counter()
        greenlets = [gevent.spawn(phone.run, start) for phone in phones]
        deadline = time.perf_counter() + 180
        while time.perf_counter() < deadline and sum(p.snapshot_at is not None for p in phones) < len(phones):
            gevent.sleep(0.1)
        connected = [p.snapshot_at for p in phones if p.snapshot_at is not None]
        connect_all = max(connected) if connected else float("nan")
        rss_connected = rss_kib(server.pid)

        # Burst: every phone writes one note at the same moment.
        sent: dict[str, tuple[Phone, float]] = {}
        ack_ids: dict[int, tuple[Phone, float]] = {}
        for i, phone in enumerate(phones):
            if phone.snapshot_at is None:
                continue
            note, at = phone.write_note(i)
            sent[note] = (phone, at)
            ack_ids[i] = (phone, at)
        deadline = time.perf_counter() + 180
        while time.perf_counter() < deadline:
            if sum(1 for i, (p, _) in ack_ids.items() if i in p.acks) >= len(ack_ids):
                break
            gevent.sleep(0.1)
        ack_latencies = [p.acks[i] - at for i, (p, at) in ack_ids.items() if i in p.acks]
        gevent.sleep(2)
        mates: dict[int, list[Phone]] = {}
        for phone in phones:
            mates.setdefault(phone.table, []).append(phone)
        fanout = []
        missing = 0
        for note, (owner, sent_at) in sent.items():
            for mate in mates[owner.table]:
                if mate is owner:
                    continue
                if note in mate.notes_seen:
                    fanout.append(mate.notes_seen[note] - sent_at)
                else:
                    missing += 1
        rss_after = rss_kib(server.pid)
        errors = [e for p in phones for e in p.errors]

        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"server and {len(phones)} clients on the same machine")
        print(f"connected with snapshot: {len(connected)}/{len(phones)} in {connect_all:.2f} s "
              f"(p50 {pct(connected, .5) / 1000:.2f} s)")
        if ack_latencies:
            print(f"burst of {len(sent)} notes: acks {len(ack_latencies)}/{len(sent)}, "
                  f"p50 {pct(ack_latencies, .5):.0f} ms, p95 {pct(ack_latencies, .95):.0f} ms, "
                  f"max {max(ack_latencies) * 1000:.0f} ms")
        if fanout:
            print(f"table broadcasts delivered: {len(fanout)} (missing {missing}), "
                  f"p50 {pct(fanout, .5):.0f} ms, p95 {pct(fanout, .95):.0f} ms, "
                  f"max {max(fanout) * 1000:.0f} ms")
        print(f"server RSS: {rss_before / 1024:.0f} MiB idle, {rss_connected / 1024:.0f} MiB "
              f"with {len(connected)} phones, {rss_after / 1024:.0f} MiB after the burst")
        if errors:
            print(f"client errors: {len(errors)} (first: {errors[0]})")
        for phone in phones:
            phone.closing = True
            if phone.ws:
                phone.ws.shutdown()  # hang up at once; a polite close waits 3 s per socket
        gevent.joinall(greenlets, timeout=10)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
