"""Shared PDF machinery: styles, safe paragraphs, tables, headings with bookmarks.

Every piece of user text goes through :func:`para` (or :func:`esc`), which escapes it, so that
reportlab markup typed into a note (``<img>``, ``<a>``, ``<font>``) prints literally and never
loads an image or makes a link. Only the markup written in this package is interpreted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.textobject import rtlSupport
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    LongTable,
    Paragraph,
    TableStyle,
)
from reportlab.platypus.tables import CellStyle, _ExpandedCellTuple

from meetup.reports.columns import CELL_PADDING, NoBreak, fitted_widths, needed_widths, nobreak_size
from meetup.reports.fonts import BOLD, register_fonts
from meetup.reports.paragraphs import CachedParagraph as _Paragraph
from meetup.reports.paragraphs import PlainParagraph, clean_text, clone, runs_frags, string_code
from meetup.reports.scripts import (
    base_direction,
    break_lines,
    drawn_line,
    is_simple,
    runs_markup,
    text_markup,
)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
TOP_MARGIN = MARGIN + 6 * mm
BOTTOM_MARGIN = MARGIN + 4 * mm
#: Height of the text frame: what a flowable gets on a fresh page.
FRAME_HEIGHT = PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN

INK = colors.HexColor("#1d2330")
MUTED = colors.HexColor("#545b6b")
ACCENT = colors.HexColor("#0b5f8a")
LINE = colors.HexColor("#c9c4b8")
HEAD_BG = colors.HexColor("#e6eef3")
ZEBRA = colors.HexColor("#f7f6f2")

#: C0 control characters (except tab and newline) that have no place in a PDF text run.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def esc(text: Any, bold: bool = False) -> str:
    """User text as safe paragraph markup: escaped, control characters dropped, newlines kept,
    every script in a font that has it (see :mod:`meetup.reports.scripts`)."""
    cleaned = _CONTROL.sub("", str(text if text is not None else "").replace("\r\n", "\n"))
    return text_markup(cleaned, bold)


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    cell_num: ParagraphStyle
    cell_head_num: ParagraphStyle
    bullet: ParagraphStyle
    figure: ParagraphStyle
    card: ParagraphStyle
    card_what: ParagraphStyle
    card_label: ParagraphStyle
    card_head: ParagraphStyle
    toc: ParagraphStyle


@cache
def make_styles() -> Styles:
    """The report's paragraph styles (made once per process; never change them)."""
    family = register_fonts()

    def style(name: str, size: float, leading: float, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=kw.pop("fontName", family), fontSize=size,
                              leading=leading, textColor=kw.pop("textColor", INK),
                              alignment=kw.pop("alignment", TA_LEFT), bulletFontName=family,
                              **kw)

    return Styles(
        title=style("title", 26, 31, fontName=BOLD, spaceAfter=10, textColor=ACCENT),
        subtitle=style("subtitle", 14, 19, spaceAfter=4),
        h1=style("h1", 17, 21, fontName=BOLD, spaceBefore=6, spaceAfter=8, textColor=ACCENT),
        h2=style("h2", 13, 17, fontName=BOLD, spaceBefore=10, spaceAfter=5),
        h3=style("h3", 10.5, 14, fontName=BOLD, spaceBefore=6, spaceAfter=3),
        body=style("body", 9.5, 13.5, spaceAfter=5),
        small=style("small", 8, 10.5, spaceAfter=3),
        muted=style("muted", 8.5, 11.5, textColor=MUTED, spaceAfter=4),
        cell=style("cell", 9, 11.2),
        cell_head=style("cell_head", 9, 11.2, fontName=BOLD),
        cell_num=style("cell_num", 9, 11.2, alignment=TA_RIGHT),
        cell_head_num=style("cell_head_num", 9, 11.2, fontName=BOLD, alignment=TA_RIGHT),
        bullet=style("bullet", 9, 12, leftIndent=10, bulletIndent=0, spaceAfter=1.5),
        figure=style("figure", 20, 24, fontName=BOLD, textColor=ACCENT),
        card=style("card", 9.5, 12.5),
        card_what=style("card_what", 10, 13, fontName=BOLD),
        card_label=style("card_label", 9, 12, fontName=BOLD, textColor=MUTED),
        card_head=style("card_head", 9.5, 12, fontName=BOLD, textColor=ACCENT),
        toc=style("toc", 10.5, 15),
    )


