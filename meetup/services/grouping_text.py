"""Grouping by spelling: Dutch words, stems and TF-IDF (the method before sentence vectors).

Still used twice: as one half of the shipped method's similarity (shared words and typos:
"voorlezn" and "voorleesouders"), and alone as the fallback when no sentence model can run
(:func:`suggest_tfidf`, the method measured as "old" in docs/grouping.md).

1. Normalise: lower case (accents kept), the phones' abbreviations spelled out
   (``content/grouping_nl.json``), Dutch stop words dropped, words stemmed with Snowball.
2. Two TF-IDF views of each note: its word stems (what it is about) and the character 3-5 grams
   of its words (typos, compounds: "voorleesouders" and "voorlezen" share "voorle").
3. (fallback only) Agglomerative clustering on cosine distance, WPGMA linkage.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_CONTENT = Path(__file__).resolve().parent.parent / "content" / "grouping_nl.json"
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_WORD_WEIGHT = 0.4
_CHAR_WEIGHT = 0.6


@lru_cache(maxsize=1)
def vocabulary() -> tuple[dict[str, str], frozenset[str]]:
    """Abbreviations phones type, and the Dutch stop words (package list + our own few)."""
    from stop_words import get_stop_words

    content = json.loads(_CONTENT.read_text(encoding="utf-8"))
    stops = set(get_stop_words("dutch")) | set(content["extra_stop_words"])
    return dict(content["abbreviations"]), frozenset(stops)


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("dutch")


def words(text: str) -> list[str]:
    """The words of a note that carry meaning: lower case, abbreviations spelled out, no stop
    words. Accents are kept (``één`` and ``een`` differ in Dutch)."""
    abbreviations, stops = vocabulary()
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


def tfidf_matrix(texts: list[str]):
    """Rows: the notes' stems and character grams, weighted and L2-normalised (an all-zero row
    for a note without a meaningful word)."""
    import numpy as np
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    docs = [" ".join(normalise(t)) for t in texts]
    surface = [" ".join(words(t)) for t in texts]
    parts = []
    if any(docs):
        by_word = TfidfVectorizer(analyzer=str.split, sublinear_tf=True)
        parts.append(_WORD_WEIGHT * normalize(by_word.fit_transform(docs)))
    if any(surface):
        by_chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        parts.append(_CHAR_WEIGHT * normalize(by_chars.fit_transform(surface)))
    if not parts:
        return csr_matrix((len(texts), 1), dtype=np.float32)
    return normalize(hstack(parts).tocsr().astype(np.float32))


def tfidf_similarity(texts: list[str]) -> np.ndarray:
    """Cosine similarities of the notes' TF-IDF rows (dense, float32)."""
    matrix = tfidf_matrix(texts)
    return (matrix @ matrix.T).toarray().astype("float32", copy=False)


def cluster_tfidf(texts: list[str], similarity: float) -> list[int]:
    """The old method: WPGMA on TF-IDF cosine distance, cut at ``similarity``; a note with no
    meaningful word stays alone."""
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    matrix = tfidf_matrix(texts)
    if matrix.nnz == 0:  # nothing but stop words everywhere: every note alone
        return list(range(len(texts)))
    # Cosine distances from the sparse Gram matrix, in the condensed form SciPy's C linkage
    # takes: O(n²) memory, 3,000 notes ≈ 18 MB.
    distances = 1.0 - (matrix @ matrix.T).toarray()
    np.clip(distances, 0.0, 1.0, out=distances)
    np.fill_diagonal(distances, 0.0)
    empty = np.flatnonzero(matrix.getnnz(axis=1) == 0)
    tree = linkage(squareform(distances, checks=False), method="weighted")
    labels = fcluster(tree, t=1.0 - similarity, criterion="distance")
    if len(empty):  # notes without a meaningful word never join anything
        top = labels.max()
        for offset, index in enumerate(empty, start=1):
            labels[index] = top + offset
    return labels.tolist()
