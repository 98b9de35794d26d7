"""Joining by QR in real browsers: the projector shows a scannable code, a phone joins.

The live page is someone else's and may still be a placeholder: after joining we check where
the phone lands, not what it shows there.
"""

from __future__ import annotations

import io
import re

import PIL.Image
import zxingcpp
from playwright.sync_api import Page

from meetup.extensions import db
from meetup.models import Participant
from tests.browser.conftest import axe_violations, describe, login


def console_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_the_projector_qr_scans_and_a_phone_joins_with_it(server, server_app, live_meetup,
                                                          live_organiser, laptop,
                                                          new_phone) -> None:
    join_url = f"{server.base_url}/j/{live_meetup.join_token}"

    # (a) The organiser's projector window: the QR code in a screenshot decodes to the link.
    projector = laptop.new_page()
    projector_errors = console_errors(projector)
    login(projector, server.base_url, live_organiser)
    projector.goto(f"{server.base_url}/projector/{live_meetup.id}/join")
    projector.wait_for_load_state("networkidle")
    assert projector.get_by_text(live_meetup.short_code).is_visible()
    assert projector.get_by_text("Scan de QR-code met je telefoon").is_visible()
    shot = PIL.Image.open(io.BytesIO(projector.screenshot()))
    assert zxingcpp.read_barcodes(shot)[0].text == join_url
    assert_accessible(projector)
    assert projector_errors == []

    # (b) A 360 px phone opens the link, sees the form in Dutch and joins.
    phone = new_phone(360).new_page()
    phone_errors = console_errors(phone)
    phone.goto(join_url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # (e) no sideways scroll
    assert_accessible(phone)
    phone.get_by_label("Naam", exact=True).fill("Zoë de Vries")
    phone.get_by_label("Rol", exact=True).select_option(label="Jeugd- en jongerenwerk")
    phone.get_by_label("Organisatie", exact=True).fill("Jongerenwerk Hilversum")
    assert not phone.get_by_role("checkbox").is_checked()
    assert phone_errors == []  # (d) nothing refused by the CSP on the form
    phone.get_by_role("button", name="Aanmelden").click()
    phone.wait_for_url(f"{server.base_url}/live/{live_meetup.id}")

    db.session.expire_all()
    person = db.session.scalar(db.select(Participant).where(
        Participant.meetup_id == live_meetup.id))
    assert (person.display_name, person.role) == ("Zoë de Vries", "jeugdwerk")

    # Scanning the code again (or reloading) brings the phone straight back.
    phone.goto(join_url)
    assert phone.url == f"{server.base_url}/live/{live_meetup.id}"


def test_the_code_page_and_the_form_with_errors_are_accessible(server, server_app,
                                                                live_meetup, new_phone) -> None:
    phone = new_phone(360).new_page()
    errors = console_errors(phone)
    with server_app.app_context():  # the evening is tomorrow: let the code work already
        db.session.get(type(live_meetup), live_meetup.id).code_before_opening = True
        db.session.commit()

    phone.goto(f"{server.base_url}/join")
    assert_accessible(phone)
    phone.get_by_label("Code op het grote scherm").fill(
        f"{live_meetup.short_code[:3].lower()} {live_meetup.short_code[3:].lower()}")
    phone.get_by_role("button", name="Verder").click()
    phone.wait_for_url(re.compile(r".*/j/.+"))

    phone.get_by_label("E-mailadres (optioneel)").fill("zoe@example")
    phone.get_by_role("button", name="Aanmelden").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("Vul je naam in.").is_visible()
    assert phone.get_by_text("Kies je rol uit de lijst.").is_visible()
    assert phone.get_by_text("Vul een geldig e-mailadres in.").is_visible()
    assert phone.get_by_label("Naam", exact=True).get_attribute("aria-invalid") == "true"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone)
    assert errors == []


def test_a_quick_double_tap_on_join_registers_the_person_once(server, server_app, live_meetup,
                                                              new_phone) -> None:
    phone = new_phone(360).new_page()
    phone.goto(f"{server.base_url}/j/{live_meetup.join_token}")
    phone.get_by_label("Naam", exact=True).fill("Łukasz Nowak")
    phone.get_by_label("Rol", exact=True).select_option(label="Leerkracht PO")
    phone.get_by_label("Organisatie", exact=True).fill("OBS De Regenboog")
    phone.get_by_role("button", name=re.compile("Doe mee|Aanmelden|Meedoen")).dblclick()
    phone.wait_for_url(re.compile(rf".*/live/{live_meetup.id}$"))
    db.session.expire_all()
    joined = db.session.query(Participant).filter_by(meetup_id=live_meetup.id,
                                                     display_name="Łukasz Nowak").count()
    assert joined == 1
