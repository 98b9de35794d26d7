"""The organiser groups the room's notes for the plenary in a real browser: suggest, move a
note, rename, confirm; the page passes axe and fits 320 px without sideways scrolling."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from meetup.extensions import db
from meetup.models import Phase
from tests.browser.conftest import axe_violations, describe, login
from tests.test_board import note, seated

NOTES = ["Voorlezen in groep 3 door de bieb", "voorlezn", "voorleesouders op school",
         "Taalcursus voor ouders op school", "taalcafe voor moeders", "ouderkamer met taalles"]


def _board(server_app, meetup, organiser) -> None:
    with server_app.test_request_context():
        meetup = db.session.merge(meetup)
        people = seated(meetup, db.session.merge(organiser), n=4, size=2)
        meetup.phase = Phase.ROUND_1
        for i, text in enumerate(NOTES):
            note(people[i % 4], text)
        meetup.phase = Phase.VOTING
        db.session.commit()


def test_the_organiser_confirms_groups(server, server_app, live_organiser, live_meetup,
                                       laptop, browser) -> None:
    _board(server_app, live_meetup, live_organiser)
    page = laptop.new_page()
    login(page, server.base_url, live_organiser)
    page.goto(f"{server.base_url}/organiser/meetups/{live_meetup.id}")
    page.get_by_role("link", name="Groepen voor de plenaire ronde").click()
    expect(page.get_by_role("heading", name="Groepen voor de plenaire ronde")).to_be_visible()

    page.get_by_role("button", name="Groepen voorstellen").click()
    expect(page.get_by_role("heading", name=re.compile("Groepen: 2"))).to_be_visible()
    expect(page.get_by_text("Niet bevestigd: de projector toont")).to_be_visible()
    cards = page.locator(".group-card")
    expect(cards).to_have_count(2)
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    # Move "taalcafe voor moeders" into the reading group, wherever it was suggested.
    cafe_card = cards.filter(has_text="taalcafe voor moeders")
    reading_title = cards.filter(has_text="voorlezn").locator("h3").inner_text()
    cafe_card.get_by_label(re.compile("taalcafe voor moeders")).check()
    cafe_card.get_by_label("Verplaats de aangevinkte notities naar").select_option(
        label=reading_title)
    cafe_card.get_by_role("button", name="Verplaatsen").click()
    reading = page.locator(".group-card").filter(has_text="voorlezn")
    expect(reading.get_by_text("taalcafe voor moeders")).to_be_visible()
    expect(reading.get_by_text("Notities: 4")).to_be_visible()

    reading.get_by_label("Titel").fill("Lezen en taal met ouders")
    reading.get_by_role("button", name="Naam wijzigen").click()
    expect(page.get_by_role("heading", name="Lezen en taal met ouders")).to_be_visible()

    page.get_by_role("button", name="Deze groepen bevestigen").click()
    expect(page.get_by_text("Bevestigd: de projector mag deze groepen tonen.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("bevestigd"))).to_have_count(1)

    narrow = browser.new_context(viewport={"width": 320, "height": 700}, locale="nl-NL")
    small = narrow.new_page()
    small.context.add_cookies(laptop.cookies())
    small.goto(page.url)
    expect(small.get_by_role("heading", name="Lezen en taal met ouders")).to_be_visible()
    assert small.evaluate("document.documentElement.scrollWidth") <= 320
    violations = axe_violations(small)
    assert violations == [], describe(violations)
    narrow.close()
