"""Text in every script for reportlab: a font per run, Arabic shaped, right-to-left reordered.

reportlab draws a run of characters in one font, left to right, one glyph per character. That
is enough for Latin, Cyrillic and Vietnamese (DejaVu Sans), Ge'ez, Chinese and emoji (a
fallback font per run, see :mod:`meetup.reports.fonts`), but not for Arabic and Persian: their
letters join (contextual forms) and their words run right to left. reportlab's own bidi
support needs ``rlbidi`` (reportlab's ``bidi`` extra), which PyPI does not serve, and its
HarfBuzz shaping writes presentation forms or private codes into the text layer, so a copied
name is not the name typed. So this module shapes with HarfBuzz (``uharfbuzz``, reportlab's
``shaping`` extra) itself, draws the glyphs in visual order, and gives every shaped glyph the
characters it stands for in the font's ToUnicode map: PDF readers, ``pdftotext`` and ``pypdf``
put right-to-left runs back in logical order, so the text extracts exactly as typed (with an
invisible left-to-right mark where a right-to-left run ends inside a Dutch line, see
:data:`LRM`).

The direction is resolved per word, per line (see :func:`visual_order`): good for names, mixed
Dutch and Arabic sentences and notes; numbers inside Arabic text keep their place as words.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics

from meetup.reports.fonts import BOLD, FALLBACKS, FAMILY, face_for, load_fallback, register_fonts

try:  # reportlab's ``shaping`` extra
    import uharfbuzz
except ImportError:  # pragma: no cover - installed with the project
    uharfbuzz = None

ARABIC = "NotoSansArabic"
#: Characters DejaVu Sans draws well without help (Latin, Greek, Cyrillic, Vietnamese...).
_SIMPLE = re.compile(r"[^\u0000-\u058f\u1e00-\u1eff\u2000-\u206f\u20a0-\u20bf]")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
#: Invisible helpers that belong to the character before them (joiners, variation selectors).
_ATTACHED = {"\u200c", "\u200d", "\ufe0e", "\ufe0f"}
_lock = threading.Lock()
#: A left-to-right mark (zero width) ends a right-to-left run inside a Dutch line: pdftotext
#: takes every character up to the next left-to-right letter into the run, so without it the
#: space after an Arabic name moved into the name ("met محمد الحسنover").
LRM = "\u200e"


def is_simple(text: str) -> bool:
    """True when DejaVu Sans alone draws ``text`` (the fast path of long reports)."""
    return _SIMPLE.search(text) is None


def direction(char: str) -> str:
    """``R`` for a right-to-left letter, ``L`` for a left-to-right one, ``N`` otherwise."""
    kind = unicodedata.bidirectional(char)
    if kind in ("R", "AL"):
        return "R"
    return "L" if kind == "L" else "N"


def word_direction(word: str) -> str:
    for char in word:
        kind = direction(char)
        if kind != "N":
            return kind
    return "N"


def base_direction(text: str) -> str:
    """The paragraph's direction: that of its first strong letter (Unicode rule P2)."""
    kind = word_direction(text)
    return "R" if kind == "R" else "L"


def visual_order(words: list[str], base: str) -> list[str]:
    """The words of one line in drawing order (left to right).

    Words without a strong letter take the direction of their neighbours when both agree,
    else the paragraph's; runs against the paragraph's direction are reversed.
    """
    return [words[i] for i in _visual_indices([word_direction(w) for w in words], base)]


def _visual_indices(kinds: list[str], base: str) -> list[int]:
    """:func:`visual_order` on the words' directions: their indices in drawing order."""
    resolved = []
    for index, kind in enumerate(kinds):
        if kind == "N":
            before = next((k for k in reversed(kinds[:index]) if k != "N"), base)
            after = next((k for k in kinds[index + 1:] if k != "N"), base)
            kind = before if before == after else base
        resolved.append(kind)
    order = list(range(len(kinds)))
    if base == "R":
        order, resolved = order[::-1], resolved[::-1]
    other = "L" if base == "R" else "R"
    out: list[int] = []
    run: list[int] = []
    for index, kind in zip(order, resolved):
        if kind == other:
            run.append(index)
            continue
        out += run[::-1]
        run = []
        out.append(index)
    return out + run[::-1]


