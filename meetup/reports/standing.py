"""The "stand van zaken": how far the agreements got since the evening.

A pure function of the agreements: counts per follow-up status (gerealiseerd, bezig, gepland,
gestopt), how many owners have not reported yet, and the date of the latest report. The web
report, the report PDF and the follow-up PDF show the same figures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from meetup.reports.rows import AgreementRow

#: The statuses as the municipality reads them: what got done first.
ORDER = ("done", "in_progress", "planned", "stopped")


@dataclass(frozen=True)
class Standing:
    """The follow-up in figures."""

    #: ``(status, count)`` in :data:`ORDER`.
    counts: tuple[tuple[str, int], ...]
    #: Agreements whose owner has not reported anything yet.
    no_word: int
    total: int
    #: When the latest report came in (None: nothing reported yet).
    last_update: datetime | None

    def count(self, status: str) -> int:
        return dict(self.counts).get(status, 0)


def standing(agreements: Iterable[AgreementRow]) -> Standing:
    return standing_of((a.status, a.last_update.created_at if a.last_update else None)
                       for a in agreements)


def standing_of(entries: Iterable[tuple[str, datetime | None]]) -> Standing:
    """The same figures from ``(status, latest report or None)`` pairs: for rows gathered
    without their history (the overview across a series)."""
    entries = tuple(entries)
    by_status = Counter(status for status, _ in entries)
    latest = [moment for _, moment in entries if moment is not None]
    return Standing(counts=tuple((key, by_status.get(key, 0)) for key in ORDER),
                    no_word=len(entries) - len(latest),
                    total=len(entries), last_update=max(latest, default=None))
