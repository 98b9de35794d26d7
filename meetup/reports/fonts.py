"""The Unicode TrueType font embedded in every PDF (DejaVu Sans, shipped in ``fonts/``).

Names such as Şükrü Yılmaz, Nguyễn Thị Hương or Łukasz need glyphs the standard PDF fonts lack,
so the reports embed DejaVu Sans (licence in ``fonts/LICENSE.txt``) and register its four faces
as one family, so that ``<b>`` and ``<i>`` in our own markup pick the right face.
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"

#: Family name used in paragraph styles.
FAMILY = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"
BOLD_ITALIC = "DejaVuSans-BoldOblique"

_FACES = {
    FAMILY: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
    BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}
_lock = threading.Lock()
_registered = False


def register_fonts() -> str:
    """Register the family with reportlab (once per process); returns the family name."""
    global _registered
    with _lock:
        if not _registered:
            for name, filename in _FACES.items():
                pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
            pdfmetrics.registerFontFamily(FAMILY, normal=FAMILY, bold=BOLD, italic=ITALIC,
                                          boldItalic=BOLD_ITALIC)
            for bold, italic, face in ((0, 0, FAMILY), (1, 0, BOLD), (0, 1, ITALIC),
                                       (1, 1, BOLD_ITALIC)):
                addMapping(FAMILY, bold, italic, face)
            _registered = True
    return FAMILY
