"""The municipality's read-only link to the web version of a meetup's report.

The link carries ``Meetup.report_share_token``: 256 random bits, URL-safe. The organiser can
revoke it; a later share makes a new token, so an old link never comes back to life.
"""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from meetup.models import Meetup
from meetup.services.errors import NotFound

#: Longer tokens than this are refused before they reach the database.
TOKEN_MAX = 64


def new_share_token() -> str:
    return secrets.token_urlsafe(32)


def share_report(session: Session, meetup: Meetup) -> str:
    """Share the report: returns the current token, creating one when there is none."""
    if not meetup.report_share_token:
        meetup.report_share_token = new_share_token()
        session.flush()
    return meetup.report_share_token


def revoke_share(session: Session, meetup: Meetup) -> None:
    """Stop sharing: the link stops working at once."""
    meetup.report_share_token = None
    session.flush()


def meetup_for_share_token(session: Session, token: str | None) -> Meetup:
    """The meetup whose report is shared with ``token``; NotFound for unknown or revoked."""
    if not token or len(token) > TOKEN_MAX:
        raise NotFound(_l("This report link does not work (anymore). Ask the organiser for a "
                          "new link."))
    meetup = session.scalar(select(Meetup).where(Meetup.report_share_token == token))
    if meetup is None:
        raise NotFound(_l("This report link does not work (anymore). Ask the organiser for a "
                          "new link."))
    return meetup
