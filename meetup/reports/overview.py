"""Gather the overview across the meetups of a series: per theme, the final agreements of
every meetup with their latest status, filtered by city, year, theme, status and organisation
(matched as :mod:`~meetup.reports.overview_organisations` matches names), and the
organisations that come back across its meetups.

One query for the agreements with their meetup and theme, one for the latest follow-up update
of each; filtering is done on the plain rows. Plain frozen dataclasses, no request inside:
``overview_export`` turns them into CSV and JSON, the organiser's page into HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from meetup.models import Agreement, AgreementStatus, AgreementUpdate, Meetup, Series, Theme
from meetup.reports.comparison import NO_NEWS, STATUS_ORDER
from meetup.reports.overview_organisations import (
    ReturningOrganisation,
    organisation_match_key,
    returning_organisations,
)
from meetup.reports.texts import TIMEZONE


@dataclass(frozen=True)
class Filters:
    """What the organiser narrowed the overview to; empty strings mean "all"."""

    city: str = ""
    year: str = ""
    theme: str = ""
    status: str = ""
    organisation: str = ""

    def matches(self, row: OverviewRow) -> bool:
        if self.city and row.city.casefold() != self.city.casefold():
            return False
        if self.year and str(row.year or "") != self.year:
            return False
        if self.theme and row.theme_key != self.theme:
            return False
        if self.status and row.status != self.status:
            return False
        if self.organisation:
            wanted = organisation_match_key(self.organisation)
            return any(organisation_match_key(o) == wanted for o in row.organisations)
        return True


@dataclass(frozen=True)
class OverviewRow:
    agreement_id: int
    meetup_id: int
    meetup_title: str
    city: str
    meetup_date: date | None
    theme_key: str
    theme_title: str
    what: str
    owner_name: str
    owner_organisation: str
    partners: tuple[str, ...]
    due_date: date | None
    #: The latest follow-up status, or ``no_news`` when the owner has not reported yet.
    status: str
    note: str
    reported_at: datetime | None
    #: The earlier agreement it continues (its id), if any.
    continues_id: int | None

    @property
    def year(self) -> int | None:
        return self.meetup_date.year if self.meetup_date else None

    @property
    def organisations(self) -> tuple[str, ...]:
        return tuple(o for o in (self.owner_organisation, *self.partners) if o)


@dataclass(frozen=True)
class OverviewTheme:
    key: str
    title: str
    rows: tuple[OverviewRow, ...]


@dataclass(frozen=True)
class Overview:
    series_id: int
    series_name: str
    meetup_count: int
    filters: Filters
    themes: tuple[OverviewTheme, ...]
    #: Every row before filtering counts here; the choices the filters offer.
    total: int
    cities: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    theme_choices: tuple[tuple[str, str], ...] = ()
    organisations: tuple[str, ...] = ()
    statuses: tuple[str, ...] = field(default=STATUS_ORDER)
    #: The organisations in more than one meetup of the rows the filters let through.
    returning: tuple[ReturningOrganisation, ...] = ()

    @property
    def rows(self) -> tuple[OverviewRow, ...]:
        return tuple(r for t in self.themes for r in t.rows)

    @property
    def counts(self) -> tuple[tuple[str, int], ...]:
        statuses = [r.status for r in self.rows]
        return tuple((s, statuses.count(s)) for s in STATUS_ORDER)


def _local_date(moment: datetime | None) -> date | None:
    return moment.astimezone(TIMEZONE).date() if moment is not None else None


def gather_overview(session: Session, series: Series, filters: Filters | None = None
                    ) -> Overview:
    filters = filters or Filters()
    meetups = {m.id: m for m in session.scalars(select(Meetup).where(
        Meetup.series_id == series.id))}
    latest_ids = (select(func.max(AgreementUpdate.id).label("id"))
                  .join(Agreement, AgreementUpdate.agreement_id == Agreement.id)
                  .where(Agreement.meetup_id.in_(list(meetups) or [0]))
                  .group_by(AgreementUpdate.agreement_id))
    latest = {u.agreement_id: u for u in session.scalars(
        select(AgreementUpdate).where(AgreementUpdate.id.in_(latest_ids)))}
    records = session.execute(
        select(Agreement.id, Agreement.meetup_id, Agreement.what, Agreement.owner_name,
               Agreement.owner_organisation, Agreement.partners, Agreement.due_date,
               Agreement.continues_agreement_id, Theme.key, Theme.title, Theme.position)
        .join(Theme, Agreement.theme_id == Theme.id, isouter=True)
        .where(Agreement.meetup_id.in_(list(meetups) or [0]), Agreement.deleted_at.is_(None),
               Agreement.status != AgreementStatus.DRAFT)
        .order_by(Agreement.id))
    dates = {m.id: _local_date(m.starts_at) for m in meetups.values()}
    rows: list[OverviewRow] = []
    theme_titles: dict[str, str] = {}
    theme_order: dict[str, int] = {}
    for r in records:
        meetup = meetups[r.meetup_id]
        update = latest.get(r.id)
        key = r.key or ""
        theme_titles.setdefault(key, r.title or "Zonder thema")
        theme_order.setdefault(key, r.position if r.position is not None else 99)
        rows.append(OverviewRow(
            agreement_id=r.id, meetup_id=meetup.id, meetup_title=meetup.title,
            city=meetup.city or "", meetup_date=dates[meetup.id],
            theme_key=key, theme_title=theme_titles[key], what=r.what,
            owner_name=r.owner_name, owner_organisation=r.owner_organisation,
            partners=tuple(r.partners or ()), due_date=r.due_date,
            status=str(update.status) if update is not None else NO_NEWS,
            note=update.note if update is not None else "",
            reported_at=update.created_at if update is not None else None,
            continues_id=r.continues_agreement_id))
    rows.sort(key=lambda x: (x.meetup_date is None, x.meetup_date or date.max, x.meetup_id,
                             x.agreement_id))
    chosen = [r for r in rows if filters.matches(r)]
    themes = tuple(
        OverviewTheme(key, theme_titles[key], tuple(r for r in chosen if r.theme_key == key))
        for key in sorted(theme_titles, key=lambda k: (theme_order[k], k)))
    return Overview(
        series_id=series.id, series_name=series.name, meetup_count=len(meetups),
        filters=filters, themes=tuple(t for t in themes if t.rows), total=len(rows),
        cities=tuple(sorted({m.city for m in meetups.values() if m.city}, key=str.casefold)),
        years=tuple(sorted({d.year for d in dates.values() if d is not None})),
        theme_choices=tuple((k, theme_titles[k]) for k in sorted(
            theme_titles, key=lambda k: (theme_order[k], k))),
        organisations=_organisation_choices(rows),
        returning=returning_organisations(chosen))


def _organisation_choices(rows: list[OverviewRow]) -> tuple[str, ...]:
    """One choice per organisation (spellings that match count as one: the first met)."""
    first: dict[str, str] = {}
    for r in rows:
        for o in r.organisations:
            first.setdefault(organisation_match_key(o), " ".join(o.split()))
    first.pop("", None)
    return tuple(sorted(first.values(), key=str.casefold))
