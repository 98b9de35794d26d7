"""Participant writes over the socket: the happy path and a refusal for every event, the
table rooms, idempotency by ``op``, and emit-after-commit."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest
from flask import Flask
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import Agreement, Meetup, Note, Phase
from meetup.realtime import throttle
from meetup.services import operations
from meetup.services.errors import Conflict
from tests.realtime_helpers import (
    Evening,
    connect,
    emit_ok,
    events,
    join_over_http,
    login_over_http,
    names,
    new_op,
    set_phase,
    wait_for,
    wait_until,
)


@pytest.fixture
def evening(app: Flask, meetup: Meetup) -> Evening:
    return Evening(app, meetup)


def write_note(evening: Evening, who: str, text: str, round_key: str = "happens") -> dict:
    return emit_ok(evening[who], "note.create",
                   {"note": new_op(), "round": round_key, "text": text})


def note_count() -> int:
    return db.session.scalar(select(func.count(Note.id)))


# -- theme.choose -------------------------------------------------------------------------


def test_choosing_a_theme_before_the_tables_exist(app: Flask, meetup: Meetup) -> None:
    client, _anna = join_over_http(app, meetup, "Anna de Vries")
    sock = connect(app, client, meetup.id)
    set_phase(meetup, Phase.THEME_CHOICE)
    ack = emit_ok(sock, "theme.choose", {"theme": "taal"})
    assert ack["theme"] == "taal" and ack["table"] is None
    ack = sock.emit("theme.choose", {"op": new_op(), "theme": "sport"}, callback=True)
    assert ack["ok"] is False and ack["error"] == "not_found"
    assert ack["message"] == "Dit thema bestaat niet."


def test_a_full_theme_is_refused(app: Flask, meetup: Meetup) -> None:
    meetup.theme_by_key("taal").capacity = 1
    db.session.commit()
    first, _ = join_over_http(app, meetup, "Anna de Vries")
    second, _ = join_over_http(app, meetup, "Bram Bakker")
    emit_ok(connect(app, first, meetup.id), "theme.choose", {"theme": "taal"})
    ack = connect(app, second, meetup.id).emit(
        "theme.choose", {"op": new_op(), "theme": "taal"}, callback=True)
    assert ack["ok"] is False and ack["error"] == "full"
    assert ack["message"] == "Dit thema zit vol. Kies een ander thema."


def test_a_late_arrival_is_seated_and_joins_the_table_room(app: Flask, evening: Evening) -> None:
    client, eva = join_over_http(app, evening.meetup, "Eva Smit", role="gemeente",
                                 organisation="Gemeente Hilversum")
    eva_sock = connect(app, client, evening.meetup.id)
    eva_sock.get_received()
    ack = emit_ok(eva_sock, "theme.choose", {"theme": "taal"})
    assert ack["table"] == evening.people["anna"].table.number
    # The newcomer and the table's members are told to fetch the new state.
    assert "resync" in names(eva_sock)
    assert "resync" in names(evening["anna"])
    assert "resync" not in names(evening["carla"])
    overview = events(evening.organiser, "overview")
    assert any(row["table"]["number"] == ack["table"] and
               "Eva Smit" in [m["display_name"] for m in row["table"]["members"]]
               for row in overview)
    # Already in the room: Anna's next note reaches Eva without a sync.
    write_note(evening, "anna", "Samen voorlezen")
    assert [n["note"]["text"] for n in events(eva_sock, "note")] == ["Samen voorlezen"]
    assert eva.id  # the participant exists


def test_theme_counts_reach_the_projector_and_organiser(app: Flask, meetup: Meetup) -> None:
    organiser_client = login_over_http(app, meetup.organiser)
    projector = connect(app, organiser_client, meetup.id, "projector")
    organiser = connect(app, organiser_client, meetup.id, "organiser")
    client, _anna = join_over_http(app, meetup, "Anna de Vries")
    sock = connect(app, client, meetup.id)
    # Anna's phone connecting moves the head count (coalesced, in a background task).
    assert wait_for(projector, "counts")[-1]["participants"] == 1
    emit_ok(sock, "theme.choose", {"theme": "zorg"})
    for screen in (projector, organiser):
        latest: list[dict] = []
        for _ in range(3):  # the throttle may still deliver the older count first
            latest = wait_for(screen, "counts") or latest
            if latest and latest[-1]["by_theme"]["zorg"] == 1:
                break
        assert latest[-1]["by_theme"] == {"taal": 0, "overgangen": 0, "zorg": 1}


def test_phones_see_live_theme_counts_while_choosing_but_not_later(app: Flask,
                                                                   meetup: Meetup) -> None:
    client, _anna = join_over_http(app, meetup, "Anna de Vries")
    anna = connect(app, client, meetup.id)
    other, _bram = join_over_http(app, meetup, "Bram Bakker", role="jeugdwerk",
                                  organisation="Jongerenwerk")
    bram = connect(app, other, meetup.id)
    emit_ok(bram, "theme.choose", {"theme": "taal"})
    latest: list[dict] = []
    for _ in range(3):  # counts are coalesced: the first may predate Bram's choice
        latest = wait_for(anna, "counts") or latest
        if latest and latest[-1]["by_theme"]["taal"] == 1:
            break
    assert latest[-1]["by_theme"]["taal"] == 1
    # Once the rounds run, the counters are for the projector and organiser only.
    meetup.phase = Phase.ROUND_1
    db.session.commit()
    wait_for(anna, "counts", timeout=1.5)
    projector = connect(app, login_over_http(app, meetup.organiser), meetup.id, "projector")
    connect(app, other, meetup.id)  # Bram's second tab: a new head count is emitted
    assert wait_for(projector, "counts")
    assert events(anna, "counts") == []


# -- notes --------------------------------------------------------------------------------


def test_a_note_reaches_the_own_table_and_the_organiser_only(evening: Evening) -> None:
    ack = write_note(evening, "anna", "Voorleesouders op school")
    assert ack["note"]["mine"] is True and ack["note"]["text"] == "Voorleesouders op school"
    [at_table] = events(evening["bram"], "note")
    assert at_table["seq"] == ack["seq"]
    assert at_table["note"]["author"] == "Anna" and at_table["note"]["mine"] is False
    assert at_table["note"]["author_id"] == evening.ids["anna"]
    [for_organiser] = events(evening.organiser, "note")
    assert for_organiser["note"]["uuid"] == ack["note"]["uuid"]
    assert events(evening["carla"], "note") == [] and events(evening["dirk"], "note") == []
    assert events(evening.projector, "note") == []


def test_a_burst_of_notes_updates_the_organisers_overview_in_one_coalesced_row(
        evening: Evening) -> None:
    evening.drain()
    for i in range(5):
        write_note(evening, "anna", f"Idee {i}")
    table = evening.people["anna"].table.number
    key = ("overview", id(evening.app), evening.people["anna"].table_id)
    rows: list[dict] = []

    def settled() -> list[dict] | None:
        """The table's rows, once one shows all five notes and no recount is pending."""
        rows.extend(events(evening.organiser, "overview"))
        mine = [r["table"] for r in rows if r["table"]["number"] == table]
        done = mine and mine[-1]["notes"]["happens"] == 5
        return mine if done and not throttle.counts_throttle.pending(key) else None

    mine = wait_until(settled)
    assert 1 <= len(mine) <= 2  # five notes, at most two recounts


