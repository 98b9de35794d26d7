"""The "stand van zaken" in the PDFs: a row of figures and the date of the latest report."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from meetup.reports import texts
from meetup.reports.pdf_base import ACCENT, CONTENT_WIDTH, HEAD_BG, Styles, para
from meetup.reports.standing import Standing

NO_WORD = "nog geen bericht"


def figures(items: list[tuple[int, str]], s: Styles) -> Table:
    """Big numbers with a label under each, side by side on a tinted band."""
    cells = [[para(str(n), s.figure) for n, _ in items],
             [para(label, s.small) for _, label in items]]
    width = CONTENT_WIDTH / len(items)
    table = Table(cells, colWidths=[width] * len(items), hAlign="LEFT")
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), s.body.fontName),
                               ("BACKGROUND", (0, 0), (-1, -1), HEAD_BG),
                               ("LINEAFTER", (0, 0), (-2, -1), 2, ACCENT),
                               ("TOPPADDING", (0, 0), (-1, -1), 5),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                               ("LEFTPADDING", (0, 0), (-1, -1), 8)]))
    return table


def standing_figures(standing: Standing, s: Styles) -> list[Flowable]:
    """Gerealiseerd, bezig, gepland, gestopt and nog geen bericht; then the latest report."""
    items = [(n, texts.STATUS[key]) for key, n in standing.counts]
    items.append((standing.no_word, NO_WORD))
    story: list[Flowable] = [figures(items, s), Spacer(1, 2 * mm)]
    story.append(para(latest_sentence(standing), s.muted))
    return story


def latest_sentence(standing: Standing) -> str:
    if not standing.total:
        return "Er zijn (nog) geen afspraken vastgelegd."
    if standing.last_update is None:
        return ("Nog geen enkele trekker heeft een melding gedaan; alle afspraken staan zoals "
                "ze op de avond zijn gemaakt.")
    return (f"Laatste melding: {texts.local_time(standing.last_update)}. \u201cNog geen "
            f"bericht\u201d telt de afspraken waarvan de trekker nog niets meldde "
            f"({standing.no_word} van {standing.total}).")
