"""Issue 24 in a real browser: a room of 30 tables in the voting phase; the organiser asks for
groups of the taal theme (the shipped method: sentence vectors in the server process), sees
only clear groups titled by one of their notes and the rest under "Nog in te delen", moves
those notes by hand (two into a new group, the rest into a suggested group), confirms, opens
the plenary from the live page, and the projector shows the first group."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from benchmarks.grouping_quality import TEST, labelled
from meetup.extensions import db
from meetup.models import Phase, Table
from meetup.services import board, phases
from meetup.services.grouping import shorten
from tests.browser.test_live_support import (
    assert_accessible,
    assert_no_sideways_scroll,
    open_control,
    set_phase,
    watch_errors,
)
from tests.browser.test_projector_organiser import open_projector, screen_context, seed_room

#: The held-out taal notes (77), written at the room's taal tables.
TEXTS = [text for _group, text in labelled(TEST)["taal"]]


def _room(server_app, meetup, organiser) -> int:  # type: ignore[no-untyped-def]
    """120 people at 30 tables of four, the taal notes written, then the voting phase."""
    with server_app.test_request_context():
        meetup = db.session.merge(meetup)
        organiser = db.session.merge(organiser)
        meetup.table_size = 4
        joined = seed_room(meetup, organiser, 120, phase="round_1")
        assert db.session.query(Table).filter_by(meetup_id=meetup.id).count() == 30
        writers = [p for p, _ in joined if p.theme.key == "taal"]
        for i, text in enumerate(TEXTS):
            board.create_note(db.session, writers[i % len(writers)], uuid.uuid4(), "happens",
                              text)
        phases.set_phase(db.session, meetup, Phase.VOTING, organiser)
        db.session.commit()
        return next(t.id for t in meetup.themes if t.key == "taal")


def _still_to_place(page):  # type: ignore[no-untyped-def]
    return page.locator("#ungrouped")


def test_the_organiser_places_what_the_method_left_and_opens_the_plenary(
        server, server_app, live_meetup, live_organiser, browser, laptop) -> None:
    theme_id = _room(server_app, live_meetup, live_organiser)
    control, control_errors = open_control(laptop, server.base_url, live_organiser,
                                           live_meetup)  # logs the laptop in
    page = laptop.new_page()
    errors = watch_errors(page)
    page.goto(f"{server.base_url}/organiser/meetups/{live_meetup.id}/groups?theme={theme_id}")
    page.get_by_role("button", name="Groepen voorstellen").click()
    expect(page.get_by_text("Nieuwe groepen voorgesteld")).to_be_visible(timeout=60_000)

    cards = page.locator(".group-card")
    suggested = cards.count()
    assert suggested >= 3
    # Every title is one of the group's own notes, shortened: a phrase, never bare stems.
    for i in range(suggested):
        card = cards.nth(i)
        title = card.locator("h3").inner_text()
        notes = [t.split(" · tafel")[0].strip()
                 for t in card.locator(".note-checks label").all_inner_texts()]
        assert " · " not in title and title in {shorten(n) for n in notes}, (title, notes)

    waiting = _still_to_place(page)
    expect(waiting.get_by_role("heading", name=re.compile("Nog in te delen"))).to_be_visible()
    left = waiting.locator("input[type=checkbox]").count()
    assert 0 < left < len(TEXTS)  # precision first: not every note was placed
    placed = sum(int(re.search(r"\d+", t).group()) for t in
                 cards.locator("p.muted").filter(has_text="Notities:").all_inner_texts())
    assert placed + left == len(TEXTS)
    assert_accessible(page)

    # Two waiting notes become a new group of their own.
    boxes = waiting.locator("input[type=checkbox]")
    first_two = [waiting.locator(f"label[for='{boxes.nth(i).get_attribute('id')}']")
                 .inner_text().split(" · tafel")[0].strip() for i in range(2)]
    boxes.nth(0).check()
    boxes.nth(1).check()
    waiting.get_by_label("Verplaats de aangevinkte notities naar").select_option(
        label="een nieuwe groep")
    waiting.get_by_role("button", name="Verplaatsen").click()
    expect(cards).to_have_count(suggested + 1)
    new_card = cards.filter(has_text=first_two[0]).filter(has_text=first_two[1])
    expect(new_card).to_have_count(1)
    expect(new_card.get_by_text("Notities: 2")).to_be_visible()
    expect(_still_to_place(page).locator("input[type=checkbox]")).to_have_count(left - 2)

    # The rest go into the first suggested group; nothing waits any more.
    target = cards.first.locator("h3").inner_text()
    waiting = _still_to_place(page)
    for box in waiting.locator("input[type=checkbox]").all():
        box.check()
    waiting.get_by_label("Verplaats de aangevinkte notities naar").select_option(label=target)
    waiting.get_by_role("button", name="Verplaatsen").click()
    expect(_still_to_place(page)).to_have_count(0)
    # The move reloads the page: read the counts once its group cards are back.
    expect(cards.first.locator("p.muted").filter(has_text="Notities:")).to_be_visible()
    counts = cards.locator("p.muted").filter(has_text="Notities:").all_inner_texts()
    assert sum(int(re.search(r"\d+", t).group()) for t in counts) == len(TEXTS)

    page.get_by_role("button", name="Deze groepen bevestigen").click()
    expect(page.get_by_text("Bevestigd: de projector mag deze groepen tonen.")).to_be_visible()
    groups_total = cards.count()
    first_title = cards.first.locator("h3").inner_text()
    assert_accessible(page)
    assert_no_sideways_scroll(page)

    # The plenary starts with the confirmed groups.
    projector = open_projector(screen_context(browser, 1280, 720), server.base_url,
                               live_organiser, live_meetup)
    set_phase(control, "Afspraken")
    set_phase(control, "Plenair")
    expect(control.locator(".ol-plenary-pos")).to_have_text(
        f"Groep 1 van {groups_total} — Taal centraal")
    expect(projector.locator(".pr-group__title")).to_have_text(first_title)
    assert errors == [] and control_errors == []
