"""The chapter "Wat werd er van de vorige afspraken?" of a meetup in a series: per theme the
earlier meetup's agreements with their latest status, and what tonight continued."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak

from meetup.reports import texts
from meetup.reports.comparison import STATUS_WORDS, Comparison, EarlierRow
from meetup.reports.pdf_base import Plain, Styles, data_table, heading, para, subheading

TITLE = "Wat werd er van de vorige afspraken?"
KEY = "comparison"


def _owner(row: EarlierRow) -> str:
    return ", ".join(p for p in (row.owner_name, row.owner_organisation) if p)


def _status(row: EarlierRow) -> str:
    words = STATUS_WORDS.get(row.status, row.status)
    if row.note:
        words += f": {row.note}"
    if row.reported_at is not None:
        words += f" ({texts.short_date(row.reported_at.astimezone(texts.TIMEZONE).date())})"
    return words


def _continued(row: EarlierRow) -> str:
    return "; ".join((f"#{c.number} " if c.number else "") + c.what for c in row.continued)


def comparison_chapter(comparison: Comparison | None, s: Styles) -> list[Flowable]:
    """The chapter, or nothing for a meetup that follows on from no earlier meetup."""
    if comparison is None:
        return []
    story = heading(TITLE, s.h1, KEY, 0)
    where = ", ".join(p for p in (comparison.previous_city,
                                  texts.long_date(comparison.previous_starts_at)) if p)
    series = f" in de reeks {comparison.series_name}" if comparison.series_name else ""
    story.append(para(
        f"Deze meetup is een vervolg op {comparison.previous_title}"
        + (f" ({where})" if where else "") + f"{series}. Per thema de afspraken van toen, met "
        "hun laatste stand volgens de trekkers, en de afspraken die vanavond verder gingen.",
        s.body))
    if not comparison.total:
        story.append(para("Vorige keer zijn er geen afspraken vastgelegd.", s.body))
        story.append(PageBreak())
        return story
    counts = ", ".join(f"{n} {STATUS_WORDS[status]}" for status, n in comparison.counts if n)
    went = "ging" if comparison.continued_count == 1 else "gingen"
    story.append(para(f"{comparison.total} afspraken van vorige keer: {counts}. Vanavond "
                      f"{went} er {comparison.continued_count} verder.", s.body))
    for theme in comparison.themes:
        story += subheading(f"Thema: {theme.title}", s.h2)
        rows = [[row.what, _owner(row), _status(row), _continued(row) or Plain("–")]
                for row in theme.earlier]
        story.append(data_table(["Afspraak van vorige keer", "Trekker", "Laatste stand",
                                 "Vanavond verder als"], rows,
                                [w * mm for w in (52, 34, 46, 42)], s))
    story.append(PageBreak())
    return story
