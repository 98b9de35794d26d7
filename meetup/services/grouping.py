"""Suggest groups of notes that mean the same thing, across the tables of one theme, offline.

The plenary wants the map the tables drew together. A wrong group costs the organiser more
than a missing one, so the suggestion puts notes together only when they are clearly alike
and leaves the rest for the organiser ("Nog in te delen"). Nothing leaves the venue.

The shipped method ("meaning", see ``docs/grouping.md``; weights and thresholds chosen on the
tuning set ``tests/data/grouping_nl.tsv`` only, figures reported on the held-out
``tests/data/grouping_nl_test.tsv``):

1. Each note's sentence vector (:mod:`meetup.services.embeddings`: multilingual-e5-small,
   stored with the note by :mod:`meetup.services.note_vectors`, computed here when missing),
   centred on the theme's notes (what all of them share says nothing about which belong
   together), cosine similarity: meaning over spelling.
2. Half of the similarity from the TF-IDF view of :mod:`grouping_text` (shared words, typos).
3. Average-linkage clustering, groups cut where their mean similarity falls below the
   organiser's ``similarity``.
4. Precision first: a note stays in its group only if it is clearly more like that group than
   like any other (by ``MARGIN``); what is left with fewer than two notes is not suggested.
5. Title: the group's most central note, shortened as a person would.

Without a usable model (:func:`embeddings.backend` is ``None``) the TF-IDF method alone runs
(``method="tfidf"``, the method measured as "old").
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from meetup.services import embeddings
from meetup.services.grouping_text import cluster_tfidf, normalise, tfidf_similarity, words

if TYPE_CHECKING:
    import numpy as np

__all__ = ["DEFAULT_SIMILARITY", "Group", "NoteIn", "normalise", "suggest_groups", "title_for",
           "with_vectors", "words"]

#: The organiser's slider starts here (the shipped method; chosen on the tuning set).
DEFAULT_SIMILARITY = 0.03
#: The TF-IDF method's own best threshold on the tuning set (used for the fallback).
TFIDF_SIMILARITY = 0.04
MIN_SIMILARITY = 0.01
MAX_SIMILARITY = 0.9
#: Share of the sentence vectors in the similarity; the rest is TF-IDF.
MEANING_WEIGHT = 0.5
#: A note stays in its group only when it is this much more like it than like the next group.
MARGIN = 0.02
#: Centring on a handful of notes would push two alike notes apart: the evening's mean counts
#: as this many notes beside the theme's own.
CENTRE_PRIOR = 10
_CENTRE = Path(__file__).resolve().parent.parent / "content" / "grouping_centre.json"
TITLE_MAX = 60
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_CLAUSE = re.compile(r"\s*(?:[,;:(]|\s[-–—]\s|\.\s|->|=)\s*")


@dataclass(frozen=True)
class NoteIn:
    """A note to group: what the organiser sees of it, and nothing about its author.
    ``vector``: its stored sentence vector (:func:`embeddings.to_bytes`), if any."""

    id: int
    text: str
    table_number: int | None = None
    dots: int = 0
    vector: bytes | None = field(default=None, compare=False, repr=False)


@dataclass
class Group:
    """A suggested group: a short title, and its notes (most dots first)."""

    title: str
    notes: list[NoteIn] = field(default_factory=list)

    @property
    def tables(self) -> list[int]:
        return sorted({n.table_number for n in self.notes if n.table_number is not None})

    @property
    def dots(self) -> int:
        return sum(n.dots for n in self.notes)


def with_vectors(notes: list[NoteIn]) -> tuple[list[NoteIn], list[NoteIn]]:
    """``notes`` each with a vector of the current model, and those whose vector was computed
    now (for the caller to store). Unchanged when no model can run."""
    model = embeddings.backend()
    if model is None:
        return notes, []
    missing = [i for i, n in enumerate(notes)
               if embeddings.from_bytes(n.vector, model.dim) is None]  # type: ignore[arg-type]
    if not missing:
        return notes, []
    vectors = model.embed([notes[i].text for i in missing])
    out = list(notes)
    for i, vector in zip(missing, vectors):
        out[i] = replace(notes[i], vector=embeddings.to_bytes(vector))
    return out, [out[i] for i in missing]


def suggest_groups(notes: list[NoteIn], similarity: float = DEFAULT_SIMILARITY,
                   method: str | None = None,
                   directions: list[dict[str, str]] | None = None) -> list[Group]:
    """Groups of two or more notes that are clearly alike; a note in no group is left for the
    organiser. ``method``: ``"meaning"`` (the default when the model runs) or ``"tfidf"``.
    ``directions``: the theme's directions from the briefing (``Theme.directions``), which the
    meaning method uses as candidate groups: each joins the clustering as one more "note" (its
    title and first sentence), so notes about the same direction find each other through it;
    it never shows in a group.

    Groups come largest first (then by dots); notes inside a group most-dotted first.
    Deterministic for the same input. Works on plain notes: missing vectors are computed.
    """
    import numpy as np

    similarity = min(max(float(similarity), MIN_SIMILARITY), MAX_SIMILARITY)
    if len(notes) < 2:
        return []
    texts = [n.text for n in notes]
    model = embeddings.backend() if method in (None, "meaning") else None
    if method == "meaning" and model is None:
        raise RuntimeError("no sentence model can run here")
    if model is None:
        labels: list[int | None] = list(cluster_tfidf(texts, similarity))
        sims = None
    else:
        notes, _ = with_vectors(notes)
        vectors = _matrix([n.vector for n in notes], model.dim)  # type: ignore[misc]
        anchors = direction_texts(directions or [])
        if anchors:
            vectors = np.vstack([vectors, _anchor_vectors(model, tuple(anchors))])
        sims = meaning_similarity(vectors, texts + anchors, model.key)
        labels = cluster_meaning(sims, similarity)[:len(notes)]
        sims = sims[:len(notes), :len(notes)]
        # "ja", "ok!": a note without a meaningful word says nothing to group by
        labels = [label if words(text) else None for label, text in zip(labels, texts)]
    members: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        if label is not None:
            members[int(label)].append(index)
    groups = []
    for indexes in members.values():
        if len(indexes) < 2:
            continue
        if sims is None:
            sims = tfidf_similarity(texts)
        central = _central(indexes, sims)
        indexes.sort(key=lambda i: (-notes[i].dots, notes[i].id))
        groups.append(Group(title=_title([texts[i] for i in central]),
                            notes=[notes[i] for i in indexes]))
    groups.sort(key=lambda g: (-len(g.notes), -g.dots, g.notes[0].id))
    return groups


def direction_texts(directions: list[dict[str, str]]) -> list[str]:
    """A direction as a candidate group: its title and the first sentence of its prompt."""
    out = []
    for direction in directions:
        title = (direction.get("title") or "").strip()
        first = _SENTENCE.split((direction.get("prompt") or "").strip(), maxsplit=1)[0]
        text = f"{title}. {first}".strip(" .")
        if text:
            out.append(text)
    return out


@lru_cache(maxsize=64)
def _anchor_vectors(model: embeddings.Backend, texts: tuple[str, ...]) -> np.ndarray:
    return model.embed(list(texts))


def title_for(notes: list[NoteIn]) -> str:
    """A title for notes the organiser put together by hand: the most central one, shortened."""
    if not notes:
        return ""
    texts = [n.text for n in notes]
    # Only stored vectors: this runs on the event loop, it never loads or runs the model.
    model = embeddings.backend() if all(n.vector for n in notes) else None
    vectors = [embeddings.from_bytes(n.vector, model.dim) if model and n.vector else None
               for n in notes]
    if model is not None and all(v is not None for v in vectors) and len(notes) > 1:
        import numpy as np

        matrix = np.stack(vectors)  # type: ignore[arg-type]
        sims = MEANING_WEIGHT * (matrix @ matrix.T) \
            + (1 - MEANING_WEIGHT) * tfidf_similarity(texts)
    else:
        sims = tfidf_similarity(texts)
    return _title([texts[i] for i in _central(list(range(len(notes))), sims)])


def meaning_similarity(vectors: np.ndarray, texts: list[str], key: str = "") -> np.ndarray:
    """The shipped similarity: centred sentence vectors' cosine, blended with TF-IDF's.

    Centred on the theme's own mean; a small set leans on the evening's mean
    (``content/grouping_centre.json``) with the weight of ``CENTRE_PRIOR`` notes, so that two
    alike notes are not pushed apart by centring on just the two of them."""
    import numpy as np

    n = len(vectors)
    centre = vectors.mean(axis=0)
    prior = _prior_centre(key, vectors.shape[1])
    if prior is not None:
        centre = (n * centre + CENTRE_PRIOR * prior) / (n + CENTRE_PRIOR)
    centred = vectors - centre
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    centred /= np.where(norms > 0, norms, 1.0)
    sims = MEANING_WEIGHT * (centred @ centred.T)
    sims += (1 - MEANING_WEIGHT) * tfidf_similarity(texts)
    return sims.astype(np.float32, copy=False)


@lru_cache(maxsize=4)
def _prior_centre(key: str, dim: int) -> np.ndarray | None:
    import base64

    import numpy as np

    content = json.loads(_CENTRE.read_text(encoding="utf-8"))
    if content["model"] != key or content["dim"] != dim:
        return None
    return np.frombuffer(base64.b64decode(content["float16_base64"]), dtype="<f2").astype(
        np.float32)


def cluster_meaning(sims: np.ndarray, similarity: float) -> list[int | None]:
    """Average linkage cut at ``similarity``, then only the notes clearly in their group:
    label per note, ``None`` for a note left to the organiser."""
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    n = len(sims)
    distances = 1.0 - sims
    distances = (distances + distances.T) / 2
    np.clip(distances, 0.0, 2.0, out=distances)
    np.fill_diagonal(distances, 0.0)
    tree = linkage(squareform(distances, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - similarity, criterion="distance")
    groups = [g for g in _members(labels) if len(g) > 1]
    for _ in range(2):  # prune, then once more against the pruned groups
        if not groups:
            break
        groups = _clear_members(sims, groups)
    out: list[int | None] = [None] * n
    for label, group in enumerate(groups):
        for i in group:
            out[i] = label
    return out


def _members(labels: np.ndarray) -> list[np.ndarray]:
    import numpy as np

    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    return np.split(order, cuts)


def _clear_members(sims: np.ndarray, groups: list[np.ndarray]) -> list[np.ndarray]:
    """Keep a note in its group when its mean similarity to the others there beats its mean
    similarity to every other group by ``MARGIN``."""
    import numpy as np

    n, k = len(sims), len(groups)
    membership = np.zeros((n, k), dtype=np.float32)
    for j, group in enumerate(groups):
        membership[group, j] = 1.0
    sizes = membership.sum(axis=0)
    mean_to = (sims @ membership) / sizes  # n × k: mean similarity of each note to each group
    kept = []
    for j, group in enumerate(groups):
        own = (mean_to[group, j] * sizes[j] - sims[group, group]) / (sizes[j] - 1)
        others = np.delete(mean_to[group], j, axis=1)
        best_other = others.max(axis=1) if others.shape[1] else np.full(len(group), -1.0)
        keep = group[own - best_other >= MARGIN]
        if len(keep) > 1:
            kept.append(keep)
    return kept


def _matrix(raw: list[bytes], dim: int) -> np.ndarray:
    import numpy as np

    return np.stack([embeddings.from_bytes(r, dim) for r in raw]).astype(np.float32)


def _central(indexes: list[int], sims: np.ndarray) -> list[int]:
    """``indexes`` (rows of ``sims``), most central first: the highest summed similarity to
    the rest of the group."""
    import numpy as np

    picks = np.asarray(indexes)
    sub = sims[np.ix_(picks, picks)]
    score = sub.sum(axis=1) - np.diag(sub)
    return [indexes[p] for p in sorted(range(len(indexes)), key=lambda p: (-score[p], p))]


def _title(texts_by_centrality: list[str]) -> str:
    """The most central note that reads as a title: of two words or more and short enough to
    show whole; else the most central note that says anything, shortened (its first clause,
    or its first words with "…")."""
    for text in texts_by_centrality:
        if len(words(text)) >= 2 and len(" ".join(text.split())) <= TITLE_MAX:
            return shorten(text)
    for text in texts_by_centrality:
        if words(text):
            return shorten(text)
    return shorten(texts_by_centrality[0]) if texts_by_centrality else ""


def shorten(text: str, limit: int = TITLE_MAX) -> str:
    clean = " ".join(text.split()).strip(" .!?,;:-–—")
    if not clean:
        return ""
    clean = clean[0].upper() + clean[1:]
    if len(clean) <= limit:
        return clean
    for match in _CLAUSE.finditer(clean):
        if 12 <= match.start() <= limit:
            return clean[:match.start()].rstrip(" .!?,;:-")
        if match.start() > limit:
            break
    cut = clean.rfind(" ", 0, limit)
    return clean[:cut if cut > 12 else limit].rstrip(" .!?,;:-") + "…"
