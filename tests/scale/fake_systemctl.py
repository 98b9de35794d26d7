"""``systemctl`` for the install script's tests: this machine has no systemd as PID 1, so this
runs the commands the units would run.

    python fake_systemctl.py ROOT COMMAND [--quiet] [--now] UNIT...

Units are read from ROOT/etc/systemd/system (``meetup@8001.service`` from the template
``meetup@.service``, ``%i`` = 8001): ``ExecStart`` is started with the unit's
``EnvironmentFile``, ``Environment`` and ``WorkingDirectory`` in its own process group;
``stop`` sends SIGTERM to the group as systemd does, SIGKILL after ``TimeoutStopSec``.
``caddy`` is Debian's /lib/systemd/system/caddy.service with its /etc paths under ROOT and
its home (certificates, the local authority) in ROOT/var/lib/caddy. State (pids, enabled
units, every call) lives in ROOT/run/fake-systemd/. ``User=`` is not applied (the tests run
as one user). Timers are only marked enabled/active: the tests run their services' commands.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

DEBIAN_CADDY_UNIT = Path("/lib/systemd/system/caddy.service")


def read_unit(path: Path, instance: str = "") -> dict[str, list[str]]:
    """The [Service] settings of a unit file (each key's values in order), %i filled in."""
    settings: dict[str, list[str]] = {}
    section = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        if section == "Service" and "=" in line:
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip().replace("%i", instance))
    return settings


def environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines, as systemd reads an EnvironmentFile."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


class FakeSystemd:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.state = root / "run" / "fake-systemd"
        (self.state / "enabled").mkdir(parents=True, exist_ok=True)

    # -- units -------------------------------------------------------------------------------

    def command(self, unit: str) -> tuple[list[str], dict[str, str], Path, float]:
        """What starting ``unit`` runs: argv, environment, working directory, stop timeout."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MEETUP_", "XDG_"))}
        if unit == "caddy.service":
            settings = read_unit(DEBIAN_CADDY_UNIT)
            home = self.root / "var" / "lib" / "caddy"
            home.mkdir(parents=True, exist_ok=True)
            env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"),
                       XDG_CONFIG_HOME=str(home / ".config"))
            argv = [str(self.root) + a if a.startswith("/etc/") else a
                    for a in shlex.split(settings["ExecStart"][0])]
            return argv, env, home, 5.0
        name, instance = unit, ""
        if "@" in unit:
            prefix, rest = unit.split("@", 1)
            instance, suffix = rest.rsplit(".", 1)
            name = f"{prefix}@.{suffix}"
        settings = read_unit(self.root / "etc" / "systemd" / "system" / name, instance)
        for file in settings.get("EnvironmentFile", []):
            env.update(environment_file(Path(file.lstrip("-"))))
        for assignments in settings.get("Environment", []):
            env.update(dict(a.split("=", 1) for a in shlex.split(assignments)))
        workdir = Path(settings.get("WorkingDirectory", ["/"])[0])
        timeout = float(settings.get("TimeoutStopSec", ["90"])[0].rstrip("s"))
        return shlex.split(settings["ExecStart"][0]), env, workdir, timeout

    def _pid_file(self, unit: str) -> Path:
        return self.state / f"{unit}.pid"

    def pid(self, unit: str) -> int | None:
        try:
            pid = int(self._pid_file(unit).read_text())
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, ValueError, IndexError):
            return None
        return None if state in ("Z", "X") else pid

    def is_active(self, unit: str) -> bool:
        if unit.endswith(".timer"):
            return (self.state / f"{unit}.active").exists()
        return self.pid(unit) is not None

    def start(self, unit: str) -> None:
        if self.is_active(unit):
            return
        if unit.endswith(".timer"):
            (self.state / f"{unit}.active").touch()
            return
        argv, env, workdir, _ = self.command(unit)
        log = (self.state / f"{unit}.log").open("ab")
        process = subprocess.Popen(argv, env=env, cwd=workdir, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
        self._pid_file(unit).write_text(str(process.pid))

    def stop(self, unit: str) -> None:
        if unit.endswith(".timer"):
            (self.state / f"{unit}.active").unlink(missing_ok=True)
            return
        pid = self.pid(unit)
        if pid is None:
            return
        timeout = self.command(unit)[3] if unit != "caddy.service" else 5.0
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while self.pid(unit) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.pid(unit) is not None:
            os.killpg(pid, signal.SIGKILL)
            while self.pid(unit) is not None:
                time.sleep(0.05)
        self._pid_file(unit).unlink(missing_ok=True)

    def running(self) -> list[str]:
        return [p.name.removesuffix(".pid") for p in self.state.glob("*.pid")]


def main(argv: list[str]) -> int:
    root, command, *rest = argv
    fake = FakeSystemd(Path(root))
    with (fake.state / "calls.log").open("a") as log:
        log.write(" ".join([command, *rest]) + "\n")
    flags = {a for a in rest if a.startswith("--")}
    units = [a if "." in a else a + ".service" for a in rest if not a.startswith("--")]
    if command == "daemon-reload":
        return 0
    if command == "is-active":
        return 0 if all(fake.is_active(u) for u in units) else 3
    if command == "is-enabled":
        return 0 if all((fake.state / "enabled" / u).exists() for u in units) else 1
    for unit in units:
        wants = fake.root / "etc" / "systemd" / "system" / "multi-user.target.wants" / unit
        if command == "enable":
            (fake.state / "enabled" / unit).touch()
            if unit.startswith("meetup@"):  # as systemd links an enabled instance
                wants.parent.mkdir(parents=True, exist_ok=True)
                if not wants.is_symlink():
                    wants.symlink_to("../meetup@.service")
            if "--now" in flags:
                fake.start(unit)
        elif command == "disable":
            (fake.state / "enabled" / unit).unlink(missing_ok=True)
            wants.unlink(missing_ok=True)
            if "--now" in flags:
                fake.stop(unit)
        elif command == "start":
            fake.start(unit)
        elif command == "stop":
            fake.stop(unit)
        elif command in ("restart", "reload"):  # Caddy's admin endpoint is off in the tests
            fake.stop(unit)
            fake.start(unit)
        else:
            print(f"fake systemctl: {command} is not supported", file=sys.stderr)
            return 1
    if command == "stop-all":  # the tests' clean-up
        for unit in fake.running():
            fake.stop(unit)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
