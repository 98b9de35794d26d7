"""Preparing a meetup: dashboard, create, edit, delete, the meetup page and its themes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import Meetup, Organiser, Participant, Theme
from meetup.services import content, joining, meetups, organisers
from tests.conftest import PASSWORD
from tests.test_organiser_auth import error_of

FORM = {"title": "Meetup Utrecht", "city": "Utrecht", "venue": "Stadhuis",
        "date": "2026-07-02", "start_time": "19:30", "welcome": "Welkom allemaal!",
        "table_size": "5", "votes_per_person": "4"}


def add_participant(meetup: Meetup, name: str = "Sanne de Vries") -> Participant:
    participant, _token = joining.join(db.session, meetup, joining.JoinRequest(
        display_name=name, role=content.role_keys()[0], organisation="OBS De Linde"))
    db.session.commit()
    return participant


@pytest.fixture
def other_client(app: Flask) -> FlaskClient:
    """A second organiser, logged in, who owns nothing of Ada's."""
    organisers.create_organiser(db.session, "bob@example.org", PASSWORD, name="Bob")
    db.session.commit()
    client = app.test_client()
    assert client.post("/organiser/login", data={"email": "bob@example.org",
                                                 "password": PASSWORD}).status_code == 302
    return client


def text(response) -> str:  # noqa: ANN001
    return unescape(response.get_data(as_text=True))


# --- dashboard

def test_dashboard_lists_my_meetups_with_their_facts(logged_in: FlaskClient,
                                                     meetup: Meetup) -> None:
    add_participant(meetup)
    add_participant(meetup, "Ahmed Yilmaz")
    html = text(logged_in.get("/organiser/"))
    row = re.search(r"<tr>\s*<th scope=\"row\">.*?</tr>", html, re.S).group(0)
    assert "Meetup Hilversum" in row
    assert "Hilversum" in row and "Bibliotheek" in row
    assert "do 3 dec 2026, 18:30" in row  # 17:30 UTC is 18:30 in Amsterdam in December
    assert "Aanmelden" in row
    assert '<td class="number">2</td>' in row
    assert meetup.short_code in row
    assert f'href="/organiser/meetups/{meetup.id}"' in row
    assert 'href="/organiser/meetups/new"' in html and "Nieuwe meetup" in html


def test_dashboard_hides_other_organisers_meetups(other_client: FlaskClient,
                                                 meetup: Meetup) -> None:
    html = text(other_client.get("/organiser/"))
    assert "Meetup Hilversum" not in html
    assert "Je hebt nog geen meetups." in html or "nog geen meetups" in html


# --- create

def test_new_meetup_form_has_defaults(logged_in: FlaskClient) -> None:
    html = text(logged_in.get("/organiser/meetups/new"))
    assert re.search(r'id="table_size"[^>]*value="6"', html)
    assert re.search(r'id="votes_per_person"[^>]*value="3"', html)
    for label in ("Titel", "Plaats", "Locatie", "Datum", "Begintijd", "Welkomsttekst"):
        assert f">{label}</label>" in html


def test_creating_a_meetup_stores_utc_and_copies_the_themes(logged_in: FlaskClient,
                                                            organiser: Organiser) -> None:
    response = logged_in.post("/organiser/meetups/new", data=FORM)
    assert response.status_code == 302
    meetup = db.session.scalar(select(Meetup).where(Meetup.title == "Meetup Utrecht"))
    assert response.location == f"/organiser/meetups/{meetup.id}"
    # 19:30 in July is summer time (UTC+2).
    assert meetup.starts_at == datetime(2026, 7, 2, 17, 30, tzinfo=UTC)
    assert (meetup.city, meetup.venue, meetup.welcome) == ("Utrecht", "Stadhuis",
                                                           "Welkom allemaal!")
    assert (meetup.table_size, meetup.votes_per_person) == (5, 4)
    assert meetup.organiser_id == organiser.id
    assert [t.key for t in meetup.themes] == ["taal", "overgangen", "zorg"]
    assert "De meetup staat klaar" in text(logged_in.get(response.location))


