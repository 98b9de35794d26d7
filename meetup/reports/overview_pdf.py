"""The overview across a series as a PDF for the national partners (issue 25, point 6).

Built from the gathered :class:`~meetup.reports.overview.Overview` (the organiser's filters
included): a first page with the stand van zaken of the whole series, per meetup and per
theme; then per theme the agreements of every meetup with their latest status; then the
organisations that come back across meetups, per meetup the numbers of their agreements
there (the agreements' text is in the theme chapters once, not again per organisation).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak

from meetup.reports import texts
from meetup.reports.comparison import NO_NEWS, STATUS_WORDS
from meetup.reports.overview import Filters, Overview, OverviewRow
from meetup.reports.pdf_base import (
    Plain,
    Styles,
    data_table,
    heading,
    make_styles,
    para,
    subheading,
)
from meetup.reports.pdf_doc import page_furniture, render
from meetup.reports.pdf_standing import NO_WORD, standing_figures
from meetup.reports.standing import ORDER, Standing, standing_of

TITLE = "Overzicht van de reeks"
COUNT_HEADER = ["Afspraken", *(texts.STATUS[key].capitalize() for key in ORDER),
                NO_WORD.capitalize()]


def overview_standing(rows: Iterable[OverviewRow]) -> Standing:
    """The stand van zaken of overview rows, counted as the meetup's own report counts it: an
    agreement without news still stands as it was made (gepland) and counts as no word."""
    return standing_of(("planned" if r.status == NO_NEWS else r.status, r.reported_at)
                       for r in rows)


def _filter_sentence(f: Filters, overview: Overview) -> str:
    themes = dict(overview.theme_choices)
    parts = [("plaats", f.city), ("jaar", f.year), ("thema", themes.get(f.theme, f.theme)),
             ("status", STATUS_WORDS.get(f.status, f.status)), ("organisatie", f.organisation)]
    chosen = [f"{label} {value}" for label, value in parts if value]
    return ("Alleen de afspraken met " + ", ".join(chosen) + "." if chosen else
            "Alle afspraken van de reeks, zonder filter.")


def _status(r: OverviewRow) -> str:
    words = STATUS_WORDS.get(r.status, r.status)
    if r.note:
        words += f": {r.note}"
    if r.reported_at is not None:
        words += f" ({texts.short_date(r.reported_at.astimezone(texts.TIMEZONE).date())})"
    return words


def _meetup_label(title: str, city: str, when: date | None) -> str:
    return ", ".join(p for p in (title, city, texts.short_date(when)) if p)


def _count_cells(standing: Standing) -> list[Plain]:
    return [Plain(str(standing.total)), *(Plain(str(n)) for _, n in standing.counts),
            Plain(str(standing.no_word))]


def _summary(overview: Overview, now: datetime, s: Styles) -> list[Flowable]:
    rows = overview.rows
    story = heading(TITLE, s.h1, "summary", 0)
    story.append(para(overview.series_name, s.title))
    dates = sorted(r.meetup_date for r in rows if r.meetup_date)
    period = (f", van {texts.long_date(dates[0])} tot {texts.long_date(dates[-1])}"
              if dates else "")
    cities = ", ".join(overview.cities)
    story.append(para(f"{overview.meetup_count} meetups" + (f" in {cities}" if cities else "")
                      + period + ".", s.subtitle))
    filtered = _filter_sentence(overview.filters, overview)
    story.append(para(f"Stand op {texts.local_time(now)}. {filtered}", s.body))
    story.append(para("Per afspraak de laatste stand die de trekker meldde; trekkers melden "
                      "de voortgang via een persoonlijke link.", s.muted))
    story += subheading("Stand van zaken", s.h2)
    total = overview_standing(rows)
    story += standing_figures(total, s)
    if not rows:
        return story
    by_meetup: dict[int, list[OverviewRow]] = {}
    for r in sorted(rows, key=lambda r: (r.meetup_date is None, r.meetup_date or date.max,
                                         r.meetup_id)):
        by_meetup.setdefault(r.meetup_id, []).append(r)
    story += subheading("Per meetup", s.h2)
    story.append(data_table(
        ["Meetup", *COUNT_HEADER],
        [[_meetup_label(g[0].meetup_title, g[0].city, g[0].meetup_date),
          *_count_cells(overview_standing(g))] for g in by_meetup.values()],
        [w * mm for w in (54, 20, 20, 16, 16, 16, 20)], s, numeric=range(1, 7)))
    story += subheading("Per thema", s.h2)
    story.append(data_table(
        ["Thema", *COUNT_HEADER],
        [[t.title, *_count_cells(overview_standing(t.rows))] for t in overview.themes],
        [w * mm for w in (54, 20, 20, 16, 16, 16, 20)], s, numeric=range(1, 7)))
    return story


def _owner(r: OverviewRow) -> str:
    return ", ".join(p for p in (r.owner_name, r.owner_organisation) if p)


def numbered(overview: Overview) -> dict[int, int]:
    """Every agreement's number in the PDF (#1, #2, ...), in the order the themes list them:
    the organisations chapter refers to them by number."""
    return {r.agreement_id: i for i, r in enumerate(overview.rows, start=1)}


def _themes(overview: Overview, numbers: dict[int, int], s: Styles) -> list[Flowable]:
    story: list[Flowable] = []
    for i, theme in enumerate(overview.themes):
        story.append(PageBreak())
        story += heading(f"Thema: {theme.title}", s.h1, f"theme-{i}", 0)
        story += standing_figures(overview_standing(theme.rows), s)
        by_meetup: dict[int, list[OverviewRow]] = {}
        for r in theme.rows:
            by_meetup.setdefault(r.meetup_id, []).append(r)
        for group in by_meetup.values():
            first = group[0]
            n = len(group)
            label = _meetup_label(first.meetup_title, first.city, first.meetup_date)
            story += subheading(f"{label} ({n} {'afspraak' if n == 1 else 'afspraken'})",
                                s.h3)
            story.append(data_table(
                ["#", "Afspraak", "Trekker", "Partners", "Laatste stand"],
                [[Plain(str(numbers[r.agreement_id])), r.what, _owner(r),
                  ", ".join(r.partners), _status(r)] for r in group],
                [w * mm for w in (10, 56, 34, 34, 40)], s, numeric=(0,)))
    return story


def _references(rows: tuple[OverviewRow, ...], numbers: dict[int, int]) -> str | Plain:
    return ", ".join(f"#{n}" for n in sorted(numbers[r.agreement_id] for r in rows)) \
        or Plain("–")


def _organisations(overview: Overview, numbers: dict[int, int], s: Styles) -> list[Flowable]:
    story: list[Flowable] = [PageBreak()]
    story += heading("Organisaties die terugkomen", s.h1, "organisations", 0)
    story.append(para(
        "Organisaties die bij afspraken van meer dan één meetup van de reeks staan, als "
        "trekker of als partner. Schrijfwijzen die alleen verschillen in hoofdletters, "
        "spaties, leestekens of een gangbare afkorting (CJG, gem., bieb) tellen als één "
        "organisatie. De nummers verwijzen naar de afspraken in de hoofdstukken per thema.",
        s.body))
    if not overview.returning:
        story.append(para("Geen organisatie staat bij afspraken van meer dan één meetup.",
                          s.body))
        return story
    story.append(data_table(
        ["Organisatie", "Meetups", "Als trekker", "Als partner"],
        [[o.name, Plain(str(o.meetup_count)), Plain(str(o.owner_count)),
          Plain(str(o.partner_count))] for o in overview.returning],
        [w * mm for w in (100, 24, 24, 24)], s, numeric=(1, 2, 3)))
    for o in overview.returning:
        story += subheading(f"{o.name} ({o.meetup_count} meetups)", s.h3)
        if o.other_names:
            story.append(para("Ook geschreven als: " + ", ".join(o.other_names), s.muted))
        story.append(data_table(
            ["Meetup", "Als trekker bij", "Als partner bij"],
            [[_meetup_label(m.meetup_title, m.city, m.meetup_date),
              _references(m.as_owner, numbers), _references(m.as_partner, numbers)]
             for m in o.meetups], [w * mm for w in (74, 50, 50)], s))
    return story


def build_overview_pdf(overview: Overview, now: datetime | None = None) -> bytes:
    """The overview PDF as bytes."""
    return build_overview_pdf_with_pages(overview, now)[0]


def build_overview_pdf_with_pages(overview: Overview,
                                  now: datetime | None = None) -> tuple[bytes, int]:
    now = now or datetime.now(UTC)
    s = make_styles()
    numbers = numbered(overview)
    story = _summary(overview, now, s)
    story += _themes(overview, numbers, s)
    story += _organisations(overview, numbers, s)
    furniture = page_furniture(header_left=f"{overview.series_name} · {TITLE}",
                               header_right=", ".join(overview.cities)
                               if len(overview.cities) <= 3
                               else f"{len(overview.cities)} plaatsen",
                               footer_left=texts.PRIVACY_SHORT)
    return render(story, title=f"{TITLE} {overview.series_name}",
                  author="Meetup Kansenongelijkheid",
                  subject=f"De afspraken van de meetups van {overview.series_name}",
                  furniture=furniture)
