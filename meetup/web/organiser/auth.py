"""Organiser login and logout; ``login_required`` for every organiser page.

The session cookie is signed, HttpOnly and SameSite=Lax (see ``meetup.config``); logging in
starts a fresh session, logging out is a POST with a CSRF token like every other change.

Sessions end server-side: the cookie carries the organiser's ``session_version`` and the
login time; logging out, changing the password or "log out everywhere" raises the version,
which ends every copy of every cookie, and a session older than ``ORGANISER_SESSION_MAX_AGE``
ends however busy it was. Failed logins are counted per address and per account
(:mod:`meetup.web.attempts`) before any password is hashed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from time import time
from typing import Any, TypeVar

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from meetup.config import PARTICIPANT_SESSION_KEY
from meetup.extensions import db
from meetup.models import Meetup, Organiser
from meetup.services import access, organisers
from meetup.web import attempts, select_locale
from meetup.web.organiser import bp

#: Session keys of the organiser's login (cleared together).
ORGANISER_KEYS = ("organiser_id", "organiser_version", "organiser_since")

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
    """The logged-in organiser, when the cookie still holds a live session (else none)."""
    g.organiser = None
    organiser_id = session.get("organiser_id")
    if organiser_id is None:
        return
    organiser = db.session.get(Organiser, organiser_id) \
        if isinstance(organiser_id, int) and 0 < organiser_id < 2**63 else None
    max_age = timedelta(seconds=current_app.config["ORGANISER_SESSION_MAX_AGE"])
    if organisers.session_is_valid(organiser, session.get("organiser_version"),
                                   session.get("organiser_since"), max_age):
        g.organiser = organiser
    else:
        for key in ORGANISER_KEYS:
            session.pop(key, None)


def start_session(organiser: Organiser) -> None:
    """A fresh session for the organiser; a phone that joined in this browser keeps its place."""
    joined = session.get(PARTICIPANT_SESSION_KEY)
    session.clear()
    if joined:
        session[PARTICIPANT_SESSION_KEY] = joined
    session.permanent = True
    session["organiser_id"] = organiser.id
    session["organiser_version"] = organiser.session_version
    session["organiser_since"] = int(time())


def keep_this_session(organiser: Organiser) -> None:
    """After "log out everywhere" or a password change: this browser carries the new version
    (every other copy of the cookie, with the old one, stops working). The rest of the session
    (its CSRF token, a phone's place) stays, so open forms in this browser still work."""
    session["organiser_version"] = organiser.session_version


def meetup_for(meetup_id: int, action: str | None = None) -> Meetup:
    """The meetup when the logged-in organiser's role allows ``action`` (``services.access``):
    by default ``read`` to look (GET) and ``run`` to change anything (any other method)."""
    if action is None:
        action = access.READ if request.method in ("GET", "HEAD") else access.RUN
    return access.meetup_for(db.session, g.get("organiser"), meetup_id, action)


@bp.app_context_processor
def _organiser_may() -> dict[str, Any]:
    """``organiser_may(target, action)`` in templates: offer only what the role allows (the
    routes refuse the rest anyway)."""
    def organiser_may(target: Any, action: str) -> bool:
        return access.may(db.session, g.get("organiser"), target, action)
    return {"organiser_may": organiser_may}


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("organiser") is None:
            target = request.full_path if request.query_string else request.path
            return redirect(url_for("organiser.login", next=target))
        return view(*args, **kwargs)

    #: Read by tests/test_security_roles.py: every such route is checked for every role.
    wrapped.organiser_only = True  # type: ignore[attr-defined]
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
        address = attempts.client_address()
        account = (form.email.data or "").strip().lower()
        if attempts.exhausted("LOGIN_LIMIT_PER_ADDRESS", address) or \
                attempts.exhausted("LOGIN_LIMIT_PER_ACCOUNT", account):
            # Refused before any hashing: guessing costs the server (and the phones) nothing.
            form.password.errors.append(
                _("Too many failed attempts. Wait a few minutes and try again."))
            return render_template("organiser/login.html", form=form), 429
        organiser = organisers.authenticate(db.session, form.email.data, form.password.data)
        if organiser is None:
            attempts.count("LOGIN_LIMIT_PER_ADDRESS", address)
            attempts.count("LOGIN_LIMIT_PER_ACCOUNT", account)
            form.password.errors.append(_("This e-mail address and password do not match."))
        else:
            # The language this browser speaks now (its choice, else Accept-Language) is the
            # organiser's: their mail (the weekly digest) speaks it.
            organisers.set_language(organiser, select_locale())
            db.session.commit()
            start_session(organiser)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("organiser/login.html", form=form)


def _end_session() -> None:
    for key in ORGANISER_KEYS:
        session.pop(key, None)
    g.organiser = None


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """Log out: every copy of this organiser's session cookie stops working (server-side)."""
    organiser = g.get("organiser")
    if organiser is not None:
        organisers.end_all_sessions(organiser)
        db.session.commit()
    _end_session()
    flash(_("You are logged out."))
    return redirect(url_for("organiser.login"))
