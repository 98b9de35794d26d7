"""An organisation's members: roles, removal and invitations by a one-time link (issue 25).

Only a beheerder manages members (``access.require(..., "manage")``). An organisation always
keeps at least one beheerder. Removing someone raises their session version (every cookie of
theirs stops working at once) and the web face sends :data:`sessions_ended` after its commit,
so that the real-time face closes their open sockets too.

An invitation is a random token shown once to the beheerder (only its SHA-256 is stored),
valid for :data:`INVITATION_DAYS` days and usable once. Accepting it creates the account (for
an address that has none) or attaches the logged-in account with the invited address.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from meetup.models import Invitation, Membership, Organisation, Organiser, Role
from meetup.models.types import utcnow
from meetup.services import access, organisers
from meetup.services.errors import Conflict, Forbidden, InvalidInput, NotFound

INVITATION_DAYS = 7
#: ``sessions_ended.send(organiser_id=)`` after the commit that removed an organiser.
sessions_ended = Namespace().signal("organiser-sessions-ended")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_role(raw: str | None) -> Role:
    try:
        return Role(raw or "")
    except ValueError:
        raise InvalidInput(_l("Choose a role."), field="role") from None


def members(session: Session, organisation: Organisation) -> list[Membership]:
    """The organisation's members, beheerders first, then by name."""
    order = {Role.BEHEERDER.value: 0, Role.ORGANISATOR.value: 1, Role.MEEKIJKER.value: 2}
    found = list(session.scalars(select(Membership).join(Organiser).where(
        Membership.organisation_id == organisation.id)))
    return sorted(found, key=lambda m: (order.get(m.role, 3), m.organiser.name.lower(), m.id))


def _membership(session: Session, organisation: Organisation, membership_id: int) -> Membership:
    membership = session.get(Membership, membership_id)
    if membership is None or membership.organisation_id != organisation.id:
        raise NotFound(_l("This person is not a member of the organisation."))
    return membership


def _keep_a_beheerder(session: Session, membership: Membership) -> None:
    if membership.role != Role.BEHEERDER.value:
        return
    others = session.scalars(select(Membership.id).where(
        Membership.organisation_id == membership.organisation_id,
        Membership.role == Role.BEHEERDER.value, Membership.id != membership.id)).first()
    if others is None:
        raise Conflict(_l("The organisation needs at least one beheerder. Make someone else "
                          "beheerder first."))


def change_role(session: Session, actor: Organiser, organisation: Organisation,
                membership_id: int, role: str) -> Membership:
    access.require(session, actor, organisation, access.MANAGE)
    membership = _membership(session, organisation, membership_id)
    new = parse_role(role)
    if new is not Role.BEHEERDER:
        _keep_a_beheerder(session, membership)
    membership.role = new.value
    session.flush()
    return membership


def remove_member(session: Session, actor: Organiser, organisation: Organisation,
                  membership_id: int) -> Organiser:
    """Remove the member; every session of theirs ends (send :data:`sessions_ended` after
    the commit). Returns the removed organiser."""
    access.require(session, actor, organisation, access.MANAGE)
    membership = _membership(session, organisation, membership_id)
    _keep_a_beheerder(session, membership)
    removed = membership.organiser
    session.delete(membership)
    organisers.end_all_sessions(removed)
    session.flush()
    return removed


# -- invitations --------------------------------------------------------------------------


def invite(session: Session, actor: Organiser, organisation: Organisation, email: str,
           role: str, now: datetime | None = None) -> tuple[Invitation, str]:
    """A new invitation and its token (shown once; only its hash is stored)."""
    access.require(session, actor, organisation, access.MANAGE)
    address = organisers.normalise_email(email)
    chosen = parse_role(role)
    member = session.scalar(select(Membership).join(Organiser).where(
        Membership.organisation_id == organisation.id, Organiser.email == address))
    if member is not None:
        raise Conflict(_l("This person is already a member."), field="email")
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    invitation = Invitation(organisation_id=organisation.id, email=address, role=chosen.value,
                            token_hash=_hash(token), invited_by_id=actor.id, created_at=now,
                            expires_at=now + timedelta(days=INVITATION_DAYS))
    session.add(invitation)
    session.flush()
    return invitation, token


def pending(session: Session, organisation: Organisation,
            now: datetime | None = None) -> list[Invitation]:
    now = now or utcnow()
    return list(session.scalars(select(Invitation).where(
        Invitation.organisation_id == organisation.id, Invitation.used_at.is_(None),
        Invitation.expires_at > now).order_by(Invitation.id)))


def withdraw(session: Session, actor: Organiser, organisation: Organisation,
             invitation_id: int) -> None:
    access.require(session, actor, organisation, access.MANAGE)
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != organisation.id:
        raise NotFound(_l("This invitation is no longer valid."))
    invitation.used_at = invitation.used_at or utcnow()
    session.flush()


def by_token(session: Session, token: str, now: datetime | None = None) -> Invitation:
    """The open invitation of this link; NotFound when unknown, used, withdrawn or expired."""
    invitation = session.scalar(select(Invitation).where(
        Invitation.token_hash == _hash(token or "")))
    now = now or utcnow()
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
        raise NotFound(_l("This invitation is no longer valid. Ask for a new one."))
    return invitation


def account_exists(session: Session, invitation: Invitation) -> bool:
    return session.scalar(select(Organiser.id).where(
        Organiser.email == invitation.email)) is not None


def accept(session: Session, invitation: Invitation, organiser: Organiser | None, *,
           name: str = "", password: str = "") -> Organiser:
    """Use the invitation: the logged-in account with the invited address joins, or (nobody
    logged in, no account yet) a new account is made. Returns the member."""
    if organiser is None:
        if account_exists(session, invitation):
            raise Forbidden(_l("Log in first with %(email)s to accept.", email=invitation.email))
        organiser = organisers.create_organiser(session, invitation.email, password, name,
                                                own_organisation=False)
    elif organiser.email != invitation.email:
        raise Forbidden(_l("This invitation is for %(email)s. Log in with that address.",
                           email=invitation.email))
    existing = access.role_in(session, organiser, invitation.organisation_id)
    if existing is None:
        session.add(Membership(organisation_id=invitation.organisation_id,
                               organiser_id=organiser.id, role=invitation.role))
    invitation.used_at = utcnow()
    session.flush()
    return organiser
