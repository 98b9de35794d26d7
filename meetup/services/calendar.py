"""Calendar files (.ics, RFC 5545) for the agreements a participant signed on to.

Pure functions: agreements in, text out. One all-day VEVENT per agreement that has a date for
its first step; the UID comes from the agreement's UUID, so importing the file again updates
the events instead of doubling them. The ``icalendar`` package writes the file (escaping,
line folding at 75 octets without splitting a UTF-8 character, value types), so that what
calendar programs import is what a well-used library writes and reads back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event, vText
from icalendar.parser import Contentline

#: Longest content line in octets, without the CRLF (RFC 5545, 3.1).
MAX_LINE_OCTETS = 75
PRODID = "-//Meetup Kansenongelijkheid//Afspraken//NL"
UID_DOMAIN = "meetup-kansenongelijkheid"


@dataclass(frozen=True)
class CalendarEvent:
    """One all-day event."""

    uid: str
    day: date
    summary: str
    description: str = ""


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newlines escaped (RFC 5545, 3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return vText(value).to_ical().decode("utf-8")


def fold_line(line: str) -> str:
    """Split a content line into lines of at most 75 octets, never inside a UTF-8 character.

    Continuation lines start with one space, which counts towards their 75 octets.
    """
    return Contentline(line).to_ical().decode("utf-8")


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("use a timezone-aware UTC datetime")
    return moment.astimezone(UTC)


def build_calendar(events: Iterable[CalendarEvent], *, name: str, stamp: datetime) -> str:
    """The whole VCALENDAR, CRLF line endings, every line folded."""
    stamp = _utc(stamp)
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", vText(_one_text(name)))
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", _one_text(item.summary))
        if item.description:
            event.add("description", _one_text(item.description))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical(sorted=False).decode("utf-8")


def _one_text(value: str) -> str:
    """Text with its line breaks as ``\\n`` (what the TEXT escape writes as ``\\\\n``)."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def agreement_event(agreement: Any) -> CalendarEvent | None:
    """The event of an agreement's first step; None when it has no date.

    ``agreement`` is an :class:`~meetup.models.Agreement` or anything with its attributes.
    """
    if agreement.due_date is None:
        return None
    what = (agreement.what or "").strip()
    first_step = (agreement.first_step or "").strip()
    summary = str(_l("First step: %(step)s", step=first_step or what))
    lines = []
    if what:
        lines.append(str(_l("Agreement: %(what)s", what=what)))
    owner = ", ".join(part for part in ((agreement.owner_name or "").strip(),
                                        (agreement.owner_organisation or "").strip()) if part)
    if owner:
        lines.append(str(_l("Who takes the lead: %(owner)s", owner=owner)))
    partners = [p for p in (agreement.partners or []) if p]
    if partners:
        lines.append(str(_l("With: %(partners)s", partners=", ".join(partners))))
    if (agreement.success_measure or "").strip():
        lines.append(str(_l("How we know it worked: %(measure)s",
                            measure=agreement.success_measure.strip())))
    return CalendarEvent(
        uid=f"{agreement.uuid}@{UID_DOMAIN}",
        day=agreement.due_date,
        summary=summary,
        description="\n".join(lines),
    )


def commitments_calendar(agreements: Iterable[Any], *, name: str, stamp: datetime) -> str:
    """The .ics of these agreements: one event per agreement with a first-step date."""
    events = [event for event in map(agreement_event, agreements) if event is not None]
    events.sort(key=lambda event: (event.day, event.uid))
    return build_calendar(events, name=name, stamp=stamp)
