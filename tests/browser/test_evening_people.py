"""No one is left out, in real browsers: late arrivals, moves, caps, hidden notes, voting that
leads somewhere, the plenary on every phone, the closing screen, and each page's language.

Phones are Pixel 7 contexts; the organiser's writes go over the protocol (a Socket.IO client
logged in as the organiser), so these tests follow what the phones and the projector show.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from meetup.extensions import db
from meetup.models import Phase
from meetup.services import agreements, board, phases
from tests.browser.conftest import PASSWORD
from tests.browser.test_live_support import (
    assert_accessible,
    assert_no_sideways_scroll,
    expect_connected,
    join_phone,
    open_control,
    phone_as,
    seat_people,
    watch_errors,
)
from tests.socket_clients import Socket, log_in


@pytest.fixture
def organiser_socket(server, live_meetup) -> Any:  # type: ignore[no-untyped-def]
    """The organiser's writes, over the protocol (robust to how the control page looks)."""
    sock = Socket(server, log_in(server, live_meetup, PASSWORD), live_meetup.id,
                  "organiser").connect()
    yield sock
    sock.close()


def open_phone(context: BrowserContext, server_app: Any, base: str, meetup_id: int,
               token: str) -> tuple[Page, list[str]]:
    phone_as(context, server_app, base, meetup_id, token)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{base}/live/{meetup_id}")
    expect_connected(page)
    return page, errors


def check_screen(page: Page) -> None:
    assert_accessible(page)
    assert_no_sideways_scroll(page)


def test_a_late_arrival_is_asked_for_a_theme_and_a_moved_person_is_told(
        server, server_app, live_meetup, live_organiser, laptop, new_phone, organiser_socket):
    base = server.base_url
    joined = seat_people(live_meetup, live_organiser, [
        ("Fatima El Amrani", "leerkracht_po", "OBS De Linde", "taal"),
        ("Joost Bakker", "gemeente", "Gemeente Hilversum", "taal"),
        ("Sanne de Wit", "jeugdwerk", "Jongerenwerk Hilversum", "zorg"),
        ("Noor Haddad", "ib_zorgcoordinator", "Basisschool De Regenboog", "overgangen"),
    ], "theme_choice")
    (fatima, _), (joost, joost_token), (sanne, _), _noor = joined
    taal_table, zorg_table = fatima.table.number, sanne.table.number
    control, control_errors = open_control(laptop, base, live_organiser, live_meetup)
    projector = laptop.new_page()
    projector.goto(f"{base}/projector/{live_meetup.id}")
    expect_connected(projector)
    expect(projector.locator(".pr-bar--taal .pr-bar__count")).to_have_text("2")
    taal_count = control.locator("#theme-caps li", has_text="Taal centraal")
    expect(taal_count).to_contain_text("2 mensen")

    # Point 7: the organiser moves Joost to the zorg table; his phone says so, and the
    # projector's theme counts follow at once.
    phone, phone_errors = open_phone(new_phone(), server_app, base, live_meetup.id, joost_token)
    organiser_socket.write("participant.move", {"participant": joost.id, "table": zorg_table})
    notice = phone.locator(".notice")
    expect(notice).to_have_text(re.compile(f"Je zit nu aan tafel {zorg_table}"))
    expect(projector.locator(".pr-bar--taal .pr-bar__count")).to_have_text("1")
    expect(projector.locator(".pr-bar--zorg .pr-bar__count")).to_have_text("2")
    expect(taal_count).to_contain_text("1 persoon")
    expect(control.locator("#theme-caps li", has_text="Zorg")).to_contain_text("2 mensen")
    phone.reload()  # the notice stays until Joost closes it
    expect_connected(phone)
    expect(notice).to_have_text(re.compile(f"tafel {zorg_table}"))
    check_screen(phone)
    phone.get_by_role("button", name="Oké").click()
    expect(notice).to_have_count(0)

    # Point 9: someone still choosing sees a cap arrive: the full theme stops offering itself.
    late, late_errors = join_phone(new_phone(320), base, live_meetup, "Łukasz Nowak",
                                   "Ouder / vrijwilliger", "Ouderraad")
    card = late.locator(".theme-card", has=late.get_by_role("heading", name="De grote oversteek"))
    expect(card.get_by_role("button", name="Kies dit thema")).to_be_enabled()
    organiser_socket.write("theme.cap", {"theme": "overgangen", "capacity": 1})
    expect(card.get_by_role("button", name="Vol")).to_be_disabled()

    # Point 5: the rounds start before Łukasz chose; he is asked for a theme, then seated.
    organiser_socket.write("phase.set", {"phase": "round_1"})
    expect(late.get_by_role("heading", name="Kies een thema")).to_be_visible()
    expect(late.locator(".lead")).to_have_text(
        "Kies een thema: je krijgt meteen een tafel bij dat thema.")
    check_screen(late)
    late.locator(".theme-card", has=late.get_by_role("heading", name="Taal centraal")).get_by_role(
        "button", name="Kies dit thema").click()
    expect(late.locator(".notice")).to_have_text(re.compile(f"Je zit nu aan tafel {taal_table}"))
    expect(late.get_by_role("heading", name="Wat gebeurt er al?")).to_be_visible()
    expect(late.locator(".kicker")).to_contain_text(f"Tafel {taal_table}")
    check_screen(late)
    assert phone_errors == [] and late_errors == [] and control_errors == []


