"""The organiser's account: change the password, or log out on every other device.

Both raise the organiser's session version, which ends every copy of every session cookie
(a laptop left logged in, a cookie copied on the venue's Wi-Fi); this browser gets a fresh
session with the new version and stays logged in.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from meetup.extensions import db
from meetup.services import organisers
from meetup.services.errors import InvalidInput
from meetup.web.organiser import bp
from meetup.web.organiser.auth import keep_this_session, login_required


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter a new password.")), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )


class EverywhereForm(FlaskForm):
    """Only the CSRF token: the button is the whole form."""


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Any:
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            organisers.change_password(db.session, g.organiser, form.current.data or "",
                                       form.new.data or "")
        except InvalidInput as error:
            db.session.rollback()
            bound = getattr(form, error.field or "new", form.new)
            bound.errors = [*bound.errors, str(error.message)]
        else:
            db.session.commit()
            keep_this_session(g.organiser)
            flash(_("Your password is changed. Every other device is logged out."))
            return redirect(url_for("organiser.account"))
    return render_template("organiser/account.html", form=form, everywhere=EverywhereForm())


@bp.route("/account/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere() -> Any:
    if EverywhereForm().validate_on_submit():
        organisers.end_all_sessions(g.organiser)
        db.session.commit()
        keep_this_session(g.organiser)
        flash(_("Every other device is logged out."))
    return redirect(url_for("organiser.account"))
