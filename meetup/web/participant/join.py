"""Joining: type the short code, or arrive through the QR link, and fill in the join form."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from meetup.extensions import db
from meetup.services import meetups as meetup_service
from meetup.services.errors import NotFound
from meetup.web.participant import bp


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code on the big screen"),
        validators=[DataRequired(_l("Type the code from the big screen.")), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                   "inputmode": "text"},
    )


@bp.route("/join", methods=["GET", "POST"])
def join() -> Any:
    """Type the short code shown on the projector; found, go on to the join form."""
    form = CodeForm()
    if form.validate_on_submit():
        try:
            meetup = meetup_service.by_short_code(db.session, form.code.data)
        except NotFound as error:
            form.code.errors.append(str(error.message))
        else:
            return redirect(url_for("participant.join_meetup", token=meetup.join_token))
    return render_template("participant/code.html", form=form)


@bp.route("/j/<token>", methods=["GET", "POST"])
def join_meetup(token: str) -> Any:
    meetup = meetup_service.by_join_token(db.session, token)
    return render_template("participant/join.html", meetup=meetup)
