"""The report's web pages in real browsers: the accessible version of the PDF.

Dutch public bodies prefer an accessible HTML page to a PDF, so the organiser's report page,
the municipality's shared page and an owner's follow-up page must pass axe like every page.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page

from meetup.extensions import db
from meetup.models import Agreement, AgreementStatus
from tests.browser.conftest import axe_violations, describe, login
from tests.report_factories import make_evening


def _check(page: Page, width: int | None = None) -> None:
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    if width:
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_report_share_link_and_follow_up_in_the_browser(server, server_app, live_organiser,
                                                        laptop, new_phone) -> None:
    evening = make_evening(live_organiser)
    db.session.commit()
    meetup = evening.meetup
    agreement = evening.agreements[0]

    organiser = laptop.new_page()
    errors: list[str] = []
    organiser.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(organiser, server.base_url, live_organiser)
    organiser.goto(f"{server.base_url}/organiser/meetups/{meetup.id}/report")
    assert organiser.get_by_text("Voorleesouders op elke basisschool").first.is_visible()
    _check(organiser)

    # Share with the municipality: the link opens read-only on a phone without login.
    organiser.get_by_role("button", name=re.compile("[Dd]elen|link")).first.click()
    organiser.wait_for_load_state()
    db.session.expire_all()
    token = db.session.get(type(meetup), meetup.id).report_share_token
    assert token
    municipality = new_phone(360).new_page()
    municipality.goto(f"{server.base_url}/r/{token}")
    assert municipality.get_by_role("heading", level=1).is_visible()
    assert municipality.get_by_text("Tolk bij elk oudergesprek in groep 8").first.is_visible()
    assert municipality.get_by_text("Geheime Gerrit").count() == 0  # no consent, not shown
    _check(municipality, 360)

    # The owner's private follow-up link: set the status to "bezig" with a note.
    owner = new_phone(360).new_page()
    owner.goto(f"{server.base_url}/f/{agreement.followup_token}")
    _check(owner, 360)
    owner.get_by_label(re.compile("^[Bb]ezig")).check()
    owner.get_by_label(re.compile("[Tt]oelichting|[Nn]otitie|[Kk]orte")).first.fill(
        "Drie scholen doen mee")
    owner.get_by_role("button", name=re.compile("[Oo]pslaan|[Bb]ijwerken|[Vv]erstuur")).click()
    owner.wait_for_load_state()
    assert owner.get_by_text("Drie scholen doen mee").first.is_visible()
    db.session.expire_all()
    assert db.session.get(Agreement, agreement.id).status is AgreementStatus.IN_PROGRESS
    _check(owner, 360)
    assert errors == []


def test_the_municipality_sees_the_stand_van_zaken_and_the_network_picture_on_a_phone(
        server, server_app, live_organiser, new_phone, laptop, tmp_path) -> None:
    """Forty organisations in the picture (more in the table), the follow-up figures at the
    top, at 320 px without sideways scrolling and axe clean; at laptop width the picture
    fits the page."""
    import random
    from datetime import date

    from meetup.services import sharing
    from tests.report_factories import add_agreement, add_table, add_update

    evening = make_evening(live_organiser)
    rng = random.Random(4)
    names = [f"Stichting Jeugd en Gezin Wijk {i:02d}" for i in range(46)]
    tables = [add_table(evening.meetup, key, 10 + i) for i, key in
              enumerate(("taal", "overgangen", "zorg"))]
    for i in range(90):
        agreement = add_agreement(
            evening.meetup, table=tables[i % 3], what=f"Samen aan de slag {i}",
            owner_organisation=rng.choice(names), partners=rng.sample(names, 2),
            due_date=date(2027, 1 + i % 12, 1))
        if i % 4 == 0:
            add_update(agreement, "done", f"Klaar {i}")
    token = sharing.share_report(db.session, evening.meetup)
    db.session.commit()

    page = new_phone(320).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{server.base_url}/r/{token}")
    progress = page.locator("#progress")
    assert progress.get_by_text("Gerealiseerd").is_visible()
    assert progress.locator("li", has_text="Gerealiseerd").locator("strong").inner_text() == "23"
    picture = page.get_by_role("img", name=re.compile("Netwerk rond het kind: 40 organisaties"))
    picture.scroll_into_view_if_needed()
    assert picture.is_visible()
    assert page.locator(".network-svg text").count() == 40
    assert page.get_by_text(re.compile("alle 5[0-9] staan in de tabel")).is_visible()
    page.locator("#network").screenshot(path=str(tmp_path / "network-320.png"))
    _check(page, 320)

    wide = laptop.new_page()
    wide.goto(f"{server.base_url}/r/{token}")
    box = wide.locator(".network-svg").bounding_box()
    assert box and box["width"] >= 500
    assert wide.evaluate("document.querySelector('.figure-wrap').scrollWidth "
                        "<= document.querySelector('.figure-wrap').clientWidth")
    wide.locator("#network").screenshot(path=str(tmp_path / "network-wide.png"))
    _check(wide)
    assert errors == []
