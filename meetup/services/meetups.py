"""Preparing meetups: create, edit, delete, edit their themes, and find them by their codes."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from meetup.models import Meetup, Organisation, Organiser, Participant, Theme
from meetup.services import access, content
from meetup.services.errors import InvalidInput, NotFound

#: Letters and digits that cannot be mistaken for each other on a projector (no 0/O, 1/I/L).
SHORT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SHORT_CODE_LENGTH = 6
#: Fields of a meetup the organiser edits in the form.
EDITABLE_FIELDS = ("title", "city", "venue", "starts_at", "welcome", "table_size",
                   "votes_per_person", "phase_minutes", "code_before_opening",
                   "report_shows_emails", "reminder_days_before", "followup_every_weeks",
                   "followup_max", "organiser_digest", "expected_participants")
#: The follow-up mail's intervals (issue 23): (field, lowest, highest).
MAIL_INTERVALS = (("reminder_days_before", 0, 30), ("followup_every_weeks", 1, 26),
                  ("followup_max", 0, 12))
#: Longest default countdown of a phase, in minutes (the timer's own limit is three hours).
PHASE_MINUTES_MAX = 180
EDITABLE_THEME_FIELDS = ("title", "subject", "question", "introduction", "directions",
                         "reading_links", "examples", "capacity")
#: The organiser enters and reads times as wall-clock time here; the database holds UTC.
LOCAL_TIMEZONE = ZoneInfo("Europe/Amsterdam")
#: Column lengths, checked here so that PostgreSQL never has to refuse a value.
MAX_LENGTHS = {"title": 200, "city": 120, "venue": 200}
#: Sensible years for a meetup's date.
MIN_YEAR, MAX_YEAR = 2000, 2100
#: The largest cap a theme can have (more people than any venue holds).
MAX_CAPACITY = 10_000
THEME_MAX_LENGTHS = {"title": 120, "subject": 120}
DIRECTION_CODE_MAX = 12
DIRECTION_TITLE_MAX = 200
LINK_TITLE_MAX = 300
URL_MAX = 2000


def local_to_utc(day: date, at: time) -> datetime:
    """Wall-clock time in Europe/Amsterdam as a UTC datetime, correct across summer time.

    A time that does not exist (the hour skipped when the clocks go forward) is refused; for
    the hour that happens twice in October the first (summer time) one is meant.
    """
    if not MIN_YEAR <= day.year <= MAX_YEAR:  # year 1 overflows in UTC; nobody means it
        raise InvalidInput(_l("Enter a date between %(first)s and %(last)s.", first=MIN_YEAR,
                              last=MAX_YEAR), field="date")
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=LOCAL_TIMEZONE)
    in_utc = local.astimezone(UTC)
    if in_utc.astimezone(LOCAL_TIMEZONE).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise InvalidInput(
            _l("This time does not exist in the Netherlands (the clocks go forward)."),
            field="start_time")
    return in_utc


def utc_to_local(moment: datetime) -> tuple[date, time]:
    """A stored UTC datetime as (date, time) on the Dutch wall clock, for filling in a form."""
    local = moment.astimezone(LOCAL_TIMEZONE)
    return local.date(), local.time().replace(tzinfo=None, second=0, microsecond=0)


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
    for name, limit in MAX_LENGTHS.items():
        if len((fields.get(name) or "").strip()) > limit:
            raise InvalidInput(_l("Use at most %(n)s characters.", n=limit), field=name)
    if "starts_at" in fields and fields["starts_at"] is not None:
        if not isinstance(fields["starts_at"], datetime) or fields["starts_at"].tzinfo is None:
            raise InvalidInput(_l("Enter a valid date and time."), field="starts_at")
        if not MIN_YEAR <= fields["starts_at"].year <= MAX_YEAR:
            raise InvalidInput(_l("Enter a date between %(first)s and %(last)s.",
                                  first=MIN_YEAR, last=MAX_YEAR), field="date")
    if "table_size" in fields and not 2 <= int(fields["table_size"]) <= 12:
        raise InvalidInput(_l("A table seats between 2 and 12 people."), field="table_size")
    if "votes_per_person" in fields and not 1 <= int(fields["votes_per_person"]) <= 10:
        raise InvalidInput(_l("Give each person between 1 and 10 votes."),
                           field="votes_per_person")
    for name, lowest, highest in MAIL_INTERVALS:
        if name in fields and not lowest <= int(fields[name]) <= highest:
            raise InvalidInput(_l("Choose a number from %(low)s to %(high)s.", low=lowest,
                                  high=highest), field=name)
    if "expected_participants" in fields \
            and not 1 <= int(fields["expected_participants"]) <= MAX_CAPACITY:
        raise InvalidInput(_l("Give a number between 1 and 10,000."),
                           field="expected_participants")


def clean_phase_minutes(value: Any) -> dict[str, int]:
    """``{phase key: whole minutes}`` for the phases that start a countdown; empty ones dropped.

    Errors name the form field of the phase: ``minutes_<phase>``.
    """
    from meetup.models import Phase

    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(field="phase_minutes")
    cleaned: dict[str, int] = {}
    for key, minutes in value.items():
        try:
            phase = Phase(key)
        except ValueError:
            raise InvalidInput(_l("This part of the evening does not exist."),
                               field="phase_minutes") from None
        if minutes is None or minutes == "":
            continue
        if isinstance(minutes, bool) or not isinstance(minutes, int) \
                or not 1 <= minutes <= PHASE_MINUTES_MAX:
            raise InvalidInput(_l("Give a number of minutes between 1 and %(n)s, or leave it "
                                  "empty.", n=PHASE_MINUTES_MAX), field=f"minutes_{phase.value}")
        cleaned[phase.value] = minutes
    return cleaned


def create_meetup(session: Session, organiser: Organiser, *,
                  organisation: Organisation | None = None, **fields: Any) -> Meetup:
    """A new meetup with fresh join codes and the three default themes copied in.

    It belongs to ``organisation`` (the organiser must run meetups there), by default to the
    organiser's first organisation in which they run meetups.
    """
    if organisation is None:
        organisation = access.home_organisation(session, organiser)
    else:
        access.require(session, organiser, organisation, access.RUN)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown meetup fields: {sorted(unknown)}")
    if "phase_minutes" in fields:
        fields["phase_minutes"] = clean_phase_minutes(fields["phase_minutes"])
    _validate({"title": fields.get("title", ""), **fields})
    meetup = Meetup(
        organiser=organiser,
        organisation=organisation,
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
    if "phase_minutes" in fields:
        fields["phase_minutes"] = clean_phase_minutes(fields["phase_minutes"])
    _validate(fields)
    for key, value in fields.items():
        setattr(meetup, key, value.strip() if isinstance(value, str) else value)
    session.flush()
    return meetup


def _text(value: Any) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value)


def _ordered(rows: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """Rows with their index as given, sorted by their ``position`` (missing last), stably."""
    indexed = list(enumerate(rows))
    return sorted(indexed, key=lambda pair: (pair[1].get("position") is None,
                                             pair[1].get("position") or 0, pair[0]))


def clean_directions(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Directions in the order of their ``position``; empty rows and removed ones dropped.

    Errors name the row as given: ``directions-<index>-<field>``.
    """
    cleaned = []
    for index, row in _ordered(rows):
        code, title, prompt = _text(row.get("code")), _text(row.get("title")), \
            _text(row.get("prompt"))
        if row.get("remove") or not (code or title or prompt):
            continue
        if not title:
            raise InvalidInput(_l("Give this direction a title."),
                               field=f"directions-{index}-title")
        if len(title) > DIRECTION_TITLE_MAX:
            raise InvalidInput(_l("Use at most %(n)s characters.", n=DIRECTION_TITLE_MAX),
                               field=f"directions-{index}-title")
        if len(code) > DIRECTION_CODE_MAX:
            raise InvalidInput(_l("Use at most %(n)s characters.", n=DIRECTION_CODE_MAX),
                               field=f"directions-{index}-code")
        cleaned.append({"code": code, "title": title, "prompt": prompt})
    return cleaned