def test_each_phone_sees_only_its_own_tables_notes(evening: Evening) -> None:
    write_note(evening, "anna", "Taal: bibliotheek op school")
    write_note(evening, "carla", "Zorg: spreekuur JGZ op school")
    assert [n["note"]["text"] for n in events(evening["bram"], "note")] == \
        ["Taal: bibliotheek op school"]
    assert [n["note"]["text"] for n in events(evening["dirk"], "note")] == \
        ["Zorg: spreekuur JGZ op school"]
    anna_sync = evening["anna"].emit("sync", {}, callback=True)["snapshot"]
    assert [n["text"] for n in anna_sync["notes"]] == ["Taal: bibliotheek op school"]


def test_note_create_refusals(evening: Evening) -> None:
    sock = evening["anna"]
    empty = sock.emit("note.create", {"op": new_op(), "note": new_op(), "round": "happens",
                                      "text": "   "}, callback=True)
    assert empty == {"ok": False, "error": "invalid", "message": "Schrijf eerst iets op.",
                     "field": "text"}
    later = sock.emit("note.create", {"op": new_op(), "note": new_op(), "round": "missing",
                                      "text": "Te vroeg"}, callback=True)
    assert later["ok"] is False and later["error"] == "wrong_phase"
    bad_round = sock.emit("note.create", {"op": new_op(), "note": new_op(), "round": "later",
                                          "text": "x"}, callback=True)
    assert bad_round["error"] == "invalid" and bad_round["field"] == "round"
    assert note_count() == 0
    assert events(evening["bram"], "note") == []


