"""A series of meetups: a follow-up copies themes and settings, links the earlier meetup and
belongs to a named series; another organiser can neither extend nor see it (issue 25)."""

from __future__ import annotations

import pytest

from meetup.extensions import db
from meetup.models import Meetup, Series
from meetup.services import series
from meetup.services.errors import Forbidden, InvalidInput
from tests.conftest import PASSWORD
from tests.realtime_helpers import make_organiser
from tests.series_factories import earlier_meetup, follow_up


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


def test_a_follow_up_copies_themes_and_settings_and_links_the_earlier_meetup(organiser) -> None:
    earlier, _ = earlier_meetup(organiser)
    later = follow_up(organiser, earlier)
    assert later.previous_meetup_id == earlier.id
    assert later.series is not None and later.series is earlier.series
    assert later.series.name == "Meetup Kansenongelijkheid Gooi"
    assert (later.table_size, later.votes_per_person, later.phase_minutes) == (4, 5,
                                                                               {"round_1": 12})
    assert later.settings == {"note": "kept"}
    # The follow-up mail's intervals (issue 23) come along too.
    assert (later.reminder_days_before, later.followup_every_weeks, later.followup_max,
            later.organiser_digest) == (5, 6, 2, True)
    assert later.expected_participants == 120
    assert [t.key for t in later.themes] == [t.key for t in earlier.themes]
    taal = later.theme_by_key("taal")
    assert taal.question == "Hoe krijgt elk kind taal mee?"
    assert taal.directions == [{"code": "1.1", "title": "Voorlezen", "prompt": "Wie?"}]
    assert taal.id != earlier.theme_by_key("taal").id
    # The copy is its own: editing it leaves the earlier meetup as it was.
    series_theme = later.theme_by_key("taal")
    series_theme.directions.append({"code": "1.2", "title": "Nieuw", "prompt": ""})
    assert len(earlier.theme_by_key("taal").directions) == 1
    assert later.join_token != earlier.join_token and later.short_code != earlier.short_code
    assert later.city == "Bussum"


def test_a_second_follow_up_joins_the_same_series_across_cities(organiser) -> None:
    earlier, _ = earlier_meetup(organiser)
    second = follow_up(organiser, earlier)
    third = series.create_follow_up(db.session, organiser, second, title="Meetup Huizen",
                                    city="Huizen", series_name="ignored")
    db.session.commit()
    assert third.series_id == second.series_id == earlier.series_id
    assert db.session.query(Series).count() == 1
    assert [m.city for m in series.meetups_in(db.session, third.series)] == [
        "Hilversum", "Bussum", "Huizen"]


def test_a_new_series_needs_a_name(organiser) -> None:
    earlier, _ = earlier_meetup(organiser)
    with pytest.raises(InvalidInput) as raised:
        series.create_follow_up(db.session, organiser, earlier, title="X", series_name="  ")
    assert raised.value.field == "series_name"


def test_another_organiser_cannot_follow_up_your_meetup_or_see_your_series(organiser) -> None:
    earlier, _ = earlier_meetup(organiser)
    other = make_organiser("bob@example.org")
    with pytest.raises(Forbidden):  # a meetup of yours that is in no series yet
        series.create_follow_up(db.session, other, earlier, title="Kaping", series_name="X")
    db.session.rollback()
    later = follow_up(organiser, earlier)
    with pytest.raises(Forbidden):  # and one in a series
        series.create_follow_up(db.session, other, earlier, title="Kaping", series_name="X")
    db.session.rollback()
    assert db.session.query(Meetup).filter_by(title="Kaping").count() == 0
    with pytest.raises(Forbidden):
        series.owned_series(db.session, other, later.series_id)
    assert series.series_of(db.session, other) == []


def _login(app, email: str):
    client = app.test_client()
    assert client.post("/organiser/login", data={"email": email, "password": PASSWORD}
                       ).status_code == 302
    return client


def test_the_pages_make_a_follow_up_and_list_the_series(app, organiser, logged_in) -> None:
    earlier, _ = earlier_meetup(organiser)
    app.config["WTF_CSRF_ENABLED"] = False
    listing = logged_in.get("/organiser/").get_data(as_text=True)
    assert f"/organiser/meetups/{earlier.id}/follow-up" in listing
    form = logged_in.get(f"/organiser/meetups/{earlier.id}/follow-up").get_data(as_text=True)
    assert 'value="Meetup Hilversum"' in form
    response = logged_in.post(f"/organiser/meetups/{earlier.id}/follow-up", data={
        "series_name": "Meetup Kansenongelijkheid Gooi", "title": "Meetup Naarden",
        "city": "Naarden", "venue": "", "date": "", "start_time": ""})
    assert response.status_code == 302
    later = db.session.query(Meetup).filter_by(title="Meetup Naarden").one()
    assert later.previous_meetup_id == earlier.id
    listing = logged_in.get("/organiser/").get_data(as_text=True)
    assert "Meetup Kansenongelijkheid Gooi" in listing
    own = logged_in.get(f"/organiser/meetups/{later.id}").get_data(as_text=True)
    assert "Meetup Kansenongelijkheid Gooi" in own and f"/organiser/meetups/{earlier.id}\"" in own
    page = logged_in.get(f"/organiser/series/{later.series_id}").get_data(as_text=True)
    assert "Meetup Hilversum" in page and "Meetup Naarden" in page and "Naarden" in page


def test_another_organiser_gets_no_follow_up_form_and_no_series_page(app, organiser) -> None:
    earlier, _ = earlier_meetup(organiser)
    later = follow_up(organiser, earlier)
    make_organiser("bob@example.org")
    app.config["WTF_CSRF_ENABLED"] = False
    bob = _login(app, "bob@example.org")
    assert bob.get(f"/organiser/meetups/{earlier.id}/follow-up").status_code in (403, 404)
    response = bob.post(f"/organiser/meetups/{earlier.id}/follow-up", data={
        "series_name": "Kaping", "title": "Kaping"})
    assert response.status_code in (403, 404)
    assert db.session.query(Meetup).filter_by(title="Kaping").count() == 0
    page = bob.get(f"/organiser/series/{later.series_id}")
    assert page.status_code in (403, 404)
    assert "Meetup Kansenongelijkheid Gooi" not in page.get_data(as_text=True)
    assert "Meetup Kansenongelijkheid Gooi" not in bob.get("/organiser/").get_data(as_text=True)


def test_deleting_the_earlier_meetup_keeps_the_series_the_follow_up_and_its_agreements(
        organiser) -> None:
    import uuid as uuid_module

    from meetup.models import Agreement
    from meetup.services import continuation, meetups
    from tests.series_factories import seated_at_agreements

    earlier, made = earlier_meetup(organiser)
    later = follow_up(organiser, earlier)
    people = seated_at_agreements(later, organiser)
    continued = continuation.continue_agreement(db.session, people["taal"], uuid_module.uuid4(),
                                                made["voorlezen"].uuid)
    db.session.commit()
    later_id, continued_id, series_id = later.id, continued.id, later.series_id
    meetups.delete_meetup(db.session, earlier)
    db.session.commit()
    db.session.expire_all()
    later = db.session.get(Meetup, later_id)
    assert later.previous_meetup_id is None and later.series_id == series_id
    kept = db.session.get(Agreement, continued_id)
    assert kept.continues_agreement_id is None and kept.what == "Voorleesouders op elke school"
