"""One person, two windows open on the voting screen, spending dots in both at once: never
more dots than allowed, and both windows end up showing the same."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import Vote
from meetup.services import board, phases
from tests.browser.test_live_support import (
    expect_connected,
    phone_as,
    seat_people,
    watch_errors,
)


def test_two_windows_spending_dots_at_once_show_the_same_dots(
        server, server_app, live_meetup, live_organiser, new_phone):
    base = server.base_url
    (ayla, ayla_token), (bram, _token) = seat_people(live_meetup, live_organiser, [
        ("Ayla Yılmaz", "jeugdwerk", "Jongerenwerk", "taal"),
        ("Bram de Boer", "leerkracht_po", "OBS Het Kompas", "taal"),
    ], "round_1")
    texts = [f"Idee {i}" for i in range(4)]
    for text in texts:
        board.create_note(db.session, bram, uuid.uuid4(), "happens", text)
    phases.set_phase(db.session, live_meetup, "voting", live_organiser)
    db.session.commit()
    allowed = live_meetup.votes_per_person

    # Two windows of Ayla's phone (the second one on a flaky connection).
    contexts, tabs, errors = [], [], []
    for _ in range(2):
        context = new_phone(360)
        phone_as(context, server_app, base, live_meetup.id, ayla_token)
        page = context.new_page()
        errors.append(watch_errors(page))
        page.goto(f"{base}/live/{live_meetup.id}")
        expect_connected(page)
        expect(page.locator(".votes-left")).to_have_text(f"Je hebt nog {allowed} stippen")
        contexts.append(context)
        tabs.append(page)

    # The second window spends its dots while its connection is gone (they wait in its
    # outbox), the first spends them online; then the second comes back and sends its own:
    # both sets of dots really compete at the server.
    contexts[1].set_offline(True)
    expect(tabs[1].locator("#connection-status")).to_have_attribute("data-state", "offline")
    for page, chosen in ((tabs[1], texts[1:]), (tabs[0], texts[:3])):
        for text in chosen:
            page.locator(".note--vote", has_text=text).get_by_role(
                "button", name="+ Stip geven").click()
        expect(page.locator(".votes-left")).to_have_text("Je stippen zijn op")
    contexts[1].set_offline(False)
    expect_connected(tabs[1])

    for page in tabs:
        expect(page.locator(".votes-left")).to_have_text("Je stippen zijn op")
    db.session.expire_all()
    stored = db.session.scalar(select(func.count(Vote.id)).where(
        Vote.participant_id == ayla.id))
    db.session.rollback()
    assert stored == allowed

    def tallies(page):
        return [page.locator(".note--vote", has_text=text).locator(".tally").inner_text()
                for text in texts]

    for page in tabs:  # every tab shows the dots the server holds, the same in both
        for text, tally in zip(texts, tallies(tabs[0]), strict=True):
            expect(page.locator(".note--vote", has_text=text).locator(".tally")).to_have_text(
                tally)
    assert sum(int(t.split("(")[1].split()[0]) for t in tallies(tabs[0]) if "(" in t) == allowed
    network = ("WebSocket connection to", "Failed to load resource: net::ERR_INTERNET_DISCONNECTED")
    assert errors[0] == []
    assert [e for e in errors[1] if not e.startswith(network)] == []
