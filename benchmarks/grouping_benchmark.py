"""Grouping quality and speed: the adjusted Rand index on the labelled set, and 3,000 notes.

Quality: ``tests/data/grouping_nl.tsv`` holds notes written for the three themes of the
briefing, each with the group a person would put it in. Every theme is grouped on its own (as
the organiser's page does) at several similarity thresholds; the adjusted Rand index (ARI,
1 = the people's grouping, 0 = chance) is printed per theme and on average.

Speed: 3,000 notes for one theme (the labelled notes varied with typos, dropped words and
word swaps, as phones produce them), grouped at the default threshold, best of three runs.

Prints the figures, asserts nothing. Usage: .venv/bin/python benchmarks/grouping_benchmark.py
"""

from __future__ import annotations

import csv
import json
import platform
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from meetup.services.grouping import DEFAULT_SIMILARITY, NoteIn, suggest_groups  # noqa: E402

DATA = ROOT / "tests" / "data" / "grouping_nl.tsv"


def labelled() -> dict[str, list[tuple[str, str]]]:
    """theme -> [(group, text)] from the labelled set."""
    themes: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with DATA.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            themes[row["theme"]].append((row["group"], row["text"]))
    return themes


def ari_per_theme(similarity: float) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score

    scores = {}
    for theme, rows in labelled().items():
        notes = [NoteIn(id=i, text=text) for i, (_g, text) in enumerate(rows)]
        found = {}
        for label, group in enumerate(suggest_groups(notes, similarity)):
            for note in group.notes:
                found[note.id] = label
        scores[theme] = adjusted_rand_score([g for g, _t in rows],
                                            [found[i] for i in range(len(rows))])
    return scores


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
    rows = [text for rows in labelled().values() for _g, text in rows]
    return [NoteIn(id=i, text=vary(rng.choice(rows), rng), table_number=i % 60 + 1,
                   dots=rng.randrange(4)) for i in range(count)]


def main() -> None:
    thresholds = [0.02, 0.04, 0.06, 0.1, 0.15, 0.2, 0.3]
    for similarity in thresholds:
        scores = ari_per_theme(similarity)
        mean = sum(scores.values()) / len(scores)
        print(f"similarity {similarity:.2f}: ARI mean {mean:.3f}  "
              + "  ".join(f"{k} {v:.3f}" for k, v in scores.items()))
    default = ari_per_theme(DEFAULT_SIMILARITY)
    notes = many_notes(3000)
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        groups = suggest_groups(notes)
        timings.append(time.perf_counter() - start)
    print(json.dumps({
        "labelled_notes": sum(len(r) for r in labelled().values()),
        "labelled_groups": len({(t, g) for t, rows in labelled().items() for g, _ in rows}),
        "default_similarity": DEFAULT_SIMILARITY,
        "ari": {k: round(v, 3) for k, v in default.items()},
        "ari_mean": round(sum(default.values()) / len(default), 3),
        "notes_3000_s": round(min(timings), 3),
        "groups_3000": len(groups),
        "machine": f"{platform.machine()} {platform.system()}, Python {platform.python_version()}",
    }))


if __name__ == "__main__":
    main()