def test_editing_a_note(evening: Evening) -> None:
    created = write_note(evening, "anna", "Voorlezen")
    evening.drain()
    uuid = created["note"]["uuid"]
    ack = emit_ok(evening["anna"], "note.edit", {"note": uuid, "text": "Samen voorlezen"})
    assert ack["note"]["text"] == "Samen voorlezen" and ack["seq"] > created["seq"]
    assert [n["note"]["text"] for n in events(evening["bram"], "note")] == ["Samen voorlezen"]
    evening.drain()
    # Someone else's note cannot be edited, not even by a tablemate.
    refused = evening["bram"].emit("note.edit", {"op": new_op(), "note": uuid, "text": "Nee"},
                                   callback=True)
    assert refused["ok"] is False and refused["error"] == "forbidden"
    assert refused["message"] == "Je kunt alleen je eigen notities wijzigen."
    assert events(evening["anna"], "note") == []


def test_deleting_a_note(evening: Evening) -> None:
    created = write_note(evening, "anna", "Weg ermee")
    evening.drain()
    uuid = created["note"]["uuid"]
    emit_ok(evening["anna"], "note.delete", {"note": uuid})
    assert [e["note"] for e in events(evening["bram"], "note.removed")] == [uuid]
    assert [e["note"] for e in events(evening.organiser, "note.removed")] == [uuid]
    assert [e["note"] for e in events(evening.projector, "note.removed")] == [uuid]
    assert events(evening["carla"]) == []
    missing = evening["anna"].emit("note.delete", {"op": new_op(), "note": new_op()},
                                   callback=True)
    assert missing["ok"] is False and missing["error"] == "not_found"


def test_a_phone_cannot_touch_another_tables_note(evening: Evening) -> None:
    created = write_note(evening, "carla", "Zorgteam")
    set_phase(evening.meetup, Phase.VOTING)
    for event, payload in (("note.edit", {"text": "gehackt"}), ("note.delete", {}),
                           ("vote.add", {"vote": new_op()}), ("vote.remove", {})):
        ack = evening["anna"].emit(event, {"op": new_op(), "note": created["note"]["uuid"],
                                           **payload}, callback=True)
        assert ack["ok"] is False and ack["error"] == "forbidden", (event, ack)
        assert ack["message"] == "Deze notitie hoort bij een andere tafel."
    db.session.expire_all()
    assert db.session.scalar(select(Note.text)) == "Zorgteam"


# -- votes --------------------------------------------------------------------------------


