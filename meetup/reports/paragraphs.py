"""Paragraphs that keep a long report fast, with the PDF reportlab would write.

A 430-page report has about 13,000 paragraphs, most of them one run of plain text in one style
(a table cell, a card's value). reportlab breaks and draws each with machinery built for any
markup: a word list rebuilt per line, a text object, a graphics state saved and restored twice.
:class:`PlainParagraph` does the same job for that common case with word widths remembered per
font and size, and writes the same PDF operators itself (byte for byte what reportlab writes;
``tests/test_report_paragraphs.py`` compares them). Anything outside the common case (a bullet,
soft hyphens, a word wider than the line, a colour with transparency...) goes to reportlab.
"""

from __future__ import annotations

from typing import Any
from weakref import ref

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import getAscentDescent, getFont
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.rl_config import paraFontSizeHeightOffset


class CachedParagraph(Paragraph):
    """A paragraph that remembers its line breaks for a given width.

    A table wraps every cell to measure the rows, again to draw them and again when it splits
    across pages; the line breaking is the costly part of a long report, and its result only
    depends on the width.
    """

    _wrapped_for: tuple[float, float, float] | None = None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        # reportlab deletes blPara when a split gives up: then break the lines again.
        if self._wrapped_for is not None and self._wrapped_for[0] == available_width \
                and "blPara" in self.__dict__:
            return self._wrapped_for[1], self._wrapped_for[2]
        width, height = super().wrap(available_width, available_height)
        self._wrapped_for = (available_width, width, height)
        return width, height


def clean_text(text: str) -> str:
    """reportlab's ``cleanBlockQuotedText`` (whitespace runs become one space, lines are joined,
    the ends trimmed), ten times faster: str.split knows the same whitespace except the
    no-break space (which reportlab keeps) and the zero-width space (which it trims)."""
    if "\xa0" in text or "\u200b" in text:
        return cleanBlockQuotedText(text)
    return " ".join(text.split())


#: Per style and face: the fragment reportlab's parser makes of ``<font face>x</font>`` (or of
#: plain text, face None, or of ``<br/>``).
_FRAGS: dict[tuple[int, str | None], tuple[ParagraphStyle, Any]] = {}
_BREAK = "<br/>"


def _frag(style: ParagraphStyle, face: str | None) -> Any:
    cached = _FRAGS.get((id(style), face))
    if cached is None or cached[0] is not style:
        if face == _BREAK:
            frags = Paragraph("x<br/>x", style).frags
            frag = frags[1] if len(frags) == 3 else None
        else:
            frags = Paragraph("x" if face is None else f'<font face="{face}">x</font>',
                              style).frags
            frag = frags[0] if len(frags) == 1 else None
        cached = _FRAGS[(id(style), face)] = (style, frag)
    return cached[1]


def runs_frags(lines: list[list[tuple[str | None, str]]], markup: str,
               style: ParagraphStyle) -> list[Any] | None:
    """The fragments reportlab's parser makes of ``markup``, the lines of (face, text) runs
    joined by ``<br/>``, built without parsing; None when only the parser knows (escaped
    characters, whitespace that the parser's cleaning would change)."""
    if clean_text(markup) != markup:
        return None
    frags = []
    for index, runs in enumerate(lines):
        if index:
            template = _frag(style, _BREAK)
            if template is None:
                return None
            frags.append(template.clone())
        for face, text in runs:
            template = _frag(style, face)
            if template is None or not text or "&" in text or "<" in text or ">" in text:
                return None
            frags.append(template.clone(text=text))
    return frags


#: Word widths per (font, size); started again when it holds this many words.
_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}
_WIDTHS_KEPT = 100_000


def _widths(font_name: str, size: float) -> tuple[dict[str, float], Any]:
    key = (font_name, size)
    widths = _WIDTHS.get(key)
    if widths is None or len(widths) > _WIDTHS_KEPT:
        widths = _WIDTHS[key] = {}
    return widths, getFont(font_name)


def clone(frag: Any, **changes: Any) -> Any:
    """``frag.clone(**changes)`` (reportlab's ABag), without its keyword-argument round trip."""
    new = object.__new__(frag.__class__)
    new.__dict__.update(frag.__dict__)
    new.__dict__.update(changes)
    return new


