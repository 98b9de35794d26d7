"""The network around the child: which organisations committed to which agreements."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from meetup.reports.rows import AgreementRow


def organisation_key(text: str) -> str:
    """Names that differ only in spaces or capitals are one organisation."""
    return " ".join((text or "").split()).casefold()


_norm = organisation_key


@dataclass(frozen=True)
class NetworkRow:
    """An organisation and the agreements it pulls or joins, counted per theme section."""

    organisation: str
    per_theme: tuple[int, ...]
    owner_of: tuple[int, ...]
    partner_in: tuple[int, ...]

    @property
    def total(self) -> int:
        return len(set(self.owner_of) | set(self.partner_in))


def organisation_network(theme_keys: tuple[str | None, ...],
                         agreements: tuple[AgreementRow, ...]) -> tuple[NetworkRow, ...]:
    """Every organisation named as owner or partner, most agreements first; ``per_theme``
    counts follow ``theme_keys`` (the report's theme sections)."""
    theme_index = {key: i for i, key in enumerate(theme_keys)}
    sections = theme_keys
    names: dict[str, str] = {}
    owner_of: dict[str, list[int]] = defaultdict(list)
    partner_in: dict[str, list[int]] = defaultdict(list)
    per_theme: dict[str, list[set[int]]] = {}
    for a in agreements:
        involved = [(a.owner_organisation, owner_of)] + [(p, partner_in) for p in a.partners]
        for organisation, bucket in involved:
            key = _norm(organisation)
            if not key:
                continue
            names.setdefault(key, " ".join(organisation.split()))
            if a.number not in bucket[key]:
                bucket[key].append(a.number)
            per_theme.setdefault(key, [set() for _ in sections])
            per_theme[key][theme_index[a.theme_key]].add(a.number)
    rows = [NetworkRow(organisation=names[key],
                       per_theme=tuple(len(s) for s in per_theme[key]),
                       owner_of=tuple(owner_of.get(key, ())),
                       partner_in=tuple(partner_in.get(key, ())))
            for key in names]
    rows.sort(key=lambda r: (-r.total, r.organisation.casefold()))
    return tuple(rows)
