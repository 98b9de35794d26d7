"""No one is left out, over the socket: late arrivals in every phase after the theme choice,
a moved person told so, dots coming back from a hidden note, theme caps and the plenary on
every phone, what an owner takes part in, and labels in the receiver's language."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask

from meetup.extensions import db
from meetup.models import Meetup, Phase
from tests.realtime_helpers import (
    Evening,
    connect,
    emit_ok,
    events,
    join_over_http,
    login_over_http,
    new_op,
    set_phase,
    wait_for,
)

AFTER_THEME_CHOICE = [Phase.TABLES, Phase.ROUND_1, Phase.ROUND_2, Phase.ROUND_3, Phase.VOTING,
                      Phase.AGREEMENTS, Phase.PLENARY]


@pytest.fixture
def evening(app: Flask, meetup: Meetup) -> Evening:
    return Evening(app, meetup)


def latest_counts(sock, test) -> dict:  # type: ignore[no-untyped-def]
    """The newest ``counts`` for which ``test`` holds (counts are coalesced, one a second)."""
    latest: list[dict] = []
    for _ in range(3):
        latest = wait_for(sock, "counts") or latest
        if latest and test(latest[-1]):
            break
    assert latest, "no counts arrived"
    return latest[-1]


# -- point 5: joining after the theme choice ------------------------------------------------


@pytest.mark.parametrize("phase", AFTER_THEME_CHOICE, ids=lambda p: p.value)
def test_someone_joining_after_the_theme_choice_chooses_and_is_seated_at_once(
        app: Flask, evening: Evening, phase: Phase) -> None:
    set_phase(evening.meetup, phase)
    client, eva = join_over_http(app, evening.meetup, "Eva Smit", role="gemeente",
                                 organisation="Gemeente Hilversum")
    sock = connect(app, client, evening.meetup.id)
    [snapshot] = events(sock, "snapshot")
    # The phone sees no theme and no table: it asks for a theme (with the themes to pick).
    assert snapshot["me"]["theme"] is None and snapshot["table"] is None
    assert [t["key"] for t in snapshot["themes"]] == ["taal", "overgangen", "zorg"]
    ack = emit_ok(sock, "theme.choose", {"theme": "zorg"})
    carla_table = evening.people["carla"].table.number
    assert ack == {**ack, "theme": "zorg", "table": carla_table}
    notice = events(sock, "notice")[-1]
    assert notice == {"seq": ack["seq"], "kind": "seated", "table": carla_table,
                      "at": notice["at"]}
    assert notice["at"].endswith("Z")  # when: the phone shows the time (issue 24)
    seated = emit_ok(sock, "sync", {})["snapshot"]
    assert seated["table"]["number"] == carla_table
    assert "Eva" in [m["first_name"] for m in seated["table"]["members"]]
    db.session.refresh(eva)
    assert eva.table is not None and eva.table.theme.key == "zorg"


def test_a_late_arrival_cannot_change_the_theme_once_seated(app: Flask, evening: Evening) -> None:
    set_phase(evening.meetup, Phase.ROUND_2)
    client, _eva = join_over_http(app, evening.meetup, "Eva Smit")
    sock = connect(app, client, evening.meetup.id)
    emit_ok(sock, "theme.choose", {"theme": "taal"})
    again = sock.emit("theme.choose", {"op": new_op(), "theme": "zorg"}, callback=True)
    assert again["ok"] is False and again["error"] == "wrong_phase"


# -- point 7: a move is told to the person, and the counts follow -------------------------


def test_a_moved_person_is_told_and_the_theme_counts_follow(evening: Evening) -> None:
    evening.drain()
    zorg_table = evening.people["carla"].table.number
    before = datetime.now(UTC)
    ack = emit_ok(evening.organiser, "participant.move",
                  {"participant": evening.ids["anna"], "table": zorg_table})
    after = datetime.now(UTC)
    [notice] = events(evening["anna"], "notice")
    assert notice == {"seq": ack["seq"], "kind": "moved", "table": zorg_table, "at": notice["at"]}
    moved_at = datetime.fromisoformat(notice["at"].replace("Z", "+00:00"))
    assert before <= moved_at <= after  # when it happened: the phone shows the time
    assert events(evening["bram"], "notice") == []
    # Taal lost Anna, zorg gained her: the projector and the organiser hear it at once.
    for screen in (evening.projector, evening.organiser):
        counts = latest_counts(screen, lambda c: c["by_theme"]["zorg"] == 3)
        assert counts["by_theme"] == {"taal": 1, "overgangen": 0, "zorg": 3}


# -- point 8: a hidden note gives its dots back ---------------------------------------------


def test_dots_on_a_hidden_note_come_back_and_the_author_is_told(evening: Evening) -> None:
    note = emit_ok(evening["anna"], "note.create",
                   {"note": new_op(), "round": "happens", "text": "Niet voor het scherm"})["note"]
    set_phase(evening.meetup, Phase.VOTING)
    left = emit_ok(evening["bram"], "vote.add", {"vote": new_op(), "note": note["uuid"]})
    assert left["votes_left"] == 2
    evening.drain()
    hidden = emit_ok(evening.organiser, "note.hide", {"note": note["uuid"]})
    # Bram's phone fetches his dots at once; Anna (the author) gets a neutral notice.
    assert events(evening["bram"], "resync") == [{"seq": hidden["seq"]}]
    assert emit_ok(evening["bram"], "sync", {})["snapshot"]["votes_left"] == 3
    assert events(evening["anna"], "notice") == [{"seq": hidden["seq"], "kind": "note_hidden"}]
    assert events(evening["carla"]) == []
    # Put back: the dot counts again, and Bram's phone is told again.
    shown = emit_ok(evening.organiser, "note.unhide", {"note": note["uuid"]})
    assert events(evening["bram"], "resync") == [{"seq": shown["seq"]}]
    assert emit_ok(evening["bram"], "sync", {})["snapshot"]["votes_left"] == 2
    assert events(evening["anna"], "notice") == []


# -- point 9: a theme cap reaches the phones -----------------------------------------------


def test_a_theme_cap_reaches_every_phone(app: Flask, meetup: Meetup) -> None:
    client, _anna = join_over_http(app, meetup, "Anna de Vries")
    anna = connect(app, client, meetup.id)
    other, _bram = join_over_http(app, meetup, "Bram Bakker")
    bram = connect(app, other, meetup.id)
    set_phase(meetup, Phase.THEME_CHOICE)
    emit_ok(anna, "theme.choose", {"theme": "taal"})
    organiser = connect(app, login_over_http(app, meetup.organiser), meetup.id, "organiser")
    bram.get_received()
    ack = emit_ok(organiser, "theme.cap", {"theme": "taal", "capacity": 1})
    [theme] = events(bram, "theme")
    assert theme == {"seq": ack["seq"],
                     "theme": {"key": "taal", "capacity": 1, "count": 1, "full": True}}


# -- point 12: the plenary on every phone; anyone signs on ----------------------------------


def finished_agreement(evening: Evening, who: str, what: str, owner: str) -> str:
    uuid = new_op()
    emit_ok(evening[who], "agreement.create", {"agreement": uuid})
    emit_ok(evening[who], "agreement.update", {"agreement": uuid, "fields": {
        "what": what, "owner_name": owner, "owner_organisation": "School",
        "first_step": "Bellen", "due_date": (date.today() + timedelta(days=20)).isoformat()}})
    emit_ok(evening[who], "agreement.finalise", {"agreement": uuid})
    return uuid


def test_every_phone_sees_the_plenary_agreement_and_anyone_may_sign(app: Flask,
                                                                    evening: Evening) -> None:
    set_phase(evening.meetup, Phase.AGREEMENTS)
    uuid = finished_agreement(evening, "anna", "Voorleesouders", "Bram Jansen")
    evening.drain()
    emit_ok(evening.organiser, "phase.set", {"phase": "plenary"})
    [opening] = events(evening["carla"], "plenary")
    assert opening["agreement"]["uuid"] == uuid and opening["total"] == 1
    # Carla sits at another table and signs on; so does someone who just arrived.
    signed = emit_ok(evening["carla"], "agreement.sign", {"agreement": uuid})
    assert signed["agreement"]["signers"] == ["Carla"]
    client, _eva = join_over_http(app, evening.meetup, "Eva Smit")
    eva = connect(app, client, evening.meetup.id)
    [snapshot] = events(eva, "snapshot")
    assert snapshot["plenary"]["agreement"]["uuid"] == uuid
    assert emit_ok(eva, "agreement.sign", {"agreement": uuid})["agreement"]["signed"] == 2
    carla = emit_ok(evening["carla"], "sync", {})["snapshot"]
    assert [a["what"] for a in carla["taking_part"]] == ["Voorleesouders"]


# -- point 20: an owner takes part; the calendar has it ------------------------------------


def test_an_owner_takes_part_and_the_calendar_has_the_agreement(evening: Evening) -> None:
    set_phase(evening.meetup, Phase.AGREEMENTS)
    uuid = finished_agreement(evening, "anna", "Voorleesouders", "bram  jansen")
    bram = emit_ok(evening["bram"], "sync", {})["snapshot"]
    assert [a["uuid"] for a in bram["taking_part"]] == [uuid]
    assert bram["commitments"] == []  # he did not tap "ik doe mee", he pulls it
    assert emit_ok(evening["anna"], "sync", {})["snapshot"]["taking_part"] == []
    response = evening.clients["bram"].get(f"/live/{evening.meetup.id}/afspraken.ics")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.count("BEGIN:VEVENT") == 1 and f"UID:{uuid}@" in text
    assert "BEGIN:VEVENT" not in evening.clients["anna"].get(
        f"/live/{evening.meetup.id}/afspraken.ics").get_data(as_text=True)


# -- point 21: labels in the receiver's language ------------------------------------------


def test_the_organisers_overview_never_carries_the_writers_language(app: Flask,
                                                                    evening: Evening) -> None:
    client, _eva = join_over_http(app, evening.meetup, "Eva Smit", role="gemeente",
                                  organisation="Gemeente Hilversum")
    client.get("/lang/en")
    english = connect(app, client, evening.meetup.id)
    english.get_received()
    evening.drain()
    emit_ok(english, "theme.choose", {"theme": "taal"})
    rows = [e["table"] for e in events(evening.organiser, "overview")]
    assert rows
    for row in rows:
        for member in row["members"]:
            assert "role_label" not in member  # the page labels the role codes itself
            assert member["role"]
    # The organiser's own snapshot is in the organiser's language (Dutch).
    snapshot = emit_ok(evening.organiser, "sync", {})["snapshot"]
    labels = {m["role"]: m["role_label"] for t in snapshot["tables"] for m in t["members"]}
    assert labels["gemeente"] == "Gemeente"
    assert labels["ggd_jgz"] == "GGD / JGZ"
