"""A confirmed group's title as people read it: on the projector, the phones and the report.

A suggested group may still carry the automatic title of bare terms joined by " · "
("echt · nodig · onderwijskundig") when the organiser confirms without renaming it. Nobody in
the room wrote that, and it reads as a list of stems. Such a title is shown as the note that
stands for the group instead (a phrase, most dots, most central: :func:`representative`),
shortened at a word; a title a person typed is always shown as typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: Longest readable title made from a note (the projector shows titles in two lines).
READABLE_MAX = 60
#: Two or more single words joined by " · ": how the automatic titles of the suggestions look.
_TERMS = re.compile(r"[^\s·]+(?: · [^\s·]+)+")
_WORD = re.compile(r"[^\W_]+")


def is_automatic(title: str) -> bool:
    """True for a title of bare terms joined by " · " (made by the suggestion, not typed)."""
    return bool(_TERMS.fullmatch(title.strip()))


def shorten(text: str, limit: int = READABLE_MAX) -> str:
    """``text`` on one line, cut at a word before ``limit`` characters with "…"."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,.;:-–") + "…"


def _keys(text: str) -> set[str]:
    """What a note is about, roughly: the starts of its longer words ("voorle" for
    "voorlezen" and "voorleesouders")."""
    return {w[:5] for w in _WORD.findall(text.lower()) if len(w) >= 4}


def representative(notes: Sequence[tuple[str, int]]) -> str:
    """The note that stands for the group: ``notes`` are (text, dots) in the organiser's order.

    A phrase (three words or more) before a fragment ("voorlezn"), then the most dots, then
    the most central (shares a word with the most other notes), then the first.
    """
    keys = [_keys(text) for text, _ in notes]

    def rank(index: int) -> tuple[bool, int, int, int]:
        text, dots = notes[index]
        central = sum(1 for j, other in enumerate(keys) if j != index and keys[index] & other)
        return (len(_WORD.findall(text)) >= 3, dots, central, -index)

    candidates = [i for i, (text, _) in enumerate(notes) if text.strip()]
    return notes[max(candidates, key=rank)][0] if candidates else ""


def readable(title: str, notes: Sequence[tuple[str, int]]) -> str:
    """The title to show: ``title`` unless it is automatic, then the group's representative
    note (:func:`representative`), shortened, with a capital."""
    if not is_automatic(title):
        return title
    chosen = representative(notes)
    if not chosen:
        return title
    shown = shorten(chosen)
    return shown[:1].upper() + shown[1:]