class PlainParagraph(CachedParagraph):
    """One run of plain text in one style (the fragment is given, no markup was parsed)."""

    def breakLines(self, width: Any) -> Any:
        lines = self._plain_lines(width)
        return super().breakLines(width) if lines is None else lines

    def _plain_lines(self, width: Any) -> Any:
        """reportlab's greedy line breaking for one fragment (``breakLines``, case A): the same
        lines, including its 5% space shrinkage; None when reportlab must do it."""
        frags, style = self.frags, self.style
        if len(frags) != 1 or self.bulletText or not isinstance(width, (list, tuple)):
            return None
        frag = frags[0]
        text = frag.__dict__.get("text")
        if (text is None or "\xa0" in text or "\xad" in text or "\u200b" in text
                or style.endDots
                or style.wordWrap or style.shaping or style.hyphenationLang
                or style.uriWasteReduce or style.embeddedHyphenation
                or "cbDefn" in frag.__dict__ or "backColor" in frag.__dict__):
            return None
        words = text.split()
        if not words:
            return None
        font_name, size = frag.fontName, frag.fontSize
        widths, font = _widths(font_name, size)
        measured = []
        narrowest = min(width)
        for word in words:
            word_width = widths.get(word)
            if word_width is None:
                word_width = widths[word] = font.stringWidth(word, size)
            if word_width > narrowest:
                return None  # reportlab splits a word wider than the line
            measured.append(word_width)
        space = widths.get(" ")
        if space is None:
            space = widths[" "] = font.stringWidth(" ", size)
        shrink = style.spaceShrinkage * space
        last = len(width) - 1
        self._width_max = 0
        self.height = 0
        self._splitLongWordCount = self._hyphenations = 0
        lines: list[tuple[float, list[str]]] = []
        line: list[str] = []
        line_no = 0
        max_width = width[0]
        current = -space
        for word, word_width in zip(words, measured):
            new_width = current + space + word_width
            if new_width <= max_width + shrink * len(line) or not line:
                line.append(word)
                current = new_width
                continue
            self._width_max = max(self._width_max, current)
            lines.append((max_width - current, line))
            line = [word]
            current = word_width
            line_no += 1
            max_width = width[min(last, line_no)]
        self._width_max = max(self._width_max, current)
        lines.append((max_width - current, line))
        ascent, descent = getAscentDescent(font_name, size)
        return clone(frag, kind=0, lines=lines, ascent=ascent, descent=descent, fontSize=size)

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        """Flowable.drawOn + Paragraph.drawPara for one fragment, left or right aligned: the
        operators reportlab writes (save, translate, save, colour, one text object, restore,
        restore), without its state bookkeeping, which the two restores undo anyway."""
        text = self._plain_text_code(canvas)
        if text is None:
            super().drawOn(canvas, x, y, _sW)
            return
        x = self._hAlignAdjust(x, _sW)
        canvas._code.extend(("q", "%s cm" % fp_str(1, 0, 0, 1, x, y), "q", text[0], text[1],
                             "Q", "Q"))

    def _plain_text_code(self, canvas: Any) -> tuple[str, str] | None:
        """The colour and the text object of this paragraph as reportlab writes them; None when
        reportlab must draw it (anything beyond one plain fragment)."""
        style, own = self.style, self.__dict__
        bl_para = own.get("blPara")
        if (bl_para is None or bl_para.kind != 0 or not bl_para.lines or self.bulletText
                or self.debug or not _plain_style(style) or "_offsets" in own
                or "autoLeading" in own or own.get("_showBoundary")
                or not canvas.bottomup or canvas._enforceColorSpace):
            return None
        frag = bl_para.__dict__
        color = _fill(frag.get("textColor"), canvas)
        if color is None or frag.get("us_lines") or frag.get("link"):
            return None
        doc = canvas._doc
        # A label shared by every card is drawn 500 times the same: its characters have their
        # codes in this document already, so the operators are the same too.
        drawn = own.get("_drawn")
        if drawn is not None and drawn[0]() is doc and drawn[1] is bl_para \
                and drawn[2] == self.height:
            return color, drawn[3]
        font = getFont(bl_para.fontName)
        if not font._dynamicFont:
            return None
        text = _text_object(self, bl_para, font, doc, canvas._escape)
        self._drawn = (ref(doc), bl_para, self.height, text)
        return color, text


