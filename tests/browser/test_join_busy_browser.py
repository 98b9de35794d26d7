"""More people than the organiser expected: a phone is asked to wait, then the organiser
raises the number and the same phone joins (issue 21, point 1).

A script holding the QR link can add people at full speed only up to the meetup's expected
size (and its margin); beyond that, 20 a minute. A real phone that meets that limit sees a
clear Dutch message on its own form, keeps what it typed, and gets in once the organiser raises
"Verwacht aantal deelnemers" on the meetup's form.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from meetup.extensions import db
from meetup.models import Meetup, Participant
from meetup.services import joining
from tests.browser.conftest import axe_violations, describe, login


def console_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_a_phone_beyond_the_expected_size_waits_until_the_organiser_raises_it(
        server, server_app, live_meetup, live_organiser, laptop, new_phone) -> None:
    # The organiser expected 5 people (+ a margin of 10); 20 came in the last minute.
    live_meetup.expected_participants = 5
    for n in range(20):
        joining.join(db.session, live_meetup, joining.JoinRequest(
            f"Deelnemer {n}", "gemeente", "Gemeente Hilversum"))
    db.session.commit()

    phone = new_phone(320).new_page()
    errors = console_errors(phone)
    phone.goto(f"{server.base_url}/j/{live_meetup.join_token}")
    phone.get_by_label("Naam", exact=True).fill("Zoë de Vries")
    phone.get_by_label("Rol", exact=True).select_option(label="Jeugd- en jongerenwerk")
    phone.get_by_label("Organisatie", exact=True).fill("Jongerenwerk Hilversum")
    phone.get_by_role("button", name="Aanmelden").click()
    phone.wait_for_load_state()
    message = phone.get_by_text("Er melden zich meer mensen aan dan de organisator verwachtte")
    assert message.is_visible()
    assert "Wacht een minuut" in message.inner_text()
    assert phone.get_by_label("Naam", exact=True).input_value() == "Zoë de Vries"
    assert phone.get_by_label("Organisatie", exact=True).input_value() == \
        "Jongerenwerk Hilversum"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    violations = axe_violations(phone)
    assert violations == [], describe(violations)

    # The organiser's live page says more people come than expected, and links to the
    # setting; there the organiser raises the expected number.
    laptop_page = laptop.new_page()
    login(laptop_page, server.base_url, live_organiser)
    laptop_page.goto(f"{server.base_url}/organiser/meetups/{live_meetup.id}/live")
    notice = laptop_page.locator("#attention").get_by_role(
        "link", name=re.compile(r"^Er melden zich meer mensen aan dan verwacht \(20; verwacht 5\)"))
    expect(notice).to_be_visible()
    notice.click()
    laptop_page.wait_for_url(f"{server.base_url}/organiser/meetups/{live_meetup.id}/edit*")
    field = laptop_page.get_by_label("Verwacht aantal deelnemers")
    assert field.input_value() == "5"
    field.fill("80")
    laptop_page.get_by_role("button", name="Wijzigingen opslaan").click()
    # (the browser keeps the link's #expected_participants through the redirect)
    laptop_page.wait_for_url(re.compile(
        rf"{re.escape(server.base_url)}/organiser/meetups/{live_meetup.id}(#.*)?$"))

    # The same phone presses the button again: in.
    phone.get_by_role("button", name="Aanmelden").click()
    phone.wait_for_url(f"{server.base_url}/live/{live_meetup.id}")
    db.session.expire_all()
    assert db.session.get(Meetup, live_meetup.id).expected_participants == 80
    assert db.session.scalar(db.select(db.func.count(Participant.id)).where(
        Participant.meetup_id == live_meetup.id, Participant.display_name == "Zoë de Vries")) == 1
    assert [e for e in errors if "429" not in e] == []
