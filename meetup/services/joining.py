"""Joining a meetup from a phone, the participant's identity token, and choosing a theme.

The phone keeps a random token (in the signed session cookie); only its SHA-256 hash is
stored. Whoever holds the token is that participant: a reload, a second tab or a reconnect
brings the person back without an account.

The join form carries a *join key* (:func:`new_join_key`), which becomes that token. So the
same form posted twice (a double tap, a browser resending after a lost response, two requests
racing) is recognised: the second post finds the participant of the first and returns it
with the same token, and one person is registered once. The unique ``token_hash`` makes this
hold under concurrency too: a racing twin fails to insert, and asking again finds the winner.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from meetup.models import Meetup, Participant, Phase, Theme
from meetup.models.types import utcnow
from meetup.services import content
from meetup.services.admission import Admission
from meetup.services.errors import Full, InvalidInput, NotFound, WrongPhase

NAME_MAX = 80
ORGANISATION_MAX = 120
#: How long before the start the short code starts to work (the doors open; registration).
DOORS_OPEN = timedelta(hours=2)
#: What a join key looks like (:func:`secrets.token_urlsafe` of 32 bytes is 43 characters).
JOIN_KEY = re.compile(r"[A-Za-z0-9_-]{32,128}")


def new_join_key() -> str:
    """A fresh key for one join form: the token the phone will hold once it joins."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class JoinRequest:
    """What the join form sends."""

    display_name: str
    role: str
    organisation: str
    email: str = ""
    email_consent: bool = False


def problems(request: JoinRequest) -> dict[str, InvalidInput]:
    """Every field error of the join form at once, keyed by field (empty when all is well).

    The form shows them all together, next to their fields; :func:`join` raises the first.
    """
    name = " ".join(request.display_name.split())
    organisation = " ".join(request.organisation.split())
    email = request.email.strip().lower()
    found: dict[str, InvalidInput] = {}

    def add(field: str, message: object) -> None:
        found.setdefault(field, InvalidInput(message, field=field))

    if not name:
        add("display_name", _l("Fill in your name."))
    elif len(name) > NAME_MAX:
        add("display_name", _l("Your name can have at most %(n)s characters.", n=NAME_MAX))
    if request.role not in content.role_keys():
        add("role", _l("Choose your role from the list."))
    if not organisation:
        add("organisation", _l("Fill in your organisation."))
    elif len(organisation) > ORGANISATION_MAX:
        add("organisation",
            _l("The organisation can have at most %(n)s characters.", n=ORGANISATION_MAX))
    if email and ("@" not in email or "." not in email.split("@")[-1] or len(email) > 254
                  or any(ch.isspace() for ch in email)):
        add("email", _l("Enter a valid e-mail address."))
    if request.email_consent and not email:
        add("email", _l("Fill in your e-mail address, or leave the box unticked."))
    return found


def _clean(request: JoinRequest) -> JoinRequest:
    found = problems(request)
    if found:
        raise next(iter(found.values()))
    name = " ".join(request.display_name.split())
    organisation = " ".join(request.organisation.split())
    email = request.email.strip().lower()
    return JoinRequest(name, request.role, organisation, email, request.email_consent and
                       bool(email))


def join(session: Session, meetup: Meetup, request: JoinRequest,
         key: str | None = None, admit: Admission | None = None) -> tuple[Participant, str]:
    """Register a participant; returns the participant and the token for the phone.

    ``key`` is the join key of the form (see the module docstring): posted again, it returns
    the participant it registered the first time, unchanged, with the same token. Without a
    (well-formed) key the token is random and every call registers someone new. When a twin
    with the same key is being inserted at the same moment, the flush raises
    :class:`sqlalchemy.exc.IntegrityError`; the caller rolls back and calls again.
    ``admit`` (from :func:`admission.admission`) counts a new participant against the meetup's
    expected size and raises :class:`~meetup.services.errors.Busy` when joining must wait.
    """
    if meetup.phase is Phase.CLOSED:
        raise WrongPhase(_l("This meetup has ended; joining is no longer possible."))
    data = _clean(request)
    token = key if key and JOIN_KEY.fullmatch(key) else secrets.token_urlsafe(32)
    earlier = session.scalar(
        select(Participant).where(Participant.token_hash == hash_token(token)))
    if earlier is not None:
        if earlier.meetup_id == meetup.id:
            return earlier, token  # the same form again: the same person
        token = secrets.token_urlsafe(32)  # a key from another meetup's form: a new identity
    if admit is not None:
        admit.take()
    participant = Participant(
        meetup=meetup,
        display_name=data.display_name,
        role=data.role,
        organisation=data.organisation,
        email=data.email or None,
        email_consent=data.email_consent,
        token_hash=hash_token(token),
    )
    session.add(participant)
    session.flush()
    return participant, token


