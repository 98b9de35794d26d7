"""Column widths a reader does not trip over: no word broken where it fits, no e-mail address
ever broken.

A table's callers give the widths they would like; :func:`fitted_widths` widens every column
to its longest word (the header's words in bold, the cells' words, a :class:`NoBreak` value
whole) and takes the room from the columns that have more than they need. Only when the
longest words of all columns together are wider than the table does a word break, and then
the column keeps its share: a long compound in a note still breaks rather than squeezing the
other columns into letter-wide strips.

An e-mail address is a :class:`NoBreak` cell: when even the fitted column is too narrow for
it, :func:`nobreak_size` gives the smaller type in which it fits on one line, so that what a
reader copies from the PDF is the address.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth

#: Left plus right padding of a data table's cell, and a little air for rounding.
CELL_PADDING = 3 + 3 + 0.5
#: The smallest type an unbreakable value is shrunk to before it must break after all.
MIN_NOBREAK_SIZE = 5.5
#: How many of a column's longest words (by characters) are measured in points.
_MEASURED = 40


class NoBreak(str):
    """A cell value that must stay on one line (an e-mail address, a web address)."""

    __slots__ = ()


def _tokens(value: Any) -> list[str]:
    if isinstance(value, NoBreak):
        return [str(value)]
    if isinstance(value, str):
        return value.split()
    return []  # a ready flowable: it wraps itself


def _widest(tokens: list[str], font: str, size: float) -> float:
    """The widest of ``tokens`` in points, measuring only the longest few by characters (a
    word of half the characters is never wider in a proportional font of one family)."""
    if not tokens:
        return 0.0
    unique = sorted(set(tokens), key=len, reverse=True)
    longest = len(unique[0])
    candidates = [t for t in unique[:_MEASURED] if len(t) * 2 >= longest]
    return max(stringWidth(t, font, size) for t in candidates)


@dataclass(frozen=True)
class Needs:
    """What each column of a table needs, in points, cell padding included."""

    #: Header words (bold) and :class:`Plain` cells: never broken, never smaller.
    fixed: list[float]
    #: The longest unbreakable value in the body type (capped: a wider one gets smaller type).
    nobreak: list[float]
    #: The longest unbreakable value in the smallest type it may take.
    nobreak_min: list[float]
    #: The longest word of user text.
    words: list[float]


def needed_widths(header: Sequence[str], rows: Sequence[Sequence[Any]], *, head_font: str,
                  font: str, size: float, nobreak_cap: float) -> Needs:
    """What every column needs (see :class:`Needs`)."""
    needs = Needs([], [], [], [])
    for column, title in enumerate(header):
        words: list[str] = []
        whole: list[str] = []
        nobreaks: list[str] = []
        for row in rows:
            value = row[column] if column < len(row) else None
            if isinstance(value, NoBreak):
                nobreaks.append(str(value))
            elif value.__class__.__name__ == "Plain":  # drawn as is, never wrapped
                whole.extend(str(value).split("\n"))
            else:
                words.extend(_tokens(value))
        longest = _widest(nobreaks, font, size)
        smallest = longest * MIN_NOBREAK_SIZE / size
        needs.fixed.append(max(_widest(str(title).split(), head_font, size),
                               _widest(whole, font, size)) + CELL_PADDING)
        needs.nobreak.append(min(longest, max(nobreak_cap, smallest)) + CELL_PADDING)
        needs.nobreak_min.append(smallest + CELL_PADDING)
        needs.words.append(_widest(words, font, size) + CELL_PADDING)
    return needs


def fitted_widths(widths: Sequence[float], needs: Needs, limit: float) -> list[float]:
    """``widths`` changed as little as possible so that every column holds its longest word.

    The table keeps its total width, growing up to ``limit`` only when its words need it.
    When the table is too narrow for all of them, in this order: unbreakable values take
    smaller type; a column's user text gets no more than the width its caller asked for (the
    rest of a too long word breaks); every column gives up room in proportion, except what
    headers, :class:`Plain` cells and unbreakable values in the smallest type need.
    """
    wanted = list(widths)
    n = range(len(wanted))
    fixed = [max(needs.fixed[i], needs.nobreak_min[i]) for i in n]
    tries = (
        [max(needs.fixed[i], needs.nobreak[i], needs.words[i]) for i in n],
        [max(fixed[i], needs.words[i]) for i in n],
        [max(fixed[i], min(needs.words[i], wanted[i])) for i in n],
    )
    total = max(sum(wanted), min(limit, sum(max(w, f) for w, f in zip(wanted, tries[0],
                                                                       strict=True))))
    for floor in tries:
        if sum(floor) <= total:
            return _shrink_to([max(w, f) for w, f in zip(wanted, floor, strict=True)], floor,
                              total)
    if sum(fixed) >= total:
        return [f * total / sum(fixed) for f in fixed]
    return _shrink_to(list(tries[-1]), fixed, total)


def _shrink_to(widths: list[float], floors: list[float], total: float) -> list[float]:
    """Take ``sum(widths) - total`` from the columns above their floor, in proportion to what
    each has above it."""
    excess = sum(widths) - total
    if excess <= 0:
        return widths
    slack = [w - f for w, f in zip(widths, floors, strict=True)]
    room = sum(slack)
    if room <= 0:
        return widths
    share = min(1.0, excess / room)
    return [w - s * share for w, s in zip(widths, slack, strict=True)]


def nobreak_size(text: str, font: str, size: float, width: float) -> float:
    """The type size (at most ``size``) in which ``text`` fits ``width`` on one line; the
    smallest allowed when it does not fit even then."""
    needed = stringWidth(text, font, size)
    if needed <= width:
        return size
    return max(MIN_NOBREAK_SIZE, int(size * width / needed * 4) / 4)
