"""Nothing a person typed is lost on the phone, played as people with phones and an organiser
who moves the evening on: unsent notes across rounds and the vote, a write refused after a
reconnect, an agreement typed when the plenary starts, reloads, undo of a delete, and
acknowledgements that come late under load."""

from __future__ import annotations

import json
import re
import uuid as uuidlib

from playwright.sync_api import Page, expect
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Agreement, Note
from tests.browser.test_live_support import (
    assert_accessible,
    assert_no_sideways_scroll,
    expect_connected,
    open_control,
    phone_as,
    seat_people,
    set_phase,
    watch_errors,
)

ROUND_1 = "Wat gebeurt er al?"
ROUND_2 = "Waar kunnen we bij elkaar aansluiten?"
NETWORK = ("WebSocket connection to", "Failed to load resource: net::ERR_INTERNET_DISCONNECTED")


def notes(text: str) -> list[Note]:
    db.session.expire_all()
    found = list(db.session.scalars(select(Note).where(Note.text == text)))
    db.session.rollback()
    return found


def agreement_what(uuid: str) -> str | None:
    db.session.expire_all()
    what = db.session.scalar(select(Agreement.what).where(Agreement.uuid == uuidlib.UUID(uuid)))
    db.session.rollback()
    return what


def open_phones(server, server_app, meetup, tokens, new_phone, width=360):
    phones = []
    for token in tokens:
        context = new_phone(width)
        phone_as(context, server_app, server.base_url, meetup.id, token)
        page = context.new_page()
        errors = watch_errors(page)
        page.goto(f"{server.base_url}/live/{meetup.id}")
        expect_connected(page)
        phones.append((context, page, errors))
    return phones


def local(page: Page, meetup_id: int, what: str):
    raw = page.evaluate("(key) => localStorage.getItem(key)", f"meetup:{meetup_id}:{what}")
    return json.loads(raw) if raw else None


def test_a_note_typed_in_one_round_is_kept_through_the_next_rounds_and_the_vote(
        server, server_app, live_meetup, live_organiser, laptop, new_phone):
    (_, ayla_token), (_, bram_token) = seat_people(live_meetup, live_organiser, [
        ("Ayla Yılmaz", "jeugdwerk", "Jongerenwerk", "taal"),
        ("Bram de Boer", "leerkracht_po", "OBS Het Kompas", "taal"),
    ], "round_1")
    control, control_errors = open_control(laptop, server.base_url, live_organiser, live_meetup)
    (ayla_context, ayla, ayla_errors), (_, bram, bram_errors) = open_phones(
        server, server_app, live_meetup, [ayla_token, bram_token], new_phone)
    ayla_context.grant_permissions(["clipboard-read", "clipboard-write"],
                                   origin=server.base_url)

    # Ayla is still typing her round-1 note when the organiser moves on to round 2.
    first = "Voorleesouders in de bibliotheek"
    ayla.get_by_label("Jouw notitie").fill(first)
    set_phase(control, "Ronde 2")
    expect(ayla.locator("h1")).to_have_text(ROUND_2)
    earlier = ayla.get_by_label(f"Bij de vraag: {ROUND_1}")
    expect(earlier).to_have_value(first)
    expect(earlier).to_be_focused()  # she can keep typing where she was
    expect(ayla.get_by_label("Jouw notitie")).to_have_value("")
    assert_accessible(ayla)
    assert_no_sideways_scroll(ayla)

    # It can still be posted, for the question it was written for.
    ayla.locator(".earlier-drafts").get_by_role("button", name="Plaatsen").click()
    expect(ayla.locator(".earlier-drafts")).to_have_count(0)
    expect(bram.locator(".earlier .note-text", has_text=first)).to_have_count(1)
    assert [str(n.round) for n in notes(first)] == ["happens"]

    # Round 2: a note posted and being edited, and a new one typed; then a reload.
    ayla.get_by_label("Jouw notitie").fill("Buurtmentor voor nieuwkomers")
    ayla.get_by_role("button", name="Plaatsen").click()
    mine = ayla.locator(".notes .note", has_text="Buurtmentor voor nieuwkomers")
    expect(mine.locator(".note-meta")).to_have_text("van Ayla")
    mine.get_by_role("button", name="Bewerken").click()
    edited = "Buurtmentor voor nieuwkomers en hun ouders"
    ayla.get_by_label("Pas je notitie aan").fill(edited)
    unsent = "Gratis sportclub voor elk kind"
    ayla.get_by_label("Jouw notitie").fill(unsent)
    ayla.reload()
    expect_connected(ayla)
    expect(ayla.get_by_label("Pas je notitie aan")).to_have_value(edited)
    expect(ayla.get_by_label("Jouw notitie")).to_have_value(unsent)

    # The vote closes the board: both texts wait in a clearly marked box, nothing is cleared.
    set_phase(control, "Stemmen")
    box = ayla.locator(".unsent")
    expect(box.get_by_role("heading", name="Niet verstuurd")).to_be_visible()
    expect(box.get_by_label(f"Bij de vraag: {ROUND_2}")).to_have_value(unsent)
    expect(box.get_by_label("Je wijziging van een notitie")).to_have_value(edited)
    assert notes(unsent) == [] and notes(edited) == []
    ayla.set_viewport_size({"width": 320, "height": 740})
    assert_accessible(ayla)
    assert_no_sideways_scroll(ayla)

    # Copy one, throw the other away; what is left survives a reload.
    note_item = box.locator(".unsent-item", has_text=ROUND_2)
    note_item.get_by_role("button", name="Kopiëren").click()
    expect(note_item.get_by_role("status")).to_have_text("Gekopieerd")
    assert ayla.evaluate("navigator.clipboard.readText()") == unsent
    box.locator(".unsent-item", has_text="Je wijziging").get_by_role(
        "button", name="Weggooien").click()
    expect(box.locator(".unsent-item")).to_have_count(1)
    ayla.reload()
    expect_connected(ayla)
    expect(ayla.locator(".unsent").get_by_label(f"Bij de vraag: {ROUND_2}")).to_have_value(unsent)
    ayla.locator(".unsent").get_by_role("button", name="Weggooien").click()
    expect(ayla.locator(".unsent")).to_have_count(0)

    assert control_errors == [] and ayla_errors == [] and bram_errors == []


