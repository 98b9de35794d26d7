"""Who is on the other end of a socket: decided once, on connect, from the signed cookie.

The handshake request carries the Flask session cookie set over HTTP: the participant token per
meetup (written by the join form) or the logged-in organiser's id. ``auth.meetup`` from the
client only says which meetup the page is about, and ``auth.as`` which face it is; neither is
trusted on its own. The identity is kept server-side per socket id; later events never read
ids from payloads to decide who is writing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from flask import session as http_session
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from meetup.config import PARTICIPANT_SESSION_KEY
from meetup.models import Meetup, Organiser, Participant
from meetup.services import access, joining, organisers
from meetup.services.errors import Unauthorised

PARTICIPANT = "participant"
ORGANISER = "organiser"
PROJECTOR = "projector"
KINDS = (PARTICIPANT, ORGANISER, PROJECTOR)


@dataclass
class Identity:
    """One socket's identity: what it is, for which meetup, and which table room it is in."""

    kind: str
    meetup_id: int
    participant_id: int | None = None
    organiser_id: int | None = None
    #: The organiser's session version at connect; a logout since then ends this socket's
    #: right to write (checked on every organiser event).
    session_version: int | None = None
    #: The table whose room this socket is in (None: none yet).
    table_id: int | None = None

    @property
    def is_participant(self) -> bool:
        return self.kind == PARTICIPANT

    @property
    def is_organiser(self) -> bool:
        """The organiser's control window (the projector is read-only)."""
        return self.kind == ORGANISER


_identities: dict[str, Identity] = {}
_lock = threading.Lock()


def remember(sid: str, identity: Identity) -> None:
    with _lock:
        _identities[sid] = identity


def identity_of(sid: str) -> Identity | None:
    with _lock:
        return _identities.get(sid)


def sids_of_organiser(organiser_id: int) -> list[str]:
    """The sockets of this organiser on this worker (live pages and projectors)."""
    with _lock:
        return [sid for sid, identity in _identities.items()
                if identity.organiser_id == organiser_id]


def forget(sid: str) -> None:
    with _lock:
        _identities.pop(sid, None)


def _meetup_id(auth: Any) -> int:
    raw = auth.get("meetup") if isinstance(auth, dict) else None
    if isinstance(raw, bool):
        raw = None
    if isinstance(raw, str) and raw.isdigit():
        raw = int(raw)
    if not isinstance(raw, int) or raw <= 0 or raw >= 2**63:  # a database integer
        raise Unauthorised(_l("Open this page again from the meetup's link."))
    return raw


def identify(session: Session, auth: Any) -> tuple[Identity, Meetup, Participant | None]:
    """The identity of a connecting socket, from ``auth`` and the handshake's cookie.

    Raises :class:`Unauthorised` when the cookie does not carry the right to connect.
    """
    meetup_id = _meetup_id(auth)
    kind = auth.get("as", PARTICIPANT)
    if kind not in KINDS:
        raise Unauthorised(_l("Open this page again from the meetup's link."))
    if kind == PARTICIPANT:
        tokens = http_session.get(PARTICIPANT_SESSION_KEY)
        token = tokens.get(str(meetup_id)) if isinstance(tokens, dict) else None
        # Participant and meetup in one query: every phone of the room runs this on connect.
        found = joining.participant_with_meetup(
            session, meetup_id, token if isinstance(token, str) else None)
        if found is None:
            if session.get(Meetup, meetup_id) is None:
                raise Unauthorised(_l("This meetup does not exist."))
            raise Unauthorised()
        participant, meetup = found
        return (Identity(PARTICIPANT, meetup_id, participant_id=participant.id,
                         table_id=participant.table_id), meetup, participant)
    meetup = session.get(Meetup, meetup_id)
    if meetup is None:
        raise Unauthorised(_l("This meetup does not exist."))
    organiser_id = http_session.get("organiser_id")
    organiser = session.get(Organiser, organiser_id) \
        if isinstance(organiser_id, int) and 0 < organiser_id < 2**63 else None
    max_age = timedelta(seconds=current_app.config["ORGANISER_SESSION_MAX_AGE"])
    if not organisers.session_is_valid(organiser, http_session.get("organiser_version"),
                                       http_session.get("organiser_since"), max_age):
        raise Unauthorised(_l("Log in as organiser first."))
    assert organiser is not None
    # Any role in the meetup's organisation may watch (a meekijker too); every write event
    # asks again for ``run`` (context.load_context).
    access.require(session, organiser, meetup, access.READ)
    return (Identity(kind, meetup_id, organiser_id=organiser.id,
                     session_version=organiser.session_version), meetup, None)
