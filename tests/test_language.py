"""The first visit follows the browser's language; the choice is kept in a cookie."""

from __future__ import annotations

from flask.testing import FlaskClient


def lang_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie("lang", domain="meetup.test")
    return cookie.value if cookie is not None else None


def test_a_first_visit_follows_the_browser_and_the_choice_is_kept(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert 'lang="en"' in page.get_data(as_text=True)
    assert "Join with a code" in page.get_data(as_text=True)
    assert lang_cookie(client) == "en"
    # Kept: a later visit from the same browser stays English, whatever it asks for.
    again = client.get("/", headers={"Accept-Language": "nl"})
    assert "Join with a code" in again.get_data(as_text=True)


def test_dutch_when_the_browser_asks_for_neither_dutch_nor_english(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Language": "de-DE,fr;q=0.8"})
    assert "Aanmelden met een code" in page.get_data(as_text=True)
    assert lang_cookie(client) == "nl"


def test_dutch_first_when_the_browser_names_both(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Language": "nl-BE,en;q=0.5"})
    assert "Aanmelden met een code" in page.get_data(as_text=True)


def test_switching_the_language_overrides_the_browser(client: FlaskClient) -> None:
    client.get("/", headers={"Accept-Language": "en"})
    client.get("/lang/nl")
    page = client.get("/", headers={"Accept-Language": "en"})
    assert "Aanmelden met een code" in page.get_data(as_text=True)
    assert lang_cookie(client) == "nl"
