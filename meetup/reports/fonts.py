"""The fonts embedded in the PDFs: DejaVu Sans (shipped) and a fallback chain per script.

Names and notes at a Dutch meetup come in every script: Şükrü, Łukasz and Nguyễn (DejaVu Sans,
shipped in ``fonts/``, licence in ``fonts/LICENSE.txt``), محمد and Persian names (Noto Sans
Arabic), Tigrinya and Amharic (Noto Sans Ethiopic), 王芳 (Droid Sans Fallback) and emoji
(Symbola). reportlab embeds TrueType outlines only, so the fallbacks are TrueType files from
Debian's ``fonts-noto-core``, ``fonts-droid-fallback`` and ``fonts-symbola``, installed by
``scripts/install-system-deps.sh`` (too big to ship: Droid alone is 4 MB). A fallback that is
not installed is simply left out: :mod:`meetup.reports.scripts` then prints a readable
substitute instead of an empty box.

Every face is a :class:`LogicalTTFont`: its ToUnicode map gives the characters as typed (also
for shaped Arabic glyphs and for characters beyond U+FFFF such as emoji), so that text copied
or extracted from the PDF is the text people typed.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
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

#: Where Debian installs the fallback fonts; ``MEETUP_FONT_DIRS`` (colon-separated) comes first.
SYSTEM_FONT_DIRS = ("/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/droid",
                    "/usr/share/fonts/truetype/ancient-scripts", "/usr/share/fonts/truetype")


@dataclass(frozen=True)
class Fallback:
    """A fallback font: its key (the reportlab font name), files and Debian package."""

    key: str
    regular: str
    bold: str | None
    package: str


#: The fallback chain, in the order a character is looked up (after DejaVu Sans).
FALLBACKS = (
    Fallback("NotoSansArabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf",
             "fonts-noto-core"),
    Fallback("NotoSansEthiopic", "NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Bold.ttf",
             "fonts-noto-core"),
    Fallback("DroidSansFallback", "DroidSansFallbackFull.ttf", None, "fonts-droid-fallback"),
    Fallback("Symbola", "Symbola_hint.ttf", None, "fonts-symbola"),
)


#: Widths remembered per font and size before the memory starts again.
_WIDTHS_KEPT = 200_000


class LogicalTTFont(TTFont):
    """A TrueType font whose ToUnicode map can give a glyph the text it stands for.

    :attr:`logical` maps a code used in the PDF (a private-use code for a shaped Arabic glyph)
    to the characters it was shaped from; codes beyond the BMP are written as UTF-16 pairs.
    """

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename, shapable=False)
        self.logical: dict[int, str] = {}
        self._widths: dict[float, dict[str, float]] = {}

    def stringWidth(self, text: str, size: float, encoding: str = "utf8") -> float:
        """reportlab's width of ``text``, remembered per size: a long report measures the same
        words tens of thousands of times (each measurement costs about a microsecond)."""
        widths = self._widths.get(size)
        if widths is None:
            widths = self._widths[size] = {}
        width = widths.get(text)
        if width is None:
            if len(widths) > _WIDTHS_KEPT:
                widths.clear()
            width = widths[text] = super().stringWidth(text, size, encoding)
        return width

    def splitString(self, text: str, doc, encoding: str = "utf-8") -> list:
        """reportlab's (subset, bytes) chunks of ``text``; when every character already has
        its code in the first subset (nearly every line of a long report), one
        ``str.translate`` instead of reportlab's loop per character."""
        state = self.state.get(doc)
        if state is not None and text and text.__class__ is str:
            codes = state.__dict__.get("_one_byte_codes")
            if codes is None or codes.synced != len(state.assignments):
                codes = _sync_codes(state, codes)
            try:
                return [(0, text.translate(codes).encode("latin-1"))]
            except _Unassigned:
                pass  # a character without a code yet, or one in another subset
        return super().splitString(text, doc, encoding)

    def addObjects(self, doc) -> None:
        original = ttfonts.makeToUnicodeCMap
        ttfonts.makeToUnicodeCMap = lambda name, subset: _to_unicode_cmap(name, subset,
                                                                         self.logical)
        try:
            super().addObjects(doc)
        finally:
            ttfonts.makeToUnicodeCMap = original


