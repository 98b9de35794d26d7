"""``make bench``: the server restarts (kill -9) in a full evening; how soon every phone is current.

Issue 21, point 3: after any restart (an upgrade, a crash) every phone must hold a fresh
snapshot within 5 s p95, with 10,000 notes in the meetup. Here ``meetup serve`` runs on SQLite
with ``--phones`` seated participants (1,000) at tables of 6 and ``--notes`` notes (10,000,
with three dots per person), all phones connected; ``--writers`` of them (200) keep writing
``--rate`` notes a second. Then the server is killed with SIGKILL and started again at once
(new process: every cache cold). The phones notice, come back with the page's own reconnect
back-off (read from ``static/js/live/connection.js``), get a snapshot and resend what was not
acknowledged. ``restart_resync_s`` is, per phone, the time from the restart to its fresh
snapshot; ``server_up_s`` the time until the new process accepts connections.

Prints figures and asserts nothing. The LAST line is one JSON object:
``{"restart": {"phones", "writers", "notes", "restarts", "server_up_s", "restart_resync_s":
{p50, p95, max}, "missing", "writes_lost", "backoff_s", "machine"}}``.

Usage: .venv/bin/python benchmarks/restart_resync.py [--phones 1000] [--notes 10000]
       [--writers 200] [--rate 100] [--restarts 2]
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import loadgen  # noqa: E402
from loadgen import Phone  # noqa: E402
from realtime_load import machine  # noqa: E402
from targets import MEETUP_BIN, SECRET, say, seed, stored_notes_sqlite, wait_for_http  # noqa: E402

PAGE = ROOT / "static" / "js" / "live" / "connection.js"
#: --py-spy: where to write a profile of the restarted server.
PROFILE = ""


def page_backoff() -> tuple[float, float]:
    """The page's reconnect delays (first, longest) in seconds, as socket.io-client uses them."""
    text = PAGE.read_text()
    first = re.search(r"\bdelay:\s*(\d+)", text) or re.search(r"reconnectionDelay:\s*(\d+)", text)
    longest = re.search(r"\bdelayMax:\s*(\d+)", text) \
        or re.search(r"reconnectionDelayMax:\s*(\d+)", text)
    return (int(first.group(1)) / 1000 if first else 1.0,
            int(longest.group(1)) / 1000 if longest else 5.0)


def add_notes(database_url: str, instance: Path, meetup_id: int, notes: int) -> None:
    """``notes`` notes spread over the meetup's tables by their members, and 3 dots a person."""
    from sqlalchemy import insert, select

    from meetup import create_app
    from meetup.extensions import db
    from meetup.models import Note, Participant, Vote

    t0 = time.perf_counter()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET,
                      "INSTANCE_PATH": str(instance), "SOCKETIO_ASYNC_MODE": "threading"})
    with app.app_context():
        people = list(db.session.execute(
            select(Participant.id, Participant.table_id)
            .where(Participant.meetup_id == meetup_id, Participant.table_id.is_not(None))))
        start = datetime.now(UTC) - timedelta(hours=2)
        rounds = ("happens", "connect", "missing")
        rows = [{"uuid": uuid.uuid4(), "meetup_id": meetup_id, "table_id": table_id,
                 "author_id": person, "round": rounds[i % 3],
                 "text": f"Notitie {i}: wat er al gebeurt op school en in de wijk, en wat mist",
                 "hidden": False, "created_at": start + timedelta(seconds=i * 0.5),
                 "updated_at": start + timedelta(seconds=i * 0.5)}
                for i, (person, table_id) in
                ((i, people[i % len(people)]) for i in range(notes))]
        db.session.execute(insert(Note), rows)
        by_table: dict[int, list[int]] = {}
        for note_id, table_id in db.session.execute(
                select(Note.id, Note.table_id).where(Note.meetup_id == meetup_id)):
            by_table.setdefault(table_id, []).append(note_id)
        rng = random.Random(21)
        votes = [{"uuid": uuid.uuid4(), "note_id": rng.choice(by_table[table_id]),
                  "participant_id": person}
                 for person, table_id in people if by_table.get(table_id) for _ in range(3)]
        if votes:
            db.session.execute(insert(Vote), votes)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    say(f"restart: added {notes} notes and {len(votes)} dots in {time.perf_counter() - t0:.1f} s")


