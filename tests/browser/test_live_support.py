"""Helpers for the live-evening browser tests (this module holds no tests itself)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import axe_violations, describe, login


def watch_errors(page: Page) -> list[str]:
    """Console errors and uncaught exceptions of ``page`` (CSP refusals show up here too)."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def expect_connected(page: Page) -> None:
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "connected")


def join_phone(context: BrowserContext, base_url: str, meetup: Any, name: str, role: str,
               organisation: str) -> tuple[Page, list[str]]:
    """A phone scans the QR link, fills in the join form and lands on the live page."""
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{base_url}/j/{meetup.join_token}")
    page.get_by_label("Naam", exact=True).fill(name)
    page.get_by_label("Rol", exact=True).select_option(label=role)
    page.get_by_label("Organisatie", exact=True).fill(organisation)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(f"{base_url}/live/{meetup.id}")
    expect_connected(page)
    return page, errors


def open_control(context: BrowserContext, base_url: str, organiser: Any,
                 meetup: Any) -> tuple[Page, list[str]]:
    page = context.new_page()
    errors = watch_errors(page)
    login(page, base_url, organiser)
    page.goto(f"{base_url}/organiser/meetups/{meetup.id}/live")
    expect_connected(page)
    return page, errors


def set_phase(control: Page, label: str) -> None:
    """Click a phase in the organiser's stepper and wait until the server confirmed it."""
    button = control.locator("#phase-stepper").get_by_role("button", name=label, exact=True)
    button.click()
    expect(button).to_have_attribute("aria-current", "step")


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def seat_people(meetup: Any, organiser: Any, people: list[tuple[str, str, str, str]],
                phase: str) -> list[tuple[Any, str]]:
    """Join ``people`` (name, role key, organisation, theme key) through the services, form
    tables and move the evening to ``phase``; returns (participant, token) pairs."""
    from meetup.extensions import db
    from meetup.services import joining, phases, tables
    from meetup.services.joining import JoinRequest

    joined = []
    for name, role, organisation, theme in people:
        participant, token = joining.join(db.session, meetup,
                                          JoinRequest(name, role, organisation))
        joining.choose_theme(db.session, participant, theme)
        joined.append((participant, token))
    tables.form_tables(db.session, meetup, organiser)
    phases.set_phase(db.session, meetup, phase, organiser)
    db.session.commit()
    return joined


def phone_as(context: BrowserContext, server_app: Any, base_url: str, meetup_id: int,
             token: str) -> None:
    """Give a phone the signed cookie the join form would have set."""
    serializer = server_app.session_interface.get_signing_serializer(server_app)
    value = serializer.dumps({"participants": {str(meetup_id): token}, "_permanent": True})
    context.add_cookies([{"name": server_app.config["SESSION_COOKIE_NAME"], "value": value,
                          "url": base_url}])
