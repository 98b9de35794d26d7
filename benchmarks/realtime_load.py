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

With ``--with-mail N`` (``make bench``: 5,000) the sustained writes run three times: without
mail, while ``meetup serve``'s own scheduler greenlet sends N due mails of an earlier meetup to
a local SMTP sink (:mod:`mail_load`), and without mail again; a ``mail:`` line before the last
line prints the three ack figures and the mails a second (issue 23).

Absolute figures depend on the machine and on what else runs on it; the ratios compare with the
bare relay measured in the same run. The LAST line printed is one JSON object (see issue 12 and
docs/performance.md). Asserts nothing.

With ``--database postgres --workers 1 3 4`` (``make bench-scale``) the same phases run, with
no bare relay, through nginx to N workers on PostgreSQL + Redis (:mod:`targets`), one JSON line
per set-up with ``workers``, ``spread`` (connections per worker), ``worker_peak_rss_mb`` and
``loadgen_cpu`` (per phase, this process's CPU and waiting-for-a-core shares of wall time:
together near 1.0, the load generator saturates).

Usage: .venv/bin/python benchmarks/realtime_load.py [--phones 1000] [--sustained-seconds 60]
       .venv/bin/python benchmarks/realtime_load.py --database postgres --workers 1 3 4
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import collections  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
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
from targets import (ROLES, Target, postgres_backing, say, sqlite_target,  # noqa: E402
                     wait_for_http)
from tests.scale.harness import established  # noqa: E402
from tests.servers import free_port  # noqa: E402

import mail_load  # noqa: E402


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


class CpuShare:
    """The load generator's main thread over one phase: CPU time and time waiting for a core
    (from /proc/self/schedstat), each over wall time. ``cpu + waiting`` near 1.0: it always had
    work to do, so it saturated (on a busy box it may get far less than a core)."""

    def __init__(self) -> None:
        self.start = self._read(), time.perf_counter()

    @staticmethod
    def _read() -> tuple[float, float]:
        try:
            cpu, wait = Path("/proc/thread-self/schedstat").read_text().split()[:2]
            return int(cpu) / 1e9, int(wait) / 1e9
        except (OSError, ValueError):
            usage = resource.getrusage(resource.RUSAGE_SELF)
            return usage.ru_utime + usage.ru_stime, 0.0

    def share(self) -> dict[str, float]:
        (cpu0, wait0), wall0 = self.start
        cpu, wait = self._read()
        wall = max(time.perf_counter() - wall0, 1e-9)
        return {"cpu": round((cpu - cpu0) / wall, 2), "waiting": round((wait - wait0) / wall, 2)}


def server_cpu(target: Target) -> float:
    """CPU seconds all the target's workers have used so far."""
    return sum(loadgen.cpu_seconds(pid) for pid in target.pids)


