"""A participant's own privacy choices, from their phone: withdraw consent, remove their name."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from meetup.config import PARTICIPANT_SESSION_KEY
from meetup.extensions import db
from meetup.models import Meetup, Participant
from meetup.services import joining, privacy
from meetup.web.participant import bp


class ChoiceForm(FlaskForm):
    """Only the CSRF token: each button is its own form."""


def _me(meetup_id: int) -> tuple[Meetup, Participant]:
    meetup = db.session.get(Meetup, meetup_id)
    if meetup is None:
        abort(404)
    tokens = session.get(PARTICIPANT_SESSION_KEY) or {}
    token = tokens.get(str(meetup_id)) if isinstance(tokens, dict) else None
    participant = joining.participant_for_token(db.session, meetup_id, token)
    if participant is None:
        abort(403)
    return meetup, participant


@bp.route("/live/<int:meetup_id>/privacy", methods=["GET"])
def my_privacy(meetup_id: int) -> Any:
    meetup, participant = _me(meetup_id)
    return render_template("participant/privacy.html", meetup=meetup, participant=participant,
                           form=ChoiceForm(),
                           retention=privacy.retention_date(meetup))


@bp.route("/live/<int:meetup_id>/privacy/withdraw", methods=["POST"])
def withdraw_consent(meetup_id: int) -> Any:
    _meetup, participant = _me(meetup_id)
    if ChoiceForm().validate_on_submit():
        privacy.withdraw_consent(db.session, participant)
        db.session.commit()
        flash(_("Your e-mail address is deleted and you are no longer in the contact list."))
    return redirect(url_for("participant.my_privacy", meetup_id=meetup_id))


@bp.route("/live/<int:meetup_id>/privacy/remove-name", methods=["POST"])
def remove_name(meetup_id: int) -> Any:
    _meetup, participant = _me(meetup_id)
    if ChoiceForm().validate_on_submit():
        privacy.remove_name(db.session, participant)
        db.session.commit()
        flash(_("Your name and organisation are removed. Your notes stay, without your name."))
    return redirect(url_for("participant.my_privacy", meetup_id=meetup_id))
