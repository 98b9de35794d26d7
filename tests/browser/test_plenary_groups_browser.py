"""The plenary shows the room's confirmed groups before the agreements (issue 15, points 3
and 7): the organiser confirms on the groups page, then steps the plenary from the live page;
the projector shows the group's title, how many notes from how many tables, the notes with the
most dots and "+N meer", within one 1280x720 screen even with 80-character titles and
280-character notes; phones show the same slide; the web report's theme section shows the
group; every page passes axe."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect

from meetup.extensions import db
from meetup.models import Phase
from meetup.services import agreements, board, groupings, phases
from tests.browser.test_evening_people import check_screen, open_phone
from tests.browser.test_live_support import assert_accessible, open_control, watch_errors
from tests.browser.test_projector_organiser import (
    inside_viewport,
    open_projector,
    screen_context,
    seed_room,
    shots_dir,
)

TITLE = "Voorlezen met ouders, de bibliotheek en de peuterspeelzaal in elke wijk van de stad"[:80]
LONG = ("Elke week een voorleesochtend in de bibliotheek met ouders die zelf weinig lezen, "
        "samen met de peuterspeelzaal, het consultatiebureau en de leerkracht van groep 1 en 2, "
        "zodat kinderen thuis vaker een boek openslaan en ouders zich welkom voelen op school "
        "en in de wijk; de gemeente betaalt de boeken en de koffie.")[:280]


def _seed(server_app, meetup, organiser) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """A room in the plenary: nine long notes at the taal tables in one group (not yet
    confirmed), dots on two of them, one final agreement. Returns the taal theme's id and
    the token of a participant of another theme (for a phone)."""
    with server_app.test_request_context():
        meetup = db.session.merge(meetup)
        organiser = db.session.merge(organiser)
        joined = seed_room(meetup, organiser, 18, phase="round_1")
        taal = [p for p, _ in joined if p.theme.key == "taal"]
        written = [board.create_note(db.session, taal[i % len(taal)], uuid.uuid4(), "happens",
                                     f"{i + 1}. {LONG}"[:280]) for i in range(9)]
        phases.set_phase(db.session, meetup, Phase.VOTING, organiser)
        for note, dots in ((written[4], 2), (written[7], 1)):
            voters = [p for p in taal if p.table_id == note.table_id]
            for voter in voters[:dots]:
                board.add_vote(db.session, voter, uuid.uuid4(), note.uuid)
        phases.set_phase(db.session, meetup, Phase.AGREEMENTS, organiser)
        owner = taal[0]
        draft = agreements.create_draft(db.session, owner, uuid.uuid4())
        agreements.update_agreement(db.session, owner, draft.uuid, {
            "what": "Voorleesochtend elke maand", "owner_name": "Noor",
            "owner_organisation": "OBS De Linde", "first_step": "Bellen",
            "due_date": (date.today() + timedelta(days=20)).isoformat()})
        agreements.finalise(db.session, owner, draft.uuid)
        theme = next(t for t in meetup.themes if t.key == "taal")
        groupings.suggest(db.session, meetup, theme.id)
        [view] = groupings.views(db.session, meetup)
        first = view.groups[0].id
        if len(view.groups) > 1:
            groupings.merge(db.session, meetup, theme.id, first, [g.id for g in view.groups[1:]])
        groupings.rename(db.session, meetup, theme.id, first, TITLE)
        phases.set_phase(db.session, meetup, Phase.PLENARY, organiser)
        db.session.commit()
        return theme.id, next(token for p, token in joined if p.theme.key == "zorg")


def test_the_organiser_confirms_groups_and_steps_the_plenary(
        server, server_app, live_meetup, live_organiser, browser, laptop, new_phone,
        tmp_path) -> None:
    theme_id, phone_token = _seed(server_app, live_meetup, live_organiser)
    control, control_errors = open_control(laptop, server.base_url, live_organiser, live_meetup)
    context = screen_context(browser, 1280, 720)
    projector = open_projector(context, server.base_url, live_organiser, live_meetup)
    projector_errors = watch_errors(projector)
    out = shots_dir(tmp_path)

    # Not confirmed: only the agreement is in the plenary.
    expect(control.locator(".ol-plenary-pos")).to_have_text("Afspraak 1 van 1")
    expect(projector.locator(".pr-agreement__what")).to_have_text("Voorleesochtend elke maand")
    expect(projector.locator(".pr-group")).to_have_count(0)

    # The organiser confirms on the groups page (another tab of the same laptop).
    groups = laptop.new_page()  # logged in already (the live page's context)
    groups.goto(f"{server.base_url}/organiser/meetups/{live_meetup.id}/groups?theme={theme_id}")
    groups.get_by_role("button", name="Deze groepen bevestigen").click()
    expect(groups.get_by_text("Bevestigd: de projector mag deze groepen tonen.")).to_be_visible()
    expect(groups.get_by_text("De plenaire ronde loopt")).to_be_visible()
    assert_accessible(groups)

    # The agreement stays on the projector; the group comes before it in the sequence.
    expect(control.locator(".ol-plenary-pos")).to_have_text("Afspraak 1 van 1")
    expect(control.locator(".ol-plenary-seq")).to_have_text("Groepen: 1 · afspraken: 1")
    expect(projector.locator(".pr-agreement__what")).to_have_text("Voorleesochtend elke maand")
    control.get_by_role("button", name="← Vorige dia").click()
    expect(control.locator(".ol-plenary-pos")).to_have_text("Groep 1 van 1 — Taal centraal")

    group = projector.locator(".pr-group")
    expect(group.locator(".pr-group__title")).to_have_text(TITLE)
    expect(group.locator(".pr-group__counts")).to_contain_text("9 notities van ")
    expect(group.locator(".pr-kicker")).to_have_text("Groep 1 van 1 · Taal centraal")
    notes = group.locator(".pr-group__notes li")
    expect(notes).to_have_count(3)
    expect(notes.first).to_contain_text("5. Elke week")  # the note with two dots first
    expect(notes.first).to_contain_text("2 stippen")
    expect(notes.nth(1)).to_contain_text("1 stip")
    expect(group.locator(".pr-group__more")).to_have_text("+6 meer")
    projector.screenshot(path=str(out / "projector-plenary-group-1280x720.png"))
    for part in (".pr-group__title", ".pr-group__counts", ".pr-group__notes", ".pr-group__more"):
        inside_viewport(projector, part)
    assert_accessible(projector)
    assert_accessible(control)

    # Next: the agreement; past the end the button is off.
    control.get_by_role("button", name="Volgende dia →").click()
    expect(control.locator(".ol-plenary-pos")).to_have_text("Afspraak 1 van 1")
    expect(projector.locator(".pr-agreement__what")).to_have_text("Voorleesochtend elke maand")
    expect(control.get_by_role("button", name="Volgende dia →")).to_be_disabled()

    # A 1920x1080 projector holds the group too, and a phone of another theme shows it.
    control.get_by_role("button", name="← Vorige dia").click()
    phone, phone_errors = open_phone(new_phone(320), server_app, server.base_url,
                                     live_meetup.id, phone_token)
    now = phone.get_by_role("region", name="Nu op het grote scherm")
    expect(now).to_contain_text("Groep 1 van 1 · Taal centraal")
    expect(now.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(now).to_contain_text("+6 meer")
    expect(now.get_by_role("button", name="Ik doe mee")).to_have_count(0)
    check_screen(phone)
    phone.screenshot(path=str(out / "phone-plenary-group-320.png"), full_page=True)
    assert phone_errors == []
    big = screen_context(browser, 1920, 1080)
    wide = open_projector(big, server.base_url, live_organiser, live_meetup)
    expect(wide.locator(".pr-group__more")).to_have_text("+6 meer")
    for part in (".pr-group__title", ".pr-group__notes", ".pr-group__more"):
        inside_viewport(wide, part)
    wide.screenshot(path=str(Path(out) / "projector-plenary-group-1920x1080.png"))
    big.close()

    # The web report's theme section shows the confirmed group (point 4), axe clean too.
    groups.goto(f"{server.base_url}/organiser/meetups/{live_meetup.id}/report/web")
    found = groups.get_by_role("region", name="Taal centraal")
    expect(found.get_by_role("heading", name="Wat de tafels samen vonden")).to_be_visible()
    expect(found.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(found).to_contain_text("… en nog 4 (zie alle notities).")
    assert_accessible(groups)
    context.close()
    assert projector_errors == [] and control_errors == []


def test_a_group_of_a_room_of_170_tables_fits_the_projector(
        server, server_app, live_meetup, live_organiser, browser, tmp_path) -> None:
    """170 tables (57 of theme taal) and 1,000 long notes of taal in one confirmed group: the
    counts and "+997 meer" stay on one 1280x720 screen."""
    from sqlalchemy import insert

    from meetup.models import Note, Round, Table

    with server_app.test_request_context():
        meetup = db.session.merge(live_meetup)
        themes = list(meetup.themes)
        db.session.execute(insert(Table), [
            {"meetup_id": meetup.id, "theme_id": themes[i % 3].id, "number": i + 1}
            for i in range(170)])
        taal = next(t for t in themes if t.key == "taal")
        tables = db.session.scalars(db.select(Table.id).where(
            Table.meetup_id == meetup.id, Table.theme_id == taal.id)).all()
        assert len(tables) == 57
        db.session.execute(insert(Note), [
            {"uuid": uuid.uuid4(), "meetup_id": meetup.id, "table_id": tables[i % 57],
             "round": Round.HAPPENS, "text": f"{i + 1}. {LONG}"[:280], "hidden": False}
            for i in range(1000)])
        meetup.phase = Phase.VOTING
        groupings.suggest(db.session, meetup, taal.id)
        [view] = groupings.views(db.session, meetup)
        first = view.groups[0].id
        if len(view.groups) > 1:
            groupings.merge(db.session, meetup, taal.id, first, [g.id for g in view.groups[1:]])
        groupings.rename(db.session, meetup, taal.id, first, TITLE)
        groupings.confirm(db.session, meetup, taal.id)
        phases.set_phase(db.session, meetup, Phase.PLENARY)
        phases.send_message(db.session, meetup, "Koffie staat achterin. " * 6)
        db.session.commit()

    context = screen_context(browser, 1280, 720)
    projector = open_projector(context, server.base_url, live_organiser, live_meetup)
    group = projector.locator(".pr-group")
    expect(group.locator(".pr-group__counts")).to_have_text("1000 notities van 57 tafels")
    expect(projector.locator(".pr-banner")).to_be_visible()
    # Under a long message fewer notes fit: the ones shown are whole, "+N meer" counts the rest.
    shown = group.locator(".pr-group__notes li").evaluate_all(
        "els => { const r = els[0].parentElement.getBoundingClientRect();"
        " return els.filter(e => e.getBoundingClientRect().left < r.right).length; }")
    assert 1 <= shown <= 3
    expect(group.locator(".pr-group__more")).to_have_text(f"+{1000 - shown} meer")
    for part in (".pr-banner", ".pr-group__title", ".pr-group__counts", ".pr-group__more"):
        inside_viewport(projector, part)
    boxes = group.locator(".pr-group__notes li").evaluate_all(
        "els => { const r = els[0].parentElement.getBoundingClientRect();"
        " return els.filter(e => e.getBoundingClientRect().left < r.right)"
        ".map(e => [e.getBoundingClientRect().bottom, r.bottom]); }")
    assert all(bottom <= list_bottom + 0.5 for bottom, list_bottom in boxes), boxes
    projector.screenshot(path=str(shots_dir(tmp_path) / "projector-group-170-tables.png"))
    assert_accessible(projector)
    context.close()

    # Opened on a phone-sized window: one column that scrolls, all three notes, no sideways.
    narrow = screen_context(browser, 360, 740)
    small = open_projector(narrow, server.base_url, live_organiser, live_meetup)
    expect(small.locator(".pr-group__more")).to_have_text("+997 meer")
    assert small.locator(".pr-group__notes li").first.bounding_box()["height"] > 20
    assert small.evaluate("document.documentElement.scrollWidth") <= 360
    narrow.close()