def test_a_note_sent_offline_that_arrives_after_the_vote_began_keeps_its_text_and_reason(
        server, server_app, live_meetup, live_organiser, laptop, new_phone):
    ((_, token),) = seat_people(live_meetup, live_organiser, [
        ("Ayla Yılmaz", "jeugdwerk", "Jongerenwerk", "taal")], "round_1")
    control, control_errors = open_control(laptop, server.base_url, live_organiser, live_meetup)
    ((context, ayla, errors),) = open_phones(server, server_app, live_meetup, [token], new_phone)

    context.set_offline(True)
    expect(ayla.locator("#connection-status")).to_have_attribute("data-state", "offline")
    text = "Huiswerkklas in het buurthuis op woensdag"
    ayla.get_by_label("Jouw notitie").fill(text)
    ayla.get_by_role("button", name="Plaatsen").click()
    expect(ayla.locator(".note", has_text=text).locator(".note-meta")).to_have_text(
        "Wordt verstuurd…")
    set_phase(control, "Stemmen")
    context.set_offline(False)
    expect_connected(ayla)

    # Refused (the board is closed): the text stays, with the reason, and is not stored.
    item = ayla.locator(".unsent-item")
    expect(item.get_by_label(f"Bij de vraag: {ROUND_1}")).to_have_value(text)
    expect(item.locator(".unsent-reason")).to_have_text(re.compile(r"^Niet aangenomen: \S"))
    assert notes(text) == []
    assert local(ayla, live_meetup.id, "outbox") == []
    # Still there after the page comes back (no alert that clears it after a few seconds).
    ayla.reload()
    expect_connected(ayla)
    expect(item.get_by_label(f"Bij de vraag: {ROUND_1}")).to_have_value(text)
    expect(item.locator(".unsent-reason")).to_have_text(re.compile(r"^Niet aangenomen: \S"))
    assert_accessible(ayla)

    # The organiser goes back to round 1: now it can be posted after all, once.
    set_phase(control, "Ronde 1")
    item.get_by_role("button", name="Toch plaatsen").click()
    expect(ayla.locator(".unsent")).to_have_count(0)
    expect(ayla.locator(".note", has_text=text).locator(".note-meta")).to_have_text("van Ayla")
    assert len(notes(text)) == 1
    assert local(ayla, live_meetup.id, "kept") == []
    assert [e for e in errors if not e.startswith(NETWORK)] == []
    assert control_errors == []


