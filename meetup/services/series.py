"""A series of meetups: creating a meetup "als vervolg op" an earlier one, and the series.

A follow-up meetup copies the earlier meetup's themes (title, question, directions, reading
links, examples, cap) and settings (table size, dots, phase durations, the ``settings``
object, the code and e-mail choices, the welcome text), links it as ``previous_meetup``
and joins its series; an earlier meetup without a series gets one, named by the organiser.

A series belongs to the organisation of its first meetup; who may see a series or make a
follow-up is decided by :func:`meetup.services.access.require` (``may_see`` and
``owned_series`` are its names here).
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from meetup.models import Meetup, Organiser, Series, Theme
from meetup.services import access
from meetup.services import meetups as meetup_service
from meetup.services.errors import InvalidInput

SERIES_NAME_MAX = 200
#: What a follow-up meetup takes over from the earlier one besides its themes.
COPIED_SETTINGS = ("welcome", "table_size", "votes_per_person", "phase_minutes",
                   "code_before_opening", "report_shows_emails", "reminder_days_before",
                   "followup_every_weeks", "followup_max", "organiser_digest",
                   "expected_participants")
COPIED_THEME_FIELDS = ("position", "title", "subject", "question", "introduction",
                       "directions", "reading_links", "examples", "capacity")


def may_see(organiser: Organiser, series: Series) -> bool:
    """True when this organiser may see the series (any role in its organisation)."""
    session = object_session(series)
    assert session is not None
    return access.may(session, organiser, series, access.READ)


def owned_series(session: Session, organiser: Organiser, series_id: int,
                 action: str = access.READ) -> Series:
    """The series with this id if the organiser's role allows ``action`` (default: see it);
    NotFound / Forbidden otherwise."""
    return access.series_for(session, organiser, series_id, action)


def series_of(session: Session, organiser: Organiser) -> list[Series]:
    """The series of the organiser's organisations, by name."""
    return list(session.scalars(
        select(Series).where(Series.organisation_id.in_(
            access.organisation_ids(session, organiser)))
        .order_by(Series.name, Series.id)))


def meetups_in(session: Session, series: Series) -> list[Meetup]:
    """The series' meetups, oldest first (undated last)."""
    return list(session.scalars(
        select(Meetup).where(Meetup.series_id == series.id)
        .order_by(Meetup.starts_at.asc().nulls_last(), Meetup.id)))


def clean_series_name(name: str | None) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise InvalidInput(_l("Give the series a name."), field="series_name")
    if len(cleaned) > SERIES_NAME_MAX:
        raise InvalidInput(_l("Use at most %(n)s characters.", n=SERIES_NAME_MAX),
                           field="series_name")
    return cleaned


def _copy_themes(previous: Meetup, meetup: Meetup) -> None:
    """Make ``meetup``'s themes those of ``previous`` (the defaults it got are replaced)."""
    by_key = {theme.key: theme for theme in meetup.themes}
    for source in previous.themes:
        target = by_key.pop(source.key, None)
        if target is None:
            target = Theme(key=source.key)
            meetup.themes.append(target)
        for name in COPIED_THEME_FIELDS:
            setattr(target, name, copy.deepcopy(getattr(source, name)))
    for leftover in by_key.values():
        meetup.themes.remove(leftover)


def create_follow_up(session: Session, organiser: Organiser, previous: Meetup, *,
                     title: str, city: str = "", venue: str = "",
                     starts_at: datetime | None = None,
                     series_name: str | None = None) -> Meetup:
    """A new meetup "als vervolg op" ``previous``, in its series (made when it has none).

    ``series_name`` names a new series; it is ignored when ``previous`` is in one already.
    """
    access.require(session, organiser, previous, access.RUN)
    series = previous.series
    if series is not None:
        access.require(session, organiser, series, access.RUN)
    if series is None:
        series = Series(organiser_id=organiser.id, organisation_id=previous.organisation_id,
                        name=clean_series_name(series_name))
        session.add(series)
        previous.series = series
    fields: dict[str, Any] = {name: copy.deepcopy(getattr(previous, name))
                              for name in COPIED_SETTINGS}
    meetup = meetup_service.create_meetup(session, organiser,
                                          organisation=previous.organisation,
                                          title=title, city=city,
                                          venue=venue, starts_at=starts_at, **fields)
    meetup.settings = copy.deepcopy(previous.settings or {})
    meetup.previous_meetup = previous
    meetup.series = series
    _copy_themes(previous, meetup)
    session.flush()
    return meetup
