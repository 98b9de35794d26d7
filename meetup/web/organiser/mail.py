"""The organiser's view of follow-up mail (issue 23): is mail on, does the scheduler run, what
is planned and sent; and, under ``meetup demo``, the development mailbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, abort, current_app, g, render_template

from meetup.extensions import db
from meetup.models import Meetup
from meetup.services import access, mail_status
from meetup.services.mail_transport import DevMailbox
from meetup.web.organiser import bp
from meetup.web.organiser.auth import login_required, meetup_for


def mail_mode() -> str:
    if current_app.config.get("SMTP_URL"):
        return "smtp"
    if current_app.config.get("MAIL_DEV_MAILBOX"):
        return "development"
    return "off"


def status_for(meetup: Meetup) -> mail_status.MailStatus:
    return mail_status.status(db.session, meetup.id, mail_mode(), datetime.now(UTC))


@bp.route("/meetups/<int:meetup_id>/mail")
@login_required
def mail(meetup_id: int) -> Any:
    meetup = meetup_for(meetup_id)
    return render_template("organiser/mail.html", meetup=meetup, mail=status_for(meetup))


def _mailbox() -> DevMailbox:
    folder = current_app.config.get("MAIL_DEV_MAILBOX")
    if not folder or current_app.config.get("SMTP_URL"):
        abort(404)
    return DevMailbox(folder)


def _mine(message: Any) -> bool:
    """Only mails about meetups this organiser may read (``services.access``)."""
    meetup_id = str(message.get("X-Meetup-Id", ""))
    meetup = db.session.get(Meetup, int(meetup_id)) if meetup_id.isdigit() else None
    return meetup is not None and access.may(db.session, g.organiser, meetup, access.READ)


@bp.route("/mailbox")
@login_required
def mailbox() -> Any:
    box = _mailbox()
    mails = []
    for name in box.names()[:200]:
        message = box.read(name)
        if message is not None and _mine(message):
            mails.append({"name": name, "subject": str(message["Subject"]),
                          "to": str(message["To"]), "date": str(message["Date"])})
    return render_template("organiser/mailbox.html", mails=mails)


def _message(name: str) -> Any:
    message = _mailbox().read(name)
    if message is None or not _mine(message):
        abort(404)
    return message


@bp.route("/mailbox/<name>")
@login_required
def mailbox_mail(name: str) -> Any:
    message = _message(name)
    text = message.get_body(preferencelist=("plain",))
    attachments = [part.get_filename() or part.get_content_type()
                   for part in message.iter_attachments()]
    headers = [(key, str(message[key])) for key in ("From", "To", "Date", "Subject",
                                                     "List-Unsubscribe",
                                                     "List-Unsubscribe-Post")]
    return render_template("organiser/mailbox_mail.html", name=name, headers=headers,
                           text=text.get_content() if text is not None else "",
                           attachments=attachments)


@bp.route("/mailbox/<name>/html")
@login_required
def mailbox_mail_html(name: str) -> Any:
    """The HTML part as the recipient's mail program shows it (sandboxed: no scripts)."""
    part = _message(name).get_body(preferencelist=("html",))
    if part is None:
        abort(404)
    response = Response(part.get_content(), mimetype="text/html")
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