def _tokens(words: list[str]) -> tuple[list[str], list[bool]]:
    """The words of a left-to-right line, with the punctuation that ends a right-to-left word
    before a left-to-right one (or the line's end) split off as a token of its own, glued to
    the word (no space between). Unicode's bidi rules give such punctuation the paragraph's
    direction: "Daan الحسن, Organisatie" draws the comma right of the name, not left of it.
    """
    tokens: list[str] = []
    glued: list[bool] = []
    kinds = [word_direction(w) for w in words]
    for index, word in enumerate(words):
        following = next((k for k in kinds[index + 1:] if k != "N"), "L")
        cut = len(word)
        if kinds[index] == "R" and following != "R":
            while cut and direction(word[cut - 1]) == "N":
                cut -= 1
        if 0 < cut < len(word):
            tokens += [word[:cut], word[cut:]]
            glued += [False, True]
        else:
            tokens.append(word)
            glued.append(False)
    return tokens, glued


#: Which fallback to try first for a character, by Unicode block (the others follow).
_PREFERRED = (
    (re.compile(r"[\u1200-\u139f\u2d80-\u2ddf\uab00-\uab2f]"), "NotoSansEthiopic"),
    (re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]"),
     "DroidSansFallback"),
)


@lru_cache(maxsize=65536)
def _font_of(char: str) -> str | None:
    """The font key that draws ``char``: None for DejaVu Sans, '' when no font has it."""
    register_fonts()
    if _ARABIC_SCRIPT.match(char) and load_fallback(ARABIC):
        return ARABIC
    if ord(char) in pdfmetrics.getFont(FAMILY).face.charToGlyph:
        return None
    keys = [f.key for f in FALLBACKS]
    for pattern, key in _PREFERRED:
        if pattern.match(char):
            keys.remove(key)
            keys.insert(0, key)
    if not _PREFERRED[0][0].match(char) and not _PREFERRED[1][0].match(char):
        keys.remove("Symbola")
        keys.insert(0, "Symbola")  # emoji and symbols
    for key in keys:
        if load_fallback(key) and ord(char) in pdfmetrics.getFont(key).face.charToGlyph:
            return key
    return ""


def substitute(char: str) -> str:
    """A readable stand-in for a character no installed font draws: ``[rocket]``."""
    name = unicodedata.name(char, f"U+{ord(char):04X}").lower()
    return f"[{name}]"


@lru_cache(maxsize=65536)
def font_runs(word: str) -> tuple[tuple[str | None, str], ...]:
    """``word`` cut into runs of one font each (None = the paragraph's own font); remembered
    per word."""
    runs: list[tuple[str | None, str]] = []
    for char in word:
        if char in _ATTACHED and runs:
            key = runs[-1][0]
            face = pdfmetrics.getFont(key or FAMILY).face
            if ord(char) not in face.charToGlyph:
                continue  # a joiner the font lacks would print as a box: leave it out
            runs[-1] = (key, runs[-1][1] + char)
            continue
        key = _font_of(char)
        if key == "":
            key, char = None, substitute(char)
        if runs and runs[-1][0] == key:
            runs[-1] = (key, runs[-1][1] + char)
        else:
            runs.append((key, char))
    return tuple(runs)


def _hb_font(face_name: str):
    font = pdfmetrics.getFont(face_name)
    hb = getattr(font, "_meetup_hb", None)
    if hb is None:
        hb = uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob(font.face._ttf_data)))
        font._meetup_hb = hb
        font._meetup_pua = {}
    return font, hb


@lru_cache(maxsize=16384)
def shape(text: str, face_name: str) -> str:
    """Arabic ``text`` as the codes of its shaped glyphs in visual (left-to-right) order.

    A glyph that the plain character already gives keeps that character; any other glyph
    (a joined form, a ligature) gets a private-use code that maps to the glyph for drawing and
    to the characters it was shaped from in the ToUnicode map.
    """
    if uharfbuzz is None:  # pragma: no cover
        return text[::-1]
    with _lock:
        font, hb = _hb_font(face_name)
        face = font.face
        buffer = uharfbuzz.Buffer()
        buffer.cluster_level = uharfbuzz.BufferClusterLevel.MONOTONE_CHARACTERS
        buffer.add_str(text)
        buffer.guess_segment_properties()
        uharfbuzz.shape(hb, buffer, {"liga": False, "dlig": False})
        clusters = sorted({info.cluster for info in buffer.glyph_infos})
        ends = dict(zip(clusters, [*clusters[1:], len(text)]))
        scale = 1000 / hb.face.upem
        out = []
        for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions):
            source = text[info.cluster:ends[info.cluster]]
            gid = info.codepoint
            if len(source) == 1 and face.charToGlyph.get(ord(source)) == gid:
                out.append(source)
                continue
            code = font._meetup_pua.get((gid, source))
            if code is None:
                code = 0xE000 + len(font._meetup_pua)
                while code in face.charToGlyph:
                    code += 1
                font._meetup_pua[(gid, source)] = code
                face.charToGlyph[code] = gid
                face.charWidths[code] = round(pos.x_advance * scale)
                font.logical[code] = source
            out.append(chr(code))
        return "".join(out)