def join_many(session: Session, forms: list[tuple[Meetup, JoinRequest, str | None]],
              admissions: dict[int, Admission] | None = None,
              ) -> list[tuple[int, str]] | None:
    """:func:`join` for several forms posted together: one query for the keys seen before and
    one INSERT. Returns each form's participant id and token, in order; None when the forms
    need :func:`join` one by one (a key posted twice in these forms). Raises what
    :func:`join` raises, for the first form that fails (the caller then joins one by one).
    ``admissions`` (per meetup id) count the new participants as ``admit`` does in :func:`join`.
    """
    cleaned = []
    for meetup, request, key in forms:
        if meetup.phase is Phase.CLOSED:
            raise WrongPhase(_l("This meetup has ended; joining is no longer possible."))
        token = key if key and JOIN_KEY.fullmatch(key) else secrets.token_urlsafe(32)
        cleaned.append((meetup, _clean(request), token))
    hashes = [hash_token(token) for _meetup, _data, token in cleaned]
    if len(set(hashes)) != len(hashes):
        return None
    earlier = {token_hash: (person_id, meetup_id) for token_hash, person_id, meetup_id in
               session.execute(select(Participant.token_hash, Participant.id,
                                      Participant.meetup_id)
                               .where(Participant.token_hash.in_(hashes)))}
    found: list[tuple[int, str] | None] = []
    rows = []
    for (meetup, data, token), token_hash in zip(cleaned, hashes, strict=True):
        seen = earlier.get(token_hash)
        if seen is not None and seen[1] == meetup.id:
            found.append((seen[0], token))  # the same form again: the same person
            continue
        if seen is not None:
            token = secrets.token_urlsafe(32)  # a key from another meetup's form
        if admissions is not None and meetup.id in admissions:
            admissions[meetup.id].take()
        found.append(None)
        rows.append({"meetup_id": meetup.id, "display_name": data.display_name,
                     "role": data.role, "organisation": data.organisation,
                     "email": data.email or None, "email_consent": data.email_consent,
                     "token_hash": hash_token(token), "_token": token})
    ids: list[int] = []
    if rows:
        tokens = [row.pop("_token") for row in rows]
        ids = list(session.scalars(
            insert(Participant).returning(Participant.id, sort_by_parameter_order=True),
            rows))
    new = iter(zip(ids, tokens)) if rows else iter(())
    return [hit if hit is not None else next(new) for hit in found]


def code_opens_at(meetup: Meetup) -> datetime | None:
    """When the short code starts to work, or None when it works already/always."""
    if meetup.code_before_opening or meetup.starts_at is None \
            or meetup.phase is not Phase.REGISTRATION:
        return None
    return meetup.starts_at - DOORS_OPEN


def code_is_open(meetup: Meetup, now: datetime | None = None) -> bool:
    """Whether the short code lets people join now.

    The public briefing link carries the short code, so by default the code only works from
    :data:`DOORS_OPEN` before the start, or once the evening has moved on from registration;
    the organiser can switch ``code_before_opening`` on. The QR link (an unguessable token,
    shown on the big screen) always works.
    """
    opens = code_opens_at(meetup)
    return opens is None or (now or utcnow()) >= opens


def participant_for_token(session: Session, meetup_id: int, token: str | None) -> Participant | None:
    """The participant of this meetup holding ``token``, or None."""
    if not token:
        return None
    participant = session.scalar(
        select(Participant).where(Participant.token_hash == hash_token(token))
    )
    if participant is None or participant.meetup_id != meetup_id:
        return None
    return participant


#: The participant holding a token hash, with their meetup: one statement, built once (a
#: connecting phone runs it; 1,000 phones reconnecting at once run it 1,000 times).
_WITH_MEETUP = (
    select(Participant, Meetup)
    .join(Meetup, Participant.meetup_id == Meetup.id)
    .where(Participant.token_hash == bindparam("token_hash"), Meetup.id == bindparam("meetup"))
)


def participant_with_meetup(session: Session, meetup_id: int, token: str | None,
                            ) -> tuple[Participant, Meetup] | None:
    """:func:`participant_for_token` and the meetup, read together in one query."""
    if not token:
        return None
    row = session.execute(_WITH_MEETUP, {"token_hash": hash_token(token),
                                         "meetup": meetup_id}).first()
    return (row[0], row[1]) if row is not None else None


def organisations(session: Session, meetup: Meetup, limit: int = 60) -> list[str]:
    """Organisations already typed at this meetup, most frequent first (for suggestions)."""
    rows = session.execute(
        select(Participant.organisation, func.count(Participant.id).label("n"))
        .where(Participant.meetup_id == meetup.id, Participant.organisation != "")
        .group_by(Participant.organisation)
        .order_by(func.count(Participant.id).desc(), Participant.organisation)
        .limit(limit)
    )
    return [organisation for organisation, _count in rows]


def touch(participant: Participant) -> None:
    participant.last_seen_at = utcnow()


def theme_counts(session: Session, meetup: Meetup) -> dict[int, int]:
    """Number of participants per theme id."""
    rows = session.execute(
        select(Participant.theme_id, func.count(Participant.id))
        .where(Participant.meetup_id == meetup.id, Participant.theme_id.is_not(None))
        .group_by(Participant.theme_id)
    )
    return {theme_id: count for theme_id, count in rows}


def choose_theme(session: Session, participant: Participant, theme_key: str) -> Theme:
    """Pick (or change) a theme, respecting the organiser's cap.

    Changing is possible until the person has a table; then the organiser moves them.
    """
    meetup = participant.meetup
    if meetup.phase not in (Phase.REGISTRATION, Phase.THEME_CHOICE, Phase.TABLES) and \
            participant.theme_id is not None:
        raise WrongPhase(_l("Themes can no longer be changed; ask the organiser."))
    if participant.table_id is not None and participant.theme is not None \
            and participant.theme.key != theme_key:
        raise WrongPhase(_l("You already have a table; ask the organiser to move you."))
    theme = meetup.theme_by_key(theme_key)
    if theme is None:
        raise NotFound(_l("This theme does not exist."), field="theme")
    if participant.theme_id == theme.id:
        return theme
    if theme.capacity is not None:
        # Lock the theme row on PostgreSQL so two phones cannot both take the last place.
        session.execute(select(Theme.id).where(Theme.id == theme.id).with_for_update())
        taken = session.scalar(
            select(func.count(Participant.id)).where(Participant.theme_id == theme.id)
        ) or 0
        if taken >= theme.capacity:
            raise Full()
    participant.theme_id = theme.id
    session.flush()
    return theme
