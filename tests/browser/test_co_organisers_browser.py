"""Co-organisers in the browser (issue 25): the beheerder invites someone from the members
page, the invited person makes an account from the link, both run the live page at once from
two laptops, and removing her ends her live page at once."""

from __future__ import annotations

import secrets
from types import SimpleNamespace

from playwright.sync_api import expect
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Organiser, PhaseChange
from tests.browser.conftest import login
from tests.browser.test_live_support import (
    assert_accessible,
    assert_no_sideways_scroll,
    expect_connected,
    seat_people,
    set_phase,
    watch_errors,
)


def test_a_co_organiser_is_invited_and_both_run_the_live_page_at_once(
        server, server_app, live_organiser, live_meetup, laptop, browser, new_phone) -> None:
    base = server.base_url
    seat_people(live_meetup, live_organiser, [
        ("Mirjam Visser", "leerkracht_po", "OBS De Linde", "taal"),
        ("Kees Mulder", "gemeente", "Gemeente Hilversum", "zorg"),
    ], "round_1")
    email = f"bea-{secrets.token_hex(3)}@example.org"

    # The beheerder, on a small phone: the members page, then an invitation link.
    small = new_phone(320).new_page()
    small_errors = watch_errors(small)
    login(small, base, live_organiser)
    small.goto(f"{base}/organiser/")
    small.get_by_role("link", name="Leden van Organisator").click()
    expect(small.get_by_role("heading", level=1)).to_have_text("Leden van Organisator")
    assert_accessible(small)
    assert_no_sideways_scroll(small)
    small.get_by_label("E-mailadres").fill(email)
    small.get_by_label("Rol", exact=True).select_option(label="Organisator")
    small.get_by_role("button", name="Uitnodigingslink maken").click()
    link = small.get_by_label("Uitnodigingslink").input_value()
    assert link.startswith(f"{base}/organiser/invitation/")
    assert_accessible(small)
    assert_no_sideways_scroll(small)

    # Bea, on a second laptop: the link makes her account; she lands among the meetups.
    second = browser.new_context(viewport={"width": 1366, "height": 768}, locale="nl-NL")
    try:
        bea = second.new_page()
        bea_errors = watch_errors(bea)
        bea.goto(link)
        expect(bea.get_by_role("heading", level=1)).to_contain_text("Word lid van Organisator")
        assert_accessible(bea)
        bea.get_by_label("Je naam").fill("Bea de Vries")
        bea.get_by_label("Kies een wachtwoord").fill("een lange zin voor bea")
        bea.get_by_role("button", name="Maak mijn account en word lid").click()
        expect(bea.get_by_role("link", name="Meetup Hilversum", exact=True)).to_be_visible()

        # Both laptops on the live page of the same meetup.
        ada = laptop.new_page()
        ada_errors = watch_errors(ada)
        login(ada, base, live_organiser)
        ada.goto(f"{base}/organiser/meetups/{live_meetup.id}/live")
        expect_connected(ada)
        bea.goto(f"{base}/organiser/meetups/{live_meetup.id}/live")
        expect_connected(bea)

        # What one does shows on the other, both ways.
        set_phase(bea, "Ronde 2")
        expect(ada.locator("#phase-stepper").get_by_role("button", name="Ronde 2", exact=True)
               ).to_have_attribute("aria-current", "step")
        set_phase(ada, "Ronde 3")
        expect(bea.locator("#phase-stepper").get_by_role("button", name="Ronde 3", exact=True)
               ).to_have_attribute("aria-current", "step")
        db.session.expire_all()
        who = db.session.execute(select(PhaseChange.to_phase, Organiser.name).join(
            Organiser, PhaseChange.organiser_id == Organiser.id)
            .where(PhaseChange.meetup_id == live_meetup.id)
            .order_by(PhaseChange.id)).all()
        assert [(str(p), n) for p, n in who][-2:] == [("round_2", "Bea de Vries"),
                                                     ("round_3", live_organiser.name)]

        # Removed by the beheerder: her live page loses its connection at once.
        small.goto(f"{base}/organiser/")
        small.get_by_role("link", name="Leden van Organisator").click()
        small.get_by_role("button", name="Bea de Vries verwijderen").click()
        expect(small.locator(".flash, [role=status]").first).to_contain_text("verwijderd")
        expect(bea.locator("#connection-status")).not_to_have_attribute(
            "data-state", "connected")
        bea.goto(f"{base}/organiser/meetups/{live_meetup.id}/live")
        expect(bea).to_have_url(f"{base}/organiser/login?next=/organiser/meetups/"
                                f"{live_meetup.id}/live")
        assert [e for e in bea_errors if "WebSocket" not in e and "socket" not in e] == []
        assert ada_errors == []
    finally:
        second.close()
    assert small_errors == []


def test_a_meekijker_follows_the_live_page_with_every_change_switched_off(
        server, server_app, live_organiser, live_meetup, browser) -> None:
    """A meekijker sees the evening live, and every control that would change it is off (the
    server refuses them anyway): no button that only answers with an error."""
    from meetup.services import organisations, organisers
    from tests.browser.conftest import PASSWORD

    base = server.base_url
    seat_people(live_meetup, live_organiser, [
        ("Mirjam Visser", "leerkracht_po", "OBS De Linde", "taal"),
        ("Kees Mulder", "gemeente", "Gemeente Hilversum", "zorg"),
    ], "round_1")
    with server_app.test_request_context():
        owner = db.session.merge(live_organiser)
        organisation = db.session.merge(live_meetup).organisation
        invitation, _ = organisations.invite(db.session, owner, organisation,
                                             f"mees-{secrets.token_hex(3)}@example.org",
                                             "meekijker")
        mees = organisers.create_organiser(db.session, invitation.email, PASSWORD,
                                           "Mees Meekijker", own_organisation=False)
        organisations.accept(db.session, invitation, mees)
        db.session.commit()
        mees_login = SimpleNamespace(email=mees.email)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="nl-NL")
    try:
        page = context.new_page()
        errors = watch_errors(page)
        login(page, base, mees_login)  # type: ignore[arg-type]
        expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
        page.goto(f"{base}/organiser/meetups/{live_meetup.id}/live")
        expect_connected(page)
        expect(page.get_by_text("Je kijkt mee")).to_be_visible()
        expect(page.locator("#overview")).to_contain_text("Mirjam Visser")
        controls = page.locator('#live button[data-action]:not([data-action="move-cancel"]), '
                                "#live form[data-action] textarea")
        assert controls.count() > 10
        for i in range(controls.count()):
            expect(controls.nth(i)).to_be_disabled()
        assert_accessible(page)
        assert not errors
    finally:
        context.close()
