"""The live pages pass axe (WCAG 2.1 AA), log no errors and do not scroll sideways at 360 px."""

from __future__ import annotations

from playwright.sync_api import expect

from meetup.extensions import db
from meetup.services import joining
from meetup.services.joining import JoinRequest
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


def test_phone_views_projector_and_control_page_are_accessible(
        server, server_app, live_meetup, live_organiser, laptop, new_phone):
    base = server.base_url
    [(_, seated_token), _other] = seat_people(live_meetup, live_organiser, [
        ("Noor Haddad", "ib_zorgcoordinator", "Basisschool De Regenboog", "zorg"),
        ("Peter Jansen", "jeugdhulp_zorg", "Jeugdhulp Gooi", "zorg"),
    ], "theme_choice")
    _, newcomer_token = joining.join(db.session, live_meetup,
                                     JoinRequest("Łukasz Nowak", "ouder_vrijwilliger", "Ouderraad"))
    db.session.commit()

    def open_phone(token):
        context = new_phone(360)
        phone_as(context, server_app, base, live_meetup.id, token)
        page = context.new_page()
        errors = watch_errors(page)
        page.goto(f"{base}/live/{live_meetup.id}")
        expect_connected(page)
        return page, errors

    control, control_errors = open_control(laptop, base, live_organiser, live_meetup)
    projector = laptop.new_page()
    projector_errors = watch_errors(projector)
    projector.goto(f"{base}/projector/{live_meetup.id}")
    expect_connected(projector)
    expect(projector.locator(".pr-joined")).to_have_text("3 mensen aangemeld")
    assert_accessible(projector)

    # Theme choice, for someone who has not chosen yet.
    newcomer, newcomer_errors = open_phone(newcomer_token)
    expect(newcomer.get_by_role("heading", name="Kies een thema")).to_be_visible()
    newcomer.locator(".theme-card").first.locator("summary").click()
    assert_accessible(newcomer)
    assert_no_sideways_scroll(newcomer)

    # A round with a note on the board.
    phone, phone_errors = open_phone(seated_token)
    set_phase(control, "Ronde 1")
    phone.get_by_label("Jouw notitie").fill("Een vast aanspreekpunt voor de leerkracht")
    phone.get_by_role("button", name="Plaatsen").click()
    expect(phone.locator(".note-meta")).to_have_text("van Noor")
    phone.locator(".inspiration summary").click()
    assert_accessible(phone)
    assert_no_sideways_scroll(phone)
    expect(control.locator(".ol-note")).to_have_count(1)
    assert_accessible(control)
    assert_accessible(projector)

    # Voting.
    set_phase(control, "Stemmen")
    expect(phone.locator(".votes-left")).to_have_text("Je hebt nog 3 stippen")
    assert_accessible(phone)
    assert_no_sideways_scroll(phone)

    # The agreement form, with the partner list open and a refused "Afronden".
    set_phase(control, "Afspraken")
    phone.get_by_role("button", name="+ Nieuwe afspraak").click()
    phone.get_by_label("Wat gaan we doen?").fill("Een gezamenlijk spreekuur op school")
    phone.locator(".partner-picker summary").click()
    phone.get_by_role("button", name="Afronden").click()
    expect(phone.locator(".agreement [role=alert]")).to_contain_text("Om af te ronden")
    assert_accessible(phone)
    assert_no_sideways_scroll(phone)

    assert control_errors == [] and projector_errors == []
    assert phone_errors == [] and newcomer_errors == []