def test_voting_with_dots(evening: Evening) -> None:
    created = write_note(evening, "anna", "Taalcoach")
    set_phase(evening.meetup, Phase.VOTING)
    evening.drain()
    uuid = created["note"]["uuid"]
    ack = emit_ok(evening["bram"], "vote.add", {"vote": new_op(), "note": uuid})
    assert ack["votes_left"] == 2 and ack["note"]["votes"] == 1 and ack["note"]["my_votes"] == 1
    assert events(evening["anna"], "votes") == [{"seq": ack["seq"], "note": uuid, "votes": 1}]
    assert events(evening.organiser, "votes")[0]["votes"] == 1
    assert events(evening["carla"]) == []
    for _ in range(2):
        emit_ok(evening["bram"], "vote.add", {"vote": new_op(), "note": uuid})
    no_dots = evening["bram"].emit("vote.add", {"op": new_op(), "vote": new_op(), "note": uuid},
                                   callback=True)
    assert no_dots["ok"] is False and no_dots["error"] == "conflict"
    removed = emit_ok(evening["bram"], "vote.remove", {"note": uuid})
    assert removed["votes_left"] == 1 and removed["note"]["votes"] == 2
    assert events(evening["anna"], "votes")[-1]["votes"] == 2


def test_dots_only_in_the_voting_phase(evening: Evening) -> None:
    created = write_note(evening, "anna", "Taalcoach")
    for event, extra in (("vote.add", {"vote": new_op()}), ("vote.remove", {})):
        ack = evening["bram"].emit(event, {"op": new_op(), "note": created["note"]["uuid"],
                                           **extra}, callback=True)
        assert ack["ok"] is False and ack["error"] == "wrong_phase"
        assert ack["message"] == "Je kunt nu niet stemmen."


# -- agreements ---------------------------------------------------------------------------


def test_writing_finalising_and_signing_an_agreement(evening: Evening) -> None:
    set_phase(evening.meetup, Phase.AGREEMENTS)
    evening.drain()
    uuid = new_op()
    created = emit_ok(evening["anna"], "agreement.create", {"agreement": uuid})
    assert created["agreement"]["status"] == "draft"
    assert [a["agreement"]["uuid"] for a in events(evening["bram"], "agreement")] == [uuid]
    assert events(evening.projector, "agreement")[0]["agreement"]["uuid"] == uuid
    assert events(evening["carla"], "agreement") == []

    not_ready = evening["anna"].emit("agreement.finalise", {"op": new_op(), "agreement": uuid},
                                     callback=True)
    assert not_ready["ok"] is False and not_ready["error"] == "not_ready"
    assert not_ready["missing"] == ["what", "owner_name", "owner_organisation", "first_step",
                                    "due_date"]
    assert not_ready["message"] == (
        "Om af te ronden vul je nog in: wat jullie gaan doen, wie het trekt, de organisatie "
        "van de trekker, de eerste stap, de datum.")

    due = (date.today() + timedelta(days=60)).isoformat()
    updated = emit_ok(evening["bram"], "agreement.update", {"agreement": uuid, "fields": {
        "what": "Voorleesouders in groep 1-2", "owner_name": "bram  jansen",
        "owner_organisation": "Jongerenwerk Hilversum", "partners": ["Bibliotheek"],
        "first_step": "Oproep in de nieuwsbrief", "due_date": due,
        "success_measure": "Tien ouders lezen voor"}})
    assert updated["agreement"]["missing"] == [] and updated["agreement"]["due_date"] == due
    assert events(evening["anna"], "agreement")[-1]["agreement"]["what"] == \
        "Voorleesouders in groep 1-2"

    assert events(evening["bram"], "followup") == []  # drafts have no follow-up yet
    final = emit_ok(evening["anna"], "agreement.finalise", {"agreement": uuid})
    assert final["agreement"]["status"] == "planned"
    # The owner (Bram Jansen, typed in another case and spacing) gets the private link;
    # nobody else at the table does, and his snapshot keeps it.
    [link] = events(evening["bram"], "followup")
    token = db.session.scalar(select(Agreement.followup_token).where(
        Agreement.uuid == UUID(uuid)))
    expected = {"agreement": uuid, "what": "Voorleesouders in groep 1-2", "token": token}
    assert {k: v for k, v in link.items() if k != "seq"} == expected
    assert events(evening["anna"], "followup") == []
    assert emit_ok(evening["bram"], "sync", {})["snapshot"]["followups"] == [expected]
    assert evening["anna"].emit("sync", {}, callback=True)["snapshot"]["followups"] == []
    signed = emit_ok(evening["bram"], "agreement.sign", {"agreement": uuid})
    assert signed["agreement"]["signers"] == ["Bram"]
    unsigned = emit_ok(evening["bram"], "agreement.unsign", {"agreement": uuid})
    assert unsigned["agreement"]["signers"] == []
    refused = evening["anna"].emit("agreement.delete", {"op": new_op(), "agreement": uuid},
                                   callback=True)
    assert refused["ok"] is False and refused["error"] == "conflict"
    reopened = emit_ok(evening["anna"], "agreement.reopen", {"agreement": uuid})
    assert reopened["agreement"]["status"] == "draft"
    evening.drain()
    emit_ok(evening["anna"], "agreement.delete", {"agreement": uuid})
    assert events(evening["bram"], "agreement.removed")[0]["agreement"] == uuid
    assert events(evening.projector, "agreement.removed")[0]["agreement"] == uuid


