"""Names in the order a Dutch reader expects.

Unicode collation (the Unicode Collation Algorithm with its default table, via ``pyuca``):
Łukasz sorts with the L's and Ørjan with the O's, not after Z as code points would have it.
A Dutch surname prefix ("van", "de", "van 't", "ter", ...) is skipped for sorting, as Dutch
directories do: "Jan van 't Hek" sorts under "Hek". Names are always shown as typed.
"""

from __future__ import annotations

from functools import cache

from pyuca import Collator

#: Dutch surname prefixes (tussenvoegsels), lower case, longest first when they overlap.
PREFIXES = frozenset({
    "van", "de", "der", "den", "het", "'t", "ten", "ter", "te", "in", "op", "onder", "over",
    "uit", "aan", "bij", "d'", "l'", "la", "le", "da", "di", "du", "del", "von", "zu", "'s",
})


@cache
def _collator() -> Collator:
    return Collator()


def surname_first(name: str) -> str:
    """``Jan van 't Hek`` -> ``Hek Jan van 't``: the main part of the surname leads.

    The surname is taken to be the last word; the prefixes just before it go to the end.
    A one-word name stays as it is.
    """
    words = name.split()
    if len(words) < 2:
        return name
    main = len(words) - 1
    start = main
    while start > 1 and words[start - 1].casefold() in PREFIXES:
        start -= 1
    return " ".join([words[main], *words[:start], *words[start:main]])


def sort_key(name: str) -> tuple[int, ...]:
    """A key that sorts ``name`` by its main surname, then the rest, by Unicode collation."""
    return _collator().sort_key(surname_first(" ".join(name.split())).casefold())
