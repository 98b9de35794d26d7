"""Continuing an agreement of last time at a table: the list, the linked pre-filled draft,
a replayed op, and the ids a phone may not use (issue 25, point 4)."""

from __future__ import annotations

import uuid

import pytest

from meetup.extensions import db
from meetup.models import Agreement
from meetup.services import agreements, continuation
from meetup.services.errors import Forbidden, NotFound
from tests.realtime_helpers import connect, join_over_http, new_op
from tests.series_factories import earlier_meetup, follow_up, seated_at_agreements


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


@pytest.fixture
def evening(organiser):
    earlier, made = earlier_meetup(organiser)
    later = follow_up(organiser, earlier)
    people = seated_at_agreements(later, organiser)
    return earlier, made, later, people


def test_the_table_sees_last_times_final_agreements_of_its_theme_only(evening) -> None:
    _earlier, made, _later, people = evening
    listed = continuation.previous_agreements(db.session, people["taal"])
    assert [a.what for a in listed] == ["Voorleesouders op elke school", "Taalcafé voor ouders"]
    assert [a.what for a in continuation.previous_agreements(db.session, people["zorg"])] == [
        "Zorgspreekuur op school"]


def test_continuing_starts_a_linked_prefilled_editable_draft(evening) -> None:
    _earlier, made, later, people = evening
    new = continuation.continue_agreement(db.session, people["taal"], uuid.uuid4(),
                                          made["voorlezen"].uuid)
    db.session.commit()
    assert new.status.value == "draft" and new.meetup_id == later.id
    assert new.continues_agreement_id == made["voorlezen"].id
    assert (new.what, new.owner_name, new.owner_organisation, new.partners) == (
        "Voorleesouders op elke school", "Fatima", "Bibliotheek Gooi", ["GGD"])
    assert new.first_step == "" and new.due_date is None
    edited = agreements.update_agreement(db.session, people["taal"], new.uuid,
                                         {"what": "Voorleesouders, nu ook op de BSO"})
    assert edited.what == "Voorleesouders, nu ook op de BSO"
    assert made["voorlezen"].what == "Voorleesouders op elke school"


def test_a_phone_cannot_continue_an_agreement_of_another_theme_or_meetup(evening, organiser
                                                                          ) -> None:
    _earlier, made, _later, people = evening
    with pytest.raises(Forbidden):  # zorg's agreement at the taal table
        continuation.continue_agreement(db.session, people["taal"], uuid.uuid4(),
                                        made["zorg"].uuid)
    stranger_meetup, stranger_made = earlier_meetup(organiser, "Meetup Elders", "Elders")
    with pytest.raises(NotFound):  # not of the previous meetup
        continuation.continue_agreement(db.session, people["taal"], uuid.uuid4(),
                                        stranger_made["voorlezen"].uuid)
    tonight = agreements.create_draft(db.session, people["taal"], uuid.uuid4())
    with pytest.raises(NotFound):  # tonight's own agreement is not one of last time
        continuation.continue_agreement(db.session, people["taal"], uuid.uuid4(), tonight.uuid)
    assert db.session.query(Agreement).filter(
        Agreement.continues_agreement_id.is_not(None)).count() == 0


def test_a_meetup_without_an_earlier_one_lists_nothing_and_continues_nothing(
        app, organiser, meetup) -> None:
    _earlier, made = earlier_meetup(organiser)
    people = seated_at_agreements(meetup, organiser)
    assert continuation.previous_agreements(db.session, people["taal"]) == []
    with pytest.raises(NotFound):
        continuation.continue_agreement(db.session, people["taal"], uuid.uuid4(),
                                        made["voorlezen"].uuid)


# -- over the socket ---------------------------------------------------------------------


