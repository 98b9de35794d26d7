"""The organisations that come back across the meetups of a series (issue 25, point 6).

An organisation "comes back" when it is named, as owner or as partner, in the agreements of
more than one meetup of the series. Names are matched by :func:`organisation_match_key`: the
report network's :func:`~meetup.reports.network.organisation_key` (case and spacing do not
matter), plus punctuation around words and the abbreviations people type for the
organisations of this field ("CJG", "gem.", "bieb", "&"). Pure functions of the overview's
rows, so the page, the exports and the PDF show the same list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from meetup.reports.network import organisation_key

if TYPE_CHECKING:
    from meetup.reports.overview import OverviewRow

#: Abbreviations in organisation names, spelled out before names are compared.
ABBREVIATIONS = {
    "&": "en",
    "+": "en",
    "cjg": "centrum voor jeugd en gezin",
    "jgz": "jeugdgezondheidszorg",
    "smw": "schoolmaatschappelijk werk",
    "bieb": "bibliotheek",
    "bibl": "bibliotheek",
    "gem": "gemeente",
    "gmt": "gemeente",
    "stg": "stichting",
    "kdv": "kinderdagverblijf",
    "bso": "buitenschoolse opvang",
    "obs": "openbare basisschool",
    "vve": "voor- en vroegschoolse educatie",
    "swt": "sociaal wijkteam",
}
#: Characters around a word that say nothing about the name ("Gem.", "(GGD)", "Gooi,").
_PUNCTUATION = ".,;:()[]\"'"


@lru_cache(maxsize=4096)
def organisation_match_key(name: str | None) -> str:
    """The key two spellings of one organisation share; "" for no name."""
    words: list[str] = []
    for word in organisation_key(name or "").split():
        word = word.strip(_PUNCTUATION)
        if word:
            words.append(ABBREVIATIONS.get(word, word))
    return " ".join(words)


@dataclass(frozen=True)
class OrganisationMeetup:
    """One meetup of a returning organisation: its agreements there, by role."""

    meetup_id: int
    meetup_title: str
    city: str
    meetup_date: date | None
    as_owner: tuple[OverviewRow, ...]
    as_partner: tuple[OverviewRow, ...]


@dataclass(frozen=True)
class ReturningOrganisation:
    """An organisation named in the agreements of more than one meetup."""

    key: str
    #: The spelling used most often (the first one met on a tie).
    name: str
    #: The other spellings that matched the same organisation.
    other_names: tuple[str, ...]
    #: Oldest meetup first (the overview's row order).
    meetups: tuple[OrganisationMeetup, ...]

    @property
    def meetup_count(self) -> int:
        return len(self.meetups)

    @property
    def owner_count(self) -> int:
        return sum(len(m.as_owner) for m in self.meetups)

    @property
    def partner_count(self) -> int:
        return sum(len(m.as_partner) for m in self.meetups)


def _roles(row: OverviewRow) -> list[tuple[str, str, bool]]:
    """(key, spelling, as owner) for every organisation the row names, each key once per
    role (a partner named twice counts once)."""
    seen: set[tuple[str, bool]] = set()
    found = []
    for name, owner in [(row.owner_organisation, True), *((p, False) for p in row.partners)]:
        key = organisation_match_key(name)
        if key and (key, owner) not in seen:
            seen.add((key, owner))
            found.append((key, " ".join(name.split()), owner))
    return found


def returning_organisations(rows: Iterable[OverviewRow]) -> tuple[ReturningOrganisation, ...]:
    """Every organisation in more than one meetup of ``rows``: most meetups first, then most
    agreements, then by name."""
    spellings: dict[str, Counter[str]] = {}
    #: key -> meetup id -> ([as owner], [as partner]); dicts keep the rows' order.
    per_meetup: dict[str, dict[int, tuple[list[OverviewRow], list[OverviewRow]]]] = {}
    meetups: dict[int, OverviewRow] = {}
    for row in rows:
        meetups.setdefault(row.meetup_id, row)
        for key, spelling, owner in _roles(row):
            spellings.setdefault(key, Counter())[spelling] += 1
            lists = per_meetup.setdefault(key, {}).setdefault(row.meetup_id, ([], []))
            lists[0 if owner else 1].append(row)
    found = []
    for key, by_meetup in per_meetup.items():
        if len(by_meetup) < 2:
            continue
        names = [name for name, _ in spellings[key].most_common()]
        found.append(ReturningOrganisation(
            key=key, name=names[0], other_names=tuple(sorted(names[1:], key=str.casefold)),
            meetups=tuple(OrganisationMeetup(
                meetup_id=m, meetup_title=meetups[m].meetup_title, city=meetups[m].city,
                meetup_date=meetups[m].meetup_date, as_owner=tuple(owner),
                as_partner=tuple(partner))
                for m, (owner, partner) in by_meetup.items())))
    found.sort(key=lambda o: (-o.meetup_count, -(o.owner_count + o.partner_count),
                              o.name.casefold()))
    return tuple(found)
