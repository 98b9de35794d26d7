"""The Terugblik (issue 25, point 3): the earlier agreements theme by theme with their latest
status and counts, the organiser's stepping, and owners matched by their e-mail address."""

from __future__ import annotations

import uuid

import pytest

from meetup.extensions import db
from meetup.models import AgreementUpdate, ConsentKind, Phase, ReminderConsent
from meetup.services import phases, retrospective
from meetup.services.errors import Forbidden, InvalidInput, NotFound, WrongPhase
from meetup.services.joining import JoinRequest, join
from tests.series_factories import earlier_meetup, follow_up


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


@pytest.fixture
def evening(organiser):
    """Last time: Fatima's voorlezen (bezig, her reminders go to fatima@bieb.nl), Henk's
    taalcafé, Sanne's zorgspreekuur; tonight a follow-up in the Terugblik."""
    earlier, made = earlier_meetup(organiser)
    db.session.add(ReminderConsent(meetup_id=earlier.id, agreement_id=made["voorlezen"].id,
                                   kind=ConsentKind.REMINDERS, email="Fatima@Bieb.nl"))
    later = follow_up(organiser, earlier)
    phases.set_phase(db.session, later, Phase.RETROSPECTIVE, organiser)
    db.session.commit()
    return earlier, made, later


def person(meetup, name: str, email: str = ""):
    joined, _ = join(db.session, meetup, JoinRequest(name, "gemeente", "Gemeente", email=email))
    db.session.commit()
    return joined


def test_the_projector_shows_the_earlier_agreements_theme_by_theme_with_counts(evening) -> None:
    _earlier, _made, later = evening
    shown = retrospective.state(db.session, later)
    assert shown["total"] == 3 and shown["position"] == 0
    assert [(t["key"], t["total"]) for t in shown["themes"]] == [("taal", 2), ("zorg", 1)]
    assert shown["counts"] == {"done": 0, "in_progress": 1, "planned": 0, "stopped": 0,
                               "no_news": 2}
    assert shown["themes"][0]["counts"]["in_progress"] == 1
    assert shown["themes"][1]["counts"]["no_news"] == 1
    first = shown["agreement"]
    assert (first["what"], first["status"], first["note"]) == (
        "Voorleesouders op elke school", "in_progress", "Drie scholen doen mee")
    assert (first["theme_n"], first["theme_total"], first["theme"]) == (1, 2, "taal")
    assert shown["previous"]["title"] == "Meetup Hilversum"


def test_the_organiser_steps_through_them_clamped(evening) -> None:
    _earlier, _made, later = evening
    revision = later.revision
    second = retrospective.show(db.session, later, 1)
    assert second["agreement"]["what"] == "Taalcafé voor ouders"
    assert (second["agreement"]["theme_n"], second["agreement"]["theme_total"]) == (2, 2)
    assert later.revision == revision + 1
    third = retrospective.show(db.session, later, 7)
    assert third["position"] == 2 and third["agreement"]["theme"] == "zorg"
    assert third["agreement"]["theme_n"] == 1 and third["agreement"]["theme_total"] == 1
    # Entering the Terugblik again opens on the first agreement.
    phases.set_phase(db.session, later, Phase.REGISTRATION)
    phases.set_phase(db.session, later, Phase.RETROSPECTIVE)
    assert retrospective.state(db.session, later)["position"] == 0


def test_only_a_follow_up_meetup_offers_the_terugblik(evening, organiser) -> None:
    earlier, _made, _later = evening
    with pytest.raises(InvalidInput):
        phases.set_phase(db.session, earlier, Phase.RETROSPECTIVE, organiser)
    assert retrospective.state(db.session, earlier) is None


