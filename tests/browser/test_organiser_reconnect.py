"""The organiser's laptop loses the venue's wifi and comes back: what happened meanwhile is on
the screen, and what the organiser did while offline reached the room."""

from __future__ import annotations

from playwright.sync_api import expect

from meetup.extensions import db
from meetup.services import joining
from meetup.services.joining import JoinRequest
from tests.browser.test_live_support import (
    expect_connected,
    open_control,
    phone_as,
    seat_people,
    watch_errors,
)


def test_the_organisers_window_offline_and_back_shows_the_current_evening(
        server, server_app, live_meetup, live_organiser, laptop, new_phone):
    base = server.base_url
    joined = seat_people(live_meetup, live_organiser, [
        ("Mirjam Visser", "leerkracht_po", "OBS De Linde", "taal"),
        ("Kees Mulder", "gemeente", "Gemeente Hilversum", "zorg"),
    ], "round_1")
    control, control_errors = open_control(laptop, base, live_organiser, live_meetup)
    context = new_phone(360)
    phone_as(context, server_app, base, live_meetup.id, joined[0][1])
    phone = context.new_page()
    phone_errors = watch_errors(phone)
    phone.goto(f"{base}/live/{live_meetup.id}")
    expect_connected(phone)
    status = control.locator("#connection-status")
    expect(control.locator("#counts")).to_have_text("2 deelnemers")

    laptop.set_offline(True)
    expect(status).to_have_attribute("data-state", "offline")

    # Meanwhile the room goes on: a note at Mirjam's table, a latecomer joins.
    phone.get_by_label("Jouw notitie").fill("Voorleesouders op elke school")
    phone.get_by_role("button", name="Plaatsen").click()
    expect(phone.locator(".note-meta")).to_have_text("van Mirjam")
    joining.join(db.session, live_meetup, JoinRequest("Nina Laat", "jeugdwerk", "Buurtwerk"))
    db.session.commit()
    # ... and the organiser, offline, sends a message to all screens.
    control.get_by_label("Bericht", exact=True).fill("De koffie staat klaar")
    control.get_by_role("button", name="Versturen").click()
    # Nothing of that can have reached the laptop yet, nor the message the room.
    expect(control.locator(".ol-note", has_text="Voorleesouders op elke school")).to_have_count(0)
    expect(phone.locator(".banner")).to_have_count(0)

    laptop.set_offline(False)
    expect_connected(control)
    # The laptop shows the evening as it is now ...
    expect(control.locator(".ol-note", has_text="Voorleesouders op elke school")).to_have_count(1)
    expect(control.locator("#counts")).to_have_text("3 deelnemers")
    expect(control.locator(".ol-people--unseated")).to_contain_text("Nina Laat")
    # ... and what was done offline was delivered once.
    expect(phone.locator(".banner")).to_contain_text("De koffie staat klaar")
    expect(control.locator("#message-current")).to_contain_text("De koffie staat klaar")
    expect(status).to_have_attribute("data-state", "connected")

    network = ("WebSocket connection to", "Failed to load resource: net::ERR_INTERNET_DISCONNECTED")
    assert [e for e in control_errors if not e.startswith(network)] == []
    assert phone_errors == []