def test_a_person_moved_while_offline_is_told_when_back(
        server, server_app, live_meetup, live_organiser, new_phone, organiser_socket):
    base = server.base_url
    (_fatima, _), (sanne, sanne_token) = seat_people(live_meetup, live_organiser, [
        ("Fatima El Amrani", "leerkracht_po", "OBS De Linde", "taal"),
        ("Sanne de Wit", "jeugdwerk", "Jongerenwerk Hilversum", "zorg"),
    ], "round_1")
    context = new_phone()
    phone, errors = open_phone(context, server_app, base, live_meetup.id, sanne_token)
    expect(phone.locator(".kicker")).to_contain_text(f"Tafel {sanne.table.number}")
    context.set_offline(True)
    expect(phone.locator("#connection-status")).not_to_have_attribute("data-state", "connected")
    organiser_socket.write("participant.move", {"participant": sanne.id, "table": 1})
    context.set_offline(False)
    expect_connected(phone)
    expect(phone.locator(".notice")).to_have_text(re.compile("Je zit nu aan tafel 1"))
    expect(phone.locator(".kicker")).to_contain_text("Tafel 1")
    # Cutting the network makes Chromium log the broken connection itself; nothing else.
    network = ("WebSocket connection to", "Failed to load resource: net::ERR_INTERNET_DISCONNECTED")
    assert [e for e in errors if not e.startswith(network)] == []


LATE_PHASES = {
    "tables": lambda page: page.locator(".table-call").filter(has_text="Ga naar tafel 1"),
    "round_2": lambda page: page.get_by_role("heading",
                                             name="Waar kunnen we bij elkaar aansluiten?"),
    "round_3": lambda page: page.get_by_role("heading", name="Wat mist er nog?"),
    "voting": lambda page: page.get_by_role("heading", name="Stemmen", exact=True),
    "agreements": lambda page: page.get_by_role("heading", name="Afspraken van jullie tafel"),
}


@pytest.mark.parametrize("phase", list(LATE_PHASES))
def test_joining_in_any_later_phase_asks_for_a_theme_and_seats_at_once(
        server, server_app, live_meetup, live_organiser, new_phone, phase):
    base = server.base_url
    seat_people(live_meetup, live_organiser, [
        ("Fatima El Amrani", "leerkracht_po", "OBS De Linde", "taal")], phase)
    late, errors = join_phone(new_phone(), base, live_meetup, "Zoë de Boer",
                              "Kinderopvang / VVE", "Kinderopvang Het Nest")
    expect(late.get_by_role("heading", name="Kies een thema")).to_be_visible()
    late.locator(".theme-card", has=late.get_by_role("heading", name="Taal centraal")).get_by_role(
        "button", name="Kies dit thema").click()
    expect(late.locator(".notice")).to_have_text(re.compile("Je zit nu aan tafel 1"))
    expect(LATE_PHASES[phase](late)).to_be_visible()
    assert errors == []


def test_someone_arriving_in_the_plenary_can_sign_on_at_once(
        server, server_app, live_meetup, live_organiser, new_phone):
    base = server.base_url
    [(fatima, _)] = seat_people(live_meetup, live_organiser, [
        ("Fatima El Amrani", "leerkracht_po", "OBS De Linde", "taal")], "agreements")
    agreement = str(uuid.uuid4())
    agreements.create_draft(db.session, fatima, agreement)
    agreements.update_agreement(db.session, fatima, agreement, {
        "what": "Een taalcafé voor ouders", "owner_name": "Fatima El Amrani",
        "owner_organisation": "OBS De Linde", "first_step": "Ruimte regelen",
        "due_date": (date.today() + timedelta(days=14)).isoformat()})
    agreements.finalise(db.session, fatima, agreement)
    phases.set_phase(db.session, live_meetup, Phase.PLENARY, live_organiser)
    db.session.commit()
    late, errors = join_phone(new_phone(320), base, live_meetup, "Zoë de Boer",
                              "Kinderopvang / VVE", "Kinderopvang Het Nest")
    now = late.get_by_role("region", name="Nu op het grote scherm")
    expect(now).to_contain_text("Een taalcafé voor ouders")
    now.get_by_role("button", name="Ik doe mee").click()
    expect(now.get_by_role("button", name="✓ Je doet mee")).to_be_visible()
    expect(late.locator(".commitments")).to_contain_text("Een taalcafé voor ouders")
    check_screen(late)
    assert errors == []


