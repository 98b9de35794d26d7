"""The server restarts in the middle of the evening (a crash, an upgrade): the phone comes back
by itself, without a reload, and shows what was written while it was away (issue 21, point 3).

What a person sees: "Opnieuw verbinden…" while the server is gone, then the page is connected
again and current. How soon is measured by ``benchmarks/restart_resync.py``, not here.
"""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from meetup.extensions import db
from meetup.models import Participant
from meetup.services import board
from tests.browser.test_live_support import expect_connected, phone_as, seat_people, watch_errors


def test_a_phone_comes_back_by_itself_after_the_server_was_killed(
        server, server_app, live_meetup, live_organiser, new_phone) -> None:
    base = server.base_url
    (_, ayla_token), (bram, _) = seat_people(live_meetup, live_organiser, [
        ("Ayla Yılmaz", "jeugdwerk", "Jongerenwerk", "taal"),
        ("Bram de Boer", "leerkracht_po", "OBS Het Kompas", "taal"),
    ], "round_1")
    context = new_phone(360)
    phone_as(context, server_app, base, live_meetup.id, ayla_token)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{base}/live/{live_meetup.id}")
    expect_connected(page)
    status = page.locator("#connection-status")

    # kill -9: no goodbye to the phones.
    server.process.kill()
    server.process.wait()
    expect(status).to_have_attribute("data-state", "reconnecting")
    # Bram's note is stored while the server is away (as if written just before the crash).
    text = "Voorleesochtend met de bibliotheek"
    board.create_note(db.session, db.session.get(Participant, bram.id), uuid.uuid4(),
                      "happens", text)
    db.session.commit()
    server.process = None
    server.start()

    # The same page, not reloaded: connected again, with the note in its fresh snapshot.
    expect_connected(page)
    expect(page.locator(".note-text", has_text=text)).to_have_count(1)
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert [e for e in errors if "WebSocket" not in e and "ERR_CONNECTION" not in e] == []