class _BidiParagraph(_Paragraph):
    """User text with right-to-left words: broken into lines for the width it gets, then each
    line's words put in drawing order (bidi works per line, so it cannot precede the line
    breaking that reportlab does)."""

    def __init__(self, text: str | None, style: ParagraphStyle, bold: bool = False,
                 **kwargs: Any) -> None:
        self._logical, self._bold, self._kwargs = text, bold, kwargs
        self._broken_for: float | None = None
        if text is not None and base_direction(text) == "R":
            style = _right_aligned(style)
        if text is None:
            super().__init__(None, style, **kwargs)
        else:
            markup, frags = script_markup(text.split("\n"), bold, style)
            super().__init__(markup, style, frags=frags, **kwargs)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self._logical is not None and self._broken_for != available_width:
            style = self.style
            width = available_width - style.leftIndent - style.rightIndent - 0.5
            lines = break_lines(self._logical, width, style.fontName, style.fontSize)
            markup, frags = script_markup(lines, self._bold, style)
            Paragraph.__init__(self, markup, style, frags=frags, **self._kwargs)
            self._broken_for, self._wrapped_for = available_width, None
        return super().wrap(available_width, available_height)


def script_markup(lines: list[str], bold: bool,
                  style: ParagraphStyle) -> tuple[str, list[Any] | None]:
    """Lines of user text in any script as escaped markup (runs in their fonts, lines joined
    by ``<br/>``) and, when they can be made without reportlab's parser, its fragments."""
    runs = [drawn_line(line, bold) for line in lines]
    markup = "<br/>".join(runs_markup(line_runs) for line_runs in runs)
    return markup, runs_frags(runs, markup, style)


@cache
def _right_aligned(style: ParagraphStyle) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)


_TEMPLATE_FRAGS: dict[int, tuple[ParagraphStyle, Any]] = {}


def _template_frag(style: ParagraphStyle) -> Any:
    """The text fragment reportlab's parser makes for plain text in ``style`` (cached)."""
    cached = _TEMPLATE_FRAGS.get(id(style))
    if cached is None or cached[0] is not style:
        frags = Paragraph("x", style).frags
        cached = (style, frags[0] if len(frags) == 1 else None)
        _TEMPLATE_FRAGS[id(style)] = cached
    return cached[1]


def para(text: Any, style: ParagraphStyle, **kwargs: Any) -> Paragraph:
    """A paragraph of user text, shown literally.

    Plain one-line text skips reportlab's markup parser altogether (the text becomes the
    fragment as is, so nothing in it can act as markup, and long reports build faster);
    text with line breaks or other scripts goes through the parser escaped.
    """
    raw = _CONTROL.sub("", str(text if text is not None else "").replace("\r\n", "\n"))
    bold = style.fontName == BOLD
    if not is_simple(raw):
        if any(unicodedata.bidirectional(c) in ("R", "AL") for c in raw):
            return _BidiParagraph(raw, style, bold, **kwargs)
        markup, frags = script_markup(raw.split("\n"), bold, style)
        return _Paragraph(markup, style, frags=frags, **kwargs)
    template = _template_frag(style)
    if not raw.strip() and "\n" not in raw:
        return _Paragraph("", style, frags=[], **kwargs)  # what the parser makes of it
    if "\n" in raw or "\r" in raw or template is None or not raw.strip():
        return _Paragraph(esc(raw), style, **kwargs)
    clean = clean_text(raw)
    return PlainParagraph(clean, style, frags=[clone(template, text=clean)], **kwargs)


