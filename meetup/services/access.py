"""Who may do what with a meetup, a series or an organisation: the one rule (issue 25).

Meetups and series belong to an organisation; an organiser's :class:`Membership` gives them a
role there. Three actions:

- ``read``: see the meetup, its live page, reports, follow-up and series (every role);
- ``run``: prepare and run meetups: every change to a meetup, its live evening, its follow-up
  (beheerder, organisator);
- ``manage``: the organisation itself: its members, invitations and series (beheerder).

Every organiser page (``web/organiser``, ``web/projector``) and every organiser socket event
(``realtime``) asks :func:`require`; nothing else compares ids.
"""

from __future__ import annotations

from typing import Final

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from meetup.models import Meetup, Membership, Organisation, Organiser, Role, Series
from meetup.services.errors import Forbidden, NotFound, Unauthorised

READ: Final = "read"
RUN: Final = "run"
MANAGE: Final = "manage"
ACTIONS = (READ, RUN, MANAGE)

#: The roles allowed each action.
ALLOWED: dict[str, frozenset[Role]] = {
    READ: frozenset({Role.BEHEERDER, Role.ORGANISATOR, Role.MEEKIJKER}),
    RUN: frozenset({Role.BEHEERDER, Role.ORGANISATOR}),
    MANAGE: frozenset({Role.BEHEERDER}),
}

Target = Meetup | Series | Organisation


def organisation_id_of(target: Target) -> int:
    if isinstance(target, Organisation):
        return target.id
    return target.organisation_id


def role_in(session: Session, organiser: Organiser, organisation_id: int) -> Role | None:
    """The organiser's role in the organisation, or None when they are not a member."""
    role = session.scalar(select(Membership.role).where(
        Membership.organisation_id == organisation_id,
        Membership.organiser_id == organiser.id))
    return Role(role) if role is not None else None


def allows(role: Role | None, action: str) -> bool:
    if action not in ALLOWED:
        raise ValueError(f"unknown action {action!r}")
    return role is not None and role in ALLOWED[action]


def may(session: Session, organiser: Organiser | None, target: Target, action: str) -> bool:
    """True when the organiser may do ``action`` with the meetup, series or organisation."""
    if organiser is None:
        return False
    return allows(role_in(session, organiser, organisation_id_of(target)), action)


def require(session: Session, organiser: Organiser | None, target: Target,
            action: str) -> Role:
    """The organiser's role when it allows ``action`` on ``target``; raises otherwise.

    Not logged in: :class:`Unauthorised`; not a member or a role that does not allow it:
    :class:`Forbidden` (HTTP 403, ``forbidden`` on the socket).
    """
    if organiser is None:
        raise Unauthorised(_l("Log in as organiser first."))
    role = role_in(session, organiser, organisation_id_of(target))
    if not allows(role, action):
        if role is None:
            raise Forbidden(_l("This belongs to another organisation."))
        raise Forbidden(_l("Your role in this organisation does not allow this."))
    assert role is not None
    return role


def meetup_for(session: Session, organiser: Organiser | None, meetup_id: int,
               action: str) -> Meetup:
    """The meetup with this id when the organiser may do ``action`` with it."""
    meetup = session.get(Meetup, meetup_id)
    if meetup is None:
        raise NotFound(_l("This meetup does not exist."))
    require(session, organiser, meetup, action)
    return meetup


def series_for(session: Session, organiser: Organiser | None, series_id: int,
               action: str) -> Series:
    """The series with this id when the organiser may do ``action`` with it."""
    series = session.get(Series, series_id)
    if series is None:
        raise NotFound(_l("This series does not exist."))
    require(session, organiser, series, action)
    return series


def organisation_for(session: Session, organiser: Organiser | None, organisation_id: int,
                     action: str) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(_l("This organisation does not exist."))
    require(session, organiser, organisation, action)
    return organisation


def memberships_of(session: Session, organiser: Organiser) -> list[Membership]:
    """The organiser's memberships, oldest first (their own organisation first)."""
    return list(session.scalars(select(Membership).where(
        Membership.organiser_id == organiser.id).order_by(Membership.id)))


def organisation_ids(session: Session, organiser: Organiser, action: str = READ) -> list[int]:
    """The organisations in which the organiser may do ``action``."""
    return [m.organisation_id for m in memberships_of(session, organiser)
            if allows(Role(m.role), action)]


def home_organisation(session: Session, organiser: Organiser) -> Organisation:
    """Where a new meetup of this organiser goes: their first organisation in which they run."""
    for membership in memberships_of(session, organiser):
        if allows(Role(membership.role), RUN):
            return membership.organisation
    raise Forbidden(_l("Your role in this organisation does not allow this."))
