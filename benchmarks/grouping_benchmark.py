"""Grouping quality on the held-out set, the old method beside the new, and 3,000 notes.

Quality: every figure comes from ``tests/data/grouping_nl_test.tsv`` (220 notes in 21 groups,
written apart from the tuning set and never tuned on). Each theme is grouped on its own, as the
organiser's page does. Per theme and for all notes: adjusted Rand index, pair precision and
recall, the share of notes placed in a group of two or more, and the organiser's effort (the
fewest single-note moves to the labelled grouping per 100 notes) beside starting from nothing
(see ``benchmarks/grouping_quality.py``). "old" is the TF-IDF method at its default (the only
method before), "new" the shipped method (:mod:`meetup.services.grouping`); then the new
method's parts alone: sentence vectors alone, TF-IDF with the new precision-first pruning.

Speed: 3,000 notes of one theme (the labelled notes varied with typos, dropped words and word
swaps), vectors stored as on the server (each varied note carries its base note's vector, so
the benchmark does not spend a minute embedding), best of three. The vector job runs after a
note's write is acknowledged, in the background (``meetup.services.note_vectors``); its cost
per note is printed too.

``--tuning`` prints the same figures on the tuning set (for choosing weights; never report
those). Prints figures, asserts nothing. Usage: .venv/bin/python benchmarks/grouping_benchmark.py
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.grouping_quality import TEST, TUNING, Scores, labelled, pooled, score  # noqa: E402
from meetup.services import content, embeddings  # noqa: E402
from meetup.services import grouping  # noqa: E402
from meetup.services.grouping import NoteIn, suggest_groups  # noqa: E402

OLD = ("tfidf", grouping.TFIDF_SIMILARITY)
NEW = (None, grouping.DEFAULT_SIMILARITY)


def _vectors(texts: list[str]) -> list[bytes | None]:
    model = embeddings.backend()
    if model is None:
        return [None] * len(texts)
    return [embeddings.to_bytes(v) for v in model.embed(texts)]


_CACHE: dict[tuple[Path, str], list[bytes | None]] = {}


def theme_notes(path: Path, theme: str) -> tuple[list[str], list[NoteIn]]:
    rows = labelled(path)[theme]
    key = (path, theme)
    if key not in _CACHE:
        _CACHE[key] = _vectors([t for _g, t in rows])
    return [g for g, _t in rows], [NoteIn(id=i, text=t, vector=v) for i, ((_g, t), v)
                                   in enumerate(zip(rows, _CACHE[key]))]


def directions(theme: str) -> list[dict[str, str]]:
    """The briefing's directions of the default theme the labelled notes were written for."""
    by_key = {t["key"]: t["directions"] for t in content.default_themes()}
    return by_key["zorg" if theme.startswith("zorg") else theme]


def evaluate(method: str | None = None, similarity: float = grouping.DEFAULT_SIMILARITY,
             path: Path = TEST, anchors: bool = True) -> dict[str, Scores]:
    """Scores per theme and ``"all"`` for one method on a labelled set."""
    per = {}
    for theme in labelled(path):
        truth, notes = theme_notes(path, theme)
        found: list[int | None] = [None] * len(notes)
        for label, group in enumerate(suggest_groups(
                notes, similarity, method=method,
                directions=directions(theme) if anchors else None)):
            for note in group.notes:
                found[note.id] = label
        per[theme] = score(truth, found)
    per["all"] = pooled(per)
    return per


def _variant(weight: float | None = None, margin: float | None = None, **kw: object) -> dict:
    saved = grouping.MEANING_WEIGHT, grouping.MARGIN
    try:
        if weight is not None:
            grouping.MEANING_WEIGHT = weight
        if margin is not None:
            grouping.MARGIN = margin
        return evaluate(**kw)  # type: ignore[arg-type]
    finally:
        grouping.MEANING_WEIGHT, grouping.MARGIN = saved


def vary(text: str, rng: random.Random) -> str:
    """A phone's version of a note: a typo, a dropped word or two words swapped."""
    words = text.split()
    roll = rng.random()
    if roll < 0.3 and len(words) > 2:
        words.pop(rng.randrange(len(words)))
    elif roll < 0.6 and len(words) > 1:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    text = " ".join(words)
    if rng.random() < 0.5 and len(text) > 4:
        i = rng.randrange(len(text) - 1)
        text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text


