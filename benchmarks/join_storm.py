"""``make bench``: a room behind one address joins, with default settings (issue 21, point 1).

A venue's phones reach an internet server through one NAT address; here all of them come from
127.0.0.1. ``meetup serve`` runs on SQLite with nothing lifted (no ``MEETUP_JOIN_LIMIT_*``),
and a fresh meetup keeps its default expected size. ``--phones`` browsers (300) each GET the
join form, then POST it: the first ``--at-once`` (61) at the same moment, the rest spread
evenly over ``--seconds`` (60). Refused joins (HTTP 429 or anything but the redirect to the
live page) are counted; the POST's time is the join's latency.

Prints figures and asserts nothing. The LAST line is one JSON object:
``{"join_storm": {"phones", "seconds", "at_once", "refused", "join_ms": {p50, p95},
"server_cpu_s", "machine"}}``.

Usage: .venv/bin/python benchmarks/join_storm.py [--phones 300] [--seconds 60] [--at-once 61]
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
import requests  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import loadgen  # noqa: E402
from loadgen import p50_p95  # noqa: E402
from realtime_load import machine  # noqa: E402
from targets import MEETUP_BIN, ROLES, SECRET, say, wait_for_http  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def fresh_meetup(database_url: str, instance: Path) -> str:
    """An organiser and a new meetup with default settings; returns its join token."""
    from meetup import create_app
    from meetup.extensions import db
    from meetup.services import meetups, organisers

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET,
                      "INSTANCE_PATH": str(instance), "SOCKETIO_ASYNC_MODE": "threading"})
    with app.app_context():
        organiser = organisers.create_organiser(db.session, "storm@example.org",
                                                "rustig-zeven-tafels-lang")
        meetup = meetups.create_meetup(db.session, organiser, title="Zaal achter één adres")
        db.session.commit()
        token, expected = meetup.join_token, meetup.expected_participants
        db.session.remove()
        db.engine.dispose()
    say(f"join storm: a fresh meetup, expected participants {expected} (the default)")
    return token


def storm(base: str, join_token: str, phones: int, seconds: float, at_once: int,
          ) -> dict[str, Any]:
    """Every browser fetches its form, then posts at its moment; latencies and refusals."""
    url = f"{base}/j/{join_token}"
    ready: list[int] = []
    go = gevent.event.Event()
    latencies: list[float] = []
    refused: Counter[str] = Counter()
    spread = max(phones - at_once, 1)

    def phone(i: int) -> None:
        browser = requests.Session()
        try:
            form = browser.get(url, timeout=120)
            token = CSRF.search(form.text)
            if token is None:
                refused[f"form HTTP {form.status_code}"] += 1
                return
            ready.append(i)
            go.wait()
            if i >= at_once:
                gevent.sleep(seconds * (i - at_once + 1) / spread)
            start = time.perf_counter()
            answer = browser.post(url, timeout=120, allow_redirects=False,
                                  headers={"Referer": url},
                                  data={"csrf_token": token.group(1),
                                        "display_name": f"Telefoon {i}",
                                        "role": ROLES[i % len(ROLES)],
                                        "organisation": f"Organisatie {i % 40}"})
            if answer.status_code == 302 and "/live" in answer.headers.get("Location", ""):
                latencies.append(time.perf_counter() - start)
            else:
                refused[f"HTTP {answer.status_code}"] += 1
        except requests.RequestException as error:
            refused[type(error).__name__] += 1

    greenlets = [gevent.spawn(phone, i) for i in range(phones)]
    loadgen.wait_until(lambda: len(ready) + sum(refused.values()) >= phones, 120)
    began = time.perf_counter()
    go.set()
    gevent.joinall(greenlets, timeout=seconds + 180)
    return {"latencies": latencies, "refused": refused,
            "wall_s": time.perf_counter() - began}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--at-once", type=int, default=61)
    parser.add_argument("--port", type=int, default=5097)
    parser.add_argument("--limit-per-address", default="",
                        help="set MEETUP_JOIN_LIMIT_PER_ADDRESS (e.g. the old default "
                             "'30 per minute;600 per hour', to compare)")
    args = parser.parse_args()
    about = machine()
    say(f"machine: {about}")
    work = Path(tempfile.mkdtemp(prefix="meetup-joinstorm-"))
    database_url = f"sqlite:///{work / 'storm.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETUP_JOIN_LIMIT")}
    env.update(MEETUP_DATABASE_URL=database_url, MEETUP_SECRET_KEY=SECRET,
               MEETUP_HOST="127.0.0.1", MEETUP_PORT=str(args.port))
    if args.limit_per_address:
        env["MEETUP_JOIN_LIMIT_PER_ADDRESS"] = args.limit_per_address
    server = None
    try:
        subprocess.run([str(MEETUP_BIN), "db", "upgrade"], env=env, check=True,
                       capture_output=True)
        join_token = fresh_meetup(database_url, work)
        server = subprocess.Popen([str(MEETUP_BIN), "serve"], env=env,
                                  stdout=open(work / "server.log", "wb"),
                                  stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{args.port}"
        wait_for_http(base)
        cpu = loadgen.cpu_seconds(server.pid)
        result = storm(base, join_token, args.phones, args.seconds, min(args.at_once,
                                                                       args.phones))
        cpu = loadgen.cpu_seconds(server.pid) - cpu
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    refused = sum(result["refused"].values())
    join_ms = p50_p95(result["latencies"])
    say(f"join storm: {len(result['latencies'])}/{args.phones} phones from one address joined "
        f"in {result['wall_s']:.1f} s ({args.at_once} at once, the rest over {args.seconds:g} s),"
        f" refused {refused}" + (f" {dict(result['refused'])}" if refused else "")
        + f", join p50 {join_ms['p50']} ms, p95 {join_ms['p95']} ms (server CPU {cpu:.2f} s)")
    print(json.dumps({"join_storm": {
        "phones": args.phones, "seconds": args.seconds, "at_once": args.at_once,
        "refused": refused, "join_ms": join_ms, "server_cpu_s": round(cpu, 2),
        "machine": about}}), flush=True)


if __name__ == "__main__":
    main()
