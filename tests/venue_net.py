"""A private network for the venue tests: a network namespace (the "laptop") joined to this
machine by a veth pair, with test addresses made here and nowhere else.

Inside the namespace the laptop has 10.213.N.2 (default route via 10.213.N.1, this machine's
end of the pair) and a second address 10.213.N.3 on the same link, to test reachability from.
Everything is removed afterwards. Needs root and ``ip`` (iproute2), as on the test machines.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.servers import MEETUP_BIN


@dataclass(frozen=True)
class VenueNet:
    namespace: str
    host_address: str  # this machine's end: a phone on the venue's network
    laptop_address: str  # the laptop's address on that network
    second_address: str  # a second address of the laptop, to probe from

    def exec_prefix(self) -> list[str]:
        return ["ip", "netns", "exec", self.namespace]


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


def _used_subnets() -> set[int]:
    out = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True,
                         check=True).stdout
    return {int(part.split(".")[2]) for part in out.split() if part.startswith("10.213.")}


@contextmanager
def venue_net() -> Iterator[VenueNet]:
    tag = f"{os.getpid() % 100000}{random.randint(0, 99)}"
    namespace, host_if, laptop_if = f"i21v{tag}", f"i21v{tag}a", f"i21v{tag}b"
    used = _used_subnets()
    subnet = next(n for n in random.sample(range(1, 255), 254) if n not in used)
    net = VenueNet(namespace, f"10.213.{subnet}.1", f"10.213.{subnet}.2",
                   f"10.213.{subnet}.3")
    _ip("netns", "add", namespace)
    try:
        _ip("link", "add", host_if, "type", "veth", "peer", "name", laptop_if)
        _ip("link", "set", laptop_if, "netns", namespace)
        _ip("addr", "add", f"{net.host_address}/24", "dev", host_if)
        _ip("link", "set", host_if, "up")
        inside = ["-n", namespace]
        _ip(*inside, "addr", "add", f"{net.laptop_address}/24", "dev", laptop_if)
        _ip(*inside, "addr", "add", f"{net.second_address}/24", "dev", laptop_if)
        _ip(*inside, "link", "set", "lo", "up")
        _ip(*inside, "link", "set", laptop_if, "up")
        _ip(*inside, "route", "add", "default", "via", net.host_address)
        yield net
    finally:
        subprocess.run(["ip", "link", "del", host_if], capture_output=True)
        subprocess.run(["ip", "netns", "del", namespace], capture_output=True)


class VenueProcess:
    """``meetup venue`` running in the namespace; its output is collected line by line."""

    def __init__(self, net: VenueNet, tmp_dir: Path, port: int, *args: str) -> None:
        env = dict(os.environ)
        env.update({"MEETUP_DATABASE_URL": f"sqlite:///{tmp_dir / 'venue.sqlite3'}",
                    "PYTHONUNBUFFERED": "1"})
        env.pop("MEETUP_PUBLIC_URL", None)
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [*net.exec_prefix(), str(MEETUP_BIN), "venue", "--port", str(port),
             "--instance-dir", str(tmp_dir / "instance"), *args],
            env=env, cwd=tmp_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, condition: Callable[[], object], what: str, timeout: float = 60) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = condition()
            if found:
                return found
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"{what} did not happen; output:\n{self.output[-4000:]}")

    def wait_for_line(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        regex = re.compile(pattern)
        return self.wait_for(
            lambda: next((m for m in map(regex.search, list(self.lines)) if m), None),
            f"a line matching {pattern!r}", timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=5)


@contextmanager
def venue_process(net: VenueNet, tmp_dir: Path, port: int, *args: str) -> Iterator[VenueProcess]:
    process = VenueProcess(net, tmp_dir, port, *args)
    try:
        yield process
    finally:
        process.stop()