class _Unassigned(Exception):
    """Raised inside ``str.translate`` (which passes a LookupError's character through)."""


class _OneByteCodes(dict):
    """A document's first-subset codes as a ``str.translate`` table: character -> its byte
    (as a one-character string); any other character stops the translation."""

    synced = 0

    def __missing__(self, key: int) -> str:
        raise _Unassigned


def _sync_codes(state, codes: _OneByteCodes | None) -> _OneByteCodes:
    """Bring the table up to date with the codes reportlab assigned since (they only grow)."""
    if codes is None:
        codes = state._one_byte_codes = _OneByteCodes()
    assignments = state.assignments
    for code, byte in islice(assignments.items(), codes.synced, None):
        if byte < 256:
            codes[code] = chr(byte)
    codes.synced = len(assignments)
    return codes


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def _to_unicode_cmap(fontname: str, subset: list[int], logical: dict[int, str]) -> str:
    """reportlab's ToUnicode CMap, with shaped glyphs mapped back and astral characters as
    surrogate pairs (reportlab writes ``<1F600>``, which readers reject)."""
    entries = [f"<{i:02X}> <{_utf16_hex(logical.get(code) or chr(code))}>"
               for i, code in enumerate(subset)]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo", f"<< /Registry ({fontname})", f"/Ordering ({fontname})",
        "/Supplement 0", ">> def", f"/CMapName /{fontname} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        f"{len(subset)} beginbfchar", *entries, "endbfchar", "endcmap",
        "CMapName currentdict /CMap defineresource pop", "end", "end"])


def find_font_file(filename: str) -> Path | None:
    """The first existing ``filename`` in ``MEETUP_FONT_DIRS``, the package or Debian's dirs."""
    dirs = [d for d in os.environ.get("MEETUP_FONT_DIRS", "").split(":") if d]
    for directory in (*dirs, str(FONT_DIR), *SYSTEM_FONT_DIRS):
        path = Path(directory) / filename
        if path.is_file():
            return path
    return None


_lock = threading.RLock()
_registered = False


def register_fonts() -> str:
    """Register DejaVu Sans and every installed fallback (once per process); returns the family
    name for the styles."""
    global _registered
    with _lock:
        if not _registered:
            for name, filename in _FACES.items():
                pdfmetrics.registerFont(LogicalTTFont(name, str(FONT_DIR / filename)))
            pdfmetrics.registerFontFamily(FAMILY, normal=FAMILY, bold=BOLD, italic=ITALIC,
                                          boldItalic=BOLD_ITALIC)
            for bold, italic, face in ((0, 0, FAMILY), (1, 0, BOLD), (0, 1, ITALIC),
                                       (1, 1, BOLD_ITALIC)):
                addMapping(FAMILY, bold, italic, face)
            _registered = True
    return FAMILY


def load_fallback(key: str) -> bool:
    """Register fallback ``key`` on first use (parsing Droid's 4 MB costs half a second, and
    most reports never need it); False when its file is not installed."""
    if key in _loaded:
        return _loaded[key]
    register_fonts()
    with _lock:
        if key not in _loaded:
            fallback = next(f for f in FALLBACKS if f.key == key)
            _loaded[key] = _register_fallback(fallback)
    return _loaded[key]


_loaded: dict[str, bool] = {}


def _register_fallback(fallback: Fallback) -> bool:
    regular = find_font_file(fallback.regular)
    if regular is None:
        return False
    bold_path = find_font_file(fallback.bold) if fallback.bold else None
    pdfmetrics.registerFont(LogicalTTFont(fallback.key, str(regular)))
    bold = fallback.key
    if bold_path is not None:
        bold = f"{fallback.key}-Bold"
        pdfmetrics.registerFont(LogicalTTFont(bold, str(bold_path)))
    # Each face maps to itself whatever <b>/<i> says: the scripts module picks the face.
    for face in {fallback.key, bold}:
        for b in (0, 1):
            for i in (0, 1):
                addMapping(face, b, i, face)
    return True


def face_for(key: str, bold: bool) -> str:
    """The registered face of fallback ``key`` (its bold face when there is one)."""
    name = f"{key}-Bold"
    if bold and name in pdfmetrics.getRegisteredFontNames():
        return name
    return key
