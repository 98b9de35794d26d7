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
    agreements = tuple(agreements)
    by_status = Counter(a.status for a in agreements)
    latest = [a.last_update.created_at for a in agreements if a.last_update]
    return Standing(counts=tuple((key, by_status.get(key, 0)) for key in ORDER),
                    no_word=sum(1 for a in agreements if not a.updates),
                    total=len(agreements), last_update=max(latest, default=None))