def run_meetup(args: argparse.Namespace, seeded: dict[str, Any], target: Target,
               mail: MailWindow | None = None) -> dict[str, Any]:
    """The measured phases against a running ``target`` seeded with ``seeded``; with
    ``mail``, the sustained writes run a second time while the server sends mail."""
    base = target.base
    out: dict[str, Any] = {"loadgen_cpu": {}}
    samplers = [loadgen.RssSampler(pid) for pid in target.pids]
    say(f"meetup: {len(target.pids)} worker(s), idle RSS "
        + ", ".join(f"{s.peak_kib / 1024:.0f}" for s in samplers) + " MiB")
    phones = [Phone(base, {"meetup": seeded["meetup"], "as": "participant"}, p["cookie"],
                    p["table"]) for p in seeded["phones"]]
    organiser = Phone(base, {"meetup": seeded["meetup"], "as": "organiser"},
                      seeded["organiser"])
    log = loadgen.WriteLog()
    try:
        if args.pause_before_connect:
            say(f"meetup: connecting in {args.pause_before_connect} s (attach a profiler now)")
            gevent.sleep(args.pause_before_connect)
        cpu, share = server_cpu(target), CpuShare()
        connected = loadgen.connect_all(phones, timeout=args.connect_timeout)
        out["loadgen_cpu"]["connect"] = share.share()
        out["connect_all_s"] = connected["all_s"]
        out["connect_cpu_s"] = cpu = server_cpu(target) - cpu
        out["connected"] = connected["connected"]
        say(f"meetup: {connected['connected']}/{len(phones)} connected in "
            f"{connected['all_s'] or float('nan'):.2f} s (p50 {connected['p50_s']:.2f} s, "
            f"server CPU {cpu:.2f} s)")
        out["spread"] = list(established(target.ports).values())
        if len(target.ports) > 1:
            say(f"meetup: connections per worker {out['spread']}")
        ready = [p for p in phones if p.snapshot_at is not None]

        if args.pause_before_burst:
            say(f"meetup: burst in {args.pause_before_burst} s (attach a profiler now)")
            gevent.sleep(args.pause_before_burst)
        skip = set(args.skip.split(",")) if args.skip else set()
        cpu = CpuShare()
        out["burst"] = burst = loadgen.burst(ready if "burst" not in skip else [], log)
        out["loadgen_cpu"]["burst"] = cpu.share()
        say(f"meetup: burst acks {len(burst['ack'])}/{len(ready)} (not ok {burst['not_ok']}), "
            f"p50 {loadgen.pct(burst['ack'], .5):.0f} ms, p95 {loadgen.pct(burst['ack'], .95):.0f}"
            f" ms; fan-out p95 {loadgen.pct(burst['fanout'], .95):.0f} ms "
            f"(missing {burst['fanout_missing']})")

        cpu = CpuShare()
        out["sustained"] = steady = loadgen.sustained(
            ready, log, args.rate, 0 if "sustained" in skip else args.sustained_seconds)
        out["loadgen_cpu"]["sustained"] = cpu.share()
        say(f"meetup: sustained {steady['writes_per_s']} writes/s for {steady['seconds']} s, "
            f"ack p50 {loadgen.pct(steady['ack'], .5):.0f} ms, "
            f"p95 {loadgen.pct(steady['ack'], .95):.0f} ms (not ok {steady['not_ok']})")
        if mail is not None:
            out["mail"] = mail.measure(ready, log, steady)

        if loadgen.connect_all([organiser], timeout=30)["all_s"] is None:
            reason = "; ".join(organiser.errors[:3])[:600]
            if any(e.startswith("refused") for e in organiser.errors):  # its cookie
                raise SystemExit("the organiser's socket was refused: " + reason)
            say(f"meetup: the organiser could not connect within 30 s ({reason})")
            out["phase"] = phase = {"arrivals": [], "missing": len(phones), "ack": None}
        else:
            out["phase"] = phase = loadgen.phase_broadcast(organiser, phones, "round_2")
        say(f"meetup: phase change reached {len(phase['arrivals'])}/{len(phones)} phones, "
            f"p95 {loadgen.pct(phase['arrivals'], .95):.0f} ms"
            + ("" if phase["arrivals"] else f" (the organiser's answer: {phase['ack']})"))

        if args.pause_before_storm:
            say(f"meetup: reconnect storm in {args.pause_before_storm} s (attach a profiler now)")
            gevent.sleep(args.pause_before_storm)
        cpu, share = server_cpu(target), CpuShare()
        out["reconnect"] = storm = loadgen.reconnect_storm(phones, timeout=args.connect_timeout)
        out["loadgen_cpu"]["reconnect"] = share.share()
        out["storm_cpu_s"] = cpu = server_cpu(target) - cpu
        say(f"meetup: reconnect storm: {storm['connected']}/{len(phones)} hold a fresh "
            f"snapshot after {storm['all_s'] or float('nan'):.2f} s (server CPU {cpu:.2f} s; "
            f"load generator {out['loadgen_cpu']['reconnect']})")

        out["replay"] = replay = loadgen.replay_last(phones)
        say(f"meetup: {len(replay['ack'])} resent ops answered, p95 "
            f"{loadgen.pct(replay['ack'], .95):.0f} ms, not marked duplicate "
            f"{replay['not_duplicate']}, unanswered {replay['unanswered']}")

        if args.pause_before_joins:
            say(f"meetup: joins in {args.pause_before_joins} s (attach a profiler now)")
            gevent.sleep(args.pause_before_joins)
        cpu = server_cpu(target)
        out["join"] = joined = join_storm(base, seeded["join_token"], args.joins)
        out["join_cpu_s"] = cpu = server_cpu(target) - cpu
        say(f"meetup: {len(joined['latencies'])}/{args.joins} joined over HTTP, p95 "
            f"{loadgen.pct(joined['latencies'], .95):.0f} ms (server CPU {cpu:.2f} s, GET and "
            f"POST)"
            + (f" (failures: {joined['failures'][:3]})" if joined["failures"] else ""))

        gevent.sleep(1)
        out["duplicate_deliveries"] = loadgen.duplicate_deliveries(phones)
        errors = [e for p in phones + [organiser] for e in p.errors]
        if errors:
            kinds = collections.Counter(re.sub(r"\W*-\+-\+-.*|\{.*", "", e)[:90]
                                        for e in errors)
            say(f"meetup: client errors: {len(errors)}: {dict(kinds.most_common(4))}")
    finally:
        loadgen.close_all(phones + [organiser])
        out["peak_rss_mb"] = [round(s.stop(), 1) for s in samplers]
    stored = target.stored_notes()
    lost = 0
    for phone, _ack, _sent, note in log.sent:
        if stored.get(uuid.UUID(note).hex, 0) == 0:
            lost += 1
    out["writes_lost"] = lost
    out["duplicates"] = sum(n - 1 for n in stored.values() if n > 1) \
        + out["duplicate_deliveries"] + out["replay"]["not_duplicate"]
    return out


