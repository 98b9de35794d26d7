"""How good a grouping is, as the organiser experiences it: the figures of docs/grouping.md.

A suggestion is a list of groups; notes in no group, or alone in one, count as not placed
(they wait under "Nog in te delen"). Against the labelled grouping of the same notes:

- ``ari``: the adjusted Rand index (1 = the people's grouping, 0 = chance), with every
  unplaced note on its own;
- ``precision`` / ``recall``: of the pairs of notes the suggestion puts together, the share
  that belong together; of the pairs that belong together, the share put together;
- ``placed``: the share of notes in a suggested group of two or more;
- ``effort``: the fewest single-note moves that turn the suggestion into the labelled grouping
  (a note moved to another group, or out of "Nog in te delen" into one), per 100 notes, and
  ``effort_scratch`` the same from nothing (every note still to place): n minus the number of
  labelled groups, since each group's first note starts it.

Plain functions on lists of labels, no database: the benchmark and tests/test_grouping.py use them.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Tuning set: thresholds and weights were chosen on these notes only.
TUNING = ROOT / "tests" / "data" / "grouping_nl.tsv"
#: Test set: written apart, never tuned on; every figure we report comes from it.
TEST = ROOT / "tests" / "data" / "grouping_nl_test.tsv"


def labelled(path: Path = TEST) -> dict[str, list[tuple[str, str]]]:
    """theme -> [(group, text)] from a labelled set."""
    themes: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            themes[row["theme"]].append((row["group"], row["text"]))
    return dict(themes)


@dataclass(frozen=True)
class Scores:
    notes: int
    groups_true: int
    groups_found: int
    ari: float
    precision: float
    recall: float
    placed: float
    effort: float
    effort_scratch: float
    #: raw counts, so that themes can be pooled
    pairs_found: int = 0
    pairs_right: int = 0
    pairs_true: int = 0
    moves: int = 0
    moves_scratch: int = 0
    placed_notes: int = 0


def _pairs(sizes: list[int]) -> int:
    return sum(s * (s - 1) // 2 for s in sizes)


def score(truth: list[str], found: list[int | None]) -> Scores:
    """``truth[i]`` the labelled group of note i, ``found[i]`` its suggested group (``None``:
    not placed). A suggested group of one note counts as not placed."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics import adjusted_rand_score

    n = len(truth)
    sizes = Counter(f for f in found if f is not None)
    own = [f if f is not None and sizes[f] > 1 else ("alone", i) for i, f in enumerate(found)]
    ids = {key: k for k, key in enumerate(dict.fromkeys(own))}
    found_ids = [ids[key] for key in own]
    true_ids = {g: k for k, g in enumerate(dict.fromkeys(truth))}
    truth_ids = [true_ids[g] for g in truth]
    together = Counter(zip(truth_ids, found_ids))
    pairs_found = _pairs(list(Counter(found_ids).values()))
    pairs_true = _pairs(list(Counter(truth_ids).values()))
    pairs_right = _pairs(list(together.values()))
    table = np.zeros((len(true_ids), len(ids)), dtype=np.int64)
    for (t, f), count in together.items():
        table[t, f] = count
    rows, cols = linear_sum_assignment(table, maximize=True)
    moves = n - int(table[rows, cols].sum())
    moves_scratch = n - len(true_ids)
    placed_notes = sum(1 for key in own if not (isinstance(key, tuple) and key[0] == "alone"))
    return Scores(
        notes=n, groups_true=len(true_ids),
        groups_found=sum(1 for s in sizes.values() if s > 1),
        ari=float(adjusted_rand_score(truth_ids, found_ids)),
        precision=pairs_right / pairs_found if pairs_found else 1.0,
        recall=pairs_right / pairs_true if pairs_true else 1.0,
        placed=placed_notes / n if n else 0.0,
        effort=100 * moves / n if n else 0.0,
        effort_scratch=100 * moves_scratch / n if n else 0.0,
        pairs_found=pairs_found, pairs_right=pairs_right, pairs_true=pairs_true,
        moves=moves, moves_scratch=moves_scratch, placed_notes=placed_notes,
    )


def pooled(per_theme: dict[str, Scores]) -> Scores:
    """All themes together: pairs, moves and placed notes summed; ARI the themes' mean (each
    theme is grouped on its own, so pairs across themes never count)."""
    s = list(per_theme.values())
    n = sum(x.notes for x in s)
    pf, pr, pt = (sum(x.pairs_found for x in s), sum(x.pairs_right for x in s),
                  sum(x.pairs_true for x in s))
    moves, scratch = sum(x.moves for x in s), sum(x.moves_scratch for x in s)
    return Scores(
        notes=n, groups_true=sum(x.groups_true for x in s),
        groups_found=sum(x.groups_found for x in s),
        ari=sum(x.ari for x in s) / len(s),
        precision=pr / pf if pf else 1.0, recall=pr / pt if pt else 1.0,
        placed=sum(x.placed_notes for x in s) / n,
        effort=100 * moves / n, effort_scratch=100 * scratch / n,
        pairs_found=pf, pairs_right=pr, pairs_true=pt, moves=moves, moves_scratch=scratch,
        placed_notes=sum(x.placed_notes for x in s),
    )
