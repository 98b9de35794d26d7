"""Preparing meetups: create, edit, delete, and find them by their join codes."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from meetup.models import Meetup, Organiser, Participant, Theme
from meetup.services import content
from meetup.services.errors import Forbidden, InvalidInput, NotFound

#: Letters and digits that cannot be mistaken for each other on a projector (no 0/O, 1/I/L).
SHORT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SHORT_CODE_LENGTH = 6
#: Fields of a meetup the organiser edits in the form.
EDITABLE_FIELDS = ("title", "city", "venue", "starts_at", "welcome", "table_size",
                   "votes_per_person")
EDITABLE_THEME_FIELDS = ("title", "subject", "question", "introduction", "directions",
                         "reading_links", "examples", "capacity")


def new_join_token() -> str:
    """192 random bits, URL-safe: the secret in the QR link."""
    return secrets.token_urlsafe(24)


def new_short_code(session: Session) -> str:
    """A fresh 6-character code (31^6, about 887 million possibilities) not yet in use."""
    while True:
        code = "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))
        if session.scalar(select(Meetup.id).where(Meetup.short_code == code)) is None:
            return code


def normalise_short_code(code: str) -> str:
    """What people type, in any case and with spaces or dashes, as the stored code."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _validate(fields: dict[str, Any]) -> None:
    if "title" in fields and not (fields["title"] or "").strip():
        raise InvalidInput(_l("Give the meetup a title."), field="title")
    if "starts_at" in fields and fields["starts_at"] is not None:
        if not isinstance(fields["starts_at"], datetime) or fields["starts_at"].tzinfo is None:
            raise InvalidInput(_l("Enter a valid date and time."), field="starts_at")
    if "table_size" in fields and not 2 <= int(fields["table_size"]) <= 12:
        raise InvalidInput(_l("A table seats between 2 and 12 people."), field="table_size")
    if "votes_per_person" in fields and not 1 <= int(fields["votes_per_person"]) <= 10:
        raise InvalidInput(_l("Give each person between 1 and 10 votes."),
                           field="votes_per_person")


def create_meetup(session: Session, organiser: Organiser, **fields: Any) -> Meetup:
    """A new meetup with fresh join codes and the three default themes copied in."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown meetup fields: {sorted(unknown)}")
    _validate({"title": fields.get("title", ""), **fields})
    meetup = Meetup(
        organiser=organiser,
        join_token=new_join_token(),
        short_code=new_short_code(session),
        settings={},
        **{k: v.strip() if isinstance(v, str) else v for k, v in fields.items()},
    )
    for position, theme in enumerate(content.default_themes()):
        meetup.themes.append(
            Theme(
                key=theme["key"],
                position=position,
                title=theme["title"],
                subject=theme.get("subject", ""),
                question=theme["question"],
                introduction=theme.get("introduction", ""),
                directions=[dict(d) for d in theme.get("directions", [])],
                reading_links=[dict(r) for r in theme.get("reading_links", [])],
                examples=list(theme.get("examples", [])),
            )
        )
    session.add(meetup)
    session.flush()
    return meetup


def update_meetup(session: Session, meetup: Meetup, **fields: Any) -> Meetup:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown meetup fields: {sorted(unknown)}")
    _validate(fields)
    for key, value in fields.items():
        setattr(meetup, key, value.strip() if isinstance(value, str) else value)
    session.flush()
    return meetup


def update_theme(session: Session, theme: Theme, **fields: Any) -> Theme:
    unknown = set(fields) - set(EDITABLE_THEME_FIELDS)
    if unknown:
        raise TypeError(f"unknown theme fields: {sorted(unknown)}")
    if "title" in fields and not (fields["title"] or "").strip():
        raise InvalidInput(_l("Give the theme a title."), field="title")
    if "capacity" in fields and fields["capacity"] is not None and int(fields["capacity"]) < 1:
        raise InvalidInput(_l("A cap must be at least 1, or empty for no cap."),
                           field="capacity")
    for key, value in fields.items():
        setattr(theme, key, value.strip() if isinstance(value, str) else value)
    session.flush()
    return theme


def delete_meetup(session: Session, meetup: Meetup) -> None:
    session.delete(meetup)
    session.flush()


def meetups_of(session: Session, organiser: Organiser) -> list[Meetup]:
    """The organiser's meetups, newest first."""
    return list(
        session.scalars(
            select(Meetup)
            .where(Meetup.organiser_id == organiser.id)
            .order_by(Meetup.starts_at.desc().nulls_last(), Meetup.id.desc())
        )
    )


def owned_meetup(session: Session, organiser: Organiser, meetup_id: int) -> Meetup:
    """The meetup with this id if this organiser owns it; NotFound otherwise."""
    meetup = session.get(Meetup, meetup_id)
    if meetup is None:
        raise NotFound(_l("This meetup does not exist."))
    if meetup.organiser_id != organiser.id:
        raise Forbidden()
    return meetup


def by_join_token(session: Session, token: str) -> Meetup:
    meetup = session.scalar(select(Meetup).where(Meetup.join_token == token))
    if meetup is None:
        raise NotFound(_l("This join link is not valid. Check the QR code or type the code."))
    return meetup


def by_short_code(session: Session, code: str) -> Meetup:
    meetup = session.scalar(
        select(Meetup).where(Meetup.short_code == normalise_short_code(code))
    )
    if meetup is None:
        raise NotFound(_l("No meetup has this code. Check the code on the big screen."),
                       field="code")
    return meetup


def participant_count(session: Session, meetup: Meetup) -> int:
    return session.scalar(
        select(func.count(Participant.id)).where(Participant.meetup_id == meetup.id)
    ) or 0