class MailWindow:
    """``--with-mail N``: after the sustained writes, N reminders of an earlier meetup come
    due; the same sustained writes run again while ``meetup serve``'s scheduler greenlet sends
    them to a local SMTP sink. The remaining mail is then cancelled and the writes run a third
    time without mail (a control for the later moment: a fuller database, a warmer server),
    so the later phases run as without mail too."""

    def __init__(self, args: argparse.Namespace, database_url: str, work: Path) -> None:
        self.args, self.database_url, self.work = args, database_url, work
        self.database = work / "bench.sqlite3"

    def measure(self, ready: list[Phone], log: loadgen.WriteLog,
                without: dict[str, Any]) -> dict[str, Any]:
        args = self.args
        mail_load.queue_due(self.database_url, self.work, args.with_mail)
        before = mail_load.sent(self.database)
        # The scheduler looks every second: the window starts once it is sending.
        loadgen.wait_until(lambda: mail_load.sent(self.database) > before, 30)
        before, start = mail_load.sent(self.database), time.perf_counter()
        cpu = CpuShare()
        steady = loadgen.sustained(ready, log, args.rate, args.sustained_seconds)
        took = time.perf_counter() - start
        sent = mail_load.sent(self.database) - before
        cancelled = mail_load.cancel_rest(self.database)
        # The control: once the scheduler's claimed batch is through, the same writes again
        # without mail (what is left of the difference is the mail's, not the later moment's).
        settled = self._settle()
        after = loadgen.sustained(ready, log, args.rate, args.sustained_seconds)
        rate = args.mail_rate or 20
        figures = {
            "due": args.with_mail, "mail_rate_setting": rate,
            "sent_in_window": sent, "mails_per_s": round(sent / took, 1),
            "left_unsent": cancelled,
            "ack_p95_ms_without_mail": round(loadgen.pct(without["ack"], .95), 1),
            "ack_p95_ms_with_mail": round(loadgen.pct(steady["ack"], .95), 1),
            "ack_p50_ms_without_mail": round(loadgen.pct(without["ack"], .5), 1),
            "ack_p50_ms_with_mail": round(loadgen.pct(steady["ack"], .5), 1),
            "ack_p95_ms_without_mail_after": round(loadgen.pct(after["ack"], .95), 1),
            "ack_p50_ms_without_mail_after": round(loadgen.pct(after["ack"], .5), 1),
            "sent_after_window": settled,
            "writes_per_s_with_mail": steady["writes_per_s"], "not_ok": steady["not_ok"],
            "loadgen_cpu": cpu.share()}
        say(f"meetup: sustained ack p95 without mail {figures['ack_p95_ms_without_mail']:.0f} "
            f"ms | with the scheduler sending {figures['ack_p95_ms_with_mail']:.0f} ms | "
            f"without mail again {figures['ack_p95_ms_without_mail_after']:.0f} ms "
            f"(p50 {figures['ack_p50_ms_without_mail']:.0f} | "
            f"{figures['ack_p50_ms_with_mail']:.0f} | "
            f"{figures['ack_p50_ms_without_mail_after']:.0f} ms); {sent} of {args.with_mail} "
            f"due mails "
            f"sent in the {took:.1f} s window = {figures['mails_per_s']} mails/s "
            f"(MEETUP_MAIL_RATE {rate}; {cancelled} left unsent, cancelled)")
        return figures

    def _settle(self, quiet: float = 2.0, limit: float = 60.0) -> int:
        """Wait until no mail has been sent for ``quiet`` seconds; the mails sent meanwhile."""
        first = last = mail_load.sent(self.database)
        since, start = time.perf_counter(), time.perf_counter()
        while time.perf_counter() - since < quiet and time.perf_counter() - start < limit:
            gevent.sleep(0.25)
            now = mail_load.sent(self.database)
            if now != last:
                last, since = now, time.perf_counter()
        return last - first


