"""Organiser login and logout; ``login_required`` for every organiser page.

The session cookie is signed, HttpOnly and SameSite=Lax (see ``meetup.config``); logging in
starts a fresh session, logging out is a POST with a CSRF token like every other change.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from meetup.config import PARTICIPANT_SESSION_KEY
from meetup.extensions import db
from meetup.models import Organiser
from meetup.services import organisers
from meetup.web.organiser import bp

F = TypeVar("F", bound=Callable[..., Any])


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


@bp.before_app_request
def load_organiser() -> None:
    organiser_id = session.get("organiser_id")
    g.organiser = db.session.get(Organiser, organiser_id) if organiser_id else None


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("organiser") is None:
            target = request.full_path if request.query_string else request.path
            return redirect(url_for("organiser.login", next=target))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _safe_next(target: str | None) -> str:
    """Only a path on this site; never ``//host`` or ``/\\host``, which browsers treat as hosts."""
    if target and target.startswith("/") and not target.startswith("//") \
            and "\\" not in target and not any(ch.isspace() for ch in target):
        return target
    return url_for("organiser.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if g.get("organiser") is not None and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        organiser = organisers.authenticate(db.session, form.email.data, form.password.data)
        if organiser is None:
            form.password.errors.append(_("This e-mail address and password do not match."))
        else:
            db.session.commit()
            # A fresh session for the organiser, but a phone that joined in this browser
            # keeps its place at the table.
            joined = session.get(PARTICIPANT_SESSION_KEY)
            session.clear()
            if joined:
                session[PARTICIPANT_SESSION_KEY] = joined
            session.permanent = True
            session["organiser_id"] = organiser.id
            return redirect(_safe_next(request.args.get("next")))
    return render_template("organiser/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    session.pop("organiser_id", None)
    g.organiser = None
    flash(_("You are logged out."))
    return redirect(url_for("organiser.login"))
