"""The load generator shared by every realtime benchmark: N phones as raw Socket.IO websockets.

One :class:`Phone` is one websocket speaking Engine.IO 4 + Socket.IO 5 on the default namespace,
run on a gevent greenlet (the caller patches the standard library). The phase functions
(:func:`connect_all`, :func:`burst`, :func:`sustained`, :func:`reconnect_storm`, ...) drive a
list of phones against any server that speaks the meetup's protocol for ``note.create`` (the
real ``meetup serve`` or the bare floor server in ``bare_server.py``), so both are measured by
exactly the same client code. Nothing here asserts: the functions return figures.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gevent
import websocket


class Phone:
    """One phone (or organiser window): a websocket that records what arrives and when."""

    #: Reconnect back-off after the server dropped the connection, as socket.io-client does
    #: it: (first delay, longest delay) in seconds, each delay randomised by half. The default
    #: is socket.io-client's own; ``restart_resync.py`` uses the page's (static/js/live).
    BACKOFF = (1.0, 5.0)

    def __init__(self, base: str, auth: dict[str, Any], cookie: str = "",
                 table: int | None = None) -> None:
        self.url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.auth = auth
        self.cookie = cookie
        self.table = table
        self.ws: websocket.WebSocket | None = None
        self.greenlet: gevent.Greenlet | None = None
        #: perf_counter time the latest websocket opened (its handshake answered).
        self.opened_at: float | None = None
        #: perf_counter time of the latest ``snapshot`` (None: none on this connection yet).
        self.snapshot_at: float | None = None
        #: ack id -> (arrival time, ack payload)
        self.acks: dict[int, tuple[float, Any]] = {}
        #: note uuid -> arrival times of ``note`` broadcasts (more than one: a duplicate).
        self.notes_seen: dict[str, list[float]] = {}
        self.phase_at: dict[str, float] = {}
        self.errors: list[str] = []
        self.closing = False
        self._next_ack = 0
        #: What this phone wrote: (op, note uuid, text) in order, for resends and the loss check.
        self.written: list[tuple[str, str, str]] = []
        #: ack id -> op of the write it answers; op -> (arrival time, ack) of its first answer.
        self.op_of: dict[int, str] = {}
        self.op_acks: dict[str, tuple[float, Any]] = {}
        #: True while the connection is down (the server dropped it); it reconnects by itself.
        self.down = False
        self.reconnects = 0
        #: Failed connections since the last snapshot (the reconnect delay grows with it).
        self._attempt = 0

    # -- connection -------------------------------------------------------------------------

    def start(self) -> None:
        self.snapshot_at = None
        self.closing = False
        self.down = False
        self.greenlet = gevent.spawn(self._run)

    def _run(self) -> None:
        try:
            header = [f"Cookie: {self.cookie}"] if self.cookie else []
            # websocket-client checks every received frame's UTF-8 in pure Python: with the
            # snapshots of a full room (10-40 KiB each) that check took most of this one
            # process's CPU in a reconnect storm (py-spy), where a phone's browser checks its
            # own frames natively. Python's str decoding still rejects invalid UTF-8.
            self.ws = websocket.create_connection(self.url, header=header, timeout=300,
                                                  skip_utf8_validation=True)
            self.opened_at = time.perf_counter()
            self.ws.recv()  # Engine.IO open packet "0{...}"
            self.ws.send("40" + json.dumps(self.auth))
            while True:
                message = self.ws.recv()
                if not message:
                    return
                self._handle(message)
        except (websocket.WebSocketException, OSError) as error:
            if not self.closing:
                self.errors.append(repr(error))
        if not self.closing:
            # Dropped by the server (e.g. a ping timeout under load): come back like
            # socket.io-client does (1 s, doubling up to 5 s, randomised by half), and resend
            # what was not acknowledged after the snapshot.
            self.down = True
            self.reconnects += 1
            self._attempt += 1
            first, longest = self.BACKOFF
            delay = first * 2.0 ** (self._attempt - 1)
            delay = min(longest, delay + random.uniform(-0.5, 0.5) * delay)
            gevent.spawn_later(delay, self.start)

    def hang_up(self) -> None:
        """Drop the connection at once (a polite close waits for the server)."""
        self.closing = True
        if self.ws is not None:
            try:
                self.ws.shutdown()
            except OSError:
                pass

    def _handle(self, message: str) -> None:
        now = time.perf_counter()
        if message == "2":  # Engine.IO ping
            self.ws.send("3")
        elif message.startswith("44"):
            self.errors.append("refused: " + message[:200])
        elif message.startswith('42["snapshot",'):
            # Only its arrival counts here: a phone parses its own snapshot on its own CPU,
            # while this one process would parse 1,000 of them (10-40 KiB each) on the two
            # cores the server needs.
            self.snapshot_at = now
            self._attempt = 0
            if self.reconnects:
                gevent.spawn(self.resend_unacknowledged)
        elif message.startswith("42"):
            event, *args = json.loads(message[2:])
            if event == "snapshot":
                self.snapshot_at = now
                self._attempt = 0
                if self.reconnects:
                    gevent.spawn(self.resend_unacknowledged)
            elif event == "note":
                self.notes_seen.setdefault(args[0]["note"]["uuid"], []).append(now)
            elif event == "phase":
                self.phase_at.setdefault(args[0]["phase"], now)
        elif message.startswith("43"):
            match = re.match(r"43(\d+)", message)
            if match:
                body = message[match.end():]
                ack_id = int(match.group(1))
                self.acks[ack_id] = (now, json.loads(body)[0] if body else None)
                op = self.op_of.get(ack_id)
                if op is not None:
                    self.op_acks.setdefault(op, self.acks[ack_id])

    # -- writes -----------------------------------------------------------------------------

    def send_event(self, event: str, payload: dict[str, Any]) -> tuple[int, float]:
        """Send ``event`` with an ack id; returns (ack id, send time)."""
        self._next_ack += 1
        ack_id = self._next_ack
        if "op" in payload:
            self.op_of[ack_id] = payload["op"]
        sent = time.perf_counter()
        try:
            self.ws.send(f"42{ack_id}" + json.dumps([event, payload]))
        except (websocket.WebSocketException, OSError, AttributeError):
            pass  # the connection is down: resent after the reconnect's snapshot
        return ack_id, sent

    def resend_unacknowledged(self) -> None:
        for op, note, text in list(self.written):
            if op not in self.op_acks:
                self.send_event("note.create",
                                {"op": op, "note": note, "round": "happens", "text": text})

    def write_note(self, text: str, round_key: str = "happens") -> tuple[int, float, str]:
        """A new ``note.create``; returns (ack id, send time, note uuid)."""
        op, note = str(uuid.uuid4()), str(uuid.uuid4())
        self.written.append((op, note, text))
        ack_id, sent = self.send_event(
            "note.create", {"op": op, "note": note, "round": "happens", "text": text})
        return ack_id, sent, note

    def resend_last(self) -> tuple[int, float] | None:
        """Send the last note again with the same ``op`` (what a page does after a reconnect)."""
        if not self.written:
            return None
        op, note, text = self.written[-1]
        return self.send_event("note.create",
                               {"op": op, "note": note, "round": "happens", "text": text})


# -- figures ------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """The q-quantile of ``values`` (seconds) in milliseconds, nearest rank."""
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] * 1000


def p50_p95(values: list[float]) -> dict[str, float | None]:
    """Milliseconds; None when nothing was measured (the JSON has no NaN)."""
    if not values:
        return {"p50": None, "p95": None}
    return {"p50": round(pct(values, .5), 1), "p95": round(pct(values, .95), 1)}


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used so far: a machine's other load
    stretches wall-clock figures, much less the CPU a phase costs the server."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


class RssSampler:
    """The server's peak resident memory, sampled every 0.2 s in a greenlet."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kib = rss_kib(pid)
        self._greenlet = gevent.spawn(self._loop)

    def _loop(self) -> None:
        while True:
            self.peak_kib = max(self.peak_kib, rss_kib(self.pid))
            gevent.sleep(0.2)

    def stop(self) -> float:
        self._greenlet.kill()
        self.peak_kib = max(self.peak_kib, rss_kib(self.pid))
        return self.peak_kib / 1024


