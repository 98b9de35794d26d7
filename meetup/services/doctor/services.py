"""The doctor's checks of the services around Meetup: SMTP (when mail is configured) and the
scheduler's last run (when a scheduler is installed)."""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from meetup.services.doctor.findings import Finding, Setup, Status, check


@check
def check_smtp(setup: Setup) -> Finding:
    """Connect and say EHLO only: no login, no mail sent."""
    if not setup.smtp_url:
        return Finding("smtp", Status.INFO, _l("No mail server configured (MEETUP_SMTP_URL)."))
    parts = urlsplit(setup.smtp_url)
    host = parts.hostname or "localhost"
    secure = parts.scheme == "smtps"
    port = parts.port or (465 if secure else 587)  # as the mail transport
    timeout = setup.thresholds.timeout
    try:
        tls = ssl.create_default_context(cafile=setup.smtp_ca_file or None)
        server: smtplib.SMTP = (smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls)
                                if secure else smtplib.SMTP(host, port, timeout=timeout))
        try:
            code, _banner = server.ehlo()
        finally:
            server.close()
    except (OSError, smtplib.SMTPException) as error:
        return Finding("smtp", Status.FAIL,
                       _l("The mail server %(host)s:%(port)s does not answer: %(error)s",
                          host=host, port=port,
                          error=getattr(error, "strerror", None) or str(error) or "?"),
                       _l("Check MEETUP_SMTP_URL (host and port) and that this server may "
                          "connect to it (firewall, the provider's allowed addresses)."))
    if code != 250:
        return Finding("smtp", Status.FAIL,
                       _l("The mail server %(host)s:%(port)s refuses EHLO (%(code)s).",
                          host=host, port=port, code=code),
                       _l("Ask the mail provider which host and port to use."))
    return Finding("smtp", Status.OK,
                   _l("The mail server %(host)s:%(port)s answers.", host=host, port=port))


def installed_heartbeat(setup: Setup) -> datetime | None | bool:
    """The scheduler's last run from ``meetup.services.scheduler.last_run(session)``;
    False when no scheduler is installed. A scheduler plugs in by providing that function
    (or a test passes ``Setup.scheduler_heartbeat``)."""
    try:
        from meetup.services import mail_scheduler as scheduler
    except ImportError:
        return False
    last_run = getattr(scheduler, "last_run", None)
    if last_run is None:
        return False
    from sqlalchemy.orm import Session

    from meetup.services.doctor.data import _engine

    with Session(_engine(setup)) as session:
        return last_run(session)


@check
def check_scheduler(setup: Setup) -> Finding:
    if setup.scheduler_heartbeat is not None:
        last = setup.scheduler_heartbeat(setup)
    elif setup.cache.get("database_down"):
        return Finding("scheduler", Status.INFO, _l("Scheduler not checked: no database."))
    else:
        last = installed_heartbeat(setup)
    if last is False:
        return Finding("scheduler", Status.INFO, _l("No scheduler is installed."))
    fix = _l("Check its timer (systemctl list-timers 'meetup*') and its log "
             "(journalctl -u 'meetup-scheduler*').")
    if last is None:
        if not setup.smtp_url:
            return Finding("scheduler", Status.INFO,
                           _l("Mail is off (no MEETUP_SMTP_URL): the scheduler has nothing to "
                              "send."))
        return Finding("scheduler", Status.WARN, _l("The scheduler has never run."), fix)
    age = setup.now() - last
    minutes = max(0, int(age.total_seconds() // 60))
    if age > setup.thresholds.scheduler_warn_age:
        status = Status.FAIL if age > setup.thresholds.scheduler_fail_age else Status.WARN
        return Finding("scheduler", status,
                       _l("The scheduler last ran %(minutes)s minutes ago.", minutes=minutes),
                       fix)
    return Finding("scheduler", Status.OK,
                   _l("The scheduler ran %(minutes)s minutes ago.", minutes=minutes))


