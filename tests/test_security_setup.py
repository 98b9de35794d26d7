"""Set-up on a fresh machine (issue 14, point 10).

The failure: the machine's own updater held the dpkg lock right after boot, apt-get failed at
once and ``make test`` stopped after 33 s. Now the install script waits for the lock and says
what it waits for; only after a long limit does it give up, with a message saying what to do.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WAIT = ROOT / "scripts" / "wait-for-apt-lock.sh"


def run_wait(lock: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["sh", str(WAIT)], env={**os.environ, "MEETUP_APT_LOCKS": str(lock), **env},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_the_script_waits_for_a_held_lock_says_so_and_goes_on_when_it_is_free(
        tmp_path: Path) -> None:
    lock = tmp_path / "lock-frontend"
    lock.touch()
    # Another "dpkg" holds the lock (an fcntl lock in a child, as dpkg takes it).
    holder = subprocess.Popen(
        ["python3", "-c",
         "import fcntl,os,sys; fd=os.open(sys.argv[1], os.O_RDWR); "
         "fcntl.lockf(fd, fcntl.LOCK_EX); print('held', flush=True); sys.stdin.read()",
         str(lock)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    waiter = run_wait(lock)
    assert waiter.stderr is not None
    first = waiter.stderr.readline()
    assert "Waiting for the package manager" in first and str(lock) in first
    assert waiter.poll() is None  # still waiting, not failed
    holder.communicate("")  # the updater finishes
    _out, rest = waiter.communicate(timeout=60)
    assert waiter.returncode == 0
    assert "free again" in rest


def test_a_free_lock_is_no_wait_at_all(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    lock.touch()
    waiter = run_wait(lock)
    out, err = waiter.communicate(timeout=60)
    assert waiter.returncode == 0 and err == ""


def test_it_gives_up_with_a_clear_message_after_the_limit(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    lock.touch()
    holder = subprocess.Popen(
        ["python3", "-c",
         "import fcntl,os,sys; fd=os.open(sys.argv[1], os.O_RDWR); "
         "fcntl.lockf(fd, fcntl.LOCK_EX); print('held', flush=True); sys.stdin.read()",
         str(lock)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        waiter = run_wait(lock, MEETUP_APT_LOCK_WAIT="0")
        _out, err = waiter.communicate(timeout=60)
        assert waiter.returncode == 1
        assert "still held" in err and "run this again" in err
    finally:
        holder.communicate("")


def test_the_install_script_waits_before_each_apt_get() -> None:
    script = (ROOT / "scripts" / "install-system-deps.sh").read_text()
    lines = [line for line in script.splitlines() if "apt-get" in line
             and not line.lstrip().startswith("#")]
    assert lines and all("DPkg::Lock::Timeout" in line for line in lines)
    assert script.count("wait-for-apt-lock.sh") >= 2
