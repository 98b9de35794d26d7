"""What every check of ``meetup doctor`` takes and gives, and the list of checks.

A check is a plain function ``(Setup) -> Finding | list[Finding]``, registered with
:func:`check` in :data:`CHECKS`. The check modules (:mod:`.web`, :mod:`.data`, :mod:`.services`)
import this module; the package imports them and runs the list, so imports only point down.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


class Status(enum.Enum):
    OK = "OK"
    INFO = "INFO"
    WARN = "WARN"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Finding:
    """One line of the doctor's answer: what was checked, how it is, and how to fix it."""

    check: str
    status: Status
    message: Any  # a (lazy) translated string
    fix: Any = None


@dataclass(frozen=True)
class Thresholds:
    backup_warn_age: timedelta = timedelta(hours=26)  # nightly backups, with some slack
    backup_fail_age: timedelta = timedelta(days=3)
    disk_warn_free: int = 2 * 1024**3  # bytes
    disk_fail_free: int = 500 * 1024**2
    clock_warn_skew: timedelta = timedelta(seconds=2)
    clock_fail_skew: timedelta = timedelta(seconds=30)
    certificate_warn_days: int = 14
    scheduler_warn_age: timedelta = timedelta(hours=2)
    scheduler_fail_age: timedelta = timedelta(days=1)
    timeout: float = 5.0  # seconds for each connection


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Setup:
    """What the checks look at: the installation's settings (from its environment)."""

    database_url: str
    secret_key: str
    public_url: str | None = None
    secure_cookies: bool = False
    message_queue: str | None = None
    worker_urls: Sequence[str] = ()
    backup_dir: Path | None = None
    #: The nightly backups of a server installation (scripts/install-server.sh), if any.
    nightly_backup_dir: Path | None = None
    data_dirs: Sequence[Path] = ()
    smtp_url: str | None = None
    #: CA bundle to verify the mail server's certificate with (MEETUP_SMTP_CA_FILE).
    smtp_ca_file: str | None = None
    #: CA bundle to verify the public URL's certificate with (None: the system's).
    ca_file: str | None = None
    now: Callable[[], datetime] = _utc_now
    thresholds: Thresholds = field(default_factory=Thresholds)
    #: The scheduler's last run, when a scheduler is installed (see services.py).
    scheduler_heartbeat: Callable[[Setup], datetime | None] | None = None
    #: Answers fetched once and shared between checks (the public URL's response).
    cache: dict[str, Any] = field(default_factory=dict)


Check = Callable[[Setup], "Finding | list[Finding]"]

#: Every check, in the order they are printed. Plug in more with ``CHECKS.append``.
CHECKS: list[Check] = []


def check(function: Check) -> Check:
    """Register a check."""
    CHECKS.append(function)
    return function