def test_an_owner_is_matched_by_the_consent_email_or_the_owners_join_email(evening) -> None:
    earlier, made, later = evening
    fatima = person(later, "Fatima Yilmaz", "  fatima@BIEB.nl ")
    assert [a.what for a in retrospective.matched(db.session, fatima)] == [
        "Voorleesouders op elke school"]
    # Sanne was picked as owner at her table last time and gave her address when joining.
    earlier.phase = Phase.AGREEMENTS
    sanne_then = person(earlier, "Sanne Jansen", "sanne@ggd.nl")
    earlier.phase = Phase.CLOSED
    made["zorg"].owner_id = sanne_then.id
    db.session.commit()
    sanne = person(later, "Sanne J.", "Sanne@ggd.nl")
    assert [a.what for a in retrospective.matched(db.session, sanne)] == [
        "Zorgspreekuur op school"]
    assert retrospective.matched(db.session, person(later, "Zonder Mail")) == []
    assert retrospective.matched(db.session, person(later, "Iemand", "iemand@x.nl")) == []


def test_a_withdrawn_consent_no_longer_matches(evening) -> None:
    _earlier, made, later = evening
    consent = db.session.query(ReminderConsent).filter_by(
        agreement_id=made["voorlezen"].id).one()
    consent.withdrawn_at = consent.given_at
    db.session.commit()
    assert retrospective.matched(db.session, person(later, "Fatima", "fatima@bieb.nl")) == []


def test_an_owner_updates_and_it_lands_in_the_earlier_follow_up_history(evening) -> None:
    _earlier, made, later = evening
    fatima = person(later, "Fatima", "fatima@bieb.nl")
    revision = later.revision
    retrospective.update(db.session, fatima, made["voorlezen"].uuid, "done",
                         "Alle\nscholen   doen mee")
    db.session.commit()
    last = made["voorlezen"].updates[-1]
    assert (last.status.value, last.note, last.source) == (
        "done", "Alle scholen doen mee", "retrospective")
    assert later.revision == revision + 1
    shown = retrospective.state(db.session, later)
    assert shown["counts"]["done"] == 1 and shown["counts"]["in_progress"] == 0
    assert shown["agreement"]["status"] == "done" and shown["agreement"]["at_retrospective"]


def test_still_planned_is_news_when_the_owner_never_reported(evening) -> None:
    _earlier, made, later = evening
    db.session.add(ReminderConsent(meetup_id=made["taalcafe"].meetup_id,
                                   agreement_id=made["taalcafe"].id, email="henk@buurt.nl"))
    henk = person(later, "Henk", "henk@buurt.nl")
    retrospective.update(db.session, henk, made["taalcafe"].uuid, "planned")
    db.session.commit()
    assert retrospective.state(db.session, later)["counts"]["no_news"] == 1


def test_a_phone_cannot_update_an_agreement_it_is_not_matched_to(evening) -> None:
    _earlier, made, later = evening
    fatima = person(later, "Fatima", "fatima@bieb.nl")
    with pytest.raises(Forbidden):
        retrospective.update(db.session, fatima, made["zorg"].uuid, "stopped")
    with pytest.raises(NotFound):
        retrospective.update(db.session, fatima, uuid.uuid4(), "stopped")
    with pytest.raises(InvalidInput):
        retrospective.update(db.session, fatima, made["voorlezen"].uuid, "done", "x" * 201)
    db.session.rollback()
    assert db.session.query(AgreementUpdate).filter_by(source="retrospective").count() == 0


def test_after_the_terugblik_a_phone_cannot_update_any_more(evening, organiser) -> None:
    _earlier, made, later = evening
    fatima = person(later, "Fatima", "fatima@bieb.nl")
    phases.set_phase(db.session, later, Phase.REGISTRATION, organiser)
    with pytest.raises(WrongPhase):
        retrospective.update(db.session, fatima, made["voorlezen"].uuid, "done")


def test_an_update_through_the_follow_up_link_is_marked_while_the_terugblik_runs(evening
                                                                                 ) -> None:
    _earlier, made, later = evening
    assert retrospective.source_for(db.session, made["zorg"], "owner") == "retrospective"
    phases.set_phase(db.session, later, Phase.REGISTRATION)
    assert retrospective.source_for(db.session, made["zorg"], "owner") == "owner"
