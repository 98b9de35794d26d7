"""Suggest groups of similar notes across the tables of one theme, offline, on this machine.

The plenary wants the map the tables drew together: what already happens, where people can
connect, what is missing. Nothing leaves the venue: the notes are grouped here with a Dutch
stemmer, TF-IDF and agglomerative clustering, and the organiser confirms before anyone sees.

Method (measured against the labelled set in ``tests/data/grouping_nl.tsv``; see
``docs/grouping.md`` and ``benchmarks/grouping_benchmark.py``):

1. Normalise: lower case (accents kept), the phones' abbreviations spelled out
   (``content/grouping_nl.json``), Dutch stop words dropped, words stemmed with Snowball.
2. Two TF-IDF views of each note: its word stems (what it is about) and the character 3-5 grams
   of its words (typos, compounds: "voorleesouders" and "voorlezen" share "voorle").
3. Agglomerative clustering on cosine distance (WPGMA linkage: a merged group's similarity to
   another is the mean of its two halves'); groups merge while that similarity is at least
   ``similarity`` (the organiser's slider).
4. A group's title: its most telling stems, shown as the word the notes used most.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

#: The organiser's slider starts here: the best adjusted Rand index on the labelled set.
DEFAULT_SIMILARITY = 0.04
MIN_SIMILARITY = 0.01
MAX_SIMILARITY = 0.9
#: How many stems a title shows.
TITLE_TERMS = 2
_TITLE_PREFIX = 6

_CONTENT = Path(__file__).resolve().parent.parent / "content" / "grouping_nl.json"
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_WORD_WEIGHT = 0.4
_CHAR_WEIGHT = 0.6


@dataclass(frozen=True)
class NoteIn:
    """A note to group: what the organiser sees of it, and nothing about its author."""

    id: int
    text: str
    table_number: int | None = None
    dots: int = 0


@dataclass
class Group:
    """A suggested group: a short title from its telling terms, and its notes."""

    title: str
    terms: list[str]
    notes: list[NoteIn] = field(default_factory=list)

    @property
    def tables(self) -> list[int]:
        return sorted({n.table_number for n in self.notes if n.table_number is not None})

    @property
    def dots(self) -> int:
        return sum(n.dots for n in self.notes)


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[dict[str, str], frozenset[str]]:
    """Abbreviations phones type, and the Dutch stop words (package list + our own few)."""
    from stop_words import get_stop_words

    content = json.loads(_CONTENT.read_text(encoding="utf-8"))
    stops = set(get_stop_words("dutch")) | set(content["extra_stop_words"])
    return dict(content["abbreviations"]), frozenset(stops)


@lru_cache(maxsize=1)
def _stemmer():  # noqa: ANN202 - snowballstemmer ships no types
    import snowballstemmer

    return snowballstemmer.stemmer("dutch")


def words(text: str) -> list[str]:
    """The words of a note that carry meaning: lower case, abbreviations spelled out, no stop
    words. Accents are kept (``één`` and ``een`` differ in Dutch)."""
    abbreviations, stops = _vocabulary()
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        word = word.replace("’", "'")
        for part in abbreviations.get(word, word).split():
            if part not in stops and (len(part) > 1 or part.isdigit()):
                out.append(part)
    return out


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Dutch Snowball stem of one word (cached: a room reuses few thousand words)."""
    return _stemmer().stemWord(word)


def normalise(text: str) -> list[str]:
    """The Dutch stems of a note's meaningful words."""
    return [stem(word) for word in words(text)]