def is_https_url(url: str) -> bool:
    """An absolute https:// address with a host name and no spaces."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (parts.scheme == "https" and bool(parts.hostname) and "." in (parts.hostname or "")
            and not any(ch.isspace() for ch in url))


def clean_reading_links(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Reading links (title + https address) in order; empty rows and removed ones dropped."""
    cleaned = []
    for index, row in _ordered(rows):
        title, url = _text(row.get("title")), _text(row.get("url"))
        if row.get("remove") or not (title or url):
            continue
        if not title:
            raise InvalidInput(_l("Give this link a title."),
                               field=f"reading_links-{index}-title")
        if len(title) > LINK_TITLE_MAX:
            raise InvalidInput(_l("Use at most %(n)s characters.", n=LINK_TITLE_MAX),
                               field=f"reading_links-{index}-title")
        if not url:
            raise InvalidInput(_l("Fill in the web address."), field=f"reading_links-{index}-url")
        if len(url) > URL_MAX or not is_https_url(url):
            raise InvalidInput(
                _l("Enter a full web address that starts with https://"),
                field=f"reading_links-{index}-url")
        cleaned.append({"title": title, "url": url})
    return cleaned


def clean_examples(lines: list[str] | str) -> list[str]:
    """Example initiatives, one per line; empty lines dropped."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    return [" ".join(line.split()) for line in lines if line and line.strip()]


def update_theme(session: Session, theme: Theme, **fields: Any) -> Theme:
    """Edit a meetup's copy of a theme (the defaults file is never touched).

    ``directions`` and ``reading_links`` are lists of row dicts as the form sends them (with
    an optional ``position`` to order by and ``remove`` to drop); ``examples`` is a list of
    lines or one text with a line per example; ``capacity`` None means no cap.
    """
    unknown = set(fields) - set(EDITABLE_THEME_FIELDS)
    if unknown:
        raise TypeError(f"unknown theme fields: {sorted(unknown)}")
    if "title" in fields and not _text(fields["title"]):
        raise InvalidInput(_l("Give the theme a title."), field="title")
    for name, limit in THEME_MAX_LENGTHS.items():
        if len(_text(fields.get(name))) > limit:
            raise InvalidInput(_l("Use at most %(n)s characters.", n=limit), field=name)
    if "question" in fields and not _text(fields["question"]):
        raise InvalidInput(_l("Fill in the central question."), field="question")
    if fields.get("capacity") is not None and int(fields["capacity"]) < 1:
        raise InvalidInput(_l("A cap must be at least 1, or empty for no cap."),
                           field="capacity")
    if fields.get("capacity") is not None and int(fields["capacity"]) > MAX_CAPACITY:
        raise InvalidInput(_l("A cap can be at most %(n)s.", n=MAX_CAPACITY), field="capacity")
    if "directions" in fields:
        fields["directions"] = clean_directions(fields["directions"] or [])
    if "reading_links" in fields:
        fields["reading_links"] = clean_reading_links(fields["reading_links"] or [])
    if "examples" in fields:
        fields["examples"] = clean_examples(fields["examples"] or [])
    for key, value in fields.items():
        setattr(theme, key, value.strip() if isinstance(value, str) else value)
    session.flush()
    return theme


def theme_of(meetup: Meetup, key: str) -> Theme:
    """The meetup's theme with this key; NotFound otherwise."""
    theme = meetup.theme_by_key(key)
    if theme is None:
        raise NotFound(_l("This theme does not exist."))
    return theme


