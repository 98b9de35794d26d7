"""Agreements: drafts at the table, complete before final, signing on."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import Agreement, AgreementStatus, Commitment, Meetup, Participant, Phase
from meetup.services import agreements, joining, meetups, tables
from meetup.services.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    NotReady,
    WrongPhase,
)
from meetup.services.joining import JoinRequest

TODAY = date(2026, 12, 3)
COMPLETE = {"what": "Voorleesouders op elke basisschool", "owner_name": "Fatima",
            "owner_organisation": "Bibliotheek", "first_step": "Rooster maken",
            "due_date": "2027-02-01"}


@pytest.fixture(autouse=True)
def _dutch_request(app):
    with app.test_request_context():
        yield


@pytest.fixture
def people(meetup: Meetup, organiser) -> list[Participant]:
    """Four people of theme taal at two tables: 0 and 1 at table 1, 2 and 3 at table 2."""
    people = []
    for i in range(4):
        person, _ = joining.join(db.session, meetup,
                                 JoinRequest(f"Naam{i} Achter", "gemeente", f"Org {i}"))
        joining.choose_theme(db.session, person, "taal")
        people.append(person)
    meetup.table_size = 2
    tables.form_tables(db.session, meetup, organiser)
    people.sort(key=lambda p: (p.table.number, p.id))
    meetup.phase = Phase.AGREEMENTS
    db.session.commit()
    return people


def draft(person: Participant) -> Agreement:
    return agreements.create_draft(db.session, person, uuid.uuid4())


def update(person: Participant, agreement: Agreement, **fields) -> Agreement:
    return agreements.update_agreement(db.session, person, agreement.uuid, fields, today=TODAY)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_draft_belongs_to_the_table_and_its_theme(people, meetup) -> None:
    start = meetup.revision
    new = draft(people[0])
    assert new.status is AgreementStatus.DRAFT
    assert new.table_id == people[0].table_id and new.theme.key == "taal"
    assert len(new.followup_token) >= 32 and new.created_by_id == people[0].id
    assert meetup.revision == start + 1


def test_the_same_draft_uuid_twice_is_one_agreement(people, meetup) -> None:
    agreement_uuid = uuid.uuid4()
    first = agreements.create_draft(db.session, people[0], agreement_uuid)
    revision = meetup.revision
    assert agreements.create_draft(db.session, people[1], str(agreement_uuid)) is first
    assert count(Agreement) == 1 and meetup.revision == revision
    with pytest.raises(Conflict):
        agreements.create_draft(db.session, people[2], agreement_uuid)  # other table


def test_drafts_only_in_the_agreements_and_plenary_phases(people, meetup) -> None:
    for phase in (Phase.ROUND_3, Phase.VOTING, Phase.CLOSED):
        meetup.phase = phase
        with pytest.raises(WrongPhase):
            draft(people[0])
    meetup.phase = Phase.PLENARY
    assert draft(people[0]).status is AgreementStatus.DRAFT


def test_anyone_at_the_table_edits_nobody_elsewhere(people, meetup, organiser) -> None:
    agreement = draft(people[0])
    update(people[1], agreement, what="Samen voorlezen", partners=["Bibliotheek"])
    assert agreement.what == "Samen voorlezen"
    with pytest.raises(Forbidden) as caught:
        update(people[2], agreement, what="Overgenomen")
    assert str(caught.value.message) == "Deze afspraak hoort bij een andere tafel."
    other = meetups.create_meetup(db.session, organiser, title="Elders")
    stranger, _ = joining.join(db.session, other, JoinRequest("Vreemd", "gemeente", "Y"))
    with pytest.raises(NotFound):
        update(stranger, agreement, what="Van ver")


def test_fields_are_cleaned_and_partners_deduplicated(people) -> None:
    agreement = draft(people[0])
    update(people[0], agreement, what="  Taalhuis  ", partners=[
        "Bibliotheek", " bibliotheek ", "", "GGD  Gooi", "GGD Gooi"], due_date="2027-01-31",
        success_measure="")
    assert agreement.what == "Taalhuis"
    assert agreement.partners == ["Bibliotheek", "GGD Gooi"]
    assert agreement.due_date == date(2027, 1, 31)
    update(people[0], agreement, due_date=None)
    assert agreement.due_date is None


@pytest.mark.parametrize("fields, field", [
    ({"due_date": "31-01-2027"}, "due_date"),
    ({"due_date": "2027-02-30"}, "due_date"),
    ({"due_date": 20270130}, "due_date"),
    ({"due_date": "2026-12-02"}, "due_date"),               # yesterday
    ({"what": "x" * 1001}, "what"),
    ({"owner_name": "x" * 121}, "owner_name"),
    ({"first_step": 12}, "first_step"),
    ({"partners": ["x" * 121]}, "partners"),
    ({"partners": [f"Partner {i}" for i in range(13)]}, "partners"),
    ({"partners": "Bibliotheek"}, "partners"),
    ({"status": "done"}, "status"),
    ({"followup_token": "mine"}, "followup_token"),
])
def test_bad_fields_are_refused_and_nothing_changes(people, fields, field) -> None:
    agreement = draft(people[0])
    update(people[0], agreement, what="Blijft")
    with pytest.raises(InvalidInput) as caught:
        update(people[0], agreement, **fields)
    assert caught.value.field == field
    assert agreement.what == "Blijft" and agreement.status is AgreementStatus.DRAFT


def test_todays_date_is_fine_and_the_messages_are_dutch(people) -> None:
    agreement = draft(people[0])
    update(people[0], agreement, due_date=TODAY.isoformat())
    with pytest.raises(InvalidInput) as caught:
        update(people[0], agreement, due_date="2020-01-01")
    assert str(caught.value.message) == "Kies een datum die niet in het verleden ligt."


def test_finalising_names_what_is_missing(people, meetup) -> None:
    agreement = draft(people[0])
    update(people[0], agreement, what="Iets doen", owner_name="Sanne")
    start = meetup.revision
    with pytest.raises(NotReady) as caught:
        agreements.finalise(db.session, people[0], agreement.uuid)
    error = caught.value
    assert error.missing == ["owner_organisation", "first_step", "due_date"]
    assert error.as_dict()["error"] == "not_ready"
    assert str(error.message) == ("Om af te ronden vul je nog in: de organisatie van de "
                                  "trekker, de eerste stap, de datum.")
    assert agreement.status is AgreementStatus.DRAFT and meetup.revision == start
    assert agreements.missing_fields(agreement) == error.missing


def test_a_complete_agreement_becomes_planned_and_stays_complete(people, meetup) -> None:
    agreement = draft(people[0])
    update(people[0], agreement, **COMPLETE)
    start = meetup.revision
    final = agreements.finalise(db.session, people[1], agreement.uuid)
    assert final.status is AgreementStatus.PLANNED and final.finalised_at is not None
    assert meetup.revision == start + 1
    assert agreements.finalise(db.session, people[1], agreement.uuid) is final  # no-op
    assert meetup.revision == start + 1
    update(people[0], agreement, success_measure="20 voorleesouders", first_step="Mailen")
    assert final.status is AgreementStatus.PLANNED and final.first_step == "Mailen"
    with pytest.raises(NotReady) as caught:
        update(people[0], agreement, owner_name="  ")
    assert caught.value.missing == ["owner_name"]
    assert agreement.owner_name == "Fatima"


def test_reopening_and_deleting_drafts(people, meetup) -> None:
    agreement = draft(people[0])
    update(people[0], agreement, **COMPLETE)
    agreements.finalise(db.session, people[0], agreement.uuid)
    with pytest.raises(Conflict):
        agreements.delete_draft(db.session, people[0], agreement.uuid)
    reopened = agreements.reopen(db.session, people[1], agreement.uuid)
    assert reopened.status is AgreementStatus.DRAFT and reopened.finalised_at is None
    start = meetup.revision
    deleted = agreements.delete_draft(db.session, people[1], agreement.uuid)
    assert deleted.deleted_at is not None and meetup.revision == start + 1
    assert agreements.delete_draft(db.session, people[1], agreement.uuid) is deleted
    assert meetup.revision == start + 1
    with pytest.raises(NotFound):
        update(people[0], agreement, what="Weg is weg")
    with pytest.raises(Forbidden):
        agreements.delete_draft(db.session, people[2], draft(people[0]).uuid)


def test_signing_is_idempotent_and_unsigning_takes_it_back(people, meetup) -> None:
    agreement = draft(people[0])
    start = meetup.revision
    agreements.sign(db.session, people[1], agreement.uuid)
    agreements.sign(db.session, people[1], agreement.uuid)
    assert count(Commitment) == 1 and meetup.revision == start + 1
    assert [c.participant_id for c in agreement.commitments] == [people[1].id]
    agreements.unsign(db.session, people[1], agreement.uuid)
    agreements.unsign(db.session, people[1], agreement.uuid)
    assert count(Commitment) == 0 and meetup.revision == start + 2
    assert agreement.commitments == []


def test_other_tables_sign_final_agreements_in_the_plenary_only(people, meetup) -> None:
    agreement = draft(people[0])
    with pytest.raises(Forbidden):
        agreements.sign(db.session, people[2], agreement.uuid)
    update(people[0], agreement, **COMPLETE)
    agreements.finalise(db.session, people[0], agreement.uuid)
    with pytest.raises(Forbidden):
        agreements.sign(db.session, people[2], agreement.uuid)
    meetup.phase = Phase.PLENARY
    agreements.sign(db.session, people[2], agreement.uuid)
    assert count(Commitment) == 1
    with pytest.raises(Forbidden):  # signing is not editing
        update(people[2], agreement, what="Van ons")
    other_draft = draft(people[0])
    with pytest.raises(Forbidden):
        agreements.sign(db.session, people[2], other_draft.uuid)
    meetup.phase = Phase.CLOSED
    with pytest.raises(WrongPhase):
        agreements.unsign(db.session, people[2], agreement.uuid)