def test_deleting_an_own_note_can_be_undone_for_a_few_seconds(
        server, server_app, live_meetup, live_organiser, new_phone):
    (_, ayla_token), (_, bram_token) = seat_people(live_meetup, live_organiser, [
        ("Ayla Yılmaz", "jeugdwerk", "Jongerenwerk", "taal"),
        ("Bram de Boer", "leerkracht_po", "OBS Het Kompas", "taal"),
    ], "round_1")
    (_, ayla, ayla_errors), (_, bram, bram_errors) = open_phones(
        server, server_app, live_meetup, [ayla_token, bram_token], new_phone, width=320)
    text = "Taalcafé voor ouders op vrijdag"
    ayla.get_by_label("Jouw notitie").fill(text)
    ayla.get_by_role("button", name="Plaatsen").click()
    note = ayla.locator(".note", has_text=text)
    expect(note.locator(".note-meta")).to_have_text("van Ayla")

    # A slip of the thumb: undone, nothing reached the table.
    note.get_by_role("button", name="Verwijderen").click()
    deleted = ayla.locator(".note--deleted")
    expect(deleted).to_contain_text("Notitie verwijderd.")
    undo = deleted.get_by_role("button", name="Ongedaan maken")
    expect(undo).to_be_focused()
    assert_accessible(ayla)
    assert_no_sideways_scroll(ayla)
    undo.click()
    expect(ayla.locator(".note-text", has_text=text)).to_have_count(1)
    expect(ayla.get_by_role("button", name="Verwijderen")).to_be_focused()
    expect(bram.locator(".note-text", has_text=text)).to_have_count(1)
    assert [n.deleted_at for n in notes(text)] == [None]

    # Meant it: after the undo time the note leaves the table.
    ayla.get_by_role("button", name="Verwijderen").click()
    expect(bram.locator(".note-text", has_text=text)).to_have_count(0, timeout=15_000)
    expect(ayla.locator(".note--deleted")).to_have_count(0)
    assert ayla_errors == [] and bram_errors == []


def test_an_agreement_being_typed_stays_editable_in_the_plenary_and_a_reload_keeps_the_form(
        server, server_app, live_meetup, live_organiser, laptop, new_phone):
    (_, ayla_token), (_, bram_token) = seat_people(live_meetup, live_organiser, [
        ("Ayla Yılmaz", "jeugdwerk", "Jongerenwerk", "taal"),
        ("Bram de Boer", "leerkracht_po", "OBS Het Kompas", "taal"),
    ], "agreements")
    control, control_errors = open_control(laptop, server.base_url, live_organiser, live_meetup)
    (_, ayla, ayla_errors), (_, bram, bram_errors) = open_phones(
        server, server_app, live_meetup, [ayla_token, bram_token], new_phone)

    ayla.get_by_role("button", name="Nieuwe afspraak").click()
    what = ayla.get_by_label("Wat gaan we doen?")
    what.fill("Voorleesochtend")
    expect(bram.get_by_label("Wat gaan we doen?")).to_have_value("Voorleesochtend")
    uuid = ayla.locator(".agreement").get_attribute("data-key").removeprefix("agreement-")

    # A reload keeps the "andere partner" being typed, the form, and where she had scrolled.
    ayla.get_by_label("Andere partner").fill("Stichting Lezen")
    ayla.get_by_label("Eerste stap").fill("Rooster maken")
    ayla.evaluate("window.scrollTo(0, 300)")
    for _ in range(50):  # the position is saved shortly after scrolling
        saved = ayla.evaluate("(key) => sessionStorage.getItem(key)", f"meetup:{live_meetup.id}:scroll")
        if saved and json.loads(saved)["y"] == 300:
            break
        ayla.wait_for_timeout(100)
    ayla.reload()
    expect_connected(ayla)
    expect(ayla.get_by_label("Andere partner")).to_have_value("Stichting Lezen")
    expect(ayla.get_by_label("Eerste stap")).to_have_value("Rooster maken")
    expect(what).to_have_value("Voorleesochtend")
    for _ in range(50):
        if ayla.evaluate("window.scrollY") == 300:
            break
        ayla.wait_for_timeout(100)
    assert ayla.evaluate("window.scrollY") == 300

    # She is typing when the organiser starts the plenary: the field stays, with her caret.
    what.click()
    what.press("End")
    what.press_sequentially(" in de wijk")
    set_phase(control, "Plenair")
    section = ayla.locator(".still-drafting")
    expect(section.get_by_role("heading", name="Nog in de maak aan jouw tafel")).to_be_visible()
    expect(what).to_be_focused()
    what.press_sequentially(", elke maand")
    full = "Voorleesochtend in de wijk, elke maand"
    expect(what).to_have_value(full)
    what.blur()
    # Her table mate sees it in the plenary too, and can edit it there.
    expect(bram.locator(".still-drafting").get_by_label("Wat gaan we doen?")).to_have_value(full)
    assert agreement_what(uuid) == full
    bram.locator(".still-drafting").get_by_label("Organisatie").fill("Bibliotheek Hilversum")
    bram.locator(".still-drafting").get_by_label("Organisatie").blur()
    expect(ayla.get_by_label("Organisatie")).to_have_value("Bibliotheek Hilversum")
    assert_accessible(ayla)
    ayla.set_viewport_size({"width": 320, "height": 740})
    assert_no_sideways_scroll(ayla)
    assert control_errors == [] and ayla_errors == [] and bram_errors == []


