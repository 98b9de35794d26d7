"""Dutch wording of the documents (PDF, CSV, JSON) made for the municipality.

The documents are Dutch whatever language the organiser's browser speaks, and they are built
without a request (also from the command line), so their words live here rather than in the
Flask-Babel catalogue of the user interface.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Europe/Amsterdam")

STATUS = {
    "draft": "concept",
    "planned": "gepland",
    "in_progress": "bezig",
    "done": "gerealiseerd",
    "stopped": "gestopt",
}

ROUND = {
    "happens": "Wat gebeurt er al?",
    "connect": "Waar kunnen we bij elkaar aansluiten?",
    "missing": "Wat mist er nog?",
}

ROUND_SHORT = {"happens": "Gebeurt al", "connect": "Aansluiten", "missing": "Mist nog"}

PHASE = {
    "registration": "aanmelden",
    "theme_choice": "themakeuze",
    "tables": "tafels",
    "round_1": "ronde 1",
    "round_2": "ronde 2",
    "round_3": "ronde 3",
    "voting": "stemmen",
    "agreements": "afspraken maken",
    "plenary": "plenair",
    "closed": "afgesloten",
}

SOURCE = {"owner": "trekker", "organiser": "organisator",
          "retrospective": "trekker, bij de terugblik"}

#: The privacy rule, printed in the introduction and the footer of every document.
PRIVACY = (
    "Namen van deelnemers staan alleen in dit rapport als zij daar toestemming voor gaven "
    "(contactlijst). De trekker van een afspraak staat erbij met de naam die aan tafel is "
    "ingevuld: dat is een openbare toezegging. Notities zijn anoniem."
)
PRIVACY_SHORT = "Namen alleen met toestemming; trekkers zoals ingevuld; notities anoniem."

NO_THEME = "Zonder thema"

_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december")


def long_date(value: date | datetime | None) -> str:
    """``3 december 2026`` (a datetime is first put in Dutch local time)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(TIMEZONE)
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def month(value: date | None) -> str:
    """``december 2026``; empty for no date."""
    return f"{_MONTHS[value.month - 1]} {value.year}" if value else ""


def short_date(value: date | None) -> str:
    """``03-12-2026``, the way Dutch offices write dates in tables."""
    return value.strftime("%d-%m-%Y") if value else ""


def local_time(value: datetime | None) -> str:
    """``03-12-2026 18:30`` in Dutch local time."""
    return value.astimezone(TIMEZONE).strftime("%d-%m-%Y %H:%M") if value else ""


def clock(value: datetime | None) -> str:
    """``18:30`` in Dutch local time."""
    return value.astimezone(TIMEZONE).strftime("%H:%M") if value else ""


def votes_label(votes: int) -> str:
    """"1 stem" / "3 stemmen"."""
    return "1 stem" if votes == 1 else f"{votes} stemmen"
