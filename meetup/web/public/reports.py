"""The shared read-only report (``/r/<token>``) and the owners' follow-up pages (``/f/<token>``).

Both live behind unguessable tokens: the answers are never cached, never indexed and never
send the token on as a referrer. Unknown or revoked tokens get a friendly 404.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from meetup.extensions import db
from meetup.models import AgreementStatus, Meetup
from meetup.reports.data import gather_report
from meetup.reports.lazy import exports  # reportlab on the first report, not at boot
from meetup.services import continuation, followup, retrospective, sharing
from meetup.services.errors import InvalidInput
from meetup.web.public import bp

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice.
    from wtforms.fields.choices import SelectChoice as _Choice
except ImportError:  # pragma: no cover - WTForms < 3.3
    def _Choice(value: str, label: Any) -> tuple[str, Any]:  # type: ignore[no-redef]
        return (value, label)

#: The owner's choices, with the Dutch words of the briefing (gepland, bezig, ...).
STATUS_CHOICES = [
    _Choice(AgreementStatus.PLANNED.value, _l("Planned")),
    _Choice(AgreementStatus.IN_PROGRESS.value, _l("In progress")),
    _Choice(AgreementStatus.DONE.value, _l("Done")),
    _Choice(AgreementStatus.STOPPED.value, _l("Stopped")),
]


class FollowupForm(FlaskForm):
    status = RadioField(_l("How is it going?"), choices=STATUS_CHOICES,
                        validators=[InputRequired(_l("Choose a status."))])
    note = TextAreaField(
        _l("Short note (optional)"),
        validators=[Length(max=followup.NOTE_MAX,
                           message=_l("Keep the note to at most %(max)d characters."))],
        render_kw={"maxlength": followup.NOTE_MAX, "rows": 4})


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _shared(meetup: Any) -> Any:
    """The report as the municipality gets it: the contact list (names with e-mail addresses
    of people who consented) only when the organiser switched ``report_shows_emails`` on."""
    report = gather_report(db.session, meetup)
    if not meetup.report_shows_emails:
        report = dataclasses.replace(report, contacts=())
    return report


@bp.route("/r/<token>")
def shared_report(token: str) -> Any:
    meetup = sharing.meetup_for_share_token(db.session, token)
    html = render_template("reports/shared.html", report=_shared(meetup),
                           preview=False,
                           pdf_url=url_for("public.shared_report_pdf", token=token),
                           followup_pdf_url=url_for("public.shared_followup_pdf", token=token))
    return _private(Response(html))


@bp.route("/r/<token>/rapport.pdf")
def shared_report_pdf(token: str) -> Any:
    meetup = sharing.meetup_for_share_token(db.session, token)
    body, mimetype, filename = exports.build(_shared(meetup), "pdf")
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


@bp.route("/r/<token>/stand-van-zaken.pdf")
def shared_followup_pdf(token: str) -> Any:
    """The follow-up PDF ("Stand van zaken") behind the same share link."""
    meetup = sharing.meetup_for_share_token(db.session, token)
    body, mimetype, filename = exports.build(_shared(meetup), "followup-pdf")
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


@bp.route("/f/<token>", methods=["GET", "POST"], endpoint="followup")
def followup_page(token: str) -> Any:
    agreement = followup.agreement_for_token(db.session, token)
    # A status button in a follow-up mail (``?status=done``) only preselects it: a GET never
    # changes anything; the owner saves with the form.
    chosen = request.args.get("status")
    if chosen not in {choice.value for choice in followup.FOLLOWUP_STATUSES}:
        chosen = agreement.status.value
    form = FollowupForm(data=None if request.method == "POST" else {"status": chosen})
    if form.validate_on_submit():
        try:
            source = retrospective.source_for(db.session, agreement, "owner")
            followup.record_update(db.session, agreement, form.status.data,
                                   form.note.data or "", source=source)
            looking_back = retrospective.after_link_update(db.session, agreement)
        except InvalidInput as error:
            db.session.rollback()
            field = getattr(form, error.field or "status", form.status)
            field.errors = [*field.errors, str(error.message)]
        else:
            db.session.commit()
            for later in looking_back:  # a Terugblik on a projector follows (after the commit)
                retrospective.changed.send(meetup_id=later.id, seq=later.revision,
                                           state=retrospective.state(db.session, later))
            flash(_("Thank you! Your update is saved."))
            return redirect(url_for("public.followup", token=token))
    html = render_template("reports/followup.html", agreement=agreement,
                           meetup=db.session.get(Meetup, agreement.meetup_id), form=form,
                           went_on=continuation.went_on(db.session, agreement))
    return _private(Response(html, status=422 if form.errors else 200))
