"""Organiser accounts: creation and authentication."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from meetup.models import Organiser
from meetup.models.types import utcnow
from meetup.services.errors import Conflict, InvalidInput

MIN_PASSWORD_LENGTH = 10
#: Checked against when the e-mail address is unknown, so that a wrong address takes as long
#: as a wrong password and does not reveal which addresses have an account.
_DUMMY_HASH = generate_password_hash("not a password of anyone")


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or len(email) > 254:
        raise InvalidInput(_l("Enter a valid e-mail address."), field="email")
    return email


def generate_password() -> str:
    """A random password that is easy to type from a printout (16 characters)."""
    return secrets.token_urlsafe(12)


def create_organiser(
    session: Session, email: str, password: str, name: str = ""
) -> Organiser:
    """Create an organiser account; the e-mail address must be new."""
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _l("The password needs at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
            field="password",
        )
    if session.scalar(select(Organiser).where(Organiser.email == email)):
        raise Conflict(_l("An organiser with this e-mail address already exists."), field="email")
    organiser = Organiser(email=email, name=name.strip() or email.split("@")[0])
    organiser.set_password(password)
    session.add(organiser)
    session.flush()
    return organiser


def authenticate(session: Session, email: str, password: str) -> Organiser | None:
    """The organiser with these credentials, or None. Records the login time."""
    try:
        email = normalise_email(email)
    except InvalidInput:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    organiser = session.scalar(select(Organiser).where(Organiser.email == email))
    if organiser is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not organiser.check_password(password or ""):
        return None
    organiser.last_login_at = utcnow()
    return organiser
