"""Gather "Wat werd er van de vorige afspraken?": for a meetup that follows on from an
earlier one, per theme the earlier meetup's final agreements with their latest status (the
last follow-up update; "nog geen bericht" when there is none) and tonight's agreements that
continue them.

Plain frozen dataclasses, read in a few queries; it imports nothing from :mod:`data` (which
imports this module), so the builders can use both without a circle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from meetup.models import Agreement, AgreementStatus, AgreementUpdate, Meetup, Theme

#: The status of an earlier agreement whose owner has not reported yet.
NO_NEWS = "no_news"
#: The order statuses are counted and explained in.
STATUS_ORDER = ("done", "in_progress", "planned", "stopped", NO_NEWS)
#: Dutch words of the documents (the PDF; the web report translates the keys itself).
STATUS_WORDS = {"done": "gerealiseerd", "in_progress": "bezig", "planned": "gepland",
                "stopped": "gestopt", NO_NEWS: "nog geen bericht"}


@dataclass(frozen=True)
class ContinuedRow:
    """Tonight's final agreement that continues an earlier one."""

    #: Its number in tonight's report (#1, #2, ...); None when it is not in the report.
    number: int | None
    what: str
    owner_name: str
    owner_organisation: str


@dataclass(frozen=True)
class EarlierRow:
    """A final agreement of the earlier meetup, as it stands now."""

    what: str
    owner_name: str
    owner_organisation: str
    #: The latest follow-up status, or :data:`NO_NEWS`.
    status: str
    #: The latest follow-up note ("" when none) and when it was given.
    note: str
    reported_at: datetime | None
    continued: tuple[ContinuedRow, ...]


@dataclass(frozen=True)
class ComparisonTheme:
    key: str
    title: str
    earlier: tuple[EarlierRow, ...]

    @property
    def continued(self) -> tuple[ContinuedRow, ...]:
        return tuple(c for row in self.earlier for c in row.continued)


@dataclass(frozen=True)
class Comparison:
    previous_title: str
    previous_city: str
    previous_starts_at: datetime | None
    series_name: str
    themes: tuple[ComparisonTheme, ...]

    @property
    def counts(self) -> tuple[tuple[str, int], ...]:
        """``(status, n)`` over every earlier agreement, in :data:`STATUS_ORDER`."""
        statuses = [row.status for t in self.themes for row in t.earlier]
        return tuple((status, statuses.count(status)) for status in STATUS_ORDER)

    @property
    def total(self) -> int:
        return sum(len(t.earlier) for t in self.themes)

    @property
    def continued_count(self) -> int:
        return sum(len(t.continued) for t in self.themes)


def gather_comparison(session: Session, meetup: Meetup,
                      numbers: Mapping[int, int] | None = None) -> Comparison | None:
    """The comparison for ``meetup``, or None when it follows on from no earlier meetup.

    ``numbers`` maps tonight's agreement ids to their numbers in the report.
    """
    previous = meetup.previous_meetup
    if previous is None:
        return None
    numbers = numbers or {}
    earlier = list(session.execute(
        select(Agreement, Theme.key).join(Theme, Agreement.theme_id == Theme.id, isouter=True)
        .where(Agreement.meetup_id == previous.id, Agreement.deleted_at.is_(None),
               Agreement.status != AgreementStatus.DRAFT)
        .order_by(Agreement.finalised_at, Agreement.id)))
    ids = [agreement.id for agreement, _key in earlier]
    latest: dict[int, AgreementUpdate] = {}
    continued: dict[int, list[ContinuedRow]] = {i: [] for i in ids}
    if ids:
        for update in session.scalars(select(AgreementUpdate)
                                      .where(AgreementUpdate.agreement_id.in_(ids))
                                      .order_by(AgreementUpdate.id)):
            latest[update.agreement_id] = update
        for later in session.scalars(
            select(Agreement).where(Agreement.meetup_id == meetup.id,
                                    Agreement.continues_agreement_id.in_(ids),
                                    Agreement.deleted_at.is_(None),
                                    Agreement.status != AgreementStatus.DRAFT)
            .order_by(Agreement.id)
        ):
            continued[later.continues_agreement_id].append(ContinuedRow(  # type: ignore[index]
                numbers.get(later.id), later.what, later.owner_name, later.owner_organisation))

    def row(agreement: Agreement) -> EarlierRow:
        update = latest.get(agreement.id)
        return EarlierRow(
            what=agreement.what, owner_name=agreement.owner_name,
            owner_organisation=agreement.owner_organisation,
            status=str(update.status) if update is not None else NO_NEWS,
            note=update.note if update is not None else "",
            reported_at=update.created_at if update is not None else None,
            continued=tuple(continued[agreement.id]))

    # Tonight's themes first, in tonight's order; then themes only the earlier meetup had.
    titles = {t.key: t.title for t in previous.themes}
    titles.update({t.key: t.title for t in meetup.themes})
    order = [t.key for t in meetup.themes] + [t.key for t in previous.themes
                                              if meetup.theme_by_key(t.key) is None]
    themes = []
    for key in order:
        rows = tuple(row(a) for a, theme_key in earlier if theme_key == key)
        if rows:
            themes.append(ComparisonTheme(key, titles[key], rows))
    return Comparison(
        previous_title=previous.title, previous_city=previous.city or "",
        previous_starts_at=previous.starts_at,
        series_name=meetup.series.name if meetup.series is not None else "",
        themes=tuple(themes))