def _text_object(paragraph: Paragraph, bl_para: Any, font: Any, doc: Any, escape: Any) -> str:
    """What PDFTextObject writes for drawPara's lines (``_leftDrawParaLine`` or
    ``_rightDrawParaLine``), setXPos merging like ``moveCursor``."""
    style = paragraph.style
    select = f"{fp_str(bl_para.fontSize)} Tf {fp_str(style.leading)} TL"
    code = ["BT", "1 0 0 1 %s Tm" % fp_str(style.leftIndent,
                                            paragraph.height - bl_para.fontSize)]
    subset_now = -1
    offset = style.firstLineIndent
    right = style.alignment == TA_RIGHT
    for extra, words in bl_para.lines:
        text = " ".join(words)
        spaces = len(words) - 1 + text.count("\xa0")
        simple = extra > -1e-8 or spaces <= 0
        shift = offset + extra if right and simple else offset
        if not simple and right:
            code.append("%s Tw" % fp_str(extra / float(spaces)))
        _move(code, shift)
        if not simple and not right:
            code.append("%s Tw" % fp_str(extra / float(spaces)))
        out = []
        for subset, chunk in font.splitString(text, doc):
            if subset != subset_now:
                out.append(f"{font.getSubsetInternalName(subset, doc)} {select}")
                subset_now = subset
            out.append(f"({escape(chunk)}) Tj")
        code.append(" ".join(out) + " T*")
        if not simple:
            code.append("0 Tw")
        _move(code, -shift)
        offset = 0
    code.append("ET")
    return " ".join(code)


def _move(code: list[str], dx: float) -> None:
    """PDFTextObject.setXPos(dx) as drawPara calls it: nothing for no move, and a move right
    after another one merged into it (``moveCursor``)."""
    if -1e-6 < dx < 1e-6:
        return
    dy = 0.0
    if code[-1].endswith(" Td"):
        last = code.pop().split()
        dx += float(last[-3])
        dy -= float(last[-2])
    code.append("%s Td" % fp_str(dx, -dy))


#: Per style: True when drawPara would take the one-fragment path that _text_object copies.
_PLAIN_STYLES: dict[int, tuple[ParagraphStyle, bool]] = {}


def _plain_style(style: ParagraphStyle) -> bool:
    cached = _PLAIN_STYLES.get(id(style))
    if cached is None or cached[0] is not style:
        plain = (style.alignment in (TA_LEFT, TA_RIGHT) and not style.backColor
                 and not (style.borderColor and style.borderWidth) and not style.wordWrap
                 and not getattr(style, "autoLeading", "") and bool(paraFontSizeHeightOffset))
        cached = _PLAIN_STYLES[id(style)] = (style, plain)
    return cached[1]


def _fill(color: Any, canvas: Any) -> str | None:
    """``canvas.setFillColor(color)``'s operator, None when it would do more (a colour space,
    transparency other than the canvas's)."""
    if type(color) is not Color or (color.alpha is not None
                                    and color.alpha != canvas._extgstate.getValue("ca")):
        return None
    return "%s rg" % fp_str((color.red, color.green, color.blue))


def string_code(canvas: Any, x: float, y: float, text: str) -> str | None:
    """What ``canvas.drawString(x, y, text)`` writes (a text object in the canvas's current
    font), without making the text object; None when the font is not a TrueType font."""
    font = getFont(canvas._fontname)
    if not font._dynamicFont:
        return None
    doc, escape = canvas._doc, canvas._escape
    select = f"{fp_str(canvas._fontsize)} Tf {fp_str(canvas._leading)} TL"
    out = []
    subset_now = -1
    for subset, chunk in font.splitString(text, doc):
        if subset != subset_now:
            out.append(f"{font.getSubsetInternalName(subset, doc)} {select}")
            subset_now = subset
        out.append(f"({escape(chunk)}) Tj")
    return "BT 1 0 0 1 %s Tm %s T* ET" % (fp_str(x, y), " ".join(out))