def test_winter_time_is_one_hour_from_utc(logged_in: FlaskClient) -> None:
    logged_in.post("/organiser/meetups/new", data={**FORM, "date": "2026-12-03"})
    meetup = db.session.scalar(select(Meetup).where(Meetup.title == "Meetup Utrecht"))
    assert meetup.starts_at == datetime(2026, 12, 3, 18, 30, tzinfo=UTC)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": "  "}, "title", "Geef de meetup een titel."),
    ({"table_size": "20"}, "table_size", "Aan een tafel zitten 2 tot 12 mensen."),
    ({"votes_per_person": "0"}, "votes_per_person", "1 tot 10 stemmen"),
    ({"start_time": ""}, "start_time", "Vul de begintijd in."),
    ({"date": ""}, "date", "Vul de datum in."),
    # The clocks go from 02:00 to 03:00 on 28 March 2027: 02:30 does not exist.
    ({"date": "2027-03-28", "start_time": "02:30"}, "start_time", "Deze tijd bestaat niet"),
])
def test_wrong_input_gets_a_dutch_error_next_to_its_field(
        logged_in: FlaskClient, changes: dict[str, str], field: str, message: str) -> None:
    response = logged_in.post("/organiser/meetups/new", data={**FORM, **changes})
    assert response.status_code == 200
    assert message in error_of(text(response), field)
    assert db.session.scalar(select(func.count(Meetup.id))) == 0


def test_a_meetup_without_date_yet_can_be_created(logged_in: FlaskClient) -> None:
    response = logged_in.post("/organiser/meetups/new",
                              data={**FORM, "date": "", "start_time": ""})
    assert response.status_code == 302
    assert db.session.scalar(select(Meetup.starts_at)) is None


# --- edit

def test_edit_shows_amsterdam_time_and_saves_changes(logged_in: FlaskClient,
                                                     meetup: Meetup) -> None:
    html = text(logged_in.get(f"/organiser/meetups/{meetup.id}/edit"))
    assert re.search(r'id="date"[^>]*value="2026-12-03"', html)
    assert re.search(r'id="start_time"[^>]*value="18:30"', html)
    assert re.search(r'id="title"[^>]*value="Meetup Hilversum"', html)

    response = logged_in.post(f"/organiser/meetups/{meetup.id}/edit", data={
        **FORM, "title": "Meetup Hilversum-Oost", "date": "2026-12-03", "start_time": "19:00"})
    assert response.status_code == 302
    db.session.refresh(meetup)
    assert meetup.title == "Meetup Hilversum-Oost"
    assert meetup.starts_at == datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    assert meetup.table_size == 5


def test_edit_with_an_error_changes_nothing(logged_in: FlaskClient, meetup: Meetup) -> None:
    response = logged_in.post(f"/organiser/meetups/{meetup.id}/edit",
                              data={**FORM, "title": ""})
    assert error_of(text(response), "title") == "Geef de meetup een titel."
    db.session.refresh(meetup)
    assert meetup.title == "Meetup Hilversum"


# --- delete

def test_delete_asks_first_then_removes_everything(logged_in: FlaskClient,
                                                   meetup: Meetup) -> None:
    add_participant(meetup)
    page = text(logged_in.get(f"/organiser/meetups/{meetup.id}/delete"))
    assert "Meetup Hilversum verwijderen?" in page
    assert "Aangemelde deelnemers: 1" in page
    assert db.session.get(Meetup, meetup.id) is not None  # looking changes nothing

    response = logged_in.post(f"/organiser/meetups/{meetup.id}/delete")
    assert response.status_code == 302
    assert response.location == "/organiser/"
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Meetup.id))) == 0
    assert db.session.scalar(select(func.count(Participant.id))) == 0
    assert db.session.scalar(select(func.count(Theme.id))) == 0
    assert "De meetup Meetup Hilversum is verwijderd." in text(logged_in.get("/organiser/"))


# --- ownership

@pytest.mark.parametrize("path", ["", "/edit", "/delete", "/themes/taal"])
def test_someone_elses_meetup_is_closed(other_client: FlaskClient, meetup: Meetup,
                                        path: str) -> None:
    response = other_client.get(f"/organiser/meetups/{meetup.id}{path}")
    assert response.status_code == 403
    assert "Meetup Hilversum" not in text(response)
    assert "Geen toegang" in text(response)


