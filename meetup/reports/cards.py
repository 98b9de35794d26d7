"""An agreement as a card: what, owner, partners, first step, date, success measure, who joins.

A card is a two-column table (label, value) in body-size type that never splits across pages:
it moves to the next page whole. Only a card taller than a whole page continues on the next
one, and its repeated top row then says "(vervolg)".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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


PAD_X, PAD_TOP, PAD_BOTTOM = 5, 3, 3.5


class Card(Flowable):
    """The card as one flowable that draws its rows itself (500 cards as 500 tables cost a
    second of a long report's build); a card taller than a page becomes a :class:`CardTable`
    that continues with "(vervolg)"."""

    def __init__(self, rows: list[tuple[Flowable, Flowable | None]],
                 table: Callable[[], CardTable]) -> None:
        super().__init__()
        self.rows, self.table = rows, table
        self._heights: list[float] = []

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        label_width = LABEL_WIDTH - 2 * PAD_X
        value_width = available_width - LABEL_WIDTH - 2 * PAD_X
        self._heights = []
        for index, (label, value) in enumerate(self.rows):
            width = available_width - 2 * PAD_X if index == 0 else value_width
            height = value.wrap(width, FRAME_HEIGHT)[1] if index else label.wrap(width,
                                                                                FRAME_HEIGHT)[1]
            if index:
                height = max(height, label.wrap(label_width, FRAME_HEIGHT)[1])
            self._heights.append(height + PAD_TOP + PAD_BOTTOM)
        self.width, self.height = available_width, sum(self._heights)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.wrap(available_width, available_height)
        if self.height <= FRAME_HEIGHT + 0.01:
            return []  # fits on a fresh page: never cut it
        return self.table().split(available_width, available_height)

    def draw(self) -> None:
        canv = self.canv
        top = self.height
        head = self._heights[0]
        canv.saveState()
        canv.setFillColor(HEAD_BG)
        canv.rect(0, top - head, self.width, head, stroke=0, fill=1)
        canv.setStrokeColor(LINE)
        canv.setLineWidth(0.25)
        y = top - head
        for height in self._heights[1:-1]:
            y -= height
            canv.line(0, y, self.width, y)
        canv.setLineWidth(0.5)
        canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        canv.setStrokeColor(ACCENT)
        canv.setLineWidth(1.2)
        canv.line(0, top, self.width, top)
        canv.restoreState()
        y = top
        for index, ((label, value), height) in enumerate(zip(self.rows, self._heights)):
            if index == 0:
                label.drawOn(canv, PAD_X, y - PAD_TOP - label.height)
            else:
                label.drawOn(canv, PAD_X, y - PAD_TOP - label.height)
                value.drawOn(canv, LABEL_WIDTH + PAD_X, y - PAD_TOP - value.height)
            y -= height


def agreement_card(a: AgreementRow, s: Styles, *,
                   extra: Sequence[tuple[str, str]] = ()) -> Card:
    """The card of one agreement; ``extra`` adds rows (label, user text) at the end."""
    rows: list[tuple[str, str]] = [
        ("Trekker", owner_label(a) or "–"),
        ("Partners", ", ".join(a.partners) or "–"),
        ("Eerste stap", a.first_step or "–"),
        ("Wanneer", texts.short_date(a.due_date) or "geen datum"),
        ("Hoe weten we dat het gelukt is?", a.success_measure or "–"),
        ("Doen mee", joined_label(a.signed_on)),
        *extra,
    ]
    # Labels go through para's fast path too (no markup parser): 500 cards, 4,000 labels.
    cells: list[tuple[Flowable, Flowable | None]] = [
        (para(f"Afspraak #{a.number}", s.card_head), None),
        (_label("Wat gaan we doen?", s.card_label), para(a.what or "–", s.card_what)),
        *[(_label(label, s.card_label), para(value, s.card)) for label, value in rows],
    ]
    return Card(cells, lambda: _card_table(a, s, rows))


_LABELS: dict[tuple[str, int], Flowable] = {}


def _label(text: str, style: ParagraphStyle) -> Flowable:
    """A label paragraph shared by every card (our own constant text): wrapped once, drawn
    on each card."""
    key = (text, id(style))
    label = _LABELS.get(key)
    if label is None or label.style is not style:
        label = _LABELS[key] = para(text, style)
    return label


def _card_table(a: AgreementRow, s: Styles, rows: list[tuple[str, str]]) -> CardTable:
    """The same card as a table, for the rare card taller than a page."""
    data: list[list[Flowable | str]] = [
        [para(f"Afspraak #{a.number}", s.card_head), ""],
        [para("Wat gaan we doen?", s.card_label), para(a.what or "–", s.card_what)],
        *[[para(label, s.card_label), para(value, s.card)] for label, value in rows],
    ]
    table = CardTable(data, colWidths=[LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH],
                      repeatRows=1, splitInRow=1, hAlign="LEFT")
    table._continued_cell = para(CONTINUED, _right(s))
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), s.card.fontName, s.card.fontSize, s.card.leading),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("LINEABOVE", (0, 0), (-1, 0), 1.2, ACCENT),
        ("BOX", (0, 0), (-1, -1), 0.5, LINE),
        ("LINEBELOW", (0, 1), (-1, -2), 0.25, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
        ("TOPPADDING", (0, 0), (-1, -1), PAD_TOP),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_BOTTOM),
    ]))
    return table


_RIGHT: dict[int, ParagraphStyle] = {}


def _right(s: Styles) -> ParagraphStyle:
    style = _RIGHT.get(id(s.card_head))
    if style is None:
        style = _RIGHT[id(s.card_head)] = ParagraphStyle("card_head_right", parent=s.card_head,
                                                         alignment=TA_RIGHT)
    return style
