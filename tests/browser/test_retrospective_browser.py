"""The Terugblik in the browser (issue 25, point 3): the organiser steps through last time's
agreements, an owner in the room updates hers from her phone, the projector follows; the
projector fits at 1920x1080 and 1280x720, the phone and the organiser's page pass axe."""

from __future__ import annotations

from playwright.sync_api import expect

from meetup.extensions import db
from meetup.models import AgreementUpdate, ConsentKind, ReminderConsent
from meetup.services import joining
from meetup.services.joining import JoinRequest
from tests.browser.test_live_support import (
    assert_accessible,
    assert_no_sideways_scroll,
    expect_connected,
    open_control,
    phone_as,
    set_phase,
    watch_errors,
)
from tests.browser.test_projector_fits_browser import assert_nothing_clipped
from tests.browser.test_projector_organiser import open_projector, screen_context
from tests.realtime_helpers import wait_until
from tests.series_factories import earlier_meetup, follow_up


def test_the_organiser_steps_an_owner_updates_from_her_phone_and_the_projector_follows(
        server, server_app, live_organiser, browser, new_phone, laptop) -> None:
    earlier, made = earlier_meetup(live_organiser)
    made["zorg"].what = ("Een vast spreekuur van de jeugdverpleegkundige op elke basisschool in "
                         "de wijk, elke week op dinsdagochtend, met een tolk voor ouders die "
                         "weinig Nederlands spreken, en een warme overdracht naar het "
                         "wijkteam wanneer een kind meer zorg nodig heeft dan de school kan "
                         "geven; de intern begeleiders sluiten aan")[:300]
    made["zorg"].owner_organisation = "GGD Gooi en Vechtstreek, afdeling Jeugdgezondheidszorg"
    db.session.add(ReminderConsent(meetup_id=earlier.id, agreement_id=made["voorlezen"].id,
                                   kind=ConsentKind.REMINDERS, email="fatima@bieb.nl"))
    later = follow_up(live_organiser, earlier)
    fatima, token = joining.join(db.session, later, JoinRequest(
        "Fatima Yilmaz", "gemeente", "Bibliotheek Gooi", email="Fatima@Bieb.nl"))
    db.session.commit()

    control, control_errors = open_control(laptop, server.base_url, live_organiser, later)
    set_phase(control, "Terugblik")
    card = control.locator("#retro-card")
    expect(card).to_contain_text("Afspraak 1 van 3 — Taal")
    expect(card).to_contain_text("Voorleesouders op elke school")
    assert_accessible(control)

    big = screen_context(browser, 1920, 1080)
    projector = open_projector(big, server.base_url, live_organiser, later)
    slide = projector.locator(".pr-retro__agreement")
    expect(projector.locator(".pr-retro__title")).to_have_text("Terugblik op Meetup Hilversum")
    expect(slide).to_contain_text("Voorleesouders op elke school")
    expect(slide).to_contain_text("bezig")
    expect(projector.locator(".pr-retro__counts")).to_contain_text("2 nog geen bericht")
    # Owners still arriving can join: the code stays on the screen.
    expect(projector.locator(".pr-retro__join")).to_contain_text(later.short_code)

    card.get_by_role("button", name="Volgende →").click()
    expect(card).to_contain_text("Afspraak 2 van 3 — Taal")
    expect(slide).to_contain_text("Taalcafé voor ouders")
    card.get_by_role("button", name="← Vorige").click()
    expect(card).to_contain_text("Afspraak 1 van 3 — Taal")
    expect(slide).to_contain_text("Voorleesouders op elke school")

    phone_context = new_phone(320)
    phone_as(phone_context, server_app, server.base_url, later.id, token)
    phone = phone_context.new_page()
    phone_errors = watch_errors(phone)
    phone.goto(f"{server.base_url}/live/{later.id}")
    expect_connected(phone)
    mine = phone.locator(".retro-list")
    expect(mine).to_contain_text("Voorleesouders op elke school")
    expect(mine).not_to_contain_text("Taalcafé")  # Henk's, not hers
    assert_accessible(phone)
    assert_no_sideways_scroll(phone)

    phone.get_by_label("gerealiseerd").check()
    note = phone.get_by_label("In één regel: wat is er gebeurd? (mag leeg)")
    note.fill("Alle scholen in Bussum doen mee")
    # What she chose and typed survives a reload before she saves.
    phone.reload()
    expect_connected(phone)
    expect(note).to_have_value("Alle scholen in Bussum doen mee")
    expect(phone.get_by_label("gerealiseerd")).to_be_checked()
    phone.get_by_role("button", name="Opslaan en tonen").click()
    expect(phone.get_by_role("status").filter(has_text="Opgeslagen")).to_be_visible()

    expect(slide).to_contain_text("gerealiseerd")
    expect(slide).to_contain_text("Alle scholen in Bussum doen mee")
    expect(projector.locator(".pr-retro__counts")).to_contain_text("1 gerealiseerd")
    expect(card).to_contain_text("gerealiseerd: 1")
    assert_nothing_clipped(projector, "terugblik 1920x1080")
    small = screen_context(browser, 1280, 720)
    projector_small = open_projector(small, server.base_url, live_organiser, later)
    expect(projector_small.locator(".pr-retro__agreement")).to_contain_text("gerealiseerd")
    assert_nothing_clipped(projector_small, "terugblik 1280x720")
    # The longest agreement of last time fits too.
    card.get_by_role("button", name="Volgende →").click()
    card.get_by_role("button", name="Volgende →").click()
    expect(card).to_contain_text("Afspraak 3 van 3 — Zorg vs. lesgeven")
    for page, where in ((projector, "long 1920x1080"), (projector_small, "long 1280x720")):
        expect(page.locator(".pr-retro__agreement")).to_contain_text("intern begeleiders")
        assert_nothing_clipped(page, where)

    def recorded() -> list[tuple[str, str]]:
        db.session.expire_all()
        return [(u.status.value, u.source) for u in db.session.query(AgreementUpdate)
                .filter_by(agreement_id=made["voorlezen"].id).order_by(AgreementUpdate.id)]

    assert wait_until(lambda: recorded()[-1] == ("done", "retrospective"))
    assert control_errors == [] and phone_errors == []
    big.close()
    small.close()


def test_the_organiser_page_of_a_follow_up_meetup_fits_a_narrow_window(
        server, server_app, live_organiser, new_phone) -> None:
    earlier, _made = earlier_meetup(live_organiser)
    later = follow_up(live_organiser, earlier)
    control, errors = open_control(new_phone(320), server.base_url, live_organiser, later)
    set_phase(control, "Terugblik")
    expect(control.locator("#retro-card")).to_contain_text("Afspraak 1 van 3 — Taal")
    assert_accessible(control)
    assert_no_sideways_scroll(control)
    assert errors == []
