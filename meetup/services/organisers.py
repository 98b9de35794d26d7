"""Organiser accounts: creation, authentication, passwords and session versions.

Password hashing (scrypt, about 170 ms) runs in gevent's thread pool when the server runs
under gevent, so that a stream of login attempts cannot stall the single event loop that
answers every phone (see :func:`off_loop`).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from meetup.models import Membership, Organisation, Organiser, Role
from meetup.models.types import utcnow
from meetup.services.errors import Conflict, InvalidInput
from meetup.services.offload import off_loop

MIN_PASSWORD_LENGTH = 10
#: Fewest different characters a password needs ("aaaaaaaaaa" and "1212121212" are weak).
MIN_DISTINCT_CHARACTERS = 5
#: Passwords (and their stems) that every guessing list tries first.
COMMON_PASSWORDS = frozenset({
    "password", "wachtwoord", "welkom", "welcome", "qwerty", "azerty", "letmein", "admin",
    "administrator", "organiser", "organisator", "meetup", "changeme", "secret", "geheim",
    "iloveyou", "monkey", "dragon", "football", "voetbal", "sunshine", "abc", "test",
    "hilversum", "amsterdam", "zomer", "winter", "lente", "herfst",
})
_SEQUENCES = tuple(run + run[::-1] for run in (
    "01234567890", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm",
    "azertyuiop"))


#: Checked against when the e-mail address is unknown, so that a wrong address takes as long
#: as a wrong password and does not reveal which addresses have an account.
_DUMMY_HASH = generate_password_hash("not a password of anyone")


def hash_password(password: str) -> str:
    return off_loop(generate_password_hash, password)


def password_matches(password_hash: str, password: str) -> bool:
    return off_loop(check_password_hash, password_hash, password)


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or len(email) > 254:
        raise InvalidInput(_l("Enter a valid e-mail address."), field="email")
    return email


def generate_password() -> str:
    """A random password that is easy to type from a printout (16 characters)."""
    return secrets.token_urlsafe(12)


def password_problem(password: str, email: str = "") -> InvalidInput | None:
    """Why ``password`` is too weak to guard an organiser account, or None when it will do.

    Simple rules instead of a strength estimator: long enough, enough different characters,
    not a common word or keyboard run with some digits around it, not the e-mail address.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return InvalidInput(
            _l("The password needs at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
            field="password")
    if len(password) > 200:
        return InvalidInput(_l("The password can have at most 200 characters."),
                            field="password")
    lowered = password.lower()
    stem = lowered.strip("0123456789!@#$%^&*()_-+=.,?~ ")
    local = email.split("@")[0].lower() if email else ""
    if len(set(password)) < MIN_DISTINCT_CHARACTERS or not stem or stem in COMMON_PASSWORDS \
            or any(lowered in seq or seq.startswith(lowered) for seq in _SEQUENCES) \
            or any(stem and stem in seq for seq in _SEQUENCES) \
            or (local and len(local) >= 3 and local in lowered):
        return InvalidInput(
            _l("This password is too easy to guess. Use a longer sentence or a generated "
               "password."), field="password")
    return None


def _check_password(password: str, email: str = "") -> None:
    problem = password_problem(password, email)
    if problem is not None:
        raise problem


def create_organiser(
    session: Session, email: str, password: str, name: str = "", *,
    own_organisation: bool = True
) -> Organiser:
    """Create an organiser account; the e-mail address must be new and the password strong.

    The account gets an organisation of its own, with itself as beheerder (issue 25), unless
    ``own_organisation`` is false (an invited co-organiser joins the inviting organisation).
    """
    email = normalise_email(email)
    _check_password(password, email)
    if session.scalar(select(Organiser).where(Organiser.email == email)):
        raise Conflict(_l("An organiser with this e-mail address already exists."), field="email")
    organiser = Organiser(email=email, name=name.strip() or email.split("@")[0])
    organiser.password_hash = hash_password(password)
    session.add(organiser)
    if own_organisation:
        organisation = Organisation(name=organiser.name)
        session.add(organisation)
        session.add(Membership(organisation=organisation, organiser=organiser,
                               role=Role.BEHEERDER.value))
    session.flush()
    return organiser


#: The interface languages an organiser can choose (as ``meetup.web.LANGUAGES``).
LANGUAGES = ("nl", "en")


def set_language(organiser: Organiser, language: str) -> bool:
    """Keep the organiser's chosen interface language (their mail speaks it); True when it
    changed. An unknown code changes nothing."""
    if language not in LANGUAGES or organiser.language == language:
        return False
    organiser.language = language
    return True


def authenticate(session: Session, email: str, password: str) -> Organiser | None:
    """The organiser with these credentials, or None. Records the login time."""
    try:
        email = normalise_email(email)
    except InvalidInput:
        password_matches(_DUMMY_HASH, password or "")
        return None
    organiser = session.scalar(select(Organiser).where(Organiser.email == email))
    if organiser is None:
        password_matches(_DUMMY_HASH, password or "")
        return None
    if not password_matches(organiser.password_hash, password or ""):
        return None
    organiser.last_login_at = utcnow()
    return organiser


# -- sessions that end ----------------------------------------------------------------------


def end_all_sessions(organiser: Organiser) -> None:
    """Invalidate every copy of every session cookie of this organiser (logout, everywhere)."""
    organiser.session_version = (organiser.session_version or 0) + 1


def change_password(session: Session, organiser: Organiser, current: str, new: str) -> None:
    """Set a new password after checking the current one; ends every other session."""
    if not password_matches(organiser.password_hash, current or ""):
        raise InvalidInput(_l("Your current password is not right."), field="current")
    _check_password(new, organiser.email)
    organiser.password_hash = hash_password(new)
    end_all_sessions(organiser)
    session.flush()


def session_is_valid(organiser: Organiser | None, version: Any, logged_in_at: Any,
                     max_age: timedelta, now: datetime | None = None) -> bool:
    """True when a cookie claiming ``organiser`` (``version``, ``logged_in_at`` as a POSIX
    timestamp) is still a live session: not logged out since, and younger than ``max_age``.

    ``max_age`` is absolute: using the session does not extend it.
    """
    if organiser is None or isinstance(version, bool) or not isinstance(version, int):
        return False
    if version != organiser.session_version:
        return False
    if isinstance(logged_in_at, bool) or not isinstance(logged_in_at, (int, float)):
        return False
    now = now or utcnow()
    age = now.timestamp() - float(logged_in_at)
    return -300 <= age <= max_age.total_seconds()


def any_organiser(session: Session) -> bool:
    """Whether any organiser account exists (an installation's first account is made once)."""
    return session.scalar(select(Organiser.id).limit(1)) is not None
