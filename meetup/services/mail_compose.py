"""An outbox row becomes an e-mail: text and HTML parts, in the recipient's language.

Composed when it is sent (so a follow-up reads the agreement as it stands then), inside an
application context (templates ``templates/mail/``, Flask-Babel's ``force_locale``); no request.
Every mail goes to one address only, names no other address, and carries a visible
unsubscribe link plus ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` (RFC 8058).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from meetup.models import (
    Agreement,
    AgreementUpdate,
    Invitation,
    MailKind,
    Meetup,
    OutboxMail,
    Participant,
    ReminderConsent,
)
from meetup.services import agreements as agreements_service
from meetup.services import calendar, mail_queue, unsubscribe
from meetup.services.followup import FOLLOWUP_STATUSES


@dataclass(frozen=True)
class MailSettings:
    """What composing needs from the configuration, passed in by the face."""

    #: Public base URL of the application, e.g. ``https://meetup.example.nl``.
    base_url: str
    #: ``From:``, e.g. ``Meetup Hilversum <meetup@example.nl>``.
    sender: str
    #: The application's secret key (signs unsubscribe links).
    secret: str


class Skip(Exception):
    """This mail is not to be sent (any more); ``reason`` is recorded on the row."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def followup_url(base: str, agreement: Agreement, status: str | None = None) -> str:
    url = f"{base.rstrip('/')}/f/{agreement.followup_token}"
    return f"{url}?status={status}" if status else url


def unsubscribe_url(settings: MailSettings, meetup_id: int, email: str) -> str:
    token = unsubscribe.make_token(settings.secret, meetup_id, email)
    return f"{settings.base_url.rstrip('/')}/u/{token}"


def _subject(row: OutboxMail, meetup: Meetup, agreement: Agreement | None) -> str:
    what = (agreement.what if agreement else "").strip().replace("\n", " ")
    if len(what) > 60:
        what = what[:59] + "…"
    if row.kind is MailKind.OWNER_CLOSED:
        return _("Your agreement from %(meetup)s: %(what)s", meetup=meetup.title, what=what)
    if row.kind is MailKind.SIGNED_CLOSED:
        return _("The agreements you take part in, from %(meetup)s", meetup=meetup.title)
    if row.kind is MailKind.DIGEST:
        return _("This week's updates on the agreements of %(meetup)s", meetup=meetup.title)
    if row.kind is MailKind.REMINDER_BEFORE:
        return _("Reminder: the first step of “%(what)s” is coming up", what=what)
    if row.kind is MailKind.REMINDER_DAY:
        return _("Today: the first step of “%(what)s”", what=what)
    return _("How is it going? %(what)s", what=what)


def _agreement(session: Session, row: OutboxMail) -> Agreement | None:
    if row.agreement_id is None:
        return None
    agreement = session.get(Agreement, row.agreement_id)
    if agreement is None or agreement.deleted_at is not None:
        raise Skip("agreement_gone")
    return agreement


