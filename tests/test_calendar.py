"""The .ics builder: what a participant's calendar app imports for their commitments."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from types import SimpleNamespace

from meetup.services.calendar import (
    CalendarEvent,
    build_calendar,
    commitments_calendar,
    escape_text,
    fold_line,
)

STAMP = datetime(2026, 12, 3, 20, 15, tzinfo=UTC)


def agreement(**fields):
    data = {"uuid": uuid.uuid4(), "what": "Voorleesochtend in de bibliotheek",
            "owner_name": "Fatima", "owner_organisation": "Bibliotheek Hilversum",
            "partners": ["Kinderopvang / voorschool (VVE)"], "first_step": "Rooster maken",
            "due_date": date(2027, 1, 15), "success_measure": "30 peuters per maand"}
    data.update(fields)
    return SimpleNamespace(**data)


def unfold(text: str) -> list[str]:
    """The logical lines of a calendar: continuation lines joined back (RFC 5545, 3.1)."""
    return text.replace("\r\n ", "").split("\r\n")


def test_every_line_is_at_most_75_octets_and_ends_in_crlf() -> None:
    long_text = "Één keer per maand lezen we voor, met ouders, peuters én hun broertjes " * 4
    text = build_calendar([CalendarEvent("x@y", date(2027, 1, 15), long_text, long_text)],
                          name="Meetup", stamp=STAMP)
    assert text.endswith("\r\n")
    physical = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in physical)
    assert any(line.startswith(" ") for line in physical)
    assert "\n" not in text.replace("\r\n", "")
    summary = next(line for line in unfold(text) if line.startswith("SUMMARY:"))
    assert summary == "SUMMARY:" + escape_text(long_text)


def test_folding_never_splits_a_multibyte_character() -> None:
    line = "DESCRIPTION:" + "é" * 100
    folded = fold_line(line)
    for part in folded.split("\r\n"):
        part.encode("utf-8").decode("utf-8")  # would raise on a split character
        assert len(part.encode("utf-8")) <= 75
    assert folded.replace("\r\n ", "") == line


def test_short_lines_are_left_alone() -> None:
    assert fold_line("SUMMARY:Kort") == "SUMMARY:Kort"


def test_text_values_escape_comma_semicolon_backslash_and_newlines() -> None:
    assert escape_text("a, b; c\\d\ne\r\nf") == "a\\, b\\; c\\\\d\\ne\\nf"


def test_one_all_day_event_per_agreement_with_a_date() -> None:
    first, second = agreement(), agreement(due_date=date(2027, 2, 1), first_step="Bellen; mailen")
    undated = agreement(due_date=None)
    text = commitments_calendar([second, undated, first], name="Meetup Hilversum", stamp=STAMP)
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 2
    assert "DTSTART;VALUE=DATE:20270115" in lines
    assert "DTEND;VALUE=DATE:20270116" in lines
    assert "DTSTART;VALUE=DATE:20270201" in lines
    assert f"UID:{first.uuid}@meetup-kansenongelijkheid" in lines
    assert f"UID:{undated.uuid}@meetup-kansenongelijkheid" not in lines
    assert "DTSTAMP:20261203T201500Z" in lines
    assert "SUMMARY:First step: Bellen\\; mailen" in lines
    # events come in date order
    assert lines.index("DTSTART;VALUE=DATE:20270115") < lines.index("DTSTART;VALUE=DATE:20270201")


def test_the_description_names_owner_partners_and_measure_in_dutch(app) -> None:
    partners = ["Bibliotheek", "Buurtteam / wijkteam"]
    with app.test_request_context("/"):
        text = commitments_calendar([agreement(partners=partners)], name="Meetup, Hilversum",
                                    stamp=STAMP)
    lines = unfold(text)
    description = next(line for line in lines if line.startswith("DESCRIPTION:"))
    assert "Eerste stap: Rooster maken" in "\n".join(lines)
    assert "Wie trekt het: Fatima\\, Bibliotheek Hilversum" in description
    assert "Bibliotheek\\, Buurtteam / wijkteam" in description
    assert "\\n" in description
    assert "X-WR-CALNAME:Meetup\\, Hilversum" in lines


def test_an_empty_calendar_is_still_valid() -> None:
    lines = unfold(commitments_calendar([], name="Meetup", stamp=STAMP))
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"]
    assert "BEGIN:VEVENT" not in lines
    assert lines[-2:] == ["END:VCALENDAR", ""]


def parsed(text: str):
    """The calendar as a calendar program reads it: parsed back by the icalendar package."""
    from icalendar import Calendar

    return Calendar.from_ical(text)


def test_the_file_parses_back_with_dates_summaries_and_names_intact() -> None:
    owner = "Şükrü Yılmaz, Nguyễn Thị Hương; Ørjan"
    step = "Bellen, mailen; dan\nplannen met Zoë (één keer)"
    first = agreement(owner_name=owner, first_step=step)
    second = agreement(due_date=date(2027, 2, 1), what="Taalcafé; ouders, peuters\r\nen opa's")
    text = commitments_calendar([second, first], name="Meetup Hilversum, 3 december",
                                stamp=STAMP)
    calendar = parsed(text)
    # An X- property has no type for the parser: it keeps the TEXT escape of the comma.
    assert str(calendar["X-WR-CALNAME"]) == "Meetup Hilversum\\, 3 december"
    events = calendar.walk("VEVENT")
    assert [e.decoded("DTSTART") for e in events] == [date(2027, 1, 15), date(2027, 2, 1)]
    assert [e.decoded("DTEND") for e in events] == [date(2027, 1, 16), date(2027, 2, 2)]
    assert str(events[0]["SUMMARY"]) == f"First step: {step}"
    assert f"Who takes the lead: {owner}, Bibliotheek Hilversum" in str(
        events[0]["DESCRIPTION"]).split("\n")
    assert "Agreement: Taalcafé; ouders, peuters\nen opa's" in str(events[1]["DESCRIPTION"])
    assert str(events[0]["UID"]) == f"{first.uuid}@meetup-kansenongelijkheid"
    assert events[0].decoded("DTSTAMP") == STAMP


def test_the_same_agreement_keeps_its_uid_so_importing_again_updates_it() -> None:
    item = agreement()
    once = parsed(commitments_calendar([item], name="M", stamp=STAMP))
    later = parsed(commitments_calendar([agreement(), item], name="M",
                                        stamp=datetime(2027, 1, 2, tzinfo=UTC)))
    uid = str(once.walk("VEVENT")[0]["UID"])
    assert uid in [str(e["UID"]) for e in later.walk("VEVENT")]
    assert len({str(e["UID"]) for e in later.walk("VEVENT")}) == 2


def test_long_non_ascii_text_is_folded_and_unfolds_to_the_same_text() -> None:
    what = "Één keer per maand lezen we voor met Şükrü, Nguyễn Thị Hương, Łukasz; " * 5
    text = commitments_calendar([agreement(what=what, first_step="")], name="M", stamp=STAMP)
    physical = text.split("\r\n")[:-1]
    assert max(len(line.encode("utf-8")) for line in physical) <= 75
    assert sum(line.startswith(" ") for line in physical) >= 5
    event = parsed(text).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == f"First step: {what.strip()}"
