"""Nothing typed is lost: offline writes are delivered once, drafts survive a reload, and a
write whose acknowledgement got lost is resent without being stored twice."""

from __future__ import annotations

import json
import uuid

from playwright.sync_api import expect
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import Note
from tests.browser.test_live_support import expect_connected, phone_as, seat_people, watch_errors


def notes_with(text: str) -> int:
    db.session.expire_all()
    count = db.session.scalar(select(func.count(Note.id)).where(Note.text == text)) or 0
    db.session.rollback()
    return count


def wait_for_empty_outbox(page, meetup_id: int) -> None:
    """Poll from Python: the page's CSP forbids the eval that wait_for_function would need."""
    key = f"meetup:{meetup_id}:outbox"
    for _ in range(100):
        if page.evaluate("(key) => localStorage.getItem(key)", key) == "[]":
            return
        page.wait_for_timeout(100)
    raise AssertionError("the outbox was never emptied")


def test_offline_notes_arrive_once_and_typed_text_survives_a_reload(
        server, server_app, live_meetup, live_organiser, new_phone):
    base = server.base_url
    (_, ayla_token), (_, bram_token) = seat_people(live_meetup, live_organiser, [
        ("Ayla Yılmaz", "jeugdwerk", "Jongerenwerk", "taal"),
        ("Bram de Boer", "leerkracht_po", "OBS Het Kompas", "taal"),
    ], "round_1")
    pages = []
    for token in (ayla_token, bram_token):
        context = new_phone(360)
        phone_as(context, server_app, base, live_meetup.id, token)
        page = context.new_page()
        errors = watch_errors(page)
        page.goto(f"{base}/live/{live_meetup.id}")
        expect_connected(page)
        pages.append((context, page, errors))
    (ayla_context, ayla_page, ayla_errors), (_, bram_page, bram_errors) = pages
    status = ayla_page.locator("#connection-status")

    # Offline: the note is kept on the phone and shown as waiting.
    ayla_context.set_offline(True)
    expect(status).to_have_attribute("data-state", "offline")
    expect(status).to_have_text("Offline — je invoer wordt bewaard")
    text = "Huiswerkklas in het buurthuis op woensdag"
    ayla_page.get_by_label("Jouw notitie").fill(text)
    ayla_page.get_by_role("button", name="Plaatsen").click()
    mine = ayla_page.locator(".note", has_text=text)
    expect(mine.locator(".note-meta")).to_have_text("Wordt verstuurd…")
    outbox = json.loads(ayla_page.evaluate(
        f"localStorage.getItem('meetup:{live_meetup.id}:outbox')"))
    assert [item["event"] for item in outbox] == ["note.create"]
    assert notes_with(text) == 0

    # Back online: delivered exactly once, visible at the table.
    ayla_context.set_offline(False)
    expect_connected(ayla_page)
    expect(mine.locator(".note-meta")).to_have_text("van Ayla")
    expect(bram_page.locator(".note-text", has_text=text)).to_have_count(1)
    assert notes_with(text) == 1
    assert ayla_page.evaluate(f"localStorage.getItem('meetup:{live_meetup.id}:outbox')") == "[]"

    # A write whose acknowledgement was lost is resent after a reload: still stored once.
    op, note = str(uuid.uuid4()), str(uuid.uuid4())
    lost = [{"op": op, "event": "note.create", "at": 0,
             "payload": {"op": op, "note": note, "round": "happens",
                         "text": "Taalcafé voor ouders"}}]
    for _ in range(2):  # the second time, the server has seen this op before
        ayla_page.evaluate("([key, value]) => localStorage.setItem(key, value)",
                           [f"meetup:{live_meetup.id}:outbox", json.dumps(lost)])
        ayla_page.reload()
        expect_connected(ayla_page)
        expect(ayla_page.locator(".note-text", has_text="Taalcafé voor ouders")).to_have_count(1)
        expect(bram_page.locator(".note-text", has_text="Taalcafé voor ouders")).to_have_count(1)
        wait_for_empty_outbox(ayla_page, live_meetup.id)
    assert notes_with("Taalcafé voor ouders") == 1

    # Text being typed survives a reload (and is not sent by itself).
    half = "Een idee dat nog niet af is"
    ayla_page.get_by_label("Jouw notitie").fill(half)
    ayla_page.reload()
    expect_connected(ayla_page)
    expect(ayla_page.get_by_label("Jouw notitie")).to_have_value(half)
    expect(ayla_page.locator("#note-counter")).to_have_text(f"{len(half)} van 280 tekens")
    assert notes_with(half) == 0

    # Cutting the network makes Chromium log the broken connection itself; nothing else.
    network = ("WebSocket connection to", "Failed to load resource: net::ERR_INTERNET_DISCONNECTED")
    assert [e for e in ayla_errors if not e.startswith(network)] == []
    assert bram_errors == []