def para_with_note(text: Any, note: str, style: ParagraphStyle, **kwargs: Any) -> Paragraph:
    """User text followed by a muted note of ours ("(3 stemmen)"), on the fast path when the
    text is plain."""
    raw = _CONTROL.sub("", str(text if text is not None else "").replace("\r\n", "\n"))
    template = _template_frag(style)
    if not note:
        return para(raw, style, **kwargs)
    if "\n" in raw or "\r" in raw or template is None or not raw.strip() \
            or not is_simple(raw):
        return _Paragraph(f'{esc(raw)} <font color="#545b6b">{escape(note)}</font>', style,
                          **kwargs)
    clean = clean_text(raw)
    return _Paragraph(f"{clean} {note}", style, frags=[
        template.clone(text=clean + " "), template.clone(text=note, textColor=MUTED)], **kwargs)


def markup(text: str, style: ParagraphStyle, **kwargs: Any) -> Paragraph:
    """A paragraph of our own markup; never pass user text here unescaped."""
    return _Paragraph(text, style, **kwargs)


class Plain(str):
    """A short table cell of our own making (a number, a date, a label): drawn as is, no
    markup, no wrapping, so long tables stay fast. Never wrap user text in it."""

    __slots__ = ()


class Bookmark(Flowable):
    """A zero-size marker: the document adds an outline entry where it lands."""

    def __init__(self, key: str, title: str, level: int) -> None:
        super().__init__()
        self.key, self.title, self.level = key, title, level
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:  # pragma: no cover - nothing to draw
        pass


#: A sub-heading starts a new page when less than this is left below it (no orphans).
ORPHAN_SPACE = 35 * mm


def _kept_with_next(*flowables: Flowable) -> list[Flowable]:
    """Flowables that move to the next page together with what follows them (keepWithNext):
    a heading never stands alone at the bottom of a page, whatever comes after it."""
    for flowable in flowables:
        flowable.keepWithNext = 1
    return list(flowables)


def heading(text: str, style: ParagraphStyle, key: str, level: int) -> list[Flowable]:
    """A heading (user text allowed, escaped) with a bookmark in the PDF outline."""
    keep = [CondPageBreak(ORPHAN_SPACE)] if level > 0 else []
    return [*keep, *_kept_with_next(Bookmark(key, text, level), para(text, style))]


def subheading(text: str, style: ParagraphStyle) -> list[Flowable]:
    """A heading without bookmark that never ends up alone at the bottom of a page."""
    return [CondPageBreak(ORPHAN_SPACE), *_kept_with_next(para(text, style))]


def data_table(header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float],
               styles: Styles, *, numeric: Sequence[int] = ()) -> LongTable:
    """A table that breaks across pages with its header repeated and its cells wrapping.

    Cells may be strings (escaped into paragraphs), :class:`NoBreak` strings (kept on one
    line, in smaller type if they must) or ready flowables. ``widths`` are what the caller
    would like; every column gets at least the width of its longest word where the table has
    room (see :mod:`meetup.reports.columns`).
    """
    needs = needed_widths(header, rows, head_font=styles.cell_head.fontName,
                               font=styles.cell.fontName, size=styles.cell.fontSize,
                               nobreak_cap=CONTENT_WIDTH * 0.45)
    widths = fitted_widths(widths, needs, CONTENT_WIDTH)
    data: list[list[Any]] = [[para(h, styles.cell_head_num if i in numeric else
                                   styles.cell_head) for i, h in enumerate(header)]]
    for row in rows:
        data.append([_nobreak(cell, styles.cell, widths[i]) if isinstance(cell, NoBreak) else
                     cell if isinstance(cell, (Flowable, Plain)) else
                     para(cell, styles.cell_num if i in numeric else styles.cell)
                     for i, cell in enumerate(row)])
    # The same cell style for every cell of a column, given to the table ready (a FONT,
    # TEXTCOLOR, ALIGN, VALIGN or padding command would set them cell by cell: 15,000 cells).
    columns = []
    for column in range(len(header)):
        cell = CellStyle(f"column {column}")
        cell.fontname, cell.fontsize = styles.cell.fontName, styles.cell.fontSize
        cell.leading, cell.color, cell.valign = styles.cell.leading, INK, "TOP"
        cell.alignment = "RIGHT" if column in numeric else "LEFT"
        cell.leftPadding = cell.rightPadding = 3
        cell.topPadding = cell.bottomPadding = 2.5
        columns.append(cell)
    commands: list[tuple] = [
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, LINE),
    ]
    if len(data) > 2:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]))
    return _KeepRowsTable(data, colWidths=list(widths), repeatRows=1, splitInRow=0,
                          style=TableStyle(commands), hAlign="LEFT", normalizedData=1,
                          cellStyles=[columns[:] for _row in data])


