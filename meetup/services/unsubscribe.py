"""Unsubscribe links (every follow-up mail carries one, and RFC 8058's one-click header).

A link holds the meetup and a hash of the address, signed with the application's secret key:
it works without logging in, names no address, and cannot be made up for another address.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from meetup.models import Meetup
from meetup.services import mail_consent, mail_queue
from meetup.services.errors import NotFound

SALT = "meetup-unsubscribe"
TOKEN_MAX = 200


def make_token(secret: str, meetup_id: int, email: str) -> str:
    return str(URLSafeSerializer(secret, salt=SALT).dumps(
        [meetup_id, mail_queue.address_hash(email)]))


def read_token(session: Session, secret: str, token: str) -> tuple[Meetup, str]:
    """The meetup and address hash of a link; NotFound when it is not one of ours."""
    data = None
    if token and len(token) <= TOKEN_MAX:
        try:
            data = URLSafeSerializer(secret, salt=SALT).loads(token)
        except BadSignature:
            data = None
    meetup = None
    if isinstance(data, list) and len(data) == 2 and isinstance(data[0], int) \
            and isinstance(data[1], str):
        meetup = session.get(Meetup, data[0])
    if meetup is None:
        raise NotFound(_l("This unsubscribe link does not work (any more)."))
    return meetup, data[1]


def unsubscribe(session: Session, secret: str, token: str, *, how: str,
                now: datetime | None = None) -> Meetup:
    """Stop all follow-up mail to the link's address about its meetup (caller commits)."""
    meetup, email_hash = read_token(session, secret, token)
    mail_consent.withdraw_address(session, meetup.id, email_hash, how=how, now=now)
    return meetup
