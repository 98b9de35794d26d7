"""Forming tables, late arrivals and moving people, against the database."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import AuditEntry, Meetup, Organiser, Participant, Phase, Table
from meetup.services import joining, meetups, organisers, tables
from meetup.services.errors import Conflict, Forbidden, NotFound
from meetup.services.joining import JoinRequest



@pytest.fixture(autouse=True)
def _dutch_request(app):
    """Messages are lazy Dutch strings; reading them needs a request (as on the socket)."""
    with app.test_request_context():
        yield


ROLES = ["leerkracht_po", "docent_vo", "jeugdwerk", "ggd_jgz", "gemeente", "kinderopvang_vve"]


def join(meetup: Meetup, name: str, theme: str | None, role: str = "leerkracht_po",
         organisation: str | None = None) -> Participant:
    participant, _token = joining.join(
        db.session, meetup, JoinRequest(name, role, organisation or f"Org of {name}"))
    if theme:
        joining.choose_theme(db.session, participant, theme)
    return participant


def crowd(meetup: Meetup, per_theme: dict[str, int]) -> list[Participant]:
    people = []
    for theme, n in per_theme.items():
        for i in range(n):
            people.append(join(meetup, f"{theme.title()} {i}", theme, ROLES[i % len(ROLES)],
                               f"School {i % 4}"))
    db.session.commit()
    return people


def test_forming_seats_everyone_with_a_theme_at_numbered_mixed_tables(
        meetup: Meetup, organiser: Organiser) -> None:
    people = crowd(meetup, {"taal": 13, "overgangen": 6, "zorg": 0})
    loner = join(meetup, "Zonder Thema", None)
    formed = tables.form_tables(db.session, meetup, organiser)
    db.session.commit()
    assert [t.number for t in formed] == [1, 2, 3]
    assert [t.theme.key for t in formed] == ["taal", "taal", "overgangen"]
    assert sorted(len(t.participants) for t in formed[:2]) == [6, 7]
    for person in people:
        assert person.table is not None and person.table.theme_id == person.theme_id
    assert loner.table is None
    for table in formed[:2]:  # 4 schools over 2 tables: at most 2 + 2 of one school
        assert max(Counter(p.organisation for p in table.participants).values()) <= 2


def test_forming_raises_the_revision_once_and_is_audited(meetup, organiser) -> None:
    crowd(meetup, {"taal": 4})
    before = meetup.revision
    tables.form_tables(db.session, meetup, organiser)
    assert meetup.revision == before + 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "tables.form"))
    assert entry.details["tables"] == 1 and entry.details["seated"] == 4


def test_forming_again_replans_from_scratch_until_tables_have_written(meetup, organiser) -> None:
    from meetup.services import board

    people = crowd(meetup, {"taal": 6})
    tables.form_tables(db.session, meetup, organiser)
    db.session.commit()
    late = join(meetup, "Laat", "zorg")
    again = tables.form_tables(db.session, meetup, organiser)
    db.session.commit()
    assert [t.number for t in again] == [1, 2]
    assert db.session.scalars(select(Table)).all() == again
    assert late.table is again[1]
    meetup.phase = Phase.ROUND_1
    board.create_note(db.session, people[0], uuid.uuid4(), "happens", "Voorlezen op school")
    db.session.commit()
    with pytest.raises(Conflict) as caught:
        tables.form_tables(db.session, meetup, organiser)
    assert "Verplaats mensen één voor één" in str(caught.value.message)


def test_only_the_meetups_own_organiser_forms_tables(meetup) -> None:
    other = organisers.create_organiser(db.session, "bob@example.org", "long enough pw")
    with pytest.raises(Forbidden):
        tables.form_tables(db.session, meetup, other)


def test_a_late_arrival_joins_the_smallest_table_of_their_theme(meetup, organiser) -> None:
    crowd(meetup, {"taal": 13})
    formed = tables.form_tables(db.session, meetup, organiser)
    smaller = min(formed, key=lambda t: len(t.participants))
    db.session.commit()
    before = meetup.revision
    late = join(meetup, "Laat", "taal", "jeugdwerk", "Buurtwerk")
    assert tables.place_late_arrival(db.session, late) is smaller
    assert late.table is smaller
    assert meetup.revision == before + 1


def test_a_late_arrival_avoids_a_colleague_among_equal_tables(meetup, organiser) -> None:
    a = join(meetup, "Ann", "taal", "leerkracht_po", "De Zon")
    join(meetup, "Bas", "taal", "jeugdwerk", "Buurtwerk")
    join(meetup, "Cas", "taal", "ggd_jgz", "GGD")
    join(meetup, "Dirk", "taal", "gemeente", "Gemeente")
    meetup.table_size = 2
    tables.form_tables(db.session, meetup, organiser)
    late = join(meetup, "Els", "taal", "docent_vo", " de zon")
    table = tables.place_late_arrival(db.session, late)
    assert table is not None and table is not a.table


def test_a_late_arrival_in_a_theme_without_tables_opens_a_new_table(meetup, organiser) -> None:
    crowd(meetup, {"taal": 6, "overgangen": 6})
    tables.form_tables(db.session, meetup, organiser)
    late = join(meetup, "Zorgzaam", "zorg")
    table = tables.place_late_arrival(db.session, late)
    assert (table.number, table.theme.key) == (3, "zorg")
    second = join(meetup, "Ook Zorg", "zorg")
    assert tables.place_late_arrival(db.session, second) is table


def test_nobody_is_placed_before_tables_exist_or_without_a_theme(meetup, organiser) -> None:
    early = join(meetup, "Vroeg", "taal")
    before = meetup.revision
    assert tables.place_late_arrival(db.session, early) is None
    assert early.table is None and meetup.revision == before
    crowd(meetup, {"taal": 3})
    tables.form_tables(db.session, meetup, organiser)
    undecided = join(meetup, "Twijfel", None)
    assert tables.place_late_arrival(db.session, undecided) is None


def test_choosing_a_theme_late_seats_and_bumps_once(meetup, organiser) -> None:
    crowd(meetup, {"taal": 6})
    tables.form_tables(db.session, meetup, organiser)
    late = join(meetup, "Laat", None)
    before = meetup.revision
    theme, table = tables.choose_theme_and_place(db.session, late, "taal")
    assert theme.key == "taal" and table is late.table and table.number == 1
    assert meetup.revision == before + 1
    again = tables.choose_theme_and_place(db.session, late, "taal")
    assert again == (theme, table) and meetup.revision == before + 1


def test_the_organiser_moves_a_person_who_takes_the_tables_theme(meetup, organiser) -> None:
    crowd(meetup, {"taal": 6, "zorg": 6})
    formed = tables.form_tables(db.session, meetup, organiser)
    mover = formed[0].participants[0]
    before = meetup.revision
    moved = tables.move_participant(db.session, meetup, mover.id, 2, organiser)
    db.session.commit()
    assert moved.table.number == 2 and moved.theme.key == "zorg"
    assert mover in tables.table_members(db.session, formed[1])
    assert mover not in tables.table_members(db.session, formed[0])
    assert meetup.revision == before + 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "participant.move"))
    assert entry.details == {"participant": mover.display_name, "from_table": 1, "to_table": 2,
                             "theme": "zorg"}
    assert entry.organiser_id == organiser.id


def test_moving_refuses_unknown_tables_and_people_of_other_meetups(meetup, organiser) -> None:
    crowd(meetup, {"taal": 3})
    tables.form_tables(db.session, meetup, organiser)
    other_meetup = meetups.create_meetup(db.session, organiser, title="Elders")
    stranger = join(other_meetup, "Vreemd", "taal")
    with pytest.raises(NotFound) as caught:
        tables.move_participant(db.session, meetup, stranger.id, 1, organiser)
    assert caught.value.field == "participant"
    person = meetup.participants[0]
    with pytest.raises(NotFound) as caught:
        tables.move_participant(db.session, meetup, person.id, 9, organiser)
    assert caught.value.field == "table"
    intruder = organisers.create_organiser(db.session, "eve@example.org", "long enough pw")
    with pytest.raises(Forbidden):
        tables.move_participant(db.session, meetup, person.id, 1, intruder)


# --- the guarantee of docs/seating.md, through the service that reads the database --------

def _spread_evenly(counts: list[int], total: int, k: int) -> bool:
    return sum(counts) == total and all(total // k <= c <= -(-total // k) for c in counts)


ORDERS = {
    # Six teachers joining alternately with six others: dealing people round-robin in join
    # order would put all six teachers at one table of two.
    "alternating": ["leerkracht_po", "jeugdwerk", "leerkracht_po", "ggd_jgz",
                    "leerkracht_po", "gemeente", "leerkracht_po", "kinderopvang_vve",
                    "leerkracht_po", "docent_vo", "leerkracht_po", "jeugdhulp_zorg"],
    # All teachers first: cutting the list into consecutive tables would do the same.
    "teachers_first": ["leerkracht_po"] * 6 + ["jeugdwerk", "ggd_jgz", "gemeente",
                                                "kinderopvang_vve", "docent_vo",
                                                "jeugdhulp_zorg"],
    "teachers_last": ["jeugdwerk", "ggd_jgz", "gemeente", "kinderopvang_vve", "docent_vo",
                      "jeugdhulp_zorg"] + ["leerkracht_po"] * 6,
}


@pytest.mark.parametrize("table_size", [2, 3, 6])
@pytest.mark.parametrize("order", sorted(ORDERS))
def test_tables_formed_from_the_database_mix_roles_whatever_the_order_people_joined(
        meetup: Meetup, organiser: Organiser, order: str, table_size: int) -> None:
    meetup.table_size = table_size
    roles = ORDERS[order]
    people = []
    seen: Counter[bool] = Counter()
    for i, role in enumerate(roles):
        # Six pairs from six organisations, each a teacher and a colleague of another role:
        # keeping colleagues apart alone would seat the teachers together.
        is_teacher = role == "leerkracht_po"
        organisation = f"Team {seen[is_teacher]}"
        seen[is_teacher] += 1
        people.append(join(meetup, f"Deelnemer {i}", None, role, organisation))
    for person in reversed(people):  # themes chosen in the opposite order from joining
        joining.choose_theme(db.session, person, "taal")
    db.session.commit()

    formed = tables.form_tables(db.session, meetup, organiser)
    db.session.commit()
    db.session.expire_all()

    k = max(1, round(len(people) / table_size))
    assert len(formed) == k
    seated = [tables.table_members(db.session, table) for table in formed]
    assert _spread_evenly([len(members) for members in seated], len(people), k)
    teachers = [sum(1 for p in members if p.role == "leerkracht_po") for members in seated]
    assert _spread_evenly(teachers, 6, k), (order, table_size, teachers)
    for team in range(6):
        colleagues = [sum(1 for p in members if p.organisation == f"Team {team}")
                      for members in seated]
        assert _spread_evenly(colleagues, 2, k), (order, table_size, team, colleagues)