def suggest_groups(notes: list[NoteIn], similarity: float = DEFAULT_SIMILARITY) -> list[Group]:
    """Cluster ``notes`` into groups whose notes are at least ``similarity`` alike on average.

    Groups come largest first (then by dots); notes inside a group most-dotted first. A note
    with no meaningful word forms a group of its own. Deterministic for the same input.
    """
    similarity = min(max(float(similarity), MIN_SIMILARITY), MAX_SIMILARITY)
    if not notes:
        return []
    stems = [normalise(n.text) for n in notes]
    labels = _cluster(notes, stems, similarity) if len(notes) > 1 else [0]
    members: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        members[int(label)].append(index)
    groups = []
    for indexes in members.values():
        indexes.sort(key=lambda i: (-notes[i].dots, notes[i].id))
        groups.append(_group([notes[i] for i in indexes], [stems[i] for i in indexes],
                             [notes[i].text for i in indexes]))
    groups.sort(key=lambda g: (-len(g.notes), -g.dots, g.notes[0].id))
    return groups


def title_for(notes: list[NoteIn]) -> str:
    """A title for notes the organiser put together by hand."""
    return _group(notes, [normalise(n.text) for n in notes], [n.text for n in notes]).title


def _cluster(notes: list[NoteIn], stems: list[list[str]], similarity: float) -> list[int]:
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.sparse import hstack
    from scipy.spatial.distance import squareform
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    docs = [" ".join(s) for s in stems]
    surface = [" ".join(words(n.text)) for n in notes]
    parts = []
    if any(docs):
        by_word = TfidfVectorizer(analyzer=str.split, sublinear_tf=True)
        parts.append(_WORD_WEIGHT * normalize(by_word.fit_transform(docs)))
    if any(surface):
        by_chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        parts.append(_CHAR_WEIGHT * normalize(by_chars.fit_transform(surface)))
    if not parts:  # nothing but stop words everywhere: every note alone
        return list(range(len(notes)))
    matrix = normalize(hstack(parts).tocsr().astype(np.float32))
    # Cosine distances from the sparse Gram matrix (short notes share few features), in the
    # condensed form SciPy's C linkage takes: O(n²) memory, 3,000 notes ≈ 18 MB.
    distances = 1.0 - (matrix @ matrix.T).toarray()
    np.clip(distances, 0.0, 1.0, out=distances)
    np.fill_diagonal(distances, 0.0)
    distances = squareform(distances, checks=False)
    empty = np.flatnonzero(matrix.getnnz(axis=1) == 0)
    tree = linkage(distances, method="weighted")
    labels = fcluster(tree, t=1.0 - similarity, criterion="distance")
    if len(empty):  # notes without a meaningful word never join anything
        top = labels.max()
        for offset, index in enumerate(empty, start=1):
            labels[index] = top + offset
    return labels.tolist()


def _title_key(stem_: str) -> str:
    """Stems that start alike count as one term for a title: a typo ("voorlezn"), a compound
    ("voorleesouders") and the word itself ("voorlezen") all say "voorle…"."""
    return stem_[:_TITLE_PREFIX]


def _group(notes: list[NoteIn], stems: list[list[str]], texts: list[str]) -> Group:
    """Title a group by the terms most of its notes share, each shown as the word the notes
    used most (on a tie: the word of the first note, the most-dotted one)."""
    spread = Counter(key for note_stems in stems for key in {_title_key(s) for s in note_stems})
    weight = Counter(_title_key(s) for note_stems in stems for s in note_stems)
    # Digits ("groep 7/8") say little on their own: they only title a group of numbers.
    ranked = sorted(spread, key=lambda k: (k.isdigit(), -spread[k], -weight[k], k))
    terms = ranked[:TITLE_TERMS] if len(notes) > 1 else ranked[:TITLE_TERMS + 1]
    shown: dict[str, Counter[str]] = defaultdict(Counter)
    first_seen: dict[str, int] = {}
    for order, text in enumerate(texts):
        for word in words(text):
            shown[_title_key(stem(word))][word] += 1
            first_seen.setdefault(word, order)
    labels = [min(shown[k], key=lambda w: (-shown[k][w], first_seen[w])) if shown[k] else k
              for k in terms]
    title = " · ".join(labels) if labels else (texts[0][:40] if texts else "")
    return Group(title=title, terms=labels, notes=list(notes))
