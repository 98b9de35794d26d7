"""The follow-up mail's commands (issue 23): one run of the scheduler (``meetup send-mail``, for
cron or a systemd timer) and the loop ``meetup serve`` runs beside the phones."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import click
from flask import Flask, current_app

from meetup.cli import base_url
from meetup.extensions import db

log = logging.getLogger(__name__)


def send_mail_once(app: Flask, now: datetime | None = None,
                   pace: Callable[[], None] | None = None) -> object:
    """One run of the mail scheduler (see :mod:`meetup.services.mail_scheduler`); None when
    mail is off (no MEETUP_SMTP_URL and no development mailbox)."""
    from meetup.services import mail_compose, mail_scheduler, mail_transport

    transport = mail_transport.from_config(app.config.get("SMTP_URL"),
                                           app.config.get("MAIL_DEV_MAILBOX"),
                                           app.config.get("SMTP_CA_FILE"))
    if transport is None:
        return None
    settings = mail_compose.MailSettings(base_url=base_url(app), sender=app.config["MAIL_FROM"],
                                         secret=app.config["SECRET_KEY"])

    def compose(session: object, row: object, moment: datetime) -> object:
        return mail_compose.compose(session, row, settings, moment)  # type: ignore[arg-type]

    with app.app_context():
        try:
            return mail_scheduler.run_once(db.session, transport, compose,  # type: ignore[arg-type]
                                           now or datetime.now(UTC), pace=pace)
        finally:
            db.session.remove()


@click.command("send-mail")
def send_mail_command() -> None:
    """Send the follow-up mail that is due (for cron or a systemd timer; safe beside
    `meetup serve` and other runs: a mail is claimed by one run only)."""
    result = send_mail_once(current_app._get_current_object())  # type: ignore[attr-defined]
    if result is None:
        raise click.ClickException("Mail is off: set MEETUP_SMTP_URL (and MEETUP_MAIL_FROM).")
    click.echo(f"sent {result.sent}, skipped {result.skipped}, failed {result.failed}, "  # type: ignore[attr-defined]
               f"to retry {result.retried}")  # type: ignore[attr-defined]


def mail_scheduler_loop(app: Flask) -> None:
    """Runs beside the server: every MAIL_INTERVAL seconds, :func:`send_mail_once`."""
    from meetup.extensions import socketio

    interval = float(app.config.get("MAIL_INTERVAL", 60))
    gap = 1 / max(1, int(app.config.get("MAIL_RATE", 20)))
    while True:
        try:
            # At most MAIL_RATE mails a second: the phones' writes keep the loop.
            send_mail_once(app, pace=lambda: socketio.sleep(gap))
        except Exception:  # mail must never stop the evening
            log.exception("mail scheduler failed")
        socketio.sleep(interval)
