"""An agreement as a card: what, owner, partners, first step, date, success measure, who joins.

A card is a two-column table (label, value) in body-size type that never splits across pages:
it moves to the next page whole. Only a card taller than a whole page continues on the next
one, and its repeated top row then says "(vervolg)".
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from meetup.reports import texts
from meetup.reports.data import AgreementRow
from meetup.reports.pdf_base import (
    ACCENT,
    CONTENT_WIDTH,
    FRAME_HEIGHT,
    HEAD_BG,
    LINE,
    Styles,
    markup,
    para,
)

LABEL_WIDTH = 44 * mm
CONTINUED = "(vervolg)"


def owner_label(a: AgreementRow) -> str:
    return ", ".join(p for p in (a.owner_name, a.owner_organisation) if p)


def joined_label(n: int) -> str:
    return "1 deelnemer" if n == 1 else f"{n} deelnemers"


class CardTable(Table):
    """A table that moves to the next page whole; split only when taller than a page."""

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        _width, height = self.wrap(available_width, available_height)
        if height <= FRAME_HEIGHT + 0.01:
            return []  # fits on a fresh page: never cut it
        parts = super().split(available_width, available_height)
        for index, part in enumerate(parts):
            part._continued_cell = self._continued_cell
            if index:
                part._cellvalues[0][1] = self._continued_cell
        return parts


def agreement_card(a: AgreementRow, s: Styles, *,
                   extra: Sequence[tuple[str, str]] = ()) -> CardTable:
    """The card of one agreement; ``extra`` adds rows (label, user text) at the end."""
    right = _right(s)
    rows: list[tuple[str, str]] = [
        ("Trekker", owner_label(a) or "–"),
        ("Partners", ", ".join(a.partners) or "–"),
        ("Eerste stap", a.first_step or "–"),
        ("Wanneer", texts.short_date(a.due_date) or "geen datum"),
        ("Hoe weten we dat het gelukt is?", a.success_measure or "–"),
        ("Doen mee", joined_label(a.signed_on)),
        *extra,
    ]
    data: list[list[Flowable]] = [
        [markup(f"Afspraak #{a.number}", s.card_head), markup("", right)],
        [markup("Wat gaan we doen?", s.card_label), para(a.what or "–", s.card_what)],
        *[[markup(label, s.card_label), para(value, s.card)] for label, value in rows],
    ]
    table = CardTable(data, colWidths=[LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH],
                      repeatRows=1, splitInRow=1, hAlign="LEFT")
    table._continued_cell = markup(CONTINUED, right)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), s.card.fontName, s.card.fontSize, s.card.leading),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("LINEABOVE", (0, 0), (-1, 0), 1.2, ACCENT),
        ("BOX", (0, 0), (-1, -1), 0.5, LINE),
        ("LINEBELOW", (0, 1), (-1, -2), 0.25, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ]))
    return table


_RIGHT: dict[int, ParagraphStyle] = {}


def _right(s: Styles) -> ParagraphStyle:
    style = _RIGHT.get(id(s.card_head))
    if style is None:
        style = _RIGHT[id(s.card_head)] = ParagraphStyle("card_head_right", parent=s.card_head,
                                                         alignment=TA_RIGHT)
    return style