def test_late_acknowledgements_are_taken_without_a_resend_and_slow_sending_is_shown(
        server, server_app, live_meetup, live_organiser, new_phone):
    ((_, token),) = seat_people(live_meetup, live_organiser, [
        ("Ayla Yılmaz", "jeugdwerk", "Jongerenwerk", "taal")], "round_1")
    context = new_phone(360)
    phone_as(context, server_app, server.base_url, live_meetup.id, token)
    page = context.new_page()
    errors = watch_errors(page)

    # A server under load: its answers to writes (Socket.IO ack packets) are held back.
    state = {"hold": False, "held": [], "client": None, "sent": []}

    def route(ws):
        upstream = ws.connect_to_server()
        state["client"] = ws

        def to_server(message):
            state["sent"].append(message)
            upstream.send(message)

        def to_page(message):
            if state["hold"] and isinstance(message, str) and message.startswith("43"):
                state["held"].append(message)
            else:
                ws.send(message)

        ws.on_message(to_server)
        upstream.on_message(to_page)

    page.route_web_socket(re.compile(r".*/socket\.io/.*"), route)
    page.goto(f"{server.base_url}/live/{live_meetup.id}")
    expect_connected(page)
    for _ in range(50):  # the connection moved from polling to the websocket
        if any(m == "5" for m in state["sent"]):
            break
        page.wait_for_timeout(100)

    state["hold"] = True
    text = "Een ouderavond in drie talen"
    page.get_by_label("Jouw notitie").fill(text)
    page.get_by_role("button", name="Plaatsen").click()
    status = page.locator("#connection-status")
    expect(status).to_have_text("Verbonden — versturen gaat traag; je invoer wordt bewaard",
                                timeout=15_000)
    expect(page.locator(".note-text", has_text=text)).to_have_count(1)
    assert len(notes(text)) == 1  # stored and committed; only the answer is late
    # Past the moment the old page gave up (an 8 s ack timeout, then a resend 3 s later).
    page.wait_for_timeout(7_000)
    creates = [m for m in state["sent"] if isinstance(m, str) and '"note.create"' in m]
    assert len(creates) == 1, creates  # never sent twice while in flight
    assert [item["event"] for item in local(page, live_meetup.id, "outbox")] == ["note.create"]

    # The answer finally arrives: taken, the note is confirmed, sending is normal again.
    state["hold"] = False
    for message in state["held"]:
        state["client"].send(message)
    expect(page.locator(".note", has_text=text).locator(".note-meta")).to_have_text("van Ayla")
    expect(status).to_have_text("Verbonden")
    assert local(page, live_meetup.id, "outbox") == []
    assert len(notes(text)) == 1
    assert errors == []