def test_someone_else_cannot_change_or_delete(other_client: FlaskClient,
                                              meetup: Meetup) -> None:
    assert other_client.post(f"/organiser/meetups/{meetup.id}/edit",
                             data={**FORM, "title": "Gekaapt"}).status_code == 403
    assert other_client.post(f"/organiser/meetups/{meetup.id}/delete").status_code == 403
    assert other_client.post(f"/organiser/meetups/{meetup.id}/themes/taal",
                             data={"title": "Gekaapt", "question": "?"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Meetup, meetup.id).title == "Meetup Hilversum"
    assert db.session.get(Meetup, meetup.id).themes[0].title == "Taal centraal"


def test_unknown_meetup_or_theme_is_not_found(logged_in: FlaskClient, meetup: Meetup) -> None:
    assert logged_in.get("/organiser/meetups/999").status_code == 404
    response = logged_in.get(f"/organiser/meetups/{meetup.id}/themes/sport")
    assert response.status_code == 404
    assert "Dit thema bestaat niet." in text(response)


# --- the meetup page

def test_meetup_page_gives_codes_and_every_link(logged_in: FlaskClient, meetup: Meetup) -> None:
    html = text(logged_in.get(f"/organiser/meetups/{meetup.id}"))
    assert meetup.short_code in html
    assert "donderdag 3 december 2026, 18:30" in html
    assert f'value="http://meetup.test/j/{meetup.join_token}"' in html
    assert f'value="http://meetup.test/b/{meetup.short_code}"' in html
    for href in (f"/organiser/meetups/{meetup.id}/live", f"/projector/{meetup.id}",
                 f"/projector/{meetup.id}/join", f"/projector/{meetup.id}/poster.pdf",
                 f"/projector/{meetup.id}/qr.png", f"/projector/{meetup.id}/qr.svg",
                 f"/b/{meetup.short_code}", f"/organiser/meetups/{meetup.id}/report",
                 f"/organiser/meetups/{meetup.id}/edit", f"/organiser/meetups/{meetup.id}/delete",
                 f"/organiser/meetups/{meetup.id}/themes/taal",
                 f"/organiser/meetups/{meetup.id}/themes/zorg"):
        assert f'href="{href}"' in html, href


def test_shared_links_use_the_public_url(app: Flask, logged_in: FlaskClient,
                                         meetup: Meetup) -> None:
    app.config["PUBLIC_URL"] = "https://meetup.example.nl"
    html = text(logged_in.get(f"/organiser/meetups/{meetup.id}"))
    assert f'value="https://meetup.example.nl/j/{meetup.join_token}"' in html
    assert f'value="https://meetup.example.nl/b/{meetup.short_code}"' in html


# --- themes

def test_theme_form_shows_the_theme_and_empty_rows(logged_in: FlaskClient,
                                                   meetup: Meetup) -> None:
    theme = meetup.theme_by_key("taal")
    html = text(logged_in.get(f"/organiser/meetups/{meetup.id}/themes/taal"))
    assert f'value="{theme.title}"' in html
    n = len(theme.directions)
    assert f'name="directions-{n - 1}-title"' in html
    assert f'name="directions-{n + 2}-title"' in html  # three empty rows to add
    assert f'name="directions-{n + 3}-title"' not in html
    assert theme.reading_links[0]["url"] in html
    assert theme.examples[0] in html


def _theme_post(**overrides: str) -> dict[str, str]:
    data = {"title": "Taal voorop", "subject": "Taal", "question": "Hoe helpen we samen?",
            "introduction": "Een inleiding.", "examples": "Voorleesuur\n\n  Taalcafé  \n",
            "capacity": "12",
            # Rows as the form posts them; the order field decides, blank rows drop out.
            "directions-0-position": "2", "directions-0-code": "A",
            "directions-0-title": "Vroeg signaleren", "directions-0-prompt": "Wie ziet het?",
            "directions-1-position": "1", "directions-1-code": "B",
            "directions-1-title": "Samen lezen", "directions-1-prompt": "Wie leest voor?",
            "directions-2-position": "3", "directions-2-code": "", "directions-2-title": "",
            "directions-2-prompt": "",
            "directions-3-position": "4", "directions-3-code": "C",
            "directions-3-title": "Weg ermee", "directions-3-prompt": "",
            "directions-3-remove": "y",
            "reading_links-0-position": "1", "reading_links-0-title": "Kennisbank",
            "reading_links-0-url": "https://www.gelijkekansenindeklas.nl/",
            "reading_links-1-position": "2", "reading_links-1-title": "",
            "reading_links-1-url": ""}
    data.update(overrides)
    return data


def test_theme_edit_reorders_drops_blank_rows_and_saves_per_meetup(
        logged_in: FlaskClient, meetup: Meetup, organiser: Organiser) -> None:
    other = meetups.create_meetup(db.session, organiser, title="Meetup Zwolle")
    db.session.commit()
    defaults_before = [dict(d) for d in content.default_themes()[0]["directions"]]

    response = logged_in.post(f"/organiser/meetups/{meetup.id}/themes/taal",
                              data=_theme_post())
    assert response.status_code == 302
    theme = db.session.scalar(select(Theme).where(Theme.meetup_id == meetup.id,
                                                  Theme.key == "taal"))
    db.session.refresh(theme)
    assert theme.title == "Taal voorop"
    assert theme.question == "Hoe helpen we samen?"
    assert theme.directions == [
        {"code": "B", "title": "Samen lezen", "prompt": "Wie leest voor?"},
        {"code": "A", "title": "Vroeg signaleren", "prompt": "Wie ziet het?"},
    ]
    assert theme.reading_links == [{"title": "Kennisbank",
                                    "url": "https://www.gelijkekansenindeklas.nl/"}]
    assert theme.examples == ["Voorleesuur", "Taalcafé"]
    assert theme.capacity == 12
    # Only this meetup's copy changed.
    assert other.theme_by_key("taal").title == "Taal centraal"
    assert content.default_themes()[0]["directions"] == defaults_before
    assert "Het thema Taal voorop is opgeslagen." in text(logged_in.get(
        f"/organiser/meetups/{meetup.id}"))


def test_empty_cap_means_no_cap(logged_in: FlaskClient, meetup: Meetup) -> None:
    logged_in.post(f"/organiser/meetups/{meetup.id}/themes/taal",
                   data=_theme_post(capacity=""))
    assert meetup.theme_by_key("taal").capacity is None


@pytest.mark.parametrize("url", ["http://www.example.nl/", "javascript:alert(1)",
                                 "www.example.nl", "https://", "https://exa mple.nl/"])
def test_a_bad_reading_link_is_refused_next_to_its_field(logged_in: FlaskClient,
                                                         meetup: Meetup, url: str) -> None:
    response = logged_in.post(f"/organiser/meetups/{meetup.id}/themes/taal",
                              data=_theme_post(**{"reading_links-1-title": "Artikel",
                                                  "reading_links-1-url": url}))
    assert response.status_code == 200
    html = text(response)
    assert error_of(html, "reading_links-1-url") == \
        "Vul een volledig webadres in dat begint met https://"
    assert error_of(html, "reading_links-0-url") == ""
    db.session.expire_all()
    assert meetup.theme_by_key("taal").title == "Taal centraal"  # nothing saved


def test_a_direction_without_title_is_refused(logged_in: FlaskClient, meetup: Meetup) -> None:
    response = logged_in.post(f"/organiser/meetups/{meetup.id}/themes/taal",
                              data=_theme_post(**{"directions-0-title": ""}))
    assert error_of(text(response), "directions-0-title") == "Geef deze richting een titel."


def test_theme_needs_a_title_and_question(logged_in: FlaskClient, meetup: Meetup) -> None:
    response = logged_in.post(f"/organiser/meetups/{meetup.id}/themes/taal",
                              data=_theme_post(title="", question=""))
    html = text(response)
    assert error_of(html, "title") == "Geef het thema een titel."
    assert error_of(html, "question") == "Vul de centrale vraag in."