def compose(session: Session, row: OutboxMail, settings: MailSettings,
            now: datetime) -> EmailMessage:
    """The message for this row; :class:`Skip` when it should not go out."""
    if row.kind is MailKind.INVITATION:
        return _invitation_message(session, row, settings, now)
    meetup = session.get(Meetup, row.meetup_id) if row.meetup_id else None
    if meetup is None or meetup.anonymised_at is not None or not row.recipient:
        raise Skip("anonymised")
    if mail_queue.unsubscribed(session, meetup.id, row.recipient):
        raise Skip("unsubscribed")
    agreement = _agreement(session, row)
    if row.kind is MailKind.FOLLOWUP and agreement is not None \
            and agreement.status in mail_queue.FINISHED:
        raise Skip("finished")
    signed: list[Agreement] = []
    if row.kind is MailKind.SIGNED_CLOSED:
        consent = session.get(ReminderConsent, row.consent_id) if row.consent_id else None
        person = session.get(Participant, consent.participant_id) \
            if consent and consent.participant_id else None
        signed = agreements_service.signed_by(session, person) if person else []
        signed = [a for a in signed if a.status.is_final]
        if not signed:
            raise Skip("nothing_signed")
    updates: list[tuple[Agreement, AgreementUpdate]] = []
    if row.kind is MailKind.DIGEST:
        since = datetime.fromisoformat((row.data or {}).get("since") or row.due_at.isoformat())
        updates = list(session.execute(
            select(Agreement, AgreementUpdate)
            .join(AgreementUpdate, AgreementUpdate.agreement_id == Agreement.id)
            .where(Agreement.meetup_id == meetup.id, Agreement.deleted_at.is_(None),
                   AgreementUpdate.created_at >= since, AgreementUpdate.created_at < row.due_at)
            .order_by(AgreementUpdate.created_at)).all())
        if not updates:
            raise Skip("no_updates")
    language = row.language if row.language in ("nl", "en") else "nl"
    leave = unsubscribe_url(settings, meetup.id, row.recipient)
    with force_locale(language):
        context = {
            "kind": row.kind.value, "meetup": meetup, "agreement": agreement,
            "signed": signed, "number": (row.data or {}).get("number"), "updates": updates,
            "days_before": meetup.reminder_days_before, "language": language,
            "followup_url": followup_url(settings.base_url, agreement) if agreement else None,
            "status_links": [(status.value, followup_url(settings.base_url, agreement,
                                                          status.value))
                             for status in FOLLOWUP_STATUSES] if agreement else [],
            "unsubscribe_url": leave,
        }
        subject = _subject(row, meetup, agreement)
        text = render_template("mail/message.txt", subject=subject, **context)
        html = render_template("mail/message.html", subject=subject, **context)
        ics = None
        if row.kind is MailKind.OWNER_CLOSED and agreement is not None \
                and agreement.due_date is not None:
            ics = calendar.commitments_calendar([agreement], name=meetup.title, stamp=now)
        elif row.kind is MailKind.SIGNED_CLOSED:
            ics = calendar.commitments_calendar(signed, name=meetup.title, stamp=now)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.sender
    message["To"] = row.recipient
    message["Date"] = format_datetime(now)
    domain = settings.sender.rsplit("@", 1)[-1].strip(" >") or "meetup.invalid"
    message["Message-ID"] = make_msgid(idstring=f"mail{row.id}", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = f"<{leave}/one-click>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["X-Meetup-Id"] = str(meetup.id)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if ics is not None:
        message.add_attachment(ics.encode(), maintype="text", subtype="calendar",
                               filename="afspraak.ics" if language == "nl" else "agreement.ics",
                               params={"method": "PUBLISH"})
    message["Content-Language"] = language  # after the parts: they move Content-* headers
    return message


def _invitation_message(session: Session, row: OutboxMail, settings: MailSettings,
                        now: datetime) -> EmailMessage:
    """An invitation to join an organisation (issue 25): the one-time link, nothing else."""
    data = row.data or {}
    invitation = session.get(Invitation, data.get("invitation") or 0)
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
        raise Skip("invitation_closed")
    language = row.language if row.language in ("nl", "en") else "nl"
    with force_locale(language):
        context = {"organisation": invitation.organisation.name, "language": language,
                   "inviter": data.get("inviter") or "",
                   "link": f"{settings.base_url.rstrip('/')}{data.get('path', '')}",
                   "until": invitation.expires_at}
        subject = _("Invitation to organise meetups with %(organisation)s",
                    organisation=context["organisation"])
        text = render_template("mail/invitation.txt", subject=subject, **context)
        html = render_template("mail/invitation.html", subject=subject, **context)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.sender
    message["To"] = row.recipient
    message["Date"] = format_datetime(now)
    domain = settings.sender.rsplit("@", 1)[-1].strip(" >") or "meetup.invalid"
    message["Message-ID"] = make_msgid(idstring=f"mail{row.id}", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = language
    return message