def shot(page, name: str) -> None:
    """A screenshot for the README when ``MEETUP_SCREENSHOTS`` names a folder."""
    folder = os.environ.get("MEETUP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def test_dots_come_back_from_a_hidden_note_and_voting_leads_to_the_agreements(
        server, server_app, live_meetup, live_organiser, new_phone, organiser_socket):
    base = server.base_url
    (fatima, fatima_token), (joost, joost_token) = seat_people(live_meetup, live_organiser, [
        ("Fatima El Amrani", "leerkracht_po", "OBS De Linde", "taal"),
        ("Joost Bakker", "gemeente", "Gemeente Hilversum", "taal"),
    ], "round_1")
    hidden_text = "Iets dat niet op het scherm hoort"
    kept_text = "Voorlezen in de bibliotheek met groep 3"
    hidden_note, kept_note = str(uuid.uuid4()), str(uuid.uuid4())
    board.create_note(db.session, fatima, hidden_note, "happens", hidden_text)
    board.create_note(db.session, fatima, kept_note, "happens", kept_text)
    phases.set_phase(db.session, live_meetup, Phase.VOTING, live_organiser)
    db.session.commit()
    author, author_errors = open_phone(new_phone(), server_app, base, live_meetup.id,
                                       fatima_token)
    voter, voter_errors = open_phone(new_phone(320), server_app, base, live_meetup.id,
                                     joost_token)
    votes_left = voter.locator(".votes-left")
    expect(votes_left).to_have_text("Je hebt nog 3 stippen")

    # Point 18: tapping a card to read it casts no dot; only the dot button does.
    hidden_card = voter.locator(".note--vote", has_text=hidden_text)
    kept_card = voter.locator(".note--vote", has_text=kept_text)
    kept_card.locator(".note-text").click()
    kept_card.locator(".tally").click()
    hidden_card.get_by_role("button", name="+ Stip geven").click()
    expect(votes_left).to_have_text("Je hebt nog 2 stippen")
    expect(kept_card.locator(".tally")).to_contain_text("0 stippen")
    kept_card.get_by_role("button", name="+ Stip geven").click()
    expect(votes_left).to_have_text("Je hebt nog 1 stip")
    check_screen(voter)
    shot(voter, "phone-voting")

    # Point 8: the organiser hides the note; Joost's dot comes back at once, Fatima is told.
    organiser_socket.write("note.hide", {"note": hidden_note})
    expect(hidden_card).to_have_count(0)
    expect(votes_left).to_have_text("Je hebt nog 2 stippen")
    expect(author.locator(".notice")).to_have_text(
        re.compile("De organisator heeft een notitie van je verborgen."))
    check_screen(author)

    # Point 17: in the agreements phase the table starts from its top-voted notes.
    organiser_socket.write("phase.set", {"phase": "agreements"})
    top = voter.get_by_role("region", name="De meeste stippen aan jullie tafel: begin hiermee")
    expect(top).to_contain_text(kept_text)
    expect(top).to_contain_text("1 stip")
    expect(top).not_to_contain_text(hidden_text)
    expect(author.get_by_role("region", name=re.compile("De meeste stippen"))).to_contain_text(
        kept_text)
    check_screen(voter)
    shot(author, "phone-agreements")
    assert author_errors == [] and voter_errors == []


