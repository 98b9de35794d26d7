"""The organisations that come back across the meetups of a series, and the overview's PDF for
the national partners (issue 25, point 6)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from meetup.extensions import db
from meetup.models import Phase
from meetup.reports.overview import Filters, gather_overview
from meetup.reports.overview_organisations import organisation_match_key
from meetup.reports.overview_pdf import build_overview_pdf_with_pages
from meetup.services import followup
from tests.conftest import PASSWORD
from tests.realtime_helpers import make_organiser
from tests.series_factories import (
    earlier_meetup,
    finished_agreement,
    follow_up,
    seated_at_agreements,
)


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize(("one", "other"), [
    ("Gem. Hilversum", "gemeente  hilversum"),
    ("CJG Gooi", "Centrum voor Jeugd en Gezin Gooi"),
    ("Bibliotheek Gooi & Meer", "bieb gooi en meer"),
    ("Stg. Buurtwerk", "Stichting Buurtwerk,"),
    ("(GGD) Gooi", "ggd gooi"),
])
def test_spellings_of_one_organisation_match(one: str, other: str) -> None:
    assert organisation_match_key(one) == organisation_match_key(other) != ""


@pytest.mark.parametrize(("one", "other"), [
    ("GGD", "GGD Gooi"),
    ("Gemeente Hilversum", "Gemeente Huizen"),
    ("Bibliotheek Gooi", "Bibliotheek Gooi en Meer"),
])
def test_different_organisations_do_not_match(one: str, other: str) -> None:
    assert organisation_match_key(one) != organisation_match_key(other)


@pytest.fixture
def series_with_two(organiser):
    """Hilversum: voorlezen (Bibliotheek Gooi; partner GGD), taalcafé (Buurtwerk), zorg
    (GGD Gooi). Bussum: the library, Buurtwerk and GGD Gooi again, spelled otherwise."""
    earlier, made = earlier_meetup(organiser)
    later = follow_up(organiser, earlier)
    people = seated_at_agreements(later, organiser)
    bussum = {
        "voorlezen": finished_agreement(people["taal"], "Voorlezen in Bussum",
                                        "Carla", "bibliotheek  gooi", ["Buurtwerk."]),
        "spreekuur": finished_agreement(people["zorg"], "Spreekuur in Bussum", "Dirk",
                                        "Gem. Bussum", ["ggd gooi", "Bieb Gooi"]),
    }
    followup.record_update(db.session, bussum["spreekuur"], "done", "Loopt elke week")
    later.phase = Phase.CLOSED
    db.session.commit()
    return earlier, later, made, bussum


def _summary(overview):
    return [(o.name, o.meetup_count, o.owner_count, o.partner_count)
            for o in overview.returning]


def test_organisations_in_more_than_one_meetup_come_back_with_their_agreements(
        series_with_two) -> None:
    _earlier, later, _made, _bussum = series_with_two
    overview = gather_overview(db.session, later.series)
    assert _summary(overview) == [("Bibliotheek Gooi", 2, 2, 1), ("Buurtwerk", 2, 1, 1),
                                  ("GGD Gooi", 2, 1, 1)]
    library = overview.returning[0]
    assert library.other_names == ("bibliotheek gooi", "Bieb Gooi")
    hilversum, bussum = library.meetups
    assert (hilversum.city, [r.what for r in hilversum.as_owner], hilversum.as_partner) == (
        "Hilversum", ["Voorleesouders op elke school"], ())
    assert (bussum.city, [r.what for r in bussum.as_owner],
            [(r.what, r.status) for r in bussum.as_partner]) == (
        "Bussum", ["Voorlezen in Bussum"], [("Spreekuur in Bussum", "done")])
    # The organisation filter offers one choice per organisation, however it was spelled.
    assert [o for o in overview.organisations if "gooi" in o.casefold()] == [
        "Bibliotheek Gooi", "GGD Gooi"]


@pytest.mark.parametrize(("filters", "expected"), [
    (Filters(theme="zorg"), [("GGD Gooi", 2, 1, 1)]),
    (Filters(city="Bussum"), []),
    (Filters(organisation="bieb gooi"), [("Bibliotheek Gooi", 2, 2, 1)]),
    (Filters(status="no_news"), [("Buurtwerk", 2, 1, 1)]),
])
def test_the_filters_narrow_the_returning_organisations(series_with_two, filters,
                                                        expected) -> None:
    _earlier, later, _made, _bussum = series_with_two
    assert _summary(gather_overview(db.session, later.series, filters)) == expected


def test_the_organisation_filter_matches_every_spelling(series_with_two) -> None:
    _earlier, later, _made, _bussum = series_with_two
    overview = gather_overview(db.session, later.series, Filters(organisation="Bieb Gooi"))
    assert [r.what for r in overview.rows] == [
        "Voorleesouders op elke school", "Voorlezen in Bussum", "Spreekuur in Bussum"]


def test_the_page_and_the_exports_list_the_returning_organisations(series_with_two,
                                                                   logged_in) -> None:
    _earlier, later, _made, _bussum = series_with_two
    base = f"/organiser/series/{later.series_id}/overview"
    html = logged_in.get(base + "/organisations?theme=zorg").get_data(as_text=True)
    assert "Organisaties in meer dan één meetup: 1." in html
    assert "GGD Gooi" in html
    assert "Zorgspreekuur op school <span class=\"muted\">(Zorg vs. lesgeven; nog geen " \
           "bericht)" in html
    assert "Spreekuur in Bussum <span class=\"muted\">(Zorg vs. lesgeven; Gerealiseerd)" in html
    assert "Bibliotheek Gooi</h2>" not in html
    assert f'href="{base}.pdf?theme=zorg"' in html
    # The agreements view beside it links the PDF too and keeps its status words.
    agreements_view = logged_in.get(base + "?theme=taal").get_data(as_text=True)
    assert f'href="{base}.pdf?theme=taal"' in agreements_view
    assert "<td>Bezig: Drie scholen doen mee</td>" in agreements_view
    response = logged_in.get(base + "/organisations.csv?theme=zorg")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert [(r[1], r[5], r[7], r[9], r[11]) for r in rows[1:]] == [
        ("GGD Gooi", "Hilversum", "trekker", "Zorgspreekuur op school", "nog geen bericht"),
        ("GGD Gooi", "Bussum", "partner", "Spreekuur in Bussum", "gerealiseerd")]
    data = json.loads(logged_in.get(base + ".json").get_data())
    returning = data["returning_organisations"]
    assert [(o["name"], o["meetups"]) for o in returning] == [
        ("Bibliotheek Gooi", 2), ("Buurtwerk", 2), ("GGD Gooi", 2)]
    assert [a["what"] for a in returning[0]["per_meetup"][1]["as_partner"]] == [
        "Spreekuur in Bussum"]


def _pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "overzicht.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return " ".join(text.split())


def test_the_pdf_has_the_standing_every_theme_and_the_returning_organisations(
        series_with_two, tmp_path: Path) -> None:
    _earlier, later, _made, _bussum = series_with_two
    pdf, pages = build_overview_pdf_with_pages(
        gather_overview(db.session, later.series), datetime(2026, 12, 7, 11, tzinfo=UTC))
    text = _pdftotext(pdf, tmp_path)
    assert pages >= 3
    assert "Meetup Kansenongelijkheid Gooi" in text
    assert "2 meetups in Bussum, Hilversum" in text
    assert "Stand op 07-12-2026 12:00. Alle afspraken van de reeks, zonder filter." in text
    # Stand van zaken over the series: 1 gerealiseerd, 1 bezig, 3 gepland (no word), 0 gestopt.
    assert "1 1 3 0 3 gerealiseerd bezig gepland gestopt nog geen bericht" in text
    assert "Meetup Hilversum, Hilversum, 20-05-2026 3 0 1 2 0 2" in text
    themes = text[text.index("Thema: Taal"):text.index("Organisaties die terugkomen")]
    assert "1 Voorleesouders op elke school Fatima, Bibliotheek Gooi GGD bezig: Drie " \
           "scholen doen mee" in themes
    assert "Thema: Zorg vs. lesgeven" in themes
    assert "5 Spreekuur in Bussum Dirk, Gem. Bussum ggd gooi, Bieb Gooi gerealiseerd: " \
           "Loopt elke week" in themes
    organisations = text[text.rindex("Organisaties die terugkomen"):]
    assert "Bibliotheek Gooi 2 2 1 Buurtwerk 2 1 1 GGD Gooi 2 1 1" in organisations
    assert "Bibliotheek Gooi (2 meetups) Ook geschreven als: bibliotheek gooi, Bieb Gooi" \
        in organisations
    # Per meetup the numbers of its agreements there: the library pulls #1 in Hilversum,
    # pulls #3 and joins #5 in Bussum.
    assert "Meetup Hilversum, Hilversum, 20-05-2026 #1 – Meetup Bussum, Bussum, 05-11-2026 " \
           "#3 #5" in organisations


def test_the_pdf_follows_the_filters(series_with_two, tmp_path: Path, logged_in) -> None:
    _earlier, later, _made, _bussum = series_with_two
    response = logged_in.get(f"/organiser/series/{later.series_id}/overview.pdf?city=Bussum")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "overzicht.pdf" in response.headers["Content-Disposition"]
    text = _pdftotext(response.get_data(), tmp_path)
    assert "Alleen de afspraken met plaats Bussum." in text
    assert "Spreekuur in Bussum" in text and "Voorleesouders op elke school" not in text
    assert "Geen organisatie staat bij afspraken van meer dan één meetup." in text


def test_another_organiser_gets_neither_the_organisations_nor_the_pdf(
        app, series_with_two) -> None:
    _earlier, later, _made, _bussum = series_with_two
    make_organiser("bob@example.org")
    bob = app.test_client()
    bob.post("/organiser/login", data={"email": "bob@example.org", "password": PASSWORD})
    for path in ("overview/organisations", "overview/organisations.csv", "overview.pdf"):
        response = bob.get(f"/organiser/series/{later.series_id}/{path}")
        assert response.status_code in (403, 404), path
        assert b"Bibliotheek" not in response.get_data()


def test_odd_filter_values_give_an_empty_overview_not_an_error(series_with_two,
                                                               logged_in) -> None:
    _earlier, later, _made, _bussum = series_with_two
    base = f"/organiser/series/{later.series_id}/overview"
    odd = {"city": "\x07", "year": "1e400", "theme": "<img src=x>", "status": "x" * 300,
           "organisation": "<font color=red>GGD</font>"}
    for path in ("/organisations", "/organisations.csv", ".pdf", ""):
        response = logged_in.get(base + path, query_string=odd)
        assert response.status_code == 200, path
    html = logged_in.get(base + "/organisations", query_string=odd).get_data(as_text=True)
    assert "Organisaties in meer dan één meetup: 0." in html and "<img src=x>" not in html


def test_two_meetups_of_one_name_place_and_day_stay_two_rows_in_the_pdf(
        series_with_two, tmp_path: Path) -> None:
    _earlier, later, _made, _bussum = series_with_two
    overview = gather_overview(db.session, later.series)
    alike = replace(overview, themes=tuple(
        replace(t, rows=tuple(replace(r, meetup_title="Meetup Gooi", city="Gooi",
                                      meetup_date=date(2026, 5, 20)) for r in t.rows))
        for t in overview.themes))
    text = _pdftotext(build_overview_pdf_with_pages(alike)[0], tmp_path)
    summary = text[text.index("Per meetup"):text.index("Per thema")]
    assert summary.count("Meetup Gooi, Gooi, 20-05-2026") == 2
    assert "Meetup Gooi, Gooi, 20-05-2026 3 0 1 2 0 2" in summary
    assert "Meetup Gooi, Gooi, 20-05-2026 2 1 0 1 0 1" in summary


def test_the_pdf_lists_an_organisations_agreement_numbers_in_order(series_with_two,
                                                                   tmp_path: Path) -> None:
    _earlier, later, _made, _bussum = series_with_two
    carla = next(p for p in later.participants if p.display_name == "Carla Smit")
    later.phase = Phase.AGREEMENTS
    finished_agreement(carla, "Taalspreekuur in Bussum", "Carla", "Bibliotheek Gooi",
                       ["GGD Gooi"])  # made after the zorg one, numbered before it
    later.phase = Phase.CLOSED
    db.session.commit()
    text = _pdftotext(build_overview_pdf_with_pages(
        gather_overview(db.session, later.series))[0], tmp_path)
    assert "4 Taalspreekuur in Bussum" in text and "6 Spreekuur in Bussum" in text
    organisations = text[text.rindex("Organisaties die terugkomen"):]
    assert "Meetup Bussum, Bussum, 05-11-2026 – #4, #6" in organisations
