"""The phone's last rough edges of a whole evening (issue 24, point 9), played in Chromium:
the organiser's message keeps its line breaks; "Je zit nu aan tafel 4" says when the organiser
moved you and goes away by itself once the next phase is over; someone who joined in the
plenary without a table never reads about "jullie tafel"; the "niet verstuurd" box of a note
left unsent when voting began folds away and stays behind at the closing screen.

The organiser's writes go over the protocol (a Socket.IO client logged in as the organiser).
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from playwright.sync_api import expect

from meetup.extensions import db
from meetup.models import Phase
from meetup.services import agreements, phases
from tests.browser.test_evening_people import (  # noqa: F401 (fixture)
    check_screen,
    open_phone,
    organiser_socket,
    shot,
)
from tests.browser.test_live_support import expect_connected, join_phone, seat_people

PEOPLE = [("Fatima El Amrani", "leerkracht_po", "OBS De Linde", "taal"),
          ("Joost Bakker", "gemeente", "Gemeente Hilversum", "taal"),
          ("Sanne de Wit", "jeugdwerk", "Jongerenwerk Hilversum", "zorg"),
          ("Noor Haddad", "ib_zorgcoordinator", "Basisschool De Regenboog", "overgangen")]
MESSAGE = "Welkom in de bibliotheek!\nKoffie staat achterin.\nOm 21:30 sluiten we af."


def test_the_message_keeps_its_lines_and_a_move_is_told_with_its_time_until_it_is_past(
        server, server_app, live_meetup, live_organiser, new_phone, organiser_socket) -> None:
    joined = seat_people(live_meetup, live_organiser, PEOPLE, "tables")
    (_, _), (joost, joost_token), (sanne, _), _ = joined
    zorg_table = sanne.table.number
    phone, errors = open_phone(new_phone(320), server_app, server.base_url, live_meetup.id,
                               joost_token)

    # The message shows as three lines, as the organiser typed it.
    organiser_socket.write("message.send", {"text": MESSAGE})
    banner = phone.locator(".banner")
    expect(banner).to_contain_text("Om 21:30 sluiten we af.")
    lines = banner.evaluate("el => el.innerText.split('\\n').filter((l) => l.trim())")
    assert lines[-3:] == MESSAGE.split("\n"), lines

    # Moved by the organiser during Tafels: the notice says when.
    organiser_socket.write("participant.move", {"participant": joost.id, "table": zorg_table})
    notice = phone.locator(".notice")
    expect(notice).to_have_text(re.compile(
        rf"Je zit nu aan tafel {zorg_table}: de organisator heeft je om \d\d:\d\d verplaatst\."))
    expect(phone.get_by_role("heading", name=f"Ga naar tafel {zorg_table}")).to_be_visible()
    check_screen(phone)
    shot(phone, "phone-moved-notice-320")

    # It stays through the next phase (also across a reload), then goes by itself.
    organiser_socket.write("phase.set", {"phase": "round_1"})
    expect(phone.get_by_role("heading", name="Wat gebeurt er al?")).to_be_visible()
    expect(notice).to_have_count(1)
    phone.reload()
    expect_connected(phone)
    expect(notice).to_have_text(re.compile(f"tafel {zorg_table}"))
    organiser_socket.write("phase.set", {"phase": "round_2"})
    expect(phone.get_by_role("heading", name="Waar kunnen we bij elkaar aansluiten?")
           ).to_be_visible()
    expect(notice).to_have_count(0)
    phone.reload()
    expect_connected(phone)
    expect(phone.get_by_role("heading", name="Waar kunnen we bij elkaar aansluiten?")
           ).to_be_visible()
    expect(notice).to_have_count(0)
    assert errors == []


def test_someone_who_joined_in_the_plenary_reads_nothing_about_jullie_tafel(
        server, server_app, live_meetup, live_organiser, new_phone, organiser_socket) -> None:
    [(fatima, _)] = seat_people(live_meetup, live_organiser, PEOPLE[:1], "agreements")
    agreement = str(uuid.uuid4())
    agreements.create_draft(db.session, fatima, agreement)
    agreements.update_agreement(db.session, fatima, agreement, {
        "what": "Een taalcafé voor ouders", "owner_name": "Fatima El Amrani",
        "owner_organisation": "OBS De Linde", "first_step": "Ruimte regelen",
        "due_date": (date.today() + timedelta(days=14)).isoformat()})
    agreements.finalise(db.session, fatima, agreement)
    phases.set_phase(db.session, live_meetup, Phase.PLENARY, live_organiser)
    db.session.commit()
    late, errors = join_phone(new_phone(320), server.base_url, live_meetup, "Zoë de Boer",
                              "Kinderopvang / VVE", "Kinderopvang Het Nest")
    now = late.get_by_role("region", name="Nu op het grote scherm")
    expect(now).to_contain_text("Een taalcafé voor ouders")
    now.get_by_role("button", name="Ik doe mee").click()
    expect(late.locator(".commitments")).to_contain_text("Een taalcafé voor ouders")
    shown = late.locator("body").inner_text().lower()
    assert not any(own in shown for own in ("jullie tafel", "je tafel", "jouw tafel")), shown
    check_screen(late)

    organiser_socket.write("phase.set", {"phase": "closed"})
    expect(late.get_by_role("heading", name="Bedankt voor je inzet!")).to_be_visible()
    expect(late.locator(".lead")).to_have_text(
        "Fijn dat je er was. Hieronder zie je waar je aan meedoet.")
    expect(late.locator(".commitments")).to_contain_text("Een taalcafé voor ouders")
    shown = late.locator("body").inner_text().lower()
    assert not any(own in shown for own in ("jullie tafel", "je tafel", "jouw tafel")), shown
    check_screen(late)
    shot(late, "phone-closing-without-table-320")
    assert errors == []


def test_the_unsent_box_folds_away_and_stays_behind_at_the_close(
        server, server_app, live_meetup, live_organiser, new_phone, organiser_socket) -> None:
    (_, token), *_ = seat_people(live_meetup, live_organiser, PEOPLE, "round_1")
    phone, errors = open_phone(new_phone(320), server_app, server.base_url, live_meetup.id,
                               token)
    unsent = "Gratis sportclub voor elk kind"
    phone.get_by_label("Jouw notitie").fill(unsent)
    organiser_socket.write("phase.set", {"phase": "voting"})
    box = phone.locator(".unsent")
    expect(box.get_by_role("heading", name="Niet verstuurd")).to_be_visible()
    kept = box.get_by_label("Bij de vraag: Wat gebeurt er al?")
    expect(kept).to_have_value(unsent)

    # Folded away to one line; it stays folded across a reload and the next phase.
    box.get_by_text("1 tekst, tik om in of uit te klappen").click()
    expect(kept).to_be_hidden()
    check_screen(phone)
    shot(phone, "phone-unsent-folded-320")
    phone.reload()
    expect_connected(phone)
    expect(phone.locator(".unsent").get_by_role("heading", name="Niet verstuurd")).to_be_visible()
    expect(kept).to_be_hidden()
    organiser_socket.write("phase.set", {"phase": "agreements"})
    expect(phone.get_by_role("heading", name="Afspraken van jullie tafel")).to_be_visible()
    expect(kept).to_be_hidden()
    box.get_by_text("1 tekst, tik om in of uit te klappen").click()
    expect(kept).to_have_value(unsent)

    # The closing screen: no box; the text is still kept on the phone.
    organiser_socket.write("phase.set", {"phase": "closed"})
    expect(phone.get_by_role("heading", name="Bedankt voor je inzet!")).to_be_visible()
    expect(phone.locator(".unsent")).to_have_count(0)
    drafts = phone.evaluate(f"localStorage.getItem('meetup:{live_meetup.id}:drafts')") or ""
    assert unsent in drafts
    check_screen(phone)
    assert errors == []
