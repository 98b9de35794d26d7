"""The document around the report's flowables: A4 page template, running header and footer
with "pagina N van M", bookmarks, and the contents list whose page numbers are filled in when
the document is done (form XObjects, one layout pass)."""

from __future__ import annotations

import gc
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate
from reportlab.platypus.doctemplate import FrameBreak
from reportlab.platypus.flowables import _listWrapOn

from meetup.reports.fonts import register_fonts
from meetup.reports.pdf_base import (
    _CONTROL,
    BOTTOM_MARGIN,
    CONTENT_WIDTH,
    INK,
    LINE,
    MARGIN,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    TOP_MARGIN,
    Bookmark,
    esc,
    markup,
)
from meetup.reports.scripts import drawn_line


def toc_form(key: str) -> str:
    return f"toc-{key}"


class TocEntry(Flowable):
    """A line of the table of contents: the title (a link) and, right, its page number.

    The number is a form XObject that the canvas defines when the document is done, like the
    page total: one layout pass gives the contents with page numbers (reportlab's multiBuild
    would lay out the whole report two or three times).
    """

    def __init__(self, key: str, title: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.key, self.style = key, style
        self.para = markup(f'<a href="#{key}" color="#0b5f8a">{esc(title)}</a>', style)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        _w, height = self.para.wrap(available_width - 16 * mm, available_height)
        self.width, self.height = available_width, height
        return available_width, height

    def draw(self) -> None:
        canv = self.canv
        self.para.drawOn(canv, 0, 0)
        canv.toc_wanted.add(self.key)
        canv.saveState()
        canv.translate(self.width, self.height - self.style.fontSize)
        canv.doForm(toc_form(self.key))
        canv.restoreState()


#: Name of the form XObject that holds the page total; drawn on every page, defined at the end.
TOTAL_FORM = "pagetotal"


class _TotalPagesCanvas(rl_canvas.Canvas):
    """Defines the page-total form once the last page is done, so that every page can say
    "pagina 3 van 41" in one pass (and bookmarks keep pointing at the right pages).

    Its initial font is our embedded family, so that the PDF names no font it does not embed
    (reportlab's default would be a non-embedded Helvetica)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not kwargs.get("initialFontName"):
            kwargs["initialFontName"] = register_fonts()
        super().__init__(*args, **kwargs)

        self.toc_pages: dict[str, int] = {}
        self.toc_wanted: set[str] = set()

    def save(self) -> None:
        family = register_fonts()
        for key in sorted(self.toc_wanted):
            self.beginForm(toc_form(key), lowerx=-60, lowery=-5, upperx=5, uppery=20)
            self.setFont(family, 10.5)
            self.setFillColor(INK)
            self.drawRightString(0, 0, str(self.toc_pages.get(key, "–")))
            self.endForm()
        self.beginForm(TOTAL_FORM)
        self.setFont(family, 8)
        self.setFillColor(MUTED)
        self.drawString(0, 0, str(self._pageNumber - 1))
        self.endForm()
        super().save()


class HeadingWithNext(KeepTogether):
    """A heading (and its bookmark) kept with what follows it (reportlab's keepWithNext).

    reportlab's KeepTogether moves the whole group to the next page when it does not fit, so a
    heading above a long table would leave most of a page empty. Here the heading stays where
    it is when the start of what follows fits below it (a table's first rows); it moves to the
    next page only with a flowable that cannot start here (an agreement card, a picture).
    """

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        if getattr(self, "_wrapInfo", None) != (available_width, available_height):
            self.wrap(available_width, available_height)
        *heads, follower = self._content
        if self._H <= available_height or not heads:
            return list(self._content)
        head_height = _listWrapOn(heads, available_width, self.canv)[1] + max(
            heads[-1].getSpaceAfter(), follower.getSpaceBefore()) + 1
        room = available_height - head_height
        parts = follower.splitOn(self.canv, available_width, room) if room > 0 else []
        if parts and parts[0].wrapOn(self.canv, available_width, room)[1] <= room:
            return [*heads, *parts]
        frame = getattr(self, "_frame", None)
        if frame is not None and getattr(frame, "_atTop", False):
            return list(self._content)  # already at the top of a page: nothing better
        return [FrameBreak(), *self._content]


class ReportDoc(BaseDocTemplate):
    """A4 document with bookmarks from :class:`Bookmark` markers and deferred page furniture."""

    def __init__(self, buffer: io.BytesIO, furniture: Callable[[rl_canvas.Canvas, Any], None],
                 **kwargs: Any) -> None:
        super().__init__(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                         topMargin=TOP_MARGIN, bottomMargin=BOTTOM_MARGIN,
                         lang="nl", displayDocTitle=True, creator="Meetup Kansenongelijkheid",
                         **kwargs)
        # No frame padding: a table of CONTENT_WIDTH then fits the text frame exactly.
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=furniture)])
        self._outline_open = False
        self.keepTogetherClass = HeadingWithNext

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, Bookmark):
            self.canv.toc_pages.setdefault(flowable.key, self.page)
            self.canv.bookmarkPage(flowable.key)
            self.canv.addOutlineEntry(flowable.title, flowable.key, level=flowable.level,
                                      closed=flowable.level > 0)
            if not self._outline_open:
                self.canv.showOutline()
                self._outline_open = True


def render(flowables: list[Flowable], *, title: str, author: str, subject: str,
           furniture: Callable[[rl_canvas.Canvas, Any], None]) -> tuple[bytes, int]:
    """Lay out ``flowables``; returns the PDF bytes and the page count."""
    buffer = io.BytesIO()
    doc = ReportDoc(buffer, furniture, title=title, author=author, subject=subject,
                    keywords=["kansengelijkheid", "afspraken", "meetup"])
    with no_gc():
        doc.build(flowables, canvasmaker=_TotalPagesCanvas)
    return buffer.getvalue(), doc.page


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a document is made.

    A long report makes hundreds of thousands of small objects without cycles that matter;
    the collector would otherwise scan them over and over (a third of the build time).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def page_furniture(header_left: str, header_right: str,
                   footer_left: str) -> Callable[[rl_canvas.Canvas, Any], None]:
    """Running header (not on the cover) and footer with "pagina N van M"."""
    family = register_fonts()

    def draw(canv: rl_canvas.Canvas, doc: Any) -> None:
        page = canv.getPageNumber()
        canv.saveState()
        canv.setFillColor(MUTED)
        if page > 1:
            top = PAGE_HEIGHT - MARGIN + 2 * mm
            canv.setFont(family, 8)
            draw_text(canv, MARGIN, top, header_left, 8, CONTENT_WIDTH * 0.6)
            draw_text(canv, PAGE_WIDTH - MARGIN, top, header_right, 8, CONTENT_WIDTH * 0.38,
                      right=True)
            canv.setStrokeColor(LINE)
            canv.setLineWidth(0.5)
            canv.line(MARGIN, top - 2 * mm, PAGE_WIDTH - MARGIN, top - 2 * mm)
        bottom = MARGIN - 2 * mm
        canv.setFont(family, 7)
        draw_text(canv, MARGIN, bottom, footer_left, 7, CONTENT_WIDTH * 0.75)
        canv.setFont(family, 8)
        total_x = PAGE_WIDTH - MARGIN - 16
        canv.drawRightString(total_x - 2, bottom, f"pagina {page} van")
        canv.saveState()
        canv.translate(total_x, bottom)
        canv.doForm(TOTAL_FORM)
        canv.restoreState()
        canv.restoreState()

    return draw


def draw_text(canv: rl_canvas.Canvas, x: float, y: float, text: str, size: float,
              width: float, *, right: bool = False) -> None:
    """One line of user text on the canvas, every script in its font, shortened with an
    ellipsis until it fits ``width`` (page headers have no paragraphs)."""
    family = register_fonts()
    runs, drawn_width = _fitted(text, size, width, family)
    if right:
        x -= drawn_width
    for face, part in runs:
        canv.setFont(face or family, size)
        canv.drawString(x, y, part)
        x += canv.stringWidth(part, face or family, size)


#: Header and footer lines as fitted for their width (the same on every page).
_FITTED: dict[tuple[str, float, float, str], tuple[list[tuple[str | None, str]], float]] = {}


def _fitted(text: str, size: float, width: float,
            family: str) -> tuple[list[tuple[str | None, str]], float]:
    """``text`` as (face, text) runs, shortened with an ellipsis until it fits ``width``, and
    its drawn width."""
    key = (text, size, width, family)
    fitted = _FITTED.get(key)
    if fitted is not None:
        return fitted
    text = _CONTROL.sub("", text.replace("\n", " "))

    def runs_width(runs: list[tuple[str | None, str]]) -> float:
        return sum(stringWidth(t, f or family, size) for f, t in runs)

    runs = drawn_line(text, False)
    while text and runs_width(runs) > width:
        text = text[:-1]
        runs = drawn_line(text.rstrip() + "…", False)
    if len(_FITTED) > 1000:
        _FITTED.clear()
    fitted = _FITTED[key] = (runs, runs_width(runs))
    return fitted
