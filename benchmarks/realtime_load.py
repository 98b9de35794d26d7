"""``make bench``: N phones against the bare floor server, then against ``meetup serve``.

Both servers run on this machine on SQLite (WAL, synchronous=FULL) and are driven by the same
client code (:mod:`loadgen`: raw Engine.IO 4 / Socket.IO 5 websockets on gevent greenlets):

1. the bare relay (``bare_server.py``): connect all phones, one note burst;
2. ``meetup serve`` with N seated participants in round 1: connect all phones (time until each
   holds its snapshot), the note burst (ack and table-mate arrival), a sustained load of
   ``--rate`` new notes a second for ``--sustained-seconds``, the organiser's phase change
   arriving at every phone, every phone dropping and reconnecting at once, every phone
   resending its last note with the same ``op`` (answered as a duplicate, stored once), and
   ``--joins`` people submitting the join form at once over HTTP (GET the form, POST it with
   the CSRF token and the cookie, like a browser).

Absolute figures depend on the machine and on what else runs on it; the ratios compare with the
bare relay measured in the same run. The LAST line printed is one JSON object (see issue 12 and
docs/performance.md). Asserts nothing.

Usage: .venv/bin/python benchmarks/realtime_load.py [--phones 1000] [--sustained-seconds 60]
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
import requests  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import loadgen  # noqa: E402
from loadgen import Phone, p50_p95  # noqa: E402

ROLES = ["leerkracht_po", "docent_vo", "ib_zorgcoordinator", "kinderopvang_vve", "jeugdwerk",
         "jeugdhulp_zorg", "ggd_jgz", "gemeente", "bibliotheek_cultuur_sport", "schoolleider"]


def say(text: str) -> None:
    print(text, flush=True)


def wait_for_http(base: str, timeout: float = 30) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            requests.get(base + "/socket.io/?EIO=4&transport=polling", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit(f"server at {base} did not start")


def machine() -> str:
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    load = ", load %.1f" % os.getloadavg()[0] if hasattr(os, "getloadavg") else ""
    return (f"{platform.machine()}, {os.cpu_count()} cores{mem}, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}{load} at start; server "
            f"and clients on one machine; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")


# -- the bare floor -------------------------------------------------------------------------


def run_bare(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    port = args.port + 1
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "bare_server.py"), str(work / "bare.sqlite3"),
         str(port)], stdout=open(work / "bare.log", "wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base)
        phones = [Phone(base, {"table": i // args.table_size}, table=i // args.table_size)
                  for i in range(args.phones)]
        cpu = loadgen.cpu_seconds(server.pid)
        connected = loadgen.connect_all(phones)
        cpu = loadgen.cpu_seconds(server.pid) - cpu
        say(f"bare: {connected['connected']}/{len(phones)} connected in "
            f"{connected['all_s'] or float('nan'):.2f} s (server CPU {cpu:.2f} s)")
        burst = loadgen.burst(phones, loadgen.WriteLog())
        say(f"bare: burst acks {len(burst['ack'])} p95 {loadgen.pct(burst['ack'], .95):.0f} ms, "
            f"fan-out p95 {loadgen.pct(burst['fanout'], .95):.0f} ms "
            f"(missing {burst['fanout_missing']})")
        loadgen.close_all(phones)
        return {"connect_all_s": connected["all_s"], "burst": burst, "connect_cpu_s": cpu}
    finally:
        server.terminate()
        server.wait(timeout=10)


# -- meetup serve ---------------------------------------------------------------------------


def seed(database_url: str, secret: str, phones: int, table_size: int) -> dict[str, Any]:
    """Create the meetup, its participants and tables in-process; return cookies."""
    from meetup import create_app
    from meetup.extensions import db
    from meetup.models import Phase
    from meetup.services import joining, meetups, organisers, phases, tables

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret,
                      "INSTANCE_PATH": tempfile.mkdtemp(), "SOCKETIO_ASYNC_MODE": "threading"})
    serializer = app.session_interface.get_signing_serializer(app)
    with app.app_context():
        organiser = organisers.create_organiser(db.session, "bench@example.org",
                                                "rustig-zeven-tafels-lang")
        meetup = meetups.create_meetup(db.session, organiser, title="Benchmark",
                                       table_size=table_size)
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
        result = {"meetup": meetup.id, "join_token": meetup.join_token, "phones": cookies,
                  "organiser": "session=" + serializer.dumps({
                      "organiser_id": organiser.id,
                      "organiser_version": organiser.session_version,
                      "organiser_since": int(time.time())})}
        db.session.remove()
        db.engine.dispose()
    return result


def join_storm(base: str, join_token: str, people: int) -> dict[str, Any]:
    """``people`` browsers GET the join form, then all POST it at the same moment."""
    go = gevent.event.Event()
    latencies: list[float] = []
    failures: list[str] = []
    ready: list[int] = []

    def person(i: int) -> None:
        browser = requests.Session()
        try:
            form = browser.get(f"{base}/j/{join_token}", timeout=120)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.text) \
                or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', form.text)
            if token is None:
                failures.append(f"no csrf token (HTTP {form.status_code})")
                return
            ready.append(i)
            go.wait()
            start = time.perf_counter()
            answer = browser.post(f"{base}/j/{join_token}", timeout=120, allow_redirects=False,
                                  data={"csrf_token": token.group(1),
                                        "display_name": f"Laatkomer {i}",
                                        "role": ROLES[i % len(ROLES)],
                                        "organisation": f"Organisatie {i}"})
            if answer.status_code == 302 and "/live" in answer.headers.get("Location", ""):
                latencies.append(time.perf_counter() - start)
            else:
                failures.append(f"HTTP {answer.status_code}")
        except requests.RequestException as error:
            failures.append(repr(error))

    greenlets = [gevent.spawn(person, i) for i in range(people)]
    # Every browser fetches its form first; then all POSTs are released together.
    loadgen.wait_until(lambda: len(ready) + len(failures) >= people, 120)
    go.set()
    gevent.joinall(greenlets, timeout=180)
    return {"latencies": latencies, "failures": failures}


def stored_notes(database: Path) -> dict[str, int]:
    """How many rows each note uuid (hex, no dashes) has in the database."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT uuid, COUNT(*) FROM notes GROUP BY uuid").fetchall()
    return {str(u).replace("-", "").lower(): n for u, n in rows}


