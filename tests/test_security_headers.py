"""Cookies and the Content-Security-Policy (issue 14, point 7).

- On the venue's network the app may run behind HTTPS with ``MEETUP_SECURE_COOKIES=1``: then no
  cookie of ours (the session, the ``lang`` choice) may ever travel over plain HTTP.
- A page that got script injected anyway must not be able to send what it reads to another
  host: ``connect-src`` names this origin (and its websocket) and MEETUP_PUBLIC_URL only.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from meetup.extensions import db
from meetup.models import Meetup
from meetup.services import meetups, organisers
from tests.conftest import PASSWORD, make_app


@pytest.fixture
def secure_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MEETUP_SECURE_COOKIES", "1")
    app = make_app(tmp_path)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def set_cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_every_cookie_is_secure_when_asked(secure_app: Flask) -> None:
    organiser = organisers.create_organiser(db.session, "ada@example.org", PASSWORD)
    meetup: Meetup = meetups.create_meetup(db.session, organiser, title="Meetup Hilversum")
    db.session.commit()
    client = secure_app.test_client()
    seen: list[str] = []
    seen += set_cookies(client.get("/lang/en"))
    seen += set_cookies(client.post(f"/j/{meetup.join_token}", data={
        "display_name": "Fatima", "role": "leerkracht_po", "organisation": "OBS De Regenboog"}))
    seen += set_cookies(client.post("/organiser/login",
                                    data={"email": "ada@example.org", "password": PASSWORD}))
    names = {cookie.split("=", 1)[0] for cookie in seen}
    assert {"lang", "session"} <= names
    insecure = [cookie for cookie in seen if "; Secure" not in cookie]
    assert insecure == []


def cookie_attributes(cookie: str) -> tuple[str, set[str]]:
    """A Set-Cookie header's name and its attributes (lower case, values kept)."""
    first, *attributes = cookie.split(";")
    return first.split("=", 1)[0].strip(), {a.strip().lower() for a in attributes}


def test_a_first_visit_gets_only_secure_cookies_when_asked(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """A phone that never visited before opens the home page (or the code form, a join
    link, the login, a briefing): the language cookie set on that first answer, before any
    /lang/..., is as protected as the session: Secure, HttpOnly, SameSite=Lax."""
    monkeypatch.setenv("MEETUP_SECURE_COOKIES", "1")
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)  # forms put their token in the session
    with app.app_context():
        db.create_all()
        organiser = organisers.create_organiser(db.session, "ada@example.org", PASSWORD)
        meetup: Meetup = meetups.create_meetup(db.session, organiser, title="Meetup Hilversum")
        db.session.commit()
        pages = ["/", "/join", f"/j/{meetup.join_token}", "/organiser/login",
                 f"/b/{meetup.short_code}", "/privacy"]
        seen: dict[str, list[tuple[str, set[str]]]] = {}
        for page in pages:
            response = app.test_client().get(page)  # a fresh client: no cookie yet
            assert response.status_code == 200, page
            seen[page] = [cookie_attributes(c) for c in set_cookies(response)]
        db.session.remove()
        db.engine.dispose()
    assert [name for name, _attributes in seen["/"]] == ["lang"]
    assert all("lang" in [name for name, _ in cookies] for cookies in seen.values())
    assert "session" in [name for cookies in seen.values() for name, _ in cookies]
    unprotected = {page: name for page, cookies in seen.items() for name, attributes in cookies
                   if not {"secure", "httponly", "samesite=lax"} <= attributes}
    assert unprotected == {}


def test_without_the_setting_the_lang_cookie_still_works_over_http(client) -> None:
    cookie = set_cookies(client.get("/lang/en"))[0]
    assert cookie.startswith("lang=en") and "Secure" not in cookie


def connect_src(response) -> list[str]:
    csp = response.headers["Content-Security-Policy"]
    part = next(p for p in csp.split(";") if p.strip().startswith("connect-src"))
    return part.split()[1:]


def test_pages_may_connect_only_to_their_own_origin(client) -> None:
    sources = connect_src(client.get("/"))
    assert sources == ["'self'", "http://meetup.test", "ws://meetup.test"]
    # No scheme-wide source that lets a script talk to any host.
    assert not any(source in ("ws:", "wss:", "http:", "https:", "*") for source in sources)


def test_behind_https_the_socket_source_is_wss(client) -> None:
    sources = connect_src(client.get("/", base_url="https://meetup.test"))
    assert "wss://meetup.test" in sources and "ws://meetup.test" not in sources


def test_the_public_url_is_allowed_too(app: Flask, client) -> None:
    app.config["PUBLIC_URL"] = "https://meetup.example.nl"
    sources = connect_src(client.get("/"))
    assert "https://meetup.example.nl" in sources and "wss://meetup.example.nl" in sources


def test_a_forged_host_header_cannot_widen_the_policy(client) -> None:
    response = client.get("/", headers={"Host": "meetup.test; connect-src *"})
    assert "connect-src *" not in response.headers.get("Content-Security-Policy", "")