#: The keys of the last line, as issue 12 lists them.
ISSUE_KEYS = (
    "participants", "connect_all_s", "bare_connect_all_s", "note_ack_ms", "bare_note_ack_ms",
    "note_fanout_ms", "bare_note_fanout_ms", "ratio_note_ack_p95", "ratio_fanout_p95",
    "ratio_connect", "sustained", "reconnect_storm_s", "phase_broadcast_ms", "join_ms",
    "writes_lost", "duplicates", "server_peak_rss_mb", "machine")


def figures_of(args: argparse.Namespace, meetup: dict[str, Any]) -> dict[str, Any]:
    """The JSON keys that every set-up has (SQLite and the scale-out)."""
    steady = meetup["sustained"]
    return {
        "participants": args.phones,
        "connect_all_s": round(meetup["connect_all_s"], 2) if meetup["connect_all_s"] else None,
        "note_ack_ms": p50_p95(meetup["burst"]["ack"]),
        "note_fanout_ms": p50_p95(meetup["burst"]["fanout"]),
        "sustained": {"writes_per_s": steady["writes_per_s"], "seconds": steady["seconds"],
                      "ack_ms": p50_p95(steady["ack"])},
        "reconnect_storm_s": round(meetup["reconnect"]["all_s"], 2)
        if meetup["reconnect"]["all_s"] else None,
        "phase_broadcast_ms": p50_p95(meetup["phase"]["arrivals"]),
        "join_ms": p50_p95(meetup["join"]["latencies"]),
        "writes_lost": meetup["writes_lost"],
        "duplicates": meetup["duplicates"],
        # CPU seconds the server(s) spent per phase: less stretched by other load than the wall.
        "server_cpu_s": {"connect": round(meetup["connect_cpu_s"], 2),
                         "reconnect_storm": round(meetup["storm_cpu_s"], 2),
                         "joins": round(meetup["join_cpu_s"], 2)},
        "server_peak_rss_mb": max(meetup["peak_rss_mb"]),
    }


def run_scale_out(args: argparse.Namespace, work: Path) -> None:
    """One JSON line per worker count: the same phases through nginx to N workers."""
    with postgres_backing(args, work) as backing:
        for workers in args.workers:
            about = machine()
            say(f"machine: {about}")
            with backing.cluster(workers) as target:
                meetup = run_meetup(args, backing.seeded, target)
            acks = meetup["burst"]["ack"]
            figures = {"database": "postgres+redis+nginx", "workers": workers,
                       **figures_of(args, meetup),
                       "connected": meetup["connected"],
                       # Writes acknowledged a second while everyone sends at once.
                       "reconnected": meetup["reconnect"]["connected"],
                       "replays_unanswered": meetup["replay"]["unanswered"],
                       "burst_acks_per_s": round(len(acks) / max(acks), 1) if acks else None,
                       "spread": meetup["spread"],
                       "worker_peak_rss_mb": meetup["peak_rss_mb"],
                       "loadgen_cpu": meetup["loadgen_cpu"],
                       "load_after": round(os.getloadavg()[0], 1),
                       "machine": about}
            print(json.dumps(figures), flush=True)


