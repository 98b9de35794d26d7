"""scripts/install-server.sh without services: --dry-run changes nothing and says what it
would do; bad arguments are refused before anything happens. (The installation itself, on
real PostgreSQL, Redis and Caddy: tests/scale/test_install_server.py.)"""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "install-server.sh"


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8",
           "MEETUP_INSTALL_ROOT": str(root)}
    return subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_a_dry_run_changes_nothing_and_says_what_it_would_do(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    done = run(root, "--dry-run", "--workers", "3", "meetup.example.org")
    assert done.returncode == 0, done.stdout + done.stderr
    assert list(root.iterdir()) == []
    out = done.stdout
    assert "Dry run: nothing is changed." in out
    assert "Meetup runs at https://meetup.example.org" in out
    for step in (f"write {root}/etc/meetup/meetup.env",
                 f"write {root}/etc/systemd/system/meetup@.service",
                 f"write {root}/etc/systemd/system/meetup-backup.timer",
                 f"write {root}/etc/caddy/Caddyfile",
                 "enable meetup@8003", "start meetup-mail.timer",
                 "create the organiser organiser@meetup.example.org unless one exists"):
        assert f"would: {step}" in out, (step, out)
    assert "meetup@8004" not in out


def test_bad_arguments_are_refused_before_anything_changes(tmp_path: Path) -> None:
    for args, message in ((["--workers", "zero", "example.org"], "--workers needs a number"),
                          (["exa mple;rm"], "not a domain name"),
                          (["--tls", "letsencrypt", "example.org"], "--tls takes only"),
                          ([], "usage:")):
        done = run(tmp_path, "--dry-run", *args)
        assert done.returncode != 0 and message in done.stderr, (args, done.stderr)
    assert list(tmp_path.iterdir()) == []