def test_agreement_refusals(evening: Evening) -> None:
    too_early = evening["anna"].emit("agreement.create", {"op": new_op(), "agreement": new_op()},
                                     callback=True)
    assert too_early["ok"] is False and too_early["error"] == "wrong_phase"
    set_phase(evening.meetup, Phase.AGREEMENTS)
    uuid = emit_ok(evening["carla"], "agreement.create", {"agreement": new_op()})[
        "agreement"]["uuid"]
    for event, extra in (("agreement.update", {"fields": {"what": "x"}}),
                         ("agreement.finalise", {}), ("agreement.reopen", {}),
                         ("agreement.sign", {}), ("agreement.unsign", {}),
                         ("agreement.delete", {})):
        ack = evening["anna"].emit(event, {"op": new_op(), "agreement": uuid, **extra},
                                   callback=True)
        assert ack["ok"] is False and ack["error"] == "forbidden", (event, ack)
    bad_date = evening["carla"].emit("agreement.update", {
        "op": new_op(), "agreement": uuid, "fields": {"due_date": "morgen"}}, callback=True)
    assert bad_date["ok"] is False and bad_date["error"] == "invalid"
    assert bad_date["field"] == "due_date"
    unknown_field = evening["carla"].emit("agreement.update", {
        "op": new_op(), "agreement": uuid, "fields": {"table_id": 1}}, callback=True)
    assert unknown_field["error"] == "invalid"


# -- idempotency, impersonation, emit-after-commit -----------------------------------------


def test_the_same_op_twice_stores_one_note_and_broadcasts_once(evening: Evening) -> None:
    payload = {"op": new_op(), "note": new_op(), "round": "happens", "text": "Eén keer"}
    first = evening["anna"].emit("note.create", payload, callback=True)
    again = evening["anna"].emit("note.create", payload, callback=True)
    assert first["ok"] and again["ok"] and again["duplicate"] is True
    assert again["note"]["uuid"] == first["note"]["uuid"]
    assert note_count() == 1
    assert len(events(evening["bram"], "note")) == 1


def test_a_resent_delete_or_dot_changes_nothing_the_second_time(evening: Evening) -> None:
    created = write_note(evening, "anna", "Stip")
    set_phase(evening.meetup, Phase.VOTING)
    vote = {"op": new_op(), "vote": new_op(), "note": created["note"]["uuid"]}
    assert evening["bram"].emit("vote.add", vote, callback=True)["votes_left"] == 2
    replay = evening["bram"].emit("vote.add", vote, callback=True)
    assert replay["ok"] is True and replay["duplicate"] is True and replay["votes_left"] == 2


