"""The organiser's preparation pages and the public briefing in a real browser: every field
has a label, errors are announced next to their field, and axe finds nothing."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_violations, describe, login


def _accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_preparing_a_meetup_in_the_browser(server, live_organiser, laptop, new_phone) -> None:
    page = laptop.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{server.base_url}/organiser/login")
    _accessible(page)
    login(page, server.base_url, live_organiser)
    _accessible(page)  # the dashboard

    page.get_by_role("link", name=re.compile("Nieuwe meetup")).first.click()
    _accessible(page)
    page.get_by_role("button", name="Meetup aanmaken").click()
    title = page.get_by_label("Titel", exact=True)
    expect(title).to_have_attribute("aria-invalid", "true")
    _accessible(page)  # the form with its Dutch errors

    title.fill("Meetup Amersfoort")
    page.get_by_label("Plaats").fill("Amersfoort")
    page.get_by_role("button", name="Meetup aanmaken").click()
    expect(page.get_by_role("heading", name="Meetup Amersfoort")).to_be_visible()
    _accessible(page)  # the meetup page with its links

    page.get_by_role("link", name=re.compile("Taal centraal")).first.click()
    expect(page.get_by_label("Centrale vraag")).to_be_visible()
    _accessible(page)  # the theme editor

    page.go_back()
    briefing = page.get_by_role("link", name="Open de briefingpagina").get_attribute("href")
    phone = new_phone(360).new_page()
    phone.goto(briefing if briefing.startswith("http") else server.base_url + briefing)
    expect(phone.get_by_role("heading", name=re.compile("Meetup Amersfoort"))).to_be_visible()
    expect(phone.get_by_text("Wat gebeurt er al?").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    _accessible(phone)
    assert errors == []