def many_notes(count: int) -> list[NoteIn]:
    rng = random.Random(7)
    base = [t for path in (TUNING, TEST) for rows in labelled(path).values() for _g, t in rows]
    vectors = _vectors(base)
    out = []
    for i in range(count):
        k = rng.randrange(len(base))
        out.append(NoteIn(id=i, text=vary(base[k], rng), table_number=i % 60 + 1,
                          dots=rng.randrange(4), vector=vectors[k]))
    return out


def _row(name: str, s: Scores) -> str:
    return (f"  {name:<18} ARI {s.ari:5.2f}  precision {s.precision:4.2f}  recall {s.recall:4.2f}"
            f"  placed {s.placed:4.2f}  effort {s.effort:4.0f} vs {s.effort_scratch:3.0f} from "
            f"nothing  groups {s.groups_found} (labelled {s.groups_true})")


def _best_of(runs: int, function, *args):  # noqa: ANN001, ANN202
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        result = function(*args)
        timings.append(time.perf_counter() - start)
    return min(timings), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tuning", action="store_true", help="figures on the tuning set")
    parser.add_argument("--notes", type=int, default=3000)
    args = parser.parse_args()
    path = TUNING if args.tuning else TEST
    model = embeddings.backend()
    print(f"grouping quality on {'the TUNING set (do not report)' if args.tuning else 'the held-out test set'}"
          f" {path.name}; sentence model: {model.key if model else 'none (TF-IDF fallback)'}")
    old = evaluate(*OLD, path=path)
    new = evaluate(*NEW, path=path)
    for theme in new:
        print(theme)
        print(_row(f"old (TF-IDF {OLD[1]})", old[theme]))
        print(_row(f"new ({NEW[1]})", new[theme]))
    parts = {}
    if model is not None:
        parts["no directions"] = _variant(path=path, anchors=False)["all"]
        parts["vectors alone"] = _variant(weight=1.0, path=path)["all"]
        parts["vectors, no dirs"] = _variant(weight=1.0, path=path, anchors=False)["all"]
        parts["tfidf + pruning"] = _variant(weight=0.0, path=path)["all"]
        print("the new method's parts, all notes")
        for name, s in parts.items():
            print(_row(name, s))
    print("the organiser's slider (new method), all notes")
    for similarity in (0.01, 0.03, 0.06, 0.1, 0.2):
        print(_row(f"similarity {similarity}", evaluate(None, similarity, path)["all"]))

    notes = many_notes(args.notes)
    new_s, groups = _best_of(3, lambda ns: suggest_groups(
        ns, grouping.DEFAULT_SIMILARITY, directions=directions("taal")), notes)
    old_s, _ = _best_of(3, lambda ns: suggest_groups(ns, OLD[1], method="tfidf"), notes)
    embed_ms = None
    if model is not None:
        sample = [n.text for n in notes[:100]]
        embed_s, _ = _best_of(1, model.embed, sample)
        embed_ms = round(1000 * embed_s / len(sample), 1)
    print(json.dumps({
        "set": path.name,
        "notes": new["all"].notes, "labelled_groups": new["all"].groups_true,
        "old": {k: _summary(v) for k, v in old.items()},
        "new": {k: _summary(v) for k, v in new.items()},
        "parts": {k: _summary(v) for k, v in parts.items()},
        f"notes_{args.notes}_s": round(new_s, 3),
        f"notes_{args.notes}_old_method_s": round(old_s, 3),
        f"groups_{args.notes}": len(groups),
        "vector_per_note_ms_background": embed_ms,
        "vector_job": "after the note's write is committed and acknowledged, by the "
                      "server's worker in a child process at nice 19; suggesting reads stored "
                      "vectors",
        "machine": f"{platform.machine()} {platform.system()}, Python {platform.python_version()}",
    }))


def _summary(s: Scores) -> dict[str, float]:
    return {"ari": round(s.ari, 3), "precision": round(s.precision, 3),
            "recall": round(s.recall, 3), "placed": round(s.placed, 3),
            "effort": round(s.effort, 1), "effort_scratch": round(s.effort_scratch, 1)}


if __name__ == "__main__":
    main()
