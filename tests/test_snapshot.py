"""Snapshots: what each screen receives, in the wire format, in a constant number of queries."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event

from meetup.extensions import db
from meetup.models import Meetup, Note, Participant, Phase
from meetup.services import (
    agreements,
    board,
    content,
    joining,
    meetups,
    phases,
    phone_snapshot,
    plenary,
    snapshot,
    tables,
)
from meetup.services.joining import JoinRequest
from meetup.services.table_view import TableViews

NOW = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
COMPLETE = {"what": "Voorleesouders", "owner_name": "Fatima El Amrani",
            "owner_organisation": "Bibliotheek", "first_step": "Rooster maken",
            "due_date": "2027-02-01"}


@pytest.fixture(autouse=True)
def _dutch_request(app):
    with app.test_request_context():
        yield


@contextmanager
def counting_queries():
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def populate(meetup: Meetup, organiser, n_tables: int) -> list[list[Participant]]:
    """``n_tables`` tables of two on theme taal, each with two notes, a dot and an agreement."""
    people = []
    for i in range(2 * n_tables):
        person, _ = joining.join(db.session, meetup,
                                 JoinRequest(f"Persoon{i} Achternaam", "gemeente", f"Org {i}"))
        joining.choose_theme(db.session, person, "taal")
        people.append(person)
    meetup.table_size = 2
    tables.form_tables(db.session, meetup, organiser)
    by_table: dict[int, list[Participant]] = {}
    for person in people:
        by_table.setdefault(person.table.number, []).append(person)
    meetup.phase = Phase.ROUND_1
    for pair in by_table.values():
        board.create_note(db.session, pair[0], uuid.uuid4(), "happens", f"Idee van {pair[0].id}")
        board.create_note(db.session, pair[1], uuid.uuid4(), "happens", f"Idee van {pair[1].id}")
    meetup.phase = Phase.VOTING
    for pair in by_table.values():
        first_note = db.session.query(Note).filter_by(author_id=pair[0].id).one()
        board.add_vote(db.session, pair[1], uuid.uuid4(), first_note.uuid)
    meetup.phase = Phase.AGREEMENTS
    for pair in by_table.values():
        agreement = agreements.create_draft(db.session, pair[0], uuid.uuid4())
        agreements.update_agreement(db.session, pair[0], agreement.uuid, COMPLETE,
                                    today=date(2026, 12, 3))
        agreements.finalise(db.session, pair[0], agreement.uuid)
        agreements.sign(db.session, pair[1], agreement.uuid)
    db.session.commit()
    return [by_table[n] for n in sorted(by_table)]


def test_a_participant_sees_their_own_table_only(meetup, organiser) -> None:
    pairs = populate(meetup, organiser, 3)
    me, neighbour = pairs[0]
    meetup.phase = Phase.VOTING
    data = phone_snapshot.participant_snapshot(db.session, neighbour, now=NOW)
    assert data["seq"] == meetup.revision and data["as"] == "participant"
    assert data["server_now"] == "2026-12-03T18:00:00Z"
    assert data["me"]["id"] == neighbour.id and data["me"]["table"] == 1
    assert data["me"]["theme"] == "taal" and data["me"]["role_label"] == "Gemeente"
    assert data["table"]["number"] == 1 and data["table"]["theme"] == "taal"
    assert [m["id"] for m in data["table"]["members"]] == [me.id, neighbour.id]
    assert set(data["table"]["members"][0]) == {"id", "first_name", "role", "role_label"}
    assert sorted(n["text"] for n in data["notes"]) == [f"Idee van {me.id}",
                                                        f"Idee van {neighbour.id}"]
    theirs = next(n for n in data["notes"] if n["author_id"] == me.id)
    own = next(n for n in data["notes"] if n["author_id"] == neighbour.id)
    assert theirs["votes"] == 1 and theirs["my_votes"] == 1 and theirs["mine"] is False
    assert own["mine"] is True and own["author"] == neighbour.first_name
    assert own["round"] == "happens"
    assert data["votes_left"] == 2
    assert [a["table"] for a in data["agreements"]] == [1]
    assert data["agreements"][0]["signers"] == [neighbour.first_name]
    assert data["commitments"] == [data["agreements"][0]["uuid"]]
    assert {r["key"] for r in data["roles"]} >= {"gemeente", "leerkracht_po"}
    assert data["partners"] and data["plenary"] is None
    meta = data["meetup"]
    assert meta["phase"] == "voting" and meta["note_max_length"] == 280
    assert meta["votes_per_person"] == 3
    assert [t["key"] for t in data["themes"]] == ["taal", "overgangen", "zorg"]
    assert data["themes"][0]["count"] == 6 and data["themes"][0]["full"] is False


def test_hidden_and_deleted_notes_are_absent_for_the_table(meetup, organiser) -> None:
    pairs = populate(meetup, organiser, 1)
    me, neighbour = pairs[0]
    meetup.phase = Phase.ROUND_2
    gone = board.create_note(db.session, me, uuid.uuid4(), "connect", "Weggegooid")
    board.delete_note(db.session, me, gone.uuid)
    rude = board.create_note(db.session, neighbour, uuid.uuid4(), "connect", "Ongepast")
    board.set_hidden(db.session, meetup, rude.uuid, True, organiser)
    texts = [n["text"] for n in phone_snapshot.participant_snapshot(db.session, me)["notes"]]
    assert "Weggegooid" not in texts and "Ongepast" not in texts and len(texts) == 2
    organiser_view = snapshot.organiser_snapshot(db.session, meetup)
    flagged = {n["text"]: n["hidden"] for n in organiser_view["notes"]}
    assert flagged["Ongepast"] is True and "Weggegooid" not in flagged
    projector = snapshot.projector_snapshot(db.session, meetup)
    assert "Ongepast" not in [n["text"] for n in projector["notes"]]
    assert "Ongepast" not in str(projector)


def test_someone_without_a_table_gets_an_empty_board(meetup, organiser) -> None:
    populate(meetup, organiser, 1)
    newcomer, _ = joining.join(db.session, meetup, JoinRequest("Nieuw", "jeugdwerk", "Club"))
    data = phone_snapshot.participant_snapshot(db.session, newcomer)
    assert data["table"] is None and data["notes"] == [] and data["agreements"] == []
    assert data["me"]["theme"] is None and data["me"]["table"] is None


def _bigger(organiser, n_tables: int) -> tuple[Meetup, list[list[Participant]]]:
    other = meetups.create_meetup(db.session, organiser, title=f"Groot {n_tables}")
    return other, populate(other, organiser, n_tables)


def test_the_participant_snapshot_needs_the_same_queries_for_2_or_20_tables(
        meetup, organiser) -> None:
    small = populate(meetup, organiser, 2)
    _big_meetup, big = _bigger(organiser, 20)
    query_counts = []
    for me_id in (small[0][1].id, big[0][1].id):
        db.session.expunge_all()
        loaded_tables: list[int] = []

        def on_load(note, _context, loaded=loaded_tables):
            loaded.append(note.table_id)

        event.listen(Note, "load", on_load)
        with counting_queries() as statements:
            me = db.session.get(Participant, me_id)
            data = phone_snapshot.participant_snapshot(db.session, me)
        event.remove(Note, "load", on_load)
        query_counts.append(len(statements))
        assert len(data["notes"]) == 2
        assert loaded_tables and set(loaded_tables) == {me.table_id}
    assert query_counts[0] == query_counts[1]


def test_phones_of_many_tables_reconnecting_get_what_each_would_get_alone(
        meetup, organiser) -> None:
    """After the second table's miss in a revision, all tables are read in one pass: every
    phone still gets exactly its own table, notes, dots and follow-up links."""
    pairs = populate(meetup, organiser, 4)
    meetup.phase = Phase.VOTING
    db.session.commit()
    people = [person for pair in pairs for person in pair]
    alone = {p.id: phone_snapshot.participant_snapshot(db.session, p, now=NOW) for p in people}
    views = TableViews()
    with counting_queries() as statements:
        shared = {p.id: phone_snapshot.participant_snapshot(db.session, p, now=NOW, views=views)
                  for p in people}
    assert shared == alone
    assert {p.id: shared[p.id]["me"]["table"] for p in people} == \
        {p.id: p.table.number for p in people}
    # One table read alone, then one pass over all four: no table's notes are read again
    # (what remains per phone is its own: the agreements it takes part in).
    with counting_queries() as again:
        for p in people:
            phone_snapshot.participant_snapshot(db.session, p, now=NOW, views=views)
    assert not [s for s in again if "FROM notes" in s or "FROM tables" in s]
    assert len([s for s in statements if "FROM notes" in s]) == 2


@pytest.mark.parametrize("which", ["organiser", "projector"])
def test_organiser_and_projector_snapshots_need_the_same_queries_for_2_or_20_tables(
        meetup, organiser, which) -> None:
    build = getattr(snapshot, f"{which}_snapshot")
    populate(meetup, organiser, 2)
    big_meetup, _ = _bigger(organiser, 20)
    query_counts = []
    for meetup_id, n_tables in ((meetup.id, 2), (big_meetup.id, 20)):
        db.session.expunge_all()
        with counting_queries() as statements:
            data = build(db.session, db.session.get(Meetup, meetup_id))
        query_counts.append(len(statements))
        assert len(data["tables"]) == n_tables and len(data["notes"]) == 2 * n_tables
        assert len(data["agreements"]) == n_tables
    assert query_counts[0] == query_counts[1]


def test_the_organiser_overview_counts_per_table(meetup, organiser) -> None:
    pairs = populate(meetup, organiser, 2)
    lonely = tables.move_participant(db.session, meetup, pairs[1][0].id, 1, organiser)
    data = snapshot.organiser_snapshot(db.session, meetup, now=NOW)
    assert data["as"] == "organiser" and data["seq"] == meetup.revision
    first, second = data["tables"]
    assert first["number"] == 1 and first["theme"] == "taal"
    assert [m["id"] for m in first["members"]] == sorted([pairs[0][0].id, pairs[0][1].id,
                                                          lonely.id])
    assert first["members"][0]["organisation"].startswith("Org ")
    assert first["notes"] == {"happens": 2, "connect": 0, "missing": 0}
    assert first["votes"] == 1 and first["agreements"] == 1 and first["final_agreements"] == 1
    assert first["no_agreement"] is False
    assert second["notes"]["happens"] == 2 and [m["id"] for m in second["members"]] == [
        pairs[1][1].id]
    # The broadcast row is the same, but with role codes only: each page labels them in its
    # own language (never in the language of whoever caused the broadcast).
    unlabelled = {**first, "members": [{k: v for k, v in m.items() if k != "role_label"}
                                       for m in first["members"]]}
    assert snapshot.table_overview(db.session, lonely.table) == unlabelled
    assert data["counts"] == {"participants": 4, "by_theme": {"taal": 4, "overgangen": 0,
                                                              "zorg": 0},
                              "by_role": {"gemeente": 4}, "notes": 4, "agreements": 2,
                              "final_agreements": 2}
    assert data["unseated"] == []
    assert len(data["notes"]) == 4 and len(data["agreements"]) == 2
    assert data["plenary"]["total"] == 2


def test_a_table_without_a_final_agreement_is_flagged(meetup, organiser) -> None:
    pairs = populate(meetup, organiser, 1)
    agreement_uuid = snapshot.organiser_snapshot(db.session, meetup)["agreements"][0]["uuid"]
    agreements.reopen(db.session, pairs[0][0], agreement_uuid)
    row = snapshot.table_overview(db.session, pairs[0][0].table)
    assert row["agreements"] == 1 and row["final_agreements"] == 0 and row["no_agreement"]


def test_the_projector_shows_first_names_final_agreements_and_the_plenary(meetup,
                                                                          organiser) -> None:
    pairs = populate(meetup, organiser, 2)
    draft = agreements.create_draft(db.session, pairs[0][0], uuid.uuid4())
    agreements.update_agreement(db.session, pairs[0][0], draft.uuid, {"what": "Half af"})
    unseated, _ = joining.join(db.session, meetup, JoinRequest("Zoë de Vries", "jeugdwerk", "X"))
    phases.set_phase(db.session, meetup, "plenary")
    plenary.show(db.session, meetup, 1)
    data = snapshot.projector_snapshot(db.session, meetup, now=NOW)
    assert data["as"] == "projector"
    assert [a["what"] for a in data["agreements"]] == ["Voorleesouders", "Voorleesouders"]
    assert data["plenary"]["position"] == 1 and data["plenary"]["agreement"]["table"] == 2
    assert set(data["tables"][0]["members"][0]) == {"id", "first_name", "role", "role_label"}
    assert data["unseated"] == [{"id": unseated.id, "first_name": "Zoë", "role": "jeugdwerk",
                                 "role_label": content.role_label("jeugdwerk")}]
    assert "Achternaam" not in str(data["tables"])


def test_the_current_question_and_timer_are_in_the_meetup_state(meetup) -> None:
    phases.set_phase(db.session, meetup, "round_3")
    phases.set_timer(db.session, meetup, 600, now=NOW)
    state = snapshot.meetup_state(meetup, NOW)
    assert state["round"] == "missing" and state["question"] == "Wat mist er nog?"
    assert state["timer"]["deadline"] == "2026-12-03T18:10:00Z"
    assert [r["key"] for r in state["rounds"]] == ["happens", "connect", "missing"]


def test_serialised_objects_follow_the_wire_format(meetup, organiser) -> None:
    pairs = populate(meetup, organiser, 1)
    note = db.session.query(Note).filter_by(author_id=pairs[0][0].id).one()
    data = snapshot.serialise_note(note, 4)
    assert data["uuid"] == str(note.uuid) and data["mine"] is False and data["my_votes"] == 0
    assert data["votes"] == 4 and data["updated_at"].endswith("Z")
    assert {"uuid", "round", "text", "author", "author_id", "mine", "votes", "my_votes",
            "updated_at"} <= set(data)
    agreement = snapshot.organiser_snapshot(db.session, meetup)["agreements"][0]
    assert {"uuid", "table", "theme", "status", "what", "owner_name", "owner_organisation",
            "partners", "first_step", "due_date", "success_measure", "signed", "signers",
            "missing", "updated_at"} <= set(agreement)
    assert agreement["status"] == "planned" and agreement["due_date"] == "2027-02-01"
    assert agreement["missing"] == [] and agreement["signed"] == 1


def test_the_pass_over_all_tables_reads_what_each_table_alone_reads(meetup, organiser) -> None:
    """The one pass of a reconnect storm (or a restart) reads plain rows; every table's view is
    the same as when the table is read alone: hidden and deleted notes left out, dots of
    others and one's own, members' first names."""
    from meetup.services.table_view import table_view, table_views

    pairs = populate(meetup, organiser, 4)
    meetup.phase = Phase.ROUND_1
    hidden = board.create_note(db.session, pairs[1][0], uuid.uuid4(), "happens", "Verborgen")
    gone = board.create_note(db.session, pairs[2][1], uuid.uuid4(), "happens", "Weg")
    board.delete_note(db.session, pairs[2][1], gone.uuid)
    meetup.phase = Phase.VOTING
    board.add_vote(db.session, pairs[1][1], uuid.uuid4(), hidden.uuid)
    board.add_vote(db.session, pairs[1][0], uuid.uuid4(),
                   db.session.query(Note).filter_by(author_id=pairs[1][1].id).first().uuid)
    board.set_hidden(db.session, meetup, hidden.uuid, True, organiser)
    db.session.commit()
    together = table_views(db.session, meetup.id, "nl", snapshot.serialise_note,
                           snapshot.followup_entry)
    assert len(together) == 4
    for pair in pairs:
        table = pair[0].table
        alone = table_view(db.session, table, "nl", snapshot.serialise_note,
                           snapshot.serialise_agreements, snapshot.followup_entry)
        assert together[table.id]["notes"] == alone["notes"]
        assert str(together[table.id]["table"]) == str(alone["table"])
        assert together[table.id]["voters"] == alone["voters"]
        assert together[table.id]["dots"] == alone["dots"]
        assert str(together[table.id]["agreements"]) == str(alone["agreements"])
    texts = [head for _id, _author, head in together[pairs[1][0].table_id]["notes"]]
    assert not [t for t in texts if "Verborgen" in t]


def test_a_note_changed_between_two_passes_is_encoded_again(meetup, organiser) -> None:
    """The pass keeps each note's JSON for the next pass; a note whose text, dots or author's
    name changed in between (also by a bulk update that leaves ``updated_at``) is new there."""
    from sqlalchemy import update

    from meetup.services.table_view import table_views

    pairs = populate(meetup, organiser, 2)
    heads: dict = {}
    views = table_views(db.session, meetup.id, "nl", snapshot.serialise_note,
                        snapshot.followup_entry, heads)
    table_id = pairs[0][0].table_id
    note = db.session.query(Note).filter_by(author_id=pairs[0][0].id).one()
    before = {head for _id, _a, head in views[table_id]["notes"]}
    assert any(f"Idee van {pairs[0][0].id}" in head for head in before)
    db.session.execute(update(Note).where(Note.id == note.id).values(text="Geanonimiseerd"))
    db.session.execute(update(Participant).where(Participant.id == pairs[0][0].id)
                       .values(display_name="Deelnemer"))
    db.session.commit()
    again = table_views(db.session, meetup.id, "nl", snapshot.serialise_note,
                        snapshot.followup_entry, heads)
    heads_now = [head for _id, _a, head in again[table_id]["notes"]]
    assert any('"text":"Geanonimiseerd"' in h and '"author":"Deelnemer"' in h for h in heads_now)
    assert not any(f"Idee van {pairs[0][0].id}" in h for h in heads_now)
