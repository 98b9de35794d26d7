"""The demo in a browser: the demo organiser finds tonight's meetup and the earlier evening it
follows on from, with that evening's follow-up board and report (``meetup demo``)."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect

from meetup.extensions import db
from meetup.services import demo
from tests.browser.conftest import axe_violations, describe
from tests.servers import LiveServer


def _accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_the_demo_organiser_sees_the_earlier_evening_its_follow_up_and_report(
        server: LiveServer, server_app: Flask, laptop: BrowserContext) -> None:
    seeded = demo.seed(db.session)  # what `meetup demo` seeds into an empty database
    assert seeded is not None
    db.session.commit()
    base = server.base_url

    page = laptop.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/organiser/login")
    page.get_by_label("E-mailadres").fill(seeded.email)
    page.get_by_label("Wachtwoord").fill(seeded.password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/organiser/")

    # "Mijn meetups": tonight's meetup and the earlier evening, in one series.
    expect(page.get_by_role("heading", name="Mijn meetups")).to_be_visible()
    expect(page.get_by_role("link", name="Meetup Hilversum", exact=True)).to_be_visible()
    earlier = page.get_by_role("link", name="Meetup Hilversum (voorjaar)", exact=True)
    expect(earlier).to_be_visible()
    expect(page.get_by_role("link", name="Meetup Kansenongelijkheid Hilversum").first) \
        .to_be_visible()

    earlier.click()
    page.get_by_role("link", name="Opvolgbord").click()
    expect(page.get_by_role("heading", name="Opvolgbord")).to_be_visible()
    board = page.get_by_role("table")
    expect(board.get_by_role("row")).to_have_count(10)  # a header and nine agreements
    for status in ("Gerealiseerd", "Bezig", "Gepland", "Gestopt"):
        expect(board.get_by_text(status, exact=True).first).to_be_visible()
    stuck = board.get_by_role("row").filter(has_text="Gestopt")
    expect(stuck).to_contain_text("Proefweek in de brugklas")
    expect(stuck).to_contain_text("Vastgelopen")
    expect(board.get_by_text("nog geen").first).to_be_visible()  # an owner without news
    _accessible(page)

    page.get_by_role("link", name="Gerealiseerd", exact=True).first.click()  # the filter
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(3)

    page.get_by_role("link", name="Meetup Hilversum (voorjaar)", exact=True).click()
    page.get_by_role("link", name="Verslag van de afspraken").click()
    expect(page.get_by_text(re.compile("Taalcafé voor ouders")).first).to_be_visible()
    expect(page.get_by_text("Wim Brouwer").first).to_be_visible()
    _accessible(page)
    assert errors == []
