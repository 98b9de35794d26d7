"""The doctor's checks of the services around Meetup: SMTP (when mail is configured) and the
scheduler's last run (when a scheduler is installed)."""

from __future__ import annotations

import smtplib
from datetime import datetime

from flask_babel import lazy_gettext as _l

from meetup.services.doctor.findings import Finding, Setup, Status, check


@check
def check_smtp(setup: Setup) -> Finding:
    """The mail sender's own handshake (``SmtpTransport.probe``): connect, TLS or STARTTLS with
    the certificate verified, login, then QUIT. No mail is sent."""
    if not setup.smtp_url:
        return Finding("smtp", Status.INFO, _l("No mail server configured (MEETUP_SMTP_URL)."))
    from meetup.services.mail_transport import MailError, SmtpTransport, parse_smtp_url

    try:
        settings = parse_smtp_url(setup.smtp_url)
    except ValueError:
        return Finding("smtp", Status.FAIL,
                       _l("MEETUP_SMTP_URL is not the address of a mail server."),
                       _l("Write it as smtp://user:password@host:587 (STARTTLS) or "
                          "smtps://user:password@host:465 (TLS)."))
    transport = SmtpTransport(settings, timeout=setup.thresholds.timeout,
                              ca_file=setup.smtp_ca_file)
    try:
        encrypted = transport.probe()
    except MailError as error:
        return _smtp_failure(error.stage, _reason(error), settings.host, settings.port,
                             settings.user)
    tls = (_l("TLS (smtps) with a verified certificate") if settings.security == "tls"
           else _l("STARTTLS with a verified certificate") if encrypted
           else _l("unencrypted (a loopback server without STARTTLS)"))
    if settings.user:
        return Finding("smtp", Status.OK,
                       _l("The mail server %(host)s:%(port)s works as mail is sent: %(tls)s, "
                          "logged in as %(user)s (no mail sent).",
                          host=settings.host, port=settings.port, tls=tls, user=settings.user))
    return Finding("smtp", Status.OK,
                   _l("The mail server %(host)s:%(port)s works as mail is sent: %(tls)s, "
                      "without login (no user in MEETUP_SMTP_URL; no mail sent).",
                      host=settings.host, port=settings.port, tls=tls))


def _reason(error: Exception) -> str:
    """The cause in few words (``Connection refused``, the server's own ``535 …``): what the
    server or the system answered, never what was sent (the password)."""
    cause = error.__cause__
    if isinstance(cause, OSError) and not isinstance(cause, smtplib.SMTPException) \
            and isinstance(cause.strerror, str) and cause.strerror:
        return cause.strerror  # "Connection refused", not "ConnectionRefusedError: [Errno 111] …"
    return str(error) or "?"


def _smtp_failure(stage: str | None, reason: str, host: str, port: int, user: str) -> Finding:
    """The finding for a handshake that stopped at ``stage`` (see ``MailError.stage``)."""
    where = {"host": host, "port": port, "error": reason}
    if stage == "tls":
        return Finding("smtp", Status.FAIL,
                       _l("The secure connection (TLS) to the mail server %(host)s:%(port)s "
                          "fails: %(error)s", **where),
                       _l("The server's certificate must carry the host name of "
                          "MEETUP_SMTP_URL and be signed by a CA this machine trusts; for a "
                          "CA of your own, set MEETUP_SMTP_CA_FILE to its PEM file. smtps:// "
                          "goes with the TLS port (465), smtp:// with the STARTTLS port (587)."))
    if stage == "starttls":
        return Finding("smtp", Status.FAIL,
                       _l("The mail server %(host)s:%(port)s does not offer STARTTLS: Meetup "
                          "sends no unencrypted mail to a server on another machine.", **where),
                       _l("Use the provider's port with STARTTLS (smtp://…:587) or with TLS "
                          "(smtps://…:465) in MEETUP_SMTP_URL."))
    if stage == "login":
        return Finding("smtp", Status.FAIL,
                       _l("The mail server %(host)s:%(port)s refuses the login of %(user)s: "
                          "%(error)s", user=user, **where),
                       _l("Check the user name and password in MEETUP_SMTP_URL (the characters "
                          "@ : / # ? and spaces in them must be URL-encoded)."))
    return Finding("smtp", Status.FAIL,
                   _l("The mail server %(host)s:%(port)s does not answer: %(error)s", **where),
                   _l("Check MEETUP_SMTP_URL (host and port) and that this server may "
                      "connect to it (firewall, the provider's allowed addresses)."))


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


