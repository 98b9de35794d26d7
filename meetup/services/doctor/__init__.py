"""``meetup doctor``: check a running installation and say what is wrong and how to fix it.

Each check is a plain function ``(Setup) -> Finding | list[Finding]`` in :data:`CHECKS`
(append to add one). A :class:`Setup` holds everything a check reads: the installation's
settings, the clock, the thresholds; tests build one with a wrong value to play each fault.
Messages are lazy gettext strings: the CLI renders them in Dutch or English.

Modules: :mod:`.findings` (Setup, Finding, Status, Thresholds and the list of checks: what
every check module imports), :mod:`.web` (the public URL, its certificate, HTTPS, cookies, the
secret key across workers, the clock against the URL's Date), :mod:`.data` (database,
migrations, Redis, backups, disk, the database clock), :mod:`.services` (SMTP, the scheduler's
heartbeat). This package imports the check modules (registering them in order) and runs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from meetup.services.doctor.findings import (  # noqa: F401 - callers use them from here
    CHECKS,
    Check,
    Finding,
    Setup,
    Status,
    Thresholds,
    check,
)

# The checks register themselves on import, in this order.
from meetup.services.doctor import web as _web  # noqa: F401, I001
from meetup.services.doctor import data as _data  # noqa: F401
from meetup.services.doctor import services as _services  # noqa: F401
from meetup.services.doctor.web import FINGERPRINT_LABEL, key_fingerprint  # noqa: F401


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
