"""The A4 join poster: a big QR code, the short code and the address, with instructions.

A pure builder: every text comes in as an argument (the web face passes translated strings),
so nothing here needs Flask. The QR code is drawn as vector squares, sharp at any print size.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from meetup.reports.qr import qr_matrix

#: Where DejaVu Sans is looked for: shipped with the reports first, then Debian's package.
FONT_DIRS = (
    Path(__file__).resolve().parent / "fonts",
    Path("/usr/share/fonts/truetype/dejavu"),
)
REGULAR, BOLD = "PosterSans", "PosterSans-Bold"
INK = (0.114, 0.137, 0.188)
MUTED = (0.33, 0.36, 0.42)
ACCENT = (0.043, 0.373, 0.541)


@dataclass(frozen=True)
class PosterTexts:
    """The words on the poster (Dutch by default; the web face passes the visitor's language)."""

    scan: str = "Scan de QR-code met je telefoon"
    or_type: str = "of ga naar"
    code_label: str = "en typ de code"
    steps: tuple[str, ...] = (
        "Vul je naam, je rol en je organisatie in.",
        "Je telefoon is je werkblad voor de hele avond. Geen app, geen account.",
    )


def _font_file(name: str) -> Path | None:
    for folder in FONT_DIRS:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def poster_fonts() -> tuple[str, str]:
    """Register DejaVu Sans (regular, bold) once; Helvetica when it is nowhere to be found."""
    registered = pdfmetrics.getRegisteredFontNames()
    if REGULAR in registered and BOLD in registered:
        return REGULAR, BOLD
    regular, bold = _font_file("DejaVuSans.ttf"), _font_file("DejaVuSans-Bold.ttf")
    if regular is None:
        return "Helvetica", "Helvetica-Bold"
    pdfmetrics.registerFont(TTFont(REGULAR, str(regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(bold or regular)))
    return REGULAR, BOLD


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The code as filled squares (runs of dark modules merged per row), quiet zone included."""
    matrix = qr_matrix(url)
    count = len(matrix)
    module = size / count
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        col = 0
        while col < count:
            if not row[col]:
                col += 1
                continue
            start = col
            while col < count and row[col]:
                col += 1
            canvas.rect(x + start * module, top, (col - start) * module, module, stroke=0,
                        fill=1)


def _wrap(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """``text`` wrapped to ``width``; cut with an ellipsis after ``max_lines`` lines."""
    parts = simpleSplit(text, font, size, width) or [""]
    if len(parts) <= max_lines:
        return parts
    kept = parts[:max_lines]
    last = kept[-1]
    while last and pdfmetrics.stringWidth(last + " …", font, size) > width:
        last = last[:-1]
    kept[-1] = last.rstrip() + " …"
    return kept


def _centred_lines(canvas: Canvas, lines: list[str], font: str, size: float, y: float,
                   width: float, leading: float, max_lines: int = 3) -> float:
    """Centre ``lines`` (each wrapped to ``width``) from baseline ``y`` down; returns the next y."""
    page_width = A4[0]
    canvas.setFont(font, size)
    for line in lines:
        for part in _wrap(line, font, size, width, max_lines):
            canvas.drawCentredString(page_width / 2, y, part)
            y -= leading
    return y


def _fit(text: str, font: str, largest: float, smallest: float, width: float) -> float:
    """The largest font size (down to ``smallest``) at which ``text`` fits on one line."""
    size = largest
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 1
    return size


def build_poster(title: str, subtitle: str, join_url: str, short_code: str, code_url: str,
                 texts: PosterTexts | None = None) -> bytes:
    """An A4 portrait PDF with the join QR code for ``join_url`` and the short code.

    ``subtitle`` is the city, venue and date as one line; ``code_url`` is where people type
    the code (shown without ``https://``).
    """
    texts = texts or PosterTexts()
    regular, bold = poster_fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setSubject(f"{texts.scan}: {join_url}")
    canvas.setAuthor("Meetup Kansenongelijkheid")
    page_width, page_height = A4
    margin = 18 * mm
    text_width = page_width - 2 * margin

    canvas.setFillColorRGB(*ACCENT)
    canvas.rect(0, page_height - 8 * mm, page_width, 8 * mm, stroke=0, fill=1)

    canvas.setFillColorRGB(*INK)
    title_size = _fit(title, bold, 34, 22, text_width)
    y = page_height - 30 * mm
    y = _centred_lines(canvas, [title], bold, title_size, y, text_width, title_size * 1.2,
                       max_lines=2)
    if subtitle:
        canvas.setFillColorRGB(*MUTED)
        y = _centred_lines(canvas, [subtitle], regular, 15, y - 2 * mm, text_width, 20,
                           max_lines=2)

    canvas.setFillColorRGB(*INK)
    y = _centred_lines(canvas, [texts.scan], bold, 22, y - 8 * mm, text_width, 28)

    qr_size = 120 * mm
    qr_top = y - 2 * mm
    _draw_qr(canvas, join_url, (page_width - qr_size) / 2, qr_top - qr_size, qr_size)
    y = qr_top - qr_size - 12 * mm

    address = code_url.removeprefix("https://").removeprefix("http://")
    canvas.setFillColorRGB(*INK)
    y = _centred_lines(canvas, [f"{texts.or_type} {address}"], regular, 17, y, text_width, 22)
    y = _centred_lines(canvas, [texts.code_label], regular, 17, y, text_width, 22)

    code_size = _fit(short_code, bold, 64, 30, text_width)
    canvas.setFillColorRGB(*ACCENT)
    canvas.setFont(bold, code_size)
    y -= code_size * 0.85
    canvas.drawCentredString(page_width / 2, y, short_code)
    y -= 16 * mm

    canvas.setFillColorRGB(*MUTED)
    _centred_lines(canvas, list(texts.steps), regular, 13, y, text_width, 18, max_lines=2)

    canvas.showPage()
    canvas.save()
    return out.getvalue()