def _nobreak(text: str, style: ParagraphStyle, width: float) -> Paragraph:
    """An unbreakable value as a one-line paragraph, in smaller type when it must."""
    size = nobreak_size(text, style.fontName, style.fontSize, width - CELL_PADDING)
    return para(text, style if size == style.fontSize else _sized(style, size))


@cache
def _sized(style: ParagraphStyle, size: float) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-{size}", parent=style, fontSize=size,
                          leading=style.leading * size / style.fontSize)


class _KeepRowsTable(LongTable):
    """A long table whose rows never split across pages (a row moves to the next page whole),
    unless one row is taller than a whole page."""

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.splitInRow = 0
        parts = super().split(available_width, available_height)
        if not parts and available_height >= FRAME_HEIGHT - 1:
            self.splitInRow = 1
            parts = super().split(available_width, available_height)
        return parts

    def _drawCell(self, cellval: Any, cellstyle: CellStyle, pos: tuple[float, float],
                  size: tuple[float, float]) -> None:
        """Table._drawCell for the two common cells, one plain paragraph or a :class:`Plain`
        string at the top: the same positions and operators, without the general geometry and
        text objects (15,000 cells)."""
        kind = cellval.__class__
        if not (cellstyle.valign == "TOP" and cellstyle.alignment in ("LEFT", "RIGHT")
                and not cellstyle.href and not cellstyle.destination
                and not cellstyle.direction and not cellstyle.shaping and not rtlSupport
                and (kind is Plain or (kind is _ExpandedCellTuple and len(cellval) == 1
                                       and cellval[0].__class__ is PlainParagraph))):
            super()._drawCell(cellval, cellstyle, pos, size)
            return
        canv = self.canv
        if self._curcellstyle is not cellstyle:
            current = self._curcellstyle
            if current is None or cellstyle.color != current.color:
                canv.setFillColor(cellstyle.color)
            if current is None or cellstyle.leading != current.leading \
                    or cellstyle.fontname != current.fontname \
                    or cellstyle.fontsize != current.fontsize:
                canv.setFont(cellstyle.fontname, cellstyle.fontsize, cellstyle.leading)
            self._curcellstyle = cellstyle
        (column_x, row_y), (column_width, row_height) = pos, size
        left = cellstyle.alignment == "LEFT"
        if kind is Plain:
            x = column_x + (cellstyle.leftPadding if left else
                            column_width - cellstyle.rightPadding)
            y = row_y + row_height - cellstyle.topPadding - cellstyle.fontsize
            for line in str(cellval).split("\n"):
                start = x if left else x - stringWidth(line, canv._fontname, canv._fontsize)
                code = string_code(canv, start, y, line)
                if code is None:
                    (canv.drawString if left else canv.drawRightString)(x, y, line)
                else:
                    canv._code.append(code)
                y -= cellstyle.leading
            return
        width = column_width - cellstyle.leftPadding - cellstyle.rightPadding
        if width < 0:
            super()._drawCell(cellval, cellstyle, pos, size)  # reportlab's error
            return
        value = cellval[0]
        value_width, value_height = value.wrapOn(
            canv, width, row_height - cellstyle.topPadding - cellstyle.bottomPadding)
        before = value.getSpaceBefore()
        y = row_y + row_height - cellstyle.topPadding + before
        if left:
            x = column_x + cellstyle.leftPadding
        else:
            x = column_x + column_width - cellstyle.rightPadding - value_width
        y -= before
        y -= value_height
        value.drawOn(canv, x, y)