def _drawn_runs(word: str, bold: bool) -> list[tuple[str | None, str]]:
    """One word as (face, text to draw) runs in drawing order, Arabic shaped."""
    runs = font_runs(word)
    if word_direction(word) == "R":
        runs = runs[::-1]
    drawn = []
    for key, text in runs:
        if key is None:
            drawn.append((None, text))
            continue
        face = face_for(key, bold)
        drawn.append((face, shape(text, face) if key == ARABIC else text))
    return drawn


def line_markup(line: str, bold: bool) -> str:
    """One line of user text as escaped markup, words in drawing order, runs in their font."""
    return runs_markup(drawn_line(line, bold))


def runs_markup(runs: list[tuple[str | None, str]]) -> str:
    """(face, text) runs as escaped markup, each fallback run in a ``<font face>``."""
    return "".join(escape(text) if face is None else f'<font face="{face}">{escape(text)}</font>'
                   for face, text in runs)


def drawn_line(line: str, bold: bool) -> list[tuple[str | None, str]]:
    """One line of user text as (face, text) runs in drawing order (None = the base font).

    A space between two words in the same fallback font stays inside that font's run, so that
    a right-to-left name is one text run that PDF readers reverse as a whole.
    """
    if is_simple(line):
        return [(None, line)]
    return list(_drawn_line(line, bold))


@lru_cache(maxsize=16384)
def _drawn_line(line: str, bold: bool) -> tuple[tuple[str | None, str], ...]:
    """:func:`drawn_line`, remembered: a name is drawn on a card, in the action list and in
    the contacts, and again in the next report."""
    words = line.split(" ")
    glued = [False] * len(words)
    left_to_right = True
    if any(direction(c) == "R" for c in line):
        base = base_direction(line)
        left_to_right = base == "L"
        if left_to_right:
            words, glued = _tokens(words)
        order = _visual_indices([word_direction(w) for w in words], base)
        words, glued = [words[i] for i in order], [glued[i] for i in order]
    runs: list[tuple[str | None, str]] = []
    for index, word in enumerate(words):
        drawn = _drawn_runs(word, bold)
        if index:
            same = runs and drawn and runs[-1][0] is not None and runs[-1][0] == drawn[0][0]
            space = "" if glued[index] else " "
            if left_to_right and not same and word_direction(words[index - 1]) == "R" \
                    and word_direction(word) != "R":
                space = LRM + space
            if space:
                runs.append((runs[-1][0] if same else None, space))
        runs += drawn
    merged: list[tuple[str | None, str]] = []
    for face, text in runs:
        if merged and merged[-1][0] == face:
            merged[-1] = (face, merged[-1][1] + text)
        else:
            merged.append((face, text))
    return tuple(merged)


def text_markup(text: str, bold: bool = False) -> str:
    """User text (any script, newlines kept) as escaped paragraph markup."""
    if is_simple(text):
        return escape(text).replace("\n", "<br/>")
    return "<br/>".join(line_markup(line, bold) for line in text.split("\n"))


def word_width(word: str, font_name: str, size: float) -> float:
    """The drawn width of one word in ``font_name`` (fallback runs measured in their font)."""
    bold = font_name == BOLD
    width = 0.0
    for key, text in font_runs(word):
        if key is None:
            width += pdfmetrics.stringWidth(text, font_name, size)
        else:
            face = face_for(key, bold)
            drawn = shape(text, face) if key == ARABIC else text
            width += pdfmetrics.stringWidth(drawn, face, size)
    return width


def break_lines(text: str, width: float, font_name: str, size: float) -> list[str]:
    """Greedy line breaking of user text in logical order (for right-to-left paragraphs,
    whose words must be reordered per line)."""
    lines: list[str] = []
    space = pdfmetrics.stringWidth(" ", font_name, size)
    for hard in text.split("\n"):
        current: list[str] = []
        used = 0.0
        for word in hard.split(" "):
            w = word_width(word, font_name, size)
            if current and used + space + w > width:
                lines.append(" ".join(current))
                current, used = [], 0.0
            used += (space if current else 0) + w
            current.append(word)
        lines.append(" ".join(current))
    return lines
