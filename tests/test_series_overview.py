"""The overview across the meetups of a series: per theme every meetup's agreements with
their status, filters, CSV and JSON, and only for the series' organiser (issue 25, point 6)."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest

from meetup.extensions import db
from meetup.models import Phase
from meetup.reports.overview import Filters, gather_overview
from meetup.services import agreements, continuation
from tests.conftest import PASSWORD
from tests.realtime_helpers import make_organiser
from tests.series_factories import TODAY, earlier_meetup, follow_up, seated_at_agreements


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


@pytest.fixture
def series_with_two(organiser):
    earlier, made = earlier_meetup(organiser)
    later = follow_up(organiser, earlier)
    people = seated_at_agreements(later, organiser)
    new = continuation.continue_agreement(db.session, people["taal"], uuid.uuid4(),
                                          made["taalcafe"].uuid)
    agreements.update_agreement(db.session, people["taal"], new.uuid, {
        "what": "Taalcafé ook in Bussum", "owner_organisation": "Bibliotheek Bussum",
        "first_step": "Zaal zoeken", "due_date": "2026-12-20"}, today=TODAY)
    agreements.finalise(db.session, people["taal"], new.uuid)
    later.phase = Phase.CLOSED
    db.session.commit()
    return earlier, later, made


def test_the_overview_lists_every_meetups_agreements_per_theme_with_status(
        series_with_two) -> None:
    earlier, later, _made = series_with_two
    overview = gather_overview(db.session, later.series)
    assert overview.meetup_count == 2 and overview.total == 4
    taal = next(t for t in overview.themes if t.key == "taal")
    assert [(r.city, r.what, r.status) for r in taal.rows] == [
        ("Hilversum", "Voorleesouders op elke school", "in_progress"),
        ("Hilversum", "Taalcafé voor ouders", "no_news"),
        ("Bussum", "Taalcafé ook in Bussum", "no_news")]
    assert overview.cities == ("Bussum", "Hilversum") and overview.years == (2026,)
    assert "Bibliotheek Bussum" in overview.organisations and "GGD" in overview.organisations


@pytest.mark.parametrize(("filters", "expected"), [
    (Filters(city="Bussum"), ["Taalcafé ook in Bussum"]),
    (Filters(theme="zorg"), ["Zorgspreekuur op school"]),
    (Filters(status="in_progress"), ["Voorleesouders op elke school"]),
    (Filters(organisation="GGD"), ["Voorleesouders op elke school"]),  # as a partner
    (Filters(organisation="GGD Gooi"), ["Zorgspreekuur op school"]),  # as the owner
    (Filters(year="2025"), []),
    (Filters(city="Bussum", theme="zorg"), []),
])
def test_each_filter_narrows_the_overview(series_with_two, filters, expected) -> None:
    _earlier, later, _made = series_with_two
    overview = gather_overview(db.session, later.series, filters)
    assert [r.what for r in overview.rows] == expected
    assert overview.total == 4


def test_csv_and_json_export_what_the_filters_show(series_with_two, logged_in) -> None:
    _earlier, later, _made = series_with_two
    response = logged_in.get(f"/organiser/series/{later.series_id}/overview.csv?theme=taal")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0][:3] == ["reeks", "meetup", "plaats"]
    assert [r[5] for r in rows[1:]] == ["Voorleesouders op elke school", "Taalcafé voor ouders",
                                        "Taalcafé ook in Bussum"]
    assert [r[10] for r in rows[1:]] == ["bezig", "nog geen bericht", "nog geen bericht"]
    data = json.loads(logged_in.get(
        f"/organiser/series/{later.series_id}/overview.json?status=no_news").get_data())
    assert data["series"]["name"] == "Meetup Kansenongelijkheid Gooi"
    whats = [a["what"] for t in data["themes"] for a in t["agreements"]]
    assert whats == ["Taalcafé voor ouders", "Taalcafé ook in Bussum", "Zorgspreekuur op school"]
    continued = [a for t in data["themes"] for a in t["agreements"] if a["continues"]]
    assert [a["what"] for a in continued] == ["Taalcafé ook in Bussum"]
    page = logged_in.get(f"/organiser/series/{later.series_id}/overview?city=Hilversum")
    html = page.get_data(as_text=True)
    assert "Zorgspreekuur op school" in html and "Taalcafé ook in Bussum" not in html


def test_another_organiser_cannot_see_the_overview_or_its_exports(app, series_with_two) -> None:
    _earlier, later, _made = series_with_two
    make_organiser("bob@example.org")
    bob = app.test_client()
    bob.post("/organiser/login", data={"email": "bob@example.org", "password": PASSWORD})
    for path in ("overview", "overview.csv", "overview.json"):
        response = bob.get(f"/organiser/series/{later.series_id}/{path}")
        assert response.status_code in (403, 404), path
        assert b"Voorleesouders" not in response.get_data()