def test_ids_in_a_payload_cannot_impersonate(evening: Evening) -> None:
    ack = evening["anna"].emit("note.create", {
        "op": new_op(), "note": new_op(), "round": "happens", "text": "Van Anna",
        "author_id": evening.ids["carla"], "participant": evening.ids["carla"],
        "table": evening.table_ids["carla"], "meetup": 12345}, callback=True)
    assert ack["ok"] is True
    db.session.expire_all()
    note = db.session.scalar(select(Note))
    assert note.author_id == evening.ids["anna"]
    assert note.table_id == evening.table_ids["anna"]
    assert events(evening["carla"], "note") == []


def test_malformed_payloads_are_answered_invalid(evening: Evening) -> None:
    sock = evening["anna"]
    dutch = ("De app stuurde iets wat we niet konden lezen. Laad de pagina opnieuw en "
             "probeer het nog eens.")
    for payload in ("text", ["op"], None, {}, {"op": "not-a-uuid"}, {"op": 42},
                    {"op": new_op(), "note": new_op(), "round": "happens", "text": 42},
                    {"op": new_op(), "note": "x", "round": "happens", "text": "Hoi"}):
        ack = sock.emit("note.create", payload, callback=True)
        assert ack["ok"] is False and ack["error"] == "invalid", payload
        assert ack["message"] == dutch
    assert note_count() == 0


def test_nothing_is_broadcast_when_the_transaction_fails(evening: Evening,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    # Recording the op fails, one by one or in a batch (the fast path of note.create).
    monkeypatch.setattr(operations, "record", broken)
    monkeypatch.setattr(operations, "record_many", broken)
    ack = evening["anna"].emit("note.create", {"op": new_op(), "note": new_op(),
                                               "round": "happens", "text": "Verloren"},
                               callback=True)
    assert ack == {"ok": False, "error": "server_error",
                   "message": "Er ging bij ons iets mis. Probeer het nog eens."}
    assert events(evening["bram"]) == [] and events(evening.organiser) == []
    assert note_count() == 0

    def refused(*args: object, **kwargs: object) -> None:
        raise Conflict()

    monkeypatch.setattr(operations, "record", refused)
    monkeypatch.setattr(operations, "record_many", refused)
    ack = evening["anna"].emit("note.create", {"op": new_op(), "note": new_op(),
                                               "round": "happens", "text": "Ook niet"},
                               callback=True)
    assert ack["ok"] is False and ack["error"] == "conflict"
    assert events(evening["bram"]) == [] and note_count() == 0

    # The server keeps running: the next write goes through.
    monkeypatch.undo()
    write_note(evening, "anna", "Nu wel")
    assert [n["note"]["text"] for n in events(evening["bram"], "note")] == ["Nu wel"]


def test_a_removed_participant_can_no_longer_write(evening: Evening) -> None:
    db.session.delete(evening.people["anna"])
    db.session.commit()
    ack = evening["anna"].emit("note.create", {"op": new_op(), "note": new_op(),
                                               "round": "happens", "text": "Spook"},
                               callback=True)
    assert ack["ok"] is False and ack["error"] == "unauthorised"
    assert db.session.scalar(select(func.count(Agreement.id))) == 0


def test_a_runaway_socket_is_slowed_down_without_touching_others(app: Flask,
                                                                 evening: Evening) -> None:
    app.config.update(SOCKET_WRITE_BURST=3, SOCKET_WRITE_RATE=0)
    for i in range(3):
        write_note(evening, "anna", f"Idee {i}")
    limited = evening["anna"].emit("note.create", {"op": new_op(), "note": new_op(),
                                                   "round": "happens", "text": "Te veel"},
                                   callback=True)
    assert limited == {"ok": False, "error": "rate_limited", "message":
                       "Rustig aan: te veel wijzigingen tegelijk. We proberen het zo opnieuw."}
    assert note_count() == 3
    write_note(evening, "bram", "Bram mag nog")
