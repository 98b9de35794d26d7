"""Mixed tables: who sits with whom. Pure functions, no database (see docs/seating.md).

The people of one theme are the edges of a bipartite multigraph: one side holds the
organisations, the other the roles, and a person joins their organisation to their role.
Giving each person one of ``k`` tables is colouring the edges with ``k`` colours, and the
rules ask for an *equitable, balanced* edge colouring (de Werra, 1971): at every organisation
and every role each table gets ``floor(d/k)`` or ``ceil(d/k)`` of its ``d`` people, and the
tables' sizes differ by at most one. Such a colouring always exists; :func:`plan_tables`
builds one by repeatedly rebalancing two tables along alternating trails.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    """What seating needs to know of a participant."""

    id: int
    role: str
    organisation: str


def organisation_key(organisation: str) -> str:
    """Organisations compare case- and whitespace-insensitively: "De Zon " == "de  zon"."""
    return " ".join(organisation.split()).casefold()


def table_count(n: int, target_size: int) -> int:
    """``max(1, round(n / target_size))`` with halves rounded up (towards smaller tables)."""
    if target_size < 1:
        raise ValueError("target_size must be at least 1")
    if n <= 0:
        return 0
    return max(1, (2 * n + target_size) // (2 * target_size))


def _vertices(person: Person, index: int) -> tuple[Hashable, Hashable]:
    org = organisation_key(person.organisation)
    # An empty organisation says nothing about who belongs together: nobody shares it.
    org_vertex: Hashable = ("org", org) if org else ("nobody", index)
    return org_vertex, ("role", person.role)


class _Colouring:
    """Tables (colours) of the people (edges) with the per-vertex counts kept up to date."""

    def __init__(self, ends: list[tuple[Hashable, Hashable]], colour: list[int], k: int):
        self.ends = ends
        self.colour = colour
        self.k = k
        self.sizes = [0] * k
        self.counts: dict[Hashable, list[int]] = {}
        for edge, (u, v) in enumerate(ends):
            self.sizes[colour[edge]] += 1
            for vertex in (u, v):
                self.counts.setdefault(vertex, [0] * k)[colour[edge]] += 1

    def _set(self, edge: int, new: int) -> None:
        old = self.colour[edge]
        if old == new:
            return
        self.colour[edge] = new
        self.sizes[old] -= 1
        self.sizes[new] += 1
        for vertex in self.ends[edge]:
            self.counts[vertex][old] -= 1
            self.counts[vertex][new] += 1

    def rebalance(self, a: int, b: int) -> None:
        """Recolour the people at tables ``a`` and ``b`` so that both are balanced everywhere.

        Afterwards every vertex has ``|count_a - count_b| <= 1``, and so have the two sizes.
        The people of ``a`` and ``b`` are split into trails; each vertex of odd degree ends
        exactly one trail and every other visit of a trail passes through (one edge in, one
        out). Colouring each trail alternately therefore leaves at most one unpaired edge per
        vertex; closed trails have even length because the graph is bipartite.
        """
        edges = [e for e, c in enumerate(self.colour) if c in (a, b)]
        adjacency: dict[Hashable, list[int]] = {}
        for edge in edges:
            for vertex in self.ends[edge]:
                adjacency.setdefault(vertex, []).append(edge)
        used: set[int] = set()
        pointer = dict.fromkeys(adjacency, 0)
        remaining = {vertex: len(incident) for vertex, incident in adjacency.items()}

        def next_edge(vertex: Hashable) -> int | None:
            incident = adjacency[vertex]
            while pointer[vertex] < len(incident) and incident[pointer[vertex]] in used:
                pointer[vertex] += 1
            return incident[pointer[vertex]] if pointer[vertex] < len(incident) else None

        trails: list[list[int]] = []
        order = list(adjacency)
        for wanted_odd in (True, False):
            for start in order:
                while remaining[start] and (remaining[start] % 2 == 1) == wanted_odd:
                    trail: list[int] = []
                    vertex = start
                    while (edge := next_edge(vertex)) is not None:
                        used.add(edge)
                        trail.append(edge)
                        u, v = self.ends[edge]
                        remaining[u] -= 1
                        remaining[v] -= 1
                        vertex = v if vertex == u else u
                    trails.append(trail)
        # Odd trails each leave one surplus; alternate which table gets it.
        surplus_to_a = self.sizes[a] <= self.sizes[b]
        for trail in trails:
            first, second = (a, b) if surplus_to_a or len(trail) % 2 == 0 else (b, a)
            for position, edge in enumerate(trail):
                self._set(edge, first if position % 2 == 0 else second)
            if len(trail) % 2 == 1:
                surplus_to_a = not surplus_to_a

    def violation(self) -> tuple[int, int] | None:
        """Two tables whose counts differ by two or more somewhere, or None when all is fair."""
        if max(self.sizes) - min(self.sizes) >= 2:
            return self.sizes.index(max(self.sizes)), self.sizes.index(min(self.sizes))
        for per_table in self.counts.values():
            high, low = max(per_table), min(per_table)
            if high - low >= 2:
                return per_table.index(high), per_table.index(low)
        return None


def plan_tables(
    people: Sequence[Person], target_size: int, seed: int | None = None
) -> list[list[int]]:
    """Split the people of one theme over ``table_count(n, target_size)`` tables.

    Guarantees (proved in docs/seating.md), with ``k`` tables: the table sizes differ by at
    most one; for every organisation (compared with :func:`organisation_key`) and for every
    role with ``d`` people, each table has ``floor(d/k)`` or ``ceil(d/k)`` of them, so two
    people of one organisation share a table only when it has more than ``k`` people.
    Deterministic: the same people in the same order (and the same ``seed``) give the same
    tables. With a ``seed`` the people are shuffled first, for a different but equally fair plan.
    Returns the person ids per table, each table in input order.
    """
    original = list(people)
    k = table_count(len(original), target_size)
    if k == 0:
        return []
    shuffled = list(range(len(original)))
    if seed is not None:
        random.Random(seed).shuffle(shuffled)
    people = [original[i] for i in shuffled]
    ends = [_vertices(p, i) for i, p in enumerate(people)]
    # Start by dealing people round-robin, grouped by organisation (biggest first) and role:
    # sizes and organisations are then fair already; the loop below fixes the roles.
    first_seen: dict[Hashable, int] = {}
    group_size: dict[Hashable, int] = {}
    for org, _role in ends:
        first_seen.setdefault(org, len(first_seen))
        group_size[org] = group_size.get(org, 0) + 1
    order = sorted(
        range(len(people)),
        key=lambda i: (-group_size[ends[i][0]], first_seen[ends[i][0]], ends[i][1], i),
    )
    colour = [0] * len(people)
    for position, index in enumerate(order):
        colour[index] = position % k
    colouring = _Colouring(ends, colour, k)
    # Each rebalance strictly lowers sum(count^2) over vertices and sizes: this terminates.
    while (pair := colouring.violation()) is not None:
        colouring.rebalance(*pair)
    table_of = [0] * len(original)
    for index, original_index in enumerate(shuffled):
        table_of[original_index] = colouring.colour[index]
    tables: list[list[int]] = [[] for _ in range(k)]
    for original_index, person in enumerate(original):
        tables[table_of[original_index]].append(person.id)
    return tables


def best_table(
    person: Person, tables: Sequence[Sequence[Person]], target_size: int
) -> int | None:
    """The index of the table a late arrival joins, or None when there are no tables.

    Smallest table first (so sizes stay within one of each other as long as people arrive one
    by one), then the fewest people of the same organisation, then the fewest of the same role,
    then the lowest index. ``target_size`` is accepted for symmetry with :func:`plan_tables`;
    a full table is still chosen when all are full (the organiser can move people).
    """
    if not tables:
        return None
    org = organisation_key(person.organisation)

    def fit(index: int) -> tuple[int, int, int, int]:
        table = tables[index]
        same_org = sum(1 for p in table if org and organisation_key(p.organisation) == org)
        same_role = sum(1 for p in table if p.role == person.role)
        return len(table), same_org, same_role, index

    return min(range(len(tables)), key=fit)