def test_over_the_socket_a_phone_lists_continues_and_a_replay_changes_nothing(app, organiser
                                                                             ) -> None:
    earlier, made = earlier_meetup(organiser)
    later = follow_up(organiser, earlier)
    clients = {}
    from meetup.services import joining, tables
    for name, theme in (("Eva Smit", "taal"), ("Femke Bos", "taal"), ("Gijs Kok", "zorg")):
        client, person = join_over_http(app, later, name)
        joining.choose_theme(db.session, person, theme)
        clients[name] = client
    tables.form_tables(db.session, later, organiser)
    from meetup.models import Phase
    later.phase = Phase.AGREEMENTS
    db.session.commit()
    eva = connect(app, clients["Eva Smit"], later.id)
    femke = connect(app, clients["Femke Bos"], later.id)
    gijs = connect(app, clients["Gijs Kok"], later.id)
    for sock in (eva, femke, gijs):
        sock.get_received()

    listed = eva.emit("agreement.previous", {}, callback=True)
    assert listed["ok"] is True
    assert [a["what"] for a in listed["agreements"]] == ["Voorleesouders op elke school",
                                                         "Taalcafé voor ouders"]
    assert listed["agreements"][0]["status"] == "in_progress"
    assert "followup_token" not in str(listed)

    op, new = new_op(), str(uuid.uuid4())
    payload = {"op": op, "agreement": new, "from": listed["agreements"][0]["uuid"]}
    ack = eva.emit("agreement.continue", payload, callback=True)
    assert ack["ok"] is True, ack
    assert ack["agreement"]["what"] == "Voorleesouders op elke school"
    assert ack["agreement"]["continues"] == {"uuid": str(made["voorlezen"].uuid),
                                             "what": "Voorleesouders op elke school"}
    heard = [item for item in femke.get_received() if item["name"] == "agreement"]
    assert heard and heard[0]["args"][0]["agreement"]["uuid"] == new
    assert not [item for item in gijs.get_received() if item["name"] == "agreement"]

    # The table edits it; the same op again is answered with the current state, nothing new.
    femke.emit("agreement.update", {"op": new_op(), "agreement": new,
                                    "fields": {"what": "Voorleesouders ook op de BSO"}},
               callback=True)
    femke.get_received()
    remembered = eva.emit("agreement.continue", payload, callback=True)
    assert remembered["ok"] is True and remembered.get("duplicate") is True
    assert remembered["seq"] == ack["seq"]  # the acknowledgement it missed, from memory
    app.extensions["meetup_replays"]._answers.clear()  # a restart: the database answers
    again = eva.emit("agreement.continue", payload, callback=True)
    assert again["ok"] is True and again.get("duplicate") is True
    assert again["agreement"]["what"] == "Voorleesouders ook op de BSO"
    assert db.session.query(Agreement).filter_by(meetup_id=later.id).count() == 1
    assert not [item for item in femke.get_received() if item["name"] == "agreement"]

    # The op replayed by someone at another table reveals nothing of that table.
    stolen = gijs.emit("agreement.continue", payload, callback=True)
    assert "agreement" not in stolen


def test_over_the_socket_ids_of_another_theme_or_meetup_are_refused(app, organiser) -> None:
    earlier, made = earlier_meetup(organiser)
    later = follow_up(organiser, earlier)
    _other_meetup, other_made = earlier_meetup(organiser, "Meetup Elders", "Elders")
    from meetup.models import Phase
    from meetup.services import joining, tables
    client, person = join_over_http(app, later, "Eva Smit")
    joining.choose_theme(db.session, person, "taal")
    tables.form_tables(db.session, later, organiser)
    later.phase = Phase.AGREEMENTS
    db.session.commit()
    eva = connect(app, client, later.id)
    eva.get_received()
    wrong_theme = eva.emit("agreement.continue", {"op": new_op(), "agreement": str(uuid.uuid4()),
                                                  "from": str(made["zorg"].uuid)}, callback=True)
    assert wrong_theme["ok"] is False and wrong_theme["error"] == "forbidden"
    other = eva.emit("agreement.continue", {"op": new_op(), "agreement": str(uuid.uuid4()),
                                            "from": str(other_made["voorlezen"].uuid)},
                     callback=True)
    assert other["ok"] is False and other["error"] == "not_found"
    assert not [i for i in eva.get_received() if i["name"] == "agreement"]
    organiser_client = app.test_client()
    from tests.conftest import PASSWORD
    organiser_client.post("/organiser/login", data={"email": organiser.email,
                                                    "password": PASSWORD})
    window = connect(app, organiser_client, later.id, "organiser")
    assert window.emit("agreement.previous", {}, callback=True)["error"] == "forbidden"