def run_meetup(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    database = work / "bench.sqlite3"
    database_url = f"sqlite:///{database}"
    secret = "benchmark-secret"
    # The join storm's browsers all come from 127.0.0.1: lift the per-address join limit (30 a
    # minute), as for a venue whose phones share one NAT address (see meetup/config.py).
    env = dict(os.environ, MEETUP_DATABASE_URL=database_url, MEETUP_SECRET_KEY=secret,
               MEETUP_HOST="127.0.0.1", MEETUP_PORT=str(args.port),
               MEETUP_JOIN_LIMIT_PER_ADDRESS="1000 per minute")
    meetup_bin = Path(sys.executable).parent / "meetup"
    subprocess.run([str(meetup_bin), "db", "upgrade"], env=env, check=True, capture_output=True)
    t0 = time.perf_counter()
    seeded = seed(database_url, secret, args.phones, args.table_size)
    say(f"meetup: seeded {args.phones} participants in {time.perf_counter() - t0:.1f} s")
    server = subprocess.Popen([str(meetup_bin), "serve"], env=env,
                              stdout=open(work / "server.log", "wb"), stderr=subprocess.STDOUT)
    (work / "server.pid").write_text(str(server.pid))
    base = f"http://127.0.0.1:{args.port}"
    out: dict[str, Any] = {}
    try:
        wait_for_http(base)
        rss = loadgen.RssSampler(server.pid)
        say(f"meetup: server pid {server.pid}, idle RSS {rss.peak_kib / 1024:.0f} MiB")
        phones = [Phone(base, {"meetup": seeded["meetup"], "as": "participant"}, p["cookie"],
                        p["table"]) for p in seeded["phones"]]
        log = loadgen.WriteLog()

        if args.pause_before_connect:
            say(f"meetup: connecting in {args.pause_before_connect} s (attach a profiler now)")
            gevent.sleep(args.pause_before_connect)
        cpu = loadgen.cpu_seconds(server.pid)
        connected = loadgen.connect_all(phones)
        out["connect_all_s"] = connected["all_s"]
        out["connect_cpu_s"] = cpu = loadgen.cpu_seconds(server.pid) - cpu
        say(f"meetup: {connected['connected']}/{len(phones)} connected in "
            f"{connected['all_s'] or float('nan'):.2f} s (p50 {connected['p50_s']:.2f} s, "
            f"server CPU {cpu:.2f} s)")
        ready = [p for p in phones if p.snapshot_at is not None]

        if args.pause_before_burst:
            say(f"meetup: burst in {args.pause_before_burst} s (attach a profiler now)")
            gevent.sleep(args.pause_before_burst)
        skip = set(args.skip.split(",")) if args.skip else set()
        out["burst"] = burst = loadgen.burst(ready if "burst" not in skip else [], log)
        say(f"meetup: burst acks {len(burst['ack'])}/{len(ready)} (not ok {burst['not_ok']}), "
            f"p50 {loadgen.pct(burst['ack'], .5):.0f} ms, p95 {loadgen.pct(burst['ack'], .95):.0f}"
            f" ms; fan-out p95 {loadgen.pct(burst['fanout'], .95):.0f} ms "
            f"(missing {burst['fanout_missing']})")

        out["sustained"] = steady = loadgen.sustained(
            ready, log, args.rate, 0 if "sustained" in skip else args.sustained_seconds)
        say(f"meetup: sustained {steady['writes_per_s']} writes/s for {steady['seconds']} s, "
            f"ack p50 {loadgen.pct(steady['ack'], .5):.0f} ms, "
            f"p95 {loadgen.pct(steady['ack'], .95):.0f} ms (not ok {steady['not_ok']})")

        organiser = Phone(base, {"meetup": seeded["meetup"], "as": "organiser"},
                          seeded["organiser"])
        if loadgen.connect_all([organiser], timeout=30)["all_s"] is None:
            raise SystemExit("the organiser's socket was refused: " + "; ".join(organiser.errors))
        out["phase"] = phase = loadgen.phase_broadcast(organiser, phones, "round_2")
        say(f"meetup: phase change reached {len(phase['arrivals'])}/{len(phones)} phones, "
            f"p95 {loadgen.pct(phase['arrivals'], .95):.0f} ms")

        if args.pause_before_storm:
            say(f"meetup: reconnect storm in {args.pause_before_storm} s (attach a profiler now)")
            gevent.sleep(args.pause_before_storm)
        cpu = loadgen.cpu_seconds(server.pid)
        out["reconnect"] = storm = loadgen.reconnect_storm(phones)
        out["storm_cpu_s"] = cpu = loadgen.cpu_seconds(server.pid) - cpu
        say(f"meetup: reconnect storm: {storm['connected']}/{len(phones)} hold a fresh "
            f"snapshot after {storm['all_s'] or float('nan'):.2f} s (server CPU {cpu:.2f} s)")

        out["replay"] = replay = loadgen.replay_last(phones)
        say(f"meetup: {len(replay['ack'])} resent ops answered, p95 "
            f"{loadgen.pct(replay['ack'], .95):.0f} ms, not marked duplicate "
            f"{replay['not_duplicate']}")

        if args.pause_before_joins:
            say(f"meetup: joins in {args.pause_before_joins} s (attach a profiler now)")
            gevent.sleep(args.pause_before_joins)
        cpu = loadgen.cpu_seconds(server.pid)
        out["join"] = joined = join_storm(base, seeded["join_token"], args.joins)
        out["join_cpu_s"] = cpu = loadgen.cpu_seconds(server.pid) - cpu
        say(f"meetup: {len(joined['latencies'])}/{args.joins} joined over HTTP, p95 "
            f"{loadgen.pct(joined['latencies'], .95):.0f} ms (server CPU {cpu:.2f} s, GET and "
            f"POST)"
            + (f" (failures: {joined['failures'][:3]})" if joined["failures"] else ""))

        gevent.sleep(1)
        out["duplicate_deliveries"] = loadgen.duplicate_deliveries(phones)
        errors = [e for p in phones + [organiser] for e in p.errors]
        if errors:
            say(f"meetup: client errors: {len(errors)} (first: {errors[0]})")
        loadgen.close_all(phones + [organiser])
        out["peak_rss_mb"] = rss.stop()
    finally:
        server.terminate()
        server.wait(timeout=10)
    stored = stored_notes(database)
    lost = 0
    for phone, _ack, _sent, note in log.sent:
        if stored.get(uuid.UUID(note).hex, 0) == 0:
            lost += 1
    out["writes_lost"] = lost
    out["duplicates"] = sum(n - 1 for n in stored.values() if n > 1) \
        + out["duplicate_deliveries"] + out["replay"]["not_duplicate"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--table-size", type=int, default=6)
    parser.add_argument("--rate", type=int, default=200, help="sustained new notes a second")
    parser.add_argument("--sustained-seconds", type=float, default=60)
    parser.add_argument("--joins", type=int, default=100)
    parser.add_argument("--port", type=int, default=5099)
    parser.add_argument("--pause-before-burst", type=float, default=0,
                        help="seconds to wait before the meetup burst (to attach py-spy)")
    parser.add_argument("--pause-before-connect", type=float, default=0)
    parser.add_argument("--pause-before-storm", type=float, default=0)
    parser.add_argument("--pause-before-joins", type=float, default=0)
    parser.add_argument("--skip", default="",
                        help="meetup phases to leave out, comma-separated: burst,sustained")
    parser.add_argument("--skip-bare", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="meetup-bench-"))
    about = machine()
    say(f"machine: {about}")
    bare = None if args.skip_bare else run_bare(args, work)
    meetup = run_meetup(args, work)

    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 2) if a and b else None

    burst, bare_burst = meetup["burst"], bare["burst"] if bare else {"ack": [], "fanout": []}
    figures = {
        "participants": args.phones,
        "connect_all_s": round(meetup["connect_all_s"], 2) if meetup["connect_all_s"] else None,
        "bare_connect_all_s": round(bare["connect_all_s"], 2) if bare and bare["connect_all_s"]
        else None,
        "note_ack_ms": p50_p95(burst["ack"]),
        "bare_note_ack_ms": p50_p95(bare_burst["ack"]),
        "note_fanout_ms": p50_p95(burst["fanout"]),
        "bare_note_fanout_ms": p50_p95(bare_burst["fanout"]),
    }
    figures["ratio_note_ack_p95"] = ratio(figures["note_ack_ms"]["p95"],
                                          figures["bare_note_ack_ms"]["p95"])
    figures["ratio_fanout_p95"] = ratio(figures["note_fanout_ms"]["p95"],
                                        figures["bare_note_fanout_ms"]["p95"])
    figures["ratio_connect"] = ratio(figures["connect_all_s"], figures["bare_connect_all_s"])
    steady = meetup["sustained"]
    figures["sustained"] = {"writes_per_s": steady["writes_per_s"], "seconds": steady["seconds"],
                            "ack_ms": p50_p95(steady["ack"])}
    figures["reconnect_storm_s"] = round(meetup["reconnect"]["all_s"], 2) \
        if meetup["reconnect"]["all_s"] else None
    figures["phase_broadcast_ms"] = p50_p95(meetup["phase"]["arrivals"])
    figures["join_ms"] = p50_p95(meetup["join"]["latencies"])
    figures["writes_lost"] = meetup["writes_lost"]
    figures["duplicates"] = meetup["duplicates"]
    figures["server_cpu_s"] = {
        "bare_connect": round(bare["connect_cpu_s"], 2) if bare else None,
        "connect": round(meetup["connect_cpu_s"], 2),
        "reconnect_storm": round(meetup["storm_cpu_s"], 2),
        "joins": round(meetup["join_cpu_s"], 2)}
    figures["server_peak_rss_mb"] = round(meetup["peak_rss_mb"], 1)
    figures["machine"] = about
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