def test_the_plenary_on_every_phone_and_the_closing_screen(
        server, server_app, live_meetup, live_organiser, new_phone, organiser_socket):
    base = server.base_url
    (fatima, fatima_token), _joost, (_sanne, sanne_token) = seat_people(
        live_meetup, live_organiser, [
            ("Fatima El Amrani", "leerkracht_po", "OBS De Linde", "taal"),
            ("Joost Bakker", "gemeente", "Gemeente Hilversum", "taal"),
            ("Sanne de Wit", "jeugdwerk", "Jongerenwerk Hilversum", "zorg"),
        ], "agreements")
    what = "Elke maand een voorleesochtend in de wijk"
    first_step = date.today() + timedelta(days=30)
    agreement = str(uuid.uuid4())
    agreements.create_draft(db.session, fatima, agreement)
    agreements.update_agreement(db.session, fatima, agreement, {
        "what": what, "owner_name": "Fatima El Amrani", "owner_organisation": "OBS De Linde",
        "first_step": "Rooster maken met de bibliotheek", "due_date": first_step.isoformat()})
    agreements.finalise(db.session, fatima, agreement)
    db.session.commit()
    owner, owner_errors = open_phone(new_phone(), server_app, base, live_meetup.id, fatima_token)
    other, other_errors = open_phone(new_phone(320), server_app, base, live_meetup.id,
                                     sanne_token)

    # Point 12: every phone shows the agreement on the projector; Sanne (another table) signs.
    organiser_socket.write("phase.set", {"phase": "plenary"})
    now = other.get_by_role("region", name="Nu op het grote scherm")
    expect(now).to_contain_text(what)
    expect(now).to_contain_text("Afspraak 1 van 1")
    now.get_by_role("button", name="Ik doe mee").click()
    expect(now.get_by_role("button", name="✓ Je doet mee")).to_have_attribute(
        "aria-pressed", "true")
    shot(other, "phone-plenary")
    expect(now.locator(".signed-count")).to_have_text("1 persoon doet mee")
    check_screen(other)
    expect(owner.get_by_role("region", name="Nu op het grote scherm")).to_contain_text(what)

    # Point 20: the closing screen shows what each takes part in; the owner takes part too.
    organiser_socket.write("phase.set", {"phase": "closed"})
    expect(other.get_by_role("heading", name="Waar je aan meedoet")).to_be_visible()
    expect(other.locator(".commitments")).to_contain_text(what)
    expect(other.locator(".muted", has_text="Je trekt geen afspraak.")).to_be_visible()
    expect(owner.get_by_role("heading", name="Afspraken die jij trekt")).to_be_visible()
    expect(owner.locator(".followups")).to_contain_text(what)
    expect(owner.locator(".commitments")).to_contain_text(what)
    expect(owner.locator(".commitments")).to_contain_text("jij trekt hem")
    check_screen(owner)
    with owner.expect_download() as download_info:
        owner.get_by_role("link", name="Zet je eerste stappen in je agenda (.ics)").click()
    ics = download_info.value.path().read_text(encoding="utf-8")
    assert f"DTSTART;VALUE=DATE:{first_step.strftime('%Y%m%d')}" in ics
    check_screen(other)
    assert owner_errors == [] and other_errors == []


def test_each_page_speaks_its_own_language(
        server, server_app, live_meetup, live_organiser, browser, playwright_instance, laptop,
        organiser_socket):
    base = server.base_url
    seat_people(live_meetup, live_organiser, [
        ("Fatima El Amrani", "leerkracht_po", "OBS De Linde", "taal"),
    ], "theme_choice")
    control, control_errors = open_control(laptop, base, live_organiser, live_meetup)
    device = playwright_instance.devices["Pixel 7"]

    # Point 21: a German browser gets Dutch; an English one gets English, and keeps it.
    german = browser.new_context(**device, locale="de-DE")
    page = german.new_page()
    page.goto(f"{base}/j/{live_meetup.join_token}")
    expect(page.get_by_role("button", name="Aanmelden")).to_be_visible()
    german.close()

    english = browser.new_context(**device, locale="en-GB")
    try:
        phone = english.new_page()
        errors = watch_errors(phone)
        phone.goto(f"{base}/j/{live_meetup.join_token}")
        phone.get_by_label("Name", exact=True).fill("Emma Clarke")
        phone.get_by_label("Role", exact=True).select_option(label="Municipality")
        phone.get_by_label("Organisation", exact=True).fill("City of Hilversum")
        phone.get_by_role("button", name="Join").click()
        phone.wait_for_url(f"{base}/live/{live_meetup.id}")
        expect(phone.get_by_role("heading", name="Choose a theme")).to_be_visible()
        card = phone.locator(".theme-card").first
        card.get_by_role("button", name="Choose this theme").click()
        # Emma is seated at Fatima's table (a late arrival): the organiser's Dutch page shows
        # her role in Dutch, never in the language of the phone that wrote.
        # (The compact table rows name a person's role in the button's tooltip.)
        emma = control.locator(".ol-person", has_text="Emma")
        expect(emma).to_have_attribute("title", re.compile("^Gemeente"))
        expect(control.locator("body")).not_to_contain_text("Municipality")
        assert "Municipality" not in (emma.get_attribute("title") or "")
        phone.reload()
        expect(phone.locator("html")).to_have_attribute("lang", "en")
        assert errors == []
    finally:
        english.close()
    assert control_errors == []
