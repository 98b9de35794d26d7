"""Mixed tables: balanced sizes, spread roles, colleagues apart (properties and examples)."""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetup.services.seating import Person, best_table, organisation_key, plan_tables, table_count

ORG_SPELLINGS = (str, str.upper, str.lower, lambda s: f"  {s} ", lambda s: s.replace(" ", "  "))


def assert_fair(people: list[Person], target: int, tables: list[list[int]]) -> None:
    """The guarantee of docs/seating.md, checked from the outside."""
    n = len(people)
    k = max(1, int(n / target + 0.5))
    assert len(tables) == k == table_count(n, target)
    by_id = {p.id: p for p in people}
    seated = [pid for table in tables for pid in table]
    assert sorted(seated) == sorted(by_id), "everyone seated exactly once"
    sizes = [len(t) for t in tables]
    assert max(sizes) - min(sizes) <= 1, sizes
    for label, key in (("organisation", lambda p: organisation_key(p.organisation)),
                       ("role", lambda p: p.role)):
        totals = Counter(key(p) for p in people)
        for value, d in totals.items():
            if label == "organisation" and not value:
                continue
            per_table = [sum(1 for pid in t if key(by_id[pid]) == value) for t in tables]
            assert min(per_table) >= d // k and max(per_table) <= -(-d // k), (
                label, value, per_table)
            if label == "organisation" and d <= k:
                assert max(per_table) <= 1, "colleagues share a table although avoidable"


@st.composite
def crowds(draw: st.DrawFn) -> tuple[list[Person], int]:
    """A theme's crowd: 1..300 people, a few to many roles and organisations, often skewed."""
    n = draw(st.integers(1, 300))
    target = draw(st.integers(2, 10))
    roles = draw(st.integers(1, 14))
    orgs = draw(st.integers(1, 80))
    skew = draw(st.sampled_from([0.0, 1.0, 2.5]))
    rnd = draw(st.randoms(use_true_random=False))
    role_weights = [1 / (i + 1) ** skew for i in range(roles)]
    org_weights = [1 / (i + 1) ** skew for i in range(orgs)]
    people = []
    for pid in range(n):
        role = rnd.choices(range(roles), role_weights)[0]
        org = rnd.choices(range(orgs), org_weights)[0]
        spelling = rnd.choice(ORG_SPELLINGS)
        people.append(Person(1000 + pid, f"role{role}", spelling(f"School {org}")))
    return people, target


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crowds())
def test_plans_are_fair_for_any_crowd(crowd: tuple[list[Person], int]) -> None:
    people, target = crowd
    assert_fair(people, target, plan_tables(people, target))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 8), st.booleans()), min_size=1,
             max_size=40),
    st.integers(2, 10),
    st.none() | st.integers(0, 2**32),
)
def test_small_plans_are_fair_with_or_without_a_seed(rows, target, seed) -> None:
    # Small, shrinkable crowds; an empty organisation ties nobody to anybody.
    people = [Person(i, f"r{role}", "" if blank else f"Org {org}")
              for i, (role, org, blank) in enumerate(rows)]
    assert_fair(people, target, plan_tables(people, target, seed=seed))


def test_the_number_of_tables_rounds_half_up() -> None:
    assert table_count(1, 6) == 1
    assert table_count(8, 6) == 1
    assert table_count(9, 6) == 2   # 1.5 rounds up: two tables of 4 and 5, not one of 9
    assert table_count(14, 6) == 2
    assert table_count(15, 6) == 3
    assert table_count(0, 6) == 0
    assert plan_tables([], 6) == []


def test_six_teachers_of_one_school_spread_over_three_tables() -> None:
    people = [Person(i, "leerkracht_po", "De Regenboog") for i in range(6)]
    people += [Person(10 + i, "jeugdwerker", f"Buurtwerk {i}") for i in range(6)]
    people += [Person(20 + i, "jgz", "GGD") for i in range(6)]
    tables = plan_tables(people, 6)
    assert len(tables) == 3
    for table in tables:
        assert sorted(pid // 10 for pid in table) == [0, 0, 1, 1, 2, 2]


def test_colleagues_are_recognised_whatever_their_spelling() -> None:
    people = [Person(1, "a", "De Zon"), Person(2, "b", " de  zon "), Person(3, "a", "DE ZON"),
              Person(4, "b", "Ander"), Person(5, "a", "Derde"), Person(6, "b", "Vierde")]
    tables = plan_tables(people, 2)
    assert len(tables) == 3
    for table in tables:
        assert sum(1 for pid in table if pid in (1, 2, 3)) == 1


def test_the_same_input_gives_the_same_plan_and_a_seed_another_fair_one() -> None:
    rng = random.Random(7)
    people = [Person(i, f"r{rng.randrange(5)}", f"O{rng.randrange(12)}") for i in range(60)]
    assert plan_tables(people, 6) == plan_tables(list(people), 6)
    assert plan_tables(people, 6, seed=3) == plan_tables(people, 6, seed=3)
    seeded = plan_tables(people, 6, seed=3)
    assert_fair(people, 6, seeded)
    assert seeded != plan_tables(people, 6)


def test_tables_list_people_in_input_order() -> None:
    people = [Person(i, f"r{i % 3}", f"O{i}") for i in (9, 4, 7, 1, 8, 2)]
    positions = {p.id: n for n, p in enumerate(people)}
    for table in plan_tables(people, 3, seed=11):
        assert table == sorted(table, key=positions.__getitem__)


def test_a_late_arrival_goes_to_the_smallest_table() -> None:
    tables = [[Person(1, "a", "X"), Person(2, "b", "Y")], [Person(3, "c", "Z")]]
    assert best_table(Person(9, "a", "X"), tables, 6) == 1


def test_among_equal_tables_a_late_arrival_avoids_colleagues_then_the_same_role() -> None:
    tables = [
        [Person(1, "a", "Kinderopvang Zon"), Person(2, "b", "Y")],
        [Person(3, "c", "Q"), Person(4, "a", "W")],
        [Person(5, "b", "R"), Person(6, "d", "S")],
    ]
    late = Person(9, "a", "kinderopvang  ZON")
    assert best_table(late, tables, 6) == 2
    assert best_table(late, tables[:2], 6) == 1
    assert best_table(Person(10, "z", "Nieuw"), tables, 6) == 0  # full tie: lowest index


def test_there_is_no_best_table_without_tables() -> None:
    assert best_table(Person(1, "a", "X"), [], 6) is None


def test_late_arrivals_one_by_one_keep_sizes_within_one() -> None:
    rng = random.Random(3)
    tables: list[list[Person]] = [[], [], []]
    for pid in range(40):
        person = Person(pid, f"r{rng.randrange(4)}", f"O{rng.randrange(6)}")
        tables[best_table(person, tables, 6)].append(person)
        sizes = [len(t) for t in tables]
        assert max(sizes) - min(sizes) <= 1