def stop_on_sigterm() -> None:
    """``kill`` (or make stopped) unwinds like Ctrl-C: every server stopped, temp dirs gone."""
    gevent.signal_handler(signal.SIGTERM, gevent.getcurrent().throw, KeyboardInterrupt)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--table-size", type=int, default=6)
    parser.add_argument("--rate", type=int, default=200, help="sustained new notes a second")
    parser.add_argument("--sustained-seconds", type=float, default=60)
    parser.add_argument("--joins", type=int, default=100)
    parser.add_argument("--port", type=int, default=5099)
    parser.add_argument("--connect-timeout", type=float, default=180,
                        help="seconds to wait for all phones to connect (and to reconnect)")
    parser.add_argument("--pause-before-burst", type=float, default=0,
                        help="seconds to wait before the meetup burst (to attach py-spy)")
    parser.add_argument("--pause-before-connect", type=float, default=0)
    parser.add_argument("--pause-before-storm", type=float, default=0)
    parser.add_argument("--pause-before-joins", type=float, default=0)
    parser.add_argument("--skip", default="",
                        help="meetup phases to leave out, comma-separated: burst,sustained")
    parser.add_argument("--skip-bare", action="store_true")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite",
                        help="postgres: workers on PostgreSQL + Redis behind nginx (no bare run)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1],
                        help="with --database postgres: one run per worker count, e.g. 1 3 4")
    parser.add_argument("--with-mail", type=int, default=0, metavar="N",
                        help="SQLite: run the sustained writes again while meetup serve's mail "
                             "scheduler sends N due mails to a local SMTP server (issue 23)")
    parser.add_argument("--mail-rate", type=int, default=None,
                        help="with --with-mail: MEETUP_MAIL_RATE for the server (default: its "
                             "own default, 20 a second)")
    args = parser.parse_args()
    stop_on_sigterm()

    work = Path(tempfile.mkdtemp(prefix="meetup-bench-"))
    try:
        if args.database == "postgres":
            run_scale_out(args, work)
            return
        about = machine()
        say(f"machine: {about}")
        bare = None if args.skip_bare else run_bare(args, work)
        sink = mail_env = mail_seed = None
        if args.with_mail:
            smtp_port = free_port()
            sink = mail_load.start_sink(smtp_port, work / "smtp.log")
            mail_env = mail_load.server_env(smtp_port, args.mail_rate)
            mail_seed = mail_load.seed_earlier_meetup
        try:
            with sqlite_target(args, work, mail_env, mail_seed) as (seeded, target):
                window = MailWindow(args, f"sqlite:///{work / 'bench.sqlite3'}", work) \
                    if args.with_mail else None
                meetup = run_meetup(args, seeded, target, window)
                vectors_note(work / "bench.sqlite3")
        finally:
            if sink is not None:
                sink.terminate()
                sink.wait(timeout=10)
        if "mail" in meetup:
            # Before the last line (which keeps issue 12's keys): the mail figures.
            print("mail: " + json.dumps(meetup["mail"]), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 2) if a and b else None

    bare_burst = bare["burst"] if bare else {"ack": [], "fanout": []}
    figures = figures_of(args, meetup)
    figures["bare_connect_all_s"] = round(bare["connect_all_s"], 2) \
        if bare and bare["connect_all_s"] else None
    figures["bare_note_ack_ms"] = p50_p95(bare_burst["ack"])
    figures["bare_note_fanout_ms"] = p50_p95(bare_burst["fanout"])
    figures["ratio_note_ack_p95"] = ratio(figures["note_ack_ms"]["p95"],
                                          figures["bare_note_ack_ms"]["p95"])
    figures["ratio_fanout_p95"] = ratio(figures["note_fanout_ms"]["p95"],
                                        figures["bare_note_fanout_ms"]["p95"])
    figures["ratio_connect"] = ratio(figures["connect_all_s"], figures["bare_connect_all_s"])
    cpu = {"bare_connect": round(bare["connect_cpu_s"], 2) if bare else None,
           **figures.pop("server_cpu_s")}
    say(f"server CPU seconds per phase: {json.dumps(cpu)}")
    figures["machine"] = about
    # The last line: exactly issue 12's keys, in its order.
    print(json.dumps({key: figures[key] for key in ISSUE_KEYS}), flush=True)


def vectors_note(database: Path) -> None:
    """Issue 24: the notes' sentence vectors are computed by the server after each write's ack,
    in a child process at the lowest priority: say how far it got during this run."""
    import sqlite3

    with sqlite3.connect(database) as conn:
        total, with_vector = conn.execute(
            "SELECT COUNT(*), COUNT(vector) FROM notes").fetchone()
    say(f"note vectors stored in the background during this run: {with_vector} of {total} "
        "notes (computed after each write's ack, off the write path; MEETUP_NOTE_VECTORS=0 "
        "turns the job off for a comparison)")


if __name__ == "__main__":
    main()