def wait_until(done: Callable[[], bool], timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if done():
            return True
        gevent.sleep(0.05)
    return done()


# -- phases -------------------------------------------------------------------------------


def connect_all(phones: list[Phone], timeout: float = 180) -> dict[str, Any]:
    """Open every socket at once; time until each holds its snapshot."""
    start = time.perf_counter()
    for phone in phones:
        phone.start()
    wait_until(lambda: all(p.snapshot_at is not None for p in phones), timeout)
    times = [p.snapshot_at - start for p in phones if p.snapshot_at is not None]
    return {"connected": len(times), "all_s": max(times) if len(times) == len(phones) else None,
            "p50_s": pct(times, .5) / 1000}


@dataclass
class WriteLog:
    """Every ``note.create`` sent: (phone, ack id, send time, note uuid)."""

    sent: list[tuple[Phone, int, float, str]] = field(default_factory=list)

    def ack_latencies(self, entries: list[tuple[Phone, int, float, str]] | None = None,
                      ) -> tuple[list[float], int]:
        """Latencies of ``ok`` acks, and the number of writes not acknowledged ``ok``."""
        latencies, failed = [], 0
        for phone, ack_id, sent, _note in entries if entries is not None else self.sent:
            ack = phone.op_acks.get(phone.op_of.get(ack_id, ""))
            if ack is not None and isinstance(ack[1], dict) and ack[1].get("ok"):
                latencies.append(ack[0] - sent)
            else:
                failed += 1
        return latencies, failed


def burst(phones: list[Phone], log: WriteLog, timeout: float = 180) -> dict[str, Any]:
    """Every phone writes one note at the same moment; ack and table-mate arrival times."""
    entries = []
    for i, phone in enumerate(phones):
        ack_id, sent, note = phone.write_note(f"Notitie van telefoon {i}")
        entries.append((phone, ack_id, sent, note))
    log.sent.extend(entries)
    wait_until(lambda: all(p.op_of[a] in p.op_acks for p, a, _s, _n in entries), timeout)
    mates: dict[Any, list[Phone]] = {}
    for phone in phones:
        mates.setdefault(phone.table, []).append(phone)

    def delivered() -> bool:
        return all(note in mate.notes_seen for owner, _a, _s, note in entries
                   for mate in mates[owner.table] if mate is not owner)

    wait_until(delivered, 30)
    latencies, failed = log.ack_latencies(entries)
    fanout, missing = [], 0
    for owner, _ack, sent, note in entries:
        for mate in mates[owner.table]:
            if mate is owner:
                continue
            seen = mate.notes_seen.get(note)
            if seen:
                fanout.append(seen[0] - sent)
            else:
                missing += 1
    return {"ack": latencies, "not_ok": failed, "fanout": fanout, "fanout_missing": missing}


def sustained(phones: list[Phone], log: WriteLog, per_second: int, seconds: float,
              ) -> dict[str, Any]:
    """``per_second`` new notes a second, spread evenly over time and phones."""
    entries: list[tuple[Phone, int, float, str]] = []
    tick = 0.05
    per_tick = per_second * tick
    start = time.perf_counter()
    due = 0.0
    index = 0
    while time.perf_counter() - start < seconds:
        due += per_tick
        while due >= 1:
            due -= 1
            phone = phones[index % len(phones)]
            index += 1
            ack_id, sent, note = phone.write_note(f"Doorlopend {index}")
            entries.append((phone, ack_id, sent, note))
        next_at = start + tick * (len(entries) / per_tick + 1)
        gevent.sleep(max(0.0, next_at - time.perf_counter()))
    elapsed = time.perf_counter() - start
    log.sent.extend(entries)
    wait_until(lambda: all(p.op_of[a] in p.op_acks for p, a, _s, _n in entries), 120)
    latencies, failed = log.ack_latencies(entries)
    return {"writes_per_s": round(len(entries) / elapsed, 1), "seconds": round(elapsed, 1),
            "ack": latencies, "not_ok": failed}


def phase_broadcast(organiser: Phone, phones: list[Phone], phase: str) -> dict[str, Any]:
    """The organiser changes the phase; arrival time of ``phase`` at every phone."""
    ack_id, sent = organiser.send_event("phase.set", {"op": str(uuid.uuid4()), "phase": phase})
    # A phone whose socket was refused never hears it: wait for the connected ones only.
    waiting = [p for p in phones if p.snapshot_at is not None]
    wait_until(lambda: all(phase in p.phase_at for p in waiting), 60)
    arrivals = [p.phase_at[phase] - sent for p in phones if phase in p.phase_at]
    ack = organiser.acks.get(ack_id)
    return {"arrivals": arrivals, "missing": len(phones) - len(arrivals),
            "ack": ack[1] if ack else None}


def reconnect_storm(phones: list[Phone], timeout: float = 120) -> dict[str, Any]:
    """Every phone drops at once and reconnects; time until each holds a fresh snapshot."""
    for phone in phones:
        phone.hang_up()
    gevent.joinall([p.greenlet for p in phones if p.greenlet is not None], timeout=10)
    start = time.perf_counter()
    for phone in phones:
        phone.start()
    wait_until(lambda: all(p.snapshot_at is not None for p in phones), timeout)
    times = [p.snapshot_at - start for p in phones if p.snapshot_at is not None]
    return {"connected": len(times), "all_s": max(times) if len(times) == len(phones) else None}


def replay_last(phones: list[Phone]) -> dict[str, Any]:
    """Each phone resends its last note with the same ``op``: answered, stored once."""
    entries = []
    for phone in phones:
        if phone.snapshot_at is None:
            continue  # its socket was refused: a page would resend after it reconnects
        sent = phone.resend_last()
        if sent is not None:
            entries.append((phone, *sent))
    wait_until(lambda: all(ack_id in p.acks for p, ack_id, _s in entries), 60)
    latencies, not_duplicate, unanswered = [], 0, 0
    for phone, ack_id, sent in entries:
        ack = phone.acks.get(ack_id)
        if ack is None:
            unanswered += 1  # its socket went down meanwhile: nothing was stored again
            continue
        if not isinstance(ack[1], dict) or not ack[1].get("ok"):
            not_duplicate += 1
            continue
        latencies.append(ack[0] - sent)
        if not ack[1].get("duplicate"):
            not_duplicate += 1
    return {"ack": latencies, "not_duplicate": not_duplicate, "unanswered": unanswered}


def duplicate_deliveries(phones: list[Phone]) -> int:
    """``note`` broadcasts a phone received more than once for one note."""
    return sum(len(times) - 1 for p in phones for times in p.notes_seen.values() if len(times) > 1)


def close_all(phones: list[Phone]) -> None:
    for phone in phones:
        phone.hang_up()
    gevent.joinall([p.greenlet for p in phones if p.greenlet is not None], timeout=10)
