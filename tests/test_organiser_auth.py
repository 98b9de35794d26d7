"""Organisers log in and out; pages behind the login stay closed; forms need their CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Meetup, Organiser
from meetup.services import meetups, organisers
from tests.conftest import PASSWORD, make_app

EXPIRED = "Je formulier is verlopen"


def error_of(html: str, field_id: str) -> str:
    """The error text shown next to the field with this id ('' when none)."""
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else ""


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def test_pages_behind_login_send_you_to_login_and_back(client: FlaskClient,
                                                       meetup: Meetup) -> None:
    response = client.get(f"/organiser/meetups/{meetup.id}")
    assert response.status_code == 302
    assert response.location == f"/organiser/login?next=/organiser/meetups/{meetup.id}"

    response = client.post(response.location,
                           data={"email": "ADA@example.org ", "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == f"/organiser/meetups/{meetup.id}"
    assert "Meetup Hilversum" in client.get(response.location).get_data(as_text=True)


@pytest.mark.parametrize("path", ["/organiser/", "/organiser/meetups/new",
                                  "/organiser/meetups/1/edit", "/organiser/meetups/1/delete",
                                  "/organiser/meetups/1/themes/taal"])
def test_every_preparation_page_needs_a_login(client: FlaskClient, meetup: Meetup,
                                              path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.location.startswith("/organiser/login?next=")


def test_wrong_password_shows_a_dutch_error_next_to_the_password(
        client: FlaskClient, organiser: Organiser) -> None:
    response = client.post("/organiser/login",
                           data={"email": organiser.email, "password": "wrong password!"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error_of(html, "password") == "Dit e-mailadres en wachtwoord horen niet bij elkaar."
    assert client.get("/organiser/").status_code == 302  # still logged out


def test_an_unknown_address_gets_the_same_answer(client: FlaskClient,
                                                 organiser: Organiser) -> None:
    html = client.post("/organiser/login", data={"email": "nobody@example.org",
                                                 "password": PASSWORD}).get_data(as_text=True)
    assert error_of(html, "password") == "Dit e-mailadres en wachtwoord horen niet bij elkaar."


def test_empty_fields_get_dutch_errors(client: FlaskClient, organiser: Organiser) -> None:
    html = client.post("/organiser/login", data={"email": "", "password": ""}).get_data(
        as_text=True)
    assert error_of(html, "email")
    assert error_of(html, "password")
    assert "Enter your" not in html


def test_session_cookie_is_httponly_and_samesite_lax(client: FlaskClient,
                                                     organiser: Organiser) -> None:
    response = client.post("/organiser/login",
                           data={"email": organiser.email, "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_login_only_redirects_to_paths_on_this_site(client: FlaskClient,
                                                    organiser: Organiser) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        client.post("/organiser/logout")
        response = client.post("/organiser/login", query_string={"next": target},
                               data={"email": organiser.email, "password": PASSWORD})
        assert response.status_code == 302
        assert response.location == "/organiser/", target


def test_logout_is_a_post_and_ends_the_session(logged_in: FlaskClient) -> None:
    assert logged_in.get("/organiser/logout").status_code == 405
    assert logged_in.get("/organiser/").status_code == 200

    response = logged_in.post("/organiser/logout", follow_redirects=True)
    assert "Je bent uitgelogd." in response.get_data(as_text=True)
    assert logged_in.get("/organiser/").status_code == 302


def test_a_logged_in_organiser_skips_the_login_page(logged_in: FlaskClient) -> None:
    response = logged_in.get("/organiser/login")
    assert response.status_code == 302
    assert response.location == "/organiser/"


# --- CSRF: with protection on (as in production), a POST without its token changes nothing.

@pytest.fixture
def csrf_app(tmp_path: Path) -> Iterator[Flask]:
    """An app with CSRF protection on. Unlike the shared fixtures it keeps no app context open
    between requests (Flask-WTF caches the token in ``g``), so each request is a real one."""
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        organiser = organisers.create_organiser(db.session, "ada@example.org", PASSWORD)
        meetups.create_meetup(db.session, organiser, title="Meetup Hilversum",
                              starts_at=datetime(2026, 12, 3, 17, 30, tzinfo=UTC))
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _meetup_ids(app: Flask) -> list[int]:
    with app.app_context():
        ids = list(db.session.scalars(select(Meetup.id)))
        db.session.remove()
        return ids


def _log_in_with_token(client: FlaskClient) -> None:
    token = csrf_token(client.get("/organiser/login").get_data(as_text=True))
    response = client.post("/organiser/login", data={
        "email": "ada@example.org", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_login_without_token_is_refused(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    response = client.post("/organiser/login",
                           data={"email": "ada@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert EXPIRED in response.get_data(as_text=True)
    assert client.get("/organiser/").status_code == 302


def test_creating_a_meetup_without_token_is_refused(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    _log_in_with_token(client)
    form = {"title": "Meetup Utrecht", "table_size": "6", "votes_per_person": "3"}
    response = client.post("/organiser/meetups/new", data=form)
    assert response.status_code == 400
    assert EXPIRED in response.get_data(as_text=True)
    assert len(_meetup_ids(csrf_app)) == 1

    # With the token from the form it works.
    page = client.get("/organiser/meetups/new").get_data(as_text=True)
    response = client.post("/organiser/meetups/new", data={**form, "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert len(_meetup_ids(csrf_app)) == 2


def test_deleting_a_meetup_without_token_is_refused(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    _log_in_with_token(client)
    [meetup_id] = _meetup_ids(csrf_app)
    response = client.post(f"/organiser/meetups/{meetup_id}/delete")
    assert response.status_code == 400
    assert EXPIRED in response.get_data(as_text=True)
    assert _meetup_ids(csrf_app) == [meetup_id]

    # With the token from the confirmation page it works.
    page = client.get(f"/organiser/meetups/{meetup_id}/delete").get_data(as_text=True)
    response = client.post(f"/organiser/meetups/{meetup_id}/delete",
                           data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert _meetup_ids(csrf_app) == []
