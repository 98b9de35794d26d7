"""``meetup doctor``: check a running installation and say what is wrong and how to fix it.

Each check is a plain function ``(Setup) -> Finding | list[Finding]`` in :data:`CHECKS`
(append to add one). A :class:`Setup` holds everything a check reads: the installation's
settings, the clock, the thresholds; tests build one with a wrong value to play each fault.
Messages are lazy gettext strings: the CLI renders them in Dutch or English.

Modules: :mod:`.web` (the public URL, its certificate, HTTPS, cookies, the secret key across
workers, the clock against the URL's Date), :mod:`.data` (database, migrations, Redis,
backups, disk, the database clock), :mod:`.services` (SMTP, the scheduler's heartbeat).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

#: What a worker signs to show which secret key it has, without showing the key.
FINGERPRINT_LABEL = b"meetup doctor: which secret key"


def key_fingerprint(secret_key: str | bytes) -> str:
    """A short fingerprint of the secret key: equal keys give equal fingerprints.

    An HMAC of a fixed label: it tells nothing about the key (no more than any signed cookie
    does), and the workers only show it to requests from their own machine (see
    ``web/public/health.py``)."""
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:16]


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


def run(setup: Setup, only: Iterable[str] | None = None) -> list[Finding]:
    """Run every check (or the named ones) and return their findings in order.

    A check that raises becomes a FAIL line: the doctor never stops halfway."""
    from flask_babel import lazy_gettext as _l

    wanted = set(only) if only else None
    findings: list[Finding] = []
    for function in CHECKS:
        name = function.__name__.removeprefix("check_")
        if wanted is not None and name not in wanted:
            continue
        try:
            result = function(setup)
        except Exception as error:  # noqa: BLE001 - reported, not hidden
            result = Finding(name, Status.FAIL,
                             _l("The check itself failed: %(error)s", error=str(error)[:300]))
        findings.extend(result if isinstance(result, list) else [result])
    return findings


def worst(findings: Sequence[Finding]) -> Status:
    order = [Status.OK, Status.INFO, Status.WARN, Status.FAIL]
    return max((f.status for f in findings), key=order.index, default=Status.OK)


def check_names() -> list[str]:
    return [f.__name__.removeprefix("check_") for f in CHECKS]


# The checks register themselves on import, in this order.
from meetup.services.doctor import web as _web  # noqa: F401, I001
from meetup.services.doctor import data as _data  # noqa: F401
from meetup.services.doctor import services as _services  # noqa: F401
