"""The plenary opens on its first slide, whatever was confirmed when (issue 24, points 6 and 7).

Played in the order of the evening that went wrong: three agreements are final during
Afspraken and the organiser's panel already shows (and steps through) them; then the organiser
confirms the groups of theme taal on the groups page, still during Afspraken; then opens
Plenair. The projector, the organiser's panel and a phone start at "Groep 1 van 2", and
"Vorige dia" is off. A group confirmed with the suggestion's automatic title of bare stems shows
a note that stands for it instead, on the projector and the phone; an agreement slide shows
"Gelukt als" as the phones do.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from playwright.sync_api import expect

from meetup.extensions import db
from meetup.models import Phase
from meetup.models.grouping import NoteGroup
from meetup.services import agreements, board, groupings, phases
from tests.browser.test_evening_people import check_screen, open_phone
from tests.browser.test_live_support import (
    assert_accessible,
    open_control,
    set_phase,
    watch_errors,
)
from tests.browser.test_projector_organiser import (
    inside_viewport,
    open_projector,
    screen_context,
    seed_room,
    shots_dir,
)

STEMS = "echt · nodig · onderwijskundig"
READING = ["Voorlezen met ouders in de bibliotheek van de wijk",
           "Voorleesouders die in groep 3 komen voorlezen",
           "Een voorleesochtend samen met de peuterspeelzaal"]
TRANSFER = ["Een warme overdracht van de peuterspeelzaal naar groep 1",
            "Echt nodig: een onderwijskundig rapport dat de school ook leest",
            "Overdracht met de ouders erbij aan tafel"]
MEASURE = "Twintig ouders komen drie keer of vaker"


def _seed(server_app, meetup, organiser):  # type: ignore[no-untyped-def]
    """18 people at tables; six taal notes (dots on one of the transfer notes); three final
    agreements; two suggested groups of taal, not confirmed, the second with a title of bare
    stems; the evening in Afspraken. Returns the taal theme's id and a phone's token."""
    with server_app.test_request_context():
        meetup = db.session.merge(meetup)
        organiser = db.session.merge(organiser)
        joined = seed_room(meetup, organiser, 18, phase="round_1")
        taal = [p for p, _ in joined if p.theme.key == "taal"]
        written = [board.create_note(db.session, taal[i % len(taal)], uuid.uuid4(), "happens",
                                     text) for i, text in enumerate(READING + TRANSFER)]
        phases.set_phase(db.session, meetup, Phase.VOTING, organiser)
        voter = next(p for p in taal if p.table_id == written[4].table_id)
        board.add_vote(db.session, voter, uuid.uuid4(), written[4].uuid)
        phases.set_phase(db.session, meetup, Phase.AGREEMENTS, organiser)
        for n, owner in enumerate(p for p, _ in joined[:3]):
            draft = agreements.create_draft(db.session, owner, uuid.uuid4())
            agreements.update_agreement(db.session, owner, draft.uuid, {
                "what": f"Afspraak {n + 1}: voorleesochtend", "owner_name": "Noor",
                "owner_organisation": "OBS De Linde", "first_step": "Bellen",
                "success_measure": MEASURE,
                "due_date": (date.today() + timedelta(days=20)).isoformat()})
            agreements.finalise(db.session, owner, draft.uuid)
        theme = next(t for t in meetup.themes if t.key == "taal")
        groupings.suggest(db.session, meetup, theme.id)
        [view] = groupings.views(db.session, meetup)
        first = view.groups[0].id
        if len(view.groups) > 1:
            groupings.merge(db.session, meetup, theme.id, first, [g.id for g in view.groups[1:]])
        # Notes the method left under "Nog in te delen" join the first group too, so the
        # split below makes exactly the two groups this evening is about.
        groupings.move_notes(db.session, meetup, theme.id, [n.id for n in written], first)
        groupings.split(db.session, meetup, theme.id, first, [n.id for n in written[3:]])
        groupings.rename(db.session, meetup, theme.id, first, "Samen voorlezen")
        # The second group keeps the suggestion's title of bare stems.
        [view] = groupings.views(db.session, meetup)
        db.session.get(NoteGroup, view.groups[1].id).title = STEMS
        db.session.commit()
        return theme.id, next(token for p, token in joined if p.theme.key == "zorg")


def test_groups_confirmed_during_afspraken_open_the_plenary(
        server, server_app, live_meetup, live_organiser, browser, laptop, new_phone,
        tmp_path) -> None:
    theme_id, token = _seed(server_app, live_meetup, live_organiser)
    out = shots_dir(tmp_path)
    control, control_errors = open_control(laptop, server.base_url, live_organiser, live_meetup)
    context = screen_context(browser, 1280, 720)
    projector = open_projector(context, server.base_url, live_organiser, live_meetup)
    projector_errors = watch_errors(projector)
    phone, phone_errors = open_phone(new_phone(320), server_app, server.base_url,
                                     live_meetup.id, token)

    # Afspraken: the panel already has the agreements, and the organiser steps ahead.
    expect(control.locator(".ol-plenary-pos")).to_have_text("Afspraak 1 van 3")
    control.get_by_role("button", name="Volgende dia →").click()
    expect(control.locator(".ol-plenary-pos")).to_have_text("Afspraak 2 van 3")

    # Still in Afspraken, the organiser confirms the groups of taal.
    groups = laptop.new_page()
    groups.goto(f"{server.base_url}/organiser/meetups/{live_meetup.id}/groups?theme={theme_id}")
    groups.get_by_role("button", name="Deze groepen bevestigen").click()
    expect(groups.get_by_text("Bevestigd: de projector mag deze groepen tonen.")).to_be_visible()
    expect(control.locator(".ol-plenary-seq")).to_have_text("Groepen: 2 · afspraken: 3")

    # Opening the plenary starts at its first slide: the first group, everywhere.
    set_phase(control, "Plenair")
    expect(control.locator(".ol-plenary-pos")).to_have_text("Groep 1 van 2 — Taal centraal")
    expect(control.get_by_role("button", name="← Vorige dia")).to_be_disabled()
    expect(projector.locator(".pr-kicker")).to_have_text("Groep 1 van 2 · Taal centraal")
    expect(projector.locator(".pr-group__title")).to_have_text("Samen voorlezen")
    now = phone.get_by_role("region", name="Nu op het grote scherm")
    expect(now).to_contain_text("Groep 1 van 2 · Taal centraal")

    # The second group was confirmed with bare stems: a note stands for it instead.
    control.get_by_role("button", name="Volgende dia →").click()
    expect(control.locator(".ol-plenary-pos")).to_have_text("Groep 2 van 2 — Taal centraal")
    title = projector.locator(".pr-group__title")
    expect(title).to_have_text("Echt nodig: een onderwijskundig rapport dat de school ook…")
    expect(now.get_by_role("heading", level=3)).to_have_text(
        "Echt nodig: een onderwijskundig rapport dat de school ook…")
    for page in (projector, phone, control):
        assert "·" not in page.locator(".pr-group__title, .plenary-group__title, "
                                       ".ol-plenary-what").first.inner_text()
    projector.screenshot(path=str(out / "plenary-order-group-2-1280x720.png"))
    inside_viewport(projector, ".pr-group__title")

    # Then the agreements, from the first; the slide shows "Gelukt als" like the phone.
    control.get_by_role("button", name="Volgende dia →").click()
    expect(control.locator(".ol-plenary-pos")).to_have_text("Afspraak 1 van 3")
    expect(projector.locator(".pr-agreement__what")).to_have_text("Afspraak 1: voorleesochtend")
    expect(projector.locator(".pr-facts")).to_contain_text(f"Gelukt als: {MEASURE}")
    expect(now).to_contain_text(f"Gelukt als: {MEASURE}")
    projector.screenshot(path=str(out / "plenary-order-agreement-1280x720.png"))
    phone.screenshot(path=str(out / "plenary-order-phone-320.png"), full_page=True)
    inside_viewport(projector, ".pr-facts")
    assert_accessible(projector)
    assert_accessible(control)
    check_screen(phone)
    context.close()
    assert projector_errors == [] and control_errors == [] and phone_errors == []