def start_server(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(MEETUP_BIN), "serve"], env=env, stdout=open(log, "ab"),
                            stderr=subprocess.STDOUT)


def listening(base: str, timeout: float) -> None:
    """Wait until the server accepts connections (an HTTP request would queue behind the
    phones' reconnects and measure those instead)."""
    host, port = base.rsplit("/", 1)[-1].split(":")
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
            return
        except OSError:
            gevent.sleep(0.02)
    raise SystemExit(f"server at {base} did not start")


class Writers:
    """``rate`` new notes a second from the writing phones, until stopped."""

    def __init__(self, phones: list[Phone], rate: float) -> None:
        self.phones, self.rate = phones, rate
        self.sent: list[tuple[Phone, int, float, str]] = []
        self.greenlet = gevent.spawn(self._run)

    def _run(self) -> None:
        start, index = time.perf_counter(), 0
        while True:
            phone = self.phones[index % len(self.phones)]
            index += 1
            ack_id, sent, note = phone.write_note(f"Tijdens de herstart {index}")
            self.sent.append((phone, ack_id, sent, note))
            gevent.sleep(max(0.0, start + index / self.rate - time.perf_counter()))

    def stop(self) -> None:
        self.greenlet.kill()


def restart_once(server: subprocess.Popen[bytes], env: dict[str, str], base: str, log: Path,
                 phones: list[Phone], timeout: float,
                 ) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    """SIGKILL, start again at once; when each phone holds a snapshot of the new process."""
    server.send_signal(signal.SIGKILL)
    server.wait()
    restarted = time.perf_counter()
    wal = Path(env["MEETUP_DATABASE_URL"].removeprefix("sqlite:///") + "-wal")
    wal_mb = wal.stat().st_size / 1e6 if wal.exists() else 0.0
    for phone in phones:
        phone.snapshot_at = phone.opened_at = None  # what arrives from now on is fresh
    server = start_server(env, log)
    if PROFILE:
        # py-spy (pip install py-spy) samples the new process from its first second on.
        subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "-r", "100",
                          "-d", str(int(timeout)), "-f", "raw", "-o",
                          f"{PROFILE}.{server.pid}", "-p",
                          str(server.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    listening(base, timeout=60)
    up = time.perf_counter() - restarted
    loadgen.wait_until(lambda: all(p.snapshot_at is not None for p in phones), timeout)
    times = [p.snapshot_at - restarted for p in phones if p.snapshot_at is not None]
    opened = [p.opened_at - restarted for p in phones if p.opened_at is not None]
    return server, {"server_up_s": up, "times": times, "opened": opened, "wal_mb": wal_mb,
                    "missing": len(phones) - len(times)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--table-size", type=int, default=6)
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--writers", type=int, default=200)
    parser.add_argument("--rate", type=float, default=100, help="notes a second while writing")
    parser.add_argument("--restarts", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=90,
                        help="seconds to wait for every phone after a restart")
    parser.add_argument("--port", type=int, default=5096)
    parser.add_argument("--py-spy", default="", metavar="FILE",
                        help="profile each restarted server with py-spy into FILE.<pid> (raw)")
    args = parser.parse_args()
    global PROFILE
    PROFILE = args.py_spy
    Phone.BACKOFF = page_backoff()
    about = machine()
    say(f"machine: {about}")
    say(f"restart: the page's reconnect back-off {Phone.BACKOFF[0]:g} s doubling up to "
        f"{Phone.BACKOFF[1]:g} s, randomised by half")
    work = Path(tempfile.mkdtemp(prefix="meetup-restart-"))
    database_url = f"sqlite:///{work / 'restart.sqlite3'}"
    env = dict(os.environ, MEETUP_DATABASE_URL=database_url, MEETUP_SECRET_KEY=SECRET,
               MEETUP_HOST="127.0.0.1", MEETUP_PORT=str(args.port))
    log = work / "server.log"
    base = f"http://127.0.0.1:{args.port}"
    server: subprocess.Popen[bytes] | None = None
    phones: list[Phone] = []
    runs: list[dict[str, Any]] = []
    writers = None
    try:
        subprocess.run([str(MEETUP_BIN), "db", "upgrade"], env=env, check=True,
                       capture_output=True)
        seeded = seed(database_url, args.phones, args.table_size, work)
        add_notes(database_url, work, seeded["meetup"], args.notes)
        server = start_server(env, log)
        wait_for_http(base)
        phones = [Phone(base, {"meetup": seeded["meetup"], "as": "participant"}, p["cookie"],
                        p["table"]) for p in seeded["phones"]]
        connected = loadgen.connect_all(phones, timeout=180)
        say(f"restart: {connected['connected']}/{len(phones)} phones connected in "
            f"{connected['all_s'] or float('nan'):.1f} s")
        writers = Writers([p for p in phones if p.snapshot_at is not None][:args.writers],
                          args.rate)
        for n in range(args.restarts):
            gevent.sleep(5)  # writing, warm
            server, run = restart_once(server, env, base, log, phones, args.timeout)
            runs.append(run)
            times = run["times"]
            say(f"restart {n + 1}: server up after {run['server_up_s']:.2f} s (WAL left by the "
                f"killed server {run['wal_mb']:.1f} MB); "
                f"{len(times)}/{len(phones)} phones hold a fresh snapshot, p50 "
                f"{loadgen.pct(times, .5) / 1000:.2f} s, p95 {loadgen.pct(times, .95) / 1000:.2f}"
                f" s, last {max(times, default=float('nan')):.2f} s; websocket open p50 "
                f"{loadgen.pct(run['opened'], .5) / 1000:.2f} s, p95 "
                f"{loadgen.pct(run['opened'], .95) / 1000:.2f} s (from the restart, "
                f"{args.writers} phones writing {args.rate:g} notes/s)")
        gevent.sleep(3)
        writers.stop()
        loadgen.wait_until(lambda: all(p.op_of[a] in p.op_acks
                                       for p, a, _s, _n in writers.sent), 60)
    finally:
        if writers is not None:
            writers.stop()
        loadgen.close_all(phones)
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    stored = stored_notes_sqlite(work / "restart.sqlite3")
    acked = [(p, a, n) for p, a, _s, n in (writers.sent if writers else [])
             if p.op_of.get(a) in p.op_acks and (p.op_acks[p.op_of[a]][1] or {}).get("ok")]
    lost = sum(1 for _p, _a, note in acked if stored.get(uuid.UUID(note).hex, 0) == 0)
    shutil.rmtree(work, ignore_errors=True)
    all_times = [t for run in runs for t in run["times"]]
    figures = {
        "phones": args.phones, "writers": args.writers, "notes": args.notes,
        "restarts": len(runs),
        "server_up_s": [round(run["server_up_s"], 2) for run in runs],
        "restart_resync_s": {"p50": round(loadgen.pct(all_times, .5) / 1000, 2),
                             "p95": round(loadgen.pct(all_times, .95) / 1000, 2),
                             "max": round(max(all_times), 2)} if all_times else None,
        "per_restart_p95_s": [round(loadgen.pct(run["times"], .95) / 1000, 2)
                              for run in runs],
        # When the phones' websockets opened again (back-off, the server's accept queue).
        "websocket_open_p95_s": [round(loadgen.pct(run["opened"], .95) / 1000, 2)
                                 for run in runs],
        "missing": sum(run["missing"] for run in runs),
        "writes_acked": len(acked), "writes_lost": lost,
        "backoff_s": list(Phone.BACKOFF), "load_after": round(os.getloadavg()[0], 1),
        "machine": about,
    }
    print(json.dumps({"restart": figures}), flush=True)


if __name__ == "__main__":
    main()
