"""Calendar files (.ics, RFC 5545) for the agreements a participant signed on to.

Pure functions: agreements in, text out. One all-day VEVENT per agreement that has a date for
its first step; the UID comes from the agreement's UUID, so importing the file again updates
the events instead of doubling them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

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
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold_line(line: str) -> str:
    """Split a content line into lines of at most 75 octets, never inside a UTF-8 character.

    Continuation lines start with one space, which counts towards their 75 octets.
    """
    parts: list[str] = []
    current = ""
    size = 0
    limit = MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, MAX_LINE_OCTETS - 1
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("use a timezone-aware UTC datetime")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def build_calendar(events: Iterable[CalendarEvent], *, name: str, stamp: datetime) -> str:
    """The whole VCALENDAR, CRLF line endings, every line folded."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_stamp(stamp)}",
            f"DTSTART;VALUE=DATE:{event.day.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(event.day + timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{escape_text(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + "\r\n" for line in lines)


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