def delete_meetup(session: Session, meetup: Meetup) -> None:
    session.delete(meetup)
    session.flush()


def meetups_of(session: Session, organiser: Organiser) -> list[Meetup]:
    """The meetups of the organiser's organisations (any role), newest first."""
    return list(
        session.scalars(
            select(Meetup)
            .where(Meetup.organisation_id.in_(access.organisation_ids(session, organiser)))
            .order_by(Meetup.starts_at.desc().nulls_last(), Meetup.id.desc())
        )
    )


def owned_meetup(session: Session, organiser: Organiser, meetup_id: int,
                 action: str = access.RUN) -> Meetup:
    """The meetup with this id if the organiser's role allows ``action`` (default: run it);
    NotFound / Forbidden otherwise. The rule itself: :func:`access.require`."""
    return access.meetup_for(session, organiser, meetup_id, action)


#: Built once: every phone joining (GET and POST of the join form) runs it.
_BY_JOIN_TOKEN = select(Meetup).where(Meetup.join_token == bindparam("token"))


def by_join_token(session: Session, token: str) -> Meetup:
    meetup = session.scalar(_BY_JOIN_TOKEN, {"token": token})
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


def participant_counts(session: Session, meetup_ids: list[int]) -> dict[int, int]:
    """Number of participants per meetup id (0 for meetups without any), in one query."""
    counts = dict.fromkeys(meetup_ids, 0)
    if meetup_ids:
        rows = session.execute(
            select(Participant.meetup_id, func.count(Participant.id))
            .where(Participant.meetup_id.in_(meetup_ids))
            .group_by(Participant.meetup_id)
        )
        counts.update({meetup_id: count for meetup_id, count in rows})
    return counts
